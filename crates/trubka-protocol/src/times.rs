//! Times as PBXs write them: local `YYYY-MM-DD hh:mm:ss[.ffffff]` in the account's zone,
//! RFC 3339 with an offset, or unix seconds (as a number or as text).
//!
//! A time outside 2000–2099 is read as no time at all: it is a placeholder (`0`) or garbage,
//! and an event dated in year 200000 would not even survive its own JSON on the agent side.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDateTime, TimeZone, Utc};
use serde_json::Value;

use crate::coerce;

/// Unix times above this are milliseconds: as seconds they would be past the year 5000.
const MILLIS_THRESHOLD: u64 = 100_000_000_000;

/// Years a PBX event can plausibly be dated in.
const PLAUSIBLE_YEARS: std::ops::RangeInclusive<i32> = 2000..=2099;

/// A time in any of the accepted spellings; `offset` applies to local times without one.
pub(crate) fn from_value(value: &Value, offset: FixedOffset) -> Option<DateTime<Utc>> {
    if let Some(secs) = coerce::unsigned(value) {
        return unix(secs);
    }
    let text = coerce::text(value)?;
    from_text(&text, offset).filter(plausible)
}

/// Unix seconds (or milliseconds, recognised by size).
pub(crate) fn unix(value: u64) -> Option<DateTime<Utc>> {
    let (secs, nanos) = if value >= MILLIS_THRESHOLD {
        (value / 1000, (value % 1000) * 1_000_000)
    } else {
        (value, 0)
    };
    DateTime::from_timestamp(i64::try_from(secs).ok()?, u32::try_from(nanos).ok()?)
        .filter(plausible)
}

fn plausible(at: &DateTime<Utc>) -> bool {
    PLAUSIBLE_YEARS.contains(&at.year())
}

fn from_text(text: &str, offset: FixedOffset) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.with_timezone(&Utc));
    }
    const WITH_OFFSET: [&str; 4] = [
        "%Y-%m-%d %H:%M:%S%.f%:z",
        "%Y-%m-%d %H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S%.f %z",
        "%Y-%m-%dT%H:%M:%S%.f%z",
    ];
    for format in WITH_OFFSET {
        if let Ok(at) = DateTime::parse_from_str(text, format) {
            return Some(at.with_timezone(&Utc));
        }
    }
    const LOCAL: [&str; 4] = [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%d.%m.%Y %H:%M:%S%.f",
    ];
    for format in LOCAL {
        if let Ok(naive) = NaiveDateTime::parse_from_str(text, format) {
            return offset
                .from_local_datetime(&naive)
                .single()
                .map(|at| at.with_timezone(&Utc));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::options::MOSCOW;

    fn utc(text: &str) -> Option<DateTime<Utc>> {
        Some(DateTime::parse_from_rfc3339(text).ok()?.with_timezone(&Utc))
    }

    #[test]
    fn local_times_use_the_account_zone() {
        let at = from_value(&json!("2026-05-12 10:17:40.215000"), MOSCOW);
        assert_eq!(at, utc("2026-05-12T07:17:40.215Z"));
        assert_eq!(
            from_value(&json!("2026-05-12 10:17:40"), MOSCOW),
            utc("2026-05-12T07:17:40Z")
        );
        assert_eq!(
            from_value(&json!("2026-05-12T10:17:40+05:00"), MOSCOW),
            utc("2026-05-12T05:17:40Z")
        );
        assert_eq!(
            from_value(&json!("2026-05-12 10:17:40+0500"), MOSCOW),
            utc("2026-05-12T05:17:40Z")
        );
    }

    #[test]
    fn unix_times_in_seconds_and_millis() {
        assert_eq!(
            from_value(&json!(1774372584), MOSCOW),
            utc("2026-03-24T17:16:24Z")
        );
        assert_eq!(
            from_value(&json!("1774372584"), MOSCOW),
            utc("2026-03-24T17:16:24Z")
        );
        assert_eq!(
            from_value(&json!(1774372584500_u64), MOSCOW),
            utc("2026-03-24T17:16:24.5Z")
        );
        assert_eq!(from_value(&json!(u64::MAX), MOSCOW), None);
        assert_eq!(from_value(&json!(0), MOSCOW), None);
        assert_eq!(from_value(&json!("вчера"), MOSCOW), None);
    }

    #[test]
    fn the_ends_of_time_do_not_overflow() {
        for text in [
            "+262142-12-31 23:59:59",
            "-262143-01-01 00:00:00",
            "262142-12-31T23:59:59-23:59",
        ] {
            let _ = from_value(&json!(text), MOSCOW);
            let _ = from_value(
                &json!(text),
                FixedOffset::west_opt(23 * 3600).unwrap_or(MOSCOW),
            );
        }
    }
}
