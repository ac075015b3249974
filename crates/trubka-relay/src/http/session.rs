//! One agent's stream session: hello, replay, then live frames, until someone hangs up.
//!
//! No gap and no duplicate, by construction:
//! 1. the session registers with the hub *before* reading the head, so every event with a
//!    `seq` above that head is published after the registration and reaches its queue;
//! 2. everything the agent may see up to the head is replayed from the database (or, without
//!    `since`, considered known: the agent starts at the head);
//! 3. live frames at or below the last `seq` sent are skipped.
//!
//! A replay ends with a `caught_up` frame, so the agent can tell the calls it missed while
//! away from the calls happening now (one summary instead of a burst of stale popups).
//! When retention deleted events after the agent's `since`, `caught_up` says from which
//! `seq` on the log is whole (`pruned_before`): the replay starts with what is still kept.
//!
//! Then the team directory's version (`directory`), on every connection, and again on each
//! change (broadcast by the hub, outside the event log).
//!
//! Keepalive: a ping every [`PING_EVERY`]; a client not heard from for [`SILENT_LIMIT`] is
//! dropped. A send that does not complete in [`SEND_TIMEOUT`] drops the client too, so a
//! stalled socket cannot pin its task forever.

use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use tokio::time::{Instant, MissedTickBehavior, interval_at, timeout};
use trubka_protocol::stream::{STREAM_VERSION, close_code, event_frame};
use trubka_protocol::{ClientFrame, ServerFrame};

use super::stream::StreamParams;
use crate::agents::Agent;
use crate::metrics::Metrics;
use crate::relay::AppState;
use crate::store::read::{ReplayScope, replay_page};
use crate::store::retention::events_pruned_before;

pub(crate) const PING_EVERY: Duration = Duration::from_secs(20);
pub(crate) const SILENT_LIMIT: Duration = Duration::from_secs(60);
const SEND_TIMEOUT: Duration = Duration::from_secs(30);
/// Events read from the database per replay query.
const REPLAY_PAGE: usize = 256;

/// Why a session ended early.
enum Ended {
    /// The socket is gone or stalled; nothing more can be sent.
    SendFailed,
    /// Reading the replay failed; the socket still works.
    Store(String),
}

pub(crate) async fn run(socket: WebSocket, state: AppState, agent: Agent, params: StreamParams) {
    let metrics = std::sync::Arc::clone(&state.metrics);
    metrics.streams_opened.fetch_add(1, Ordering::Relaxed);
    metrics.streams_open.fetch_add(1, Ordering::Relaxed);
    tracing::debug!(agent = %agent.name, since = ?params.since, "stream opened");
    let mut session = Session {
        socket,
        metrics: std::sync::Arc::clone(&metrics),
    };
    match session.serve(&state, &agent, &params).await {
        Ok(()) => {}
        Err(Ended::SendFailed) => {
            tracing::debug!(agent = %agent.name, "stream dropped: sending failed");
        }
        Err(Ended::Store(error)) => {
            tracing::warn!(agent = %agent.name, %error, "replay failed; asking the agent to retry");
            // 1011: the server hit an error; the client reconnects and resumes.
            let _ = session.close(1011, "replay failed; reconnect").await;
        }
    }
    metrics.streams_open.fetch_sub(1, Ordering::Relaxed);
}

struct Session {
    socket: WebSocket,
    metrics: std::sync::Arc<Metrics>,
}

