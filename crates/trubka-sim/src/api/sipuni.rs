//! The Sipuni HTTP API (reference B.1–B.3) under `/sipuni/api/`: `callback/call_number`,
//! `callback/call_tree`, `statistic/export` ([`crate::api::sipuni_export`]),
//! `statistic/record`, `statistic/operators` (the cast's extensions as the CSV
//! `Login;Name;Status;Call state` public clients read, signed with `user` alone, the status
//! as [`crate::presence`] holds it), `workplace/setUserStatus` (reference B.2.3) and
//! `events/call/hangup` and `events/call/spymode` ([`crate::api::sipuni_call`]). Sipuni has no
//! transfer or hold method (B.2.3: none found), so those paths are unknown methods.
//!
//! Parameters come as a form body (`application/x-www-form-urlencoded`) or in the query
//! string, by POST or GET. Every request must carry the cabinet number as `user` and
//! `hash = md5(v1+…+vN+secret)`, the values of every parameter but `hash` (`user` included,
//! empty ones as empty strings) in ASCII order of their names, joined by `+`: the rule of
//! B.1, which covers `crmLinks` of the export whenever it is sent.
//!
//! A refused request answers `{"success": false, "message": "…"}` with HTTP 200: Sipuni's
//! clients branch on `success` and read `message` (B.2.1), and 200 is the only status seen
//! from the real API, also for requests that went nowhere. Only an unknown method answers
//! 404. A started call plays as an outgoing call of the employee with that extension
//! (`sipnumber`) to `phone` on the cabinet's first line, with the Sipuni events an outgoing
//! call sends (event 1, 3, 2 …), ending by the simulator's API outcome rule (by default the
//! number's last two digits: `00` busy, `99` no answer, `98` cancelled, else answered).
//! `call_number` answers `{"success": true, "message": "OK"}`; `call_tree` answers
//! `{"success": true, "callbackId": N}` (open question 13: the variants with `success`).
//!
//! Both call orders need «Услуга совершение звонков по API» (`SipuniConfig::api_calls`, off in a
//! new cabinet): without it, a correctly signed order is refused with [`API_CALLS_OFF`].
//!
//! A wrong secret and a wrong cabinet number get the same refusal: the hash covers `user`, and
//! no public source shows Sipuni answering an unknown cabinet in other words (docs/protocol.md,
//! «Sipuni: a wrong cabinet number and a wrong secret»).

use std::sync::Arc;

