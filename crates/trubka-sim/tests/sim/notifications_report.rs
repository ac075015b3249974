//! The UIS report of sent notifications and the Sipuni employees list, read by trubka-pbx's
//! real clients: `get.notifications` reports what the simulator delivered (URL with the
//! token, status), follows the documented parameter rules, and reports a cabinet whose
//! notifications point at a wrong address; `statistic/operators` lists the cast.

use crate::common::Sim;
use chrono::{Duration, Utc};
use serde_json::json;

#[tokio::test]
async fn sent_notifications_are_reported_with_their_url_and_result() {
    let sim = Sim::start().await;
    let call = sim
        .call(json!({"provider": "uis", "employee": "2339292"}))
        .await;
    // Incoming call with its recording: started, ringing, answered, leg ended, ended, recorded.
    sim.capture.wait_for(6).await;
    let uis = sim.uis();
    let reports = uis.reports_list().await.unwrap();
    assert!(!reports.is_empty());
    let now = Utc::now();
    let sent = uis
        .notifications(reports[0].id, now - Duration::days(1), now, 100)
        .await
        .unwrap();
    assert_eq!(sent.len(), 6, "{sent:#?}");
    let ended = sent
        .iter()
        .find(|n| n.notification_name.as_deref() == Some("Завершение звонка"))
        .unwrap();
    assert!(ended.delivered());
    assert_eq!(ended.notification_status.value_id.as_deref(), Some("sent"));
    assert_eq!(ended.event_type.value_id.as_deref(), Some("ended"));
    assert_eq!(
        ended.notification_channel.value_id.as_deref(),
        Some("http_request")
    );
    assert_eq!(
        ended.communication_id.as_deref(),
        Some(call.trim_start_matches("uis:"))
    );
    let url = ended.notification_send_to.as_deref().unwrap();
    assert!(
        url.ends_with(&format!("/hooks/uis/{}/ended", crate::common::UIS_TOKEN)),
        "{url}"
    );
    // Newest first.
    let times: Vec<_> = sent
        .iter()
        .map(|n| n.notification_send_date_time.clone().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "{times:?}");
    sim.stop().await;
}

#[tokio::test]
async fn the_documented_parameter_rules_hold() {
    let sim = Sim::start().await;
    let ask = |params: serde_json::Value| {
        let mut params = params;
        params["access_token"] = json!(crate::common::UIS_KEY);
        json!({"jsonrpc": "2.0", "id": 1, "method": "get.notifications", "params": params})
            .to_string()
    };
    let period = json!({"date_from": "2026-05-01 00:00:00", "date_till": "2026-05-02 00:00:00"});
    // report_id is required and must be one of the user's reports.
    let answer = sim.rpc("uis/dataapi/v2.0", &ask(period.clone())).await;
    assert_eq!(
        answer["error"]["data"]["mnemonic"],
        "required_parameter_missed"
    );
    let mut unknown = period.clone();
    unknown["report_id"] = json!(999);
    let answer = sim.rpc("uis/dataapi/v2.0", &ask(unknown)).await;
    assert_eq!(
        answer["error"]["data"]["mnemonic"],
        "invalid_parameter_value"
    );
    // At most 366 days.
    let long = json!({"report_id": 101, "date_from": "2025-01-01 00:00:00",
                      "date_till": "2026-05-02 00:00:00", "fields": ["notification_id"]});
    let answer = sim.rpc("uis/dataapi/v2.0", &ask(long)).await;
    assert_eq!(
        answer["error"]["data"]["mnemonic"],
        "date_interval_limit_reached"
    );
    // Without fields the answer is empty.
    let mut bare = period;
    bare["report_id"] = json!(101);
    let answer = sim.rpc("uis/dataapi/v2.0", &ask(bare)).await;
    assert_eq!(answer["result"]["data"], json!([]), "{answer}");
    sim.stop().await;
}

#[tokio::test]
async fn notifications_pointed_at_a_wrong_address_are_reported_failed() {
    let sim = Sim::start_with(|config| {
        config.uis.notification_base = Some("http://127.0.0.1:1/old/".parse().unwrap());
        config.delivery.attempts = 1;
    })
    .await;
    sim.call(json!({"provider": "uis", "employee": "2339292", "outcome": "missed"}))
        .await;
    let uis = sim.uis();
    let now = Utc::now();
    // Bounded wait for the simulator to give up on the unreachable address.
    let mut sent = Vec::new();
    for _ in 0..250 {
        sent = uis
            .notifications(101, now - Duration::days(1), Utc::now(), 100)
            .await
            .unwrap();
        if sent
            .iter()
            .any(|n| n.notification_name.as_deref() == Some("Завершение звонка"))
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let ended = sent
        .iter()
        .find(|n| n.notification_name.as_deref() == Some("Завершение звонка"))
        .expect("the ended notification is reported");
    assert!(!ended.delivered());
    assert_eq!(ended.notification_status.value_id.as_deref(), Some("error"));
    assert_eq!(
        ended.notification_error_type.value_id.as_deref(),
        Some("connection_error")
    );
    assert!(
        ended
            .notification_send_to
            .as_deref()
            .unwrap()
            .starts_with("http://127.0.0.1:1/old/hooks/uis/"),
        "{ended:?}"
    );
    assert!(
        sim.capture.snapshot().is_empty(),
        "nothing reached the relay"
    );
    sim.stop().await;
}

#[tokio::test]
async fn the_sipuni_cabinet_lists_its_extensions() {
    let sim = Sim::start().await;
    let operators = sim.sipuni().operators().await.unwrap();
    let logins: Vec<&str> = operators.iter().map(|o| o.login.as_str()).collect();
    assert_eq!(&logins[..2], ["201", "202"]);
    assert_eq!(operators[0].name.as_deref(), Some("Анна Смирнова"));
    // Signed like every method: a wrong secret is refused.
    let refused = sim
        .sipuni_with_secret("wrong")
        .operators()
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "sipuni_rejected");
    sim.stop().await;
}
