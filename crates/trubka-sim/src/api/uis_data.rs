//! UIS Data API `get.calls_report` (reference A.5.2) over the simulator's UIS calls: those it
//! played (incoming via `POST /sim/calls` and the generator, started through the Call API) and
//! the back-filled ones, whether or not their notifications were delivered.
//!
//! `date_from` and `date_till` are required, `YYYY-MM-DD hh:mm:ss` in the account time zone
//! (`utc_offset`, Moscow by default), and select calls by `start_time`, both ends inclusive.
//! A period longer than 3 calendar months is `date_interval_limit_reached`. Calls still in progress are left
//! out unless `include_ongoing_calls` is `true` (they then have no `finish_time`). Rows come
//! in `start_time` order unless `sort` says otherwise; `limit`, `offset`, `fields` and
//! `filter` work as on every list ([`crate::api::uis_list`]).

use std::sync::Arc;

use chrono::{Months, NaiveDateTime};
use serde_json::{Map, Value, json};
use tokio::time::Instant;

use crate::{
    account,
    api::{
        uis_jsonrpc::{RpcError, Success},
        uis_list::{self, LIST_PARAMS},
        uis_params::Params,
    },
    control,
    history::CallEntry,
    scenario::{CallPlan, Direction, Provider, secs},
    sim::Sim,
    uis_notify,
};

const DATE_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

/// Every field a report row has; the marketing fields the simulator does not model are
/// `null` (or `[]` for lists).
pub const REPORT_FIELDS: &[&str] = &[
    "id",
    "start_time",
    "finish_time",
    "finish_reason",
    "direction",
    "source",
    "is_lost",
    "is_transfer",
    "contact_phone_number",
    "virtual_phone_number",
    "communication_id",
    "communication_type",
    "communication_number",
    "wait_duration",
    "total_wait_duration",
    "talk_duration",
    "clean_talk_duration",
    "total_duration",
    "postprocess_duration",
    "lost_call_processing_duration",
    "call_records",
    "wav_call_records",
    "full_record_file_link",
    "voice_mail_records",
    "tags",
    "employees",
    "first_answered_employee_id",
    "first_answered_employee_full_name",
    "last_answered_employee_id",
    "last_answered_employee_full_name",
    "last_answered_employee_rating",
    "first_talked_employee_id",
    "first_talked_employee_full_name",
    "last_talked_employee_id",
    "last_talked_employee_full_name",
    "operator_phone_number",
    "scenario_id",
    "scenario_name",
    "scenario_operations",
    "call_api_request_id",
    "call_api_external_id",
    "contact_id",
    "contact_full_name",
    "cpn_region_id",
    "cpn_region_name",
    "ext_id",
    "site_id",
    "site_domain_name",
    "campaign_id",
    "campaign_name",
    "visitor_id",
    "visitor_session_id",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_content",
    "utm_term",
    "channel",
    "gclid",
    "yclid",
    "ymclid",
    "ua_client_id",
    "ym_client_id",
    "attributes",
    "segments",
    "source_id",
    "source_name",
    "sale_date",
    "sale_cost",
];

