//! Against the real relay (trubka-relay on 127.0.0.1, its own SQLite in a temp dir): sign in,
//! live cards, resume after a relay restart and after the client process restarts with
//! nothing lost or doubled, what happened while away replayed quietly and summed up, reset →
//! resync, token revocation, dial errors.
//!
//! Waits are bounded (a broken client fails instead of hanging); no assertion is on timing.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::{broadcast, oneshot, watch};
use tokio::task::JoinHandle;
use trubka_agent::backoff::Backoff;
use trubka_agent::cards::CardState;
use trubka_agent::dial::DialError;
use trubka_agent::engine::{EngineError, EngineEvent};
use trubka_agent::profile::Profile;
use trubka_agent::relay_api::ApiError;
use trubka_agent::relay_client::{ConnectionStatus, Delivery};
use trubka_agent::{Engine, store};
use trubka_core::{Outcome, PhoneNumber};
use trubka_relay::{NewAgent, Relay, RelayConfig, Store};

const WAIT: Duration = Duration::from_secs(20);

/// Adds agent `name` (UIS employee 100, watching the line) to the relay's data folder before
/// the relay opens it, so the running relay routes to it from its first event.
fn add_agent(data: &Path, name: &str) -> String {
    let new = NewAgent {
        name: name.to_owned(),
        uis_employee: Some("100".into()),
        lines: vec![PhoneNumber::from_e164("+74951234567").unwrap()],
        ..NewAgent::default()
    };
    Store::open(data).unwrap().add_agent(&new).unwrap().1.0
}

/// A UIS notification of an incoming call to the line from `contact` at `time` (local).
fn uis_notification(name: &str, session: u64, contact: &str, time: &str) -> Value {
    json!({
        "notification_name": name,
        "notification_time": format!("{time}.000000"),
        "call_session_id": session,
        "virtual_phone_number": "74951234567",
        "contact_phone_number": contact,
        "direction": "in"
    })
}

struct TestRelay {
    addr: SocketAddr,
    data: PathBuf,
    uis_token: String,
    http: reqwest::Client,
    stop: oneshot::Sender<()>,
    task: JoinHandle<Result<(), trubka_relay::RelayError>>,
}

impl TestRelay {
    async fn start(data: &Path, port: u16) -> TestRelay {
        let config = RelayConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], port)),
            data_dir: data.to_owned(),
            ..RelayConfig::default()
        };
        let listener = tokio::net::TcpListener::bind(config.listen).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let relay = Relay::open(config).unwrap();
        let uis_token = relay.hook_tokens().uis.clone();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(relay.serve(listener, async move {
            let _ = stopped.await;
        }));
        TestRelay {
            addr,
            data: data.to_owned(),
            uis_token,
            http: reqwest::Client::new(),
            stop,
            task,
        }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Posts one UIS notification; returns the ids of the events it became.
    async fn uis(&self, body: Value) -> Vec<String> {
        let url = format!("{}/hooks/uis/{}", self.url(), self.uis_token);
        let response = self.http.post(url).json(&body).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200);
        let body: Value = response.json().await.unwrap();
        body["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    }

    /// A whole call answered by employee 100: four notifications.
    async fn call(&self, session: u64, minute: u32) -> Vec<String> {
        let base = |name: &str, second: u32| {
            let time = format!("2026-05-12 10:{minute:02}:{second:02}");
            uis_notification(name, session, "79261234567", &time)
        };
        let mut ids = self
            .uis(base("Входящий звонок на виртуальный номер", 0))
            .await;
        let mut ringing = base("Ожидание ответа", 2);
        ringing["employee_id"] = json!("100");
        ringing["employee_full_name"] = json!("Анна");
        ringing["leg_id"] = json!(session * 10);
        ids.extend(self.uis(ringing).await);
        let mut answered = base("Начало разговора", 5);
        answered["employee_id"] = json!("100");
        answered["leg_ids"] = json!([session * 10]);
        ids.extend(self.uis(answered).await);
        let mut ended = base("Завершение звонка", 50);
        ended["employee_id"] = json!("100");
        ended["talk_time_duration"] = json!(45);
        ended["total_time_duration"] = json!(50);
        ids.extend(self.uis(ended).await);
        ids
    }

    /// A call that rings employee 100 and, unless `ends` is false, ends unanswered.
    async fn unanswered(&self, session: u64, minute: u32, ends: bool) -> Vec<String> {
        let base = |name: &str, second: u32| {
            let time = format!("2026-05-12 11:{minute:02}:{second:02}");
            uis_notification(name, session, "79031112233", &time)
        };
        let mut ids = self
            .uis(base("Входящий звонок на виртуальный номер", 0))
            .await;
        let mut ringing = base("Ожидание ответа", 2);
        ringing["employee_id"] = json!("100");
        ringing["leg_id"] = json!(session * 10);
        ids.extend(self.uis(ringing).await);
        if ends {
            let mut ended = base("Завершение звонка", 30);
            ended["talk_time_duration"] = json!(0);
            ended["total_time_duration"] = json!(30);
            ids.extend(self.uis(ended).await);
        }
        ids
    }

    async fn stop(self) -> (PathBuf, u16) {
        let _ = self.stop.send(());
        tokio::time::timeout(WAIT, self.task)
            .await
            .expect("relay stops")
            .unwrap()
            .unwrap();
        (self.data, self.addr.port())
    }
}

