//! `[retention]`: how long the relay keeps what the PBXs sent (see `crate::retention`).
//!
//! Two ages: the raw notifications inside stored events (`raw_payload_days`) and the events
//! themselves (`events_days`). Both hold personal data (callers' numbers and names), which a
//! Russian call center may keep no longer than it needs (152-ФЗ), so both have a limit by
//! default. The defaults live in [`RetentionConfig::default`] only; docs/protocol.md quotes
//! them.

use serde::Deserialize;

use super::ReconcileConfig;

const DAY_SECS: u64 = 24 * 3600;

/// The shortest `events_days` whatever reconciliation does: a call in progress spans hours,
/// and an agent's PC switched off over a weekend should still get the calls it missed.
pub(super) const MIN_EVENTS_DAYS: u32 = 3;
/// Bounds of `batch_rows`: below, a pass over a busy day takes thousands of transactions;
/// above, one transaction keeps webhooks waiting for tens of milliseconds.
pub const BATCH_ROWS: std::ops::RangeInclusive<u32> = 100..=20_000;
/// The shortest `interval_secs`: a pass costs a few queries even when there is nothing to do.
pub const MIN_INTERVAL_SECS: u64 = 60;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetentionConfig {
    /// Days after which the notification as received (`raw` of a stored event, and the body
    /// of a refused request) is erased. The event itself stays.
    pub raw_payload_days: u32,
    /// Days after which a call's events are deleted: counted from the call's newest event,
    /// so a call is kept or deleted whole. At least `raw_payload_days`.
    pub events_days: u32,
    /// Rows changed per transaction: the relay's writer stores no webhook while one runs.
    /// Measured (docs/benchmarks.md): 2,000 rows held the writer up to 52 ms, 500 rows
    /// about a quarter of that, within the 10 ms webhook p99 the relay aims at.
    pub batch_rows: u32,
    /// Seconds between passes; the first one runs shortly after start.
    pub interval_secs: u64,
}

impl Default for RetentionConfig {
    fn default() -> RetentionConfig {
        RetentionConfig {
            raw_payload_days: 30,
            events_days: 90,
            batch_rows: 500,
            interval_secs: 3600,
        }
    }
}

/// A `[retention]` setting that would lose something still needed, or make no sense.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RetentionError {
    #[error(
        "[retention] raw_payload_days = 0: at least 1 (a day's notifications are what `status` and support read)"
    )]
    RawTooShort,
    #[error(
        "[retention] events_days = {events} is shorter than raw_payload_days = {raw}: an event is kept at least as long as its raw notification"
    )]
    EventsShorterThanRaw { events: u32, raw: u32 },
    #[error(
        "[retention] events_days = {events} is too short: at least {min} ({why}); raise events_days or lower [reconcile] catch_up_secs"
    )]
    EventsTooShort {
        events: u32,
        min: u32,
        why: &'static str,
    },
    #[error("[retention] batch_rows = {0}: between {min} and {max}", min = BATCH_ROWS.start(), max = BATCH_ROWS.end())]
    BatchRows(u32),
    #[error("[retention] interval_secs = {0}: at least {MIN_INTERVAL_SECS}")]
    Interval(u64),
}

impl RetentionConfig {
    /// Checks the bounds; `reconcile` decides how far back the log must reach.
    pub fn validate(&self, reconcile: &ReconcileConfig) -> Result<(), RetentionError> {
        if self.raw_payload_days == 0 {
            return Err(RetentionError::RawTooShort);
        }
        if self.events_days < self.raw_payload_days {
            return Err(RetentionError::EventsShorterThanRaw {
                events: self.events_days,
                raw: self.raw_payload_days,
            });
        }
        let (min, why) = min_events_days(reconcile);
        if self.events_days < min {
            return Err(RetentionError::EventsTooShort {
                events: self.events_days,
                min,
                why,
            });
        }
        if !BATCH_ROWS.contains(&self.batch_rows) {
            return Err(RetentionError::BatchRows(self.batch_rows));
        }
        if self.interval_secs < MIN_INTERVAL_SECS {
            return Err(RetentionError::Interval(self.interval_secs));
        }
        Ok(())
    }

    /// Applies one `TRUBKA_RELAY_RETENTION_*` variable (name after that prefix); `Ok(false)`
    /// when no setting has that name.
    pub(crate) fn apply_env(&mut self, key: &str, value: &str) -> Result<bool, String> {
        let number = |value: &str| {
            value
                .trim()
                .parse::<u64>()
                .map_err(|_| format!("`{value}` is not a whole number"))
        };
        let small = |value: &str| {
            number(value)
                .and_then(|n| u32::try_from(n).map_err(|_| format!("`{value}` is too large")))
        };
        match key {
            "RAW_PAYLOAD_DAYS" => self.raw_payload_days = small(value)?,
            "EVENTS_DAYS" => self.events_days = small(value)?,
            "BATCH_ROWS" => self.batch_rows = small(value)?,
            "INTERVAL_SECS" => self.interval_secs = number(value)?,
            _ => return Ok(false),
        }
        Ok(true)
    }
}

