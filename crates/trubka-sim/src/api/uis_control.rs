//! UIS Call API call control (reference A.4; docs `call_api/manage_call/<method>`):
//! `hold.call`, `unhold.call`, `make.call`, `transfer.talk`, `restore.talk`, `add.coach`.
//!
//! Each takes `call_session_id` and answers `{"success": "true"}` (a string, as the docs
//! show). A session the simulator does not know, or a call that is over, is
//! `call_session_not_found` (-32602), as for `release.call`; a method outside the state the
//! state diagram allows it in is `invalid_state` (-32004, «This method can not be called in
//! this state»). What each does to the call is [`crate::control`]'s.
//!
//! `make.call` rings one of the account's employees, given by extension or SIP number
//! (`to`); a number that is no employee's is refused with `no_active_phone_number`, the
//! method's refusal for a number that does not exist or is inactive: the simulator plays
//! calls between the contact and its cast only. The colleague answers by the simulator's API
//! outcome rule for `to`, and is busy when they are on this call or their status takes no
//! calls. `add.coach` rings `phone_number` (an employee's extension or SIP number, or an
//! outside number in E.164 digits, as the docs' example `79260000000`: a coach leg with no
//! employee) or else the coach set for the employee in the cabinet; the simulated employees
//! have none (`get.employees` shows `coach: null`), so without `phone_number` it is
//! `coach_not_found`. Any other `phone_number` is `no_active_phone_number`.

use std::sync::Arc;

use serde_json::json;
use tokio::time::Instant;

use crate::{
    account,
    api::{
        uis_call::TTS_LIMIT,
        uis_jsonrpc::{RpcError, Success},
        uis_params::Params,
    },
    config::Employee,
    control::{self, Refusal, Reply},
    history::CallEntry,
    scenario::{CallPlan, Outcome, Provider},
    sim::Sim,
};

/// The entry of `call_session_id`, or `call_session_not_found`.
fn session(sim: &Sim, p: Params<'_>) -> Result<Arc<CallEntry>, RpcError> {
    let id = p.req_u64("call_session_id")?;
    sim.history
        .get(&format!("uis:{id}"))
        .ok_or_else(|| not_found(id))
}

fn not_found(id: u64) -> RpcError {
    RpcError::new(-32602, "call_session_not_found", "Call session not found")
        .at("call_session_id", &json!(id))
}

fn refused(entry: &CallEntry, refusal: Refusal) -> RpcError {
    match refusal {
        Refusal::Ended => not_found(entry.with_plan(CallPlan::session_id)),
        Refusal::State(_) => RpcError::new(
            -32004,
            "invalid_state",
            "This method can not be called in this state",
        ),
    }
}

fn done(entry: &CallEntry) -> Success {
    Success {
        data: json!({"success": "true"}),
        total_items: None,
        call_id: Some(entry.call_id.clone()),
    }
}

/// Applies `edit` to the session's call.
fn act(
    sim: &Sim,
    p: Params<'_>,
    wake: bool,
    edit: impl FnOnce(&CallPlan, u64) -> Result<CallPlan, Refusal>,
) -> Result<Success, RpcError> {
    let entry = session(sim, p)?;
    entry
        .control(Instant::now(), wake, edit)
        .map_err(|refusal| refused(&entry, refusal))?;
    Ok(done(&entry))
}

/// Checks a message object (`contact_message`, `to_message`): `type` `media` (a file id) or
/// `tts` (text within the tariff's length).
fn check_message(p: Params<'_>, name: &'static str) -> Result<(), RpcError> {
    let Some(message) = p.object(name)? else {
        return Ok(());
    };
    message.allow(&["type", "value"])?;
    let kind = message.req_choice("type", &["media", "tts"])?;
    let value = message.req_str("value")?;
    match kind {
        "tts" if value.chars().count() > TTS_LIMIT => Err(RpcError::new(
            -32602,
            "tts_text_exceeded",
            format!(
                "The maximum length of Text-to-Speech message is {TTS_LIMIT}. The length of \
                 your message is {}",
                value.chars().count()
            ),
        )
        .at(&format!("{name}.value"), &json!(value))),
        "media" if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) => {
            Err(message.invalid("value"))
        }
        _ => Ok(()),
    }
}

