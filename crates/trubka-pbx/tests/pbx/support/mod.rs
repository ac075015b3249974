//! A test double of the PBX HTTP APIs: an axum server on 127.0.0.1:0 that records every
//! request and answers with whatever the test's responder returns.

#![allow(unreachable_pub)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use trubka_pbx::{UisClient, UisConfig};

/// One request the double received.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub path: String,
    pub content_type: String,
    pub body: Vec<u8>,
}

impl Recorded {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("the request body is JSON")
    }

    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("the request body is UTF-8")
    }

    /// `params` of a JSON-RPC request.
    pub fn params(&self) -> Value {
        self.json()["params"].clone()
    }
}

/// What the double answers.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
    pub delay: Duration,
}

impl Reply {
    pub fn json(value: Value) -> Reply {
        Reply {
            status: 200,
            content_type: "application/json".to_owned(),
            body: serde_json::to_vec(&value).unwrap(),
            delay: Duration::ZERO,
        }
    }

    pub fn raw(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status,
            content_type: content_type.to_owned(),
            body: body.into(),
            delay: Duration::ZERO,
        }
    }

    pub fn after(mut self, delay: Duration) -> Reply {
        self.delay = delay;
        self
    }
}

type Responder = dyn Fn(&Recorded) -> Reply + Send + Sync;

#[derive(Clone)]
struct Shared {
    requests: Arc<Mutex<Vec<Recorded>>>,
    responder: Arc<Responder>,
}

/// A running double.
pub struct MockPbx {
    pub base: String,
    requests: Arc<Mutex<Vec<Recorded>>>,
}

impl MockPbx {
    pub async fn start(responder: impl Fn(&Recorded) -> Reply + Send + Sync + 'static) -> MockPbx {
        let requests = Arc::new(Mutex::new(Vec::new()));
        let shared = Shared {
            requests: requests.clone(),
            responder: Arc::new(responder),
        };
        let app = Router::new().fallback(handle).with_state(shared);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        MockPbx { base, requests }
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

async fn handle(
    State(shared): State<Shared>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let recorded = Recorded {
        path: uri.path().to_owned(),
        content_type: headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned(),
        body: body.to_vec(),
    };
    shared.requests.lock().unwrap().push(recorded.clone());
    let reply = (shared.responder)(&recorded);
    if !reply.delay.is_zero() {
        tokio::time::sleep(reply.delay).await;
    }
    (
        StatusCode::from_u16(reply.status).unwrap(),
        [(header::CONTENT_TYPE, reply.content_type)],
        reply.body,
    )
        .into_response()
}

/// A UIS success envelope answering `request`.
pub fn uis_result(request: &Recorded, data: Value, metadata: Option<Value>) -> Reply {
    let id = request.json()["id"].clone();
    let mut result = json!({"data": data});
    if let Some(metadata) = metadata {
        result["metadata"] = metadata;
    }
    Reply::json(json!({"jsonrpc": "2.0", "id": id, "result": result}))
}

/// A UIS error envelope answering `request`.
pub fn uis_error(request: &Recorded, code: i64, mnemonic: &str, field: Option<&str>) -> Reply {
    let id = request.json()["id"].clone();
    Reply::json(json!({
        "jsonrpc": "2.0",
        "id": id,
        "error": {
            "code": code,
            "message": format!("error {mnemonic}"),
            "data": {"mnemonic": mnemonic, "field": field, "value": null,
                     "params": {}, "extended_helper": null}
        }
    }))
}

/// The access token the UIS clients of these tests send.
pub const UIS_KEY: &str = "test-key";

/// A UIS client configuration pointing at `mock`'s Call API and Data API paths.
pub fn uis_config(mock: &MockPbx) -> UisConfig {
    UisConfig {
        call_api_url: mock.url("/uis/callapi/v4.0"),
        data_api_url: mock.url("/uis/dataapi/v2.0"),
        access_token: UIS_KEY.to_owned(),
        media_base: "https://app.uiscom.ru".to_owned(),
        timeout: Duration::from_secs(5),
        ..UisConfig::default()
    }
}

pub fn uis_client(mock: &MockPbx) -> UisClient {
    UisClient::new(uis_config(mock)).unwrap()
}
