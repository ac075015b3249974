//! What the admin is told to configure:
//! - every template `uis-templates` prints, filled the way UIS fills it (JSON literals for
//!   the unquoted `{{variables}}`, `null` for what it lacks), is understood by a real relay;
//! - `uis-templates` / `sipuni-setup` print the URLs with the relay's own hook tokens, and
//!   refuse to print tokens before the relay has made its database.
//!
//! `check` has its own file, `tests/check.rs`.

use serde_json::{Value, json};
use trubka_core::{Direction, EventKind, Outcome};
use trubka_relay::setup::uis_templates::{NOTIFICATIONS, UisNotification};

use crate::common::{TestRelay, read_json};
use crate::support::{ANNA_UIS, relay_binary};
/// What UIS puts in place of `{{variable}}` for a realistic call (reference A.6.3, A.6.4).
fn value_of(variable: &str, notification: &UisNotification) -> Value {
    match variable {
        "notification_name" => json!(notification.name),
        "notification_time" => json!("2026-05-12 10:17:40.215000"),
        // The outgoing call and the lost call are calls of their own.
        "call_session_id" => json!(match notification.event {
            "outgoing call" => 1197843162u64,
            "lost" => 1197843163u64,
            _ => 1197843161u64,
        }),
        "virtual_phone_number" => json!("74951234567"),
        "contact_phone_number" => json!("79261234567"),
        "contact_full_name" => json!("Ольга Васильева"),
        "communication_number" => json!(3),
        "scenario_name" => json!("Входящие: основной"),
        "employee_id" => json!(2339292),
        "employee_full_name" => json!("Анна Смирнова"),
        "employee_phone_number" => json!("044431201"),
        "employee_ids" => json!([2339292]),
        "direction" => json!(if notification.event == "outgoing call" {
            "out"
        } else {
            "in"
        }),
        "leg_id" => json!(287866221u64),
        "leg_ids" => json!([287866221u64, 287866245u64]),
        "call_source" => json!("va"),
        "external_id" => Value::Null,
        "talk_time_duration" => json!(131),
        "total_time_duration" => json!(157),
        "wait_time_duration" => json!(26),
        "tag_names" => json!(["Целевой"]),
        "file_link" => json!(
            "https://app.uiscom.ru/system/media/talk/1197843161/13f79da9cdad2dfaee5ef282712164a4/"
        ),
        "file_duration" => json!(131),
        other => panic!("no realistic value for {{{{{other}}}}}: add one to this test"),
    }
}

/// The template with every placeholder replaced by `fill(variable)`, as UIS sends it.
fn filled(notification: &UisNotification, fill: impl Fn(&str) -> Value) -> String {
    let mut body = notification.body_template();
    for variable in notification.all_variables() {
        body = body.replace(&format!("{{{{{variable}}}}}"), &fill(variable).to_string());
    }
    assert!(!body.contains("{{"), "{body}");
    body
}

async fn post(relay: &TestRelay, notification: &UisNotification, body: String) -> (u16, Value) {
    let url = notification.url(&relay.url(""), &relay.uis_token);
    let response = relay
        .http
        .post(url)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    read_json(response).await
}

#[tokio::test]
async fn every_printed_template_filled_by_uis_is_understood() {
    let relay = TestRelay::start().await;
    let boss = relay.agent("Мария", |new| new.supervisor = true);
    let (mut stream, _) = relay.connect_live(&boss).await;
    let mut stored: Vec<String> = Vec::new();
    for notification in NOTIFICATIONS {
        let body = filled(notification, |v| value_of(v, notification));
        serde_json::from_str::<Value>(&body).expect("a filled template is JSON");
        let (status, answer) = post(&relay, notification, body).await;
        assert_eq!(status, 200, "{}: {answer}", notification.event_type);
        let ids = answer["events"].as_array().unwrap();
        let kind = ids[0].as_str().unwrap().split(':').nth(2).unwrap();
        assert_eq!(kind, notification.kind, "{}", notification.event_type);
        for id in ids {
            let id = id.as_str().unwrap().to_owned();
            if !stored.contains(&id) {
                stored.push(id);
            }
        }
    }
    assert_eq!(stored.len(), NOTIFICATIONS.len(), "{stored:?}");
    let mut seen = Vec::new();
    for _ in 0..stored.len() {
        match stream.next().await {
            crate::common::Got::Frame(trubka_protocol::ServerFrame::Event { event, .. }) => {
                seen.push(*event)
            }
            other => panic!("{other:?}"),
        }
    }
    let incoming = &seen[0];
    assert_eq!(incoming.kind, EventKind::Started);
    assert_eq!(incoming.direction, Direction::In);
    assert_eq!(
        incoming.contact.phone.as_ref().unwrap().e164(),
        "+79261234567"
    );
    assert_eq!(incoming.contact.name.as_deref(), Some("Ольга Васильева"));
    assert_eq!(incoming.line.as_deref(), Some("+74951234567"));
    let outgoing = &seen[1];
    assert_eq!(outgoing.id.0, "uis:1197843162:started:call");
    assert_eq!(outgoing.direction, Direction::Out);
    assert_eq!(
        outgoing.employee.as_ref().unwrap().id.as_deref(),
        Some(ANNA_UIS)
    );
    let ringing = &seen[2];
    assert_eq!(ringing.id.0, "uis:1197843161:ringing:287866221");
    assert_eq!(
        ringing.employee.as_ref().unwrap().id.as_deref(),
        Some(ANNA_UIS)
    );
    let ended = seen.iter().find(|e| e.kind == EventKind::Ended).unwrap();
    assert_eq!(ended.outcome, Some(Outcome::Answered));
    let lost = seen
        .iter()
        .find(|e| e.id.0 == "uis:1197843163:ended:call")
        .unwrap();
    assert_eq!(lost.outcome, Some(Outcome::Missed));
    assert_eq!(ended.durations.talk, Some(131));
    assert_eq!(ended.tags, vec!["Целевой".to_owned()]);
    let recording = seen
        .iter()
        .find(|e| e.kind == EventKind::Recording)
        .unwrap();
    assert!(recording.recordings[0].starts_with("https://app.uiscom.ru/system/media/talk/"));
    relay.stop().await;
}

