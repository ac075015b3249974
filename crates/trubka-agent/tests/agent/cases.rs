//! The team's cases on desktops (issue 13), against a real relay (trubka-relay on 127.0.0.1,
//! its own SQLite) and two real engines (their own SQLite) of agents on one line: a missed
//! call both list, a claim the other learns of from the `case` frame and whose second claim
//! is refused with the claimer's name, a note one writes that the other reads, a close with a
//! reason, and with the relay gone the stored cases listed and marked stale.
//!
//! Waits are bounded (a lost frame fails instead of hanging); nothing asserts on timing.

use std::path::Path;

use chrono::{FixedOffset, Timelike, Utc};
use serde_json::{Value, json};
use tokio::sync::broadcast;
use trubka_agent::engine::{EngineError, EngineEvent};
use trubka_agent::relay_api::ApiError;
use trubka_core::PhoneNumber;
use trubka_protocol::cases::{CaseView, NoteRequest, WireCaseStatus, WireCloseCause};
use trubka_relay::{NewAgent, RelayConfig, Store};

use crate::common::relay::{TestRelay, WAIT, desktop, eventually};

const LINE: &str = "74951234567";
const CLIENT: &str = "79261234567";

/// A relay on `data` with the default configuration.
async fn start_relay(data: &Path) -> TestRelay {
    TestRelay::start(RelayConfig {
        data_dir: data.to_owned(),
        ..RelayConfig::default()
    })
    .await
}

/// `trubka-relay tags set …` on the running relay's data folder.
fn set_tags(relay: &TestRelay, tags: &[&str]) {
    let command = trubka_relay::cli::TagsCommand::Set {
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
    };
    let mut out = Vec::new();
    trubka_relay::cli::tags(&relay.config, &command, &mut out).unwrap();
}

/// Adds agent `name` (UIS employee `employee`, watching the line) before the relay opens.
fn add_agent(data: &Path, name: &str, employee: &str) -> String {
    let new = NewAgent {
        name: name.to_owned(),
        uis_employee: Some(employee.to_owned()),
        lines: vec![PhoneNumber::from_e164(&format!("+{LINE}")).unwrap()],
        ..NewAgent::default()
    };
    Store::open(data).unwrap().add_agent(&new).unwrap().1.0
}

/// The next case event `wanted` accepts (bounded by [`WAIT`]).
async fn case_event(
    events: &mut broadcast::Receiver<EngineEvent>,
    wanted: impl Fn(&CaseView) -> bool,
) -> CaseView {
    tokio::time::timeout(WAIT, async {
        loop {
            match events.recv().await {
                Ok(EngineEvent::Case(case)) if wanted(&case) => return *case,
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => panic!("the engine went away"),
            }
        }
    })
    .await
    .expect("a case event within the wait")
}

/// A notification time `minutes` from now, as UIS writes it (Moscow local time): claims are
/// compared with the relay's clock, so the call happens now.
fn at(minutes: i64) -> String {
    let moscow = FixedOffset::east_opt(3 * 3600).unwrap();
    (Utc::now().with_nanosecond(0).unwrap() + chrono::Duration::minutes(minutes))
        .with_timezone(&moscow)
        .format("%Y-%m-%d %H:%M:%S%.6f")
        .to_string()
}

