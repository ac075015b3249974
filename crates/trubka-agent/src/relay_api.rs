//! The relay's HTTP API as the agent uses it: `GET /v1/me`, `POST /v1/calls` (optionally
//! through a scenario picked by name from `GET /v1/scenarios`), offline requests
//! (`GET /v1/requests/targets`, `POST /v1/requests`), the team directory (in [`directory`]),
//! call control and presence (in [`control`]), the team's cases, notes on calls and tags (in
//! [`cases`]), and the URL of the event stream. Error bodies `{"error":{"code","message"}}`
//! become [`ApiError::Relay`].

mod cases;
mod control;
mod directory;

use serde::{Deserialize, Deserializer, Serialize};
use trubka_core::{Employee, PhoneNumber, Provider};
use url::Url;

use crate::store::settings::ResumePoint;

/// What went wrong talking to the relay.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    #[error("«{0}» is not a relay URL (expected http://… or https://…)")]
    BadUrl(String),
    #[error("cannot reach the relay: {0}")]
    Network(String),
    #[error("the relay does not accept this token (revoked or mistyped); sign in again")]
    Unauthorized,
    #[error("this relay does not support dialing yet")]
    DialNotSupported,
    /// An older relay without the route (scenarios by name, offline requests).
    #[error("this relay does not support {0} yet; ask the admin to update it")]
    NotSupported(&'static str),
    #[error("the relay refused: {message} ({code}, HTTP {status})")]
    Relay {
        status: u16,
        code: String,
        message: String,
    },
    #[error("the relay answered something unexpected (HTTP {status}): {detail}")]
    BadResponse { status: u16, detail: String },
}

/// Accepts a JSON string or number as text (ids are sometimes written either way).
fn text_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Id {
        Text(String),
        Number(i64),
    }
    Ok(Option::<Id>::deserialize(d)?.map(|id| match id {
        Id::Text(t) => t,
        Id::Number(n) => n.to_string(),
    }))
}

/// The agent's own profile from `GET /v1/me`: who "here" is.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AgentMe {
    pub name: String,
    /// UIS employee id.
    #[serde(default, deserialize_with = "text_or_number")]
    pub uis_employee: Option<String>,
    /// Sipuni extension (short internal number).
    #[serde(default, deserialize_with = "text_or_number")]
    pub sipuni_ext: Option<String>,
    /// The agent's phones or SIP lines as UIS reports them (setups that name no employee id).
    #[serde(default)]
    pub employee_phones: Vec<String>,
    /// Lines (virtual numbers) the agent answers.
    #[serde(default)]
    pub lines: Vec<String>,
    #[serde(default)]
    pub supervisor: bool,
}

impl AgentMe {
    /// Whether `employee` on a call of `provider` is this agent.
    pub fn is_me(&self, provider: Option<Provider>, employee: &Employee) -> bool {
        let uis = || {
            matches!((&self.uis_employee, &employee.id), (Some(a), Some(b)) if a == b)
                || employee
                    .phone
                    .as_ref()
                    .is_some_and(|phone| self.employee_phones.contains(phone))
        };
        let sipuni =
            || matches!((&self.sipuni_ext, &employee.extension), (Some(a), Some(b)) if a == b);
        match provider {
            Some(Provider::Uis) => uis(),
            Some(Provider::Sipuni) => sipuni(),
            None => uis() || sipuni(),
        }
    }

    /// This agent as an employee of `provider`'s calls.
    pub fn as_employee(&self, provider: Option<Provider>) -> Employee {
        match provider {
            Some(Provider::Uis) => Employee {
                id: self.uis_employee.clone(),
                phone: self.employee_phones.first().cloned(),
                ..Employee::default()
            },
            Some(Provider::Sipuni) => Employee {
                extension: self.sipuni_ext.clone(),
                ..Employee::default()
            },
            None => Employee {
                id: self.uis_employee.clone(),
                extension: self.sipuni_ext.clone(),
                ..Employee::default()
            },
        }
    }
}

