//! Test helpers: a real relay on 127.0.0.1:0 with a real SQLite file in a temp folder, an
//! HTTP client, a WebSocket client, and realistic UIS and Sipuni payloads.
//!
//! Waits are bounded ([`WAIT`]) so a broken relay fails a test instead of hanging it; no
//! test asserts on how long anything took.

use std::net::SocketAddr;
use std::time::Duration;

use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use trubka_core::PhoneNumber;
use trubka_protocol::ServerFrame;
use trubka_relay::{NewAgent, Relay, RelayConfig, Store};

mod folder;
pub(crate) use folder::FolderRelay;

/// Longest wait for anything the relay should do promptly.
pub(crate) const WAIT: Duration = Duration::from_secs(15);
pub(crate) const LINE: &str = "+74951234567";

pub(crate) struct TestRelay {
    pub(crate) addr: SocketAddr,
    pub(crate) dir: tempfile::TempDir,
    pub(crate) uis_token: String,
    pub(crate) sipuni_token: String,
    pub(crate) epoch: String,
    pub(crate) http: reqwest::Client,
    /// The relay's retention, to run a pass now as if at another time.
    pub(crate) retention: trubka_relay::retention::Retention,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), trubka_relay::RelayError>>>,
}

impl TestRelay {
    pub(crate) async fn start() -> TestRelay {
        TestRelay::start_with(RelayConfig::default()).await
    }

    /// A relay with `config`, listening on 127.0.0.1:0 with its data in a temp folder.
    pub(crate) async fn start_with(config: RelayConfig) -> TestRelay {
        let dir = tempfile::tempdir().unwrap();
        let config = RelayConfig {
            listen: "127.0.0.1:0".parse().unwrap(),
            data_dir: dir.path().join("data"),
            ..config
        };
        let listener = tokio::net::TcpListener::bind(config.listen).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let relay = Relay::open(config).unwrap();
        let tokens = relay.hook_tokens().clone();
        let epoch = relay.epoch().to_owned();
        let retention = relay.retention();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(relay.serve(listener, async move {
            let _ = stopped.await;
        }));
        TestRelay {
            addr,
            dir,
            uis_token: tokens.uis,
            sipuni_token: tokens.sipuni,
            epoch,
            http: reqwest::Client::new(),
            retention,
            stop: Some(stop),
            task: Some(task),
        }
    }

    pub(crate) fn data_dir(&self) -> std::path::PathBuf {
        self.dir.path().join("data")
    }

    pub(crate) fn store(&self) -> Store {
        Store::open(&self.data_dir()).unwrap()
    }

