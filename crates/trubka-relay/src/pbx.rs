//! The PBX API clients the relay talks to (trubka-pbx), built once from the configuration.
//!
//! A PBX is "configured" when its credentials are: UIS with `[uis] api_key`, Sipuni with
//! `[sipuni] user` and `secret`. Click-to-call (`POST /v1/calls`), reconciliation and
//! `trubka-relay check` use the clients here; without credentials each says so in words.

use std::time::Duration;

use chrono::FixedOffset;
use trubka_core::{Lang, PhoneParser, tr};
use trubka_pbx::sipuni::sign;
use trubka_pbx::{DialNumber, PbxError, SipuniClient, UisClient};

use crate::config::RelayConfig;

/// How long one PBX request may take before it counts as failed (`pbx_timeout_secs`; a
/// zero would fail every request, so it counts as one second).
fn pbx_timeout(config: &RelayConfig) -> Duration {
    Duration::from_secs(config.pbx_timeout_secs.max(1))
}

/// How long reconciliation waits for a spent UIS minute budget (an agent's click-to-call
/// never waits: it is refused at once with `limit_exceeded`).
const HISTORY_LIMIT_WAIT: Duration = Duration::from_secs(60);

/// Why the PBX clients could not be built from the configuration.
#[derive(Debug, thiserror::Error)]
pub enum PbxSetupError {
    #[error("[uis] {0}")]
    Uis(PbxError),
    #[error("[sipuni] {0}")]
    Sipuni(PbxError),
    #[error("[uis] virtual_number {0:?} is not a phone number")]
    VirtualNumber(String),
}

impl PbxSetupError {
    /// The message for the admin, in `lang` (the `Display` stays English, for logs).
    pub fn localized(&self, lang: Lang) -> String {
        match self {
            PbxSetupError::Uis(e) => format!("[uis] {}", e.user_message_in(lang)),
            PbxSetupError::Sipuni(e) => format!("[sipuni] {}", e.user_message_in(lang)),
            PbxSetupError::VirtualNumber(raw) => tr!(
                lang,
                "[uis] virtual_number «{raw}» — это не номер телефона",
                "[uis] virtual_number \"{raw}\" is not a phone number"
            ),
        }
    }
}

/// The configured PBX APIs.
#[derive(Debug, Default)]
pub struct PbxApis {
    pub uis: Option<UisApi>,
    pub sipuni: Option<SipuniApi>,
    /// `pbx_timeout_secs`: the bound of one request, and of a whole call-control action
    /// however many requests it takes (`crate::control::deadline`).
    pub timeout: Duration,
}

/// UIS Call API and Data API, and what click-to-call needs besides.
#[derive(Debug)]
pub struct UisApi {
    /// For agents' requests and `check`: fails at once when the UIS budget is spent.
    pub client: UisClient,
    /// For reconciliation: waits up to a minute for a spent minute budget.
    pub history: UisClient,
    /// The caller ID of click-to-call (`[uis] virtual_number`).
    pub virtual_number: Option<DialNumber>,
}

/// The Sipuni API, and what recording links and the export's local times need besides.
#[derive(Debug)]
pub struct SipuniApi {
    pub client: SipuniClient,
    /// The cabinet's time zone (`[sipuni] utc_offset`): the export's days and times are local.
    pub utc_offset: FixedOffset,
    user: String,
    secret: String,
    api_url: String,
}

impl PbxApis {
    /// Builds a client for each PBX whose credentials are set.
    pub fn from_config(config: &RelayConfig) -> Result<PbxApis, PbxSetupError> {
        let uis = match config.uis.api_key.as_deref() {
            Some(key) if !key.trim().is_empty() => Some(UisApi::new(config, key)?),
            _ => None,
        };
        let sipuni = match (
            config.sipuni.user.as_deref(),
            config.sipuni.secret.as_deref(),
        ) {
            (Some(user), Some(secret)) if !user.trim().is_empty() && !secret.is_empty() => {
                Some(SipuniApi::new(config, user, secret)?)
            }
            _ => None,
        };
        Ok(PbxApis {
            uis,
            sipuni,
            timeout: pbx_timeout(config),
        })
    }
}