async fn open_engine(profile: &Path) -> Engine {
    let backoff = Backoff {
        base: Duration::from_millis(50),
        max: Duration::from_millis(400),
    };
    Engine::open_with(Profile::at(profile).unwrap(), backoff)
        .await
        .unwrap()
}

async fn wait_status(
    status: &mut watch::Receiver<ConnectionStatus>,
    want: impl Fn(&ConnectionStatus) -> bool,
) -> ConnectionStatus {
    tokio::time::timeout(WAIT, async {
        loop {
            let current = status.borrow_and_update().clone();
            if want(&current) {
                return current;
            }
            status.changed().await.expect("engine alive");
        }
    })
    .await
    .expect("status reached in time")
}

/// Waits until the engine has applied everything up to the relay's current head.
async fn wait_caught_up(
    engine: &Engine,
    events: &mut broadcast::Receiver<EngineEvent>,
    call_id: &str,
) {
    tokio::time::timeout(WAIT, async {
        loop {
            if let Ok(Some(call)) = engine.call(call_id).await
                && call.is_ended()
            {
                return;
            }
            let _ = events.recv().await;
        }
    })
    .await
    .expect("call arrives in time");
}

fn stored_event_count(profile: &Path) -> (i64, i64) {
    let conn = store::open_connection(&profile.join("trubka.sqlite3")).unwrap();
    let events: i64 = conn
        .query_row("SELECT count(*) FROM call_events", [], |r| r.get(0))
        .unwrap();
    let distinct: i64 = conn
        .query_row(
            "SELECT count(DISTINCT event_id) FROM call_events",
            [],
            |r| r.get(0),
        )
        .unwrap();
    (events, distinct)
}