    /// Adds an agent through the library (what `agent add` does) and returns its token.
    pub(crate) fn agent(&self, name: &str, setup: impl FnOnce(&mut NewAgent)) -> String {
        add_agent(&self.store(), name, setup)
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The relay's /metrics text.
    pub(crate) async fn metrics(&self) -> String {
        let response = self.http.get(self.url("/metrics")).send().await.unwrap();
        response.text().await.unwrap()
    }

    /// POSTs a UIS JSON notification; returns status and JSON body.
    pub(crate) async fn uis(&self, body: &Value) -> (u16, Value) {
        let url = self.url(&format!("/hooks/uis/{}", self.uis_token));
        let response = self.http.post(url).json(body).send().await.unwrap();
        read_json(response).await
    }

    /// POSTs a Sipuni event as a form, as Sipuni does.
    pub(crate) async fn sipuni(&self, form: &[(&str, &str)]) -> (u16, Value) {
        let url = self.url(&format!("/hooks/sipuni/{}", self.sipuni_token));
        let body = serde_urlencoded::to_string(form).unwrap();
        let response = self
            .http
            .post(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        read_json(response).await
    }

    /// Opens `/v1/stream` with a bearer token and the given query (`since=…&epoch=…`).
    pub(crate) async fn connect(&self, token: &str, query: &str) -> Stream {
        let mut request = format!("ws://{}/v1/stream?{query}", self.addr)
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

    /// Connects and reads the `hello`; returns the stream and the head it announced.
    pub(crate) async fn connect_live(&self, token: &str) -> (Stream, u64) {
        let mut stream = self.connect(token, "").await;
        let head = stream.hello().await;
        (stream, head)
    }

    pub(crate) async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            tokio::time::timeout(WAIT, task)
                .await
                .expect("relay stops in time")
                .unwrap()
                .unwrap();
        }
    }
}

/// Adds agent `name` to `store` (what `agent add` does), `setup` filling in the rest; returns
/// its token.
pub(crate) fn add_agent(
    store: &trubka_relay::Store,
    name: &str,
    setup: impl FnOnce(&mut NewAgent),
) -> String {
    let mut new = NewAgent {
        name: name.to_owned(),
        ..NewAgent::default()
    };
    setup(&mut new);
    store.add_agent(&new).unwrap().1.0
}

pub(crate) async fn read_json(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// What the next message of a stream was.
#[derive(Debug)]
pub(crate) enum Got {
    Frame(ServerFrame),
    Closed(Option<u16>),
}

pub(crate) struct Stream {
    pub(crate) socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl Stream {
    /// The next frame or close, skipping pings, `caught_up` (which [`Self::caught_up`]
    /// reads when a test is about it), the directory's version (`tests/directory.rs`), case
    /// changes (`tests/cases.rs`) and presence (`tests/presence.rs`, which reads
    /// [`Self::next_frame`]).
    pub(crate) async fn next(&mut self) -> Got {
        // Bounded: a relay sends one `caught_up` per connection, a `directory` per change of
        // the directory, which tests about events do not make, a `case` per case change, at
        // most one per stored call, and a `presence` per agent taking or leaving a call.
        loop {
            match self.next_frame().await {
                Got::Frame(
                    ServerFrame::CaughtUp { .. }
                    | ServerFrame::Directory { .. }
                    | ServerFrame::Case { .. }
                    | ServerFrame::Presence { .. },
                ) => {
                    continue;
                }
                other => return other,
            }
        }
    }

    /// The `caught_up` frame that ends a replay: how many events were replayed.
    pub(crate) async fn caught_up(&mut self) -> u64 {
        match self.next_frame().await {
            Got::Frame(ServerFrame::CaughtUp { replayed, .. }) => replayed,
            other => panic!("expected caught_up, got {other:?}"),
        }
    }

    /// The next frame or close, skipping pings (answered by tungstenite itself).
    pub(crate) async fn next_frame(&mut self) -> Got {
        // Bounded by WAIT per frame and by the stream's own end.
        loop {
            let message = tokio::time::timeout(WAIT, self.socket.next())
                .await
                .expect("the relay sent something in time");
            match message {
                Some(Ok(Message::Text(text))) => {
                    return Got::Frame(ServerFrame::parse(text.as_str()).expect("valid frame"));
                }
                Some(Ok(Message::Close(frame))) => {
                    return Got::Closed(frame.map(|f| u16::from(f.code)));
                }
                Some(Ok(_)) => continue,
                Some(Err(tungstenite::Error::ConnectionClosed)) | None => return Got::Closed(None),
                Some(Err(e)) => panic!("stream error: {e}"),
            }
        }
    }

    pub(crate) async fn hello(&mut self) -> u64 {
        match self.next().await {
            Got::Frame(ServerFrame::Hello { v, head, .. }) => {
                assert_eq!(v, 1);
                head
            }
            other => panic!("expected hello, got {other:?}"),
        }
    }

    /// The next event frame as (seq, event id).
    pub(crate) async fn event(&mut self) -> (u64, String) {
        match self.next().await {
            Got::Frame(ServerFrame::Event { seq, event }) => (seq, event.id.0),
            other => panic!("expected an event, got {other:?}"),
        }
    }

    /// The ids of the next `n` events.
    pub(crate) async fn events(&mut self, n: usize) -> Vec<String> {
        let mut ids = Vec::with_capacity(n);
        for _ in 0..n {
            ids.push(self.event().await.1);
        }
        ids
    }

    pub(crate) async fn closed(&mut self) -> Option<u16> {
        match self.next().await {
            Got::Closed(code) => code,
            other => panic!("expected a close, got {other:?}"),
        }
    }

    /// Hangs up as a client does (close handshake).
    pub(crate) async fn close(mut self) {
        let _ = self.socket.close(None).await;
    }
}

pub(crate) fn line() -> PhoneNumber {
    PhoneNumber::from_e164(LINE).unwrap()
}

/// UIS «Входящий звонок на виртуальный номер»: a call appears on the line, nobody rings yet.
pub(crate) fn uis_started(session: u64) -> Value {
    json!({
        "notification_name": "Входящий звонок на виртуальный номер",
        "notification_time": "2026-05-12 10:17:00.000000",
        "call_session_id": session,
        "virtual_phone_number": "74951234567",
        "contact_phone_number": "79261234567",
        "direction": "in"
    })
}

/// UIS «Ожидание ответа»: the employee's phone rings.
pub(crate) fn uis_ringing(session: u64, employee: &str, leg: u64) -> Value {
    json!({
        "notification_name": "Ожидание ответа",
        "notification_time": "2026-05-12 10:17:02.000000",
        "call_session_id": session,
        "virtual_phone_number": "74951234567",
        "contact_phone_number": "79261234567",
        "employee_id": employee,
        "employee_full_name": format!("Сотрудник {employee}"),
        "leg_id": leg,
        "direction": "in"
    })
}

/// UIS «Начало разговора».
pub(crate) fn uis_answered(session: u64, employee: &str, leg: u64) -> Value {
    json!({
        "notification_name": "Начало разговора",
        "notification_time": "2026-05-12 10:17:05.000000",
        "call_session_id": session,
        "virtual_phone_number": "74951234567",
        "contact_phone_number": "79261234567",
        "employee_id": employee,
        "leg_ids": [leg],
        "direction": "in"
    })
}

/// UIS «Завершение звонка».
pub(crate) fn uis_ended(session: u64, employee: &str) -> Value {
    json!({
        "notification_name": "Завершение звонка",
        "notification_time": "2026-05-12 10:19:00.000000",
        "call_session_id": session,
        "virtual_phone_number": "74951234567",
        "contact_phone_number": "79261234567",
        "employee_id": employee,
        "talk_time_duration": 115,
        "total_time_duration": 120,
        "wait_time_duration": 5,
        "direction": "in"
    })
}

/// Sipuni event 1 to an extension (inbound call ringing at `ext`).
pub(crate) fn sipuni_call(
    call_id: &str,
    ext: &str,
    timestamp: &str,
) -> Vec<(&'static str, String)> {
    vec![
        ("event", "1".to_owned()),
        ("call_id", call_id.to_owned()),
        ("src_type", "1".to_owned()),
        ("src_num", "79261234567".to_owned()),
        ("dst_type", "2".to_owned()),
        ("dst_num", format!("070196{ext}")),
        ("short_dst_num", ext.to_owned()),
        ("pbxdstnum", "74951234567".to_owned()),
        ("timestamp", timestamp.to_owned()),
        ("treeName", "Входящая".to_owned()),
        ("user_id", "070196".to_owned()),
    ]
}

/// Sipuni event 2 (hangup) of an answered call.
pub(crate) fn sipuni_hangup(call_id: &str, ext: &str) -> Vec<(&'static str, String)> {
    vec![
        ("event", "2".to_owned()),
        ("call_id", call_id.to_owned()),
        ("src_type", "1".to_owned()),
        ("src_num", "79261234567".to_owned()),
        ("dst_type", "2".to_owned()),
        ("dst_num", format!("070196{ext}")),
        ("short_dst_num", ext.to_owned()),
        ("status", "ANSWER".to_owned()),
        ("call_start_timestamp", "1774372584".to_owned()),
        ("call_answer_timestamp", "1774372594".to_owned()),
        ("timestamp", "1774372602".to_owned()),
        ("user_id", "070196".to_owned()),
    ]
}

pub(crate) fn form<'a>(fields: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    fields.iter().map(|(k, v)| (*k, v.as_str())).collect()
}
