//! The UIS (CoMagic / CallGear / Novofon) client: configuration, the request path shared by
//! the Call API and the Data API, and the limits it remembers.
//!
//! - `jsonrpc` (private): the envelope and error mapping.
//! - [`call_api`]: `start.employee_call`, `start.scenario_call`, `release.call`, `list.calls`.
//! - [`call_control`]: `hold.call`, `unhold.call`, `make.call`, `transfer.talk`,
//!   `restore.talk`, `add.coach`, and blind and attended transfers built on them.
//! - [`contacts`]: the address book (`get.contacts`).
//! - [`presence`]: employee statuses (`get.statuses`, `status_id` of `get.employees`,
//!   `update.employees`).
//! - [`data_api`]: `get.calls_report` (with paging and window splitting), `get.employees`,
//!   `get.virtual_numbers`, `get.scenarios`, `get.account`.
//! - [`notifications`]: the report of sent notifications (`get.reports_list`,
//!   `get.notifications`).
//! - [`offline`]: offline requests (`upload.offline_messages`) and the sites and campaigns
//!   they are filed under (`get.sites`, `get.campaigns`).
//! - [`records`]: recording links built from `call_records`.
//! - [`tags`]: the account's tags and tags on calls (`get.tags`, `create.tags`,
//!   `set.tag_communications`, `unset.tag_communications`).
//! - [`limits`]: `metadata.limits` and the waiting policy.

pub mod call_api;
pub mod call_control;
pub mod contacts;
pub mod data_api;
mod jsonrpc;
pub mod limits;
pub mod notifications;
pub mod offline;
pub mod presence;
pub mod records;
pub mod tags;

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::FixedOffset;
use serde_json::{Map, Value};
use trubka_core::Provider;

use crate::PbxError;
use crate::http::{base_url, build_client, request_failed};

pub use call_api::{
    ActiveCall, ActiveLeg, CallDirection, CallSessionId, CallTag, EmployeeCall, FirstCall,
    ListCalls, ScenarioCall,
};
pub use call_control::Message;
pub use contacts::UisContact;
pub use data_api::{
    CallReportRow, CallsReportPage, Employee, EmployeeExtension, EmployeePhone, ReportEmployee,
    ReportPage, Scenario, UisAccount, VirtualNumber, VirtualNumberScenario,
};
pub use limits::{Sleeper, TokioSleeper, UisLimits};
pub use notifications::{Labelled, SentNotification, UserReport};
pub use offline::{Campaign, OfflineMessage, Site, UploadedMessage};
pub use presence::EmployeeStatus;
pub use tags::UisTag;

/// How to reach one UIS account. `Default` points at the UIS hosts with an empty key.
#[derive(Clone)]
pub struct UisConfig {
    /// e.g. `https://callapi.uiscom.ru/v4.0`.
    pub call_api_url: String,
    /// e.g. `https://dataapi.uiscom.ru/v2.0`.
    pub data_api_url: String,
    /// The API key (sent as `params.access_token`).
    pub access_token: String,
    /// Host of recording links, default `https://app.uiscom.ru` (`app.comagic.ru`,
    /// `app.callgear.ae`, `app.novofon.ru` for the other brands).
    pub media_base: String,
    /// Per-request timeout (connect and whole answer).
    pub timeout: Duration,
    /// The account time zone as a fixed offset (Data API dates are local to it); default
    /// UTC+3 (Moscow). `get.account` tells the zone's IANA name.
    pub account_utc_offset: FixedOffset,
    /// The longest the client waits for a spent minute budget before failing instead.
    pub max_limit_wait: Duration,
    /// `limit` of each page when paging Data API lists (1..=10000, default 1000).
    pub page_limit: u32,
}

impl Default for UisConfig {
    fn default() -> UisConfig {
        UisConfig {
            call_api_url: "https://callapi.uiscom.ru/v4.0".to_owned(),
            data_api_url: "https://dataapi.uiscom.ru/v2.0".to_owned(),
            access_token: String::new(),
            media_base: "https://app.uiscom.ru".to_owned(),
            timeout: Duration::from_secs(15),
            account_utc_offset: FixedOffset::east_opt(3 * 3600).expect("UTC+3 is a valid offset"),
            max_limit_wait: Duration::from_secs(60),
            page_limit: data_api::DEFAULT_LIMIT,
        }
    }
}

impl fmt::Debug for UisConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UisConfig")
            .field("call_api_url", &self.call_api_url)
            .field("data_api_url", &self.data_api_url)
            .field("access_token", &"<redacted>")
            .field("media_base", &self.media_base)
            .field("timeout", &self.timeout)
            .field("account_utc_offset", &self.account_utc_offset)
            .field("max_limit_wait", &self.max_limit_wait)
            .field("page_limit", &self.page_limit)
            .finish()
    }
}

