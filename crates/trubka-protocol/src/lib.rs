//! Wire formats, and the only crate that knows what a payload looks like.
//!
//! - [`event_json`]: the JSON form of a [`trubka_core::CallEvent`] (docs/protocol.md).
//! - [`stream`]: the frames of the relay→agent WebSocket stream, versioned.
//! - [`hook`]: what an HTTP notification carries (query, content type, body) and parse errors.
//! - [`uis`]: every UIS «Уведомления» template shape → CallEvents.
//! - [`sipuni`]: Sipuni «События на АТС» events 1–4 → CallEvents.
//!
//! Conversions to and from the core types are written by hand: the core has no serde derives,
//! so a payload change never reaches domain logic.

pub mod event_json;
pub mod hook;
pub mod sipuni;
pub mod stream;
pub mod uis;

pub use event_json::{event_from_json, event_to_json, EventJsonError};
pub use hook::{HookRequest, PayloadError};
pub use stream::{ClientFrame, ServerFrame, STREAM_VERSION};
