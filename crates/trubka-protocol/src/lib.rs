//! Wire formats, and the only crate that knows what a payload looks like.
//!
//! - [`event_json`]: the JSON form of a [`trubka_core::CallEvent`] (docs/protocol.md).
//! - [`directory`]: the team directory's contacts, pages of changes and CRM answers, as the
//!   relay's directory endpoints and stream frames carry them.
//! - [`cases`]: the team's cases, notes on calls and the admin's tags, as the relay's case
//!   endpoints and the `case` stream frame carry them.
//! - [`control`]: call control and presence (the relay's control, actions and presence
//!   endpoints and the `presence` stream frame).
//! - [`stream`]: the frames of the relay→agent WebSocket stream, versioned.
//! - [`hook`]: what an HTTP notification carries (query, content type, body) and parse errors.
//! - [`options`]: what the relay tells the parsers besides the request (time zone, receive time).
//! - [`uis`]: every UIS «Уведомления» template shape → CallEvents, and interactive call
//!   processing requests.
//! - [`sipuni`]: Sipuni «События на АТС» events 1–4 → CallEvents.
//! - [`history`]: call history rows (UIS calls report, Sipuni export) → the CallEvents their
//!   webhooks would have produced, with the same ids, for the relay's reconciliation.
//!
//! Conversions to and from the core types are written by hand: the core has no serde derives,
//! so a payload change never reaches domain logic. The private modules are the shared plumbing
//! of the two PBX parsers: reading a request into one JSON object (`payload`), coercing the
//! loosely typed values PBXs send (`coerce`), times (`times`), numbers (`numbers`) and the
//! parts of event ids (`ids`).

pub mod cases;
mod coerce;
pub mod control;
pub mod directory;
pub mod event_json;
pub mod history;
pub mod hook;
mod ids;
mod numbers;
pub mod options;
mod payload;
pub mod sipuni;
pub mod stream;
mod times;
pub mod uis;

pub use event_json::{EventJsonError, event_from_json, event_to_json};
pub use hook::{HookRequest, PayloadError};
pub use options::ParseOptions;
pub use sipuni::{parse_sipuni, parse_sipuni_with};
pub use stream::{ClientFrame, STREAM_VERSION, ServerFrame};
pub use uis::{
    RouteRequest, UIS_URL_KINDS, parse_route_request, parse_uis, parse_uis_with, uis_url_kind,
};
