//! Every UIS error the simulator maps, as trubka-pbx's client reads it, and the raw JSON-RPC
//! envelopes of the ones a client never provokes.

use crate::common::Sim;
use serde_json::{Value, json};
use trubka_pbx::{
    DialNumber, PbxError, UisMnemonic,
    uis::{EmployeeCall, ScenarioCall},
};
use trubka_sim::{IpRange, UisComponent};

fn call(employee: u64, contact: &str, line: &str) -> EmployeeCall {
    EmployeeCall::new(
        employee,
        DialNumber::parse(contact).unwrap(),
        DialNumber::parse(line).unwrap(),
    )
}

fn ok_call() -> EmployeeCall {
    call(2339292, "79261112233", "74951234567")
}

/// The code and field of a UIS error.
fn uis_error(err: &PbxError) -> (i64, &str, Option<&str>) {
    match err {
        PbxError::Uis {
            code,
            mnemonic,
            field,
            ..
        } => (*code, mnemonic.as_str(), field.as_deref()),
        other => panic!("not a UIS error: {other:?}"),
    }
}

#[tokio::test]
async fn wrong_key_is_access_token_invalid_and_logged_as_a_bad_signature() {
    let sim = Sim::start().await;
    let err = sim
        .uis_with_key("stolen")
        .start_employee_call(&ok_call())
        .await
        .unwrap_err();
    assert_eq!(uis_error(&err), (-32001, "access_token_invalid", None));
    let logged = sim.requests_for("start.employee_call").await;
    assert_eq!(logged[0]["signature_ok"], false);
    assert_eq!(logged[0]["outcome"], "access_token_invalid");
    assert_eq!(logged[0]["params"]["params"]["access_token"], "***");
    let err = sim.uis_with_key("stolen").account().await.unwrap_err();
    assert_eq!(err.code(), "access_token_invalid");
    assert!(sim.capture.snapshot().is_empty());
    sim.stop().await;
}

#[tokio::test]
async fn addresses_outside_the_allow_list_are_refused() {
    let sim = Sim::start_with(|c| c.uis.allowed_ips = vec!["10.0.0.0/8".parse().unwrap()]).await;
    let err = sim.uis().start_employee_call(&ok_call()).await.unwrap_err();
    assert_eq!(uis_error(&err), (-32003, "ip_not_whitelisted", Some("ip")));
    assert!(err.user_message().contains("IP"));
    let err = sim.uis().employees().await.unwrap_err();
    assert_eq!(err.code(), "ip_not_whitelisted");
    sim.stop().await;

    let allowed: IpRange = "127.0.0.1".parse().unwrap();
    let sim = Sim::start_with(|c| c.uis.allowed_ips = vec![allowed]).await;
    sim.uis().start_employee_call(&ok_call()).await.unwrap();
    sim.stop().await;
}

#[tokio::test]
async fn a_new_cabinet_refuses_every_address_until_one_is_allowed() {
    // `SimConfig::new` starts with no address, as a new UIS cabinet does.
    let sim = Sim::start_with(|c| c.uis.allowed_ips.clear()).await;
    let err = sim.uis().start_employee_call(&ok_call()).await.unwrap_err();
    assert_eq!(uis_error(&err), (-32003, "ip_not_whitelisted", Some("ip")));
    assert!(
        matches!(&err, PbxError::Uis { message, .. } if message == "Your IP 127.0.0.1 is not whitelisted"),
        "{err:?}"
    );
    assert!(
        err.user_message().contains("127.0.0.1"),
        "{}",
        err.user_message()
    );
    let err = sim.uis().account().await.unwrap_err();
    assert_eq!(err.code(), "ip_not_whitelisted");
    // Refused before any budget or call: nothing reached the relay.
    assert!(sim.capture.snapshot().is_empty());
    sim.stop().await;

    // 0.0.0.0/0, as the integration guides tell their users, opens it to everyone.
    let sim = Sim::start_with(|c| c.uis.allowed_ips = vec!["0.0.0.0/0".parse().unwrap()]).await;
    sim.uis().start_employee_call(&ok_call()).await.unwrap();
    sim.uis().account().await.unwrap();
    sim.stop().await;
}

