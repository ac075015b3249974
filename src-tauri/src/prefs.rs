//! The shell's own preferences (popup mode, sound, language, start with the OS, shortcuts,
//! the automatic break), kept in
//! `desktop.json` in the profile folder. Engine settings (relay, card fields) live in the
//! engine; these only steer windows, notifications and the tray.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::dto::calls::CardStateDto;
use crate::dto::{CardDto, Language, PopupMode};

/// The default global shortcut that dials the selected or copied number.
pub const DEFAULT_SHORTCUT: &str = "CommandOrControl+Alt+D";
/// The default global shortcut that starts and ends a break.
pub const DEFAULT_BREAK_SHORTCUT: &str = "CommandOrControl+Alt+B";

/// The shell's preferences, with their defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Prefs {
    pub popup: PopupMode,
    pub sound: bool,
    pub language: Language,
    pub autostart: bool,
    pub shortcut: String,
    /// A break while the screen is locked or the system sleeps ([`crate::auto_break`]).
    pub auto_break: bool,
    pub break_shortcut: String,
    /// Open the caller's contact in the main window when this agent answers
    /// ([`crate::open_on_answer`]).
    pub open_contact_on_answer: bool,
}

impl Default for Prefs {
    fn default() -> Self {
        Prefs {
            popup: PopupMode::Ring,
            sound: true,
            language: Language::Ru,
            autostart: false,
            shortcut: DEFAULT_SHORTCUT.to_owned(),
            auto_break: false,
            break_shortcut: DEFAULT_BREAK_SHORTCUT.to_owned(),
            open_contact_on_answer: false,
        }
    }
}

fn file(dir: &Path) -> PathBuf {
    dir.join("desktop.json")
}

impl Prefs {
    /// Reads the preferences; defaults when the file is missing or unreadable (logged).
    pub fn load(dir: &Path) -> Prefs {
        match std::fs::read_to_string(file(dir)) {
            Ok(text) => serde_json::from_str(&text).unwrap_or_else(|e| {
                tracing::warn!(error = %e, "desktop.json is not valid; using defaults");
                Prefs::default()
            }),
            Err(_) => Prefs::default(),
        }
    }

    /// Writes the preferences (to a temporary file, then renamed over the old one).
    pub fn save(&self, dir: &Path) -> std::io::Result<()> {
        let path = file(dir);
        let tmp = path.with_extension("json.tmp");
        let text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        std::fs::write(&tmp, text)?;
        std::fs::rename(tmp, path)
    }

    /// Whether an update of a card that is not on screen yet should pop the card window.
    /// Updates of cards already shown always reach it.
    pub fn pops(&self, card: &CardDto) -> bool {
        match self.popup {
            PopupMode::Off => false,
            PopupMode::Ring => matches!(
                card.state,
                CardStateDto::RingingHere | CardStateDto::AnsweredHere
            ),
            PopupMode::Answer => card.state == CardStateDto::AnsweredHere,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_defaults() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert_eq!(Prefs::load(dir.path()), Prefs::default());
        let prefs = Prefs {
            popup: PopupMode::Answer,
            sound: false,
            language: Language::En,
            ..Prefs::default()
        };
        prefs.save(dir.path()).expect("save");
        assert_eq!(Prefs::load(dir.path()), prefs);
        std::fs::write(dir.path().join("desktop.json"), "{\"sound\": false}").expect("write");
        assert!(!Prefs::load(dir.path()).sound);
        assert_eq!(Prefs::load(dir.path()).popup, PopupMode::Ring);
        assert!(!Prefs::default().open_contact_on_answer);
        let on = Prefs {
            open_contact_on_answer: true,
            ..Prefs::default()
        };
        on.save(dir.path()).expect("save");
        assert!(Prefs::load(dir.path()).open_contact_on_answer);
    }
}
