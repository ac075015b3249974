//! The UIS Call API and Data API driven by trubka-pbx's real `UisClient`: click-to-call and
//! scenario calls that play to the relay, `list.calls` and `release.call` on a live call, the
//! calls report (paging, windows, lost webhooks) and recording links that resolve.

use std::time::Duration;

use crate::common::{Captured, Sim, fetch};
use chrono::{Duration as Span, Utc};
use serde_json::{Value, json};
use trubka_pbx::{
    DialNumber,
    uis::{CallDirection, EmployeeCall, ListCalls, ReportPage, ScenarioCall},
};
use trubka_sim::BackfillConfig;

fn number(text: &str) -> DialNumber {
    DialNumber::parse(text).unwrap()
}

fn kinds(requests: &[Captured]) -> Vec<&str> {
    requests.iter().map(Captured::uis_kind).collect()
}

#[tokio::test]
async fn click_to_call_plays_an_outgoing_call_to_the_relay() {
    let sim = Sim::start().await;
    let uis = sim.uis();
    let mut call = EmployeeCall::new(2339292, number("79261112233"), number("74951234567"));
    call.external_id = Some("crm-task-1842".to_owned());
    let session = uis.start_employee_call(&call).await.unwrap();

    // The request as the sim received it: the envelope, the params, the key checked.
    let logged = sim.requests_for("start.employee_call").await;
    assert_eq!(logged.len(), 1);
    let request = &logged[0];
    assert_eq!(request["api"], "uis_call_api");
    assert_eq!(request["path"], "/uis/callapi/v4.0");
    assert_eq!(request["signature_ok"], true);
    assert_eq!(request["outcome"], "ok");
    assert_eq!(request["call_id"], format!("uis:{session}"));
    let envelope = &request["params"];
    assert_eq!(envelope["jsonrpc"], "2.0");
    assert!(envelope["id"].is_number());
    let params = &envelope["params"];
    assert_eq!(params["access_token"], "***");
    assert_eq!(params["employee"], json!({"id": 2339292}));
    assert_eq!(params["contact"], "79261112233");
    assert_eq!(params["virtual_phone_number"], "74951234567");
    assert_eq!(params["direction"], "out");
    assert_eq!(params["first_call"], "employee");
    assert_eq!(params["external_id"], "crm-task-1842");

    // The outgoing call reaches the relay in the real order, with the Call API's marks.
    let got = sim.capture.wait_for(6).await;
    assert_eq!(
        kinds(&got),
        [
            "started",
            "ringing",
            "answered",
            "leg_ended",
            "ended",
            "recording"
        ]
    );
    let bodies: Vec<Value> = got.iter().map(Captured::json).collect();
    for body in &bodies {
        assert_eq!(body["call_info"]["call_session_id"], session.0);
        assert_eq!(body["call_info"]["direction"], "out");
        assert_eq!(body["call_info"]["call_source"], "callapi");
        assert_eq!(body["external_id"], "crm-task-1842");
    }
    assert_eq!(bodies[0]["notification_name"], "Исходящий звонок");
    assert_eq!(bodies[0]["employee_info"]["employee_id"], 2339292);
    assert_eq!(
        bodies[1]["contact_info"]["contact_phone_number"],
        "79261112233"
    );

    // The report lists it with the external id and records whose links resolve.
    let rows = uis
        .calls_report_all(Utc::now() - Span::hours(1), Utc::now() + Span::hours(1))
        .await
        .unwrap();
    let row = rows
        .iter()
        .find(|r| r.id == session.0)
        .expect("the call is reported");
    assert_eq!(row.direction, Some(CallDirection::Out));
    assert_eq!(row.source.as_deref(), Some("callapi"));
    assert_eq!(row.call_api_external_id.as_deref(), Some("crm-task-1842"));
    assert_eq!(row.last_answered_employee_id, Some(2339292));
    assert_eq!(row.is_lost, Some(false));
    assert_eq!(row.call_records.len(), 1);
    let links = uis.record_urls(row);
    let notified = bodies[5]["call_record_file_info"]["file_link"]
        .as_str()
        .unwrap();
    assert_eq!(links, [notified.to_owned()]);
    let (status, content_type, audio) = fetch(&sim.client, &links[0]).await;
    assert_eq!(
        (status.as_u16(), content_type.as_str()),
        (200, "audio/mpeg")
    );
    assert_eq!(audio[..2], [0xFF, 0xFB]);
    let wrong = links[0].replace(&session.0.to_string(), "1");
    assert_eq!(fetch(&sim.client, &wrong).await.0.as_u16(), 404);
    sim.stop().await;
}