impl UisApi {
    fn new(config: &RelayConfig, key: &str) -> Result<UisApi, PbxSetupError> {
        let client = |max_limit_wait| {
            UisClient::new(trubka_pbx::UisConfig {
                call_api_url: config.uis.call_api_url.clone(),
                data_api_url: config.uis.data_api_url.clone(),
                access_token: key.trim().to_owned(),
                media_base: config.uis.media_base.clone(),
                account_utc_offset: config.uis.utc_offset,
                timeout: pbx_timeout(config),
                max_limit_wait,
                ..trubka_pbx::UisConfig::default()
            })
            .map_err(PbxSetupError::Uis)
        };
        let virtual_number = config
            .uis
            .virtual_number
            .as_deref()
            .map(|number| {
                let phones = PhoneParser::new(&config.default_region)
                    .unwrap_or_else(|_| PhoneParser::russia());
                match phones.parse(number).phone() {
                    Some(phone) => Ok(DialNumber::from(phone)),
                    None => Err(PbxSetupError::VirtualNumber(number.to_owned())),
                }
            })
            .transpose()?;
        Ok(UisApi {
            client: client(Duration::ZERO)?,
            history: client(HISTORY_LIMIT_WAIT)?,
            virtual_number,
        })
    }
}

impl SipuniApi {
    fn new(config: &RelayConfig, user: &str, secret: &str) -> Result<SipuniApi, PbxSetupError> {
        let client = SipuniClient::new(trubka_pbx::SipuniConfig {
            api_url: config.sipuni.api_url.clone(),
            user: user.to_owned(),
            secret: secret.to_owned(),
            timeout: pbx_timeout(config),
        })
        .map_err(PbxSetupError::Sipuni)?;
        Ok(SipuniApi {
            client,
            utc_offset: config.sipuni.utc_offset,
            user: user.trim().to_owned(),
            secret: secret.to_owned(),
            api_url: config
                .sipuni
                .api_url
                .trim()
                .trim_end_matches('/')
                .to_owned(),
        })
    }

    /// The cabinet number (`[sipuni] user`), which prefixes the operators list's logins.
    pub fn cabinet(&self) -> &str {
        &self.user
    }

    /// The recording link of a call as Sipuni writes `call_record_link`:
    /// `{api_url}/crm/record?id={call_id}&hash={md5 of id and user, signed as every request}`.
    /// Sipuni does not document the hash; this is the request-signature rule applied to the
    /// link's own parameters, which is what trubka-sim uses.
    pub fn record_link(&self, call_id: &str) -> String {
        let hash = sign(&[("id", call_id), ("user", &self.user)], &self.secret);
        let query = serde_urlencoded::to_string([("id", call_id), ("hash", hash.as_str())])
            .expect("string pairs always form-encode");
        format!("{}/crm/record?{query}", self.api_url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clients_exist_only_with_credentials() {
        let mut config = RelayConfig::default();
        let none = PbxApis::from_config(&config).unwrap();
        assert!(none.uis.is_none() && none.sipuni.is_none());
        config.uis.api_key = Some("k".to_owned());
        config.uis.virtual_number = Some("7 495 123 45 67".to_owned());
        config.sipuni.user = Some("064629".to_owned());
        config.sipuni.secret = Some("s".to_owned());
        let both = PbxApis::from_config(&config).unwrap();
        let uis = both.uis.unwrap();
        assert_eq!(uis.virtual_number.unwrap().as_str(), "74951234567");
        assert!(both.sipuni.is_some());
        config.uis.virtual_number = Some("+7 (495) 123".to_owned());
        assert!(matches!(
            PbxApis::from_config(&config),
            Err(PbxSetupError::VirtualNumber(_))
        ));
    }

    #[test]
    fn the_configured_time_zones_reach_the_clients() {
        let mut config = RelayConfig::default();
        config.uis.api_key = Some("k".to_owned());
        config.sipuni.user = Some("064629".to_owned());
        config.sipuni.secret = Some("s".to_owned());
        config.uis.utc_offset = FixedOffset::east_opt(5 * 3600).unwrap();
        config.sipuni.utc_offset = FixedOffset::east_opt(7 * 3600).unwrap();
        let apis = PbxApis::from_config(&config).unwrap();
        let uis = apis.uis.unwrap();
        assert_eq!(uis.client.account_utc_offset(), config.uis.utc_offset);
        assert_eq!(uis.history.account_utc_offset(), config.uis.utc_offset);
        assert_eq!(apis.sipuni.unwrap().utc_offset, config.sipuni.utc_offset);
    }

    #[test]
    fn sipuni_record_links_are_signed_like_requests() {
        let config = RelayConfig {
            sipuni: crate::config::SipuniConfig {
                user: Some("064629".to_owned()),
                secret: Some("s3cr3tK3y".to_owned()),
                api_url: "https://sipuni.com/api/".to_owned(),
                hook_token: None,
                ..crate::config::SipuniConfig::default()
            },
            ..RelayConfig::default()
        };
        let apis = PbxApis::from_config(&config).unwrap();
        let link = apis.sipuni.unwrap().record_link("1774372584.533596");
        let hash = sign(
            &[("id", "1774372584.533596"), ("user", "064629")],
            "s3cr3tK3y",
        );
        assert_eq!(
            link,
            format!("https://sipuni.com/api/crm/record?id=1774372584.533596&hash={hash}")
        );
    }
}
