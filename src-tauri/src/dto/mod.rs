//! The IPC data types: what commands take and return and what events carry.
//!
//! Each type derives [`ts_rs::TS`]; `ui/src/bindings/ipc.ts` is generated from them
//! ([`bindings::render`]) and a test fails when the committed file is stale. The
//! conversions from engine types are field-for-field mappings: no decisions are made here.

pub mod bindings;
pub mod calls;
pub mod cases;
pub mod contacts;
pub mod control;
pub mod directory;
pub mod requests;
pub mod settings;
pub mod status;

pub use calls::{CallDto, CardDto, DialResult, FollowUpDto, HistoryPageDto, HistoryQuery};
pub use contacts::{ContactDraftDto, ContactDto, ImportReportDto, LookupDto};
pub use settings::{Language, PopupMode, SettingsDto, SettingsPatch};
pub use status::{ConnectionDto, Notice, StatusDto};

use chrono::{DateTime, Utc};

/// Timestamps cross the IPC edge as RFC 3339 text.
pub(crate) fn ts(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
