//! Values that are obviously not credentials: what an admin leaves when copying a sample
//! config (`api_key = "…"`, `"<key>"`, `"xxx"`, `"your-key"`) or an empty string. They are
//! reported before any request, since a PBX would only answer «неверный ключ», which sends the
//! admin to the cabinet instead of to the config file.

use trubka_core::Lang;

/// Why a value cannot be a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum NotAKey {
    Empty,
    Ellipsis,
    Brackets,
    Spaces,
    Repeated,
    SampleWord,
}

impl NotAKey {
    /// The reason in words.
    pub(super) fn says(self, lang: Lang) -> &'static str {
        match self {
            NotAKey::Empty => lang.pick("пустое значение", "an empty value"),
            NotAKey::Ellipsis => lang.pick("многоточие из примера", "the sample's ellipsis"),
            NotAKey::Brackets => lang.pick(
                "заготовка в скобках из примера",
                "a bracketed stand-in copied from the sample",
            ),
            NotAKey::Spaces => lang.pick("в ключе не бывает пробелов", "keys have no spaces"),
            NotAKey::Repeated => lang.pick("один повторённый символ", "one character repeated"),
            NotAKey::SampleWord => lang.pick(
                "слово из примера вместо ключа",
                "a sample's word instead of a key",
            ),
        }
    }
}

/// Why `value` cannot be a key, or `None` when it may be one.
pub(super) fn not_a_key(value: &str) -> Option<NotAKey> {
    let text = value.trim();
    if text.is_empty() {
        return Some(NotAKey::Empty);
    }
    if text.contains('…') || text.contains("...") {
        return Some(NotAKey::Ellipsis);
    }
    if (text.starts_with('<') && text.ends_with('>'))
        || (text.starts_with('{') && text.ends_with('}'))
        || (text.starts_with('[') && text.ends_with(']'))
    {
        return Some(NotAKey::Brackets);
    }
    if text.chars().any(char::is_whitespace) {
        return Some(NotAKey::Spaces);
    }
    let lower = text.to_lowercase();
    let mut chars = lower.chars();
    let first = chars.next()?;
    if text.chars().count() >= 3 && chars.all(|c| c == first) && !first.is_ascii_digit() {
        return Some(NotAKey::Repeated);
    }
    let bare: String = lower.chars().filter(|c| c.is_alphanumeric()).collect();
    const SAMPLE_WORDS: &[&str] = &[
        "key",
        "apikey",
        "secret",
        "token",
        "password",
        "changeme",
        "todo",
        "fixme",
        "placeholder",
        "example",
        "none",
        "null",
        "ключ",
        "секрет",
        "токен",
    ];
    if SAMPLE_WORDS.contains(&bare.as_str())
        || bare.starts_with("your")
        || bare.starts_with("ваш")
        || bare.starts_with("insert")
        || bare.starts_with("вставьте")
    {
        return Some(NotAKey::SampleWord);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_values_are_not_keys() {
        for value in [
            "",
            "  ",
            "…",
            "...",
            "<key>",
            "<api_key>",
            "{key}",
            "xxx",
            "XXXXXX",
            "your-key",
            "YOUR_API_KEY",
            "ваш ключ",
            "changeme",
            "secret",
            "api_key",
            "вставьте-ключ",
        ] {
            assert!(not_a_key(value).is_some(), "{value:?}");
        }
    }

    #[test]
    fn real_looking_values_pass() {
        for value in [
            "uis-api-key",
            "sipuni-secret",
            "2fRN4g21kL0p9sXq",
            "064629",
            "000000",
            "a1b2c3d4e5",
        ] {
            assert_eq!(not_a_key(value), None, "{value:?}");
        }
    }
}