/// A click-to-call the relay accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DialAccepted {
    pub call_id: String,
}

/// A UIS scenario or Sipuni scheme the agent may call through (`GET /v1/scenarios`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallRoute {
    /// What the agent picks.
    pub name: String,
    /// `uis` or `sipuni`.
    pub provider: String,
    /// The scenario id or scheme number.
    pub id: String,
}

#[derive(Deserialize)]
struct RoutesBody {
    scenarios: Vec<CallRoute>,
}

/// A site an offline request can be filed under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestSite {
    pub id: u64,
    pub name: String,
}

/// A campaign an offline request can be filed under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestCampaign {
    pub id: i64,
    pub name: String,
    /// Its site's name, when it has one.
    #[serde(default)]
    pub site: Option<String>,
    /// UIS refuses requests for an inactive campaign.
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// What an offline request may be filed under (`GET /v1/requests/targets`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestTargets {
    pub sites: Vec<RequestSite>,
    pub campaigns: Vec<RequestCampaign>,
}

/// An offline request to send (`POST /v1/requests`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewRequest {
    /// The caller's number, any common format.
    pub phone: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A site's name (or id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    /// A campaign's name (or id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign: Option<String>,
}

/// An offline request UIS accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestSent {
    /// UIS's id of the request.
    pub id: u64,
    /// The caller's number, E.164.
    pub phone: String,
    #[serde(default)]
    pub site: Option<String>,
    #[serde(default)]
    pub campaign: Option<String>,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Deserialize)]
struct ErrorDetail {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
}

/// An authenticated client of one relay.
#[derive(Debug, Clone)]
pub struct RelayApi {
    http: reqwest::Client,
    base: Url,
    token: String,
}

