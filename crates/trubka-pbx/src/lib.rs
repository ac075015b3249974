//! PBX API clients for Trubka's relay: the UIS (CoMagic/CallGear/Novofon) Call API and Data API
//! over JSON-RPC 2.0, and the Sipuni HTTP API, with typed errors.
//!
//! - [`uis`]: [`UisClient`] places click-to-call and scenario calls, releases and lists calls,
//!   holds, transfers (blind and attended) and coaches them, reads and sets employee statuses,
//!   pages the calls report for reconciliation, reads employees, numbers, scenarios and the
//!   account, builds recording links, and honours `metadata.limits`.
//! - [`sipuni`]: [`SipuniClient`] places `callback/call_number` and `callback/call_tree` calls,
//!   exports the call log (CSV), downloads recordings, lists operators with their status and
//!   sets it (`workplace/setUserStatus`); [`sipuni::sign`] is the md5 rule.
//! - [`capabilities`]: what each PBX can do with a call in progress and with presence.
//! - [`error`]: [`PbxError`] with a Russian [`PbxError::user_message`] and a stable
//!   [`PbxError::code`].
//! - [`number`]: [`DialNumber`], a number in the digits-only form both PBX APIs take.
//!
//! Every request carries the configured timeout. Nothing here retries on its own: creating a
//! call is not idempotent, so the caller decides (see [`PbxError::is_transient`]).

pub mod capabilities;
pub mod error;
mod http;
pub mod number;
pub mod sipuni;
pub mod uis;

pub use capabilities::{Capabilities, capabilities};
pub use error::{LimitScope, PbxError, SIPUNI_API_CALLS, UisMnemonic};
pub use number::DialNumber;
pub use sipuni::{SipuniClient, SipuniConfig};
pub use uis::{UisClient, UisConfig};

/// The result type of this crate.
pub type Result<T, E = PbxError> = std::result::Result<T, E>;
