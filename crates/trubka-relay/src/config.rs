//! The relay's configuration: one typed struct, the only place defaults live.
//!
//! Layers, each overriding the one before: the embedded defaults, the TOML file
//! (`--config`), environment variables `TRUBKA_RELAY_*`, and finally command-line flags
//! (the CLI writes them into the loaded struct's fields).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use chrono::FixedOffset;
use serde::Deserialize;
use trubka_core::{Lang, UnknownLang};
use trubka_protocol::options::MOSCOW;

mod cases;
mod directory;
pub mod locate;
mod retention;
mod tls;
mod utc_offset;

pub use cases::{CasesConfig, MAX_CLAIM_MINUTES};
pub use directory::{
    AnswerPointers, DirectoryConfig, LookupConfig, LookupConfigError, LookupMethod,
    MAX_SYNC_MINUTES, MAX_TIMEOUT_MS as LOOKUP_MAX_TIMEOUT_MS, UisSyncConfig, UisSyncConfigError,
};
pub use retention::{
    BATCH_ROWS as RETENTION_BATCH_ROWS, MIN_INTERVAL_SECS as RETENTION_MIN_INTERVAL_SECS,
    RetentionConfig, RetentionError, min_events_days,
};
pub use tls::{AcmeSettings, LETS_ENCRYPT, TlsConfig, TlsConfigError, TlsSource};
pub use utc_offset::{BadUtcOffset, parse_utc_offset};

/// Everything the relay reads at start. Every field has a default, so an empty file (or no
/// file) is a valid configuration.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RelayConfig {
    /// Where the HTTP server listens.
    pub listen: SocketAddr,
    /// Folder of the SQLite database (`relay.db`); created when missing.
    pub data_dir: PathBuf,
    /// The public base URL (`https://relay.example.com`) the PBXs use; when unset, printed
    /// webhook URLs use the local listen address.
    pub public_url: Option<String>,
    /// ISO region used for phone numbers written without a country code.
    pub default_region: String,
    /// The language of the admin's messages (`ru`, the default, or `en`): every command's
    /// output and errors, `check`, `status` and the printed cabinet instructions. The
    /// service's log lines stay English, so they read the same in any search.
    #[serde(deserialize_with = "deserialize_lang")]
    pub language: Lang,
    pub uis: UisConfig,
    pub sipuni: SipuniConfig,
    pub reconcile: ReconcileConfig,
    /// How long raw notifications and events are kept (`[retention]`, see `crate::retention`).
    pub retention: RetentionConfig,
    /// How long one request to a PBX API may take before it counts as failed, and a whole
    /// call-control action with its several requests (`crate::control`); past it an agent's
    /// click-to-call or action gets 504 `pbx_timeout`. At least 1.
    pub pbx_timeout_secs: u64,
    /// How often agents' statuses and calls are read back from the PBXs (`crate::presence`),
    /// so a status changed in the cabinet shows in Trubka; 0 turns the read-back off.
    pub presence_interval_secs: u64,
    /// The relay's own HTTPS (`listen` is then the HTTPS address); absent, it serves plain
    /// HTTP for a proxy in front (see `config/tls.rs`).
    pub tls: Option<TlsConfig>,
    /// App builds published to agents (`[updates]`, see `crate::updates`).
    pub updates: UpdatesConfig,
    /// The team directory (`[directory]`): the CRM asked about unknown callers.
    pub directory: DirectoryConfig,
    /// The team's cases (`[cases]`): when a call-back counts, how long a claim lasts.
    pub cases: CasesConfig,
}

