//! The cast: the call center's employees and lines, the people who call it, and how each PBX
//! writes their numbers.
//!
//! Callers are listed the way people write numbers (`+7 926 …`, `8 (812) …`, `8-800-…`,
//! `+375…`, `anonymous`); [`uis_number`] and [`sipuni_number`] turn such text into what the
//! PBX itself sends: UIS sends E.164 digits without `+` (`79261234567`), Sipuni sends what the
//! trunk presented, digits only and sometimes with the national `8` prefix (`89261234567`).

use crate::config::Employee;

/// Default UIS account id (`app_id`).
pub const UIS_APP_ID: u64 = 44431;

/// Default UIS virtual numbers: Moscow, Saint Petersburg, toll-free.
pub const UIS_LINES: &[&str] = &["74951234567", "78122428080", "78003507711"];

/// Default Sipuni cabinet number.
pub const SIPUNI_USER: &str = "064629";

/// Default Sipuni city numbers.
pub const SIPUNI_LINES: &[&str] = &["74992136070", "78123097788"];

/// The employees used when none are configured.
pub fn default_employees() -> Vec<Employee> {
    [
        (2339292, "Анна Смирнова", "201"),
        (2339293, "Игорь Петров", "202"),
        (2339294, "Мария Козлова", "203"),
    ]
    .into_iter()
    .map(|(id, name, extension)| Employee {
        id,
        name: name.to_owned(),
        extension: extension.to_owned(),
    })
    .collect()
}

/// Somebody who calls the call center (or whom it calls).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    /// The number as a person would write it.
    pub typed: &'static str,
    /// Name in the UIS address book, `None` for an unknown caller.
    pub name: Option<&'static str>,
    /// Id in the UIS address book (`contact_id`).
    pub contact_id: Option<u64>,
}

/// Known and unknown callers in every format people type.
pub const CALLERS: &[Caller] = &[
    Caller {
        typed: "+7 926 123-45-67",
        name: Some("Ольга Васильева"),
        contact_id: Some(31245),
    },
    Caller {
        typed: "89161112233",
        name: Some("Дмитрий Орлов"),
        contact_id: Some(31246),
    },
    Caller {
        typed: "8 (812) 333-44-55",
        name: Some("ООО «Балтснаб»"),
        contact_id: Some(31247),
    },
    Caller {
        typed: "8-800-555-35-35",
        name: None,
        contact_id: None,
    },
    Caller {
        typed: "+375 29 765-43-21",
        name: Some("Алесь Янушкевич"),
        contact_id: Some(31248),
    },
    Caller {
        typed: "375447001122",
        name: None,
        contact_id: None,
    },
    Caller {
        typed: "79031234500",
        name: None,
        contact_id: None,
    },
    Caller {
        typed: "+7 (495) 640-12-34",
        name: Some("Сергей Кузнецов"),
        contact_id: Some(31249),
    },
    Caller {
        typed: "9057778899",
        name: None,
        contact_id: None,
    },
    Caller {
        typed: "8 903 555 12 12",
        name: Some("Наталья Белова"),
        contact_id: Some(31250),
    },
    Caller {
        typed: "+998 90 123 45 67",
        name: None,
        contact_id: None,
    },
    Caller {
        typed: "anonymous",
        name: None,
        contact_id: None,
    },
];

/// Whether `raw` stands for a hidden caller id.
pub fn is_anonymous(raw: &str) -> bool {
    let raw = raw.trim();
    raw.eq_ignore_ascii_case("anonymous") || raw.eq_ignore_ascii_case("unknown")
}

/// Whether `raw` is something a PBX could present as a caller: digits, or `anonymous`.
pub fn is_dialable(raw: &str) -> bool {
    is_anonymous(raw) || raw.bytes().any(|b| b.is_ascii_digit())
}

fn digits(raw: &str) -> String {
    raw.chars().filter(char::is_ascii_digit).collect()
}