/// Parses and checks a relay base URL.
pub fn parse_relay_url(text: &str) -> Result<Url, ApiError> {
    let mut url = Url::parse(text.trim()).map_err(|_| ApiError::BadUrl(text.to_owned()))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(ApiError::BadUrl(text.to_owned()));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

impl RelayApi {
    pub fn new(relay_url: &str, token: &str) -> Result<RelayApi, ApiError> {
        let http = reqwest::Client::builder()
            .connect_timeout(std::time::Duration::from_secs(10))
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .map_err(|e| ApiError::Network(e.to_string()))?;
        Ok(RelayApi {
            http,
            base: parse_relay_url(relay_url)?,
            token: token.to_owned(),
        })
    }

    pub fn token(&self) -> &str {
        &self.token
    }

    /// Whether this client talks to `relay_url` with `token`, so that it may be used again.
    pub fn is_for(&self, relay_url: &str, token: &str) -> bool {
        self.token == token && parse_relay_url(relay_url).is_ok_and(|url| url == self.base)
    }

    fn endpoint(&self, path: &str) -> Url {
        self.base
            .join(path)
            .expect("a relative path joins onto an http(s) base")
    }

    /// The WebSocket URL of the event stream, resuming after `resume`.
    pub fn stream_url(&self, resume: &ResumePoint) -> Url {
        let mut url = self.endpoint("v1/stream");
        let scheme = if url.scheme() == "https" { "wss" } else { "ws" };
        url.set_scheme(scheme)
            .expect("ws and wss are valid schemes");
        if let Some(seq) = resume.seq {
            url.query_pairs_mut().append_pair("since", &seq.to_string());
            if let Some(epoch) = &resume.epoch {
                url.query_pairs_mut().append_pair("epoch", epoch);
            }
        }
        url
    }

    /// `GET /v1/me`: checks the token and says who the agent is.
    pub async fn me(&self) -> Result<AgentMe, ApiError> {
        let response = self
            .http
            .get(self.endpoint("v1/me"))
            .bearer_auth(&self.token)
            .send()
            .await
            .map_err(network)?;
        let status = response.status().as_u16();
        let body = response.text().await.map_err(network)?;
        match status {
            200 => serde_json::from_str(&body).map_err(|e| ApiError::BadResponse {
                status,
                detail: e.to_string(),
            }),
            _ => Err(error_of(status, &body, false)),
        }
    }

    /// `POST /v1/calls {"to": …}`: click-to-call as this agent.
    pub async fn dial(&self, to: &PhoneNumber) -> Result<DialAccepted, ApiError> {
        self.dial_via(to, None).await
    }

    /// `POST /v1/calls {"to": …, "scenario": NAME}`: a call through a UIS scenario or a
    /// Sipuni scheme picked by name (`None`: a plain click-to-call).
    pub async fn dial_via(
        &self,
        to: &PhoneNumber,
        scenario: Option<&str>,
    ) -> Result<DialAccepted, ApiError> {
        let mut body = serde_json::json!({ "to": to.e164() });
        if let Some(name) = scenario {
            body["scenario"] = serde_json::Value::from(name);
        }
        let request = self.http.post(self.endpoint("v1/calls")).json(&body);
        self.send(request, Some(Feature::Dial)).await
    }

    /// `GET /v1/scenarios`: the scenarios and schemes this agent may call through.
    pub async fn scenarios(&self) -> Result<Vec<CallRoute>, ApiError> {
        let request = self.http.get(self.endpoint("v1/scenarios"));
        let body: RoutesBody = self
            .send(request, Some(Feature::Other("calls through a scenario")))
            .await?;
        Ok(body.scenarios)
    }

    /// `GET /v1/requests/targets`: the sites and campaigns an offline request can be filed
    /// under.
    pub async fn request_targets(&self) -> Result<RequestTargets, ApiError> {
        let request = self.http.get(self.endpoint("v1/requests/targets"));
        self.send(request, Some(Feature::Other("offline requests")))
            .await
    }

    /// `POST /v1/requests`: sends an offline request to UIS through the relay.
    pub async fn send_request(&self, new: &NewRequest) -> Result<RequestSent, ApiError> {
        let request = self.http.post(self.endpoint("v1/requests")).json(new);
        self.send(request, Some(Feature::Other("offline requests")))
            .await
    }

    /// Sends with the token and reads a JSON success or the relay's error.
    async fn send<T: serde::de::DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
        feature: Option<Feature>,
    ) -> Result<T, ApiError> {
        let response = request
            .bearer_auth(&self.token)
            .send()
            .await
            .map_err(network)?;
        let status = response.status().as_u16();
        let body = response.text().await.map_err(network)?;
        match status {
            200..=299 => serde_json::from_str(&body).map_err(|e| ApiError::BadResponse {
                status,
                detail: e.to_string(),
            }),
            _ => Err(error_for(status, &body, feature)),
        }
    }
}

