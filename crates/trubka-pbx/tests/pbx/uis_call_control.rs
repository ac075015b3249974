//! UIS call control against a local test double: the requests the transfers send in order,
//! what they undo when UIS refuses a step, and both spellings of `success`.

use crate::support::{MockPbx, Recorded, Reply, uis_client, uis_error, uis_result};
use serde_json::json;
use trubka_pbx::uis::{CallSessionId, Message};

fn method(request: &Recorded) -> String {
    request.json()["method"].as_str().unwrap().to_owned()
}

/// Answers every method with success, except `refuse` with `invalid_state`.
fn answering(refuse: &'static str) -> impl Fn(&Recorded) -> Reply + Send + Sync + 'static {
    move |req| {
        if method(req) == refuse {
            uis_error(req, -32004, "invalid_state", None)
        } else if method(req) == "unhold.call" {
            // The docs show a string; a boolean is accepted as well.
            uis_result(req, json!({"success": true}), None)
        } else {
            uis_result(req, json!({"success": "true"}), None)
        }
    }
}

#[tokio::test]
async fn blind_transfer_is_hold_make_call_transfer_talk() {
    let mock = MockPbx::start(answering("none")).await;
    let uis = uis_client(&mock);
    uis.blind_transfer(CallSessionId(2786459), "202", &Message::Media(2034))
        .await
        .unwrap();
    let requests = mock.requests();
    let methods: Vec<String> = requests.iter().map(method).collect();
    assert_eq!(methods, ["hold.call", "make.call", "transfer.talk"]);
    assert_eq!(
        requests[0].params()["contact_message"],
        json!({"type": "media", "value": "2034"})
    );
    assert_eq!(requests[1].params()["to"], "202");
    assert!(requests[1].params().get("to_message").is_none());
    for request in &requests {
        assert_eq!(request.params()["call_session_id"], 2786459);
    }
}

#[tokio::test]
async fn a_refused_step_is_undone_and_its_refusal_returned() {
    let mock = MockPbx::start(answering("make.call")).await;
    let uis = uis_client(&mock);
    let err = uis
        .blind_transfer(CallSessionId(7), "202", &Message::Media(1))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "invalid_state");
    let methods: Vec<String> = mock.requests().iter().map(method).collect();
    assert_eq!(methods, ["hold.call", "make.call", "unhold.call"]);

    let mock = MockPbx::start(answering("transfer.talk")).await;
    let uis = uis_client(&mock);
    let err = uis
        .blind_transfer(CallSessionId(7), "202", &Message::Media(1))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "invalid_state");
    assert!(
        err.user_message().contains("удержание"),
        "{}",
        err.user_message()
    );
    let methods: Vec<String> = mock.requests().iter().map(method).collect();
    assert_eq!(
        methods,
        ["hold.call", "make.call", "transfer.talk", "restore.talk"]
    );
}

#[tokio::test]
async fn coach_and_empty_numbers() {
    let mock = MockPbx::start(answering("none")).await;
    let uis = uis_client(&mock);
    uis.add_coach(CallSessionId(5), None).await.unwrap();
    uis.add_coach(CallSessionId(5), Some("79260000000"))
        .await
        .unwrap();
    let requests = mock.requests();
    assert!(requests[0].params().get("phone_number").is_none());
    assert_eq!(requests[1].params()["phone_number"], "79260000000");
    let err = uis
        .make_call(CallSessionId(5), " ", None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "invalid_argument");
    assert_eq!(mock.requests().len(), 2, "nothing sent for an empty number");
}

#[tokio::test]
async fn statuses_and_an_employees_status() {
    let mock = MockPbx::start(|req| match method(req).as_str() {
        "get.statuses" => uis_result(
            req,
            json!([
                {"id": 1, "name": "Доступен", "mnemonic": "available", "description": null,
                 "color": "#48b882", "is_deleted": false,
                 "in_external_allowed_call_directions": ["in", "out"],
                 "is_select_allowed": true, "is_worktime": true},
                {"id": 7, "name": "Обед", "mnemonic": null, "description": null,
                 "color": null, "is_deleted": false,
                 "in_external_allowed_call_directions": null,
                 "is_select_allowed": true, "is_worktime": true}
            ]),
            Some(json!({"total_items": 2})),
        ),
        "get.employees" => uis_result(req, json!([{"id": 25, "status_id": 7}]), None),
        _ => uis_result(req, json!({"id": 25}), None),
    })
    .await;
    let uis = uis_client(&mock);
    let statuses = uis.statuses().await.unwrap();
    assert!(statuses[0].takes_incoming_calls());
    assert!(!statuses[1].takes_incoming_calls());
    assert_eq!(statuses[1].mnemonic, None);
    assert_eq!(uis.employee_status(25).await.unwrap(), Some(7));
    assert_eq!(uis.employee_status(26).await.unwrap(), None);
    uis.set_employee_status(25, 7).await.unwrap();
    let requests = mock.requests();
    assert_eq!(
        requests[1].params()["filter"],
        json!({"field": "id", "operator": "=", "value": 25})
    );
    let update = requests.last().unwrap();
    assert_eq!(method(update), "update.employees");
    assert_eq!(update.path, "/uis/dataapi/v2.0");
    assert_eq!(update.params()["id"], 25);
    assert_eq!(update.params()["status_id"], 7);
}
