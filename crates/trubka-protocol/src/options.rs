//! What the relay knows about a notification besides the request itself.
//!
//! The parsers never read the wall clock: a retried notification must become identical
//! events, so every time comes from the payload, and the one fallback for payloads that carry
//! no time at all (EnvyCRM-style GET templates) is a value the caller passes in.

use chrono::{DateTime, FixedOffset, Utc};

/// Moscow time, UTC+03:00 all year: the time zone of most UIS accounts and Sipuni cabinets,
/// hence the default. The relay passes the account's own zone (`[uis]`/`[sipuni] utc_offset`).
pub const MOSCOW: FixedOffset = match FixedOffset::east_opt(3 * 3600) {
    Some(offset) => offset,
    None => unreachable!(),
};

/// Parameters of [`crate::parse_uis_with`] and [`crate::parse_sipuni_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseOptions {
    /// The account's time zone, used for local times without an offset (UIS
    /// `notification_time` is `YYYY-MM-DD hh:mm:ss.ffffff` in the account's zone).
    pub utc_offset: FixedOffset,
    /// When the relay received the notification; used as `at` only when the payload has no
    /// time of its own. Without it such events get the Unix epoch, which sorts them first:
    /// still deterministic, but the relay should pass the time it first saw the event.
    pub received_at: Option<DateTime<Utc>>,
}

impl Default for ParseOptions {
    fn default() -> ParseOptions {
        ParseOptions {
            utc_offset: MOSCOW,
            received_at: None,
        }
    }
}
