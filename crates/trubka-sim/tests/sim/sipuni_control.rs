//! Sipuni presence and call control driven by trubka-pbx's real `SipuniClient`:
//! `workplace/setUserStatus` signed as every method, read back from `statistic/operators`,
//! routing incoming calls away from an employee on a break; `events/call/spymode` and
//! `events/call/hangup` on a live call; transfer and hold are no Sipuni methods.

use std::time::Duration;

use crate::common::{SIPUNI_SECRET, SIPUNI_USER, Sim};
use serde_json::json;
use trubka_pbx::sipuni::{SipuniStatus, SpyMode, sign};

fn status_of(operators: &[trubka_pbx::sipuni::SipuniOperator], ext: &str) -> String {
    operators
        .iter()
        .find(|o| o.login == ext)
        .and_then(|o| o.status.clone())
        .unwrap_or_default()
}

#[tokio::test]
async fn status_is_set_read_back_and_routes_calls() {
    let sim = Sim::start_with(|c| c.speed = 20.0).await;
    let sipuni = sim.sipuni();
    assert_eq!(
        status_of(&sipuni.operators().await.unwrap(), "201"),
        "Свободен"
    );
    sipuni
        .set_user_status("201", SipuniStatus::Break)
        .await
        .unwrap();
    let logged = sim.requests_for("workplace/setUserStatus").await;
    let request = &logged[0];
    assert_eq!(request["signature_ok"], true);
    let params = &request["params"];
    let pairs = [("sipnumber", "201"), ("status", "1"), ("user", SIPUNI_USER)];
    assert_eq!(params["hash"], sign(&pairs, SIPUNI_SECRET));
    assert_eq!(
        status_of(&sipuni.operators().await.unwrap(), "201"),
        "Перерыв"
    );

    let err = sipuni
        .set_user_status("299", SipuniStatus::Away)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "sipuni_rejected");
    assert!(err.to_string().contains("299"), "{err}");

    // An incoming call for 201 rings 202, the first colleague who is free.
    sim.call(
        json!({"provider": "sipuni", "from": "+7 926 123-45-67", "employee": "201",
                    "ivr_seconds": 1, "ring_seconds": 1, "talk_seconds": 60}),
    )
    .await;
    let got = sim.capture.wait_for(2).await;
    let rung: Vec<String> = got
        .iter()
        .map(|r| r.fields())
        .filter(|f| f.get("event").map(String::as_str) == Some("1"))
        .filter_map(|f| f.get("short_dst_num").cloned())
        .collect();
    assert!(rung.contains(&"202".to_owned()), "{rung:?}");
    assert!(!rung.contains(&"201".to_owned()), "{rung:?}");

    sipuni
        .set_user_status("201", SipuniStatus::Free)
        .await
        .unwrap();
    assert_eq!(
        status_of(&sipuni.operators().await.unwrap(), "201"),
        "Свободен"
    );
    sim.stop().await;
}

#[tokio::test]
async fn transfer_and_hold_are_unknown_sipuni_methods() {
    let sim = Sim::start().await;
    for path in ["events/call/transfer", "events/call/hold"] {
        let response = sim
            .client
            .post(sim.url.join(&format!("sipuni/api/{path}")).unwrap())
            .form(&[("user", SIPUNI_USER), ("callId", "1.1"), ("hash", "x")])
            .timeout(Duration::from_secs(5))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 404, "{path}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["success"], false);
    }
    sim.stop().await;
}

#[tokio::test]
async fn a_supervisor_listens_in_and_the_call_is_hung_up() {
    let sim = Sim::start_with(|c| c.speed = 20.0).await;
    let sipuni = sim.sipuni();
    let ringing = sim
        .call(
            json!({"provider": "sipuni", "from": "+7 926 555-00-11", "employee": "203",
                     "ivr_seconds": 1, "ring_seconds": 600}),
        )
        .await;
    let talking = sim
        .call(
            json!({"provider": "sipuni", "from": "+7 926 123-45-67", "employee": "201",
                     "ivr_seconds": 1, "ring_seconds": 1, "talk_seconds": 600}),
        )
        .await;
    let ringing = ringing.strip_prefix("sipuni:").unwrap();
    let talking = talking.strip_prefix("sipuni:").unwrap();
    // Event 3 (answer) of the talking call: the conversation has begun.
    let mut answered = false;
    for _ in 0..250 {
        answered = sim.capture.snapshot().iter().any(|r| {
            let f = r.fields();
            f.get("event").map(String::as_str) == Some("3")
                && f.get("call_id").map(String::as_str) == Some(talking)
        });
        if answered {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(answered, "{:#?}", sim.capture.snapshot());

    let err = sipuni
        .spy(ringing, "202", SpyMode::Listen)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("не в разговоре"), "{err}");
    sipuni.spy(talking, "202", SpyMode::Whisper).await.unwrap();
    let logged = sim.requests_for("events/call/spymode").await;
    let params = &logged[1]["params"];
    let pairs = [
        ("callId", talking),
        ("sipnumber", "202"),
        ("user", SIPUNI_USER),
        ("whisper", "1"),
    ];
    assert_eq!(params["hash"], sign(&pairs, SIPUNI_SECRET));

    sipuni.hangup(talking).await.unwrap();
    // Event 2 (hang-up) comes at once instead of after the planned ten minutes.
    let mut hung_up = false;
    for _ in 0..250 {
        hung_up = sim.capture.snapshot().iter().any(|r| {
            let f = r.fields();
            f.get("event").map(String::as_str) == Some("2")
                && f.get("call_id").map(String::as_str) == Some(talking)
        });
        if hung_up {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(hung_up, "{:#?}", sim.capture.snapshot());
    tokio::time::sleep(Duration::from_millis(50)).await;
    for err in [
        sipuni.hangup(talking).await.unwrap_err(),
        sipuni
            .spy(talking, "202", SpyMode::Listen)
            .await
            .unwrap_err(),
        sipuni.hangup("1.1").await.unwrap_err(),
    ] {
        assert!(err.to_string().contains("не найден"), "{err}");
    }
    sim.stop().await;
}
