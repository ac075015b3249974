//! A relay and the real PBX simulator (trubka-sim, in process), each on 127.0.0.1:0 and
//! pointed at the other: the relay's PBX API URLs at the simulator, the simulator's webhooks
//! at the relay. Used by the click-to-call, reconciliation, route and setup tests.
//!
//! [`Pbx::start_paused`] opens the relay (its database and writer work, reconciliation can
//! run) without serving HTTP yet: the simulator's webhooks then wait in the listener's
//! backlog until [`Pbx::serve`], which is how "history first, webhook later" is produced.
//! Waits are bounded by [`WAIT`].

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use trubka_relay::reconcile::Reconciler;
use trubka_relay::{NewAgent, Relay, RelayConfig, Store};
use trubka_sim::SimConfig;
use url::Url;

use crate::common::{Got, Stream, WAIT, read_json};

pub(crate) const UIS_HOOK: &str = "uis-hook-token";
pub(crate) const SIPUNI_HOOK: &str = "sipuni-hook-token";
pub(crate) const UIS_KEY: &str = "uis-api-key";
pub(crate) const SIPUNI_USER: &str = "064629";
pub(crate) const SIPUNI_SECRET: &str = "sipuni-secret";
/// The simulator's first UIS line, the relay's caller ID.
pub(crate) const UIS_LINE: &str = "74951234567";
/// The simulator's cast: UIS employee ids and Sipuni extensions.
pub(crate) const ANNA_UIS: &str = "2339292";
pub(crate) const ANNA_EXT: &str = "201";
pub(crate) const IGOR_UIS: &str = "2339293";
pub(crate) const IGOR_EXT: &str = "202";

pub(crate) struct Pbx {
    pub(crate) relay_addr: SocketAddr,
    pub(crate) sim_addr: SocketAddr,
    pub(crate) dir: tempfile::TempDir,
    pub(crate) http: reqwest::Client,
    pub(crate) reconciler: Reconciler,
    /// The relay's presence read-back, run by tests when they want it.
    pub(crate) presence: trubka_relay::presence::ReadBack,
    /// The relay's tagger of UIS calls (its queue, for tests to watch).
    pub(crate) tagger: trubka_relay::uis_tags::Tagger,
    /// The relay's reader of the UIS address book, run by tests when they want it.
    pub(crate) uis_sync: trubka_relay::directory::uis_sync::UisSync,
    pub(crate) metrics: std::sync::Arc<trubka_relay::metrics::Metrics>,
    pub(crate) config: RelayConfig,
    paused: Option<(Relay, TcpListener)>,
    relay_stop: Option<oneshot::Sender<()>>,
    relay_task: Option<JoinHandle<Result<(), trubka_relay::RelayError>>>,
    sim_stop: Option<oneshot::Sender<()>>,
    sim_task: Option<JoinHandle<Result<(), trubka_sim::SimError>>>,
}

/// The relay's configuration for a simulator at `sim`.
pub(crate) fn relay_config(dir: &std::path::Path, sim: SocketAddr) -> RelayConfig {
    let mut config = RelayConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: dir.join("data"),
        public_url: Some("https://relay.example.com".to_owned()),
        ..RelayConfig::default()
    };
    config.uis.hook_token = Some(UIS_HOOK.to_owned());
    config.uis.api_key = Some(UIS_KEY.to_owned());
    config.uis.call_api_url = format!("http://{sim}/uis/callapi/v4.0");
    config.uis.data_api_url = format!("http://{sim}/uis/dataapi/v2.0");
    config.uis.media_base = format!("http://{sim}");
    config.uis.virtual_number = Some(UIS_LINE.to_owned());
    config.sipuni.hook_token = Some(SIPUNI_HOOK.to_owned());
    config.sipuni.user = Some(SIPUNI_USER.to_owned());
    config.sipuni.secret = Some(SIPUNI_SECRET.to_owned());
    config.sipuni.api_url = format!("http://{sim}/sipuni/api");
    config.reconcile.interval_secs = 0;
    // Tests read presence back when they want to (`Relay::presence`), not on a schedule.
    config.presence_interval_secs = 0;
    config.reconcile.grace_secs = 0;
    config
}

