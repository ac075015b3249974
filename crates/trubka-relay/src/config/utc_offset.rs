//! `utc_offset` of `[uis]` and `[sipuni]`: the PBX account's time zone as a fixed offset.
//!
//! Both PBXs write some times in the account's local time without an offset (UIS
//! `notification_time` and Data API dates, the Sipuni export's `DD.MM.YYYY HH:MM:SS`), so
//! the relay must know the zone. A fixed offset is enough: Russia has had no daylight saving
//! since 2014, and a tz database would be a large dependency for one number.
//!
//! Accepted spellings: `+05:00`, `+5`, `+05`, `+0500`, `-02:30`, `5` (no sign is east of UTC,
//! as people write Moscow "3"), an optional `UTC`/`GMT` prefix (`UTC+7`), and `UTC`/`Z` for
//! +00:00. A TOML integer (`utc_offset = 5`) is whole hours.

use std::fmt;

use chrono::FixedOffset;
use serde::Deserializer;
use serde::de::{self, Visitor};

/// The largest offset in use anywhere (Line Islands +14, Baker Island −12).
const MAX_HOURS: u32 = 14;

/// A `utc_offset` that is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not a UTC offset ({reason}); write it like \"+05:00\" or \"-02:30\"")]
pub struct BadUtcOffset {
    pub value: String,
    pub reason: &'static str,
}

/// Reads an offset in one of the spellings above.
pub fn parse_utc_offset(text: &str) -> Result<FixedOffset, BadUtcOffset> {
    let bad = |reason| BadUtcOffset {
        value: text.to_owned(),
        reason,
    };
    let trimmed = text.trim();
    let upper = trimmed.to_ascii_uppercase();
    let rest = ["UTC", "GMT"]
        .iter()
        .find_map(|prefix| upper.strip_prefix(prefix))
        .unwrap_or(&upper)
        .trim_start();
    if rest.is_empty() || rest == "Z" {
        return if upper.is_empty() {
            Err(bad("empty"))
        } else {
            Ok(FixedOffset::east_opt(0).expect("zero is a valid offset"))
        };
    }
    if rest.contains('/') {
        return Err(bad("that is a zone's name; write its offset"));
    }
    let (sign, digits) = match rest.as_bytes()[0] {
        b'+' => (1, &rest[1..]),
        b'-' => (-1, &rest[1..]),
        // "−" (U+2212), as typography writes a minus.
        _ if rest.starts_with('\u{2212}') => (-1, &rest['\u{2212}'.len_utf8()..]),
        _ => (1, rest),
    };
    let number = |part: &str, lengths: std::ops::RangeInclusive<usize>| {
        (lengths.contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit()))
            .then(|| part.parse::<u32>().ok())
            .flatten()
    };
    let (hours, minutes) = match digits.split_once(':') {
        Some((hours, minutes)) => (hours, Some(minutes)),
        // "+0530": the last two digits are minutes (all ASCII, so index 2 is a boundary).
        None if digits.len() == 4 && digits.bytes().all(|b| b.is_ascii_digit()) => {
            let (hours, minutes) = digits.split_at(2);
            (hours, Some(minutes))
        }
        None => (digits, None),
    };
    let hours = number(hours, 1..=2).ok_or_else(|| bad("hours must be one or two digits"))?;
    let minutes = match minutes {
        None => 0,
        Some(minutes) => number(minutes, 2..=2).ok_or_else(|| bad("minutes must be two digits"))?,
    };
    if minutes >= 60 {
        return Err(bad("minutes must be below 60"));
    }
    if hours * 60 + minutes > MAX_HOURS * 60 {
        return Err(bad("more than 14 hours from UTC"));
    }
    let seconds = sign * i32::try_from((hours * 60 + minutes) * 60).expect("at most 14 hours");
    FixedOffset::east_opt(seconds).ok_or_else(|| bad("out of range"))
}

/// `deserialize_with` for `[uis] utc_offset`.
pub(super) fn uis<'de, D: Deserializer<'de>>(deserializer: D) -> Result<FixedOffset, D::Error> {
    deserializer.deserialize_any(OffsetVisitor("[uis] utc_offset"))
}

