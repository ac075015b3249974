//! The Sipuni client: configuration and the signed form POST every method uses.
//!
//! - [`hash`]: the md5 signature rule ([`sign`]).
//! - [`callback`]: `callback/call_number` and `callback/call_tree` (click-to-call).
//! - [`statistic`]: `statistic/export` (the call log as CSV), `statistic/record` and
//!   `statistic/operators` (the cabinet's extensions and their status).
//! - [`workplace`]: `workplace/setUserStatus` (an employee's status).
//! - [`events`]: `events/call/hangup` and `events/call/spymode` (a call in progress).

pub mod callback;
pub mod events;
pub mod hash;
pub mod statistic;
pub mod workplace;

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use serde_json::Value;
use trubka_core::Provider;

use crate::PbxError;
use crate::http::{base_url, build_client, request_failed, snippet};

pub use callback::{CallTreeOptions, SipuniCallAccepted};
pub use events::SpyMode;
pub use hash::sign;
pub use statistic::{
    AnsweredFilter, CallTypeFilter, EmployeeCell, SipuniCallKind, SipuniCallRow, SipuniExport,
    SipuniOperator, StatisticsFilter,
};
pub use workplace::SipuniStatus;

/// How to reach one Sipuni cabinet.
#[derive(Clone)]
pub struct SipuniConfig {
    /// Default `https://sipuni.com/api`; method paths are appended after a `/`.
    pub api_url: String,
    /// The cabinet number, kept as text (`064629`: leading zeros matter).
    pub user: String,
    /// The integration secret key used in request hashes.
    pub secret: String,
    /// Per-request timeout (connect and whole answer).
    pub timeout: Duration,
}

impl Default for SipuniConfig {
    fn default() -> SipuniConfig {
        SipuniConfig {
            api_url: "https://sipuni.com/api".to_owned(),
            user: String::new(),
            secret: String::new(),
            timeout: Duration::from_secs(15),
        }
    }
}

impl fmt::Debug for SipuniConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SipuniConfig")
            .field("api_url", &self.api_url)
            .field("user", &self.user)
            .field("secret", &"<redacted>")
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// A Sipuni API client. All methods take `&self`.
pub struct SipuniClient {
    http: reqwest::Client,
    api_url: String,
    user: String,
    secret: String,
}

impl fmt::Debug for SipuniClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SipuniClient")
            .field("api_url", &self.api_url)
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

/// An HTTP answer as the method modules need it.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) content_type: String,
    pub(crate) body: Bytes,
}

impl SipuniClient {
    /// Checks the configuration and builds the HTTP client.
    pub fn new(config: SipuniConfig) -> Result<SipuniClient, PbxError> {
        if config.user.trim().is_empty() || config.secret.is_empty() {
            return Err(PbxError::Config(
                "the Sipuni cabinet number and secret must both be set".to_owned(),
            ));
        }
        Ok(SipuniClient {
            http: build_client(config.timeout)?,
            api_url: base_url("api_url", &config.api_url)?,
            user: config.user.trim().to_owned(),
            secret: config.secret,
        })
    }

    /// The form body for `params`: `user` added, names in ASCII order, `hash` last.
    pub(crate) fn signed_form(&self, params: &[(&str, String)]) -> String {
        let mut all: Vec<(&str, &str)> = params
            .iter()
            .map(|(name, value)| (*name, value.as_str()))
            .collect();
        all.push(("user", &self.user));
        all.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        let hash = sign(&all, &self.secret);
        all.push(("hash", &hash));
        serde_urlencoded::to_string(&all).expect("string pairs always form-encode")
    }

    /// POSTs the signed form to `{api_url}/{path}`.
    pub(crate) async fn post(
        &self,
        path: &str,
        params: &[(&str, String)],
    ) -> Result<Answer, PbxError> {
        let response = self
            .http
            .post(format!("{}/{path}", self.api_url))
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(self.signed_form(params))
            .send()
            .await
            .map_err(|err| request_failed(Provider::Sipuni, err))?;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase();
        let body = response
            .bytes()
            .await
            .map_err(|err| request_failed(Provider::Sipuni, err))?;
        Ok(Answer {
            status,
            content_type,
            body,
        })
    }
}

pub(crate) fn bad(reason: String) -> PbxError {
    PbxError::BadResponse {
        provider: Provider::Sipuni,
        reason,
    }
}