/// The simulator's configuration for a relay at `relay`: calls play at once.
pub(crate) fn sim_config(relay: SocketAddr) -> SimConfig {
    let url = Url::parse(&format!("http://{relay}")).unwrap();
    let mut config = SimConfig::new(url, UIS_HOOK, SIPUNI_HOOK);
    config.uis.api_key = Some(UIS_KEY.to_owned());
    config.sipuni.secret = Some(SIPUNI_SECRET.to_owned());
    config.sipuni.user = SIPUNI_USER.to_owned();
    // Set up as the guides say: the relay's address allowed, Sipuni calls by API switched on.
    config.uis.allowed_ips = vec!["127.0.0.1".parse().unwrap()];
    config.sipuni.api_calls = true;
    config.speed = 0.0;
    config.seed = Some(7);
    // Webhooks of a paused relay wait in its backlog; give them time.
    config.delivery.timeout = Duration::from_secs(60);
    config
}

impl Pbx {
    /// Relay and simulator, both serving.
    pub(crate) async fn start(
        relay: impl FnOnce(&mut RelayConfig),
        sim: impl FnOnce(&mut SimConfig),
    ) -> Pbx {
        let mut pbx = Pbx::start_paused(relay, sim).await;
        pbx.serve();
        pbx
    }

    /// Simulator serving; relay open but not serving until [`Pbx::serve`].
    pub(crate) async fn start_paused(
        relay: impl FnOnce(&mut RelayConfig),
        sim: impl FnOnce(&mut SimConfig),
    ) -> Pbx {
        let dir = tempfile::tempdir().unwrap();
        let relay_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let sim_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let relay_addr = relay_listener.local_addr().unwrap();
        let sim_addr = sim_listener.local_addr().unwrap();

        let mut sim_config = sim_config(relay_addr);
        sim(&mut sim_config);
        let (sim_stop, sim_stopped) = oneshot::channel::<()>();
        let sim_task = tokio::spawn(trubka_sim::run(sim_listener, sim_config, async move {
            let _ = sim_stopped.await;
        }));

        let mut config = relay_config(dir.path(), sim_addr);
        relay(&mut config);
        let opened = Relay::open(config.clone()).unwrap();
        Pbx {
            relay_addr,
            sim_addr,
            dir,
            http: reqwest::Client::new(),
            reconciler: opened.reconciler(),
            presence: opened.presence(),
            tagger: opened.tagger(),
            uis_sync: opened.uis_sync(),
            metrics: opened.metrics(),
            config,
            paused: Some((opened, relay_listener)),
            relay_stop: None,
            relay_task: None,
            sim_stop: Some(sim_stop),
            sim_task: Some(sim_task),
        }
    }

    /// Starts serving HTTP (once).
    pub(crate) fn serve(&mut self) {
        let Some((relay, listener)) = self.paused.take() else {
            return;
        };
        let (stop, stopped) = oneshot::channel::<()>();
        self.relay_task = Some(tokio::spawn(relay.serve(listener, async move {
            let _ = stopped.await;
        })));
        self.relay_stop = Some(stop);
    }

    pub(crate) fn store(&self) -> Store {
        Store::open(&self.config.data_dir).unwrap()
    }

    /// Adds an agent and returns its token.
    pub(crate) fn agent(&self, name: &str, setup: impl FnOnce(&mut NewAgent)) -> String {
        crate::common::add_agent(&self.store(), name, setup)
    }

    pub(crate) fn relay_url(&self, path: &str) -> String {
        format!("http://{}{path}", self.relay_addr)
    }

    pub(crate) fn sim_url(&self, path: &str) -> String {
        format!("http://{}{path}", self.sim_addr)
    }

    /// `POST /v1/calls` as the agent with `token`.
    pub(crate) async fn dial(&self, token: &str, body: Value) -> (u16, Value) {
        let response = self
            .http
            .post(self.relay_url("/v1/calls"))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap();
        read_json(response).await
    }