#[tokio::test]
async fn spent_budgets_are_limit_exceeded_with_the_limits() {
    let sim = Sim::start_with(|c| c.uis.minute_limit = 2).await;
    let uis = sim.uis();
    uis.account().await.unwrap();
    uis.account().await.unwrap();
    let limits = uis.limits().unwrap();
    assert_eq!(limits.minute_limit, Some(2));
    assert_eq!(limits.minute_remaining, Some(0));
    assert!(limits.minute_reset.unwrap() <= 60);
    assert_eq!(limits.day_remaining, Some(9998));
    // A fresh client does not know the budget is spent, so the request reaches the sim.
    let fresh = sim.uis();
    let err = fresh.account().await.unwrap_err();
    assert_eq!(uis_error(&err), (-32029, "limit_exceeded", None));
    assert_eq!(fresh.limits().unwrap().minute_remaining, Some(0));
    // The Call API has its own budget, and failures cost nothing. (Another fresh client:
    // this one now waits for the minute to pass, whichever API it calls.)
    let caller = sim.uis();
    for _ in 0..3 {
        let err = caller
            .start_employee_call(&call(1, "79261112233", "74951234567"))
            .await
            .unwrap_err();
        assert_eq!(err.code(), "employee_not_found");
    }
    caller.start_employee_call(&ok_call()).await.unwrap();
    caller.start_employee_call(&ok_call()).await.unwrap();
    assert_eq!(caller.limits().unwrap().minute_remaining, Some(0));
    sim.stop().await;

    let sim = Sim::start_with(|c| c.uis.day_limit = 1).await;
    sim.uis().scenarios().await.unwrap();
    let err = sim.uis().scenarios().await.unwrap_err();
    assert_eq!(err.code(), "limit_exceeded");
    assert!(
        err.user_message().contains("дневной"),
        "{}",
        err.user_message()
    );
    sim.stop().await;
}

#[tokio::test]
async fn call_parameters_are_checked_like_uis_does() {
    let sim = Sim::start_with(|c| c.uis.blacklist = vec!["+7 926 555-44-33".into()]).await;
    let uis = sim.uis();
    let err = uis
        .start_employee_call(&call(999, "79261112233", "74951234567"))
        .await
        .unwrap_err();
    assert_eq!(
        uis_error(&err),
        (-32602, "employee_not_found", Some("employee.id"))
    );
    let err = uis
        .start_employee_call(&call(2339292, "79261112233", "74990000000"))
        .await
        .unwrap_err();
    assert_eq!(
        uis_error(&err),
        (
            -32007,
            "virtual_phone_number_not_found",
            Some("virtual_phone_number")
        )
    );
    let err = uis
        .start_employee_call(&call(2339292, "79265554433", "74951234567"))
        .await
        .unwrap_err();
    assert_eq!(
        uis_error(&err),
        (-32002, "contact_in_blacklist", Some("contact"))
    );
    let err = uis
        .start_employee_call(&call(2339292, "201", "74951234567"))
        .await
        .unwrap_err();
    assert_eq!(
        uis_error(&err),
        (-32602, "invalid_parameter_value", Some("contact"))
    );
    let err = uis
        .start_employee_call(&call(2339292, "78122428080", "74951234567"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "own_virtual_phone_number_not_allowed");
    let mut wrong_phone = ok_call();
    wrong_phone.employee_phone = Some("202".to_owned());
    let err = uis.start_employee_call(&wrong_phone).await.unwrap_err();
    assert_eq!(
        uis_error(&err),
        (
            -32602,
            "invalid_parameter_value",
            Some("employee.phone_number")
        )
    );
    let mut sip = ok_call();
    sip.employee_phone = Some("044431201".to_owned());
    uis.start_employee_call(&sip).await.unwrap();
    // A colleague's SIP number is a valid contact (the docs allow it); other numbers that are
    // not E.164 (a leading 0) are not.
    uis.start_employee_call(&call(2339292, "044431202", "74951234567"))
        .await
        .unwrap();
    let err = uis
        .start_employee_call(&call(2339292, "0123456789", "74951234567"))
        .await
        .unwrap_err();
    assert_eq!(
        uis_error(&err),
        (-32602, "invalid_parameter_value", Some("contact"))
    );
    let scenario = |id, contact| {
        ScenarioCall::new(
            id,
            DialNumber::parse(contact).unwrap(),
            DialNumber::parse("74951234567").unwrap(),
        )
    };
    // The scenario call's own table: both are -32602 there.
    let err = uis
        .start_scenario_call(&scenario(1, "79261112233"))
        .await
        .unwrap_err();
    assert_eq!(
        uis_error(&err),
        (-32602, "scenario_not_found", Some("scenario_id"))
    );
    assert!(err.user_message().contains("Сценарий UIS не найден"));
    let err = uis
        .start_scenario_call(&scenario(27092, "79265554433"))
        .await
        .unwrap_err();
    assert_eq!(
        uis_error(&err),
        (-32602, "contact_in_blacklist", Some("contact"))
    );
    assert!(err.user_message().contains("чёрном списке"));
    uis.start_scenario_call(&scenario(27092, "044431202"))
        .await
        .unwrap();
    let err = uis
        .release_call(trubka_pbx::uis::CallSessionId(42))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "call_session_not_found");
    sim.stop().await;
}

