//! The Data API report of sent notifications (`get.notifications`, reference A.5.9; U1
//! `data_api/report_new/flat/get_notifications`), so an admin sees what UIS sent where without
//! a real call.
//!
//! The method needs the «Data API для настройки» option, a `report_id` of one of the user's
//! reports (`get.reports_list`), `date_from`/`date_till` (`YYYY-MM-DD hh:mm:ss`, at most 366
//! days) and `fields`: without `fields` the answer is empty, so every field read here is asked
//! for. The ids are typed `string` in the field table and numbers in the example; both are
//! read. `event_type`, `notification_status`, `notification_channel` and
//! `notification_error_type` are `{value, value_id}` objects (the example: `{"value":
//! "Отправлено", "value_id": "sent"}`, channel `http_request`).

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::Result;
use crate::uis::UisClient;
use crate::uis::call_api::null_as_default;
use crate::uis::jsonrpc::decode;

const DATE_FORMAT: &str = "%Y-%m-%d %H:%M:%S";
/// The longest period `get.notifications` accepts.
pub const MAX_NOTIFICATION_DAYS: i64 = 366;

const REPORT_FIELDS: &[&str] = &["id", "type", "name"];
const NOTIFICATION_FIELDS: &[&str] = &[
    "notification_id",
    "notification_name",
    "notification_send_to",
    "event_type",
    "communication_id",
    "notification_status",
    "notification_channel",
    "notification_error_type",
    "notification_error_message",
    "notification_send_date_time",
];

/// One of the user's reports (`get.reports_list`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct UserReport {
    pub id: u64,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub name: Option<String>,
}

/// A `{value, value_id}` of the report: the cabinet's words and the stable id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Labelled {
    #[serde(default, deserialize_with = "text")]
    pub value: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub value_id: Option<String>,
}

/// One sent (or failed) notification.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SentNotification {
    #[serde(default, deserialize_with = "text")]
    pub notification_id: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub notification_name: Option<String>,
    /// The URL (or address) it went to, token included: never print it unmasked.
    #[serde(default, deserialize_with = "text")]
    pub notification_send_to: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub event_type: Labelled,
    #[serde(default, deserialize_with = "text")]
    pub communication_id: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub notification_status: Labelled,
    #[serde(default, deserialize_with = "null_as_default")]
    pub notification_channel: Labelled,
    #[serde(default, deserialize_with = "null_as_default")]
    pub notification_error_type: Labelled,
    #[serde(default, deserialize_with = "text")]
    pub notification_error_message: Option<String>,
    /// `YYYY-MM-DD hh:mm:ss` in the account's zone, as UIS wrote it.
    #[serde(default, deserialize_with = "text")]
    pub notification_send_date_time: Option<String>,
}

impl SentNotification {
    /// Whether UIS reports this one as delivered: status `sent` and no error.
    pub fn delivered(&self) -> bool {
        self.notification_status.value_id.as_deref() == Some("sent")
            && self.notification_error_type.value_id.is_none()
            && self
                .notification_error_message
                .as_deref()
                .is_none_or(|m| m.trim().is_empty())
    }
}

/// A string, number or null as optional text.
fn text<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(deserializer)? {
        Value::Null => None,
        Value::String(s) => Some(s),
        other => Some(other.to_string()),
    })
}

impl UisClient {
    /// The user's reports (`get.reports_list`), paged.
    pub async fn reports_list(&self) -> Result<Vec<UserReport>> {
        self.get_all("get.reports_list", REPORT_FIELDS).await
    }

    /// Up to `limit` notifications sent in `[from, till]` (at most 366 days), newest first,
    /// read through the report `report_id`.
    pub async fn notifications(
        &self,
        report_id: u64,
        from: DateTime<Utc>,
        till: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<SentNotification>> {
        if from > till || (till - from).num_days() > MAX_NOTIFICATION_DAYS {
            return Err(crate::PbxError::InvalidArgument(format!(
                "the notifications period must be at most {MAX_NOTIFICATION_DAYS} days, \
                 from before till"
            )));
        }
        let mut params = Map::new();
        params.insert("report_id".to_owned(), json!(report_id));
        params.insert(
            "date_from".to_owned(),
            json!(self.local(from).format(DATE_FORMAT).to_string()),
        );
        params.insert(
            "date_till".to_owned(),
            json!(self.local(till).format(DATE_FORMAT).to_string()),
        );
        params.insert(
            "limit".to_owned(),
            json!(limit.clamp(1, super::data_api::MAX_LIMIT)),
        );
        params.insert("offset".to_owned(), json!(0));
        params.insert("fields".to_owned(), json!(NOTIFICATION_FIELDS));
        params.insert(
            "sort".to_owned(),
            json!([{"field": "notification_send_date_time", "order": "desc"}]),
        );
        let success = self.data_api("get.notifications", params).await?;
        let data = match success.data {
            Value::Null => Value::Array(Vec::new()),
            data => data,
        };
        decode(data, "get.notifications data")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_example_row_is_read() {
        let row = json!({
            "event_type": {"value": "Проставление тега", "value_id": "set_mark"},
            "notification_id": 5578312959u64,
            "communication_id": 784617,
            "notification_name": "UC-Flow",
            "communication_type": {"value": "Электронные письма", "value_id": "email"},
            "notification_delay": 2,
            "notification_status": {"value": "Отправлено", "value_id": "sent"},
            "notification_channel": {"value": "HTTP", "value_id": "http_request"},
            "notification_message": "{}",
            "notification_send_to": "https://example.com/hook/x",
            "notification_sms_count": null,
            "notification_error_type": null,
            "notification_error_message": null,
            "notification_send_date_time": "2024-10-25 10:12:09",
            "notification_start_date_time": "2024-10-25 10:12:07"
        });
        let sent: SentNotification = serde_json::from_value(row).unwrap();
        assert_eq!(sent.notification_id.as_deref(), Some("5578312959"));
        assert_eq!(sent.event_type.value_id.as_deref(), Some("set_mark"));
        assert_eq!(
            sent.notification_channel.value_id.as_deref(),
            Some("http_request")
        );
        assert!(sent.delivered());
        let failed: SentNotification = serde_json::from_value(json!({
            "notification_status": {"value": "Ошибка", "value_id": "error"},
            "notification_error_message": "HTTP 404",
        }))
        .unwrap();
        assert!(!failed.delivered());
    }
}
