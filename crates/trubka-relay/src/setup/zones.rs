//! The UTC offsets of the time zones a UIS account can be in, for `check` to compare with
//! `[uis] utc_offset`.
//!
//! `get.account` names the zone (`Europe/Moscow`); the relay works with a fixed offset. A
//! small table of the zones without daylight saving where UIS and Sipuni customers are
//! (Russia has kept one offset all year since 2014, and so have its neighbours below) is
//! enough; a zone not listed is reported as not checkable rather than guessed, so no tz
//! database is needed. The offsets are those in force since the last change noted.

use chrono::FixedOffset;

/// IANA name and hours east of UTC.
const ZONES: &[(&str, i32)] = &[
    ("Europe/Kaliningrad", 2),
    ("Europe/Moscow", 3),
    ("Europe/Simferopol", 3),
    ("Europe/Kirov", 3),
    // Back to +3 since 27 December 2020.
    ("Europe/Volgograd", 3),
    ("Europe/Samara", 4),
    ("Europe/Astrakhan", 4),
    ("Europe/Saratov", 4),
    ("Europe/Ulyanovsk", 4),
    ("Asia/Yekaterinburg", 5),
    ("Asia/Omsk", 6),
    ("Asia/Novosibirsk", 7),
    ("Asia/Barnaul", 7),
    ("Asia/Tomsk", 7),
    ("Asia/Novokuznetsk", 7),
    ("Asia/Krasnoyarsk", 7),
    ("Asia/Irkutsk", 8),
    ("Asia/Chita", 9),
    ("Asia/Yakutsk", 9),
    ("Asia/Khandyga", 9),
    ("Asia/Vladivostok", 10),
    ("Asia/Ust-Nera", 10),
    ("Asia/Magadan", 11),
    ("Asia/Sakhalin", 11),
    ("Asia/Srednekolymsk", 11),
    ("Asia/Kamchatka", 12),
    ("Asia/Anadyr", 12),
    ("Europe/Minsk", 3),
    // Kazakhstan moved to one zone, +5, on 1 March 2024.
    ("Asia/Almaty", 5),
    ("Asia/Qostanay", 5),
    ("Asia/Tashkent", 5),
    ("Asia/Samarkand", 5),
    ("Asia/Bishkek", 6),
    ("Asia/Dushanbe", 5),
    ("Asia/Ashgabat", 5),
    ("Asia/Tbilisi", 4),
    ("Asia/Yerevan", 4),
    ("Asia/Baku", 4),
    ("UTC", 0),
    ("Etc/UTC", 0),
];

/// The zone's offset today, when the table knows the zone (names compare case-insensitively,
/// around spaces).
pub(crate) fn current_offset(zone: &str) -> Option<FixedOffset> {
    let zone = zone.trim();
    ZONES
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(zone))
        .and_then(|(_, hours)| FixedOffset::east_opt(hours * 3600))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hours(zone: &str) -> Option<i32> {
        current_offset(zone).map(|offset| offset.local_minus_utc() / 3600)
    }

    #[test]
    fn russian_zones_and_neighbours_are_known() {
        assert_eq!(hours("Europe/Moscow"), Some(3));
        assert_eq!(hours("Europe/Kaliningrad"), Some(2));
        assert_eq!(hours("Asia/Yekaterinburg"), Some(5));
        assert_eq!(hours(" asia/novosibirsk "), Some(7));
        assert_eq!(hours("Asia/Kamchatka"), Some(12));
        assert_eq!(hours("Asia/Almaty"), Some(5));
        assert_eq!(hours("Europe/Minsk"), Some(3));
    }

    #[test]
    fn other_names_are_unknown_not_guessed() {
        // Zones with daylight saving have no single offset.
        assert_eq!(hours("Europe/Berlin"), None);
        assert_eq!(hours("Europe/Kyiv"), None);
        assert_eq!(hours("MSK"), None);
        assert_eq!(hours(""), None);
    }

    #[test]
    fn every_entry_is_a_valid_offset_and_listed_once() {
        for (i, (name, _)) in ZONES.iter().enumerate() {
            assert!(current_offset(name).is_some(), "{name}");
            assert!(
                !ZONES[i + 1..].iter().any(|(other, _)| other == name),
                "{name}"
            );
        }
    }
}
