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
use trubka_core::PhoneNumber;
use trubka_relay::{NewAgent, Relay, RelayConfig, Store};

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
    pub(crate) http: reqwest::Client,
}

pub(crate) struct Agent {
    pub(crate) engine: Engine,
}

impl System {
    /// Starts the relay with three agents (the simulator's default cast: Анна is UIS employee
    /// 2339292 / Sipuni 201, Игорь 2339293 / 202, Мария a supervisor), then the simulator.
    pub(crate) async fn start() -> System {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("relay");
        let store = Store::open(&data).unwrap();
        let mut tokens = HashMap::new();
        for (name, uis, sipuni, supervisor) in [
            (ANNA, "2339292", "201", false),
            (IGOR, "2339293", "202", false),
            (MARIA, "2339294", "203", true),
        ] {
            let new = NewAgent {
                name: name.to_owned(),
                uis_employee: Some(uis.to_owned()),
                sipuni_ext: Some(sipuni.to_owned()),
                lines: if name == ANNA {
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

        let config = RelayConfig {
            listen: "127.0.0.1:0".parse().unwrap(),
            data_dir: data,
            ..RelayConfig::default()
        };
        let listener = tokio::net::TcpListener::bind(config.listen).await.unwrap();
        let relay_url = format!("http://{}", listener.local_addr().unwrap());
        let relay = Relay::open(config).unwrap();
        let hook_tokens = relay.hook_tokens().clone();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(relay.serve(listener, async move {
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
        // Sipuni's occasional lost hang-up is exercised by the relay's reconciliation tests;
        // here every call must end.
        sim_config.sipuni.missing_hangup_probability = 0.0;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let sim_url = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(trubka_sim::run(listener, sim_config, async move {
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
            http: reqwest::Client::new(),
        }
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
