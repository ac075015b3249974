//! The system under test: a relay, the simulator pointed at it, and agents signed in to it.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use trubka_agent::Engine;
use trubka_agent::cards::Card;
use trubka_agent::profile::Profile;
use trubka_agent::relay_client::ConnectionStatus;
use trubka_core::{PhoneNumber, PhoneParser};
use trubka_relay::config::LookupConfig;
use trubka_relay::{NewAgent, Relay, RelayConfig, Store};
use trubka_sim::uis_setup::UisSetup;

/// Longest wait for anything that should happen promptly.
pub(crate) const WAIT: Duration = Duration::from_secs(30);

pub(crate) const ANNA: &str = "Анна";
pub(crate) const IGOR: &str = "Игорь";
pub(crate) const MARIA: &str = "Мария";

/// A running service and the way to stop it.
struct Service<E> {
    stop: oneshot::Sender<()>,
    task: JoinHandle<Result<(), E>>,
}

impl<E: std::fmt::Debug> Service<E> {
    async fn stop(self) {
        let _ = self.stop.send(());
        let result = tokio::time::timeout(WAIT, self.task)
            .await
            .expect("service stops");
        result
            .expect("service task")
            .expect("service ran without error");
    }
}

pub(crate) struct System {
    dir: tempfile::TempDir,
    relay_url: String,
    sim_url: String,
    tokens: HashMap<&'static str, String>,
    relay: Service<trubka_relay::RelayError>,
    sim: Service<trubka_sim::SimError>,
    reconciler: trubka_relay::reconcile::Reconciler,
    /// The relay's configuration, for the admin's commands on its data folder.
    config: RelayConfig,
    pub(crate) http: reqwest::Client,
}

pub(crate) struct Agent {
    pub(crate) engine: Engine,
}

/// How the system is set up; [`Options::default`] is the pipeline tests' usual system.
pub(crate) struct Options {
    /// Which UIS notifications the simulated account sends.
    pub(crate) uis_setup: UisSetup,
    /// Anna also watches the main line +7 495 123-45-67.
    pub(crate) anna_watches_the_line: bool,
    /// Agents are known to UIS by their employee phone (SIP line) only, not by employee id,
    /// as an EnvyCRM account maps them.
    pub(crate) map_by_employee_phone: bool,
    /// `[directory.lookup] url`: the CRM the relay asks about callers no contact knows.
    pub(crate) crm_url: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            uis_setup: UisSetup::Trubka,
            anna_watches_the_line: true,
            map_by_employee_phone: false,
            crm_url: None,
        }
    }
}

/// The simulator's UIS API key (the relay reconciles through it).
const UIS_KEY: &str = "sim-uis-key";

impl System {
    /// Starts the relay with three agents (the simulator's default cast: Анна is UIS employee
    /// 2339292 / Sipuni 201, Игорь 2339293 / 202, Мария a supervisor), then the simulator.
    pub(crate) async fn start() -> System {
        System::start_with(Options::default()).await
    }

    pub(crate) async fn start_with(options: Options) -> System {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("relay");
        let relay_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let sim_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let relay_url = format!("http://{}", relay_listener.local_addr().unwrap());
        let sim_addr = sim_listener.local_addr().unwrap();
        let sim_url = format!("http://{sim_addr}");

        let store = Store::open(&data).unwrap();
        let mut tokens = HashMap::new();
        let cast = trubka_sim::cast::default_employees();
        for (name, uis, sipuni, supervisor) in [
            (ANNA, "2339292", "201", false),
            (IGOR, "2339293", "202", false),
            (MARIA, "2339294", "203", true),
        ] {
            let employee = cast.iter().find(|e| e.id.to_string() == uis).unwrap();
            let sip_line =
                trubka_sim::account::uis_employee_phone(trubka_sim::cast::UIS_APP_ID, employee);
            let (uis_employee, employee_phones) = if options.map_by_employee_phone {
                (
                    None,
                    vec![PhoneParser::russia().employee_line(&sip_line).unwrap()],
                )
            } else {
                (Some(uis.to_owned()), Vec::new())
            };
            let new = NewAgent {
                name: name.to_owned(),
                uis_employee,
                employee_phones,
                sipuni_ext: Some(sipuni.to_owned()),
                lines: if name == ANNA && options.anna_watches_the_line {
                    vec![PhoneNumber::from_e164("+74951234567").unwrap()]
                } else {
                    Vec::new()
                },
                supervisor,
                ..NewAgent::default()
            };
            tokens.insert(name, store.add_agent(&new).unwrap().1.0);
        }
        drop(store);

        let mut config = RelayConfig {
            listen: "127.0.0.1:0".parse().unwrap(),
            data_dir: data,
            ..RelayConfig::default()
        };
        // The UIS APIs of the simulated account, for reconciliation run by the tests.
        config.uis.api_key = Some(UIS_KEY.to_owned());
        config.uis.call_api_url = format!("{sim_url}/uis/callapi/v4.0");
        config.uis.data_api_url = format!("{sim_url}/uis/dataapi/v2.0");
        config.uis.media_base = sim_url.clone();
        config.reconcile.interval_secs = 0;
        config.reconcile.grace_secs = 0;
        // Presence is not what these tests are about: no reads of the simulated account's
        // statuses and calls on a schedule.
        config.presence_interval_secs = 0;
        config.directory.lookup = options.crm_url.map(|url| LookupConfig {
            url,
            ..LookupConfig::default()
        });
        let relay = Relay::open(config.clone()).unwrap();
        let hook_tokens = relay.hook_tokens().clone();
        let reconciler = relay.reconciler();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(relay.serve(relay_listener, async move {
            let _ = stopped.await;
        }));
        let relay = Service { stop, task };

        let mut sim_config = trubka_sim::SimConfig::new(
            url::Url::parse(&relay_url).unwrap(),
            hook_tokens.uis,
            hook_tokens.sipuni,
        );
        // Fast, but in the real order: a call's notifications follow its own timeline.
        sim_config.speed = 50.0;
        sim_config.seed = Some(7);
        sim_config.uis.setup = options.uis_setup;
        sim_config.uis.api_key = Some(UIS_KEY.to_owned());
        sim_config.uis.allowed_ips = vec!["127.0.0.1".parse().unwrap()];
        // Sipuni's occasional lost hang-up is exercised by the relay's reconciliation tests;
        // here every call must end.
        sim_config.sipuni.missing_hangup_probability = 0.0;
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(trubka_sim::run(sim_listener, sim_config, async move {
            let _ = stopped.await;
        }));
        let sim = Service { stop, task };

        System {
            dir,
            relay_url,
            sim_url,
            tokens,
            relay,
            sim,
            reconciler,
            config,
            http: reqwest::Client::new(),
        }
    }

