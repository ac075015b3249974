//! One request to the CRM (`[directory.lookup]`) and what became of it.
//!
//! Whatever the CRM does, the result is an [`Outcome`]: found, nobody (404, 204, an empty
//! list), or one of the failures (timeout, error, garbage) with its reason for the log. No
//! failure reaches the caller as an error: the call's events have gone out long before.

use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Client, StatusCode};
use trubka_protocol::directory::CrmContact;

use super::answer;
use crate::config::{LookupConfig, LookupMethod};

/// The largest answer read; a CRM's card for one number is a few kilobytes.
const MAX_ANSWER: usize = 1024 * 1024;

/// What became of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The CRM named someone.
    Found(Vec<CrmContact>),
    /// The CRM knows nobody with this number.
    NotFound,
    /// No answer within `timeout_ms`.
    Timeout,
    /// The CRM could not be reached, or answered with an error status.
    Error(String),
    /// The CRM answered something that is not a contact in the configured shape.
    Garbage(String),
}

/// The CRM's HTTP client, built once from `[directory.lookup]`.
pub(crate) struct CrmClient {
    client: Client,
    config: LookupConfig,
}

impl CrmClient {
    pub(crate) fn new(config: LookupConfig) -> Result<CrmClient, reqwest::Error> {
        let mut headers = HeaderMap::new();
        for (name, value) in &config.headers {
            // Checked when the configuration was read (`LookupConfig::validate`).
            if let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) {
                headers.insert(name, value);
            }
        }
        let client = Client::builder()
            .timeout(Duration::from_millis(config.timeout_ms))
            .user_agent(concat!("trubka-relay/", env!("CARGO_PKG_VERSION")))
            .default_headers(headers)
            .build()?;
        Ok(CrmClient { client, config })
    }

    pub(crate) fn config(&self) -> &LookupConfig {
        &self.config
    }

    /// Asks the CRM about one number (`e164` with its `+`, `national` its national
    /// significant number).
    pub(crate) async fn ask(&self, e164: &str, national: &str) -> Outcome {
        let url = match self.config.url_for(e164, national) {
            Ok(url) => url,
            Err(e) => return Outcome::Error(e.to_string()),
        };
        let request = match self.config.method {
            LookupMethod::Get => self.client.get(&url),
            LookupMethod::Post => self
                .client
                .post(&url)
                .header(CONTENT_TYPE, "application/json")
                .body(serde_json::json!({ "number": e164 }).to_string()),
        };
        let mut response = match request.send().await {
            Ok(response) => response,
            Err(e) => return failure(e),
        };
        let status = response.status();
        if matches!(status, StatusCode::NOT_FOUND | StatusCode::NO_CONTENT) {
            return Outcome::NotFound;
        }
        if !status.is_success() {
            return Outcome::Error(format!("the CRM answered HTTP {status}"));
        }
        let mut body = Vec::new();
        // Bounded by MAX_ANSWER: a longer answer stops the loop.
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > MAX_ANSWER {
                        return Outcome::Garbage(format!(
                            "the answer is longer than {MAX_ANSWER} bytes"
                        ));
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => return failure(e),
            }
        }
        if body.iter().all(u8::is_ascii_whitespace) {
            return Outcome::NotFound;
        }
        match answer::read(&body, &self.config.answer) {
            Ok(contacts) if contacts.is_empty() => Outcome::NotFound,
            Ok(contacts) => Outcome::Found(contacts),
            Err(garbage) => Outcome::Garbage(garbage.to_string()),
        }
    }
}

fn failure(error: reqwest::Error) -> Outcome {
    if error.is_timeout() {
        return Outcome::Timeout;
    }
    // Without the URL: it may carry a token in its query, and the log names the CRM anyway.
    let error = error.without_url();
    let mut reason = error.to_string();
    // A finite chain: each cause is owned by the one before it.
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        reason.push_str(": ");
        reason.push_str(&cause.to_string());
        source = cause.source();
    }
    Outcome::Error(reason)
}