/// `get.calls_report`.
pub fn get_calls_report(sim: &Arc<Sim>, p: Params<'_>) -> Result<Success, RpcError> {
    let allowed: Vec<&str> = LIST_PARAMS
        .iter()
        .copied()
        .chain(["date_from", "date_till", "include_ongoing_calls"])
        .collect();
    p.allow(&allowed)?;
    let from = date(p, "date_from")?;
    let till = date(p, "date_till")?;
    if from > till {
        return Err(RpcError::combination(
            "date_till",
            &json!(p.req_str("date_till")?),
        ));
    }
    if from
        .checked_add_months(Months::new(3))
        .is_none_or(|limit| till > limit)
    {
        return Err(RpcError::new(
            -32602,
            "date_interval_limit_reached",
            "The date interval must not exceed 3 months",
        )
        .at("date_till", &json!(p.req_str("date_till")?)));
    }
    let ongoing = p.bool("include_ongoing_calls")?.unwrap_or(false);
    let mut request = uis_list::parse(p, REPORT_FIELDS, sim.config.uis.app_id)?;
    if request.sort.is_empty() {
        request.sort = vec![("start_time".to_owned(), false), ("id".to_owned(), false)];
    }
    let now = Instant::now();
    let mut rows = Vec::new();
    for entry in sim.history.list(Provider::Uis) {
        let row = entry.with_plan(|plan| {
            let start = account::local(plan.started_at, sim.config.uis.utc_offset).naive_local();
            if start < from || start > till {
                return None;
            }
            let active = entry.timeline_ms(now) < plan.end_ms;
            if active && !ongoing {
                return None;
            }
            Some(report_row(
                sim,
                &entry,
                plan,
                active.then(|| entry.timeline_ms(now)),
            ))
        });
        rows.extend(row);
    }
    let (page, total) = uis_list::apply(rows, &request);
    Ok(Success {
        data: Value::Array(page),
        total_items: Some(total),
        call_id: None,
    })
}

fn date(p: Params<'_>, name: &str) -> Result<NaiveDateTime, RpcError> {
    let text = p.req_str(name)?;
    NaiveDateTime::parse_from_str(text, DATE_FORMAT).map_err(|_| p.invalid(name))
}

