//! The PBX account's time zone (`[uis]`/`[sipuni] utc_offset`) over real HTTP: UIS
//! notification times are local without an offset and are read in the configured zone;
//! Sipuni webhook times are Unix seconds and do not depend on it.

use crate::common::*;
use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use trubka_relay::RelayConfig;

/// A relay configured by a TOML file, as the admin writes it.
async fn relay_with(toml: &str) -> TestRelay {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("relay.toml");
    std::fs::write(&path, toml).unwrap();
    let (config, unknown) = RelayConfig::load(Some(&path), Vec::new()).unwrap();
    assert!(unknown.is_empty());
    TestRelay::start_with(config).await
}

/// The next event frame exactly as sent on the wire, as JSON.
async fn next_event_json(stream: &mut Stream) -> Value {
    loop {
        let message = tokio::time::timeout(WAIT, stream.socket.next())
            .await
            .expect("the relay sent something in time")
            .expect("the stream is open")
            .expect("no stream error");
        if let Message::Text(text) = message {
            let frame: Value = serde_json::from_str(text.as_str()).unwrap();
            if frame["type"] == "event" {
                return frame["event"].clone();
            }
        }
    }
}

/// Posts `notification` and returns the `at` the supervisor's stream carries for it.
async fn uis_at(relay: &TestRelay, notification: &Value) -> Value {
    let boss = relay.agent("Начальник", |a| a.supervisor = true);
    let (mut stream, _) = relay.connect_live(&boss).await;
    let (status, body) = relay.uis(notification).await;
    assert_eq!(status, 200, "{body}");
    let event = next_event_json(&mut stream).await;
    stream.close().await;
    event["at"].clone()
}

fn yekaterinburg_notification() -> Value {
    json!({
        "notification_name": "Входящий звонок на виртуальный номер",
        "notification_time": "2026-05-12 10:17:40.215000",
        "call_session_id": 3003,
        "virtual_phone_number": "74951234567",
        "contact_phone_number": "79261234567",
        "direction": "in"
    })
}

#[tokio::test]
async fn uis_local_times_are_read_in_the_configured_zone() {
    let relay = relay_with("[uis]\nutc_offset = \"+05:00\"\n").await;
    let at = uis_at(&relay, &yekaterinburg_notification()).await;
    // 10:17:40.215 in Yekaterinburg (+05:00) is 05:17:40.215 UTC.
    assert_eq!(at, json!("2026-05-12T05:17:40.215Z"));
    relay.stop().await;
}

#[tokio::test]
async fn without_a_configured_zone_uis_times_are_moscow_time() {
    let relay = relay_with("").await;
    let at = uis_at(&relay, &yekaterinburg_notification()).await;
    assert_eq!(at, json!("2026-05-12T07:17:40.215Z"));
    relay.stop().await;
}

#[tokio::test]
async fn the_uis_zone_does_not_touch_times_that_carry_their_own_offset() {
    let relay = relay_with("[uis]\nutc_offset = \"+07:00\"\n").await;
    let mut notification = yekaterinburg_notification();
    notification["notification_time"] = json!("2026-05-12T10:17:40+03:00");
    let at = uis_at(&relay, &notification).await;
    assert_eq!(at, json!("2026-05-12T07:17:40Z"));
    relay.stop().await;
}

#[tokio::test]
async fn sipuni_webhook_times_are_unix_seconds_whatever_the_cabinets_zone() {
    let relay = relay_with("[sipuni]\nutc_offset = \"+05:00\"\n").await;
    let boss = relay.agent("Начальник", |a| a.supervisor = true);
    let (mut stream, _) = relay.connect_live(&boss).await;
    // 1778570260 is 2026-05-12T07:17:40Z.
    let call = sipuni_call("1778570260.1001", "201", "1778570260");
    let (status, body) = relay.sipuni(&form(&call)).await;
    assert_eq!((status, body), (200, json!({"success": true})));
    let event = next_event_json(&mut stream).await;
    assert_eq!(event["at"], json!("2026-05-12T07:17:40Z"));
    stream.close().await;
    relay.stop().await;
}
