//! UIS Data API employee statuses (docs `data_api/employee/get_statuses`,
//! `data_api/employee/update_employees`): `get.statuses` lists the account's statuses
//! ([`crate::presence::UIS_STATUSES`]); `update.employees` changes an employee, of which the
//! simulator keeps `status_id` (the deprecated `status` mnemonic is accepted as well, for the
//! standard statuses).
//!
//! `update.employees` answers `{"id": …}` of the employee: the docs show an empty `result`
//! skeleton, and the other update methods answer the changed entity's id. An unknown employee
//! or status is `entity_not_found`, the refusal common to update methods; both `status` and
//! `status_id` together are `invalid_parameters_combination`. Other fields of the employee
//! the docs list are accepted and not kept.

use std::sync::Arc;

use serde_json::{Value, json};

use crate::{
    api::{
        uis_jsonrpc::{RpcError, Success},
        uis_list,
        uis_params::Params,
    },
    presence::{self, UIS_STATUSES},
    sim::Sim,
};

const STATUS_FIELDS: &[&str] = &[
    "id",
    "name",
    "mnemonic",
    "description",
    "color",
    "is_deleted",
    "in_external_allowed_call_directions",
    "in_internal_allowed_call_directions",
    "out_external_allowed_call_directions",
    "out_internal_allowed_call_directions",
    "allowed_phone_protocols",
    "is_select_allowed",
    "is_worktime",
    "is_auto_out_calls_ready",
];

/// The parameters of `update.employees` (the docs' table); only `id`, `status_id` and
/// `status` change anything in the simulator.
const UPDATE_EMPLOYEE_PARAMS: &[&str] = &[
    "access_token",
    "id",
    "user_id",
    "first_name",
    "last_name",
    "patronymic",
    "status",
    "status_id",
    "calls_available",
    "allowed_in_call_types",
    "allowed_out_call_types",
    "in_external_allowed_call_directions",
    "in_internal_allowed_call_directions",
    "out_external_allowed_call_directions",
    "out_internal_allowed_call_directions",
    "email",
    "call_recording",
    "schedule_id",
    "groups",
    "phone_numbers",
    "extension",
    "coach",
];

/// `get.statuses`; `is_deleted` (default `false`) picks deleted or live statuses, and the
/// simulated account has no deleted ones.
pub fn get_statuses(sim: &Arc<Sim>, p: Params<'_>) -> Result<Success, RpcError> {
    let deleted = p.bool("is_deleted")?.unwrap_or(false);
    let rows = if deleted {
        Vec::new()
    } else {
        UIS_STATUSES
            .iter()
            .map(|s| {
                let outgoing_only = !s.in_external.contains(&"in");
                uis_list::object(json!({
                    "id": s.id,
                    "name": s.name,
                    "mnemonic": s.mnemonic,
                    "description": s.description,
                    "color": s.color,
                    "is_deleted": false,
                    "in_external_allowed_call_directions": s.in_external,
                    "in_internal_allowed_call_directions": s.in_external,
                    "out_external_allowed_call_directions": ["in", "out"],
                    "out_internal_allowed_call_directions": ["in", "out"],
                    "allowed_phone_protocols": ["PSTN", "SIP", "SIP_TRUNK", "FMC"],
                    "is_select_allowed": true,
                    "is_worktime": s.is_worktime,
                    "is_auto_out_calls_ready": s.mnemonic == Some("auto_out_call")
                        || (s.mnemonic == Some("available") && !outgoing_only),
                }))
            })
            .collect()
    };
    uis_list::list_with(
        sim.config.uis.app_id,
        p,
        &["is_deleted"],
        STATUS_FIELDS,
        rows,
    )
}

fn not_found(field: &str, value: Value) -> RpcError {
    RpcError::new(-32602, "entity_not_found", "Entity not found").at(field, &value)
}

/// `update.employees`: sets the employee's status.
pub fn update_employees(sim: &Arc<Sim>, p: Params<'_>) -> Result<Success, RpcError> {
    p.allow(UPDATE_EMPLOYEE_PARAMS)?;
    let id = p.req_u64("id")?;
    let status_id = p.u64("status_id")?;
    let mnemonic = p.choice(
        "status",
        &[
            "available",
            "break",
            "do_not_disturb",
            "not_at_workplace",
            "not_at_work",
            "auto_out_call",
            "unknown",
        ],
    )?;
    if status_id.is_some() && mnemonic.is_some() {
        return Err(RpcError::combination("status", &json!(mnemonic)));
    }
    let employee = sim
        .config
        .employees
        .iter()
        .find(|e| e.id == id)
        .ok_or_else(|| not_found("id", json!(id)))?;
    let status = match (status_id, mnemonic) {
        (Some(status_id), _) => Some(
            presence::uis_status(status_id)
                .ok_or_else(|| not_found("status_id", json!(status_id)))?,
        ),
        (None, Some(mnemonic)) => Some(
            UIS_STATUSES
                .iter()
                .find(|s| s.mnemonic == Some(mnemonic))
                .ok_or_else(|| p.invalid("status"))?,
        ),
        (None, None) => None,
    };
    if let Some(status) = status {
        sim.presence.set_uis(employee.id, status.id);
        tracing::info!(
            employee = employee.id,
            status = status.name,
            "UIS status set"
        );
    }
    Ok(Success::data(json!({"id": employee.id})))
}