#[tokio::test]
async fn live_cards_and_resume_after_relay_and_client_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let token = add_agent(&dir.path().join("relay"), "Анна");
    let relay = TestRelay::start(&dir.path().join("relay"), 0).await;
    let profile = dir.path().join("agent");
    let engine = open_engine(&profile).await;
    let me = engine.login(&relay.url(), &token).await.unwrap();
    assert_eq!(
        (me.name.as_str(), me.uis_employee.as_deref()),
        ("Анна", Some("100"))
    );

    let mut events = engine.subscribe();
    let mut status = engine.status();
    engine.start().unwrap();
    wait_status(&mut status, |s| {
        matches!(s, ConnectionStatus::Connected { .. })
    })
    .await;

    // Live: cards follow the call.
    let mut posted = relay.call(1, 1).await;
    let mut states = Vec::new();
    tokio::time::timeout(WAIT, async {
        while states.last() != Some(&CardState::Ended) {
            if let EngineEvent::Card { card, .. } = events.recv().await.unwrap() {
                states.push(card.state);
            }
        }
    })
    .await
    .expect("cards arrive");
    assert_eq!(
        states,
        vec![
            CardState::Ringing,
            CardState::RingingHere,
            CardState::AnsweredHere,
            CardState::Ended
        ]
    );

    // The relay restarts; the client comes back by itself and resumes.
    let (data, port) = relay.stop().await;
    wait_status(&mut status, |s| {
        matches!(s, ConnectionStatus::Reconnecting { .. })
    })
    .await;
    let relay = TestRelay::start(&data, port).await;
    posted.extend(relay.call(2, 2).await);
    wait_caught_up(&engine, &mut events, "uis:2").await;
    wait_status(&mut status, |s| {
        matches!(s, ConnectionStatus::Connected { .. })
    })
    .await;

    // The client process stops; calls happen meanwhile; a new process resumes.
    engine.stop();
    drop(events);
    drop(engine);
    posted.extend(relay.call(3, 3).await);
    posted.extend(relay.call(4, 4).await);
    let engine = open_engine(&profile).await;
    let mut events = engine.subscribe();
    engine.start().unwrap();
    wait_caught_up(&engine, &mut events, "uis:4").await;
    // And the relay restarts once more while the client is connected and idle.
    let (data, port) = relay.stop().await;
    let relay = TestRelay::start(&data, port).await;
    posted.extend(relay.call(5, 5).await);
    wait_caught_up(&engine, &mut events, "uis:5").await;

    let (count, distinct) = stored_event_count(&profile);
    assert_eq!(count, posted.len() as i64, "nothing lost");
    assert_eq!(distinct, count, "nothing doubled");
    let history = engine.history(Default::default()).await.unwrap();
    let ids: Vec<&str> = history
        .entries
        .iter()
        .map(|e| e.call.call_id.as_str())
        .collect();
    assert_eq!(ids, vec!["uis:5", "uis:4", "uis:3", "uis:2", "uis:1"]);
    assert!(
        history
            .entries
            .iter()
            .all(|e| e.call.outcome == Some(Outcome::Answered))
    );
    let resume = engine.resume_point().await.unwrap();
    assert_eq!(resume.resync_count, 0);
    engine.stop();
    relay.stop().await;
}

#[tokio::test]
async fn what_happened_while_away_is_replayed_quietly_then_summed_up_once() {
    let dir = tempfile::tempdir().unwrap();
    let token = add_agent(&dir.path().join("relay"), "Анна");
    let relay = TestRelay::start(&dir.path().join("relay"), 0).await;
    let profile = dir.path().join("agent");
    let engine = open_engine(&profile).await;
    engine.login(&relay.url(), &token).await.unwrap();
    let mut status = engine.status();
    engine.start().unwrap();
    wait_status(&mut status, |s| {
        matches!(s, ConnectionStatus::Connected { .. })
    })
    .await;

    // Away: one call missed, one answered, one still ringing when the agent comes back.
    engine.stop();
    relay.unanswered(6, 1, true).await;
    relay.call(7, 2).await;
    relay.unanswered(8, 3, false).await;
    let mut events = engine.subscribe();
    engine.start().unwrap();
    let mut replayed_cards = 0;
    let summary = tokio::time::timeout(WAIT, async {
        loop {
            match events.recv().await.unwrap() {
                EngineEvent::Card { delivery, card } => {
                    assert_eq!(delivery, Delivery::Replayed, "{}", card.call.call_id);
                    replayed_cards += 1;
                }
                EngineEvent::CaughtUp(summary) => return summary,
                _ => {}
            }
        }
    })
    .await
    .expect("the replay ends with caught_up");
    assert_eq!(
        replayed_cards, 9,
        "every replayed event still updates its card"
    );
    assert_eq!(summary.replayed, 9);
    assert_eq!(summary.missed_total, 1);
    assert_eq!(summary.missed[0].call_id, "uis:6");
    assert_eq!(summary.missed[0].phone.as_deref(), Some("+79031112233"));
    let ongoing: Vec<(&str, CardState)> = summary
        .ongoing
        .iter()
        .map(|c| (c.call.call_id.as_str(), c.state))
        .collect();
    assert_eq!(ongoing, vec![("uis:8", CardState::RingingHere)]);

    // What happens now is live again; a reconnect with nothing new sums up nothing.
    let mut ended = uis_notification("Завершение звонка", 8, "79031112233", "2026-05-12 11:03:40");
    ended["talk_time_duration"] = json!(0);
    ended["total_time_duration"] = json!(40);
    relay.uis(ended).await;
    let live = tokio::time::timeout(WAIT, async {
        loop {
            if let EngineEvent::Card { card, delivery } = events.recv().await.unwrap() {
                return (card.call.call_id.clone(), card.state, delivery);
            }
        }
    })
    .await
    .expect("the live end arrives");
    assert_eq!(
        live,
        ("uis:8".to_owned(), CardState::Missed, Delivery::Live)
    );
    engine.reconnect_now();
    let quiet = tokio::time::timeout(WAIT, async {
        loop {
            if let EngineEvent::CaughtUp(summary) = events.recv().await.unwrap() {
                return summary;
            }
        }
    })
    .await
    .expect("every resume ends with caught_up");
    assert_eq!((quiet.replayed, quiet.missed_total), (0, 0));
    assert!(quiet.ongoing.is_empty());
    engine.stop();
    relay.stop().await;
}

