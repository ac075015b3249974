//! Calling a client back from a case (`POST /v1/calls` with `case`) against the PBX
//! simulator: the call claims the case first, and a colleague dialing from the same case
//! gets 409 with no second call placed.

use crate::support::{ANNA_UIS, IGOR_UIS, Pbx, UIS_HOOK, UIS_LINE};
use serde_json::{Value, json};
use trubka_protocol::cases::CaseList;

const CLIENT: &str = "79265550102";

async fn post_hook(pbx: &Pbx, payload: Value) {
    let response = pbx
        .http
        .post(pbx.relay_url(&format!("/hooks/uis/{UIS_HOOK}")))
        .json(&payload)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

async fn cases(pbx: &Pbx, token: &str) -> CaseList {
    let response = pbx
        .http
        .get(pbx.relay_url("/v1/cases"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn dialing_from_a_case_claims_it_and_a_second_call_back_is_refused_before_the_pbx() {
    // In real time: Игорь's call-back is still ringing when Анна dials, so his claim holds
    // (it would end with his call).
    let pbx = Pbx::start(|_| {}, |sim| sim.speed = 1.0).await;
    let line = trubka_core::PhoneNumber::from_e164(&format!("+{UIS_LINE}")).unwrap();
    let anna = pbx.agent("Анна", |a| {
        a.uis_employee = Some(ANNA_UIS.to_owned());
        a.lines = vec![line.clone()];
    });
    let igor = pbx.agent("Игорь", |a| {
        a.uis_employee = Some(IGOR_UIS.to_owned());
        a.lines = vec![line.clone()];
    });
    let call = json!({"call_session_id": 77, "virtual_phone_number": UIS_LINE,
        "contact_phone_number": CLIENT, "direction": "in"});
    let with = |extra: Value| {
        let mut payload = call.clone();
        for (k, v) in extra.as_object().unwrap() {
            payload[k] = v.clone();
        }
        payload
    };
    post_hook(
        &pbx,
        with(
            json!({"notification_name": "Входящий звонок на виртуальный номер",
        "notification_time": "2026-05-12 10:17:00.000000"}),
        ),
    )
    .await;
    post_hook(
        &pbx,
        with(json!({"notification_name": "Ожидание ответа",
        "notification_time": "2026-05-12 10:17:02.000000", "employee_id": ANNA_UIS,
        "leg_id": 770})),
    )
    .await;
    post_hook(
        &pbx,
        with(json!({"notification_name": "Потерянный звонок",
        "notification_time": "2026-05-12 10:17:30.000000", "employee_id": ANNA_UIS,
        "talk_time_duration": 0, "total_time_duration": 30})),
    )
    .await;
    let deadline = tokio::time::Instant::now() + crate::common::WAIT;
    // The case worker follows ingest; bounded by WAIT.
    while cases(&pbx, &igor).await.cases.is_empty() {
        assert!(tokio::time::Instant::now() < deadline, "no case was made");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    let (status, body) = pbx
        .dial(&igor, json!({"to": CLIENT, "case": "uis:77"}))
        .await;
    assert_eq!(status, 202, "{body}");
    let listed = cases(&pbx, &anna).await;
    assert_eq!(listed.cases[0].claim.as_ref().unwrap().agent, "Игорь");

    let (status, body) = pbx
        .dial(&anna, json!({"to": CLIENT, "case": "uis:77"}))
        .await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Уже перезванивает Игорь"),
        "{body}"
    );
    let requests = pbx.sim_requests("uis_call_api").await;
    assert_eq!(requests.len(), 1, "{requests:?}");
    pbx.stop().await;
}