/// `[updates]`: what `app publish` checks a build's signature with.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UpdatesConfig {
    /// The public key the app is built with: the content of the `.pub` file `tauri signer
    /// generate` wrote (one base64 line). A build whose signature it does not verify is
    /// refused, as the apps would refuse it.
    pub public_key: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UisConfig {
    /// Secret part of the UIS webhook URL; generated and persisted when absent.
    pub hook_token: Option<String>,
    /// Call API / Data API access token.
    pub api_key: Option<String>,
    pub call_api_url: String,
    pub data_api_url: String,
    /// Caller ID for click-to-call.
    pub virtual_number: Option<String>,
    /// Host of recording links built from the calls report during reconciliation
    /// (`{media_base}/system/media/talk/{communication_id}/{hash}/`, as UIS writes `file_link`):
    /// `https://app.uiscom.ru`, or `app.comagic.ru`, `app.callgear.ae`, `app.novofon.ru`.
    pub media_base: String,
    /// The account's time zone (`"+05:00"`; default Moscow, +03:00): `notification_time` and
    /// the Data API's report dates are local times without an offset.
    #[serde(deserialize_with = "utc_offset::uis")]
    pub utc_offset: FixedOffset,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SipuniConfig {
    /// Secret part of the Sipuni webhook URL; generated and persisted when absent.
    pub hook_token: Option<String>,
    /// Cabinet number.
    pub user: Option<String>,
    /// API key used in request hashes.
    pub secret: Option<String>,
    pub api_url: String,
    /// The cabinet's time zone (`"+05:00"`; default Moscow, +03:00): the call log export's
    /// times and days are local. (Webhook times are Unix seconds and need no zone.)
    #[serde(deserialize_with = "utc_offset::sipuni")]
    pub utc_offset: FixedOffset,
    /// The routing schemes («схемы») agents may call through, by the name they pick:
    /// `trees = { "Продажи" = "000-913901" }`. Sipuni documents no API that lists them, so
    /// the admin names them here (see `crate::choices`).
    pub trees: BTreeMap<String, String>,
}

/// The background job that pulls recent call history from the PBX APIs and stores what the
/// webhooks missed (see `crate::reconcile`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReconcileConfig {
    /// Seconds between runs; 0 turns reconciliation off. The first run is shortly after start.
    pub interval_secs: u64,
    /// How far back each run looks, in seconds.
    pub window_secs: u64,
    /// Calls that ended less than this many seconds ago are left for the next run: their
    /// webhooks may still be on the way.
    pub grace_secs: u64,
    /// After an outage (the relay down, the PBX API refusing), a run reaches back to before
    /// it began, but never more than this many seconds.
    pub catch_up_secs: u64,
}

impl Default for RelayConfig {
    fn default() -> RelayConfig {
        RelayConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8765)),
            data_dir: PathBuf::from("relay-data"),
            public_url: None,
            default_region: "RU".to_owned(),
            language: Lang::Ru,
            uis: UisConfig::default(),
            sipuni: SipuniConfig::default(),
            reconcile: ReconcileConfig::default(),
            retention: RetentionConfig::default(),
            pbx_timeout_secs: 15,
            presence_interval_secs: 30,
            tls: None,
            updates: UpdatesConfig::default(),
            directory: DirectoryConfig::default(),
            cases: CasesConfig::default(),
        }
    }
}

impl Default for ReconcileConfig {
    fn default() -> ReconcileConfig {
        ReconcileConfig {
            interval_secs: 300,
            window_secs: 2 * 3600,
            catch_up_secs: 7 * 24 * 3600,
            grace_secs: 120,
        }
    }
}

impl Default for UisConfig {
    fn default() -> UisConfig {
        UisConfig {
            hook_token: None,
            api_key: None,
            call_api_url: "https://callapi.uiscom.ru/v4.0".to_owned(),
            data_api_url: "https://dataapi.uiscom.ru/v2.0".to_owned(),
            virtual_number: None,
            media_base: "https://app.uiscom.ru".to_owned(),
            utc_offset: MOSCOW,
        }
    }
}

impl Default for SipuniConfig {
    fn default() -> SipuniConfig {
        SipuniConfig {
            hook_token: None,
            user: None,
            secret: None,
            api_url: "https://sipuni.com/api".to_owned(),
            utc_offset: MOSCOW,
            trees: BTreeMap::new(),
        }
    }
}

/// `language = "ru"`: a code or a locale name, see [`Lang`]'s `FromStr`.
fn deserialize_lang<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Lang, D::Error> {
    let text = String::deserialize(deserializer)?;
    text.parse().map_err(serde::de::Error::custom)
}

