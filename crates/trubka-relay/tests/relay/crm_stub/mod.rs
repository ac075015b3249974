//! A CRM for the tests: a real HTTP server on 127.0.0.1:0 that answers each number as the
//! test told it, counts the requests, checks the bearer token when given one, and holds its
//! answers behind a gate the test opens (so a test sees what the relay did meanwhile).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use serde_json::Value;
use tokio::sync::watch;

/// The longest a gated answer waits: a CRM that takes 5 s.
pub(crate) const SLOW: Duration = Duration::from_secs(5);

/// One request as the CRM saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Seen {
    pub(crate) method: &'static str,
    /// The number as it arrived: the path's segment, or the JSON body's `number`.
    pub(crate) number: String,
    pub(crate) authorization: Option<String>,
}

struct Shared {
    /// Status and body by number (as it arrives); unknown numbers get 404.
    replies: Mutex<HashMap<String, (u16, String)>>,
    seen: Mutex<Vec<Seen>>,
    /// Answers wait until this is true (or [`SLOW`] has passed).
    gate: watch::Sender<bool>,
    bearer: Option<String>,
}

pub(crate) struct Crm {
    pub(crate) addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Crm {
    /// A CRM whose answers go out at once; `bearer` is the token it requires, if any.
    pub(crate) async fn start(bearer: Option<&str>) -> Crm {
        let crm = Crm::gated(bearer).await;
        crm.open();
        crm
    }

    /// A CRM that holds every answer until [`Crm::open`] (or for [`SLOW`]).
    pub(crate) async fn gated(bearer: Option<&str>) -> Crm {
        let shared = Arc::new(Shared {
            replies: Mutex::new(HashMap::new()),
            seen: Mutex::new(Vec::new()),
            gate: watch::channel(false).0,
            bearer: bearer.map(str::to_owned),
        });
        let app = Router::new()
            .route("/phones/{number}", get(by_path))
            .route("/lookup", post(by_body))
            .with_state(Arc::clone(&shared));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Crm { addr, shared, task }
    }

    /// Answers `number` with `status` and `body` from now on.
    pub(crate) fn answer(&self, number: &str, status: u16, body: &str) {
        self.shared
            .replies
            .lock()
            .unwrap()
            .insert(number.to_owned(), (status, body.to_owned()));
    }

    /// Lets the held answers (and every later one) go.
    pub(crate) fn open(&self) {
        self.shared.gate.send_replace(true);
    }

    pub(crate) fn seen(&self) -> Vec<Seen> {
        self.shared.seen.lock().unwrap().clone()
    }

    /// Waits (bounded) until the CRM has received `count` requests.
    pub(crate) async fn wait_for_requests(&self, count: usize) {
        tokio::time::timeout(crate::common::WAIT, async {
            // Bounded by the timeout around it.
            while self.seen().len() < count {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
        .await
        .unwrap_or_else(|_| panic!("{count} requests to the CRM; got {:?}", self.seen()));
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

impl Drop for Crm {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn by_path(
    State(shared): State<Arc<Shared>>,
    Path(number): Path<String>,
    headers: HeaderMap,
) -> (StatusCode, String) {
    reply(&shared, "GET", number, &headers).await
}

async fn by_body(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: String,
) -> (StatusCode, String) {
    let number = serde_json::from_str::<Value>(&body)
        .ok()
        .and_then(|v| v["number"].as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("not the expected body: {body}"));
    reply(&shared, "POST", number, &headers).await
}

async fn reply(
    shared: &Shared,
    method: &'static str,
    number: String,
    headers: &HeaderMap,
) -> (StatusCode, String) {
    let authorization = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    shared.seen.lock().unwrap().push(Seen {
        method,
        number: number.clone(),
        authorization: authorization.clone(),
    });
    let mut gate = shared.gate.subscribe();
    let _ = tokio::time::timeout(SLOW, gate.wait_for(|open| *open)).await;
    if let Some(token) = &shared.bearer
        && authorization.as_deref() != Some(&format!("Bearer {token}"))
    {
        return (StatusCode::UNAUTHORIZED, "{\"error\":\"token\"}".to_owned());
    }
    let reply = shared.replies.lock().unwrap().get(&number).cloned();
    match reply {
        Some((status, body)) => (StatusCode::from_u16(status).unwrap(), body),
        None => (StatusCode::NOT_FOUND, String::new()),
    }
}