use axum::{
    body::to_bytes,
    extract::{Path, Request, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use md5::{Digest, Md5};
use serde_json::json;

use crate::{
    account,
    api::{sipuni_call, sipuni_export},
    presence, recordings,
    request_log::{MAX_BODY, RequestNote},
    scenario::{CallOrigin, CallRequest, Direction, Provider, Routing, Source},
    sim::Sim,
};

/// The refusal of a call order while «Услуга совершение звонков по API» is off. Its exact
/// wording is not public (docs/protocol.md, «Sipuni: calls through the API»); it names the
/// service the way Sipuni's partners' guides do.
pub const API_CALLS_OFF: &str =
    "Услуга «Совершение звонков по API» не подключена. Подключите её в личном кабинете Sipuni";

/// Request parameters in the order sent.
pub type Form = Vec<(String, String)>;

/// The value of a parameter.
pub fn get<'a>(form: &'a Form, name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The md5 signature of B.1 over every parameter but `hash`.
pub fn sign(form: &Form, secret: &str) -> String {
    let mut params: Vec<&(String, String)> = form.iter().filter(|(k, _)| k != "hash").collect();
    params.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut text = String::new();
    for (_, value) in params {
        text.push_str(value);
        text.push('+');
    }
    text.push_str(secret);
    hex::encode(Md5::digest(text.as_bytes()))
}

/// A refusal: `{"success": false, "message": …}` with HTTP 200.
fn refuse(note: &RequestNote, message: &str) -> Response {
    note.outcome(message);
    axum::Json(json!({"success": false, "message": message})).into_response()
}

/// Every `/sipuni/api/{operation}`.
pub async fn handle(
    State(sim): State<Arc<Sim>>,
    Path(operation): Path<String>,
    request: Request,
) -> Response {
    let note = request
        .extensions()
        .get::<Arc<RequestNote>>()
        .cloned()
        .unwrap_or_default();
    note.operation(&operation);
    let headers = request.headers().clone();
    let query = request.uri().query().unwrap_or_default().to_owned();
    let Ok(body) = to_bytes(request.into_body(), MAX_BODY).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "request body too large\n").into_response();
    };
    let mut form: Form = serde_urlencoded::from_str(&query).unwrap_or_default();
    form.extend(serde_urlencoded::from_bytes::<Form>(&body).unwrap_or_default());
    if !matches!(
        operation.as_str(),
        "callback/call_number"
            | "callback/call_tree"
            | "statistic/export"
            | "statistic/record"
            | "statistic/operators"
            | "workplace/setUserStatus"
            | "events/call/hangup"
            | "events/call/spymode"
    ) || (operation == "statistic/operators" && !sim.config.sipuni.operators_list)
    {
        note.outcome("unknown method");
        return (
            StatusCode::NOT_FOUND,
            axum::Json(json!({"success": false, "message": "Метод не найден"})),
        )
            .into_response();
    }
    if let Err(message) = authenticate(&sim, &form, &note) {
        return refuse(&note, message);
    }
    if operation.starts_with("callback/") && !sim.config.sipuni.api_calls {
        return refuse(&note, API_CALLS_OFF);
    }
    let result = match operation.as_str() {
        "callback/call_number" => call(&sim, &form, &note, false),
        "callback/call_tree" => call(&sim, &form, &note, true),
        "statistic/export" => sipuni_export::export(&sim, &form),
        "statistic/operators" => Ok(operators(&sim)),
        "workplace/setUserStatus" => set_user_status(&sim, &form),
        "events/call/hangup" => sipuni_call::hangup(&sim, &form),
        "events/call/spymode" => sipuni_call::spymode(&sim, &form),
        _ => record(&sim, &form, &headers),
    };
    match result {
        Ok(response) => {
            note.outcome("ok");
            response
        }
        Err(message) => refuse(&note, &message),
    }
}

fn authenticate(sim: &Sim, form: &Form, note: &RequestNote) -> Result<(), &'static str> {
    let cabinet = &sim.config.sipuni;
    let Some(user) = get(form, "user") else {
        return Err("Не указан параметр user");
    };
    let Some(hash) = get(form, "hash") else {
        note.signature(false);
        return Err("Не указан параметр hash");
    };
    let signed = cabinet
        .secret
        .as_deref()
        .is_some_and(|secret| sign(form, secret).eq_ignore_ascii_case(hash));
    let ok = signed && user == cabinet.user;
    note.signature(ok);
    if ok {
        Ok(())
    } else {
        Err("Неверная подпись запроса (hash)")
    }
}

fn call(sim: &Arc<Sim>, form: &Form, note: &RequestNote, tree: bool) -> Result<Response, String> {
    let required = |name: &str| {
        get(form, name)
            .filter(|v| !v.trim().is_empty())
            .ok_or_else(|| format!("Не указан параметр {name}"))
    };
    let phone = required("phone")?;
    let sipnumber = required("sipnumber")?;
    let digits = phone.trim().trim_start_matches('+');
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("Неверный номер телефона {phone}"));
    }
    for flag in ["reverse", "antiaon"] {
        if !matches!(get(form, flag), None | Some("" | "0" | "1")) {
            return Err(format!("Неверное значение параметра {flag}"));
        }
    }
    if get(form, "callAttemptTime").is_some_and(|t| !t.is_empty() && t.parse::<u32>().is_err()) {
        return Err("Неверное значение параметра callAttemptTime".to_owned());
    }
    let employee = sim
        .config
        .employees
        .iter()
        .find(|e| e.extension == sipnumber.trim())
        .ok_or_else(|| format!("Сотрудник с внутренним номером {sipnumber} не найден"))?;
    let mut origin = CallOrigin {
        source: Source::SipuniCallNumber,
        ..CallOrigin::default()
    };
    if tree {
        let number = required("tree")?;
        let scheme =
            account::sipuni_tree(number).ok_or_else(|| format!("Схема {number} не найдена"))?;
        origin = CallOrigin {
            source: Source::SipuniCallTree,
            external_id: None,
            routing: Some(Routing::Sipuni {
                number: scheme.number.to_owned(),
                name: scheme.name.to_owned(),
            }),
            callback_id: Some(sim.next_callback_id().to_string()),
        };
    }
    let mut request = CallRequest::new(Provider::Sipuni);
    request.direction = Direction::Out;
    request.to = Some(digits.to_owned());
    request.employee = Some(employee.extension.clone());
    request.line = sim.config.sipuni.lines.first().cloned();
    request.outcome = sim.config.api_outcome.for_number(digits);
    let plan = sim
        .start_call_as(&request, origin)
        .map_err(|e| format!("Звонок не может быть выполнен: {e}"))?;
    note.call(&plan.call_id());
    let body = match &plan.origin.callback_id {
        Some(id) => json!({"success": true, "callbackId": id.parse::<u64>().unwrap_or_default()}),
        None => json!({"success": true, "message": "OK"}),
    };
    Ok(axum::Json(body).into_response())
}

