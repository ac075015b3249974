//! The relay event stream client: connects with the agent token, applies every event to the
//! local store (which records the resume point in the same transaction), and comes back after
//! any disconnect — network change, sleep, relay restart — resuming with `since` and `epoch`.
//!
//! - Reconnects use [`Backoff`] (exponential, capped, jittered); the attempt counter resets
//!   once a connection got as far as the relay's `hello`.
//! - A half-open connection (laptop asleep, Wi-Fi switched) is detected by pings: no frame
//!   for [`IDLE_LIMIT`] drops the connection and reconnects. [`ClientControl::reconnect_now`]
//!   lets the desktop shell react to an OS resume or network change at once.
//! - `reset` (history before `since` is gone) clears the resume point, keeps local history and
//!   counts a resync, through [`StreamSink::reset`]; the stream goes on live from the head.
//! - A first connection records the relay's head as its resume point at once, so a disconnect
//!   before the first event loses nothing.
//! - Events at or below the head the relay named in `hello` are replayed (they happened
//!   while the client was away); the sink is told which, and `caught_up` ends the replay, so
//!   the app can summarise what was missed instead of popping stale cards.
//! - `directory` (the team directory's version) goes to the directory sync, `call_contact`
//!   (the CRM's answer for a call's number) to the store and the call's card.
//! - Close codes 4000–4099 stop the client (4001: token revoked); others reconnect.
//! - The state is published on a `watch` channel as [`ConnectionStatus`].

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::{SinkExt, StreamExt};
use serde::Serialize;
use tokio::sync::{Notify, watch};
use tokio::time::{Instant, timeout};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{Connector, connect_async_tls_with_config};
use trubka_core::CallEvent;
use trubka_protocol::control::{AgentPresence, ControlNotice};
use trubka_protocol::directory::CrmContact;
use trubka_protocol::stream::close_code;
use trubka_protocol::{ClientFrame, ServerFrame};

use crate::backoff::Backoff;
use crate::relay_api::RelayApi;
use crate::store::StoreError;
use crate::store::calls::StreamPosition;
use crate::store::settings::ResumePoint;

/// Without any frame for this long, the connection is taken for dead.
pub const IDLE_LIMIT: Duration = Duration::from_secs(45);
/// How often the client pings the relay.
pub const PING_EVERY: Duration = Duration::from_secs(15);
/// How long a connection attempt (TCP, TLS, upgrade) may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);

/// The connection as the app shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ConnectionStatus {
    /// No relay or token configured, or signed out.
    SignedOut,
    /// The first connection attempt is under way.
    Connecting,
    /// Streaming live.
    Connected {
        agent: String,
        epoch: String,
        head: u64,
    },
    /// Lost; the next attempt is due at `retry_at`.
    Reconnecting {
        attempt: u32,
        retry_at: DateTime<Utc>,
        error: String,
    },
    /// The relay revoked or does not know the token: sign in again.
    TokenRevoked,
    /// The relay closed the stream for good with another code.
    Rejected { code: u16, reason: String },
}

impl ConnectionStatus {
    /// Russian words for the terminal view.
    pub fn label(&self) -> String {
        match self {
            ConnectionStatus::SignedOut => "не выполнен вход".to_owned(),
            ConnectionStatus::Connecting => "подключение…".to_owned(),
            ConnectionStatus::Connected { agent, .. } => format!("на связи ({agent})"),
            ConnectionStatus::Reconnecting {
                attempt,
                retry_at,
                error,
            } => format!(
                "нет связи: {error}; попытка {attempt} в {}",
                retry_at.with_timezone(&chrono::Local).format("%H:%M:%S")
            ),
            ConnectionStatus::TokenRevoked => "токен отозван: войдите снова".to_owned(),
            ConnectionStatus::Rejected { code, reason } => {
                format!("релей закрыл поток: {code} {reason}")
            }
        }
    }
}

