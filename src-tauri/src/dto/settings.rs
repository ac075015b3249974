//! The settings screen: engine settings (relay, card fields) plus the shell's own
//! preferences (popup mode, sound, language, start with the OS).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// When the call card pops up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PopupMode {
    /// When the agent's phone rings.
    #[default]
    Ring,
    /// When the agent answers.
    Answer,
    /// Never ("desk-phone mode"): an OS notification instead.
    Off,
}

/// The interface language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    #[default]
    Ru,
    En,
}

impl Language {
    pub fn code(self) -> &'static str {
        match self {
            Language::Ru => "ru",
            Language::En => "en",
        }
    }
}

/// Everything the settings screen shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SettingsDto {
    pub relay_url: Option<String>,
    /// The signed-in agent's name.
    pub agent: Option<String>,
    /// The signed-in agent is a supervisor (may delete team contacts), as the relay said at
    /// sign-in.
    pub supervisor: bool,
    /// Contact fields shown on a card, in order.
    pub card_fields: Vec<String>,
    /// Fields that can be chosen: the built-in ones and every extra field in the contacts.
    pub available_fields: Vec<String>,
    pub popup: PopupMode,
    pub sound: bool,
    pub language: Language,
    pub autostart: bool,
    /// The global shortcut that dials the selected or copied number.
    pub shortcut: String,
    /// A break while the screen is locked or the system sleeps (off by default).
    pub auto_break: bool,
    /// The global shortcut that starts and ends a break.
    pub break_shortcut: String,
    /// Open the caller's contact in the main window when this agent answers (off by default).
    pub open_contact_on_answer: bool,
    /// Where the token is kept: `keyring` or `file`.
    pub token_store: String,
    /// The profile folder.
    pub profile_dir: String,
}

/// A change to the settings; absent fields stay as they are.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, TS)]
pub struct SettingsPatch {
    #[serde(default)]
    #[ts(optional)]
    pub card_fields: Option<Vec<String>>,
    #[serde(default)]
    #[ts(optional)]
    pub popup: Option<PopupMode>,
    #[serde(default)]
    #[ts(optional)]
    pub sound: Option<bool>,
    #[serde(default)]
    #[ts(optional)]
    pub language: Option<Language>,
    #[serde(default)]
    #[ts(optional)]
    pub autostart: Option<bool>,
    #[serde(default)]
    #[ts(optional)]
    pub auto_break: Option<bool>,
    #[serde(default)]
    #[ts(optional)]
    pub open_contact_on_answer: Option<bool>,
}