/// What an older relay may lack, for the words of [`ApiError`].
#[derive(Debug, Clone, Copy)]
enum Feature {
    Dial,
    Other(&'static str),
}

fn network(e: reqwest::Error) -> ApiError {
    ApiError::Network(e.to_string())
}

/// Turns an error response into an [`ApiError`]: the relay's JSON error body when there is
/// one; 401 means the token; 404/405 without a body on `/v1/calls` means an older relay.
fn error_for(status: u16, body: &str, feature: Option<Feature>) -> ApiError {
    match feature {
        Some(Feature::Other(what)) => match error_of(status, body, true) {
            ApiError::DialNotSupported => ApiError::NotSupported(what),
            other => other,
        },
        Some(Feature::Dial) => error_of(status, body, true),
        None => error_of(status, body, false),
    }
}

pub(crate) fn error_of(status: u16, body: &str, dialing: bool) -> ApiError {
    if status == 401 {
        return ApiError::Unauthorized;
    }
    let parsed = serde_json::from_str::<ErrorBody>(body).ok();
    // An older relay has no `/v1/calls` route: its fallback answers 404/405 (with or
    // without a generic JSON body).
    let generic = parsed.as_ref().is_none_or(|b| {
        matches!(
            b.error.code.as_str(),
            "not_found" | "method_not_allowed" | ""
        )
    });
    if dialing && matches!(status, 404 | 405 | 501) && generic {
        return ApiError::DialNotSupported;
    }
    if let Some(ErrorBody { error }) = parsed {
        return ApiError::Relay {
            status,
            code: error.code,
            message: error.message,
        };
    }
    let detail: String = body.chars().take(200).collect();
    ApiError::BadResponse { status, detail }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_is_kept_only_for_its_relay_and_token() {
        let api = RelayApi::new("https://relay.example.com/base", "trk_a").unwrap();
        assert!(api.is_for("https://relay.example.com/base/", "trk_a"));
        assert!(api.is_for(" https://relay.example.com/base ", "trk_a"));
        assert!(!api.is_for("https://relay.example.com/base", "trk_b"));
        assert!(!api.is_for("https://other.example.com/base", "trk_a"));
        assert!(!api.is_for("not a url", "trk_a"));
    }

    #[test]
    fn error_bodies_become_words() {
        let body = r#"{"error":{"code":"ip_not_whitelisted","message":"IP не в списке"}}"#;
        assert_eq!(
            error_of(502, body, true),
            ApiError::Relay {
                status: 502,
                code: "ip_not_whitelisted".into(),
                message: "IP не в списке".into()
            }
        );
        assert_eq!(error_of(404, "", true), ApiError::DialNotSupported);
        let generic = r#"{"error":{"code":"not_found","message":"not found"}}"#;
        assert_eq!(error_of(404, generic, true), ApiError::DialNotSupported);
        assert!(matches!(
            error_of(404, generic, false),
            ApiError::Relay { .. }
        ));
        assert_eq!(
            error_of(405, "Method Not Allowed", true),
            ApiError::DialNotSupported
        );
        assert_eq!(error_of(401, "", false), ApiError::Unauthorized);
        assert!(matches!(
            error_of(404, "", false),
            ApiError::BadResponse { status: 404, .. }
        ));
    }

    #[test]
    fn stream_url_resumes() {
        let api = RelayApi::new("http://127.0.0.1:9/base", "t").expect("url");
        let fresh = api.stream_url(&ResumePoint::default());
        assert_eq!(fresh.as_str(), "ws://127.0.0.1:9/base/v1/stream");
        let resume = ResumePoint {
            epoch: Some("e1".into()),
            seq: Some(42),
            ..ResumePoint::default()
        };
        assert_eq!(
            api.stream_url(&resume).as_str(),
            "ws://127.0.0.1:9/base/v1/stream?since=42&epoch=e1"
        );
        assert!(RelayApi::new("ftp://x", "t").is_err());
    }

    #[test]
    fn me_is_recognised_by_an_employee_phone_on_uis_calls() {
        let me: AgentMe = serde_json::from_str(
            r#"{"name":"Ольга","employee_phones":["+79031234567","sip_olga"],"lines":[]}"#,
        )
        .expect("parses");
        let by_phone = |phone: &str| Employee {
            phone: Some(phone.into()),
            ..Employee::default()
        };
        assert!(me.is_me(Some(Provider::Uis), &by_phone("sip_olga")));
        assert!(me.is_me(None, &by_phone("+79031234567")));
        assert!(!me.is_me(Some(Provider::Uis), &by_phone("+79990000000")));
        assert!(!me.is_me(Some(Provider::Sipuni), &by_phone("sip_olga")));
    }

    #[test]
    fn me_accepts_numeric_ids() {
        let me: AgentMe = serde_json::from_str(
            r#"{"name":"Анна","uis_employee":2339292,"sipuni_ext":"201","lines":[],"supervisor":false}"#,
        )
        .expect("parses");
        assert_eq!(me.uis_employee.as_deref(), Some("2339292"));
        let leg = Employee {
            extension: Some("201".into()),
            ..Employee::default()
        };
        assert!(me.is_me(Some(Provider::Sipuni), &leg));
        assert!(!me.is_me(Some(Provider::Uis), &leg));
    }
}
