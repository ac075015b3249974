//! `[cases]`: how the relay derives the team's cases (see `crate::cases`): when a call-back
//! reaches the client, and how long a claim («Перезваниваю») lasts; and whether the tags of
//! notes are set on UIS calls too (`crate::uis_tags`).

use serde::{Deserialize, Deserializer};
use trubka_core::RecordingRule;

/// The longest claim: a working day. A claim is for one call-back, not a reservation.
pub const MAX_CLAIM_MINUTES: u32 = 24 * 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CasesConfig {
    /// `answered_and_recorded` (the default, as seed 003 point 13 says: an answer without a
    /// recording may be the client's voicemail) or `answered`.
    #[serde(deserialize_with = "deserialize_rule")]
    pub callback_rule: RecordingRule,
    /// Minutes after which a claim lapses unless the agent's call to the client ended
    /// before; 1 to [`MAX_CLAIM_MINUTES`].
    #[serde(deserialize_with = "deserialize_minutes")]
    pub claim_minutes: u32,
    /// Whether the tags of notes on UIS calls are set on the call at UIS too
    /// (`crate::uis_tags`); it needs `[uis] api_key`.
    pub uis_tags: bool,
    /// Seconds before the first retry of a tag UIS did not take (doubled after each failed
    /// attempt, at most half an hour); 1 to 3600.
    #[serde(deserialize_with = "deserialize_retry")]
    pub uis_tag_retry_secs: u32,
}

impl Default for CasesConfig {
    fn default() -> CasesConfig {
        CasesConfig {
            callback_rule: RecordingRule::AnsweredAndRecorded,
            claim_minutes: 15,
            uis_tags: true,
            uis_tag_retry_secs: 30,
        }
    }
}

impl CasesConfig {
    /// Applies `TRUBKA_RELAY_CASES_{rest}`; `Ok(false)` when no setting has that name.
    pub(super) fn apply_env(&mut self, rest: &str, value: &str) -> Result<bool, String> {
        match rest {
            "CALLBACK_RULE" => self.callback_rule = parse_rule(value)?,
            "CLAIM_MINUTES" => self.claim_minutes = parse_minutes(value)?,
            "UIS_TAGS" => {
                self.uis_tags = match value.trim() {
                    "true" | "1" => true,
                    "false" | "0" => false,
                    other => {
                        return Err(format!(
                            "[cases] uis_tags = `{other}`: use `true` or `false`"
                        ));
                    }
                }
            }
            "UIS_TAG_RETRY_SECS" => self.uis_tag_retry_secs = parse_retry(value)?,
            _ => return Ok(false),
        }
        Ok(true)
    }
}

fn parse_rule(text: &str) -> Result<RecordingRule, String> {
    RecordingRule::parse(text.trim()).ok_or_else(|| {
        format!("[cases] callback_rule = `{text}`: use `answered_and_recorded` or `answered`")
    })
}

fn parse_minutes(text: &str) -> Result<u32, String> {
    text.trim()
        .parse::<u32>()
        .ok()
        .filter(|m| (1..=MAX_CLAIM_MINUTES).contains(m))
        .ok_or_else(|| {
            format!("[cases] claim_minutes = `{text}`: a number of minutes from 1 to {MAX_CLAIM_MINUTES}")
        })
}

fn parse_retry(text: &str) -> Result<u32, String> {
    text.trim()
        .parse::<u32>()
        .ok()
        .filter(|s| (1..=3600).contains(s))
        .ok_or_else(|| {
            format!("[cases] uis_tag_retry_secs = `{text}`: a number of seconds from 1 to 3600")
        })
}

fn deserialize_retry<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let secs = u32::deserialize(d)?;
    parse_retry(&secs.to_string()).map_err(serde::de::Error::custom)
}

fn deserialize_rule<'de, D: Deserializer<'de>>(d: D) -> Result<RecordingRule, D::Error> {
    let text = String::deserialize(d)?;
    parse_rule(&text).map_err(serde::de::Error::custom)
}

fn deserialize_minutes<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let minutes = u32::deserialize(d)?;
    parse_minutes(&minutes.to_string()).map_err(serde::de::Error::custom)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_and_the_claim_time_are_read_and_checked() {
        let config: CasesConfig =
            toml::from_str("callback_rule = \"answered\"\nclaim_minutes = 5").unwrap();
        assert_eq!(config.callback_rule, RecordingRule::Answered);
        assert_eq!(config.claim_minutes, 5);
        let wrong = toml::from_str::<CasesConfig>("callback_rule = \"recorded\"").unwrap_err();
        assert!(
            wrong.to_string().contains("answered_and_recorded"),
            "{wrong}"
        );
        assert!(toml::from_str::<CasesConfig>("claim_minutes = 0").is_err());
        assert!(toml::from_str::<CasesConfig>("claim_minutes = 1441").is_err());
        let mut env = CasesConfig::default();
        assert_eq!(env.apply_env("CLAIM_MINUTES", "30"), Ok(true));
        assert_eq!(env.claim_minutes, 30);
        assert!(env.apply_env("CALLBACK_RULE", "sometimes").is_err());
        assert_eq!(env.apply_env("OTHER", "1"), Ok(false));
    }

    #[test]
    fn tagging_at_uis_is_on_by_default_and_its_retry_is_checked() {
        let config = CasesConfig::default();
        assert!(config.uis_tags);
        assert_eq!(config.uis_tag_retry_secs, 30);
        let config: CasesConfig =
            toml::from_str("uis_tags = false\nuis_tag_retry_secs = 2").unwrap();
        assert!(!config.uis_tags);
        assert_eq!(config.uis_tag_retry_secs, 2);
        assert!(toml::from_str::<CasesConfig>("uis_tag_retry_secs = 0").is_err());
        let mut env = CasesConfig::default();
        assert_eq!(env.apply_env("UIS_TAGS", "false"), Ok(true));
        assert!(!env.uis_tags);
        assert!(env.apply_env("UIS_TAGS", "maybe").is_err());
        assert_eq!(env.apply_env("UIS_TAG_RETRY_SECS", "5"), Ok(true));
        assert!(env.apply_env("UIS_TAG_RETRY_SECS", "7200").is_err());
    }
}