/// `deserialize_with` for `[sipuni] utc_offset`.
pub(super) fn sipuni<'de, D: Deserializer<'de>>(deserializer: D) -> Result<FixedOffset, D::Error> {
    deserializer.deserialize_any(OffsetVisitor("[sipuni] utc_offset"))
}

/// Takes a string or whole hours; errors name the key, so the admin sees which one is wrong
/// (the TOML error adds the line).
struct OffsetVisitor(&'static str);

impl Visitor<'_> for OffsetVisitor {
    type Value = FixedOffset;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: a UTC offset such as \"+05:00\"", self.0)
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<FixedOffset, E> {
        parse_utc_offset(value).map_err(|e| E::custom(format!("{}: {e}", self.0)))
    }

    fn visit_i64<E: de::Error>(self, hours: i64) -> Result<FixedOffset, E> {
        let text = if hours < 0 {
            hours.to_string()
        } else {
            format!("+{hours}")
        };
        self.visit_str(&text)
    }

    fn visit_u64<E: de::Error>(self, hours: u64) -> Result<FixedOffset, E> {
        self.visit_str(&format!("+{hours}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minutes_east(text: &str) -> i32 {
        parse_utc_offset(text).unwrap().local_minus_utc() / 60
    }

    #[test]
    fn common_spellings_are_read() {
        assert_eq!(minutes_east("+05:00"), 300);
        assert_eq!(minutes_east("+5"), 300);
        assert_eq!(minutes_east("+05"), 300);
        assert_eq!(minutes_east("+0500"), 300);
        assert_eq!(minutes_east("05:00"), 300);
        assert_eq!(minutes_east("3"), 180);
        assert_eq!(minutes_east(" UTC+7 "), 420);
        assert_eq!(minutes_east("utc+07:00"), 420);
        assert_eq!(minutes_east("GMT-3"), -180);
        assert_eq!(minutes_east("-02:30"), -150);
        assert_eq!(minutes_east("\u{2212}2:30"), -150);
        assert_eq!(minutes_east("+05:45"), 345);
        assert_eq!(minutes_east("+14:00"), 14 * 60);
        assert_eq!(minutes_east("-12"), -12 * 60);
        assert_eq!(minutes_east("UTC"), 0);
        assert_eq!(minutes_east("Z"), 0);
        assert_eq!(minutes_east("+00:00"), 0);
    }

    #[test]
    fn nonsense_is_an_error_naming_the_value() {
        for text in [
            "",
            "  ",
            "+",
            "+25",
            "+15:00",
            "+14:01",
            "+05:60",
            "+5:7",
            "+005",
            "+05:00:00",
            "Europe/Moscow",
            "MSK",
            "+5h",
            "++5",
            "+-5",
            "5.5",
            "+٣",
            "a٣b",
            "+5:0",
        ] {
            let error = parse_utc_offset(text).expect_err(text);
            assert_eq!(error.value, text);
            assert!(error.to_string().contains(&format!("`{text}`")), "{error}");
        }
        let error = parse_utc_offset("Asia/Omsk").unwrap_err();
        assert!(error.to_string().contains("zone's name"), "{error}");
    }

    #[derive(Debug, serde::Deserialize)]
    struct Section {
        #[serde(deserialize_with = "uis")]
        utc_offset: FixedOffset,
    }

    #[test]
    fn toml_takes_strings_and_whole_hours_and_names_the_key_when_wrong() {
        let read = |text: &str| toml::from_str::<Section>(text).map(|s| s.utc_offset);
        assert_eq!(
            read("utc_offset = \"+07:00\"").unwrap().local_minus_utc(),
            7 * 3600
        );
        assert_eq!(read("utc_offset = 5").unwrap().local_minus_utc(), 5 * 3600);
        assert_eq!(
            read("utc_offset = -3").unwrap().local_minus_utc(),
            -3 * 3600
        );
        let error = read("utc_offset = \"+25:00\"").unwrap_err().to_string();
        assert!(error.contains("[uis] utc_offset"), "{error}");
        assert!(error.contains("`+25:00`"), "{error}");
        let error = read("utc_offset = true").unwrap_err().to_string();
        assert!(error.contains("[uis] utc_offset"), "{error}");
    }
}