    /// `GET path` on the relay as the agent with `token`.
    pub(crate) async fn get_as(&self, token: &str, path: &str) -> (u16, Value) {
        let response = self
            .http
            .get(self.relay_url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        read_json(response).await
    }

    /// `POST /sim/calls`; returns the call id (`uis:…` / `sipuni:…`).
    pub(crate) async fn sim_call(&self, body: Value) -> String {
        let response = self
            .http
            .post(self.sim_url("/sim/calls"))
            .json(&body)
            .send()
            .await
            .unwrap();
        let (status, body) = read_json(response).await;
        assert_eq!(status, 202, "{body}");
        body["call_id"].as_str().unwrap().to_owned()
    }

    /// The PBX API requests the simulator received of `api` (`uis_call_api`, `sipuni_api`, …).
    pub(crate) async fn sim_requests(&self, api: &str) -> Vec<Value> {
        let response = self
            .http
            .get(self.sim_url("/sim/requests"))
            .send()
            .await
            .unwrap();
        let (_, body) = read_json(response).await;
        body.as_array()
            .unwrap()
            .iter()
            .filter(|r| r["api"] == api)
            .cloned()
            .collect()
    }

    /// Waits until the simulator has handled (sent or dropped) a notification of `call_id`
    /// whose name is `what`; returns every delivery of the call so far.
    pub(crate) async fn delivered(&self, call_id: &str, what: &str) -> Vec<Value> {
        tokio::time::timeout(WAIT, async {
            loop {
                let response = self
                    .http
                    .get(self.sim_url("/sim/deliveries"))
                    .send()
                    .await
                    .unwrap();
                let (_, body) = read_json(response).await;
                let of_call: Vec<Value> = body
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|d| d["call_id"] == call_id)
                    .cloned()
                    .collect();
                if of_call.iter().any(|d| d["what"] == what) {
                    return of_call;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await
        .unwrap_or_else(|_| panic!("the simulator handled {what} of {call_id} in time"))
    }

    /// Opens `/v1/stream` with `query` (e.g. `since=0`).
    pub(crate) async fn connect(&self, token: &str, query: &str) -> Stream {
        let mut request = format!("ws://{}/v1/stream?{query}", self.relay_addr)
            .into_client_request()
            .unwrap();
        request
            .headers_mut()
            .insert("authorization", format!("Bearer {token}").parse().unwrap());
        let (socket, _) = tokio::time::timeout(WAIT, tokio_tungstenite::connect_async(request))
            .await
            .expect("connect in time")
            .expect("stream accepted");
        Stream { socket }
    }

    /// Connects live (no replay) and reads the hello.
    pub(crate) async fn listen(&self, token: &str) -> Stream {
        let mut stream = self.connect(token, "").await;
        stream.hello().await;
        stream
    }

    /// Every stored event the supervisor `token` may see, read by replaying from 0.
    pub(crate) async fn all_events(&self, token: &str) -> Vec<trubka_core::CallEvent> {
        let mut stream = self.connect(token, "since=0").await;
        let head = stream.hello().await;
        let mut events = Vec::new();
        let mut seq = 0;
        while seq < head {
            match stream.next().await {
                Got::Frame(trubka_protocol::ServerFrame::Event { seq: s, event }) => {
                    seq = s;
                    events.push(*event);
                }
                other => panic!("expected an event, got {other:?}"),
            }
        }
        stream.close().await;
        events
    }

    pub(crate) async fn stop(mut self) {
        if let Some(stop) = self.sim_stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.sim_task.take() {
            let _ = tokio::time::timeout(WAIT, task).await;
        }
        if let Some(stop) = self.relay_stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.relay_task.take() {
            tokio::time::timeout(WAIT, task)
                .await
                .expect("relay stops in time")
                .unwrap()
                .unwrap();
        }
    }
}

/// The next event of `call_id` on `stream`, skipping other calls' events.
pub(crate) async fn next_of(stream: &mut Stream, call_id: &str) -> trubka_core::CallEvent {
    loop {
        match stream.next().await {
            Got::Frame(trubka_protocol::ServerFrame::Event { event, .. }) => {
                if event.call_id.0 == call_id {
                    return *event;
                }
            }
            other => panic!("expected an event of {call_id}, got {other:?}"),
        }
    }
}

/// Events of `call_id` on `stream` until one of `kind` arrives (included).
pub(crate) async fn until_kind(
    stream: &mut Stream,
    call_id: &str,
    kind: trubka_core::EventKind,
) -> Vec<trubka_core::CallEvent> {
    let mut events = Vec::new();
    loop {
        let event = next_of(stream, call_id).await;
        let done = event.kind == kind;
        events.push(event);
        if done {
            return events;
        }
    }
}

/// A UIS route request body as a form.
pub(crate) fn form(pairs: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(pairs).unwrap()
}

/// The `trubka-relay` binary, with none of the developer's `TRUBKA_RELAY_*` settings.
pub(crate) fn relay_binary() -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_trubka-relay"));
    for (name, _) in std::env::vars() {
        if name.starts_with("TRUBKA_RELAY_") {
            command.env_remove(name);
        }
    }
    command.env("RUST_LOG", "error");
    command
}

/// What `trubka-relay check` says about `pbx`'s configuration, and whether all is well.
pub(crate) async fn check_output(pbx: &Pbx) -> (bool, String) {
    let mut out = Vec::new();
    let source =
        trubka_relay::config::locate::ConfigSource::Flag(pbx.dir.path().join("relay.toml"));
    let ok = trubka_relay::setup::check::run(&pbx.config, &source, &mut out)
        .await
        .unwrap();
    (ok, String::from_utf8(out).unwrap())
}

/// Fails unless `text` holds every one of `pieces`.
pub(crate) fn says(text: &str, pieces: &[&str]) {
    for piece in pieces {
        assert!(text.contains(piece), "{piece:?} in\n{text}");
    }
}

/// Fails when a Cyrillic letter stands outside «…» in `text`: English output is English alone.
pub(crate) fn assert_english(text: &str) {
    let cyrillic = trubka_core::cyrillic_outside_quotes(text);
    assert!(
        cyrillic.is_empty(),
        "Cyrillic {cyrillic:?} outside «» in:\n{text}"
    );
}

/// A server on 127.0.0.1 that accepts connections and never answers: a PBX gone silent. The
/// task holds the connections open until the test aborts it.
pub(crate) async fn silent_server() -> (SocketAddr, tokio::task::JoinHandle<()>) {
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = silent.local_addr().unwrap();
    let holding = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            open.push(socket);
        }
    });
    (addr, holding)
}