/// The shortest `events_days` for this reconciliation, and why. Reconciliation looks up the
/// stored events of every call its history reaches (`catch_up_secs` plus a window back);
/// were they gone, it would store the call again as if the relay had never heard of it.
pub fn min_events_days(reconcile: &ReconcileConfig) -> (u32, &'static str) {
    if reconcile.interval_secs == 0 {
        return (
            MIN_EVENTS_DAYS,
            "calls in progress and agents back after a weekend",
        );
    }
    let reach = reconcile
        .catch_up_secs
        .saturating_add(reconcile.window_secs);
    // Whole days, rounded up, and one more day for calls that began before the reach.
    let days = reach.div_ceil(DAY_SECS).saturating_add(1);
    let days = u32::try_from(days).unwrap_or(u32::MAX);
    if days > MIN_EVENTS_DAYS {
        (
            days,
            "reconciliation reads back [reconcile] catch_up_secs + window_secs, plus a day",
        )
    } else {
        (
            MIN_EVENTS_DAYS,
            "calls in progress and agents back after a weekend",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_valid_with_the_default_reconciliation() {
        let reconcile = ReconcileConfig::default();
        RetentionConfig::default().validate(&reconcile).unwrap();
        // 7 days of catch-up and a 2-hour window: 8 whole days, plus one.
        assert_eq!(min_events_days(&reconcile).0, 9);
    }

    #[test]
    fn settings_that_would_lose_what_is_needed_are_refused_with_the_reason() {
        let reconcile = ReconcileConfig::default();
        let with = |raw, events| RetentionConfig {
            raw_payload_days: raw,
            events_days: events,
            ..RetentionConfig::default()
        };
        assert_eq!(
            with(0, 90).validate(&reconcile),
            Err(RetentionError::RawTooShort)
        );
        assert_eq!(
            with(30, 20).validate(&reconcile),
            Err(RetentionError::EventsShorterThanRaw {
                events: 20,
                raw: 30
            })
        );
        let err = with(1, 8).validate(&reconcile).unwrap_err();
        assert!(matches!(err, RetentionError::EventsTooShort { min: 9, .. }));
        assert!(err.to_string().contains("catch_up_secs"), "{err}");
        with(1, 9).validate(&reconcile).unwrap();

        // Without reconciliation only the floor for calls and absent agents remains.
        let off = ReconcileConfig {
            interval_secs: 0,
            ..ReconcileConfig::default()
        };
        with(1, 3).validate(&off).unwrap();
        assert!(matches!(
            with(1, 2).validate(&off),
            Err(RetentionError::EventsTooShort { min: 3, .. })
        ));

        let batch = RetentionConfig {
            batch_rows: 10,
            ..RetentionConfig::default()
        };
        assert_eq!(
            batch.validate(&reconcile),
            Err(RetentionError::BatchRows(10))
        );
        let interval = RetentionConfig {
            interval_secs: 5,
            ..RetentionConfig::default()
        };
        assert_eq!(
            interval.validate(&reconcile),
            Err(RetentionError::Interval(5))
        );
    }

    /// docs/protocol.md's sample configuration states the defaults; this keeps it honest.
    #[test]
    fn the_documented_section_is_the_defaults() {
        let doc = include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../docs/protocol.md"
        ));
        let start = doc
            .find("\n[retention]")
            .expect("a [retention] section in protocol.md");
        let section = &doc[start..];
        let end = section[1..].find("\n\n").map_or(section.len(), |e| e + 1);
        #[derive(Deserialize)]
        struct File {
            retention: RetentionConfig,
        }
        let file: File = toml::from_str(&section[..end]).unwrap();
        assert_eq!(file.retention, RetentionConfig::default());
    }

    #[test]
    fn environment_names_are_read_and_bad_numbers_named() {
        let mut config = RetentionConfig::default();
        assert_eq!(config.apply_env("EVENTS_DAYS", "120"), Ok(true));
        assert_eq!(config.apply_env("RAW_PAYLOAD_DAYS", " 7 "), Ok(true));
        assert_eq!(config.apply_env("BATCH_ROWS", "500"), Ok(true));
        assert_eq!(config.apply_env("INTERVAL_SECS", "600"), Ok(true));
        assert_eq!(config.apply_env("EVENT_DAYS", "1"), Ok(false));
        assert_eq!((config.events_days, config.raw_payload_days), (120, 7));
        assert_eq!((config.batch_rows, config.interval_secs), (500, 600));
        let err = config.apply_env("EVENTS_DAYS", "a month").unwrap_err();
        assert!(err.contains("a month"), "{err}");
        assert!(config.apply_env("EVENTS_DAYS", "99999999999").is_err());
    }
}