/// Where the stream's events go: the engine, backed by the store.
pub trait StreamSink: Send + Sync + 'static {
    /// The stored resume point.
    fn resume_point(&self) -> impl Future<Output = Result<ResumePoint, StoreError>> + Send;
    /// Applies one event and stores `position` with it, atomically. `delivery` says whether
    /// it happened while the client was away (a replay) or now.
    fn apply(
        &self,
        position: StreamPosition,
        event: CallEvent,
        delivery: Delivery,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// The replay after a reconnect is complete (`replayed` events); live events follow.
    fn caught_up(&self, replayed: u64) -> impl Future<Output = ()> + Send;
    /// The relay no longer has our history: forget the resume point, keep local data, and
    /// go on from `head` (the relay's head at hello).
    fn reset(
        &self,
        epoch: String,
        head: u64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// The relay's team directory is at `version` (`directory` frame): sync when behind.
    fn directory(&self, version: u64) -> impl Future<Output = ()> + Send;
    /// The CRM answered for the number of call `call_id` (`call_contact` frame): keep the
    /// answer and fill in the call's card.
    fn call_contact(
        &self,
        call_id: String,
        number: String,
        contacts: Vec<CrmContact>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// An agent's status changed (`presence` frame): tell whoever shows it.
    fn presence(&self, presence: AgentPresence) -> impl Future<Output = ()> + Send;
    /// An action was done on a call this agent follows (`call_control` frame).
    fn call_control(&self, notice: ControlNotice) -> impl Future<Output = ()> + Send;
    /// A case changed on the relay (`case` frame): keep its view and tell the app.
    fn case(
        &self,
        view: trubka_protocol::cases::CaseView,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// A connection without a resume point said hello: remember `head` as the resume point.
    fn start_from(
        &self,
        epoch: String,
        head: u64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// When an event happened relative to the connection that delivered it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// Stored before this connection's `hello`: it happened while the client was away.
    Replayed,
    /// Happening now.
    Live,
    /// Live, but a notification of an unknown event type (`update`): it says who called and
    /// whom the PBX named, nothing of where the call is. It is shown and kept, never popped or
    /// notified: the call may well be over already.
    Quiet,
}

impl Delivery {
    /// An event's delivery, from its `seq` and the head the relay named in `hello`.
    pub fn of(seq: u64, hello_head: u64) -> Delivery {
        if seq <= hello_head {
            Delivery::Replayed
        } else {
            Delivery::Live
        }
    }
}

/// Handles to steer a running client.
#[derive(Debug, Clone, Default)]
pub struct ClientControl {
    wake: Arc<Notify>,
}

impl ClientControl {
    /// Drops the current connection (or skips the wait) and connects again now: call on OS
    /// resume from sleep or a network change.
    pub fn reconnect_now(&self) {
        self.wake.notify_one();
    }
}

/// How one connection ended.
enum SessionEnd {
    /// Reconnect; `greeted` says whether the relay said hello first.
    Lost {
        greeted: bool,
        error: String,
    },
    Unauthorized,
    Closed {
        code: u16,
        reason: String,
        greeted: bool,
    },
}

fn tls_connector() -> Connector {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("ring supports the default TLS versions")
    .with_root_certificates(roots)
    .with_no_client_auth();
    Connector::Rustls(Arc::new(config))
}

/// Runs the stream client until the token is refused or the relay closes for good. Cancel
/// by aborting the task.
pub async fn run<S: StreamSink>(
    api: RelayApi,
    sink: Arc<S>,
    status: watch::Sender<ConnectionStatus>,
    control: ClientControl,
    backoff: Backoff,
) {
    let mut attempt: u32 = 0;
    status.send_replace(ConnectionStatus::Connecting);
    loop {
        let end = match sink.resume_point().await {
            Ok(resume) => session(&api, &resume, sink.as_ref(), &status, &control).await,
            Err(e) => SessionEnd::Lost {
                greeted: false,
                error: e.to_string(),
            },
        };
        let error = match end {
            SessionEnd::Unauthorized => {
                status.send_replace(ConnectionStatus::TokenRevoked);
                return;
            }
            SessionEnd::Closed { code, .. } if code == close_code::TOKEN_REVOKED => {
                status.send_replace(ConnectionStatus::TokenRevoked);
                return;
            }
            SessionEnd::Closed { code, reason, .. } if !close_code::should_reconnect(code) => {
                status.send_replace(ConnectionStatus::Rejected { code, reason });
                return;
            }
            SessionEnd::Closed {
                code,
                reason,
                greeted,
            } => {
                if greeted {
                    attempt = 0;
                }
                format!("релей закрыл соединение ({code} {reason})")
            }
            SessionEnd::Lost { greeted, error } => {
                if greeted {
                    attempt = 0;
                }
                error
            }
        };
        attempt += 1;
        let delay = backoff.delay_random(attempt);
        let retry_at = Utc::now() + chrono::Duration::from_std(delay).unwrap_or_default();
        status.send_replace(ConnectionStatus::Reconnecting {
            attempt,
            retry_at,
            error,
        });
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            () = control.wake.notified() => {}
        }
    }
}

async fn session<S: StreamSink>(
    api: &RelayApi,
    resume: &ResumePoint,
    sink: &S,
    status: &watch::Sender<ConnectionStatus>,
    control: &ClientControl,
) -> SessionEnd {
    let lost = |greeted: bool, error: String| SessionEnd::Lost { greeted, error };
    let url = api.stream_url(resume);
    let mut request = match url.as_str().into_client_request() {
        Ok(request) => request,
        Err(e) => return lost(false, e.to_string()),
    };
    match HeaderValue::from_str(&format!("Bearer {}", api.token())) {
        Ok(value) => {
            request.headers_mut().insert("authorization", value);
        }
        Err(_) => return SessionEnd::Unauthorized,
    }
    let connector = if url.scheme() == "wss" {
        tls_connector()
    } else {
        Connector::Plain
    };
    let config = WebSocketConfig::default()
        .read_buffer_size(16 * 1024)
        .write_buffer_size(16 * 1024);
    let connecting = connect_async_tls_with_config(request, Some(config), true, Some(connector));
    let mut ws = match timeout(CONNECT_TIMEOUT, connecting).await {
        Err(_) => return lost(false, "relay did not answer in time".to_owned()),
        Ok(Err(WsError::Http(response))) if response.status().as_u16() == 401 => {
            return SessionEnd::Unauthorized;
        }
        Ok(Err(e)) => return lost(false, e.to_string()),
        Ok(Ok((ws, _))) => ws,
    };
    let mut greeted = false;
    let mut epoch = resume.epoch.clone().unwrap_or_default();
    let mut hello_head = 0;
    let mut last_seen = Instant::now();
    let mut ping = tokio::time::interval_at(Instant::now() + PING_EVERY, PING_EVERY);
    loop {
        let message = tokio::select! {
            message = ws.next() => message,
            _ = ping.tick() => {
                if last_seen.elapsed() > IDLE_LIMIT {
                    return lost(greeted, "no answer from the relay".to_owned());
                }
                if let Err(e) = ws.send(Message::Ping(Vec::new().into())).await {
                    return lost(greeted, e.to_string());
                }
                continue;
            }
            () = control.wake.notified() => {
                let _ = ws.close(None).await;
                return lost(greeted, "reconnect requested".to_owned());
            }
        };
        last_seen = Instant::now();
        let text = match message {
            None => return lost(greeted, "connection closed".to_owned()),
            Some(Err(e)) => return lost(greeted, e.to_string()),
            Some(Ok(Message::Close(frame))) => {
                return match frame {
                    Some(frame) => SessionEnd::Closed {
                        code: frame.code.into(),
                        reason: frame.reason.to_string(),
                        greeted,
                    },
                    None => lost(greeted, "connection closed".to_owned()),
                };
            }
            Some(Ok(Message::Text(text))) => text,
            Some(Ok(_)) => continue,
        };
        match ServerFrame::parse(&text).map_err(|e| e.to_string()) {
            Ok(ServerFrame::Hello {
                agent,
                epoch: current,
                head,
                ..
            }) => {
                greeted = true;
                epoch = current.clone();
                hello_head = head;
                if resume.seq.is_none()
                    && let Err(e) = sink.start_from(current.clone(), head).await
                {
                    return lost(greeted, format!("cannot store the resume point: {e}"));
                }
                status.send_replace(ConnectionStatus::Connected {
                    agent,
                    epoch: current,
                    head,
                });
            }
            Ok(ServerFrame::Event { seq, event }) => {
                let position = StreamPosition {
                    epoch: epoch.clone(),
                    seq,
                };
                let delivery = Delivery::of(seq, hello_head);
                if let Err(e) = sink.apply(position, *event, delivery).await {
                    return lost(greeted, format!("cannot store an event: {e}"));
                }
                let _ = ws
                    .send(Message::Text(ClientFrame::Ack { seq }.to_json().into()))
                    .await;
            }
            Ok(ServerFrame::Reset { epoch: current }) => {
                epoch = current.clone();
                if let Err(e) = sink.reset(current, hello_head).await {
                    return lost(greeted, format!("cannot record a resync: {e}"));
                }
            }
            // What retention deleted is gone for every client alike; the local store keeps
            // what the agent received before, and the summary counts what was replayed.
            Ok(ServerFrame::CaughtUp { replayed, .. }) => sink.caught_up(replayed).await,
            // Outside the event log: no seq, no ack, never replayed.
            Ok(ServerFrame::Directory { version }) => sink.directory(version).await,
            Ok(ServerFrame::CallContact {
                call_id,
                number,
                contacts,
            }) => {
                if let Err(e) = sink.call_contact(call_id, number, contacts).await {
                    return lost(greeted, format!("cannot store a CRM answer: {e}"));
                }
            }
            Ok(ServerFrame::Case { case }) => {
                if let Err(e) = sink.case(*case).await {
                    return lost(greeted, format!("cannot store a case: {e}"));
                }
            }
            Ok(ServerFrame::Presence { presence }) => sink.presence(*presence).await,
            Ok(ServerFrame::CallControl { notice }) => sink.call_control(*notice).await,
            Err(e) => tracing::warn!("skipping a stream frame the agent cannot read: {e}"),
        }
    }
}
