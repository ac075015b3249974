//! Delivery of notifications to the relay, with bounded retries.
//!
//! UIS notifications go to `{relay}/hooks/uis/{token}/{kind}` (one URL per event type, as
//! the relay's admin configures them), Sipuni events to `{relay}/hooks/sipuni/{token}`.
//! A connection error, a timeout or a 5xx answer is retried with doubling back-off up to the
//! configured number of attempts, as a PBX does; a relay must therefore tolerate repeats.
//! Other non-2xx answers are logged with their body and not retried. Every delivery is
//! recorded in a bounded [`DeliveryLog`] that `GET /sim/deliveries` shows and the UIS Data API
//! reports as `get.notifications`. UIS notifications can be sent to another base URL than the
//! relay's ([`Sender::with_uis_base`]): a cabinet whose notifications point at a wrong URL.

use std::{
    collections::VecDeque,
    sync::{
        Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use chrono::{DateTime, Utc};
use reqwest::{Method, StatusCode, header};
use serde::Serialize;
use tokio_util::sync::CancellationToken;
use url::Url;

use crate::{config::DeliveryConfig, error::SimError, request::NotificationKind};

/// Which relay endpoint a notification goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hook {
    /// UIS, with the last segment of the URL after the token (the kind, `started`, …, or a
    /// word such as Usedesk's `call_finished`), or none for a setup with one URL.
    Uis(Option<&'static str>),
    /// Sipuni.
    Sipuni,
}

/// The request body (or query) of a notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload {
    /// POST, `Content-Type: application/json`.
    Json(String),
    /// POST, `Content-Type: application/x-www-form-urlencoded`.
    Form(Vec<(String, String)>),
    /// GET with this encoded query string.
    Query(String),
}

/// One notification of a call, due `at_ms` after the call's start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// Offset on the call's timeline.
    pub at_ms: u64,
    /// Where it goes.
    pub hook: Hook,
    /// What it carries.
    pub payload: Payload,
    /// A human name for logs: the UIS event type, or `event 1` etc.
    pub what: String,
    /// The relay's kind of this notification (what `drop_notifications` names).
    pub kind: NotificationKind,
}

/// The record of one delivered (or undeliverable) notification.
#[derive(Debug, Clone, Serialize)]
pub struct Delivery {
    /// Increasing number of the record.
    pub seq: u64,
    /// When the last attempt finished.
    pub at: DateTime<Utc>,
    /// `uis:…` / `sipuni:…`.
    pub call_id: String,
    /// The UIS event type, or `event 1` etc.
    pub what: String,
    /// `GET` or `POST`.
    pub method: String,
    /// The URL, hook token masked.
    pub url: String,
    /// Attempts made.
    pub attempts: u32,
    /// The relay's last HTTP status, if it answered.
    pub status: Option<u16>,
    /// The last transport error, if any.
    pub error: Option<String>,
    /// The URL with the token, as the PBX's own log shows it (`get.notifications`).
    #[serde(skip)]
    pub sent_to: String,
    /// The relay's kind of the notification (`started`, …).
    #[serde(skip)]
    pub kind: &'static str,
}

/// The newest deliveries, bounded.
#[derive(Debug, Default)]
pub struct DeliveryLog {
    seq: AtomicU64,
    entries: Mutex<VecDeque<Delivery>>,
}

/// How many deliveries [`DeliveryLog`] keeps.
pub const DELIVERY_LOG_CAPACITY: usize = 2000;

impl DeliveryLog {
    fn push(&self, mut delivery: Delivery) {
        delivery.seq = self.seq.fetch_add(1, Ordering::Relaxed) + 1;
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.push_back(delivery);
        while entries.len() > DELIVERY_LOG_CAPACITY {
            entries.pop_front();
        }
    }

    /// The kept deliveries, oldest first.
    pub fn snapshot(&self) -> Vec<Delivery> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.iter().cloned().collect()
    }
}

/// Sends notifications to one relay.
#[derive(Debug)]
pub struct Sender {
    client: reqwest::Client,
    relay: Url,
    uis_token: String,
    sipuni_token: String,
    /// Where UIS notifications go instead of the relay, if anywhere.
    uis_base: Option<Url>,
    policy: DeliveryConfig,
    /// What was delivered.
    pub log: DeliveryLog,
}

/// How much of an error body goes into the log.
const BODY_EXCERPT: usize = 500;