#[tokio::test]
async fn a_lost_resume_point_is_a_resync_and_revocation_stops_the_client() {
    let dir = tempfile::tempdir().unwrap();
    let token = add_agent(&dir.path().join("relay"), "Анна");
    let relay = TestRelay::start(&dir.path().join("relay"), 0).await;
    let profile = dir.path().join("agent");
    let engine = open_engine(&profile).await;
    engine.login(&relay.url(), &token).await.unwrap();
    crate::common::feed(
        &engine,
        crate::common::Call::incoming("old", "+79031112233").missed(1),
    )
    .await;
    {
        // The resume point belongs to another relay's history.
        let conn = store::open_connection(&profile.join("trubka.sqlite3")).unwrap();
        store::settings::set_resume_point(&conn, "some-other-epoch", 999_999).unwrap();
    }
    let mut events = engine.subscribe();
    let mut status = engine.status();
    engine.start().unwrap();
    let resync = tokio::time::timeout(WAIT, async {
        loop {
            if let EngineEvent::Resync {
                epoch,
                resync_count,
            } = events.recv().await.unwrap()
            {
                return (epoch, resync_count);
            }
        }
    })
    .await
    .expect("reset arrives");
    assert_ne!(resync.0, "some-other-epoch");
    assert_eq!(resync.1, 1);
    // Local history is kept, and live events flow after the resync.
    relay.call(7, 7).await;
    wait_caught_up(&engine, &mut events, "uis:7").await;
    assert!(engine.call("uis:old").await.unwrap().is_some());
    let resume = engine.resume_point().await.unwrap();
    assert_eq!(resume.epoch.as_deref(), Some(resync.0.as_str()));

    Store::open(&relay.data)
        .unwrap()
        .revoke_agent("Анна")
        .unwrap();
    wait_status(&mut status, |s| *s == ConnectionStatus::TokenRevoked).await;
    relay.stop().await;
}

#[tokio::test]
async fn login_and_dial_errors_are_clear() {
    let dir = tempfile::tempdir().unwrap();
    let token = add_agent(&dir.path().join("relay"), "Анна");
    let relay = TestRelay::start(&dir.path().join("relay"), 0).await;
    let engine = open_engine(&dir.path().join("agent")).await;
    let wrong = engine.login(&relay.url(), "not-a-token").await.unwrap_err();
    assert!(
        matches!(wrong, EngineError::Api(ApiError::Unauthorized)),
        "{wrong:?}"
    );
    assert!(matches!(
        engine.dial("8 926 123 45 67").await,
        Err(EngineError::Dial(DialError::NotSignedIn))
    ));
    engine.login(&relay.url(), &token).await.unwrap();

    // A bad number fails locally, before any request.
    let bad = engine.dial("8 (926) 12").await.unwrap_err();
    assert!(
        matches!(bad, EngineError::Dial(DialError::BadNumber(_))),
        "{bad:?}"
    );
    // This relay has no /v1/calls yet, or answers with its JSON error (no PBX configured).
    let refused = engine.dial("8 (926) 123-45-67").await.unwrap_err();
    match refused {
        EngineError::Dial(DialError::Relay(ApiError::DialNotSupported)) => {
            assert_eq!(
                refused.to_string(),
                "this relay does not support dialing yet"
            );
        }
        EngineError::Dial(DialError::Relay(ApiError::Relay { message, .. })) => {
            assert!(!message.is_empty())
        }
        other => panic!("unexpected dial result: {other:?}"),
    }
    relay.stop().await;
}