/// `workplace/setUserStatus`: `sipnumber` (an internal number) and `status` (0 free,
/// 1 break, 2 auto dialing, 3 manual dialing, 4 away); answers `{"success": true}`.
fn set_user_status(sim: &Sim, form: &Form) -> Result<Response, String> {
    let sipnumber = get(form, "sipnumber")
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or("Не указан параметр sipnumber")?;
    let status = get(form, "status")
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or("Не указан параметр status")?;
    let code = status
        .parse::<u8>()
        .ok()
        .filter(|c| presence::SIPUNI_STATUSES.iter().any(|(k, _)| k == c))
        .ok_or_else(|| format!("Неверное значение параметра status: {status}"))?;
    let employee = sim
        .config
        .employees
        .iter()
        .find(|e| e.extension == sipnumber)
        .ok_or_else(|| format!("Сотрудник с внутренним номером {sipnumber} не найден"))?;
    sim.presence.set_sipuni(&employee.extension, code);
    tracing::info!(extension = %employee.extension, status = code, "Sipuni status set");
    Ok(axum::Json(json!({"success": true})).into_response())
}

/// `statistic/operators`: every employee of the cast, with the status
/// `workplace/setUserStatus` gave them (free at the start), not in a call.
fn operators(sim: &Sim) -> Response {
    let mut csv = String::from("Login;Name;Status;Call state\n");
    for employee in &sim.config.employees {
        let code = sim.presence.sipuni(&employee.extension);
        let status = presence::SIPUNI_STATUSES
            .iter()
            .find(|(k, _)| *k == code)
            .map_or("Свободен", |(_, name)| name);
        csv.push_str(&format!(
            "{};{};{status};\n",
            employee.extension, employee.name
        ));
    }
    (
        [(axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8")],
        csv,
    )
        .into_response()
}

fn record(sim: &Sim, form: &Form, headers: &HeaderMap) -> Result<Response, String> {
    let id = get(form, "id")
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .ok_or("Не указан параметр id")?;
    match sim.recordings.get(id) {
        Some(recording) if recording.sipuni_hash.is_some() => {
            Ok(recordings::serve(&recording, headers, id))
        }
        _ => Err(format!("Запись {id} не найдена")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Form {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn signature_follows_the_reference_examples() {
        // md5("0+79260000000+0+201+064629+s3cr3tK3y"), as in trubka-pbx's tests.
        let f = form(&[
            ("user", "064629"),
            ("phone", "79260000000"),
            ("sipnumber", "201"),
            ("reverse", "0"),
            ("antiaon", "0"),
            ("hash", "ignored"),
        ]);
        assert_eq!(sign(&f, "s3cr3tK3y"), "dacc0b3e4649ec5ab72b5715b8dadec0");
        // md5("45+79260000000+1+201+000-913901+064629+s3cr3tK3y").
        let f = form(&[
            ("phone", "79260000000"),
            ("sipnumber", "201"),
            ("tree", "000-913901"),
            ("reverse", "1"),
            ("callAttemptTime", "45"),
            ("user", "064629"),
        ]);
        assert_eq!(sign(&f, "s3cr3tK3y"), "d486e935a06b9415bbb087355d404124");
        assert_eq!(get(&f, "tree"), Some("000-913901"));
    }
}