/// Whether `raw` is a short internal number (an extension) rather than a phone number.
pub fn is_extension(raw: &str) -> bool {
    let d = digits(raw);
    !d.is_empty() && d.len() <= 5 && !raw.trim_start().starts_with('+')
}

/// The number the way UIS writes it in `contact_phone_number`: E.164 digits without `+`
/// (`8…` and ten-digit national numbers get the Russian `7`); `None` for a hidden number.
pub fn uis_number(raw: &str) -> Option<String> {
    if is_anonymous(raw) {
        return None;
    }
    let d = digits(raw);
    if d.is_empty() {
        return None;
    }
    let international = raw.trim_start().starts_with('+');
    Some(match d.len() {
        11 if !international && d.starts_with('8') => format!("7{}", &d[1..]),
        10 if !international && !d.starts_with('7') => format!("7{d}"),
        _ => d,
    })
}

/// The number the way a Sipuni event writes it in `src_num`/`dst_num`: what the trunk
/// presented, digits only (no `+`), the national `8` kept; `anonymous` for a hidden number.
pub fn sipuni_number(raw: &str) -> String {
    if is_anonymous(raw) {
        return "anonymous".to_owned();
    }
    digits(raw)
}

/// The address-book entry for a number, compared the way UIS normalises numbers.
pub fn known_caller(raw: &str) -> Option<&'static Caller> {
    let number = uis_number(raw)?;
    CALLERS
        .iter()
        .find(|c| c.name.is_some() && uis_number(c.typed).as_deref() == Some(number.as_str()))
}

/// UIS's region of a number (`cpn_region_id`, `cpn_region_name`), for the prefixes the cast uses.
pub fn region(uis_digits: &str) -> Option<(u64, &'static str)> {
    const REGIONS: &[(&str, u64, &str)] = &[
        ("7495", 1, "Москва"),
        ("7499", 1, "Москва"),
        ("7812", 2, "Санкт-Петербург"),
        ("7916", 1, "Москва"),
        ("7926", 1, "Москва"),
        ("7903", 1, "Москва"),
        ("7905", 1, "Москва"),
        ("375", 1001, "Беларусь"),
        ("998", 1002, "Узбекистан"),
    ];
    REGIONS
        .iter()
        .find(|(prefix, _, _)| uis_digits.starts_with(prefix))
        .map(|(_, id, name)| (*id, *name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uis_writes_e164_digits() {
        assert_eq!(
            uis_number("+7 926 123-45-67").as_deref(),
            Some("79261234567")
        );
        assert_eq!(uis_number("89161112233").as_deref(), Some("79161112233"));
        assert_eq!(
            uis_number("8 (812) 333-44-55").as_deref(),
            Some("78123334455")
        );
        assert_eq!(
            uis_number("8-800-555-35-35").as_deref(),
            Some("78005553535")
        );
        assert_eq!(uis_number("9057778899").as_deref(), Some("79057778899"));
        assert_eq!(
            uis_number("+375 29 765-43-21").as_deref(),
            Some("375297654321")
        );
        assert_eq!(uis_number("375447001122").as_deref(), Some("375447001122"));
        assert_eq!(uis_number("anonymous"), None);
        assert_eq!(uis_number("202").as_deref(), Some("202"));
    }

    #[test]
    fn sipuni_keeps_the_trunk_format() {
        assert_eq!(sipuni_number("8 903 555 12 12"), "89035551212");
        assert_eq!(sipuni_number("+7 926 123-45-67"), "79261234567");
        assert_eq!(sipuni_number("9057778899"), "9057778899");
        assert_eq!(sipuni_number("Anonymous"), "anonymous");
    }

    #[test]
    fn known_callers_match_whatever_the_format() {
        assert_eq!(
            known_caller("79261234567").unwrap().name,
            Some("Ольга Васильева")
        );
        assert_eq!(
            known_caller("8 926 123 45 67").unwrap().contact_id,
            Some(31245)
        );
        assert!(known_caller("79031234500").is_none());
        assert!(known_caller("anonymous").is_none());
        assert!(is_extension("202") && !is_extension("+7 926 123-45-67"));
    }
}
