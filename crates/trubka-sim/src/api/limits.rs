//! UIS points budgets («Баллов … в минуту / в день»), one per API (Call API, Data API).
//!
//! Every method costs one point, charged only when it succeeds (reference A.2.3): a request
//! reserves its point before it runs and gets it back when it fails. The minute budget is a
//! fixed window that opens with the first charged request and lasts 60 s; the day budget is
//! the account's (Moscow) calendar day. Every success reports the state in
//! `result.metadata.limits`; a request that finds a budget spent gets `-32029
//! limit_exceeded` with the same block in `error.data.metadata.limits`.

use std::{
    sync::Mutex,
    time::{Duration, Instant},
};

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::Serialize;

use crate::account;

/// Which API a budget belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UisApi {
    /// `/uis/callapi/v4.0`.
    Call,
    /// `/uis/dataapi/v2.0`.
    Data,
}

/// `metadata.limits`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Limits {
    /// Points per day.
    pub day_limit: u64,
    /// Points left today.
    pub day_remaining: u64,
    /// Seconds until the day budget resets (Moscow midnight).
    pub day_reset: u64,
    /// Points per minute.
    pub minute_limit: u64,
    /// Points left in this minute.
    pub minute_remaining: u64,
    /// Seconds until the minute budget resets.
    pub minute_reset: u64,
}

/// Which budget is spent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The minute budget.
    Minute,
    /// The day budget.
    Day,
}

impl Scope {
    /// `minute` or `day`, as UIS's message names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Minute => "minute",
            Self::Day => "day",
        }
    }
}

#[derive(Debug, Default)]
struct Budget {
    minute_start: Option<Instant>,
    minute_used: u64,
    day: Option<NaiveDate>,
    day_used: u64,
}

const MINUTE: Duration = Duration::from_secs(60);

impl Budget {
    /// Starts new windows where the old ones are over.
    fn roll(&mut self, now: Instant, wall: DateTime<Utc>, zone: FixedOffset) {
        if self
            .minute_start
            .is_some_and(|start| now.saturating_duration_since(start) >= MINUTE)
        {
            self.minute_start = None;
            self.minute_used = 0;
        }
        let today = account::local(wall, zone).date_naive();
        if self.day != Some(today) {
            self.day = Some(today);
            self.day_used = 0;
        }
    }

    fn limits(
        &self,
        minute_limit: u64,
        day_limit: u64,
        now: Instant,
        wall: DateTime<Utc>,
        zone: FixedOffset,
    ) -> Limits {
        let minute_reset = self.minute_start.map_or(60, |start| {
            let left = MINUTE.saturating_sub(now.saturating_duration_since(start));
            left.as_secs() + u64::from(left.subsec_nanos() > 0)
        });
        let local = account::local(wall, zone);
        let midnight = local
            .date_naive()
            .succ_opt()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map_or(86_400, |next| {
                let seconds = (next - local.naive_local()).num_seconds();
                u64::try_from(seconds).unwrap_or(0)
            });
        Limits {
            day_limit,
            day_remaining: day_limit.saturating_sub(self.day_used),
            day_reset: midnight,
            minute_limit,
            minute_remaining: minute_limit.saturating_sub(self.minute_used),
            minute_reset,
        }
    }
}

/// The budgets of both APIs.
#[derive(Debug)]
pub struct Budgets {
    minute_limit: u64,
    day_limit: u64,
    /// The account's zone: day budgets reset at its midnight.
    zone: FixedOffset,
    call: Mutex<Budget>,
    data: Mutex<Budget>,
}

impl Budgets {
    /// Budgets of `minute_limit` and `day_limit` points for each API; days are the account's
    /// (`zone`).
    pub fn new(minute_limit: u64, day_limit: u64, zone: FixedOffset) -> Self {
        Self {
            minute_limit,
            day_limit,
            zone,
            call: Mutex::default(),
            data: Mutex::default(),
        }
    }

    fn budget(&self, api: UisApi) -> std::sync::MutexGuard<'_, Budget> {
        let budget = match api {
            UisApi::Call => &self.call,
            UisApi::Data => &self.data,
        };
        budget.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes one point for a request about to run; on a spent budget, says which and the
    /// limits as they are.
    pub fn reserve(
        &self,
        api: UisApi,
        now: Instant,
        wall: DateTime<Utc>,
    ) -> Result<Limits, (Scope, Limits)> {
        let mut budget = self.budget(api);
        budget.roll(now, wall, self.zone);
        let before = budget.limits(self.minute_limit, self.day_limit, now, wall, self.zone);
        if before.day_remaining == 0 {
            return Err((Scope::Day, before));
        }
        if before.minute_remaining == 0 {
            return Err((Scope::Minute, before));
        }
        budget.minute_start.get_or_insert(now);
        budget.minute_used += 1;
        budget.day_used += 1;
        Ok(budget.limits(self.minute_limit, self.day_limit, now, wall, self.zone))
    }

    /// Gives back the point of a request that failed.
    pub fn refund(&self, api: UisApi) {
        let mut budget = self.budget(api);
        budget.minute_used = budget.minute_used.saturating_sub(1);
        budget.day_used = budget.day_used.saturating_sub(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minute_budget_runs_out_and_resets() {
        let budgets = Budgets::new(2, 100, account::moscow_offset());
        let now = Instant::now();
        let wall = Utc::now();
        let first = budgets.reserve(UisApi::Call, now, wall).unwrap();
        assert_eq!((first.minute_remaining, first.day_remaining), (1, 99));
        assert_eq!(first.minute_reset, 60);
        budgets.reserve(UisApi::Call, now, wall).unwrap();
        let (scope, limits) = budgets.reserve(UisApi::Call, now, wall).unwrap_err();
        assert_eq!((scope, limits.minute_remaining), (Scope::Minute, 0));
        // The other API has its own budget.
        assert!(budgets.reserve(UisApi::Data, now, wall).is_ok());
        budgets.refund(UisApi::Call);
        assert!(budgets.reserve(UisApi::Call, now, wall).is_ok());
        let later = now + Duration::from_secs(61);
        let again = budgets.reserve(UisApi::Call, later, wall).unwrap();
        assert_eq!(again.minute_remaining, 1);
        assert_eq!(again.day_remaining, 97);
    }

    #[test]
    fn day_budget_runs_out_until_moscow_midnight() {
        let budgets = Budgets::new(10, 1, account::moscow_offset());
        let now = Instant::now();
        let wall = DateTime::parse_from_rfc3339("2026-05-12T20:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        budgets.reserve(UisApi::Data, now, wall).unwrap();
        let (scope, limits) = budgets.reserve(UisApi::Data, now, wall).unwrap_err();
        assert_eq!(scope, Scope::Day);
        // 23:00 in Moscow: one hour to midnight.
        assert_eq!(limits.day_reset, 3600);
        let next_day = wall + chrono::Duration::hours(2);
        assert!(budgets.reserve(UisApi::Data, now, next_day).is_ok());
    }
}
