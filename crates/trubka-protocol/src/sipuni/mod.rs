//! Sipuni «События на АТС» → CallEvents.
//!
//! Sipuni sends its events as GET query parameters or a POST form (its WebSocket variant
//! sends the same fields as JSON); all three are accepted, values coerced as for UIS. The
//! relay must answer `{"success":true}` or Sipuni stops sending.
//!
//! | `event` | kind | notes |
//! |---|---|---|
//! | 1 (call), destination internal (`dst_type=2`) | `ringing` | employee = the rung extension |
//! | 1, destination external | `started` | incoming call reaching the line, or (caller internal) an outgoing call, employee = the caller |
//! | 3 (answer) | `answered` | often carries only `call_id`, `timestamp`, `channel` |
//! | 4 (secondary hangup) | `leg_ended` | outcome from `status`, as is |
//! | 2 (hangup) | `ended` | outcome from `status`: `ANSWER` answered, `BUSY` busy, `NOANSWER`/`CANCEL` missed for incoming and internal calls (`no_answer`/`cancelled` for outgoing), `CONGESTION` failed, `CHANUNAVAIL` unavailable; plus a `recording` event when `call_record_link` is set |
//!
//! Direction: both sides internal or `is_inner_call=1` → `internal`; internal caller →
//! `out`; otherwise `in`. Cabinet-prefixed internal numbers (`070196201` with
//! `short_src_num=201`) are extensions, never phone numbers; `dst_num`'s `_id…` suffix is
//! dropped. `at` is `timestamp` (unix seconds).
//!
//! # Event ids
//!
//! `sipuni:{call_id}:{kind}:{discriminator}`:
//!
//! - `started`, `ended`: `call` (once per call; event 2 may also be missing altogether, which
//!   the relay reconciles from statistics);
//! - `ringing`, `answered`: the destination (extension, else number without suffix), else a
//!   digest of `channel`, else `call`. Sipuni sends event 1 twice, the copy with `timestamp`
//!   one second later: both have the same destination and so the same id;
//! - `leg_ended`: the destination, else `last_called`, else a digest of `channel`;
//! - `recording`: a digest of the link, as for UIS.

mod convert;
mod fields;

use trubka_core::{CallEvent, PhoneParser};

use crate::hook::{HookRequest, PayloadError};
use crate::options::ParseOptions;
use crate::payload::{self, Fields};

/// Parses a Sipuni event with the default [`ParseOptions`].
pub fn parse_sipuni(
    request: &HookRequest<'_>,
    phones: &PhoneParser,
) -> Result<Vec<CallEvent>, PayloadError> {
    parse_sipuni_with(request, phones, &ParseOptions::default())
}

/// Parses a Sipuni event into its events (one, or two for a hangup with a recording).
///
/// Errors: `malformed_body`, `missing_event`, `missing_call_id`, `bad_call_id`,
/// `unknown_kind` (an `event` other than 1–4).
pub fn parse_sipuni_with(
    request: &HookRequest<'_>,
    phones: &PhoneParser,
    options: &ParseOptions,
) -> Result<Vec<CallEvent>, PayloadError> {
    let payload = payload::read(request)?;
    let event = fields::SipuniEvent::read(&Fields::new(&payload.fields))?;
    Ok(convert::events(&event, &payload.raw, phones, options))
}
