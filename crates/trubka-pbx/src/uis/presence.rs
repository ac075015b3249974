//! UIS employee statuses (Data API; docs `data_api/employee/get_statuses`,
//! `data_api/employee/update_employees`, `data_api/employee/get_employees`): the account's
//! statuses (`get.statuses`), an employee's status (`get.employees` field `status_id`) and
//! changing it (`update.employees` with `status_id`). Routing follows the status: a status
//! lets incoming external calls through when its `in_external_allowed_call_directions` holds
//! `in` ([`EmployeeStatus::takes_incoming_calls`]).
//!
//! Standard statuses carry a `mnemonic` (`available`, `break`, `do_not_disturb`,
//! `not_at_workplace`, `not_at_work`, `auto_out_call`, `unknown`); statuses an admin added
//! have none, so an app's list of break reasons is the account's statuses that take no
//! incoming calls.

use serde::Deserialize;
use serde_json::{Map, json};

use crate::Result;
use crate::uis::UisClient;
use crate::uis::call_api::null_as_default;
use crate::uis::jsonrpc::decode;

const STATUS_FIELDS: &[&str] = &[
    "id",
    "name",
    "mnemonic",
    "description",
    "color",
    "is_deleted",
    "in_external_allowed_call_directions",
    "is_select_allowed",
    "is_worktime",
];

/// One status of the account.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct EmployeeStatus {
    pub id: u64,
    pub name: String,
    /// Set for the standard statuses only.
    pub mnemonic: Option<String>,
    pub description: Option<String>,
    /// A HEX colour (`#48b882`).
    pub color: Option<String>,
    #[serde(default)]
    pub is_deleted: bool,
    /// `in` and/or `out`: which incoming external calls the status lets through.
    #[serde(default, deserialize_with = "null_as_default")]
    pub in_external_allowed_call_directions: Vec<String>,
    /// «Возможность выбора статуса»: whether an employee may pick it.
    pub is_select_allowed: Option<bool>,
    /// «Рабочее время».
    pub is_worktime: Option<bool>,
}

impl EmployeeStatus {
    /// Whether incoming external calls ring an employee in this status.
    pub fn takes_incoming_calls(&self) -> bool {
        self.in_external_allowed_call_directions
            .iter()
            .any(|d| d == "in")
    }
}

impl UisClient {
    /// The account's live statuses (`get.statuses`), paged.
    pub async fn statuses(&self) -> Result<Vec<EmployeeStatus>> {
        self.get_all("get.statuses", STATUS_FIELDS).await
    }

    /// The `status_id` of one employee (`get.employees` filtered by `id`); `None` when UIS
    /// lists no such employee or gives no status.
    pub async fn employee_status(&self, employee_id: u64) -> Result<Option<u64>> {
        #[derive(Deserialize)]
        struct Row {
            id: u64,
            status_id: Option<u64>,
        }
        let mut params = Map::new();
        params.insert(
            "filter".to_owned(),
            json!({"field": "id", "operator": "=", "value": employee_id}),
        );
        params.insert("fields".to_owned(), json!(["id", "status_id"]));
        let success = self.data_api("get.employees", params).await?;
        let rows: Vec<Row> = match success.data {
            serde_json::Value::Null => Vec::new(),
            data => decode(data, "get.employees data")?,
        };
        Ok(rows
            .into_iter()
            .find(|row| row.id == employee_id)
            .and_then(|row| row.status_id))
    }

    /// Sets an employee's status (`update.employees` with `id` and `status_id`); an unknown
    /// employee or status is `entity_not_found`.
    pub async fn set_employee_status(&self, employee_id: u64, status_id: u64) -> Result<()> {
        let mut params = Map::new();
        params.insert("id".to_owned(), json!(employee_id));
        params.insert("status_id".to_owned(), json!(status_id));
        // The docs show an empty `result` skeleton; the answer carries nothing to read.
        self.data_api("update.employees", params).await.map(drop)
    }
}
