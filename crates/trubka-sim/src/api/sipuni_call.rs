//! Sipuni control of a call in progress (reference B.2.3): `events/call/hangup` (`callId`)
//! ends the call as UIS `release.call` does, and `events/call/spymode` (`callId`,
//! `sipnumber`, `whisper` 0 listen / 1 whisper) connects a supervisor to a call in
//! conversation. Both answer `{"success": true}`; a call the simulator does not know, or one
//! that is over, is refused «Звонок … не найден»; spy mode outside a conversation is refused
//! «Звонок … не в разговоре». A supervisor's leg sends no events (the Sipuni events of B.4
//! have none for it). The wording of the refusals is the simulator's: Sipuni's is not public.

use axum::response::{IntoResponse, Response};
use serde_json::json;
use tokio::time::Instant;

use crate::{
    api::sipuni::{Form, get},
    control::{self, Refusal},
    sim::Sim,
};

fn required<'a>(form: &'a Form, name: &str) -> Result<&'a str, String> {
    get(form, name)
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| format!("Не указан параметр {name}"))
}

fn not_found(call_id: &str) -> String {
    format!("Звонок {call_id} не найден")
}

fn done() -> Response {
    axum::Json(json!({"success": true})).into_response()
}

/// `events/call/hangup`.
pub fn hangup(sim: &Sim, form: &Form) -> Result<Response, String> {
    let call_id = required(form, "callId")?;
    let entry = sim
        .history
        .get(&format!("sipuni:{call_id}"))
        .ok_or_else(|| not_found(call_id))?;
    entry
        .release(Instant::now())
        .map_err(|_| not_found(call_id))?;
    Ok(done())
}

/// `events/call/spymode`.
pub fn spymode(sim: &Sim, form: &Form) -> Result<Response, String> {
    let call_id = required(form, "callId")?;
    let sipnumber = required(form, "sipnumber")?;
    if !matches!(get(form, "whisper"), None | Some("" | "0" | "1")) {
        return Err("Неверное значение параметра whisper".to_owned());
    }
    let supervisor = sim
        .config
        .employees
        .iter()
        .find(|e| e.extension == sipnumber)
        .ok_or_else(|| format!("Сотрудник с внутренним номером {sipnumber} не найден"))?
        .clone();
    let entry = sim
        .history
        .get(&format!("sipuni:{call_id}"))
        .ok_or_else(|| not_found(call_id))?;
    let leg_id = sim.next_leg_id();
    entry
        .control(Instant::now(), false, |plan, cut| {
            control::add_coach(plan, cut, sipnumber.to_owned(), Some(supervisor), leg_id)
        })
        .map_err(|refusal| match refusal {
            Refusal::Ended => not_found(call_id),
            Refusal::State(_) => format!("Звонок {call_id} не в разговоре"),
        })?;
    Ok(done())
}