#[tokio::test]
async fn the_dialled_number_chooses_the_outcome() {
    let sim = Sim::start().await;
    let uis = sim.uis();
    let busy = EmployeeCall::new(2339293, number("79261110000"), number("74951234567"));
    uis.start_employee_call(&busy).await.unwrap();
    let got = sim.capture.wait_for(3).await;
    assert_eq!(kinds(&got), ["started", "ringing", "ended"]);
    let ended = got[2].json();
    assert_eq!(ended["call_info"]["is_lost"], false);
    assert_eq!(ended["call_info"]["talk_time_duration"], 0);
    let rows = uis
        .calls_report_all(Utc::now() - Span::hours(1), Utc::now() + Span::hours(1))
        .await
        .unwrap();
    assert_eq!(
        rows[0].finish_reason.as_deref(),
        Some("no_success_subscriber_call")
    );
    assert!(rows[0].call_records.is_empty());
    sim.stop().await;
}

#[tokio::test]
async fn scenario_call_runs_the_scenario() {
    let sim = Sim::start().await;
    let uis = sim.uis();
    let scenarios = uis.scenarios().await.unwrap();
    let outgoing = scenarios
        .iter()
        .find(|s| s.name.as_deref() == Some("Исходящий обзвон"));
    let mut call = ScenarioCall::new(
        outgoing.unwrap().id,
        number("79031234567"),
        number("78122428080"),
    );
    call.external_id = Some("survey-7".to_owned());
    let session = uis.start_scenario_call(&call).await.unwrap();
    let got = sim.capture.wait_for(6).await;
    let ended = got.iter().find(|r| r.uis_kind() == "ended").unwrap().json();
    assert_eq!(ended["call_info"]["call_session_id"], session.0);
    assert_eq!(ended["call_info"]["call_source"], "callapi_scenario_call");
    assert_eq!(ended["call_info"]["scenario_name"], "Исходящий обзвон");
    assert_eq!(ended["virtual_phone_number"], "78122428080");
    let logged = sim.requests_for("start.scenario_call").await;
    assert_eq!(logged[0]["params"]["params"]["scenario_id"], 27092);
    assert_eq!(logged[0]["params"]["params"]["first_call"], "contact");
    sim.stop().await;
}

