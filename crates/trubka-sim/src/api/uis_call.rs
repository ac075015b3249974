//! UIS Call API methods (reference A.3, A.4): `start.employee_call`, `start.scenario_call`,
//! `release.call`, `list.calls` (the control methods are [`crate::api::uis_control`]'s).
//!
//! `list.calls` shows where the control methods took a call: the contact's leg «На
//! удержании» while held (also while a consultation call rings or talks) and «Перевод
//! вызова» while a blind transfer waits for the colleague; the employee and the colleague
//! «Разговор операторов» while they talk; consultation, transfer and coach legs as the
//! call's participants.
//!
//! A started call is played like any other call of the simulator: an outgoing call of the
//! employee (for a scenario call, of the employee the scenario's group picks) to the contact,
//! on the virtual number given, with the notifications an outgoing call sends («Исходящий
//! звонок», «Ожидание ответа», …) carrying `external_id` and `call_source` `callapi` (or
//! `callapi_scenario_call` and the scenario). How it ends follows the simulator's API outcome
//! rule ([`crate::config::ApiOutcome`]): by default the dialled number's last two digits, `00`
//! busy, `99` no answer, `98` cancelled, anything else answered. `direction` is checked but
//! the call is always played as outgoing: the simulator's click-to-call is an outgoing call.

use std::sync::Arc;

use serde_json::{Value, json};
use tokio::time::Instant;

use crate::{
    account,
    api::{
        uis_jsonrpc::{RpcError, Success},
        uis_params::Params,
    },
    cast,
    control::{self, CallState},
    error::CallRequestError,
    scenario::{CallOrigin, CallPlan, CallRequest, Direction, Provider, Routing, Source},
    sim::Sim,
};

/// The parameters of `start.employee_call`.
const EMPLOYEE_CALL_PARAMS: &[&str] = &[
    "access_token",
    "first_call",
    "switch_at_once",
    "early_switching",
    "media_file_id",
    "virtual_phone_number",
    "virtual_phone_usage_rule",
    "show_virtual_phone_number",
    "contact",
    "external_id",
    "dtmf_string",
    "direction",
    "employee",
    "contact_message",
    "employee_message",
];

/// The parameters of `start.scenario_call`.
const SCENARIO_CALL_PARAMS: &[&str] = &[
    "access_token",
    "virtual_phone_number",
    "virtual_phone_usage_rule",
    "external_id",
    "dtmf_string",
    "contact",
    "first_call",
    "switch_at_once",
    "early_switching",
    "scenario_id",
    "direction",
    "contact_message",
    "employee_message",
];

/// The longest TTS message the simulated tariff allows («Длина TTS сообщения»).
pub const TTS_LIMIT: usize = 1000;

const USAGE_RULES: &[&str] = &[
    "fixed",
    "fixed_for_numa",
    "random",
    "regional_random",
    "regional_fixed_for_numa",
];

/// What every call-creating method checks and needs.
struct Common<'a> {
    line: &'a str,
    contact: &'a str,
    external_id: Option<&'a str>,
}

/// Which method is checking: the docs give `contact_in_blacklist` a different code on each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    Employee,
    Scenario,
}