    /// The admin's `trubka-relay contacts import FILE` on the running relay's data folder;
    /// returns what it printed.
    pub(crate) async fn import_contacts(&self, file: &std::path::Path) -> String {
        let mut out = Vec::new();
        trubka_relay::cli::contacts(
            &self.config,
            &trubka_relay::cli::ContactsCommand::Import {
                file: file.to_owned(),
            },
            &mut out,
        )
        .await
        .unwrap();
        String::from_utf8(out).unwrap()
    }

    /// A folder of the system's own, for files a test writes.
    pub(crate) fn dir(&self) -> &std::path::Path {
        self.dir.path()
    }

    /// Fills what the notifications left out from the simulated PBX's call history, once.
    pub(crate) async fn reconcile(&self) -> trubka_relay::reconcile::ReconcileReport {
        self.reconciler.run_once().await
    }

    /// The simulator's deliveries of `call_id`'s notifications so far, by UIS event type.
    pub(crate) async fn delivered(&self, call_id: &str) -> Vec<String> {
        let deliveries: Vec<Value> = self
            .http
            .get(format!("{}/sim/deliveries", self.sim_url))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        deliveries
            .into_iter()
            .filter(|d| d["call_id"] == call_id)
            .filter_map(|d| d["what"].as_str().map(str::to_owned))
            .collect()
    }

    /// Signs `name` in with a fresh profile and waits until its stream is connected, so that
    /// every call started afterwards reaches it live.
    pub(crate) async fn agent(&self, name: &str) -> Agent {
        let profile = Profile::at(self.dir.path().join(format!("agent-{name}"))).unwrap();
        let engine = Engine::open(profile).await.unwrap();
        engine
            .login(&self.relay_url, &self.tokens[name])
            .await
            .unwrap();
        engine.start().unwrap();
        let mut status = engine.status();
        tokio::time::timeout(
            WAIT,
            status.wait_for(|s| matches!(s, ConnectionStatus::Connected { .. })),
        )
        .await
        .unwrap_or_else(|_| panic!("{name} did not connect: {:?}", *engine.status().borrow()))
        .unwrap();
        Agent { engine }
    }

    /// Asks the simulated PBX for a call; returns its call id (`uis:…` / `sipuni:…`).
    pub(crate) async fn call(&self, request: Value) -> String {
        let response = self
            .http
            .post(format!("{}/sim/calls", self.sim_url))
            .json(&request)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let body: Value = response.json().await.unwrap();
        assert!(
            status.is_success(),
            "sim refused {request}: {status} {body}"
        );
        body["call_id"].as_str().expect("call_id").to_owned()
    }

    pub(crate) async fn stop(self, agents: Vec<Agent>) {
        for agent in agents {
            agent.engine.stop();
        }
        self.sim.stop().await;
        self.relay.stop().await;
    }
}

impl Agent {
    /// Waits until this agent's card of `call_id` satisfies `done`, and returns it.
    pub(crate) async fn card_until(
        &self,
        call_id: &str,
        what: &str,
        done: impl Fn(&Card) -> bool,
    ) -> Card {
        let deadline = tokio::time::Instant::now() + WAIT;
        let mut last = None;
        while tokio::time::Instant::now() < deadline {
            if let Ok(card) = self.engine.card(call_id).await {
                if done(&card) {
                    return card;
                }
                last = Some(card);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the card of {call_id} never became «{what}»; last seen: {last:#?}");
    }
}
