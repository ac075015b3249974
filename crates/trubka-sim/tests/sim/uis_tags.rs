//! UIS tags driven by trubka-pbx's real `UisClient` against the simulator: tags created and
//! found by name, set on a finished call and shown in the calls report as manual tags, taken
//! off, and every refusal with the field it names; a key without the right is `forbidden`.

use std::time::Duration;

use crate::common::Sim;
use serde_json::{Value, json};
use trubka_pbx::{PbxError, UisClient};

/// An incoming call answered and over (the simulator plays it at once).
async fn finished_call(sim: &Sim, talk_seconds: u64) -> u64 {
    let call_id = sim
        .call(
            json!({"provider": "uis", "from": "+7 926 123-45-67", "employee": "201",
                     "ivr_seconds": 1, "ring_seconds": 1, "talk_seconds": talk_seconds}),
        )
        .await;
    call_id.strip_prefix("uis:").unwrap().parse().unwrap()
}

fn field(err: &PbxError) -> (String, Option<String>) {
    match err {
        PbxError::Uis {
            mnemonic, field, ..
        } => (mnemonic.to_string(), field.clone()),
        other => panic!("expected a UIS refusal, got {other:?}"),
    }
}

/// The `tags` of the call's calls-report row (raw, to see `tag_type`).
async fn report_tags(sim: &Sim, session: u64) -> Vec<Value> {
    let from = (chrono::Utc::now() + chrono::Duration::hours(3) - chrono::Duration::hours(1))
        .format("%Y-%m-%d %H:%M:%S");
    let till = (chrono::Utc::now() + chrono::Duration::hours(4)).format("%Y-%m-%d %H:%M:%S");
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "get.calls_report",
        "params": {"access_token": crate::common::UIS_KEY, "date_from": from.to_string(),
                   "date_till": till.to_string(), "fields": ["id", "tags"],
                   "filter": {"field": "id", "operator": "=", "value": session}}});
    let answer = sim.rpc("uis/dataapi/v2.0", &body.to_string()).await;
    let rows = answer["result"]["data"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(rows.len(), 1, "{answer}");
    rows[0]["tags"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_tag_made_by_name_is_set_on_a_finished_call_and_reported() {
    let sim = Sim::start().await;
    let uis: UisClient = sim.uis();
    // The account starts with the automatic tag only.
    let tags = uis.tags().await.unwrap();
    assert_eq!(
        tags.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        ["Целевой"]
    );
    assert!(uis.tag_named("Доставка").await.unwrap().is_none());
    let id = uis.create_tag("Доставка").await.unwrap();
    assert_eq!(uis.tag_named("Доставка").await.unwrap().unwrap().id, id);
    let again = uis.create_tag("Доставка").await.unwrap_err();
    assert_eq!(
        field(&again),
        ("duplicate_entity".into(), Some("name".into()))
    );

    // A 90-second talk carries «Целевой» by itself; the manual tag comes after it.
    let session = finished_call(&sim, 90).await;
    uis.tag_call(session, id).await.unwrap();
    let twice = uis.tag_call(session, id).await.unwrap_err();
    assert_eq!(
        field(&twice),
        ("duplicate_entity".into(), Some("tag_id".into()))
    );
    let auto = uis.tag_call(session, 456).await.unwrap_err();
    assert_eq!(auto.code(), "duplicate_entity");
    let unknown_tag = uis.tag_call(session, 999).await.unwrap_err();
    assert_eq!(
        field(&unknown_tag),
        ("entity_not_found".into(), Some("tag_id".into()))
    );
    let reported = report_tags(&sim, session).await;
    assert_eq!(reported.len(), 2, "{reported:?}");
    assert_eq!(
        (&reported[0]["tag_name"], &reported[0]["tag_type"]),
        (&json!("Целевой"), &json!("auto"))
    );
    assert_eq!(
        (
            &reported[1]["tag_id"],
            &reported[1]["tag_name"],
            &reported[1]["tag_type"]
        ),
        (&json!(id), &json!("Доставка"), &json!("manual"))
    );

    // Taken off again; a second take-off has nothing to take.
    uis.untag_call(session, id).await.unwrap();
    assert_eq!(report_tags(&sim, session).await.len(), 1);
    let gone = uis.untag_call(session, id).await.unwrap_err();
    assert_eq!(
        field(&gone),
        ("entity_not_found".into(), Some("tag_id".into()))
    );

    // The request as UIS reads it.
    let logged = sim.requests_for("set.tag_communications").await;
    let params = &logged[0]["params"]["params"];
    assert_eq!(params["communication_type"], "call");
    assert_eq!(params["communication_id"], json!(session));
    assert_eq!(params["tag_id"], json!(id));
    sim.stop().await;
}

#[tokio::test]
async fn unknown_tags_unknown_or_ongoing_calls_and_a_key_without_rights_are_refused() {
    let sim = Sim::start_with(|c| {
        c.speed = 1.0;
        c.uis.forbidden_methods = vec!["create.tags".to_owned()];
    })
    .await;
    let uis = sim.uis();
    let no_right = uis.create_tag("Возврат").await.unwrap_err();
    assert_eq!(no_right.code(), "forbidden");
    assert!(uis.tag_named("Возврат").await.unwrap().is_none());

    let unknown_call = uis.tag_call(1, 456).await.unwrap_err();
    assert_eq!(
        field(&unknown_call),
        ("entity_not_found".into(), Some("communication_id".into()))
    );
    // Played in real time, the call is still going on: no communication in the reports yet.
    let ongoing = finished_call(&sim, 600).await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    let early = uis.tag_call(ongoing, 456).await.unwrap_err();
    assert_eq!(
        field(&early),
        ("entity_not_found".into(), Some("communication_id".into()))
    );
    let answer = sim
        .rpc(
            "uis/dataapi/v2.0",
            &json!({"jsonrpc": "2.0", "id": 2, "method": "set.tag_communications",
                    "params": {"access_token": crate::common::UIS_KEY, "communication_type": "call",
                               "tag_id": 456}})
            .to_string(),
        )
        .await;
    assert_eq!(
        answer["error"]["data"]["mnemonic"], "required_parameter_missed",
        "{answer}"
    );
    assert_eq!(answer["error"]["data"]["field"], "communication_id");
    sim.stop().await;
}

#[tokio::test]
async fn get_tags_sorts_by_name_but_not_by_is_system() {
    let sim = Sim::start().await;
    let get_tags = |sort: Value| {
        json!({"jsonrpc": "2.0", "id": 3, "method": "get.tags",
               "params": {"access_token": crate::common::UIS_KEY, "sort": sort}})
        .to_string()
    };
    let by_name = sim
        .rpc(
            "uis/dataapi/v2.0",
            &get_tags(json!([{"field": "name", "order": "desc"}])),
        )
        .await;
    assert_eq!(by_name["result"]["data"][0]["name"], "Целевой", "{by_name}");
    // Neither `get.tags` page marks `is_system` sortable.
    let by_system = sim
        .rpc(
            "uis/dataapi/v2.0",
            &get_tags(json!([{"field": "is_system", "order": "asc"}])),
        )
        .await;
    assert_eq!(by_system["error"]["code"], -32602, "{by_system}");
    assert_eq!(by_system["error"]["data"]["mnemonic"], "sort_prohibited");
    assert_eq!(by_system["error"]["data"]["field"], "sort.field");
    sim.stop().await;
}
