//! Test harness: the simulator on 127.0.0.1:0 and a capture server standing in for the relay.

#![allow(unreachable_pub)]

use std::{
    collections::BTreeMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use axum::{
    Router,
    body::Bytes,
    http::{HeaderMap, Method, StatusCode, Uri, header},
    response::IntoResponse,
};
use serde_json::{Value, json};
use tokio::{net::TcpListener, sync::oneshot};
use trubka_sim::SimConfig;
use url::Url;

pub const UIS_TOKEN: &str = "uis-hook-token";
pub const SIPUNI_TOKEN: &str = "sipuni-hook-token";
/// The UIS API key the simulators of the tests accept.
pub const UIS_KEY: &str = "uis-api-key";
/// The Sipuni cabinet and secret of the tests.
pub const SIPUNI_USER: &str = "064629";
pub const SIPUNI_SECRET: &str = "sipuni-secret";

/// One request the capture server received.
#[derive(Debug, Clone)]
pub struct Captured {
    pub method: Method,
    pub path: String,
    pub query: String,
    pub content_type: String,
    pub body: Bytes,
}

impl Captured {
    /// The UIS kind at the end of `/hooks/uis/{token}/{kind}`.
    pub fn uis_kind(&self) -> &str {
        self.path
            .strip_prefix(&format!("/hooks/uis/{UIS_TOKEN}/"))
            .unwrap_or_else(|| panic!("not a UIS hook: {}", self.path))
    }

    /// The JSON body.
    pub fn json(&self) -> Value {
        assert_eq!(self.method, Method::POST, "{}", self.path);
        assert!(
            self.content_type.starts_with("application/json"),
            "content type {}",
            self.content_type
        );
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "invalid JSON ({e}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// Form fields (POST body) or query parameters (GET), as a map.
    pub fn fields(&self) -> BTreeMap<String, String> {
        let text = if self.method == Method::GET {
            self.query.clone()
        } else {
            assert_eq!(
                self.content_type, "application/x-www-form-urlencoded",
                "{}",
                self.path
            );
            String::from_utf8(self.body.to_vec()).expect("UTF-8 form")
        };
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&text).expect("a form");
        let mut map = BTreeMap::new();
        for (k, v) in pairs {
            assert!(map.insert(k.clone(), v).is_none(), "repeated field {k}");
        }
        map
    }
}

/// The stand-in relay: records every request; can fail the first N with 503.
#[derive(Clone, Default)]
pub struct Capture {
    pub requests: Arc<Mutex<Vec<Captured>>>,
    pub fail_first: Arc<AtomicUsize>,
}

impl Capture {
    pub async fn start() -> (Self, Url) {
        let capture = Self::default();
        let state = capture.clone();
        let app = Router::new().fallback(
            move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let state = state.clone();
                async move {
                    let path = uri.path().to_owned();
                    state.requests.lock().unwrap().push(Captured {
                        method,
                        query: uri.query().unwrap_or_default().to_owned(),
                        content_type: headers
                            .get(header::CONTENT_TYPE)
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or_default()
                            .to_owned(),
                        body,
                        path: path.clone(),
                    });
                    let failing = state
                        .fail_first
                        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                        .is_ok();
                    if failing {
                        return (StatusCode::SERVICE_UNAVAILABLE, "try later").into_response();
                    }
                    if path.starts_with("/hooks/sipuni/") {
                        axum::Json(json!({"success": true})).into_response()
                    } else {
                        axum::Json(json!({"ok": true, "events": []})).into_response()
                    }
                }
            },
        );
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = Url::parse(&format!("http://{}", listener.local_addr().unwrap())).unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (capture, url)
    }

    pub fn snapshot(&self) -> Vec<Captured> {
        self.requests.lock().unwrap().clone()
    }

    /// Waits until at least `n` requests arrived, then a little longer to catch extras.
    pub async fn wait_for(&self, n: usize) -> Vec<Captured> {
        for _ in 0..500 {
            if self.snapshot().len() >= n {
                tokio::time::sleep(Duration::from_millis(100)).await;
                return self.snapshot();
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("expected {n} requests, got {:#?}", self.snapshot());
    }
}

/// A running simulator.
pub struct Sim {
    pub url: Url,
    pub capture: Capture,
    pub client: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Sim {
    /// Starts a capture server and a simulator sending to it, with no delays.
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(adjust: impl FnOnce(&mut SimConfig)) -> Self {
        let (capture, relay) = Capture::start().await;
        let mut config = SimConfig::new(relay, UIS_TOKEN, SIPUNI_TOKEN);
        config.speed = 0.0;
        config.seed = Some(1);
        config.sipuni.secret = Some(SIPUNI_SECRET.into());
        config.uis.api_key = Some(UIS_KEY.into());
        // A cabinet set up as the guides say: the test's address allowed, calls by API on.
        config.uis.allowed_ips = vec!["127.0.0.1".parse().unwrap()];
        config.sipuni.api_calls = true;
        config.delivery.initial_backoff = Duration::from_millis(10);
        adjust(&mut config);
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            trubka_sim::run(listener, config, async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
        });
        Self {
            url,
            capture,
            client: reqwest::Client::new(),
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// `POST /sim/calls`; returns the status and the JSON answer.
    pub async fn post_call(&self, body: Value) -> (StatusCode, Value) {
        let response = self
            .client
            .post(self.url.join("sim/calls").unwrap())
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = StatusCode::from_u16(response.status().as_u16()).unwrap();
        (status, response.json().await.unwrap())
    }

    /// Starts a call that must be accepted; returns its id.
    pub async fn call(&self, body: Value) -> String {
        let (status, answer) = self.post_call(body).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{answer}");
        answer["call_id"].as_str().unwrap().to_owned()
    }

    pub async fn get_json(&self, path: &str) -> Value {
        self.client
            .get(self.url.join(path).unwrap())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// A real UIS client of trubka-pbx pointed at this simulator (recordings included).
    pub fn uis(&self) -> trubka_pbx::UisClient {
        self.uis_with_key(UIS_KEY)
    }

    /// The same with another API key.
    pub fn uis_with_key(&self, key: &str) -> trubka_pbx::UisClient {
        trubka_pbx::UisClient::new(trubka_pbx::UisConfig {
            call_api_url: self.url.join("uis/callapi/v4.0").unwrap().into(),
            data_api_url: self.url.join("uis/dataapi/v2.0").unwrap().into(),
            access_token: key.to_owned(),
            media_base: self.url.to_string(),
            timeout: Duration::from_secs(10),
            ..trubka_pbx::UisConfig::default()
        })
        .unwrap()
    }

    /// A real Sipuni client of trubka-pbx pointed at this simulator.
    pub fn sipuni(&self) -> trubka_pbx::SipuniClient {
        self.sipuni_with_secret(SIPUNI_SECRET)
    }

    /// The same with another secret.
    pub fn sipuni_with_secret(&self, secret: &str) -> trubka_pbx::SipuniClient {
        trubka_pbx::SipuniClient::new(trubka_pbx::SipuniConfig {
            api_url: self.url.join("sipuni/api").unwrap().into(),
            user: SIPUNI_USER.to_owned(),
            secret: secret.to_owned(),
            timeout: Duration::from_secs(10),
        })
        .unwrap()
    }

    /// A raw JSON-RPC request to `path`; returns the answer.
    pub async fn rpc(&self, path: &str, body: &str) -> Value {
        self.client
            .post(self.url.join(path).unwrap())
            .header("content-type", "application/json; charset=UTF-8")
            .body(body.to_owned())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// The API requests logged so far with this operation.
    pub async fn requests_for(&self, operation: &str) -> Vec<Value> {
        let all = self.get_json("sim/requests").await;
        all.as_array()
            .unwrap()
            .iter()
            .filter(|r| r["operation"] == operation)
            .cloned()
            .collect()
    }

    /// Stops the simulator and waits for it.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            tokio::time::timeout(Duration::from_secs(10), task)
                .await
                .expect("the simulator stops")
                .unwrap();
        }
    }
}

/// Fetches a recording; returns content type and bytes.
pub async fn fetch(client: &reqwest::Client, link: &str) -> (reqwest::StatusCode, String, Vec<u8>) {
    let response = client.get(link).send().await.unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (
        status,
        content_type,
        response.bytes().await.unwrap().to_vec(),
    )
}