impl Sender {
    /// A sender for `relay` with the two hook tokens.
    pub fn new(
        relay: Url,
        uis_token: String,
        sipuni_token: String,
        policy: DeliveryConfig,
    ) -> Result<Self, SimError> {
        let client = reqwest::Client::builder()
            .timeout(policy.timeout)
            .user_agent(concat!("trubka-sim/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(SimError::HttpClient)?;
        Ok(Self {
            client,
            relay,
            uis_token,
            sipuni_token,
            uis_base: None,
            policy,
            log: DeliveryLog::default(),
        })
    }

    /// UIS notifications go to `base` (with the usual hook path) instead of the relay, as
    /// when the cabinet's notifications were pointed at a mistyped or old address.
    pub fn with_uis_base(mut self, base: Option<Url>) -> Self {
        self.uis_base = base;
        self
    }

    /// The URL of a hook; `masked` replaces the token for logs.
    fn url(&self, hook: Hook, masked: bool) -> Url {
        let mut url = match (hook, &self.uis_base) {
            (Hook::Uis(_), Some(base)) => base.clone(),
            _ => self.relay.clone(),
        };
        let token = |t: &str| {
            if masked {
                "***".to_owned()
            } else {
                t.to_owned()
            }
        };
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty();
            match hook {
                Hook::Uis(last) => {
                    path.extend(["hooks", "uis", &token(&self.uis_token)]);
                    path.extend(last);
                }
                Hook::Sipuni => {
                    path.extend(["hooks", "sipuni", &token(&self.sipuni_token)]);
                }
            }
        }
        url.set_query(None);
        url
    }

    fn request(&self, outgoing: &Outgoing) -> reqwest::RequestBuilder {
        let mut url = self.url(outgoing.hook, false);
        match &outgoing.payload {
            Payload::Json(body) => self
                .client
                .post(url)
                .header(header::CONTENT_TYPE, "application/json; charset=utf-8")
                .body(body.clone()),
            Payload::Form(pairs) => self
                .client
                .post(url)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(serde_urlencoded::to_string(pairs).unwrap_or_default()),
            Payload::Query(query) => {
                url.set_query(Some(query));
                self.client.get(url)
            }
        }
    }

    /// Delivers one notification, retrying as configured; gives up early on `cancel`.
    pub async fn deliver(&self, call_id: &str, outgoing: &Outgoing, cancel: &CancellationToken) {
        let method = match outgoing.payload {
            Payload::Query(_) => Method::GET,
            _ => Method::POST,
        };
        let mut record = Delivery {
            seq: 0,
            at: Utc::now(),
            call_id: call_id.to_owned(),
            what: outgoing.what.clone(),
            method: method.to_string(),
            url: self.url(outgoing.hook, true).to_string(),
            attempts: 0,
            status: None,
            error: None,
            sent_to: self.url(outgoing.hook, false).to_string(),
            kind: outgoing.kind.as_str(),
        };
        let mut backoff = self.policy.initial_backoff;
        for attempt in 1..=self.policy.attempts {
            record.attempts = attempt;
            let retry = match self.request(outgoing).send().await {
                Ok(response) => {
                    let status = response.status();
                    record.status = Some(status.as_u16());
                    record.error = None;
                    let body = response.text().await.unwrap_or_default();
                    self.check_answer(call_id, outgoing, status, &body);
                    status.is_server_error()
                }
                Err(error) => {
                    tracing::warn!(%call_id, what = %outgoing.what, attempt, %error, "relay unreachable");
                    record.error = Some(error.to_string());
                    true
                }
            };
            if !retry || attempt == self.policy.attempts {
                break;
            }
            tokio::select! {
                () = tokio::time::sleep(backoff) => {}
                () = cancel.cancelled() => break,
            }
            backoff = (backoff * 2).min(Duration::from_secs(30));
        }
        record.at = Utc::now();
        self.log.push(record);
    }

    /// Records a notification that was deliberately not sent (`drop_notifications`).
    pub fn record_dropped(&self, call_id: &str, outgoing: &Outgoing) {
        let method = match outgoing.payload {
            Payload::Query(_) => Method::GET,
            _ => Method::POST,
        };
        self.log.push(Delivery {
            seq: 0,
            at: Utc::now(),
            call_id: call_id.to_owned(),
            what: outgoing.what.clone(),
            method: method.to_string(),
            url: self.url(outgoing.hook, true).to_string(),
            attempts: 0,
            status: None,
            error: Some(format!("dropped on purpose ({})", outgoing.kind.as_str())),
            sent_to: self.url(outgoing.hook, false).to_string(),
            kind: outgoing.kind.as_str(),
        });
    }

    fn check_answer(&self, call_id: &str, outgoing: &Outgoing, status: StatusCode, body: &str) {
        let excerpt: String = body.chars().take(BODY_EXCERPT).collect();
        if !status.is_success() {
            tracing::warn!(%call_id, what = %outgoing.what, %status, body = %excerpt, "relay refused a notification");
            return;
        }
        if outgoing.hook == Hook::Sipuni {
            // Sipuni suspends sending unless the answer says {"success": true}.
            let success = serde_json::from_str::<serde_json::Value>(body)
                .ok()
                .and_then(|v| v.get("success").cloned())
                == Some(serde_json::Value::Bool(true));
            if !success {
                tracing::warn!(%call_id, what = %outgoing.what, body = %excerpt, "relay answer lacks \"success\": true");
            }
        }
        tracing::debug!(%call_id, what = %outgoing.what, %status, "delivered");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sender(relay: &str) -> Sender {
        let policy = DeliveryConfig {
            attempts: 1,
            initial_backoff: Duration::from_millis(1),
            timeout: Duration::from_secs(1),
        };
        Sender::new(Url::parse(relay).unwrap(), "u t".into(), "s".into(), policy).unwrap()
    }

    #[test]
    fn hook_urls_keep_the_relay_prefix_and_encode_tokens() {
        let s = sender("http://127.0.0.1:8765/pbx/");
        assert_eq!(
            s.url(Hook::Uis(Some("ringing")), false).as_str(),
            "http://127.0.0.1:8765/pbx/hooks/uis/u%20t/ringing"
        );
        assert_eq!(
            s.url(Hook::Sipuni, true).as_str(),
            "http://127.0.0.1:8765/pbx/hooks/sipuni/***"
        );
        let s = sender("http://127.0.0.1:8765");
        assert_eq!(
            s.url(Hook::Sipuni, false).as_str(),
            "http://127.0.0.1:8765/hooks/sipuni/s"
        );
    }
}
