//! The log of requests the simulator's APIs received, for `GET /sim/requests`.
//!
//! Every API route (`/sim/calls` and the PBX APIs under `/uis/…` and `/sipuni/api/`) goes
//! through [`record`], which reads the body once, keeps the method, path, query and parsed
//! parameters (JSON, or form fields), and passes the request on unchanged with a
//! [`RequestNote`] in its extensions. The handler writes into the note what it made of the
//! request (the JSON-RPC method or Sipuni operation, whether the access token or the md5
//! signature was right, the outcome, the call it started); the entry is logged when the
//! answer is ready. UIS access tokens are masked as `***` in the log; Sipuni hashes are kept
//! (they are signatures, not secrets). Tests read the log to see exactly what a client sent.

use std::{
    collections::VecDeque,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
};

use axum::{
    body::{Body, to_bytes},
    extract::{Request, State},
    http::{StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Map, Value};

/// The largest body the log reads (bigger requests are refused with 413).
pub const MAX_BODY: usize = 1024 * 1024;

/// How many requests the log keeps.
pub const CAPACITY: usize = 5000;

/// One received request.
#[derive(Debug, Clone, Serialize)]
pub struct LoggedRequest {
    /// Increasing number, from 1.
    pub seq: u64,
    /// When it arrived.
    pub at: DateTime<Utc>,
    /// Which API: `sim`, `uis_call_api`, `uis_data_api`, `sipuni_api`, or `other`.
    pub api: &'static str,
    /// HTTP method.
    pub method: String,
    /// Path without the query.
    pub path: String,
    /// Query parameters.
    pub query: Map<String, Value>,
    /// The body: parsed JSON, form fields as an object, text, or `null` when empty.
    pub params: Value,
    /// The JSON-RPC `method`, or the Sipuni operation (`callback/call_number`, …).
    pub operation: Option<String>,
    /// Whether the UIS `access_token` or the Sipuni `hash` (and `user`) was right; `None`
    /// when the request was refused before they were looked at, or has none.
    pub signature_ok: Option<bool>,
    /// `ok`, or the error: a UIS mnemonic or a Sipuni message.
    pub outcome: Option<String>,
    /// The call the request started (`uis:…`, `sipuni:…`).
    pub call_id: Option<String>,
    /// The HTTP status of the answer.
    pub status: u16,
}

/// What a handler made of a request, filled in while it runs.
#[derive(Debug, Default)]
pub struct RequestNote {
    inner: Mutex<Note>,
}

#[derive(Debug, Default, Clone)]
struct Note {
    operation: Option<String>,
    signature_ok: Option<bool>,
    outcome: Option<String>,
    call_id: Option<String>,
}

impl RequestNote {
    fn lock(&self) -> std::sync::MutexGuard<'_, Note> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The JSON-RPC method or Sipuni operation.
    pub fn operation(&self, operation: &str) {
        self.lock().operation = Some(operation.to_owned());
    }

    /// Whether the credentials were right.
    pub fn signature(&self, ok: bool) {
        self.lock().signature_ok = Some(ok);
    }

    /// `ok` or the error.
    pub fn outcome(&self, outcome: &str) {
        self.lock().outcome = Some(outcome.to_owned());
    }

    /// The call started.
    pub fn call(&self, call_id: &str) {
        self.lock().call_id = Some(call_id.to_owned());
    }
}

/// The newest requests, bounded.
#[derive(Debug, Default)]
pub struct RequestLog {
    seq: AtomicU64,
    entries: Mutex<VecDeque<LoggedRequest>>,
}

impl RequestLog {
    /// Appends a request, forgetting the oldest beyond [`CAPACITY`].
    pub fn push(&self, mut entry: LoggedRequest) {
        entry.seq = self.seq.fetch_add(1, Ordering::Relaxed) + 1;
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.push_back(entry);
        while entries.len() > CAPACITY {
            entries.pop_front();
        }
    }

    /// Requests with `seq > since`, oldest first.
    pub fn since(&self, since: u64) -> Vec<LoggedRequest> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.iter().filter(|e| e.seq > since).cloned().collect()
    }

    /// Forgets every request (numbering goes on).
    pub fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}

/// Which API a path belongs to.
pub fn api_of(path: &str) -> &'static str {
    if path.starts_with("/sim/") {
        "sim"
    } else if path.starts_with("/uis/callapi/") {
        "uis_call_api"
    } else if path.starts_with("/uis/dataapi/") {
        "uis_data_api"
    } else if path.starts_with("/sipuni/api/") {
        "sipuni_api"
    } else {
        "other"
    }
}

/// Form or query text as a JSON object; a repeated key becomes an array.
pub fn form_object(text: &str) -> Map<String, Value> {
    let mut map = Map::new();
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(text).unwrap_or_default();
    for (key, value) in pairs {
        match map.get_mut(&key) {
            Some(Value::Array(items)) => items.push(Value::String(value)),
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, Value::String(value)]);
            }
            None => {
                map.insert(key, Value::String(value));
            }
        }
    }
    map
}

fn body_params(content_type: &str, bytes: &[u8]) -> Value {
    if bytes.is_empty() {
        return Value::Null;
    }
    let text = String::from_utf8_lossy(bytes);
    if content_type.starts_with("application/x-www-form-urlencoded") {
        return Value::Object(form_object(&text));
    }
    serde_json::from_slice(bytes).unwrap_or_else(|_| Value::String(text.into_owned()))
}

/// Middleware: logs the request, then runs the handler with the same body.
pub async fn record(State(log): State<Arc<RequestLog>>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_BODY).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "request body too large\n").into_response();
    };
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let path = parts.uri.path().to_owned();
    let mut params = body_params(&content_type, &bytes);
    mask_token(&mut params);
    let at = Utc::now();
    let method = parts.method.to_string();
    let query = form_object(parts.uri.query().unwrap_or_default());
    let note = Arc::new(RequestNote::default());
    let mut request = Request::from_parts(parts, Body::from(bytes));
    request.extensions_mut().insert(Arc::clone(&note));
    let response = next.run(request).await;
    let note = note.lock().clone();
    log.push(LoggedRequest {
        seq: 0,
        at,
        api: api_of(&path),
        method,
        query,
        params,
        path,
        operation: note.operation,
        signature_ok: note.signature_ok,
        outcome: note.outcome,
        call_id: note.call_id,
        status: response.status().as_u16(),
    });
    response
}

/// Replaces a JSON-RPC `params.access_token` with `***`.
fn mask_token(params: &mut Value) {
    if let Some(token) = params
        .get_mut("params")
        .and_then(|p| p.get_mut("access_token"))
        .filter(|t| t.is_string())
    {
        *token = Value::String("***".to_owned());
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn forms_become_objects() {
        assert_eq!(
            Value::Object(form_object("a=1&b=%D0%AF&a=2")),
            json!({"a": ["1", "2"], "b": "Я"})
        );
        assert_eq!(
            body_params("application/json", br#"{"x":1}"#),
            json!({"x": 1})
        );
        assert_eq!(body_params("text/plain", b"hi"), json!("hi"));
        assert_eq!(body_params("", b""), Value::Null);
        assert_eq!(api_of("/uis/callapi/v4.0"), "uis_call_api");
        let mut rpc = json!({"params": {"access_token": "secret", "x": 1}});
        mask_token(&mut rpc);
        assert_eq!(rpc, json!({"params": {"access_token": "***", "x": 1}}));
    }
}