/// An incoming call that rang employee `employee` and was lost.
fn missed(session: u64, employee: &str) -> Vec<Value> {
    let base = json!({
        "call_session_id": session,
        "virtual_phone_number": LINE,
        "contact_phone_number": CLIENT,
        "direction": "in"
    });
    let with = |extra: Value| {
        let mut payload = base.clone();
        for (k, v) in extra.as_object().unwrap() {
            payload[k] = v.clone();
        }
        payload
    };
    vec![
        with(
            json!({"notification_name": "Входящий звонок на виртуальный номер",
            "notification_time": at(-3)}),
        ),
        with(
            json!({"notification_name": "Ожидание ответа", "notification_time": at(-3),
            "employee_id": employee, "employee_full_name": format!("Сотрудник {employee}"),
            "leg_id": session * 10}),
        ),
        with(
            json!({"notification_name": "Потерянный звонок", "notification_time": at(-2),
            "employee_id": employee, "wait_time_duration": 30, "talk_time_duration": 0,
            "total_time_duration": 30}),
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_desktops_share_a_missed_calls_case_claim_note_and_close_it_and_list_it_offline() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("relay");
    std::fs::create_dir_all(&data).unwrap();
    let anna_token = add_agent(&data, "Анна", "100");
    let igor_token = add_agent(&data, "Игорь", "200");
    let relay = start_relay(&data).await;
    set_tags(&relay, &["Доставка", "Возврат"]);
    let anna = desktop(&dir.path().join("anna"), &relay, &anna_token).await;
    let igor = desktop(&dir.path().join("igor"), &relay, &igor_token).await;
    let mut igor_events = igor.subscribe();
    assert_eq!(igor.tags().await.unwrap(), ["Доставка", "Возврат"]);

    // The frame reaches Игорь's desktop only once his stream is up: wait for the case on
    // the relay's list instead of racing the connection.
    relay.uis(&missed(1, "100")).await;
    let listed = eventually("Анна lists the missed call's case", || async {
        let listing = anna.cases(None, false).await.unwrap();
        (listing.cases.len() == 1).then_some(listing)
    })
    .await;
    assert!(listing_is_fresh(&listed));
    let case = &listed.cases[0];
    assert_eq!(case.key, "uis:1");
    assert_eq!(case.status, WireCaseStatus::Open);
    assert_eq!(case.number.as_deref(), Some("+79261234567"));
    let igor_list = igor.cases(Some(WireCaseStatus::Open), false).await.unwrap();
    assert_eq!(igor_list.cases.len(), 1);
    assert_eq!(igor_list.cases[0].key, "uis:1");
    assert!(
        igor.cases(Some(WireCaseStatus::Closed), false)
            .await
            .unwrap()
            .cases
            .is_empty()
    );

    // Анна claims it: Игорь's desktop learns who from the frame, and his claim is refused
    // with her name, in the relay's words.
    let claimed = anna.claim_case("uis:1").await.unwrap();
    assert_eq!(claimed.claim.as_ref().unwrap().agent, "Анна");
    let seen = case_event(&mut igor_events, |c| c.claim.is_some()).await;
    assert_eq!(seen.claim.unwrap().agent, "Анна");
    match igor.claim_case("uis:1").await {
        Err(EngineError::Api(ApiError::Relay {
            status: 409,
            message,
            ..
        })) => assert!(message.contains("Уже перезванивает Анна"), "{message}"),
        other => panic!("Игорь's claim should be refused: {other:?}"),
    }
    let mine = anna.cases(None, true).await.unwrap();
    assert_eq!(mine.cases.len(), 1);
    assert!(igor.cases(None, true).await.unwrap().cases.is_empty());

    // A note by Анна on the call is what Игорь reads, with its tag; an unknown tag is refused.
    let note = NoteRequest {
        text: "Просит счёт".to_owned(),
        tags: vec!["Доставка".to_owned()],
        new_case: false,
    };
    anna.add_note("uis:1", &note).await.unwrap();
    let notes = igor.notes("uis:1").await.unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].author, "Анна");
    assert_eq!(notes[0].text, "Просит счёт");
    assert_eq!(notes[0].tags, ["Доставка"]);
    let unknown = NoteRequest {
        tags: vec!["Нет такого".to_owned()],
        ..note.clone()
    };
    assert!(matches!(
        igor.add_note("uis:1", &unknown).await,
        Err(EngineError::Api(ApiError::Relay { status: 422, .. }))
    ));

    // Игорь closes it with a reason; Анна's desktop hears of it.
    let mut anna_events = anna.subscribe();
    let closed = igor.close_case("uis:1", Some("дубль")).await.unwrap();
    assert_eq!(closed.status, WireCaseStatus::Closed);
    let closure = closed.closure.as_ref().unwrap();
    assert_eq!(closure.reason.as_deref(), Some("дубль"));
    assert_eq!(closure.cause, WireCloseCause::Manual);
    let heard = case_event(&mut anna_events, |c| c.status == WireCaseStatus::Closed).await;
    assert_eq!(heard.key, "uis:1");
    let gist = eventually("the gist in Анна's list", || async {
        let listing = anna
            .cases(Some(WireCaseStatus::Closed), false)
            .await
            .unwrap();
        listing
            .cases
            .first()
            .and_then(|c| c.gists.first().map(|g| g.text.clone()))
    })
    .await;
    assert_eq!(gist, "Просит счёт");

    // The relay goes away: the stored cases are listed, marked stale, with since when.
    relay.stop().await;
    let offline = anna.cases(None, false).await.unwrap();
    assert!(!offline.fresh);
    assert!(offline.received_at.is_some());
    assert_eq!(offline.cases.len(), 1);
    assert_eq!(offline.cases[0].status, WireCaseStatus::Closed);
    assert_eq!(
        offline.cases[0].closure.as_ref().unwrap().reason.as_deref(),
        Some("дубль")
    );
    let igor_offline = igor
        .cases(Some(WireCaseStatus::Closed), false)
        .await
        .unwrap();
    assert!(!igor_offline.fresh);
    assert_eq!(igor_offline.cases.len(), 1);
    assert!(
        igor.cases(Some(WireCaseStatus::Open), false)
            .await
            .unwrap()
            .cases
            .is_empty()
    );
    anna.stop();
    igor.stop();
}

fn listing_is_fresh(listing: &trubka_agent::engine::cases::CaseListing) -> bool {
    listing.fresh && listing.received_at.is_some()
}
