//! The UIS address book: `get.contacts` lists the cast's contacts with the list conventions
//! and refusals, the cabinet's edits (`/sim/uis/contacts`) show in it and in the
//! notifications of later calls, bad edits are refused, and a key without the right is
//! `forbidden`.

use crate::common::{Captured, Sim, UIS_KEY};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// `get.contacts` with these params besides the access token; the whole answer.
async fn get_contacts(sim: &Sim, params: Value) -> Value {
    let mut params = params;
    params["access_token"] = json!(UIS_KEY);
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "get.contacts", "params": params});
    sim.rpc("uis/dataapi/v2.0", &body.to_string()).await
}

/// The rows of a successful answer.
fn rows(answer: &Value) -> Vec<Value> {
    answer["result"]["data"]
        .as_array()
        .unwrap_or_else(|| panic!("no rows: {answer}"))
        .clone()
}

fn ids(answer: &Value) -> Vec<u64> {
    rows(answer)
        .iter()
        .map(|r| r["id"].as_u64().unwrap())
        .collect()
}

/// The refusal's code, mnemonic and field.
fn refusal(answer: &Value) -> (i64, String, String) {
    let error = &answer["error"];
    (
        error["code"].as_i64().unwrap_or_else(|| panic!("{answer}")),
        error["data"]["mnemonic"].as_str().unwrap().to_owned(),
        error["data"]["field"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

async fn put(sim: &Sim, id: &str, body: &str) -> (StatusCode, Value) {
    let response = sim
        .client
        .put(sim.url.join(&format!("sim/uis/contacts/{id}")).unwrap())
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn delete(sim: &Sim, id: u64) -> (StatusCode, Value) {
    let response = sim
        .client
        .delete(sim.url.join(&format!("sim/uis/contacts/{id}")).unwrap())
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The `contact_info` of the first notification of an incoming call from `from`.
async fn caller_as_notified(sim: &Sim, from: &str) -> Value {
    let before = sim.capture.snapshot().len();
    sim.call(json!({"provider": "uis", "from": from, "employee": "201", "outcome": "busy"}))
        .await;
    let got = sim.capture.wait_for(before + 1).await;
    let started = got[before..]
        .iter()
        .map(Captured::json)
        .find(|b| b["call_info"]["direction"] == "in")
        .unwrap();
    started["contact_info"].clone()
}

#[tokio::test]
async fn get_contacts_lists_the_casts_contacts_with_the_fields_asked() {
    let sim = Sim::start().await;
    let all = get_contacts(&sim, json!({})).await;
    assert_eq!(ids(&all), [31245, 31246, 31247, 31248, 31249, 31250]);
    assert_eq!(all["result"]["metadata"]["total_items"], 6, "{all}");
    let olga = &rows(&all)[0];
    assert_eq!(
        *olga,
        json!({"id": 31245, "last_name": "Васильева", "first_name": "Ольга",
               "patronymic": null, "full_name": "Васильева Ольга", "emails": [],
               "phone_numbers": ["79261234567"], "personal_manager_id": null,
               "personal_manager_full_name": null, "organization_id": null,
               "organization_name": null,
               "groups": [{"group_id": 301, "group_name": "Клиенты"}]})
    );

    // Only the fields asked, in every row; an organisation is named by itself.
    let some = get_contacts(
        &sim,
        json!({"fields": ["id", "full_name", "organization_name", "phone_numbers"]}),
    )
    .await;
    let company = &rows(&some)[2];
    assert_eq!(
        *company,
        json!({"id": 31247, "full_name": "ООО «Балтснаб»",
               "organization_name": "ООО «Балтснаб»", "phone_numbers": ["78123334455"]})
    );
    assert!(
        rows(&some)
            .iter()
            .all(|r| r.as_object().unwrap().len() == 4)
    );

    // Paging: the total counts every contact, the page only its part.
    let page = get_contacts(&sim, json!({"limit": 2, "offset": 4})).await;
    assert_eq!(ids(&page), [31249, 31250]);
    assert_eq!(page["result"]["metadata"]["total_items"], 6);
    let past = get_contacts(&sim, json!({"limit": 2, "offset": 6})).await;
    assert!(rows(&past).is_empty());
    assert_eq!(past["result"]["metadata"]["total_items"], 6);

    // Sorting and filtering by the fields the docs allow.
    let sorted = get_contacts(
        &sim,
        json!({"fields": ["full_name"], "sort": [{"field": "full_name", "order": "desc"}],
               "limit": 1}),
    )
    .await;
    assert_eq!(rows(&sorted)[0]["full_name"], "Янушкевич Алесь");
    let found = get_contacts(
        &sim,
        json!({"filter": {"field": "phone_numbers", "operator": "overlap",
                          "value": ["79035551212"]}}),
    )
    .await;
    assert_eq!(ids(&found), [31250]);
    sim.stop().await;
}

#[tokio::test]
async fn get_contacts_refuses_what_the_docs_refuse() {
    let sim = Sim::start().await;
    let unknown = get_contacts(&sim, json!({"fields": ["id", "nickname"]})).await;
    assert_eq!(
        refusal(&unknown),
        (-32602, "unexpected_parameters".into(), "fields".into())
    );
    let unknown_param = get_contacts(&sim, json!({"search": "Ольга"})).await;
    assert_eq!(
        refusal(&unknown_param),
        (-32602, "unexpected_parameters".into(), "search".into())
    );
    let by_id = get_contacts(&sim, json!({"sort": [{"field": "id"}]})).await;
    assert_eq!(
        refusal(&by_id),
        (-32602, "sort_prohibited".into(), "sort.field".into())
    );
    let by_patronymic = get_contacts(
        &sim,
        json!({"filter": {"filters": [{"field": "patronymic", "operator": "is_null",
                                        "value": null}], "condition": "and"}}),
    )
    .await;
    assert_eq!(
        refusal(&by_patronymic),
        (-32602, "filter_prohibited".into(), "filter.field".into())
    );
    let too_many = get_contacts(&sim, json!({"limit": 10_001})).await;
    assert_eq!(refusal(&too_many).1, "invalid_parameter_value");
    sim.stop().await;
}

#[tokio::test]
async fn the_cabinets_edits_show_in_get_contacts_and_later_notifications() {
    let sim = Sim::start().await;
    let before = caller_as_notified(&sim, "+7 926 123-45-67").await;
    assert_eq!(
        (&before["contact_id"], &before["contact_full_name"]),
        (&json!(31245), &json!("Васильева Ольга"))
    );

    // Ольга marries and gets a manager, a second number and an e-mail.
    let (status, stored) = put(
        &sim,
        "31245",
        &json!({"last_name": "Смирнова", "first_name": "Ольга", "patronymic": "Ивановна",
                "phone_numbers": ["+7 926 123-45-67", "8 (495) 111-22-33"],
                "emails": ["olga@romashka.ru"], "organization_name": "ООО «Ромашка»",
                "groups": ["VIP"], "personal_manager_full_name": "Анна Смирнова"})
        .to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{stored}");
    assert_eq!(stored["full_name"], "Смирнова Ольга Ивановна");
    let listed = get_contacts(
        &sim,
        json!({"filter": {"field": "id", "operator": "=", "value": 31245}}),
    )
    .await;
    let row = &rows(&listed)[0];
    assert_eq!(*row, stored);
    assert_eq!(row["phone_numbers"], json!(["79261234567", "74951112233"]));
    assert_eq!(row["personal_manager_id"], 2339292);
    assert_eq!(row["organization_name"], "ООО «Ромашка»");
    assert_eq!(row["groups"][0]["group_name"], "VIP");
    let after = caller_as_notified(&sim, "8 495 111 22 33").await;
    assert_eq!(after["contact_id"], 31245);
    assert_eq!(after["contact_full_name"], "Смирнова Ольга Ивановна");

    // A new contact is 201 and known to calls at once.
    let (status, created) = put(
        &sim,
        "40001",
        r#"{"last_name": "Гусев", "phone_numbers": ["79031234500"]}"#,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["full_name"], "Гусев");
    let new = caller_as_notified(&sim, "79031234500").await;
    assert_eq!(new["contact_id"], 40001);

    // Deleted, the caller is unknown again.
    assert_eq!(delete(&sim, 31245).await.0, StatusCode::NO_CONTENT);
    let (status, gone) = delete(&sim, 31245).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(gone["error"]["code"], "contact_not_found", "{gone}");
    assert!(gone["error"]["message"].is_string());
    let unknown = caller_as_notified(&sim, "+7 926 123-45-67").await;
    assert_eq!(
        (&unknown["contact_id"], &unknown["contact_full_name"]),
        (&Value::Null, &Value::Null)
    );
    let book = sim.get_json("sim/uis/contacts").await;
    let listed: Vec<u64> = book
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_u64().unwrap())
        .collect();
    assert_eq!(listed, [31246, 31247, 31248, 31249, 31250, 40001]);
    let total = get_contacts(&sim, json!({"fields": ["id"]})).await;
    assert_eq!(total["result"]["metadata"]["total_items"], 6);
    sim.stop().await;
}

#[tokio::test]
async fn bad_edits_are_refused_with_the_error_shape() {
    let sim = Sim::start().await;
    let numbers: Vec<String> = (0..11).map(|i| format!("7495000001{i:02}")).collect();
    let emails: Vec<String> = (0..11).map(|i| format!("u{i}@example.ru")).collect();
    let cases = [
        ("40001", "{not json".to_owned(), "invalid_request"),
        (
            "40001",
            json!({"last_name": "Гусев", "phone_numbers": ["79031234500"], "nickname": "Г"})
                .to_string(),
            "invalid_request",
        ),
        (
            "40001",
            json!({"last_name": "Гусев", "phone_numbers": "79031234500"}).to_string(),
            "invalid_request",
        ),
        (
            "40001",
            json!({"last_name": "Гусев"}).to_string(),
            "missing_phone_number",
        ),
        (
            "40001",
            json!({"phone_numbers": ["79031234500"]}).to_string(),
            "missing_name",
        ),
        (
            "40001",
            json!({"last_name": "Гусев", "phone_numbers": numbers}).to_string(),
            "too_many_items",
        ),
        (
            "40001",
            json!({"last_name": "Гусев", "phone_numbers": ["79031234500"], "emails": emails})
                .to_string(),
            "too_many_items",
        ),
        (
            "40001",
            json!({"last_name": "Гусев", "phone_numbers": ["anonymous"]}).to_string(),
            "invalid_number",
        ),
        (
            "40001",
            json!({"last_name": "Гусев", "phone_numbers": ["79031234500"],
                   "personal_manager_full_name": "Никто"})
            .to_string(),
            "unknown_employee",
        ),
        (
            "abc",
            json!({"last_name": "Гусев"}).to_string(),
            "invalid_id",
        ),
        ("0", json!({"last_name": "Гусев"}).to_string(), "invalid_id"),
    ];
    for (id, body, code) in cases {
        let (status, answer) = put(&sim, id, &body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        assert_eq!(answer["error"]["code"], code, "{body}: {answer}");
        assert!(answer["error"]["message"].is_string(), "{answer}");
    }
    // Another contact's number.
    let (status, taken) = put(
        &sim,
        "40001",
        &json!({"last_name": "Гусев", "phone_numbers": ["89161112233"]}).to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{taken}");
    assert_eq!(taken["error"]["code"], "number_taken");
    // Nothing was stored.
    let all = get_contacts(&sim, json!({"fields": ["id"]})).await;
    assert_eq!(all["result"]["metadata"]["total_items"], 6);
    sim.stop().await;
}

#[tokio::test]
async fn a_key_without_the_right_is_forbidden_and_pays_nothing() {
    let sim = Sim::start_with(|c| c.uis.forbidden_methods = vec!["get.contacts".to_owned()]).await;
    let answer = get_contacts(&sim, json!({})).await;
    assert_eq!(
        refusal(&answer),
        (-32003, "forbidden".into(), "method".into())
    );
    assert!(
        answer["error"]["data"].get("metadata").is_none(),
        "{answer}"
    );
    let logged = sim.requests_for("get.contacts").await;
    assert_eq!(logged.len(), 1);
    sim.stop().await;
}