impl Session {
    async fn serve(
        &mut self,
        state: &AppState,
        agent: &Agent,
        params: &StreamParams,
    ) -> Result<(), Ended> {
        // Step 1: register, then read the head.
        let mut subscription = state.hub.subscribe(agent.id);
        let head = state.writer.head();
        let hello = ServerFrame::Hello {
            v: STREAM_VERSION,
            agent: agent.name.clone(),
            epoch: state.epoch.clone(),
            head,
        };
        self.send(Message::Text(hello.to_json().into())).await?;

        // Step 2: replay, or tell the agent its history is gone.
        let same_epoch = params
            .epoch
            .as_deref()
            .is_none_or(|epoch| epoch == state.epoch);
        match params.since {
            Some(since) if same_epoch && since <= head => {
                let replayed = self.replay(state, agent, since, head).await?;
                // Read after the replay, so events retention deleted meanwhile are owned up to.
                let pruned_before = state
                    .reads
                    .run(events_pruned_before)
                    .await
                    .map_err(|e| Ended::Store(e.to_string()))?
                    .filter(|&pruned| since.saturating_add(1) < pruned);
                let caught_up = ServerFrame::CaughtUp {
                    replayed,
                    pruned_before,
                };
                self.send(Message::Text(caught_up.to_json().into())).await?;
            }
            Some(_) => self.send_reset(state).await?,
            None if !same_epoch => self.send_reset(state).await?,
            None => {}
        }
        // The directory's version, after `caught_up` (or `hello`/`reset` without a replay):
        // a desktop whose copy is older fetches the changes. Registered before it was read,
        // so a newer version reaches the queue; it is not replayed.
        let directory = ServerFrame::Directory {
            version: state.directory.version(),
        };
        self.send(Message::Text(directory.to_json().into())).await?;
        let mut last_sent = head;

        // Step 3: live. Each branch either sends something or ends the session.
        let start = Instant::now();
        let mut ping = interval_at(start + PING_EVERY, PING_EVERY);
        ping.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut last_heard = start;
        loop {
            tokio::select! {
                biased;
                () = state.shutdown.cancelled() => {
                    return self.close(close_code::RESTARTING, "relay restarting").await;
                }
                code = &mut subscription.closed => {
                    let code = code.unwrap_or(close_code::TOO_SLOW);
                    return self.close(code, reason(code)).await;
                }
                frame = subscription.frames.recv() => {
                    let Some(frame) = frame else {
                        return self.close(close_code::TOO_SLOW, reason(close_code::TOO_SLOW)).await;
                    };
                    match frame.seq {
                        Some(seq) if seq > last_sent => {
                            self.send_event(frame.text).await?;
                            last_sent = seq;
                        }
                        // Replayed already.
                        Some(_) => {}
                        None => self.send(Message::Text(frame.text)).await?,
                    }
                }
                message = self.socket.recv() => {
                    match message {
                        Some(Ok(Message::Text(text))) => {
                            last_heard = Instant::now();
                            if let Ok(ClientFrame::Ack { seq }) = ClientFrame::parse(text.as_str()) {
                                self.metrics.acks_received.fetch_add(1, Ordering::Relaxed);
                                tracing::trace!(agent = %agent.name, seq, "ack");
                            }
                        }
                        Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return Ok(()),
                        Some(Ok(_)) => last_heard = Instant::now(),
                    }
                }
                _ = ping.tick() => {
                    if last_heard.elapsed() >= SILENT_LIMIT {
                        tracing::debug!(agent = %agent.name, "no answer to pings; dropping");
                        return Ok(());
                    }
                    self.send(Message::Ping(Default::default())).await?;
                }
            }
        }
    }

    /// Sends every event with `since < seq <= head` the agent may see, in `seq` order, and
    /// says how many that was.
    async fn replay(
        &mut self,
        state: &AppState,
        agent: &Agent,
        since: u64,
        head: u64,
    ) -> Result<u64, Ended> {
        let scope = if agent.supervisor {
            ReplayScope::All
        } else {
            ReplayScope::Agent(agent.id)
        };
        let mut after = since;
        let mut replayed = 0;
        // Bounded: `after` grows with every full page and never passes `head`.
        loop {
            let page = state
                .reads
                .run(move |conn| replay_page(conn, scope, after, head, REPLAY_PAGE))
                .await
                .map_err(|e| Ended::Store(e.to_string()))?;
            let full = page.len() == REPLAY_PAGE;
            for (seq, json) in page {
                self.send_event(Utf8Bytes::from(event_frame(seq, &json)))
                    .await?;
                after = seq;
                replayed += 1;
            }
            if !full {
                return Ok(replayed);
            }
        }
    }

    async fn send_reset(&mut self, state: &AppState) -> Result<(), Ended> {
        let reset = ServerFrame::Reset {
            epoch: state.epoch.clone(),
        };
        self.send(Message::Text(reset.to_json().into())).await
    }

    async fn send_event(&mut self, text: Utf8Bytes) -> Result<(), Ended> {
        self.send(Message::Text(text)).await?;
        self.metrics.frames_sent.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    async fn send(&mut self, message: Message) -> Result<(), Ended> {
        match timeout(SEND_TIMEOUT, self.socket.send(message)).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) | Err(_) => Err(Ended::SendFailed),
        }
    }

    async fn close(&mut self, code: u16, reason: &str) -> Result<(), Ended> {
        let frame = CloseFrame {
            code,
            reason: Utf8Bytes::from(reason),
        };
        self.send(Message::Close(Some(frame))).await
    }
}

fn reason(code: u16) -> &'static str {
    match code {
        close_code::TOKEN_REVOKED => "token revoked",
        close_code::TOO_SLOW => "too slow; reconnect with since",
        _ => "closed by the relay",
    }
}