/// One row of the report; `position` is where an ongoing call is on its timeline.
fn report_row(
    sim: &Sim,
    entry: &CallEntry,
    plan: &CallPlan,
    position: Option<u64>,
) -> Map<String, Value> {
    let session = plan.session_id();
    let first = plan.first_answered().map(|i| &plan.legs[i]);
    let last = plan.last_answered().map(|i| &plan.legs[i]);
    let id = |leg: Option<&crate::scenario::Leg>| json!(leg.map(|l| l.employee.id));
    let name = |leg: Option<&crate::scenario::Leg>| json!(leg.map(|l| l.employee.name.clone()));
    let records: Vec<String> = (0..plan.legs.len())
        .filter_map(|i| plan.uis_record_id(i))
        .collect();
    let mut employees: Vec<Value> = Vec::new();
    for leg in &plan.legs {
        let talked = plan
            .legs
            .iter()
            .any(|l| l.employee == leg.employee && l.answer_ms.is_some());
        if !employees
            .iter()
            .any(|e| e["employee_id"] == json!(leg.employee.id))
        {
            employees.push(json!({
                "employee_id": leg.employee.id,
                "employee_full_name": leg.employee.name,
                "is_answered": talked,
                "is_talked": talked,
            }));
        }
    }
    let scenario = uis_notify::scenario(plan);
    let (tag_ids, tag_names) = uis_notify::tags(plan);
    let tag_time = uis_notify::data_api_time(plan.at(plan.end_ms), sim.config.uis.utc_offset);
    let mut tags: Vec<Value> = tag_ids
        .as_array()
        .into_iter()
        .flatten()
        .zip(tag_names.as_array().into_iter().flatten())
        .map(|(tag_id, tag_name)| {
            json!({"tag_id": tag_id, "tag_name": tag_name, "tag_type": "auto",
                   "tag_change_time": tag_time, "tag_user_id": null, "tag_user_login": null,
                   "tag_employee_id": null, "tag_employee_full_name": null})
        })
        .collect();
    // Tags set through the Data API; the key's user is not modelled, so nobody is named.
    tags.extend(sim.tags.on_call(session).into_iter().map(|(tag, at)| {
        json!({"tag_id": tag.id, "tag_name": tag.name, "tag_type": "manual",
               "tag_change_time": uis_notify::data_api_time(at, sim.config.uis.utc_offset),
               "tag_user_id": null, "tag_user_login": null,
               "tag_employee_id": null, "tag_employee_full_name": null})
    }));
    let region = plan.contact.uis.as_deref().and_then(crate::cast::region);
    let wait = secs(plan.wait_ms());
    // «Чистая длительность разговора» counts only the time the contact talked with an
    // employee: holds are left out.
    let held = secs(control::held_ms(plan, position.unwrap_or(plan.end_ms)));
    let (finish_time, finish_reason, total, talk) = match position {
        None => (
            json!(uis_notify::data_api_time(
                plan.at(plan.end_ms),
                sim.config.uis.utc_offset
            )),
            json!(uis_notify::finish_reason(plan)),
            plan.total_seconds(),
            plan.talk_seconds(),
        ),
        Some(at) => {
            let talk = plan
                .first_answered()
                .and_then(|i| plan.legs[i].answer_ms)
                .filter(|a| *a <= at)
                .map_or(0, |a| secs(at - a));
            (Value::Null, Value::Null, secs(at), talk)
        }
    };
    let mut row = Map::new();
    let mut put = |key: &str, value: Value| {
        row.insert(key.to_owned(), value);
    };
    put("id", json!(session));
    put(
        "start_time",
        json!(uis_notify::data_api_time(
            plan.started_at,
            sim.config.uis.utc_offset
        )),
    );
    put("finish_time", finish_time);
    put("finish_reason", finish_reason);
    put(
        "direction",
        json!(if plan.direction == Direction::In {
            "in"
        } else {
            "out"
        }),
    );
    put(
        "source",
        json!(plan.origin.source.uis_source(plan.direction)),
    );
    put("is_lost", json!(uis_notify::is_lost(plan)));
    put("is_transfer", json!(plan.transferred()));
    put("contact_phone_number", json!(plan.contact.uis));
    put("virtual_phone_number", json!(plan.line));
    put("communication_id", json!(session));
    put("communication_type", json!("call"));
    put("communication_number", json!(entry.communication_number));
    put("wait_duration", json!(wait));
    put("total_wait_duration", json!(wait));
    put("talk_duration", json!(talk));
    put("clean_talk_duration", json!(talk.saturating_sub(held)));
    put("total_duration", json!(total));
    put("postprocess_duration", json!(0));
    put("lost_call_processing_duration", Value::Null);
    put("call_records", json!(records));
    put("wav_call_records", json!([]));
    put("full_record_file_link", Value::Null);
    put("voice_mail_records", json!([]));
    put("tags", json!(tags));
    put("employees", json!(employees));
    put("first_answered_employee_id", id(first));
    put("first_answered_employee_full_name", name(first));
    put("last_answered_employee_id", id(last));
    put("last_answered_employee_full_name", name(last));
    put("last_answered_employee_rating", Value::Null);
    put("first_talked_employee_id", id(first));
    put("first_talked_employee_full_name", name(first));
    put("last_talked_employee_id", id(last));
    put("last_talked_employee_full_name", name(last));
    put(
        "operator_phone_number",
        json!(last.map(|l| account::uis_employee_phone(sim.config.uis.app_id, &l.employee))),
    );
    put("scenario_id", json!(scenario.as_ref().map(|s| s.id)));
    put(
        "scenario_name",
        json!(scenario.as_ref().map(|s| s.name.clone())),
    );
    put(
        "scenario_operations",
        json!(scenario.map_or_else(Vec::new, |s| {
            s.operations
                .iter()
                .map(|(id, name)| json!({"id": id, "name": name}))
                .collect()
        })),
    );
    put("call_api_request_id", Value::Null);
    put("call_api_external_id", json!(plan.origin.external_id));
    put("contact_id", json!(plan.contact.contact_id));
    put("contact_full_name", json!(plan.contact.name));
    put("cpn_region_id", json!(region.map(|r| r.0)));
    put("cpn_region_name", json!(region.map(|r| r.1)));
    for field in REPORT_FIELDS {
        if !row.contains_key(*field) {
            let empty = if matches!(*field, "attributes" | "segments") {
                json!([])
            } else {
                Value::Null
            };
            row.insert((*field).to_owned(), empty);
        }
    }
    row
}
