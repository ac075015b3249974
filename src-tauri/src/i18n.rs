//! The few strings the shell itself shows (tray menu, OS notifications), read from the UI's
//! own dictionaries so that every string has one translation in one place.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::dto::Language;

const RU: &str = include_str!("../../ui/src/i18n/ru.json");
const EN: &str = include_str!("../../ui/src/i18n/en.json");

fn table(lang: Language) -> &'static HashMap<String, String> {
    static TABLES: OnceLock<[HashMap<String, String>; 2]> = OnceLock::new();
    let tables = TABLES.get_or_init(|| {
        let parse =
            |text: &str| serde_json::from_str::<HashMap<String, String>>(text).unwrap_or_default();
        [parse(RU), parse(EN)]
    });
    match lang {
        Language::Ru => &tables[0],
        Language::En => &tables[1],
    }
}

/// The translation of `key`, with `{name}` placeholders filled from `args`; the key itself
/// when it is missing (a test checks none is).
pub fn t(lang: Language, key: &str, args: &[(&str, &str)]) -> String {
    let mut text = table(lang)
        .get(key)
        .cloned()
        .unwrap_or_else(|| key.to_owned());
    for (name, value) in args {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}

/// Every key the shell uses.
pub const KEYS: [&str; 25] = [
    "presence.available",
    "presence.break",
    "presence.dnd",
    "presence.offline",
    "presence.unknown",
    "presence.no_reason",
    "tray.status",
    "notify.away",
    "notify.and_more",
    "notify.show_missed",
    "status.connecting",
    "status.token_revoked",
    "status.rejected",
    "tray.open",
    "tray.popups",
    "tray.quit",
    "tray.tooltip",
    "notify.incoming",
    "notify.missed",
    "notify.callback",
    "notify.dial_failed",
    "notify.dialing",
    "status.connected",
    "status.reconnecting",
    "status.signed_out",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shell_string_is_translated() {
        for lang in [Language::Ru, Language::En] {
            for key in KEYS {
                assert!(
                    table(lang).contains_key(key),
                    "{key} missing in {}",
                    lang.code()
                );
            }
        }
        assert_eq!(
            t(Language::En, "notify.missed", &[("who", "Anna")]),
            "Missed call: Anna"
        );
    }
}
