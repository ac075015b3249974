//! Trubka's pure domain: no I/O, no async, no wire formats.
//!
//! - [`phone`]: parsing what people type into E.164 numbers, keeping the raw text.
//! - [`event`]: the [`CallEvent`] every PBX notification becomes.
//! - [`call`]: the state of one call, folded from its events in any order.
//! - [`case`]: the team's cases, derived from calls and manual closes by seed 003's rules.
//! - [`lang`]: the language messages are written in ([`Lang`], [`tr!`]).
//!
//! Architecture invariant: this crate knows no serde wire shapes, no HTTP, no SQL and no Tauri.
//! The protocol crate converts wire payloads into these types by hand.

pub mod call;
pub mod case;
pub mod event;
pub mod lang;
pub mod phone;

pub use call::{CallState, CallStatus, Leg};
pub use case::{
    CallNote, Callback, Case, CaseInput, CaseKey, CaseKind, CaseStatus, CloseCause, Closure, Gist,
    ManualClose, RecordingRule, cases,
};
pub use event::{
    CallEvent, CallId, Contact, Direction, Durations, Employee, EventId, EventKind, Outcome,
    Provider,
};
pub use lang::{Lang, UnknownLang, cyrillic_outside_quotes};
pub use phone::{ParsedNumber, PhoneError, PhoneNumber, PhoneParser};
