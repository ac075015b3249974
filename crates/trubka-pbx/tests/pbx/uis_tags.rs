//! UIS tags against a local test double: the requests `get.tags`, `create.tags`,
//! `set.tag_communications` and `unset.tag_communications` send, both places a new tag's id
//! comes back in, and the refusals with the field they name.

use crate::support::{MockPbx, Recorded, Reply, uis_client, uis_error, uis_result};
use serde_json::json;
use trubka_pbx::{PbxError, UisMnemonic};

fn method(request: &Recorded) -> String {
    request.json()["method"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_tag_is_found_by_name_with_a_filter() {
    let mock = MockPbx::start(|req| {
        uis_result(
            req,
            json!([{"id": 62684, "name": "Доставка", "is_system": false}]),
            Some(json!({"total_items": 1})),
        )
    })
    .await;
    let uis = uis_client(&mock);
    let tag = uis.tag_named("Доставка").await.unwrap().unwrap();
    assert_eq!(tag.id, 62684);
    // UIS answering a row of another name (an `=` it read loosely) is no match.
    assert!(uis.tag_named("Возврат").await.unwrap().is_none());
    let request = &mock.requests()[0];
    assert_eq!(request.path, "/uis/dataapi/v2.0");
    assert_eq!(method(request), "get.tags");
    assert_eq!(
        request.params()["filter"],
        json!({"field": "name", "operator": "=", "value": "Доставка"})
    );
    assert_eq!(
        request.params()["fields"],
        json!(["id", "name", "is_system"])
    );
    assert_eq!(request.params()["access_token"], "test-key");
}

#[tokio::test]
async fn every_tag_is_listed_page_by_page() {
    let mock = MockPbx::start(|req| {
        let offset = req.params()["offset"].as_u64().unwrap();
        let rows: Vec<_> = (offset..(offset + 1000).min(1500))
            .map(|id| json!({"id": id, "name": format!("t{id}"), "is_system": id == 0}))
            .collect();
        uis_result(req, json!(rows), Some(json!({"total_items": 1500})))
    })
    .await;
    let tags = uis_client(&mock).tags().await.unwrap();
    assert_eq!(tags.len(), 1500);
    assert!(tags[0].is_system);
    assert_eq!(tags[1499].name, "t1499");
    assert_eq!(mock.requests().len(), 2);
}

#[tokio::test]
async fn a_new_tags_id_is_read_beside_data_or_in_it() {
    // The create.tags page shows `result: {"id": …}`; other create methods `result.data.id`.
    let mock = MockPbx::start(|req| {
        let id = req.json()["id"].clone();
        if req.params()["name"] == "Возврат" {
            Reply::json(json!({"jsonrpc": "2.0", "id": id, "result": {"id": 515114}}))
        } else {
            uis_result(req, json!({"id": 515115}), None)
        }
    })
    .await;
    let uis = uis_client(&mock);
    assert_eq!(uis.create_tag("Возврат").await.unwrap(), 515114);
    assert_eq!(uis.create_tag("Жалоба").await.unwrap(), 515115);
    let request = &mock.requests()[0];
    assert_eq!(method(request), "create.tags");
    assert_eq!(request.params()["name"], "Возврат");

    let empty = MockPbx::start(|req| uis_result(req, json!(null), None)).await;
    let err = uis_client(&empty).create_tag("Жалоба").await.unwrap_err();
    assert_eq!(err.code(), "pbx_bad_response");
}

#[tokio::test]
async fn a_call_is_tagged_and_untagged_as_a_call_communication() {
    let mock = MockPbx::start(|req| uis_result(req, json!({}), None)).await;
    let uis = uis_client(&mock);
    uis.tag_call(1197843161, 62684).await.unwrap();
    uis.untag_call(1197843161, 62684).await.unwrap();
    let requests = mock.requests();
    let methods: Vec<String> = requests.iter().map(method).collect();
    assert_eq!(
        methods,
        ["set.tag_communications", "unset.tag_communications"]
    );
    for request in &requests {
        assert_eq!(request.params()["communication_id"], 1197843161u64);
        assert_eq!(request.params()["communication_type"], "call");
        assert_eq!(request.params()["tag_id"], 62684);
    }
}

#[tokio::test]
async fn refusals_name_the_field_and_are_not_transient() {
    let mock = MockPbx::start(|req| {
        if req.params()["tag_id"] == 1 {
            uis_error(req, -32602, "entity_not_found", Some("tag_id"))
        } else if req.params()["tag_id"] == 2 {
            uis_error(req, -32602, "duplicate_entity", Some("tag_id"))
        } else {
            uis_error(req, -32003, "forbidden", None)
        }
    })
    .await;
    let uis = uis_client(&mock);
    match uis.tag_call(5, 1).await.unwrap_err() {
        PbxError::Uis {
            mnemonic, field, ..
        } => {
            assert_eq!(mnemonic, UisMnemonic::EntityNotFound);
            assert_eq!(field.as_deref(), Some("tag_id"));
        }
        other => panic!("expected a UIS refusal, got {other:?}"),
    }
    let duplicate = uis.tag_call(5, 2).await.unwrap_err();
    assert_eq!(duplicate.code(), "duplicate_entity");
    let forbidden = uis.tag_call(5, 3).await.unwrap_err();
    assert_eq!(forbidden.code(), "forbidden");
    assert!(!forbidden.is_transient() && !duplicate.is_transient());
}