#[tokio::test]
async fn live_calls_are_listed_and_released() {
    let sim = Sim::start_with(|c| c.speed = 10.0).await;
    let uis = sim.uis();
    let call = EmployeeCall::new(2339294, number("79161112233"), number("74951234567"));
    let session = uis.start_employee_call(&call).await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;

    let active = uis.list_calls(&ListCalls::default()).await.unwrap();
    assert_eq!(active.len(), 1);
    let listed = &active[0];
    assert_eq!(listed.call_session_id, session);
    assert_eq!(listed.direction, Some(CallDirection::Out));
    assert_eq!(listed.virtual_phone_number.as_deref(), Some("74951234567"));
    assert_eq!(listed.contact_phone_number.as_deref(), Some("79161112233"));
    assert!(listed.start_time.is_some());
    assert_eq!(listed.legs.len(), 2);
    let operator = listed.legs.iter().find(|l| l.is_operator).unwrap();
    assert_eq!(operator.employee_id, Some(2339294));
    assert_eq!(
        operator.employee_full_name.as_deref(),
        Some("Мария Козлова")
    );
    let contact = listed.legs.iter().find(|l| !l.is_operator).unwrap();
    assert_eq!(contact.called_phone_number.as_deref(), Some("79161112233"));
    for leg in &listed.legs {
        let state = leg.state.as_deref().unwrap();
        assert!(["Дозвон", "Разговор"].contains(&state), "{state}");
    }
    let incoming_only = ListCalls {
        direction: Some(CallDirection::In),
        virtual_number: None,
    };
    assert!(uis.list_calls(&incoming_only).await.unwrap().is_empty());

    uis.release_call(session).await.unwrap();
    let logged = sim.requests_for("release.call").await;
    assert_eq!(logged[0]["call_id"], format!("uis:{session}"));
    // The call ends at once: «Завершение звонка» arrives without waiting for the planned talk.
    let mut ended = false;
    for _ in 0..100 {
        if sim
            .capture
            .snapshot()
            .iter()
            .any(|r| r.uis_kind() == "ended")
        {
            ended = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(ended, "{:#?}", sim.capture.snapshot());
    assert!(
        uis.list_calls(&ListCalls::default())
            .await
            .unwrap()
            .is_empty()
    );
    let err = uis.release_call(session).await.unwrap_err();
    assert_eq!(err.code(), "call_session_not_found");
    let rows = uis
        .calls_report_all(Utc::now() - Span::hours(1), Utc::now() + Span::hours(1))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert!(rows[0].total_duration.unwrap() < 20, "{:?}", rows[0]);
    sim.stop().await;
}

#[tokio::test]
async fn calls_with_lost_webhooks_are_still_reported() {
    let sim = Sim::start().await;
    let call_id = sim
        .call(
            json!({"provider":"uis","from":"+7 926 123-45-67","employee":"202",
                     "drop_notifications":["ended","recording"]}),
        )
        .await;
    let got = sim.capture.wait_for(4).await;
    assert_eq!(kinds(&got), ["started", "ringing", "answered", "leg_ended"]);
    let deliveries = sim.get_json("sim/deliveries").await;
    let dropped: Vec<&Value> = deliveries
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["attempts"] == 0)
        .collect();
    assert_eq!(dropped.len(), 2, "{deliveries:#}");
    assert!(dropped[0]["error"].as_str().unwrap().contains("ended"));

    let uis = sim.uis();
    let rows = uis
        .calls_report_all(Utc::now() - Span::hours(1), Utc::now() + Span::hours(1))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(format!("uis:{}", row.id), call_id);
    assert_eq!(row.direction, Some(CallDirection::In));
    assert_eq!(row.contact_phone_number.as_deref(), Some("79261234567"));
    assert_eq!(row.virtual_phone_number.as_deref(), Some("74951234567"));
    assert_eq!(row.scenario_name.as_deref(), Some("Входящие: основной"));
    assert_eq!(
        row.last_answered_employee_full_name.as_deref(),
        Some("Игорь Петров")
    );
    assert_eq!(row.employees.len(), 1);
    assert_eq!(row.employees[0].is_talked, Some(true));
    assert!(row.talk_duration.unwrap() > 0 && row.wait_duration.unwrap() > 0);
    for link in uis.record_urls(row) {
        assert_eq!(fetch(&sim.client, &link).await.1, "audio/mpeg");
    }
    sim.stop().await;
}

#[tokio::test]
async fn a_large_history_is_paged() {
    let sim = Sim::start_with(|c| {
        c.backfill = Some(BackfillConfig {
            uis_calls: 2500,
            sipuni_calls: 10,
            days: 1,
        });
    })
    .await;
    let uis = sim.uis();
    let rows = uis
        .calls_report_all(Utc::now() - Span::days(2), Utc::now())
        .await
        .unwrap();
    assert_eq!(rows.len(), 2500);
    let pages = sim.requests_for("get.calls_report").await;
    let offsets: Vec<&Value> = pages
        .iter()
        .map(|r| &r["params"]["params"]["offset"])
        .collect();
    assert_eq!(offsets, [&json!(0), &json!(1000), &json!(2000)]);
    assert!(rows.windows(2).all(|w| w[0].start_time <= w[1].start_time));
    // No notification was ever sent for the back-filled past.
    assert!(sim.capture.snapshot().is_empty());

    // One page with its size.
    let page = uis
        .calls_report(
            Utc::now() - Span::days(2),
            Utc::now(),
            ReportPage {
                limit: 10,
                offset: 2495,
            },
        )
        .await
        .unwrap();
    assert_eq!((page.rows.len(), page.total_items), (5, 2500));

    // Over three months the client splits the period; every window is accepted.
    let all = uis
        .calls_report_all(Utc::now() - Span::days(200), Utc::now())
        .await
        .unwrap();
    assert_eq!(all.len(), 2500);
    sim.stop().await;
}

#[tokio::test]
async fn report_parameters_are_checked() {
    let sim = Sim::start().await;
    let call = |params: &str| {
        format!(
            r#"{{"jsonrpc":"2.0","id":"r1","method":"get.calls_report",
                "params":{{"access_token":"uis-api-key",{params}}}}}"#
        )
    };
    let answer = sim
        .rpc(
            "uis/dataapi/v2.0",
            &call(r#""date_from":"2026-01-01 00:00:00","date_till":"2026-04-01 00:00:01""#),
        )
        .await;
    assert_eq!(answer["id"], "r1");
    assert_eq!(answer["error"]["code"], -32602);
    assert_eq!(
        answer["error"]["data"]["mnemonic"],
        "date_interval_limit_reached"
    );
    let answer = sim
        .rpc(
            "uis/dataapi/v2.0",
            &call(r#""date_from":"2026-01-01 00:00:00","date_till":"2026-04-01 00:00:00""#),
        )
        .await;
    assert_eq!(answer["result"]["data"], json!([]));
    assert_eq!(answer["result"]["metadata"]["total_items"], 0);
    assert_eq!(
        answer["result"]["metadata"]["limits"]["minute_remaining"],
        59
    );
    let answer = sim
        .rpc(
            "uis/dataapi/v2.0",
            &call(r#""date_from":"2026-01-01 00:00:00""#),
        )
        .await;
    assert_eq!(
        answer["error"]["data"]["mnemonic"],
        "required_parameter_missed"
    );
    assert_eq!(answer["error"]["data"]["field"], "date_till");
    let answer = sim
        .rpc(
            "uis/dataapi/v2.0",
            &call(r#""date_from":"2026-01-01T00:00:00Z","date_till":"2026-01-02 00:00:00""#),
        )
        .await;
    assert_eq!(
        answer["error"]["data"]["mnemonic"],
        "invalid_parameter_value"
    );
    assert_eq!(answer["error"]["data"]["field"], "date_from");
    let answer = sim
        .rpc(
            "uis/dataapi/v2.0",
            &call(r#""date_from":"2026-01-01 00:00:00","date_till":"2026-01-02 00:00:00","limit":10001"#),
        )
        .await;
    assert_eq!(answer["error"]["data"]["field"], "limit");
    let answer = sim
        .rpc(
            "uis/dataapi/v2.0",
            &call(r#""date_from":"2026-01-01 00:00:00","date_till":"2026-01-02 00:00:00","fields":["id","utm_source","nope"]"#),
        )
        .await;
    // The Data API conventions: a field the method does not have is an unexpected parameter.
    assert_eq!(answer["error"]["code"], -32602);
    assert_eq!(answer["error"]["data"]["mnemonic"], "unexpected_parameters");
    assert_eq!(answer["error"]["data"]["value"], "nope");
    sim.stop().await;
}

#[tokio::test]
async fn account_lists_match_the_cast() {
    let sim = Sim::start().await;
    let uis = sim.uis();
    let account = uis.account().await.unwrap();
    assert_eq!(account.app_id, 44431);
    assert_eq!(account.timezone.as_deref(), Some("Europe/Moscow"));
    let employees = uis.employees().await.unwrap();
    assert_eq!(employees.len(), 3);
    assert_eq!(employees[0].id, 2339292);
    assert_eq!(employees[0].full_name.as_deref(), Some("Анна Смирнова"));
    assert_eq!(
        employees[0]
            .extension
            .as_ref()
            .unwrap()
            .extension_phone_number
            .as_deref(),
        Some("201")
    );
    assert_eq!(employees[0].phone_numbers[0].phone_number, "044431201");
    let numbers = uis.virtual_numbers().await.unwrap();
    let digits: Vec<&str> = numbers
        .iter()
        .map(|n| n.virtual_phone_number.as_str())
        .collect();
    assert_eq!(digits, ["74951234567", "78122428080", "78003507711"]);
    assert_eq!(
        numbers[0].scenarios[0].scenario_name.as_deref(),
        Some("Входящие: основной")
    );
    assert_eq!(uis.scenarios().await.unwrap().len(), 3);
    // A client that pages with a small limit gets every item.
    let answer = sim
        .rpc(
            "uis/dataapi/v2.0",
            r#"{"jsonrpc":"2.0","id":5,"method":"get.employees","params":{"access_token":"uis-api-key",
               "limit":2,"offset":2,"fields":["id","full_name"],"sort":[{"field":"id","order":"desc"}]}}"#,
        )
        .await;
    assert_eq!(
        answer["result"]["data"],
        json!([{"id": 2339292, "full_name": "Анна Смирнова"}])
    );
    assert_eq!(answer["result"]["metadata"]["total_items"], 3);
    sim.stop().await;
}
