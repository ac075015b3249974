//! The language a person reads Trubka's messages in: Russian first, English too.
//!
//! Messages are written in both languages side by side where they are made ([`tr!`]), so a
//! new message cannot ship in one language only, and the choice is passed down explicitly
//! rather than read from a global, so two languages can be used in one process (tests do).

use std::fmt;
use std::str::FromStr;

/// A language of messages. Russian is the default: Trubka's users are Russian call centers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    Ru,
    En,
}

impl Lang {
    /// The code used in configuration and environment variables: `ru` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ru => "ru",
            Lang::En => "en",
        }
    }

    /// `ru` in Russian, `en` in English: for fixed texts.
    pub fn pick<T>(self, ru: T, en: T) -> T {
        match self {
            Lang::Ru => ru,
            Lang::En => en,
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A language code that is neither Russian nor English.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a language Trubka speaks; write \"ru\" or \"en\"")]
pub struct UnknownLang(pub String);

impl FromStr for Lang {
    type Err = UnknownLang;

    /// `ru`, `en`, and locale names such as `ru_RU.UTF-8` or `en-US`, in any case.
    fn from_str(text: &str) -> Result<Lang, UnknownLang> {
        let lower = text.trim().to_ascii_lowercase();
        let language = lower.split(['_', '-', '.', '@']).next().unwrap_or_default();
        match language {
            "ru" | "russian" | "русский" => Ok(Lang::Ru),
            "en" | "english" => Ok(Lang::En),
            _ => Err(UnknownLang(text.to_owned())),
        }
    }
}

/// Formats a message in the language given: `tr!(lang, "Готово: {n}", "Done: {n}")`. Both
/// texts take the same arguments, inline (`{n}`) or after them.
#[macro_export]
macro_rules! tr {
    ($lang:expr, $ru:literal, $en:literal $(, $arg:expr)* $(,)?) => {
        match $lang {
            $crate::Lang::Ru => format!($ru $(, $arg)*),
            $crate::Lang::En => format!($en $(, $arg)*),
        }
    };
}

/// The Russian letters of `text` that stand outside «…» (nested ones included): what a
/// message in English must not have. Inside «» a message quotes what a Russian PBX cabinet
/// shows (menu items, tariff options, the PBX's own words), which stays as it is.
pub fn cyrillic_outside_quotes(text: &str) -> String {
    let mut depth = 0usize;
    let mut found = String::new();
    for c in text.chars() {
        match c {
            '«' => depth += 1,
            '»' if depth > 0 => depth -= 1,
            'а'..='я' | 'А'..='Я' | 'ё' | 'Ё' if depth == 0 => found.push(c),
            _ => {}
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_locale_names_are_read() {
        for (text, lang) in [
            ("ru", Lang::Ru),
            ("RU", Lang::Ru),
            ("ru_RU.UTF-8", Lang::Ru),
            ("en", Lang::En),
            ("en-US", Lang::En),
            (" English ", Lang::En),
        ] {
            assert_eq!(text.parse::<Lang>(), Ok(lang), "{text}");
        }
        assert_eq!(
            "de".parse::<Lang>(),
            Err(UnknownLang("de".to_owned())),
            "an unknown language is an error, not a silent default"
        );
        assert!("".parse::<Lang>().is_err());
    }

    #[test]
    fn tr_formats_in_the_chosen_language_with_inline_and_trailing_arguments() {
        let n = 3;
        assert_eq!(tr!(Lang::Ru, "звонков: {n}", "calls: {n}"), "звонков: 3");
        assert_eq!(tr!(Lang::En, "звонков: {}", "calls: {}", n + 1), "calls: 4");
        assert_eq!(Lang::default(), Lang::Ru);
        assert_eq!(Lang::En.pick("да", "yes"), "yes");
    }

    #[test]
    fn only_russian_letters_outside_guillemets_are_found() {
        assert_eq!(cyrillic_outside_quotes("a «b «в» d» e"), "");
        assert_eq!(
            cyrillic_outside_quotes("enable «Call API Базовый набор» (basic set)"),
            ""
        );
        assert_eq!(cyrillic_outside_quotes("enable «x» опцию"), "опцию");
        assert_eq!(cyrillic_outside_quotes("Ёж»"), "Ёж");
    }
}
