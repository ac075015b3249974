//! The UIS address book against a local test double: `get.contacts` asks for the fields the
//! team directory keeps and reads every page.

use crate::support::{MockPbx, uis_client, uis_result};
use serde_json::json;

#[tokio::test]
async fn every_contact_is_read_page_by_page_with_the_fields_asked() {
    let mock = MockPbx::start(|req| {
        let offset = req.params()["offset"].as_u64().unwrap();
        let rows: Vec<_> = (offset..(offset + 1000).min(1200))
            .map(|id| {
                json!({"id": id, "last_name": "Орлов", "first_name": format!("№{id}"),
                       "phone_numbers": [format!("7926{id:07}")], "emails": []})
            })
            .collect();
        uis_result(req, json!(rows), Some(json!({"total_items": 1200})))
    })
    .await;
    let contacts = uis_client(&mock).contacts().await.unwrap();
    assert_eq!(contacts.len(), 1200);
    assert_eq!(contacts[1199].phone_numbers, ["79260001199"]);
    let requests = mock.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].json()["method"], "get.contacts");
    assert_eq!(requests[0].path, "/uis/dataapi/v2.0");
    assert_eq!(requests[1].params()["offset"], 1000);
    let fields = requests[0].params()["fields"].clone();
    for field in [
        "id",
        "full_name",
        "phone_numbers",
        "emails",
        "organization_name",
        "groups",
    ] {
        assert!(
            fields.as_array().unwrap().contains(&json!(field)),
            "{fields}"
        );
    }
}

#[tokio::test]
async fn an_empty_address_book_is_no_contacts() {
    let mock =
        MockPbx::start(|req| uis_result(req, json!([]), Some(json!({"total_items": 0})))).await;
    assert!(uis_client(&mock).contacts().await.unwrap().is_empty());
}
