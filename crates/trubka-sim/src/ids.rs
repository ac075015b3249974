//! Identifiers the PBXs give calls, legs and recordings.
//!
//! They look like the real ones (UIS `call_session_id` 1197843161, `leg_id` 287866221;
//! Sipuni `call_id` `1774372584.533596`; UIS record hashes of 32 hex digits) and never repeat,
//! not even across restarts of the simulator: counters start from the clock, so a relay that
//! already stored yesterday's calls does not mistake a new call for a duplicate.

use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};
use md5::{Digest, Md5};

/// Seconds of the epoch the clock-based counters count from (2023-11-14).
const COUNTER_EPOCH: i64 = 1_700_000_000;

/// Allocates identifiers; shared by every call of one simulator.
#[derive(Debug)]
pub struct IdGen {
    session: AtomicU64,
    leg: AtomicU64,
    sipuni_seq: AtomicU64,
    callback: AtomicU64,
}

impl IdGen {
    /// Counters that start from `now`: sessions from centiseconds since 2023-11-14, legs four
    /// times that, so a fresh simulator never reuses an id while it starts fewer than 100
    /// calls a second.
    pub fn new(now: DateTime<Utc>) -> Self {
        let centis = u64::try_from((now.timestamp_millis() / 10) - COUNTER_EPOCH * 100)
            .unwrap_or_default()
            .max(1_000_000);
        Self {
            session: AtomicU64::new(centis),
            leg: AtomicU64::new(centis * 4),
            sipuni_seq: AtomicU64::new(u64::from(now.timestamp_subsec_micros())),
            callback: AtomicU64::new(centis / 100),
        }
    }

    /// A new UIS `call_session_id`.
    pub fn uis_session(&self) -> u64 {
        self.session.fetch_add(1, Ordering::Relaxed)
    }

    /// A new UIS `leg_id`.
    pub fn uis_leg(&self) -> u64 {
        self.leg.fetch_add(1, Ordering::Relaxed)
    }

    /// A new Sipuni `callbackId` (a callback order of `callback/call_tree`).
    pub fn sipuni_callback(&self) -> u64 {
        self.callback.fetch_add(1, Ordering::Relaxed)
    }

    /// A new Sipuni (Asterisk) `call_id`: the start's unix seconds, a dot, a six-digit sequence.
    pub fn sipuni_call(&self, start: DateTime<Utc>) -> String {
        let seq = self.sipuni_seq.fetch_add(1, Ordering::Relaxed) % 1_000_000;
        format!("{}.{seq:06}", start.timestamp())
    }
}

/// A UIS record hash (`call_records[i]`): 32 lowercase hex digits, stable for a leg.
pub fn record_hash(call_session_id: u64, leg_id: u64) -> String {
    hex::encode(Md5::digest(format!(
        "trubka-sim:{call_session_id}:{leg_id}"
    )))
}

/// The `hash` of a Sipuni recording link: md5 of the call id, the cabinet and the secret.
pub fn sipuni_record_hash(call_id: &str, user: &str, secret: &str) -> String {
    hex::encode(Md5::digest(format!("{call_id}+{user}+{secret}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_realistic_and_unique() {
        let now = DateTime::from_timestamp(1_778_000_000, 123_456_000).unwrap();
        let ids = IdGen::new(now);
        let a = ids.uis_session();
        let b = ids.uis_session();
        assert!(b > a && a > 1_000_000_000 && a < 100_000_000_000);
        assert_ne!(ids.uis_leg(), ids.uis_leg());
        let call = ids.sipuni_call(now);
        assert_eq!(call, "1778000000.123456");
        assert_eq!(record_hash(1, 2).len(), 32);
        assert_ne!(record_hash(1, 2), record_hash(1, 3));
        let later = IdGen::new(now + chrono::Duration::seconds(1));
        assert!(later.uis_session() > a + 50);
    }
}