fn common<'a>(sim: &Sim, p: Params<'a>, method: Method) -> Result<Common<'a>, RpcError> {
    // Required on both methods (the docs' tables say «да»).
    let first_call = p.req_choice("first_call", &["employee", "contact"])?;
    let switch_at_once = p.bool("switch_at_once")?.unwrap_or(false);
    if p.bool("early_switching")? == Some(true) && !(first_call == "employee" && switch_at_once) {
        return Err(RpcError::combination("early_switching", &json!(true)));
    }
    p.bool("show_virtual_phone_number")?;
    p.u64("media_file_id")?;
    p.choice("virtual_phone_usage_rule", USAGE_RULES)?;
    p.choice("direction", &["in", "out"])?;
    let external_id = p.str("external_id")?;
    if let Some(dtmf) = p.str("dtmf_string")?
        && !dtmf
            .chars()
            .all(|c| c.is_ascii_digit() || "*#.".contains(c))
    {
        return Err(p.invalid("dtmf_string"));
    }
    for name in ["contact_message", "employee_message"] {
        if let Some(message) = p.object(name)? {
            message.allow(&["type", "value"])?;
            let kind = message.req_choice("type", &["media", "tts"])?;
            let value = message.req_str("value")?;
            match kind {
                "tts" if value.chars().count() > TTS_LIMIT => {
                    return Err(
                        RpcError::new(-32602, "tts_text_exceeded", "TTS text is too long")
                            .at(&format!("{name}.value"), &json!(value)),
                    );
                }
                "media" if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) => {
                    return Err(message.invalid("value"));
                }
                _ => {}
            }
        }
    }
    let line = p.req_str("virtual_phone_number")?;
    if line.is_empty() || !line.bytes().all(|b| b.is_ascii_digit()) {
        return Err(p.invalid("virtual_phone_number"));
    }
    if !sim.config.uis.lines.iter().any(|l| l == line) {
        return Err(RpcError::new(
            -32007,
            "virtual_phone_number_not_found",
            "Virtual phone number not found",
        )
        .at("virtual_phone_number", &json!(line)));
    }
    let contact = p.req_str("contact")?;
    // E.164 digits without `+` (never starting with 0), or an employee's SIP number, which
    // the docs allow; internal (short) numbers are not supported.
    let e164 = (7..=15).contains(&contact.len())
        && contact.bytes().all(|b| b.is_ascii_digit())
        && !contact.starts_with('0');
    let sip = sim
        .config
        .employees
        .iter()
        .any(|e| account::uis_employee_phone(sim.config.uis.app_id, e) == contact);
    if !(e164 || sip) {
        return Err(p.invalid("contact"));
    }
    if sim.config.uis.lines.iter().any(|l| l == contact) {
        return Err(RpcError::new(
            -32602,
            "own_virtual_phone_number_not_allowed",
            "Calls to the account's own virtual numbers are not allowed",
        )
        .at("contact", &json!(contact)));
    }
    if sim
        .config
        .uis
        .blacklist
        .iter()
        .any(|b| cast::uis_number(b).as_deref() == Some(contact))
    {
        // -32002 on `start.employee_call`, -32602 on `start.scenario_call`: as the two
        // methods' error tables say.
        let code = match method {
            Method::Employee => -32002,
            Method::Scenario => -32602,
        };
        return Err(RpcError::new(
            code,
            "contact_in_blacklist",
            format!("The contact {contact} has been found in the blacklist"),
        )
        .at("contact", &json!(contact)));
    }
    Ok(Common {
        line,
        contact,
        external_id,
    })
}

/// Plays the call and answers with its `call_session_id`.
fn start(
    sim: &Arc<Sim>,
    common: &Common<'_>,
    employee: u64,
    origin: CallOrigin,
) -> Result<Success, RpcError> {
    let mut request = CallRequest::new(Provider::Uis);
    request.direction = Direction::Out;
    request.to = Some(common.contact.to_owned());
    request.line = Some(common.line.to_owned());
    request.employee = Some(employee.to_string());
    request.outcome = sim.config.api_outcome.for_number(common.contact);
    let plan = sim.start_call_as(&request, origin).map_err(|e| match e {
        CallRequestError::InvalidNumber { value, .. } => {
            RpcError::invalid_value("contact", &json!(value))
        }
        other => RpcError::new(-32603, "internal_error", other.to_string()),
    })?;
    Ok(Success {
        data: json!({"call_session_id": plan.session_id()}),
        total_items: None,
        call_id: Some(plan.call_id()),
    })
}

/// `start.employee_call`.
pub fn start_employee_call(sim: &Arc<Sim>, p: Params<'_>) -> Result<Success, RpcError> {
    p.allow(EMPLOYEE_CALL_PARAMS)?;
    let employee = p.req_object("employee")?;
    employee.allow(&["id", "phone_number"])?;
    let id = employee.req_u64("id")?;
    let phone = employee.str("phone_number")?;
    let common = common(sim, p, Method::Employee)?;
    let Some(found) = sim.config.employees.iter().find(|e| e.id == id) else {
        return Err(
            RpcError::new(-32602, "employee_not_found", "Employee not found")
                .at("employee.id", &json!(id)),
        );
    };
    if let Some(phone) = phone {
        let sip = account::uis_employee_phone(sim.config.uis.app_id, found);
        if phone != found.extension && phone != sip {
            return Err(employee.invalid("phone_number"));
        }
    }
    let origin = CallOrigin {
        source: Source::UisEmployeeCall,
        external_id: common.external_id.map(str::to_owned),
        routing: None,
        callback_id: None,
    };
    start(sim, &common, id, origin)
}

