//! The engine's settings: one typed struct, the only source of defaults, stored as key/value
//! rows in the profile's database.

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::relay_api::AgentMe;
use crate::store::{StoreError, settings as kv};

/// Fields a call card shows by default (Omnidesk's default: full name, email, company).
pub const DEFAULT_CARD_FIELDS: [&str; 3] = ["name", "company", "email"];
/// How many of the caller's previous calls a card lists by default.
pub const DEFAULT_RECENT_CALLS: usize = 5;
/// The region numbers without a country code are read in by default.
pub const DEFAULT_REGION: &str = "RU";

/// Everything configurable, with defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentSettings {
    /// Base URL of the relay (`https://relay.example.com`); `None` before login.
    pub relay_url: Option<String>,
    /// Region for numbers written without a country code (ISO code).
    pub default_region: String,
    /// Contact fields shown on a call card, in order: `name`, `company`, `email`,
    /// `position`, `notes` or the name of any extra field.
    pub card_fields: Vec<String>,
    /// How many previous calls of the caller a card lists.
    pub recent_calls: usize,
    /// The agent's own profile from `/v1/me` (who "here" is), cached for offline starts.
    pub me: Option<AgentMe>,
}

impl Default for AgentSettings {
    fn default() -> Self {
        AgentSettings {
            relay_url: None,
            default_region: DEFAULT_REGION.to_owned(),
            card_fields: DEFAULT_CARD_FIELDS
                .iter()
                .map(|f| (*f).to_owned())
                .collect(),
            recent_calls: DEFAULT_RECENT_CALLS,
            me: None,
        }
    }
}

fn corrupt(key: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("setting `{key}`: {e}"))
}

impl AgentSettings {
    /// Reads the settings, defaults for anything not stored.
    pub fn load(conn: &Connection) -> Result<AgentSettings, StoreError> {
        let mut s = AgentSettings::default();
        if let Some(v) = kv::get(conn, "relay_url")? {
            s.relay_url = Some(v);
        }
        if let Some(v) = kv::get(conn, "default_region")? {
            s.default_region = v;
        }
        if let Some(v) = kv::get(conn, "card_fields")? {
            s.card_fields = serde_json::from_str(&v).map_err(|e| corrupt("card_fields", e))?;
        }
        if let Some(v) = kv::get(conn, "recent_calls")? {
            s.recent_calls = v.parse().map_err(|e| corrupt("recent_calls", e))?;
        }
        if let Some(v) = kv::get(conn, "me")? {
            s.me = Some(serde_json::from_str(&v).map_err(|e| corrupt("me", e))?);
        }
        Ok(s)
    }

    /// Writes every setting.
    pub fn save(&self, conn: &Connection) -> Result<(), StoreError> {
        kv::set(conn, "relay_url", self.relay_url.as_deref())?;
        kv::set(conn, "default_region", Some(&self.default_region))?;
        let fields =
            serde_json::to_string(&self.card_fields).map_err(|e| corrupt("card_fields", e))?;
        kv::set(conn, "card_fields", Some(&fields))?;
        kv::set(conn, "recent_calls", Some(&self.recent_calls.to_string()))?;
        let me = self
            .me
            .as_ref()
            .map(serde_json::to_string)
            .transpose()
            .map_err(|e| corrupt("me", e))?;
        kv::set(conn, "me", me.as_deref())?;
        Ok(())
    }
}
