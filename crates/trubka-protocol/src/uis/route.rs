//! UIS interactive call processing («Интерактивная обработка вызова»): the request a scenario
//! sends to ask where to route a call.
//!
//! UIS sends the parameters the admin ticked (`cdr_id`, `start_time`, `input_result`, `numa`,
//! `numb`, and in practice `call_session_id` and `direction`) as GET query parameters or in a
//! POST body whose encoding is undocumented, so query, form and JSON are all accepted. The
//! relay answers with `{"phones":[…]}` or `{"returned_code":1}`; building that answer is the
//! relay's business.

use trubka_core::Direction;

use crate::hook::{HookRequest, PayloadError};
use crate::payload::{self, Fields};

use super::convert::parse_direction;

/// One routing question from a UIS scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteRequest {
    /// The caller's number as UIS wrote it (`74952345678`); parse it with the phone parser.
    pub numa: String,
    /// The dialled (virtual) number.
    pub numb: Option<String>,
    pub call_session_id: Option<String>,
    /// The call's id in the scenario (`cdr_id`), when sent.
    pub cdr_id: Option<String>,
    /// As sent (its format differs between UIS documents); informational.
    pub start_time: Option<String>,
    /// Digits the caller entered; `None` when none (UIS writes the word `None`).
    pub input_result: Option<String>,
    pub direction: Option<Direction>,
    /// The request's parameters as a JSON object, for logs.
    pub raw: String,
}

/// Reads an interactive call processing request. The caller's number `numa` is required,
/// since routing to a personal manager is decided by it.
pub fn parse_route_request(request: &HookRequest<'_>) -> Result<RouteRequest, PayloadError> {
    let payload = payload::read(request)?;
    let fields = Fields::new(&payload.fields);
    let numa = fields
        .text(&["numa", "contact_phone_number", "calling_phone_number"])
        .ok_or_else(|| {
            PayloadError::new(
                PayloadError::MISSING_NUMA,
                "the interactive call processing request has no caller number `numa`; \
             tick «Номер абонента» (numa) in the scenario's HTTP request settings",
            )
        })?;
    Ok(RouteRequest {
        numa,
        numb: fields.text(&["numb", "virtual_phone_number", "called_phone_number"]),
        call_session_id: fields.text(&["call_session_id"]),
        cdr_id: fields.text(&["cdr_id"]),
        start_time: fields.text(&["start_time"]),
        input_result: fields.text(&["input_result"]),
        direction: fields
            .text(&["direction"])
            .and_then(|d| parse_direction(&d)),
        raw: payload.raw,
    })
}