/// `start.scenario_call`: the scenario's group picks an employee by the contact's number.
pub fn start_scenario_call(sim: &Arc<Sim>, p: Params<'_>) -> Result<Success, RpcError> {
    p.allow(SCENARIO_CALL_PARAMS)?;
    let scenario_id = p.req_u64("scenario_id")?;
    let common = common(sim, p, Method::Scenario)?;
    let Some(scenario) = account::uis_scenario(scenario_id) else {
        // -32602 on this method (`start.vnumber_call` uses -32007 for a number without one).
        return Err(RpcError::new(
            -32602,
            "scenario_not_found",
            format!("Scenario with id {scenario_id} not found"),
        )
        .at("scenario_id", &json!(scenario_id)));
    };
    let employees = &sim.config.employees;
    let digits: u64 = common.contact.bytes().map(|b| u64::from(b - b'0')).sum();
    let employee = &employees[(digits as usize) % employees.len()];
    let origin = CallOrigin {
        source: Source::UisScenarioCall,
        external_id: common.external_id.map(str::to_owned),
        routing: Some(Routing::Uis {
            id: scenario.id,
            name: scenario.name.to_owned(),
        }),
        callback_id: None,
    };
    start(sim, &common, employee.id, origin)
}

/// `release.call`: ends an active call; answers `{"success": "true"}` (a string, as the
/// docs show).
pub fn release_call(sim: &Arc<Sim>, p: Params<'_>) -> Result<Success, RpcError> {
    p.allow(&["access_token", "call_session_id"])?;
    let session = p.req_u64("call_session_id")?;
    let not_found = || {
        RpcError::new(-32602, "call_session_not_found", "Call session not found")
            .at("call_session_id", &json!(session))
    };
    let entry = sim
        .history
        .get(&format!("uis:{session}"))
        .ok_or_else(not_found)?;
    entry.release(Instant::now()).map_err(|_| not_found())?;
    Ok(Success {
        data: json!({"success": "true"}),
        total_items: None,
        call_id: Some(entry.call_id.clone()),
    })
}

/// `list.calls`: the account's active call sessions with their legs.
pub fn list_calls(sim: &Arc<Sim>, p: Params<'_>) -> Result<Success, RpcError> {
    p.allow(&["access_token", "direction", "virtual_phone_number"])?;
    let direction = p.choice("direction", &["in", "out"])?;
    let line = p.str("virtual_phone_number")?;
    let now = Instant::now();
    let mut calls = Vec::new();
    for entry in sim.history.list(Provider::Uis) {
        let position = entry.timeline_ms(now);
        let call = entry.with_plan(|plan| {
            if position >= plan.end_ms {
                return None;
            }
            let dir = if plan.direction == Direction::In {
                "in"
            } else {
                "out"
            };
            if direction.is_some_and(|d| d != dir) || line.is_some_and(|l| l != plan.line) {
                return None;
            }
            Some(active_call(sim, plan, position))
        });
        calls.extend(call);
    }
    Ok(Success::data(Value::Array(calls)))
}

/// A leg's state at `position` as `list.calls` names it.
fn leg_state(ring_ms: u64, answer_ms: Option<u64>, end_ms: u64, position: u64) -> &'static str {
    if position >= end_ms {
        "Разъединено"
    } else if answer_ms.is_some_and(|a| a <= position) {
        "Разговор"
    } else if position >= ring_ms {
        "Дозвон"
    } else {
        "На очереди"
    }
}