#[tokio::test]
async fn templates_filled_with_nulls_are_still_stored() {
    let relay = TestRelay::start().await;
    for (index, notification) in NOTIFICATIONS.iter().enumerate() {
        let session = 1197843200 + index as u64;
        let body = filled(notification, |v| match v {
            "call_session_id" => json!(session),
            _ => Value::Null,
        });
        let (status, answer) = post(&relay, notification, body).await;
        assert_eq!(status, 200, "{}: {answer}", notification.event_type);
    }
    // A lost call says so even without any value but its id.
    let lost = NOTIFICATIONS
        .iter()
        .position(|n| n.event == "lost")
        .unwrap();
    let id = format!("uis:{}:ended:call", 1197843200 + lost as u64);
    let boss = relay.agent("Мария", |new| new.supervisor = true);
    let mut stream = relay.connect(&boss, "since=0").await;
    stream.hello().await;
    loop {
        match stream.next().await {
            crate::common::Got::Frame(trubka_protocol::ServerFrame::Event { event, .. })
                if event.id.0 == id =>
            {
                assert_eq!(event.outcome, Some(Outcome::Missed));
                break;
            }
            crate::common::Got::Frame(_) => {}
            other => panic!("{other:?}"),
        }
    }
    relay.stop().await;
}

#[test]
fn printouts_carry_the_relays_own_hook_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let uis_templates_in = |language: &str| {
        relay_binary()
            .env("TRUBKA_RELAY_LANGUAGE", language)
            .args([
                "uis-templates",
                "--public-url",
                "https://relay.example.com/",
            ])
            .arg("--data-dir")
            .arg(&data)
            .output()
            .unwrap()
    };
    let uis_templates = || uis_templates_in("ru");
    // Before the relay made its database, nothing prints tokens that no relay would accept;
    // the refusal is in the admin's language, Russian unless set otherwise.
    let early = uis_templates();
    assert!(!early.status.success());
    let stderr = String::from_utf8_lossy(&early.stderr);
    assert!(stderr.contains("нет базы релея"), "{stderr}");
    assert!(stderr.contains("trubka-relay: настройки нет"), "{stderr}");
    let early = uis_templates_in("en");
    assert!(!early.status.success());
    let stderr = String::from_utf8_lossy(&early.stderr);
    assert!(stderr.contains("no relay database in"), "{stderr}");
    assert!(stderr.contains("trubka-relay: config none"), "{stderr}");
    assert!(!data.join("relay.db").exists(), "a refusal made a database");
    // The relay's first start makes it.
    drop(trubka_relay::Store::open(&data).unwrap());
    let uis = uis_templates();
    assert!(
        uis.status.success(),
        "{}",
        String::from_utf8_lossy(&uis.stderr)
    );
    let text = String::from_utf8(uis.stdout).unwrap();
    let tokens = trubka_relay::Store::open(&data)
        .unwrap()
        .hook_tokens(&trubka_relay::RelayConfig::default())
        .unwrap();
    for notification in NOTIFICATIONS {
        assert!(text.contains(&notification.url("https://relay.example.com", &tokens.uis)));
        assert!(text.contains(&notification.body_template()));
    }
    assert!(text.contains(&format!(
        "https://relay.example.com/hooks/uis/{}/route",
        tokens.uis
    )));
    let sipuni = relay_binary()
        .args(["sipuni-setup", "--public-url", "https://relay.example.com"])
        .arg("--data-dir")
        .arg(&data)
        .output()
        .unwrap();
    assert!(sipuni.status.success());
    let text = String::from_utf8(sipuni.stdout).unwrap();
    assert!(text.contains(&format!(
        "https://relay.example.com/hooks/sipuni/{}",
        tokens.sipuni
    )));
    let nowhere = relay_binary()
        .arg("uis-templates")
        .arg("--data-dir")
        .arg(&data)
        .output()
        .unwrap();
    assert!(!nowhere.status.success());
    assert!(String::from_utf8_lossy(&nowhere.stderr).contains("--public-url"));
}