/// A UIS API client. Cheap to share behind an `Arc`; all methods take `&self`.
pub struct UisClient {
    http: reqwest::Client,
    call_api_url: String,
    data_api_url: String,
    access_token: String,
    media_base: String,
    account_offset: FixedOffset,
    page_limit: u32,
    next_id: AtomicU64,
    gate: limits::LimitGate,
    sleeper: Arc<dyn Sleeper>,
}

impl fmt::Debug for UisClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UisClient")
            .field("call_api_url", &self.call_api_url)
            .field("data_api_url", &self.data_api_url)
            .field("limits", &self.gate.last())
            .finish_non_exhaustive()
    }
}

impl UisClient {
    /// Checks the configuration and builds the HTTP client.
    pub fn new(config: UisConfig) -> Result<UisClient, PbxError> {
        if config.access_token.trim().is_empty() {
            return Err(PbxError::Config("the UIS access token is empty".to_owned()));
        }
        if !(1..=data_api::MAX_LIMIT).contains(&config.page_limit) {
            return Err(PbxError::Config(format!(
                "page_limit must be 1..={}, got {}",
                data_api::MAX_LIMIT,
                config.page_limit
            )));
        }
        Ok(UisClient {
            http: build_client(config.timeout)?,
            call_api_url: base_url("call_api_url", &config.call_api_url)?,
            data_api_url: base_url("data_api_url", &config.data_api_url)?,
            media_base: base_url("media_base", &config.media_base)?,
            access_token: config.access_token,
            account_offset: config.account_utc_offset,
            page_limit: config.page_limit,
            next_id: AtomicU64::new(1),
            gate: limits::LimitGate::new(config.max_limit_wait),
            sleeper: Arc::new(TokioSleeper),
        })
    }

    /// Replaces how the client waits for a spent minute budget (tests record instead).
    pub fn with_sleeper(mut self, sleeper: Arc<dyn Sleeper>) -> UisClient {
        self.sleeper = sleeper;
        self
    }

    /// The limits of the last answer that reported any.
    pub fn limits(&self) -> Option<UisLimits> {
        self.gate.last()
    }

    /// The account time zone offset the client converts Data API dates with.
    pub fn account_utc_offset(&self) -> FixedOffset {
        self.account_offset
    }

    pub(crate) async fn call_api(
        &self,
        method: &str,
        params: Map<String, Value>,
    ) -> Result<jsonrpc::RpcSuccess, PbxError> {
        self.rpc(Api::Call, method, params).await
    }

    pub(crate) async fn data_api(
        &self,
        method: &str,
        params: Map<String, Value>,
    ) -> Result<jsonrpc::RpcSuccess, PbxError> {
        self.rpc(Api::Data, method, params).await
    }

    async fn rpc(
        &self,
        api: Api,
        method: &str,
        mut params: Map<String, Value>,
    ) -> Result<jsonrpc::RpcSuccess, PbxError> {
        if let Some(wait) = self.gate.before_request(Instant::now())? {
            self.sleeper.sleep(wait).await;
        }
        let url = match api {
            Api::Call => &self.call_api_url,
            Api::Data => &self.data_api_url,
        };
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        params.insert(
            "access_token".to_owned(),
            Value::String(self.access_token.clone()),
        );
        let body = serde_json::to_vec(&jsonrpc::envelope(id, method, params))
            .map_err(|err| jsonrpc::bad(format!("cannot encode {method}: {err}")))?;
        let response = self
            .http
            .post(url)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/json; charset=UTF-8",
            )
            .body(body)
            .send()
            .await
            .map_err(|err| request_failed(Provider::Uis, err))?;
        let status = response.status().as_u16();
        let bytes = response
            .bytes()
            .await
            .map_err(|err| request_failed(Provider::Uis, err))?;
        let outcome = jsonrpc::parse_response(status, &bytes, id);
        if let Some(limits) = outcome.limits {
            self.gate.record(limits, Instant::now());
        }
        outcome.result
    }
}

#[derive(Debug, Clone, Copy)]
enum Api {
    Call,
    Data,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_debug_hides_the_key() {
        let config = UisConfig {
            access_token: "very-secret".to_owned(),
            ..UisConfig::default()
        };
        let text = format!("{config:?}");
        assert!(!text.contains("very-secret"));
        assert!(text.contains("callapi.uiscom.ru"));
    }

    #[test]
    fn new_refuses_empty_key_bad_urls_and_page_limits() {
        assert_eq!(
            UisClient::new(UisConfig::default()).unwrap_err().code(),
            "pbx_config"
        );
        let with_key = || UisConfig {
            access_token: "k".to_owned(),
            ..UisConfig::default()
        };
        let bad_url = UisConfig {
            data_api_url: "dataapi.uiscom.ru".to_owned(),
            ..with_key()
        };
        assert!(UisClient::new(bad_url).is_err());
        let bad_limit = UisConfig {
            page_limit: 10_001,
            ..with_key()
        };
        assert!(UisClient::new(bad_limit).is_err());
        assert!(UisClient::new(with_key()).is_ok());
    }
}
