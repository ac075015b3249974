//! UIS Data API lists of the account (reference A.5.5–A.5.7): `get.employees` (the cast,
//! each with the status [`crate::presence`] holds for them),
//! `get.virtual_numbers` (the configured lines, each with the incoming scenario),
//! `get.scenarios` ([`crate::account::UIS_SCENARIOS`]) and `get.account`
//! (`[{app_id, name, timezone}]`, the zone named after the account's `utc_offset`, by default
//! `"Europe/Moscow"`; an array of one, with `metadata` spelled
//! the general way rather than the `meta_data` of that page's example).

use std::sync::Arc;

use serde_json::{Value, json};

use crate::{
    account,
    api::{
        uis_jsonrpc::{RpcError, Success},
        uis_list,
        uis_params::Params,
    },
    presence,
    request::Direction,
    sim::Sim,
};

const EMPLOYEE_FIELDS: &[&str] = &[
    "id",
    "login",
    "first_name",
    "last_name",
    "patronymic",
    "full_name",
    "status",
    "status_id",
    "calls_available",
    "in_external_allowed_call_directions",
    "in_internal_allowed_call_directions",
    "out_external_allowed_call_directions",
    "out_internal_allowed_call_directions",
    "email",
    "call_recording",
    "schedule_id",
    "schedule_name",
    "coach",
    "groups",
    "phone_numbers",
    "extension",
    "operator",
];

const NUMBER_FIELDS: &[&str] = &[
    "id",
    "child_customer_id",
    "virtual_phone_number",
    "redirection_phone_number",
    "activation_date",
    "status",
    "category",
    "type",
    "comment",
    "name",
    "campaigns",
    "scenarios",
];

const SCENARIO_FIELDS: &[&str] = &[
    "id",
    "name",
    "virtual_phone_numbers",
    "sites",
    "campaigns",
    "operations",
];

/// `get.employees`.
pub fn get_employees(sim: &Arc<Sim>, p: Params<'_>) -> Result<Success, RpcError> {
    let app_id = sim.config.uis.app_id;
    let directions = json!(["local", "intercity", "mobile"]);
    let rows = sim
        .config
        .employees
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let words: Vec<&str> = e.name.split_whitespace().collect();
            let (first, last) = match words.as_slice() {
                [first, last] => (json!(first), json!(last)),
                _ => (json!(e.name), Value::Null),
            };
            let login = format!("op{}", e.extension);
            let status_id = sim.presence.uis(e.id);
            // `status` is filled for the standard statuses only (the docs' table).
            let status = presence::uis_status(status_id).and_then(|s| s.mnemonic);
            let calls_available =
                presence::uis_status(status_id).is_none_or(|s| s.in_external.contains(&"in"));
            uis_list::object(json!({
                "id": e.id,
                "login": login,
                "first_name": first,
                "last_name": last,
                "patronymic": null,
                "full_name": e.name,
                "status": status,
                "status_id": status_id,
                "calls_available": calls_available,
                "in_external_allowed_call_directions": directions,
                "in_internal_allowed_call_directions": ["internal"],
                "out_external_allowed_call_directions": directions,
                "out_internal_allowed_call_directions": ["internal"],
                "email": format!("{login}@trubka.example"),
                "call_recording": "all",
                "schedule_id": null,
                "schedule_name": null,
                "coach": null,
                "groups": [{"group_id": account::UIS_GROUP.0, "group_name": account::UIS_GROUP.1}],
                "phone_numbers": [{
                    "phone_id": 500_001 + i as u64,
                    "phone_number": account::uis_employee_phone(app_id, e),
                    "channels_count": 1,
                    "dial_time": 30,
                    "status": "active",
                }],
                "extension": {
                    "extension_phone_number": e.extension,
                    "extension_voice_mail_enabled": false,
                    "extension_queue_enabled": true,
                },
                "operator": null,
            }))
        })
        .collect();
    uis_list::list(sim.config.uis.app_id, p, EMPLOYEE_FIELDS, rows)
}

/// `get.virtual_numbers`.
pub fn get_virtual_numbers(sim: &Arc<Sim>, p: Params<'_>) -> Result<Success, RpcError> {
    let scenario = account::incoming_scenario();
    let rows = sim
        .config
        .uis
        .lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let toll_free = line.starts_with("7800");
            uis_list::object(json!({
                "id": account::uis_line_id(i),
                "child_customer_id": null,
                "virtual_phone_number": line,
                "redirection_phone_number": null,
                "activation_date": "2024-02-01",
                "status": "active",
                "category": if toll_free { "non_geo" } else { "geo" },
                "type": "virtual",
                "comment": null,
                "name": format!("Линия {}", i + 1),
                "campaigns": [],
                "scenarios": [{
                    "scenario_id": scenario.id,
                    "scenario_name": scenario.name,
                    "call_processing_rule_id": 1,
                    "is_active": true,
                }],
            }))
        })
        .collect();
    uis_list::list(sim.config.uis.app_id, p, NUMBER_FIELDS, rows)
}

/// `get.scenarios`.
pub fn get_scenarios(sim: &Arc<Sim>, p: Params<'_>) -> Result<Success, RpcError> {
    let rows = account::UIS_SCENARIOS
        .iter()
        .map(|s| {
            let numbers: &[String] = if s.direction == Direction::In {
                &sim.config.uis.lines
            } else {
                &[]
            };
            uis_list::object(json!({
                "id": s.id,
                "name": s.name,
                "virtual_phone_numbers": numbers,
                "sites": [],
                "campaigns": [],
                "operations": s.operations.iter()
                    .map(|(id, name)| json!({"id": id, "name": name}))
                    .collect::<Vec<_>>(),
            }))
        })
        .collect();
    uis_list::list(sim.config.uis.app_id, p, SCENARIO_FIELDS, rows)
}

/// `get.account`.
pub fn get_account(sim: &Arc<Sim>, p: Params<'_>) -> Result<Success, RpcError> {
    p.allow(&["access_token", "user_id"])?;
    if let Some(user) = p.u64("user_id")?
        && user != sim.config.uis.app_id
    {
        return Err(p.invalid("user_id"));
    }
    Ok(Success::data(json!([{
        "app_id": sim.config.uis.app_id,
        "name": account::UIS_ACCOUNT_NAME,
        "timezone": account::uis_timezone(sim.config.uis.utc_offset),
    }])))
}