/// Anna's mapping on both PBXs of the simulator's cast: UIS employee and Sipuni extension.
pub(crate) fn anna(new: &mut NewAgent) {
    new.uis_employee = Some(ANNA_UIS.to_owned());
    new.sipuni_ext = Some(ANNA_EXT.to_owned());
}

/// Igor's mapping, as [`anna`]'s.
pub(crate) fn igor(new: &mut NewAgent) {
    new.uis_employee = Some(IGOR_UIS.to_owned());
    new.sipuni_ext = Some(IGOR_EXT.to_owned());
}

/// `trubka-relay ARGS --data-dir DATA` in `lang`, from an empty folder; its standard output.
pub(crate) fn relay_cli(args: &[&str], data: &std::path::Path, lang: trubka_core::Lang) -> String {
    let cwd = tempfile::tempdir().unwrap();
    let language = match lang {
        trubka_core::Lang::Ru => "ru",
        trubka_core::Lang::En => "en",
    };
    let output = relay_binary()
        .current_dir(cwd.path())
        .env("TRUBKA_RELAY_LANGUAGE", language)
        .args(args)
        .arg("--data-dir")
        .arg(data)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// The CLI off the async threads: the relay in this test must keep serving meanwhile.
pub(crate) async fn relay_cli_async(
    args: &[&str],
    data: &std::path::Path,
    lang: trubka_core::Lang,
) -> String {
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    let data = data.to_owned();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        relay_cli(&args, &data, lang)
    })
    .await
    .unwrap()
}

/// A CSV of clients with a row lacking name and number and one with a bad number.
pub(crate) const CLIENTS_CSV: &str = "\u{feff}ФИО;Телефон;Компания;Город\n\
     Иван Петров;8 (926) 123-45-67;Ромашка;Москва\n\
     ;;Без имени;Тверь\n\
     Мария;12;Лютик;Казань\n\
     Пётр Сидоров;+7 903 111-22-33, +7 495 765-43-21;;\n";