#[tokio::test]
async fn switched_off_components_are_component_disabled() {
    let sim = Sim::start_with(|c| {
        c.uis.disabled_components = vec![UisComponent::CallApiScenario, UisComponent::DataApi];
    })
    .await;
    let uis = sim.uis();
    let scenario = ScenarioCall::new(
        27092,
        DialNumber::parse("79261112233").unwrap(),
        DialNumber::parse("74951234567").unwrap(),
    );
    let err = uis.start_scenario_call(&scenario).await.unwrap_err();
    assert_eq!(uis_error(&err), (-32008, "component_disabled", None));
    assert!(matches!(
        &err,
        PbxError::Uis {
            mnemonic: UisMnemonic::ComponentDisabled,
            ..
        }
    ));
    let err = uis.account().await.unwrap_err();
    assert_eq!(uis_error(&err), (-32008, "method_component_disabled", None));
    uis.start_employee_call(&ok_call()).await.unwrap();
    sim.stop().await;
}

#[tokio::test]
async fn envelope_errors_have_uis_codes() {
    let sim = Sim::start().await;
    let error = |answer: &Value| {
        (
            answer["error"]["code"].as_i64().unwrap(),
            answer["error"]["data"]["mnemonic"]
                .as_str()
                .unwrap()
                .to_owned(),
        )
    };
    let cases: &[(&str, &str, i64, &str)] = &[
        ("uis/callapi/v4.0", "{not json", -32700, "parse_error"),
        (
            "uis/callapi/v4.0",
            r#"[{"jsonrpc":"2.0","id":1,"method":"list.calls","params":{}}]"#,
            -32099,
            "batch_opreations_not_supported",
        ),
        (
            "uis/callapi/v4.0",
            r#"{"jsonrpc":"2.0","method":"list.calls","params":{"access_token":"uis-api-key"}}"#,
            -32099,
            "notifications_not_supported",
        ),
        (
            "uis/callapi/v4.0",
            r#"{"jsonrpc":"1.0","id":1,"method":"list.calls","params":{"access_token":"uis-api-key"}}"#,
            -32600,
            "invalid_request",
        ),
        (
            "uis/callapi/v4.0",
            r#"{"jsonrpc":"2.0","id":{"x":1},"method":"list.calls","params":{}}"#,
            -32600,
            "invalid_request",
        ),
        (
            "uis/callapi/v4.0",
            r#"{"jsonrpc":"2.0","id":1,"method":"get.calls_report","params":{"access_token":"uis-api-key"}}"#,
            -32601,
            "method_not_found",
        ),
        (
            "uis/dataapi/v2.0",
            r#"{"jsonrpc":"2.0","id":1,"method":"start.employee_call","params":{"access_token":"uis-api-key"}}"#,
            -32601,
            "method_not_found",
        ),
        (
            "uis/callapi/v4.0",
            r#"{"jsonrpc":"2.0","id":1,"method":"list.calls","params":{}}"#,
            -32602,
            "required_parameter_missed",
        ),
        (
            "uis/callapi/v4.0",
            r#"{"jsonrpc":"2.0","id":1,"method":"list.calls","params":{"access_token":"uis-api-key","colour":"red"}}"#,
            -32602,
            "unexpected_parameters",
        ),
        (
            "uis/callapi/v4.0",
            r#"{"jsonrpc":"2.0","id":1,"method":"release.call","params":{"access_token":"uis-api-key","call_session_id":"12"}}"#,
            -32602,
            "data_type_error",
        ),
        (
            "uis/callapi/v4.0",
            r#"{"jsonrpc":"2.0","id":1,"method":"start.employee_call","params":{"access_token":"uis-api-key","first_call":"boss","virtual_phone_number":"74951234567","contact":"79261112233","employee":{"id":2339292}}}"#,
            -32602,
            "invalid_parameter_value",
        ),
        (
            "uis/callapi/v4.0",
            r#"{"jsonrpc":"2.0","id":1,"method":"start.employee_call","params":{"access_token":"uis-api-key","first_call":"contact","early_switching":true,"virtual_phone_number":"74951234567","contact":"79261112233","employee":{"id":2339292}}}"#,
            -32602,
            "invalid_parameters_combination",
        ),
        (
            "uis/callapi/v4.0",
            r#"{"jsonrpc":"2.0","id":1,"method":"start.employee_call","params":{"access_token":"uis-api-key","first_call":"employee","virtual_phone_number":"74951234567","employee":{"id":2339292}}}"#,
            -32602,
            "required_parameter_missed",
        ),
    ];
    let first_call_missing: &[(&str, &str, i64, &str)] = &[
        (
            "uis/callapi/v4.0",
            r#"{"jsonrpc":"2.0","id":1,"method":"start.employee_call","params":{"access_token":"uis-api-key","virtual_phone_number":"74951234567","contact":"79261112233","employee":{"id":2339292}}}"#,
            -32602,
            "required_parameter_missed",
        ),
        (
            "uis/callapi/v4.0",
            r#"{"jsonrpc":"2.0","id":1,"method":"start.scenario_call","params":{"access_token":"uis-api-key","virtual_phone_number":"74951234567","contact":"79261112233","scenario_id":27092}}"#,
            -32602,
            "required_parameter_missed",
        ),
    ];
    for (path, body, _, _) in first_call_missing {
        let answer = sim.rpc(path, body).await;
        assert_eq!(answer["error"]["data"]["field"], "first_call", "{answer}");
        assert_eq!(
            answer["error"]["message"],
            "The required parameter has been missed"
        );
    }
    for (path, body, code, mnemonic) in cases.iter().chain(first_call_missing) {
        let answer = sim.rpc(path, body).await;
        assert_eq!(answer["jsonrpc"], "2.0", "{body}");
        assert_eq!(
            error(&answer),
            (*code, (*mnemonic).to_owned()),
            "{body}: {answer}"
        );
    }
    let answer = sim
        .rpc(
            "uis/callapi/v4.0",
            r#"{"jsonrpc":"2.0","id":"abc","method":"nope.nope","params":{}}"#,
        )
        .await;
    assert_eq!(answer["id"], "abc");
    let answer = sim.rpc("uis/callapi/v4.0", "{not json").await;
    assert_eq!(answer["id"], Value::Null);
    let answer = sim
        .rpc(
            "uis/callapi/v4.0",
            r#"{"jsonrpc":"2.0","id":7,"method":"list.calls","params":{"access_token":"uis-api-key"}}"#,
        )
        .await;
    assert_eq!(answer["result"]["data"], json!([]));
    assert_eq!(answer["id"], 7);
    // Failed envelopes cost nothing: the one success took the first point.
    assert_eq!(
        answer["result"]["metadata"]["limits"]["minute_remaining"],
        59
    );
    sim.stop().await;
}
