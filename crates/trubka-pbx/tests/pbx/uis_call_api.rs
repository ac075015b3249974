//! UIS Call API against a local test double: the exact JSON-RPC requests sent and the
//! parsing of documented answers.

use std::sync::{Arc, Mutex};

use crate::support::{MockPbx, UIS_KEY, uis_client, uis_result};
use serde_json::json;
use trubka_core::PhoneNumber;
use trubka_pbx::DialNumber;
use trubka_pbx::uis::{
    CallDirection, CallSessionId, EmployeeCall, FirstCall, ListCalls, ScenarioCall,
};

fn digits(text: &str) -> DialNumber {
    DialNumber::parse(text).unwrap()
}

#[tokio::test]
async fn employee_call_sends_the_documented_envelope() {
    let mock =
        MockPbx::start(|req| uis_result(req, json!({"call_session_id": 237859081}), None)).await;
    let uis = uis_client(&mock);
    let call = EmployeeCall::new(25, digits("+79260000000"), digits("74993720692"));
    let session = uis.start_employee_call(&call).await.unwrap();
    assert_eq!(session, CallSessionId(237859081));

    let requests = mock.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].path, "/uis/callapi/v4.0");
    assert_eq!(requests[0].content_type, "application/json; charset=UTF-8");
    assert_eq!(
        requests[0].json(),
        json!({
            "jsonrpc": "2.0",
            "id": 1,
            "method": "start.employee_call",
            "params": {
                "access_token": UIS_KEY,
                "first_call": "employee",
                "switch_at_once": false,
                "virtual_phone_number": "74993720692",
                "contact": "79260000000",
                "direction": "out",
                "employee": {"id": 25}
            }
        })
    );
}

#[tokio::test]
async fn employee_call_with_every_option() {
    let mock = MockPbx::start(|req| uis_result(req, json!({"call_session_id": 5}), None)).await;
    let uis = uis_client(&mock);
    let contact = PhoneNumber::from_e164("+79261234567").unwrap();
    let call = EmployeeCall {
        employee_phone: Some("79260000001".to_owned()),
        first_call: FirstCall::Contact,
        external_id: Some("crm-task-1842".to_owned()),
        switch_at_once: true,
        ..EmployeeCall::new(25, &contact, digits("74993720692"))
    };
    uis.start_employee_call(&call).await.unwrap();
    // A second call gets the next id.
    uis.start_employee_call(&call).await.unwrap();
    let requests = mock.requests();
    assert_eq!(
        requests[0].params(),
        json!({
            "access_token": UIS_KEY,
            "first_call": "contact",
            "switch_at_once": true,
            "virtual_phone_number": "74993720692",
            "contact": "79261234567",
            "direction": "out",
            "employee": {"id": 25, "phone_number": "79260000001"},
            "external_id": "crm-task-1842"
        })
    );
    assert_eq!(requests[0].json()["id"], json!(1));
    assert_eq!(requests[1].json()["id"], json!(2));
}

#[tokio::test]
async fn scenario_call_sends_scenario_id_and_direction() {
    let mock = MockPbx::start(|req| uis_result(req, json!({"call_session_id": 77}), None)).await;
    let uis = uis_client(&mock);
    let call = ScenarioCall {
        external_id: Some("x-1".to_owned()),
        ..ScenarioCall::new(23456, digits("79260000000"), digits("74993720692"))
    };
    assert_eq!(
        uis.start_scenario_call(&call).await.unwrap(),
        CallSessionId(77)
    );
    assert_eq!(
        mock.requests()[0].json(),
        json!({
            "jsonrpc": "2.0",
            "id": 1,
            "method": "start.scenario_call",
            "params": {
                "access_token": UIS_KEY,
                "virtual_phone_number": "74993720692",
                "contact": "79260000000",
                "first_call": "contact",
                "switch_at_once": false,
                "scenario_id": 23456,
                "direction": "out",
                "external_id": "x-1"
            }
        })
    );
}

#[tokio::test]
async fn release_call_accepts_string_and_boolean_true_only() {
    let answers = Arc::new(Mutex::new(vec![json!("true"), json!(true), json!("false")]));
    let mock = MockPbx::start(move |req| {
        let success = answers.lock().unwrap().remove(0);
        uis_result(req, json!({"success": success}), None)
    })
    .await;
    let uis = uis_client(&mock);
    uis.release_call(CallSessionId(206597836)).await.unwrap();
    uis.release_call(CallSessionId(206597836)).await.unwrap();
    let err = uis
        .release_call(CallSessionId(206597836))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "pbx_bad_response");
    assert_eq!(
        mock.requests()[0].json(),
        json!({
            "jsonrpc": "2.0",
            "id": 1,
            "method": "release.call",
            "params": {"access_token": UIS_KEY, "call_session_id": 206597836}
        })
    );
}

#[tokio::test]
async fn list_calls_reads_sessions_and_legs() {
    let mock = MockPbx::start(|req| {
        uis_result(
            req,
            json!([{
                "call_session_id": 206597836, "direction": "in",
                "start_time": "2016-10-19T12:26:48.418",
                "virtual_phone_number": "74951045771", "contact_phone_number": "74959268686",
                "external_id": null,
                "tags": [{"tag_id": 456, "tag_name": "Целевой"}],
                "legs": [
                    {"leg_id": 287866245, "calling_phone_number": "74951045771",
                     "called_phone_number": "74959268686", "is_operator": false,
                     "employee_id": null, "employee_full_name": null,
                     "record_call_enabled": true, "state": "Разговор"},
                    {"leg_id": 287866221, "calling_phone_number": "74959268686",
                     "called_phone_number": "79262444393", "is_operator": true,
                     "employee_id": 2345, "employee_full_name": "Тест",
                     "record_call_enabled": true, "state": "Разговор"}
                ]
            }]),
            None,
        )
    })
    .await;
    let uis = uis_client(&mock);
    let filter = ListCalls {
        direction: Some(CallDirection::In),
        virtual_number: Some(digits("74951045771")),
    };
    let calls = uis.list_calls(&filter).await.unwrap();
    assert_eq!(
        mock.requests()[0].json(),
        json!({
            "jsonrpc": "2.0", "id": 1, "method": "list.calls",
            "params": {"access_token": UIS_KEY, "direction": "in", "virtual_phone_number": "74951045771"}
        })
    );
    assert_eq!(calls.len(), 1);
    let call = &calls[0];
    assert_eq!(call.call_session_id, CallSessionId(206597836));
    assert_eq!(call.direction, Some(CallDirection::In));
    assert_eq!(
        call.start_time.unwrap().to_string(),
        "2016-10-19 12:26:48.418"
    );
    assert_eq!(call.tags[0].tag_name.as_deref(), Some("Целевой"));
    assert_eq!(call.legs.len(), 2);
    assert!(call.legs[1].is_operator);
    assert_eq!(call.legs[1].employee_id, Some(2345));
    assert_eq!(call.legs[0].employee_id, None);
    assert_eq!(call.legs[0].state.as_deref(), Some("Разговор"));

    // No filter: only the key is sent.
    uis.list_calls(&ListCalls::default()).await.unwrap();
    assert_eq!(
        mock.requests()[1].params(),
        json!({"access_token": UIS_KEY})
    );
}