fn active_call(sim: &Sim, plan: &CallPlan, position: u64) -> Value {
    let start_time = account::local(plan.started_at, sim.config.uis.utc_offset)
        .format("%Y-%m-%dT%H:%M:%S%.3f")
        .to_string();
    let app_id = sim.config.uis.app_id;
    let contact = plan.contact.uis.clone();
    let state = control::state(plan, position);
    // The contact's own leg: waiting, talking, or held (hold music also plays while a
    // consultation call rings or talks), or being put through to a colleague.
    let contact_state = |connected: bool| match state {
        CallState::Hold | CallState::Dialing | CallState::OperatorTalk => "На удержании",
        CallState::Transferring => "Перевод вызова",
        _ if connected => "Разговор",
        _ => "На очереди",
    };
    // An employee's leg; a consultation that was answered, and the employee who asked for
    // it, talk with each other («Разговор операторов»).
    let employee_state = |i: usize, ring_ms: u64| {
        let leg = &plan.legs[i];
        let talking_pair = state == CallState::OperatorTalk
            && (leg.consult || control::talking_leg(plan, position) == Some(i));
        if talking_pair && position < leg.end_ms {
            "Разговор операторов"
        } else {
            leg_state(ring_ms, leg.answer_ms, leg.end_ms, position)
        }
    };
    let employee_leg = |i: usize, calling: &Option<String>| {
        let leg = &plan.legs[i];
        json!({
            "leg_id": leg.leg_id,
            "calling_phone_number": calling,
            "called_phone_number": account::uis_employee_phone(app_id, &leg.employee),
            "is_operator": true,
            "employee_id": leg.employee.id,
            "employee_full_name": leg.employee.name,
            "record_call_enabled": true,
            "state": employee_state(i, leg.ring_ms),
        })
    };
    let mut legs = Vec::new();
    let talking = plan
        .legs
        .iter()
        .any(|l| !l.consult && l.answer_ms.is_some_and(|a| a <= position) && position < l.end_ms);
    match plan.direction {
        Direction::In => {
            legs.push(json!({
                "leg_id": plan.session_leg_id,
                "calling_phone_number": contact,
                "called_phone_number": plan.line,
                "is_operator": false,
                "employee_id": null,
                "employee_full_name": null,
                "record_call_enabled": true,
                "state": contact_state(talking),
            }));
            for (i, _) in plan
                .legs
                .iter()
                .enumerate()
                .filter(|(_, l)| l.ring_ms <= position)
            {
                legs.push(employee_leg(i, &contact));
            }
        }
        Direction::Out => {
            if let Some(leg) = plan.legs.first() {
                // The employee's own leg is dialled first and waits for the contact.
                legs.push(json!({
                    "leg_id": plan.session_leg_id,
                    "calling_phone_number": plan.line,
                    "called_phone_number": account::uis_employee_phone(app_id, &leg.employee),
                    "is_operator": true,
                    "employee_id": leg.employee.id,
                    "employee_full_name": leg.employee.name,
                    "record_call_enabled": true,
                    "state": employee_state(0, 0),
                }));
                if leg.ring_ms <= position {
                    let connected = leg.answer_ms.is_some_and(|a| a <= position);
                    legs.push(json!({
                        "leg_id": leg.leg_id,
                        "calling_phone_number": plan.line,
                        "called_phone_number": contact,
                        "is_operator": false,
                        "employee_id": null,
                        "employee_full_name": null,
                        "record_call_enabled": true,
                        "state": if connected && position < plan.end_ms {
                            contact_state(talking)
                        } else {
                            leg_state(leg.ring_ms, leg.answer_ms, leg.end_ms, position)
                        },
                    }));
                }
            }
            // Consultation and transfer legs the Call API added.
            for (i, _) in plan
                .legs
                .iter()
                .enumerate()
                .skip(1)
                .filter(|(_, l)| l.ring_ms <= position)
            {
                legs.push(employee_leg(i, &Some(plan.line.clone())));
            }
        }
    }
    for coach in plan
        .control
        .coaches
        .iter()
        .filter(|c| c.from_ms <= position && position < c.until_ms)
    {
        legs.push(json!({
            "leg_id": coach.leg_id,
            "calling_phone_number": plan.line,
            "called_phone_number": coach.number,
            "is_operator": false,
            "employee_id": coach.employee.as_ref().map(|e| e.id),
            "employee_full_name": coach.employee.as_ref().map(|e| e.name.clone()),
            "record_call_enabled": true,
            "state": "Разговор",
        }));
    }
    json!({
        "call_session_id": plan.session_id(),
        "direction": if plan.direction == Direction::In { "in" } else { "out" },
        "start_time": start_time,
        "virtual_phone_number": plan.line,
        "contact_phone_number": contact,
        "external_id": plan.origin.external_id,
        "tags": [],
        "legs": legs,
    })
}