/// The employee a number names: an extension or a SIP number of the account.
fn employee_by_number<'a>(sim: &'a Sim, number: &str) -> Option<&'a Employee> {
    let app_id = sim.config.uis.app_id;
    sim.config
        .employees
        .iter()
        .find(|e| e.extension == number || account::uis_employee_phone(app_id, e) == number)
}

/// An outside number as the docs write one: E.164 digits without `+`, 11 to 15 of them.
fn is_external(number: &str) -> bool {
    (11..=15).contains(&number.len()) && number.bytes().all(|b| b.is_ascii_digit())
}

fn no_active_number(field: &str, number: &str) -> RpcError {
    RpcError::new(
        -32602,
        "no_active_phone_number",
        "The phone number does not exist or inactive",
    )
    .at(field, &json!(number))
}

/// `hold.call`: `contact_message` is required.
pub fn hold_call(sim: &Arc<Sim>, p: Params<'_>) -> Result<Success, RpcError> {
    p.allow(&["access_token", "call_session_id", "contact_message"])?;
    p.req_object("contact_message")?;
    check_message(p, "contact_message")?;
    act(sim, p, false, control::hold)
}

/// `unhold.call`.
pub fn unhold_call(sim: &Arc<Sim>, p: Params<'_>) -> Result<Success, RpcError> {
    p.allow(&["access_token", "call_session_id"])?;
    act(sim, p, false, control::unhold)
}

/// `make.call`: a consultation call to `to`.
pub fn make_call(sim: &Arc<Sim>, p: Params<'_>) -> Result<Success, RpcError> {
    p.allow(&["access_token", "call_session_id", "to", "to_message"])?;
    let to = p.req_str("to")?;
    check_message(p, "to_message")?;
    let entry = session(sim, p)?;
    let target = employee_by_number(sim, to)
        .ok_or_else(|| no_active_number("to", to))?
        .clone();
    let on_this_call = entry.with_plan(|plan| {
        let at = entry.timeline_ms(Instant::now());
        control::talking_leg(plan, at).is_some_and(|b| plan.legs[b].employee == target)
    });
    let reply = if on_this_call || !sim.presence.takes_calls(Provider::Uis, &target) {
        Reply::Busy
    } else {
        match sim.config.api_outcome.for_number(to) {
            Outcome::Answered => Reply::Answers,
            Outcome::Busy => Reply::Busy,
            Outcome::Missed | Outcome::Cancelled => Reply::NoAnswer,
        }
    };
    let leg_id = sim.next_leg_id();
    entry
        .control(Instant::now(), true, |plan, cut| {
            control::make_call(plan, cut, &target, reply, leg_id)
        })
        .map_err(|refusal| refused(&entry, refusal))?;
    Ok(done(&entry))
}

/// `transfer.talk`.
pub fn transfer_talk(sim: &Arc<Sim>, p: Params<'_>) -> Result<Success, RpcError> {
    p.allow(&["access_token", "call_session_id"])?;
    act(sim, p, true, control::transfer)
}

/// `restore.talk`.
pub fn restore_talk(sim: &Arc<Sim>, p: Params<'_>) -> Result<Success, RpcError> {
    p.allow(&["access_token", "call_session_id"])?;
    act(sim, p, true, control::restore)
}

/// `add.coach`.
pub fn add_coach(sim: &Arc<Sim>, p: Params<'_>) -> Result<Success, RpcError> {
    p.allow(&["access_token", "call_session_id", "phone_number"])?;
    let phone = p.str("phone_number")?;
    let entry = session(sim, p)?;
    let (number, employee) = match phone {
        Some(number) => match employee_by_number(sim, number) {
            Some(employee) => (number.to_owned(), Some(employee.clone())),
            // The docs' example coach is an outside number (`79260000000`): no employee's.
            None if is_external(number) => (number.to_owned(), None),
            None => return Err(no_active_number("phone_number", number)),
        },
        None if !entry.is_active(Instant::now()) => {
            return Err(not_found(entry.with_plan(CallPlan::session_id)));
        }
        None => {
            return Err(RpcError::new(
                -32602,
                "coach_not_found",
                "The coach not found in your settings",
            ));
        }
    };
    let leg_id = sim.next_leg_id();
    entry
        .control(Instant::now(), false, |plan, cut| {
            control::add_coach(plan, cut, number, employee, leg_id)
        })
        .map_err(|refusal| refused(&entry, refusal))?;
    Ok(done(&entry))
}
