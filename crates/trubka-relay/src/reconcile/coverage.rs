//! How far back a run must look so that no call falls between two runs: after an outage (the
//! relay down overnight, the PBX API refusing for hours) the usual window is not enough.
//!
//! Each PBX's history is known to be reconciled up to some instant: the end of its last
//! successful run or, right after start, the last time the relay heard anything at all (the
//! newest event in its log). A run starts `window` before that instant, or `window` before
//! now, whichever is earlier, but never more than `catch_up` ago. A fresh relay with an empty
//! log looks only `window` back: it does not import old history as if it were news.

use chrono::{DateTime, TimeDelta, Utc};
use rusqlite::{Connection, OptionalExtension};
use trubka_core::Provider;

use crate::store::StoreError;

/// What each PBX's history is reconciled up to, as far as this process knows.
#[derive(Debug, Default)]
pub(crate) struct Coverage {
    /// Whether the start value was read from the event log yet.
    loaded: bool,
    uis: Option<DateTime<Utc>>,
    sipuni: Option<DateTime<Utc>>,
}

impl Coverage {
    /// Whether the start value still has to be read ([`Coverage::start_from`]).
    pub(crate) fn needs_loading(&self) -> bool {
        !self.loaded
    }

    /// Right after start: both histories are taken as reconciled up to the last time the
    /// relay heard anything (`None`: never).
    pub(crate) fn start_from(&mut self, last_heard: Option<DateTime<Utc>>) {
        self.loaded = true;
        self.uis = last_heard;
        self.sipuni = last_heard;
    }

    pub(crate) fn get(&self, provider: Provider) -> Option<DateTime<Utc>> {
        match provider {
            Provider::Uis => self.uis,
            Provider::Sipuni => self.sipuni,
        }
    }

    /// A run over `provider`'s history succeeded up to `reached`.
    pub(crate) fn reached(&mut self, provider: Provider, reached: DateTime<Utc>) {
        let slot = match provider {
            Provider::Uis => &mut self.uis,
            Provider::Sipuni => &mut self.sipuni,
        };
        *slot = Some(slot.map_or(reached, |known| known.max(reached)));
    }
}

/// Where a run over a history reconciled up to `covered` starts.
pub(crate) fn window_start(
    now: DateTime<Utc>,
    window: TimeDelta,
    covered: Option<DateTime<Utc>>,
    catch_up: TimeDelta,
) -> DateTime<Utc> {
    let back = |from: DateTime<Utc>, by: TimeDelta| {
        from.checked_sub_signed(by)
            .unwrap_or(DateTime::<Utc>::MIN_UTC)
    };
    let usual = back(now, window);
    let since_covered = covered.map_or(usual, |covered| back(covered.min(now), window));
    let floor = back(now, catch_up.max(window));
    usual.min(since_covered).max(floor)
}

/// When the relay last stored an event (webhook or reconciliation), from the newest row of
/// its log: one primary-key lookup.
pub(crate) fn last_heard(conn: &Connection) -> Result<Option<DateTime<Utc>>, StoreError> {
    let millis: Option<i64> = conn
        .query_row(
            "SELECT received_at FROM events ORDER BY seq DESC LIMIT 1",
            [],
            |row| row.get(0),
        )
        .optional()?;
    Ok(millis.and_then(DateTime::from_timestamp_millis))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(hours_ago: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_780_000_000, 0).unwrap() - TimeDelta::hours(hours_ago)
    }

    const WINDOW: TimeDelta = TimeDelta::hours(2);
    const CATCH_UP: TimeDelta = TimeDelta::days(7);

    #[test]
    fn a_relay_that_never_stopped_looks_the_usual_window_back() {
        let now = at(0);
        assert_eq!(window_start(now, WINDOW, Some(now), CATCH_UP), at(2));
        // Reconciled up to an hour ago (the grace period): two hours before that.
        assert_eq!(window_start(now, WINDOW, Some(at(1)), CATCH_UP), at(3));
        // A coverage point ahead of our clock (clocks differ) counts as now.
        assert_eq!(window_start(now, WINDOW, Some(at(-1)), CATCH_UP), at(2));
    }

    #[test]
    fn after_an_outage_the_run_reaches_back_to_before_it() {
        // Down for ten hours: calls that started up to two hours before the last event heard
        // may have ended unseen.
        assert_eq!(window_start(at(0), WINDOW, Some(at(10)), CATCH_UP), at(12));
    }

    #[test]
    fn catching_up_is_bounded() {
        assert_eq!(
            window_start(at(0), WINDOW, Some(at(24 * 30)), CATCH_UP),
            at(24 * 7)
        );
        // A catch-up shorter than the window never shortens the window.
        assert_eq!(
            window_start(at(0), WINDOW, Some(at(10)), TimeDelta::hours(1)),
            at(2)
        );
    }

    #[test]
    fn a_fresh_relay_does_not_import_old_history() {
        assert_eq!(window_start(at(0), WINDOW, None, CATCH_UP), at(2));
    }

    #[test]
    fn coverage_only_moves_forward_and_per_provider() {
        let mut coverage = Coverage::default();
        assert!(coverage.needs_loading());
        coverage.start_from(Some(at(5)));
        assert!(!coverage.needs_loading());
        coverage.reached(Provider::Uis, at(1));
        coverage.reached(Provider::Uis, at(3));
        assert_eq!(coverage.get(Provider::Uis), Some(at(1)));
        assert_eq!(coverage.get(Provider::Sipuni), Some(at(5)));
    }
}
