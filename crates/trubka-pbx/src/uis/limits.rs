//! UIS points budgets (`result.metadata.limits`) and the policy the client follows with them.
//!
//! Policy, applied before every request from the last limits UIS reported:
//! - `minute_remaining == 0`: wait until `minute_reset` seconds (counted from that answer) have
//!   passed, through the client's [`Sleeper`]; if that is longer than
//!   `UisConfig::max_limit_wait`, fail at once with [`PbxError::LimitExhausted`] instead.
//!   A missing `minute_reset` counts as 60 s, the longest a minute budget can take.
//! - `day_remaining == 0` with a known `day_reset` still in the future: fail at once with
//!   [`PbxError::LimitExhausted`] (a day budget resets in hours; nobody should wait for it).
//!
//! A `limit_exceeded` error from UIS itself is returned as is; it is never retried here.

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::PbxError;
use crate::error::LimitScope;

/// `metadata.limits` as UIS reports it; every member is optional because answers carry subsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
pub struct UisLimits {
    pub day_limit: Option<u64>,
    pub day_remaining: Option<u64>,
    /// Seconds until the day budget resets, counted from the answer.
    pub day_reset: Option<u64>,
    pub minute_limit: Option<u64>,
    pub minute_remaining: Option<u64>,
    /// Seconds until the minute budget resets, counted from the answer.
    pub minute_reset: Option<u64>,
}

/// How the client waits for a minute budget to reset. Tests inject one that records the
/// durations instead of sleeping.
pub trait Sleeper: Send + Sync {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>>;
}

/// The default [`Sleeper`]: `tokio::time::sleep`.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioSleeper;

impl Sleeper for TokioSleeper {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        Box::pin(tokio::time::sleep(duration))
    }
}

const MINUTE: Duration = Duration::from_secs(60);

/// The last limits seen and when; decides whether the next request may go.
#[derive(Debug)]
pub(crate) struct LimitGate {
    last: Mutex<Option<(UisLimits, Instant)>>,
    max_wait: Duration,
}

impl LimitGate {
    pub(crate) fn new(max_wait: Duration) -> LimitGate {
        LimitGate {
            last: Mutex::new(None),
            max_wait,
        }
    }

    /// Remembers the limits of an answer received at `at`.
    pub(crate) fn record(&self, limits: UisLimits, at: Instant) {
        *self.lock() = Some((limits, at));
    }

    pub(crate) fn last(&self) -> Option<UisLimits> {
        self.lock().map(|(limits, _)| limits)
    }

    /// How long to wait before a request sent at `now`, or why it must not be sent.
    pub(crate) fn before_request(&self, now: Instant) -> Result<Option<Duration>, PbxError> {
        let Some((limits, at)) = *self.lock() else {
            return Ok(None);
        };
        let elapsed = now.saturating_duration_since(at);
        if limits.day_remaining == Some(0)
            && let Some(reset) = limits.day_reset
        {
            let left = Duration::from_secs(reset).saturating_sub(elapsed);
            if !left.is_zero() {
                return Err(PbxError::LimitExhausted {
                    scope: LimitScope::Day,
                    reset_after: left,
                });
            }
        }
        if limits.minute_remaining == Some(0) {
            let reset = limits.minute_reset.map_or(MINUTE, Duration::from_secs);
            let left = reset.saturating_sub(elapsed);
            if left.is_zero() {
                return Ok(None);
            }
            if left > self.max_wait {
                return Err(PbxError::LimitExhausted {
                    scope: LimitScope::Minute,
                    reset_after: left,
                });
            }
            return Ok(Some(left));
        }
        Ok(None)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<(UisLimits, Instant)>> {
        // The guarded value is plain data written whole, so a poisoned lock still holds a
        // consistent value.
        self.last
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(minute_remaining: u64, minute_reset: Option<u64>) -> UisLimits {
        UisLimits {
            minute_remaining: Some(minute_remaining),
            minute_reset,
            ..UisLimits::default()
        }
    }

    #[test]
    fn no_limits_seen_means_no_wait() {
        let gate = LimitGate::new(MINUTE);
        assert_eq!(gate.before_request(Instant::now()).unwrap(), None);
        assert_eq!(gate.last(), None);
    }

    #[test]
    fn spent_minute_budget_waits_for_the_rest_of_the_reset() {
        let gate = LimitGate::new(MINUTE);
        let at = Instant::now();
        gate.record(limits(0, Some(42)), at);
        let wait = gate.before_request(at + Duration::from_secs(2)).unwrap();
        assert_eq!(wait, Some(Duration::from_secs(40)));
        assert_eq!(
            gate.before_request(at + Duration::from_secs(42)).unwrap(),
            None
        );
    }

    #[test]
    fn minute_budget_left_means_no_wait() {
        let gate = LimitGate::new(MINUTE);
        let at = Instant::now();
        gate.record(limits(1, Some(42)), at);
        assert_eq!(gate.before_request(at).unwrap(), None);
    }

    #[test]
    fn wait_longer_than_allowed_is_an_error() {
        let gate = LimitGate::new(Duration::from_secs(10));
        let at = Instant::now();
        gate.record(limits(0, None), at);
        let err = gate.before_request(at).unwrap_err();
        assert!(matches!(
            err,
            PbxError::LimitExhausted { scope: LimitScope::Minute, reset_after } if reset_after == MINUTE
        ));
    }

    #[test]
    fn spent_day_budget_fails_until_reset() {
        let gate = LimitGate::new(MINUTE);
        let at = Instant::now();
        let day = UisLimits {
            day_remaining: Some(0),
            day_reset: Some(3600),
            minute_remaining: Some(5),
            ..UisLimits::default()
        };
        gate.record(day, at);
        let err = gate
            .before_request(at + Duration::from_secs(600))
            .unwrap_err();
        assert!(matches!(
            err,
            PbxError::LimitExhausted { scope: LimitScope::Day, reset_after }
                if reset_after == Duration::from_secs(3000)
        ));
        assert_eq!(
            gate.before_request(at + Duration::from_secs(3600)).unwrap(),
            None
        );
    }
}