/// `true`/`false` as a JSON bool, the strings `"true"`/`"false"`/`"1"`/`"0"` or 1/0.
pub(crate) fn loose_bool(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => match n.as_i64() {
            Some(1) => Some(true),
            Some(0) => Some(false),
            _ => None,
        },
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// A refusal Sipuni wrote as plain text instead of JSON: a body that starts with `Error` or
/// says «ошибка» (public clients test for exactly these, e.g. `Error: …` before a CSV export).
/// The text, trimmed and cut to a readable length, or `None` for any other body.
pub(crate) fn plain_text_error(body: &[u8]) -> Option<String> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    let head: String = text.chars().take(200).collect::<String>().to_lowercase();
    (head.starts_with("error") || head.contains("ошибка")).then(|| snippet(text.as_bytes()))
}

/// The error an answer that is not what the method expects stands for: a Sipuni message when
/// the body is JSON with one or a plain-text refusal, else the HTTP status, else a bad response.
pub(crate) fn error_from_answer(answer: &Answer, what: &str) -> PbxError {
    let message = serde_json::from_slice::<Value>(&answer.body)
        .ok()
        .and_then(|json| {
            let failed = json.get("success").and_then(loose_bool) == Some(false)
                || json.get("result").and_then(loose_bool) == Some(false);
            let message = json
                .get("message")
                .or_else(|| json.get("error"))
                .and_then(Value::as_str)
                .map(str::to_owned);
            match (failed, message) {
                (_, Some(message)) if !message.is_empty() => Some(message),
                (true, _) => Some("success: false".to_owned()),
                _ => None,
            }
        })
        .or_else(|| plain_text_error(&answer.body));
    match message {
        Some(message) => PbxError::Sipuni { message },
        None if !(200..300).contains(&answer.status) => PbxError::Http {
            provider: Provider::Sipuni,
            status: answer.status,
            body: snippet(&answer.body),
        },
        None => bad(format!(
            "unexpected {what} answer: {}",
            snippet(&answer.body)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> SipuniClient {
        SipuniClient::new(SipuniConfig {
            user: "064629".to_owned(),
            secret: "s3cr3tK3y".to_owned(),
            ..SipuniConfig::default()
        })
        .unwrap()
    }

    #[test]
    fn form_is_sorted_with_user_and_hash_last() {
        let form = client().signed_form(&[
            ("sipnumber", "201".to_owned()),
            ("phone", "79260000000".to_owned()),
            ("reverse", "0".to_owned()),
            ("antiaon", "0".to_owned()),
        ]);
        assert_eq!(
            form,
            "antiaon=0&phone=79260000000&reverse=0&sipnumber=201&user=064629\
             &hash=dacc0b3e4649ec5ab72b5715b8dadec0"
        );
    }

    #[test]
    fn config_needs_user_and_secret_and_hides_secret() {
        assert_eq!(
            SipuniClient::new(SipuniConfig::default())
                .unwrap_err()
                .code(),
            "pbx_config"
        );
        let config = SipuniConfig {
            user: "064629".to_owned(),
            secret: "s3cr3tK3y".to_owned(),
            ..SipuniConfig::default()
        };
        assert!(!format!("{config:?}").contains("s3cr3tK3y"));
    }

    #[test]
    fn loose_bool_spellings() {
        assert_eq!(loose_bool(&Value::from(true)), Some(true));
        assert_eq!(loose_bool(&Value::from("false")), Some(false));
        assert_eq!(loose_bool(&Value::from(1)), Some(true));
        assert_eq!(loose_bool(&Value::from("yes")), None);
    }

    #[test]
    fn errors_prefer_the_sipuni_message() {
        let answer = |status, body: &'static str| Answer {
            status,
            content_type: "application/json".to_owned(),
            body: Bytes::from_static(body.as_bytes()),
        };
        let err = error_from_answer(
            &answer(200, r#"{"success":false,"message":"Неверный hash"}"#),
            "x",
        );
        assert!(matches!(err, PbxError::Sipuni { ref message } if message == "Неверный hash"));
        let err = error_from_answer(&answer(200, r#"{"success":"false"}"#), "x");
        assert!(matches!(err, PbxError::Sipuni { ref message } if message == "success: false"));
        let err = error_from_answer(&answer(404, "Not Found"), "x");
        assert!(matches!(err, PbxError::Http { status: 404, .. }));
        let err = error_from_answer(&answer(200, "<html>"), "x");
        assert_eq!(err.code(), "pbx_bad_response");
        // Plain-text refusals, with or without a BOM, at any status.
        let err = error_from_answer(&answer(200, "Error: wrong hash\n"), "x");
        assert!(matches!(err, PbxError::Sipuni { ref message } if message == "Error: wrong hash"));
        let err = error_from_answer(&answer(400, "\u{feff}Произошла ошибка авторизации"), "x");
        assert!(
            matches!(err, PbxError::Sipuni { ref message } if message == "Произошла ошибка авторизации")
        );
        let err = error_from_answer(&answer(200, r#"{"result":false}"#), "x");
        assert_eq!(err.code(), "sipuni_rejected");
    }
}
