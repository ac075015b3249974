//! Trubka's pure domain: no I/O, no async, no wire formats.
//!
//! - [`phone`]: parsing what people type into E.164 numbers, keeping the raw text.
//! - [`event`]: the [`CallEvent`] every PBX notification becomes.
//! - [`call`]: the state of one call, folded from its events in any order.
//! - [`lang`]: the language messages are written in ([`Lang`], [`tr!`]).
//!
//! Architecture invariant: this crate knows no serde wire shapes, no HTTP, no SQL and no Tauri.
//! The protocol crate converts wire payloads into these types by hand.

pub mod call;
pub mod event;
pub mod lang;
pub mod phone;

pub use call::{CallState, CallStatus, Leg};
pub use event::{
    CallEvent, CallId, Contact, Direction, Durations, Employee, EventId, EventKind, Outcome,
    Provider,
};
pub use lang::{Lang, UnknownLang, cyrillic_outside_quotes};
pub use phone::{ParsedNumber, PhoneError, PhoneNumber, PhoneParser};
