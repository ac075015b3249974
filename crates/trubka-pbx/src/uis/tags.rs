//! UIS tags on calls (Data API; docs `data_api/tag/{get_tags,create_tags,
//! set_tag_communications,unset_tag_communications}`): the account's tags (`get.tags`), one by
//! name, a new one (`create.tags`), and a tag set on or taken off a finished call
//! (`set.tag_communications`, `unset.tag_communications` with `communication_type` `call`), so
//! UIS's reports show it (`get.calls_report` field `tags`).
//!
//! A call is named by its `communication_id`, which the calls report gives
//! (`CallReportRow::communication_id`, or the row's session id where it gives none, as
//! `records` reads it): the docs name both for calls and show no call where they differ.
//!
//! Refusals are the common ones of `set`/`create` verbs: `entity_not_found` (an unknown tag or
//! call; `field` says which), `duplicate_entity` (a tag of that name exists, or the call has
//! the tag already), `forbidden` (the key's user may not change tags).

use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::Result;
use crate::uis::UisClient;
use crate::uis::jsonrpc::{bad, decode};

const TAG_FIELDS: &[&str] = &["id", "name", "is_system"];

/// One tag of the account.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct UisTag {
    pub id: u64,
    pub name: String,
    /// A system tag cannot be deleted.
    #[serde(default)]
    pub is_system: bool,
}

impl UisClient {
    /// Every tag of the account (`get.tags`), paged.
    pub async fn tags(&self) -> Result<Vec<UisTag>> {
        self.get_all("get.tags", TAG_FIELDS).await
    }

    /// The tag named exactly `name` (`get.tags` filtered by `name`), if the account has one.
    pub async fn tag_named(&self, name: &str) -> Result<Option<UisTag>> {
        let mut params = Map::new();
        params.insert(
            "filter".to_owned(),
            json!({"field": "name", "operator": "=", "value": name}),
        );
        params.insert("fields".to_owned(), json!(TAG_FIELDS));
        let success = self.data_api("get.tags", params).await?;
        let rows: Vec<UisTag> = match success.data {
            Value::Null => Vec::new(),
            data => decode(data, "get.tags data")?,
        };
        // The filter's `=` is UIS's to apply; the name is checked here as well.
        Ok(rows.into_iter().find(|tag| tag.name == name))
    }

    /// Creates a tag named `name` (`create.tags`) and answers its id; a name the account has
    /// already is `duplicate_entity`.
    pub async fn create_tag(&self, name: &str) -> Result<u64> {
        #[derive(Deserialize)]
        struct Created {
            id: u64,
        }
        let mut params = Map::new();
        params.insert("name".to_owned(), json!(name));
        let success = self.data_api("create.tags", params).await?;
        if success.data.is_null() {
            return Err(bad("create.tags answered no id".to_owned()));
        }
        Ok(decode::<Created>(success.data, "create.tags data")?.id)
    }

    /// Sets tag `tag_id` on the finished call `communication_id` (`set.tag_communications`,
    /// `communication_type` `call`).
    pub async fn tag_call(&self, communication_id: u64, tag_id: u64) -> Result<()> {
        self.data_api("set.tag_communications", call_tag(communication_id, tag_id))
            .await
            .map(drop)
    }

    /// Takes tag `tag_id` off the call `communication_id` (`unset.tag_communications`).
    pub async fn untag_call(&self, communication_id: u64, tag_id: u64) -> Result<()> {
        self.data_api(
            "unset.tag_communications",
            call_tag(communication_id, tag_id),
        )
        .await
        .map(drop)
    }
}

fn call_tag(communication_id: u64, tag_id: u64) -> Map<String, Value> {
    let mut params = Map::new();
    params.insert("communication_id".to_owned(), json!(communication_id));
    params.insert("communication_type".to_owned(), json!("call"));
    params.insert("tag_id".to_owned(), json!(tag_id));
    params
}
