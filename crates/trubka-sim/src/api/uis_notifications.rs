//! UIS Data API `get.reports_list` and `get.notifications` (reference A.5.9; U1
//! `data_api/report_new/flat/get_notifications`): the report of the notifications the
//! simulator actually sent, read from its delivery log ([`crate::sender::DeliveryLog`]).
//!
//! As documented: `report_id` (one of `get.reports_list`'s), `date_from` and `date_till`
//! (`YYYY-MM-DD hh:mm:ss` in the account's zone, at most 366 days) are required; without
//! `fields` the answer is empty; `limit`, `offset`, `sort` and `filter` work as on every list.
//! `notification_send_to` is the URL with the hook token, as the cabinet shows it.
//!
//! What the docs leave open, chosen here (docs/protocol.md, «get.notifications»): the report
//! types list names no notifications report, so every report of the user is accepted as
//! `report_id`; a delivered notification is `{"value": "Отправлено", "value_id": "sent"}` (the
//! documented example), one that failed `{"value": "Ошибка", "value_id": "error"}` with the
//! error type `http_error` (the relay answered non-2xx) or `connection_error` (no answer) and
//! the message `HTTP 404` or the transport error; `event_type.value_id` is the relay's kind
//! (`started`, …), since the mnemonics of call events are not published.

use std::sync::Arc;

use chrono::{NaiveDateTime, Timelike};
use serde_json::{Map, Value, json};

use crate::{
    account,
    api::{
        uis_jsonrpc::{RpcError, Success},
        uis_list::{self, LIST_PARAMS},
        uis_params::Params,
    },
    sender::Delivery,
    sim::Sim,
};

const DATE_FORMAT: &str = "%Y-%m-%d %H:%M:%S";
const MAX_DAYS: i64 = 366;

/// The user's reports: `(id, type, name)`.
pub const REPORTS: &[(u64, &str, &str)] = &[
    (101, "calls", "Звонки"),
    (102, "communications", "Обращения"),
];

const REPORT_FIELDS: &[&str] = &[
    "id",
    "type",
    "name",
    "description",
    "group_id",
    "sort",
    "is_mobile",
    "is_editable",
    "is_favorite",
    "date_time_added_to_favorite",
];

const NOTIFICATION_FIELDS: &[&str] = &[
    "notification_id",
    "notification_name",
    "notification_delay",
    "notification_message",
    "notification_send_to",
    "notification_sms_count",
    "event_type",
    "communication_id",
    "communication_type",
    "notification_status",
    "notification_channel",
    "notification_error_type",
    "notification_error_message",
    "notification_send_date_time",
    "notification_start_date_time",
];

/// `get.reports_list`.
pub fn get_reports_list(sim: &Arc<Sim>, p: Params<'_>) -> Result<Success, RpcError> {
    p.allow(LIST_PARAMS)?;
    let request = uis_list::parse(p, REPORT_FIELDS, sim.config.uis.app_id)?;
    let rows = REPORTS
        .iter()
        .enumerate()
        .map(|(i, (id, kind, name))| {
            uis_list::object(json!({
                "id": id,
                "type": kind,
                "name": name,
                "description": null,
                "group_id": 1,
                "sort": (i + 1) * 100,
                "is_mobile": false,
                "is_editable": false,
                "is_favorite": false,
                "date_time_added_to_favorite": null,
            }))
        })
        .collect();
    let (page, total) = uis_list::apply(rows, &request);
    Ok(Success {
        data: Value::Array(page),
        total_items: Some(total),
        call_id: None,
    })
}

/// `get.notifications`.
pub fn get_notifications(sim: &Arc<Sim>, p: Params<'_>) -> Result<Success, RpcError> {
    let allowed: Vec<&str> = LIST_PARAMS
        .iter()
        .copied()
        .chain(["report_id", "date_from", "date_till"])
        .collect();
    p.allow(&allowed)?;
    let report = p.req_u64("report_id")?;
    if !REPORTS.iter().any(|(id, _, _)| *id == report) {
        return Err(p.invalid("report_id"));
    }
    let from = date(p, "date_from")?;
    let till = date(p, "date_till")?;
    if from > till {
        return Err(RpcError::combination(
            "date_till",
            &json!(p.req_str("date_till")?),
        ));
    }
    if (till - from).num_days() > MAX_DAYS {
        return Err(RpcError::new(
            -32602,
            "date_interval_limit_reached",
            "The date interval must not exceed 366 days",
        )
        .at("date_till", &json!(p.req_str("date_till")?)));
    }
    let mut request = uis_list::parse(p, NOTIFICATION_FIELDS, sim.config.uis.app_id)?;
    if request.sort.is_empty() {
        request.sort = vec![("notification_id".to_owned(), false)];
    }
    let offset = sim.config.uis.utc_offset;
    let rows: Vec<Map<String, Value>> = sim
        .sender
        .log
        .snapshot()
        .iter()
        .filter(|d| d.call_id.starts_with("uis:"))
        .filter_map(|d| {
            // The report's times have whole seconds; a period ending "now" must include a
            // notification sent within this second.
            let at = account::local(d.at, offset).naive_local();
            let at = at.with_nanosecond(0).unwrap_or(at);
            (from..=till).contains(&at).then(|| row(d, at))
        })
        .collect();
    let (page, total) = uis_list::apply(rows, &request);
    // "Если параметр пуст или не передан, ответ будет пустым."
    let asked = p.array("fields")?.is_some_and(|fields| !fields.is_empty());
    Ok(Success {
        data: Value::Array(if asked { page } else { Vec::new() }),
        total_items: Some(total),
        call_id: None,
    })
}

fn date(p: Params<'_>, name: &str) -> Result<NaiveDateTime, RpcError> {
    let text = p.req_str(name)?;
    NaiveDateTime::parse_from_str(text, DATE_FORMAT).map_err(|_| p.invalid(name))
}

fn row(delivery: &Delivery, at: NaiveDateTime) -> Map<String, Value> {
    let session = delivery.call_id.trim_start_matches("uis:");
    let delivered = delivery.status.is_some_and(|s| (200..300).contains(&s));
    let (status, error_type, message) = if delivered {
        (
            json!({"value": "Отправлено", "value_id": "sent"}),
            Value::Null,
            Value::Null,
        )
    } else {
        let (error_type, message) = match (delivery.status, &delivery.error) {
            (Some(status), _) => (
                json!({"value": "Ошибка HTTP", "value_id": "http_error"}),
                json!(format!("HTTP {status}")),
            ),
            (None, error) => (
                json!({"value": "Ошибка соединения", "value_id": "connection_error"}),
                json!(error.clone().unwrap_or_default()),
            ),
        };
        (
            json!({"value": "Ошибка", "value_id": "error"}),
            error_type,
            message,
        )
    };
    let time = json!(at.format(DATE_FORMAT).to_string());
    uis_list::object(json!({
        "notification_id": delivery.seq,
        "notification_name": delivery.what,
        "notification_delay": 0,
        "notification_message": null,
        "notification_send_to": delivery.sent_to,
        "notification_sms_count": null,
        "event_type": {"value": delivery.what, "value_id": delivery.kind},
        "communication_id": session.parse::<u64>().map(Value::from).unwrap_or(Value::Null),
        "communication_type": {"value": "Звонки", "value_id": "call"},
        "notification_status": status,
        "notification_channel": {"value": "HTTP", "value_id": "http_request"},
        "notification_error_type": error_type,
        "notification_error_message": message,
        "notification_send_date_time": time,
        "notification_start_date_time": time,
    }))
}