/// The prefix of every environment variable the relay reads.
pub const ENV_PREFIX: &str = "TRUBKA_RELAY_";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config file {path} is invalid: {source}")]
    Parse {
        path: PathBuf,
        source: Box<toml::de::Error>,
    },
    #[error("environment variable {name} is invalid: {message}")]
    Env { name: String, message: String },
    #[error(transparent)]
    Retention(#[from] RetentionError),
    #[error(transparent)]
    Tls(#[from] TlsConfigError),
    #[error(transparent)]
    Lookup(#[from] LookupConfigError),
    #[error(transparent)]
    UisSync(#[from] UisSyncConfigError),
}

impl RelayConfig {
    /// Defaults, then the file (when given), then `TRUBKA_RELAY_*` variables from `env`.
    /// Returns the names of `TRUBKA_RELAY_*` variables that match no setting, so the caller
    /// can warn about a typo instead of silently ignoring it.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<(RelayConfig, Vec<String>), ConfigError> {
        let mut config = match file {
            Some(path) => RelayConfig::from_file(path)?,
            None => RelayConfig::default(),
        };
        let mut unknown = Vec::new();
        for (name, value) in env {
            let Some(key) = name.strip_prefix(ENV_PREFIX) else {
                continue;
            };
            if !config
                .apply_env(key, value)
                .map_err(|message| ConfigError::Env {
                    name: name.clone(),
                    message,
                })?
            {
                unknown.push(name);
            }
        }
        config.retention.validate(&config.reconcile)?;
        if let Some(tls) = &config.tls {
            tls.source(config.listen)?;
        }
        if let Some(lookup) = &config.directory.lookup {
            lookup.validate()?;
        }
        if let Some(sync) = &config.directory.uis_sync {
            sync.validate()?;
        }
        Ok((config, unknown))
    }

    pub fn from_file(path: &Path) -> Result<RelayConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        toml::from_str(&text).map_err(|source| ConfigError::Parse {
            path: path.to_owned(),
            source: Box::new(source),
        })
    }

    /// Applies one variable (name without the prefix). `Ok(false)` when no setting has
    /// that name. An empty value clears an optional setting.
    fn apply_env(&mut self, key: &str, value: String) -> Result<bool, String> {
        let optional = |value: String| (!value.is_empty()).then_some(value);
        let seconds = |value: String| {
            value
                .trim()
                .parse::<u64>()
                .map_err(|_| format!("`{value}` is not a number of seconds"))
        };
        let offset = |value: String| parse_utc_offset(&value).map_err(|e| e.to_string());
        if let Some(rest) = key.strip_prefix("RETENTION_") {
            return self.retention.apply_env(rest, &value);
        }
        if let Some(rest) = key.strip_prefix("CASES_") {
            return self.cases.apply_env(rest, &value);
        }
        if let Some(rest) = key.strip_prefix("DIRECTORY_UIS_SYNC_") {
            return UisSyncConfig::apply_env(&mut self.directory.uis_sync, rest, &value);
        }
        if let Some(rest) = key.strip_prefix("DIRECTORY_LOOKUP_") {
            return LookupConfig::apply_env(&mut self.directory.lookup, rest, value);
        }
        match key {
            "LISTEN" => {
                self.listen = value
                    .parse()
                    .map_err(|e| format!("`{value}` is not an address: {e}"))?
            }
            "DATA_DIR" => self.data_dir = PathBuf::from(value),
            "PUBLIC_URL" => self.public_url = optional(value),
            "DEFAULT_REGION" => self.default_region = value,
            "LANGUAGE" => self.language = value.parse().map_err(|e: UnknownLang| e.to_string())?,
            "UIS_HOOK_TOKEN" => self.uis.hook_token = optional(value),
            "UIS_API_KEY" => self.uis.api_key = optional(value),
            "UIS_CALL_API_URL" => self.uis.call_api_url = value,
            "UIS_DATA_API_URL" => self.uis.data_api_url = value,
            "UIS_VIRTUAL_NUMBER" => self.uis.virtual_number = optional(value),
            "UIS_MEDIA_BASE" => self.uis.media_base = value,
            "UIS_UTC_OFFSET" => self.uis.utc_offset = offset(value)?,
            "SIPUNI_HOOK_TOKEN" => self.sipuni.hook_token = optional(value),
            "SIPUNI_USER" => self.sipuni.user = optional(value),
            "SIPUNI_SECRET" => self.sipuni.secret = optional(value),
            "SIPUNI_API_URL" => self.sipuni.api_url = value,
            "SIPUNI_UTC_OFFSET" => self.sipuni.utc_offset = offset(value)?,
            "RECONCILE_INTERVAL_SECS" => self.reconcile.interval_secs = seconds(value)?,
            "RECONCILE_WINDOW_SECS" => self.reconcile.window_secs = seconds(value)?,
            "RECONCILE_GRACE_SECS" => self.reconcile.grace_secs = seconds(value)?,
            "RECONCILE_CATCH_UP_SECS" => self.reconcile.catch_up_secs = seconds(value)?,
            "PBX_TIMEOUT_SECS" => self.pbx_timeout_secs = seconds(value)?,
            "PRESENCE_INTERVAL_SECS" => self.presence_interval_secs = seconds(value)?,
            "UPDATES_PUBLIC_KEY" => self.updates.public_key = optional(value),
            // Read by the binary itself (clap), not a setting of this struct.
            "CONFIG" => {}
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// The SQLite file inside `data_dir`.
    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("relay.db")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn defaults_match_the_contract() {
        let (config, unknown) = RelayConfig::load(None, Vec::new()).unwrap();
        assert_eq!(config.listen.to_string(), "127.0.0.1:8765");
        assert_eq!(config.data_dir, PathBuf::from("relay-data"));
        assert_eq!(config.default_region, "RU");
        assert_eq!(config.uis.call_api_url, "https://callapi.uiscom.ru/v4.0");
        assert_eq!(config.sipuni.api_url, "https://sipuni.com/api");
        assert_eq!(config.uis.media_base, "https://app.uiscom.ru");
        assert_eq!(config.reconcile.interval_secs, 300);
        assert_eq!(config.uis.utc_offset, MOSCOW);
        assert_eq!(config.sipuni.utc_offset, MOSCOW);
        assert!(config.uis.hook_token.is_none() && unknown.is_empty());
    }

    #[test]
    fn env_overrides_file_and_reports_unknown_names() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("relay.toml");
        std::fs::write(
            &path,
            "listen = \"127.0.0.1:9000\"\npublic_url = \"https://relay.example.com\"\n\
             [uis]\nhook_token = \"from-file\"\napi_key = \"k\"\n[sipuni]\nuser = \"064629\"\n",
        )
        .unwrap();
        let (config, unknown) = RelayConfig::load(
            Some(&path),
            env(&[
                ("TRUBKA_RELAY_UIS_HOOK_TOKEN", "from-env"),
                ("TRUBKA_RELAY_SIPUNI_SECRET", "s3"),
                ("TRUBKA_RELAY_UIS_API_KEY", ""),
                ("TRUBKA_RELAY_LISTNE", "typo"),
                ("TRUBKA_RELAY_UIS_MEDIA_BASE", "http://127.0.0.1:8766"),
                ("TRUBKA_RELAY_RECONCILE_INTERVAL_SECS", "0"),
                ("TRUBKA_RELAY_PBX_TIMEOUT_SECS", "4"),
                ("PATH", "/bin"),
            ]),
        )
        .unwrap();
        assert_eq!(config.listen.to_string(), "127.0.0.1:9000");
        assert_eq!(
            config.public_url.as_deref(),
            Some("https://relay.example.com")
        );
        assert_eq!(config.uis.hook_token.as_deref(), Some("from-env"));
        assert_eq!(config.uis.api_key, None);
        assert_eq!(config.sipuni.user.as_deref(), Some("064629"));
        assert_eq!(config.sipuni.secret.as_deref(), Some("s3"));
        assert_eq!(unknown, vec!["TRUBKA_RELAY_LISTNE".to_owned()]);
        assert_eq!(config.uis.media_base, "http://127.0.0.1:8766");
        assert_eq!(config.reconcile.interval_secs, 0);
        assert_eq!(config.pbx_timeout_secs, 4);
    }

    #[test]
    fn bad_values_are_errors_not_defaults() {
        let err = RelayConfig::load(None, env(&[("TRUBKA_RELAY_LISTEN", "nowhere")])).unwrap_err();
        assert!(err.to_string().contains("TRUBKA_RELAY_LISTEN"), "{err}");
        let err =
            RelayConfig::load(None, env(&[("TRUBKA_RELAY_PBX_TIMEOUT_SECS", "soon")])).unwrap_err();
        assert!(err.to_string().contains("soon"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("relay.toml");
        std::fs::write(&path, "lisen = \"127.0.0.1:1\"\n").unwrap();
        assert!(matches!(
            RelayConfig::from_file(&path),
            Err(ConfigError::Parse { .. })
        ));
    }

    fn hours(offset: FixedOffset) -> i32 {
        offset.local_minus_utc() / 3600
    }

    #[test]
    fn utc_offsets_come_from_the_file_and_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("relay.toml");
        std::fs::write(
            &path,
            "[uis]\nutc_offset = \"+05:00\"\n[sipuni]\nutc_offset = \"UTC+7\"\n",
        )
        .unwrap();
        let (config, _) = RelayConfig::load(Some(&path), Vec::new()).unwrap();
        assert_eq!(hours(config.uis.utc_offset), 5);
        assert_eq!(hours(config.sipuni.utc_offset), 7);
        let (config, unknown) = RelayConfig::load(
            Some(&path),
            env(&[
                ("TRUBKA_RELAY_UIS_UTC_OFFSET", "+10"),
                ("TRUBKA_RELAY_SIPUNI_UTC_OFFSET", "-02:30"),
            ]),
        )
        .unwrap();
        assert_eq!(hours(config.uis.utc_offset), 10);
        assert_eq!(config.sipuni.utc_offset.local_minus_utc(), -150 * 60);
        assert!(unknown.is_empty());
    }

    #[test]
    fn the_language_is_russian_unless_the_file_or_the_environment_says_otherwise() {
        assert_eq!(RelayConfig::default().language, Lang::Ru);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("relay.toml");
        std::fs::write(&path, "language = \"en\"\n").unwrap();
        let (config, _) = RelayConfig::load(Some(&path), env(&[])).unwrap();
        assert_eq!(config.language, Lang::En);
        let (config, _) = RelayConfig::load(
            Some(&path),
            env(&[("TRUBKA_RELAY_LANGUAGE", "ru_RU.UTF-8")]),
        )
        .unwrap();
        assert_eq!(config.language, Lang::Ru);
        std::fs::write(&path, "language = \"de\"\n").unwrap();
        let err = RelayConfig::load(Some(&path), env(&[]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("\"ru\" or \"en\""), "{err}");
    }

    #[test]
    fn a_bad_utc_offset_is_an_error_naming_the_key_and_the_value() {
        let err = RelayConfig::load(
            None,
            env(&[("TRUBKA_RELAY_UIS_UTC_OFFSET", "Europe/Moscow")]),
        )
        .unwrap_err();
        assert!(matches!(err, ConfigError::Env { .. }), "{err:?}");
        let text = err.to_string();
        assert!(text.contains("TRUBKA_RELAY_UIS_UTC_OFFSET"), "{text}");
        assert!(text.contains("`Europe/Moscow`"), "{text}");

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("relay.toml");
        std::fs::write(&path, "[sipuni]\nutc_offset = \"+25:00\"\n").unwrap();
        let err = RelayConfig::from_file(&path).unwrap_err();
        assert!(matches!(err, ConfigError::Parse { .. }), "{err:?}");
        let text = err.to_string();
        assert!(text.contains("[sipuni] utc_offset"), "{text}");
        assert!(text.contains("`+25:00`"), "{text}");
    }
}
