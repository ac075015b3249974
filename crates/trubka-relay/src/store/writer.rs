//! The event writer: one thread owns the write connection and appends events in
//! group-committed transactions.
//!
//! A webhook is acknowledged only after its events are durable (`synchronous=FULL`, one
//! fsync per commit). One fsync per webhook would cap ingest at the disk's fsync rate, so
//! the thread takes every request waiting in its queue (up to [`MAX_BATCH`]) and commits
//! them in one transaction: under load a single fsync covers hundreds of webhooks, while a
//! lone webhook is still committed at once.
//!
//! For each new event it assigns the next `seq`, decides the audience
//! ([`crate::audience`]), records the deliveries and the call's state, and after the
//! commit answers the waiting requests and hands the frames to the [`Hub`] in `seq` order.
//! A duplicate (same event id) gets the `seq` it was stored with and is not published again.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;

use axum::extract::ws::Utf8Bytes;
use chrono::Utc;
use rusqlite::{Connection, TransactionBehavior};
use tokio::sync::{mpsc, oneshot};
use trubka_core::{CallEvent, EventKind, Provider};
use trubka_protocol::stream::{close_code, event_frame};

use super::append::{Inserted, insert_event, insert_rejection};
use super::checkpoint::Checkpointer;
use super::{Role, StoreError, agents, open_connection, schema};
use crate::agents::{AgentId, AgentSet};
use crate::cases::CaseFeed;
use crate::hub::Hub;
use crate::metrics::Metrics;

/// Most requests committed in one transaction; bounds the latency a batch adds.
pub(crate) const MAX_BATCH: usize = 512;
/// Requests that may wait for the writer; beyond that, handlers wait (backpressure).
const QUEUE: usize = 4096;

/// An event ready to store: the parsed event (for routing) and its JSON (what is stored and
/// sent), serialised by the HTTP handler so the writer thread does as little as possible.
#[derive(Debug, Clone)]
pub(crate) struct PreparedEvent {
    pub(crate) event: CallEvent,
    pub(crate) json: String,
}

/// The outcome for one event of an ingest request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoredEvent {
    pub(crate) id: String,
    pub(crate) seq: u64,
    /// Already stored before; not delivered again.
    pub(crate) duplicate: bool,
    /// Set when this event is the first of its call: the agents its frame went to
    /// (supervisors included), who also get what the CRM says about the caller.
    pub(crate) opened_call: Option<Vec<AgentId>>,
}

/// A payload the parsers refused, kept for the admin.
#[derive(Debug, Clone)]
pub(crate) struct Rejection {
    pub(crate) provider: Provider,
    pub(crate) reason_code: String,
    pub(crate) message: String,
    pub(crate) query: String,
    pub(crate) body: Vec<u8>,
}

type IngestReply = oneshot::Sender<Result<Vec<StoredEvent>, StoreError>>;

/// Maintenance (retention's batches) run on the writer's connection between two group
/// commits: no second writer waits on SQLite's lock, and webhooks queue behind one short
/// transaction at most.
type Chore = Box<dyn FnOnce(&mut Connection) + Send>;

enum Request {
    Ingest {
        events: Vec<PreparedEvent>,
        /// A PBX notification (recorded as heard), not reconciliation's history.
        notification: bool,
        reply: IngestReply,
    },
    Reject(Rejection),
    /// Wakes the thread so it notices agent changes (revocations) while no events arrive.
    Tick,
    Chore(Chore),
    /// Finish what is queued, then stop.
    Shutdown,
}

/// The async side's handle to the writer; cheap to clone.
#[derive(Clone)]
pub(crate) struct WriterHandle {
    tx: mpsc::Sender<Request>,
    head: Arc<AtomicU64>,
    alive: Arc<AtomicBool>,
}

/// Owns the writer thread (and its checkpointer); [`WriterThread::shutdown`] flushes and
/// joins them.
pub(crate) struct WriterThread {
    tx: mpsc::Sender<Request>,
    thread: JoinHandle<()>,
    checkpointer: Checkpointer,
}

/// Opens the write connection (migrating the schema) and starts the thread.
pub(crate) fn start(
    path: &Path,
    hub: Arc<Hub>,
    metrics: Arc<Metrics>,
    cases: CaseFeed,
) -> Result<(WriterHandle, WriterThread), StoreError> {
    let mut conn = open_connection(path, Role::Writer)?;
    schema::migrate(&mut conn)?;
    // Checkpoints run on their own thread (see `checkpoint`), not inside a commit.
    conn.pragma_update(None, "wal_autocheckpoint", 0)?;
    let head: i64 = conn.query_row("SELECT COALESCE(MAX(seq), 0) FROM events", [], |r| r.get(0))?;
    let head = head as u64;
    let shared_head = Arc::new(AtomicU64::new(head));
    let alive = Arc::new(AtomicBool::new(true));
    let mut writer = Writer {
        conn,
        agents: AgentSet::default(),
        data_version: -1,
        shared_head: Arc::clone(&shared_head),
        hub,
        metrics,
        cases,
    };
    writer.refresh_agents()?;
    let checkpointer = Checkpointer::start(path)?;
    let (tx, rx) = mpsc::channel(QUEUE);
    let alive_flag = Arc::clone(&alive);
    let thread = std::thread::Builder::new()
        .name("trubka-writer".to_owned())
        .spawn(move || {
            let _alive = AliveGuard(alive_flag);
            writer.run(rx);
        })
        .map_err(|e| StoreError::WriteFailed(format!("cannot start the writer thread: {e}")))?;
    Ok((
        WriterHandle {
            tx: tx.clone(),
            head: shared_head,
            alive,
        },
        WriterThread {
            tx,
            thread,
            checkpointer,
        },
    ))
}

impl WriterHandle {
    /// Stores the events of one webhook (`notification`) or of reconciliation; returns once
    /// they are durable (or known duplicates). A notification's kinds are recorded as heard
    /// ([`super::activity`]), duplicates too: the PBX did send it.
    pub(crate) async fn ingest(
        &self,
        events: Vec<PreparedEvent>,
        notification: bool,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send(Request::Ingest {
                events,
                notification,
                reply,
            })
            .await
            .map_err(|_| StoreError::WriterStopped)?;
        answer.await.map_err(|_| StoreError::WriterStopped)?
    }

    /// Queues a rejected payload for the admin log; does not wait for the commit.
    pub(crate) async fn reject(&self, rejection: Rejection) {
        if self.tx.send(Request::Reject(rejection)).await.is_err() {
            tracing::warn!("writer stopped; a rejected payload was not kept");
        }
    }

    /// Asks the writer to look for agent changes. Skipped when the writer is busy: it looks
    /// before every batch anyway.
    pub(crate) fn tick(&self) {
        let _ = self.tx.try_send(Request::Tick);
    }

    /// Runs `chore` on the writer thread's connection, after the webhooks already queued.
    pub(crate) async fn chore<R, F>(&self, chore: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<R, StoreError> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job: Chore = Box::new(move |conn| {
            let _ = reply.send(chore(conn));
        });
        self.tx
            .send(Request::Chore(job))
            .await
            .map_err(|_| StoreError::WriterStopped)?;
        answer.await.map_err(|_| StoreError::WriterStopped)?
    }

    /// The `seq` of the last committed event.
    pub(crate) fn head(&self) -> u64 {
        self.head.load(Ordering::Acquire)
    }

    pub(crate) fn is_alive(&self) -> bool {
        self.alive.load(Ordering::Acquire) && !self.tx.is_closed()
    }
}

impl WriterThread {
    /// Commits everything queued so far, stops the thread and waits for it.
    pub(crate) async fn shutdown(self) {
        let _ = self.tx.send(Request::Shutdown).await;
        let WriterThread {
            thread,
            checkpointer,
            ..
        } = self;
        let joined = tokio::task::spawn_blocking(move || {
            let writer = thread.join();
            checkpointer.stop();
            writer
        });
        if let Ok(Err(_)) = joined.await {
            tracing::error!("the writer thread panicked");
        }
    }
}

/// Clears the liveness flag however the thread ends, panics included.
struct AliveGuard(Arc<AtomicBool>);

impl Drop for AliveGuard {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

struct Writer {
    conn: Connection,
    agents: AgentSet,
    /// `PRAGMA data_version` when `agents` was loaded: it changes when another connection
    /// (the CLI adding or revoking an agent) commits.
    data_version: i64,
    /// The `seq` of the last committed event, as the streams read it.
    shared_head: Arc<AtomicU64>,
    hub: Arc<Hub>,
    metrics: Arc<Metrics>,
    /// Told the calls each commit stored, whose cases may change.
    cases: CaseFeed,
}

impl Writer {
    fn run(&mut self, mut rx: mpsc::Receiver<Request>) {
        // Ends when the queue is closed (shutdown) and drained, or every handle is gone.
        while let Some(first) = rx.blocking_recv() {
            let mut batch = Vec::with_capacity(64);
            batch.push(first);
            while batch.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(request) => batch.push(request),
                    Err(_) => break,
                }
            }
            if batch.iter().any(|r| matches!(r, Request::Shutdown)) {
                rx.close();
            }
            if let Err(e) = self.refresh_agents() {
                tracing::error!(error = %e, "cannot reload agents; routing with the previous list");
            }
            let (chores, batch): (Vec<_>, Vec<_>) = batch
                .into_iter()
                .partition(|r| matches!(r, Request::Chore(_)));
            self.write_batch(batch);
            for chore in chores {
                if let Request::Chore(chore) = chore {
                    chore(&mut self.conn);
                }
            }
        }
    }

    fn refresh_agents(&mut self) -> Result<(), StoreError> {
        let version: i64 = self
            .conn
            .query_row("PRAGMA data_version", [], |row| row.get(0))?;
        if version == self.data_version {
            return Ok(());
        }
        let newer = AgentSet::new(agents::list(&self.conn)?);
        for agent in self.agents.dropped_in(&newer) {
            tracing::info!(agent, "agent revoked; closing its streams");
            self.hub.close_agent(agent, close_code::TOKEN_REVOKED);
        }
        self.agents = newer;
        self.data_version = version;
        Ok(())
    }

    fn write_batch(&mut self, batch: Vec<Request>) {
        let requests = batch.len() as u64;
        let mut pending = Vec::new();
        let mut replies = Vec::new();
        let mut rejections = Vec::new();
        let mut heard = Vec::new();
        for request in batch {
            match request {
                Request::Ingest {
                    events,
                    notification,
                    reply,
                } => {
                    if notification {
                        heard.extend(
                            events
                                .iter()
                                .map(|p| (p.event.provider, p.event.kind, p.event.id.0.clone())),
                        );
                    }
                    pending.push(events);
                    replies.push(reply);
                }
                Request::Reject(rejection) => rejections.push(rejection),
                Request::Tick | Request::Shutdown | Request::Chore(_) => {}
            }
        }
        if pending.is_empty() && rejections.is_empty() {
            return;
        }

        let mut start_head = 0;
        let mut head = 0;
        let mut published = Vec::new();
        let mut touched: Vec<String> = Vec::new();
        let mut answers = Vec::with_capacity(pending.len());
        let mut duplicates = 0u64;
        let result = (|| -> Result<(), StoreError> {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            // Read, not cached: inside the write lock this is the truth even if a second
            // relay was (wrongly) started on the same file, which then cannot reuse a seq.
            start_head = tx.query_row("SELECT COALESCE(MAX(seq), 0) FROM events", [], |row| {
                row.get::<_, i64>(0)
            })? as u64;
            head = start_head;
            let now_ms = Utc::now().timestamp_millis();
            for events in pending {
                let mut stored = Vec::with_capacity(events.len());
                for prepared in events {
                    let call_id = prepared.event.call_id.0.clone();
                    match insert_event(&tx, &self.agents, prepared, head + 1, now_ms)? {
                        Inserted::New { id, publish } => {
                            head += 1;
                            stored.push(StoredEvent {
                                id,
                                seq: head,
                                duplicate: false,
                                opened_call: publish.opens_call.then(|| publish.audience.clone()),
                            });
                            published.push(publish);
                            touched.push(call_id);
                        }
                        Inserted::Duplicate { id, seq } => {
                            duplicates += 1;
                            stored.push(StoredEvent {
                                id,
                                seq,
                                duplicate: true,
                                opened_call: None,
                            });
                        }
                    }
                }
                answers.push(stored);
            }
            // Owed to the case worker until it folds them, in case the relay dies first.
            let mut marked = std::collections::HashSet::with_capacity(touched.len());
            for call_id in &touched {
                if marked.insert(call_id.as_str()) {
                    crate::cases::owed::mark(&tx, call_id, head)?;
                }
            }
            for rejection in &rejections {
                insert_rejection(&tx, rejection, now_ms)?;
            }
            // One row per provider and kind, however many notifications the batch holds.
            let mut last: Vec<&(Provider, EventKind, String)> = Vec::new();
            for entry in heard.iter().rev() {
                if !last.iter().any(|l| (l.0, l.1) == (entry.0, entry.1)) {
                    last.push(entry);
                }
            }
            for (provider, kind, event_id) in last {
                super::activity::record(&tx, *provider, *kind, event_id, now_ms)?;
            }
            tx.commit()?;
            Ok(())
        })();

        self.metrics.write_batches.fetch_add(1, Ordering::Relaxed);
        self.metrics
            .write_batch_requests
            .fetch_add(requests, Ordering::Relaxed);
        match result {
            Ok(()) => {
                self.shared_head.store(head, Ordering::Release);
                self.metrics
                    .events_stored
                    .fetch_add(head - start_head, Ordering::Relaxed);
                self.metrics
                    .events_duplicate
                    .fetch_add(duplicates, Ordering::Relaxed);
                // Publish before answering: the agent's card matters more than the PBX's 200.
                for event in published {
                    let text = Utf8Bytes::from(event_frame(event.seq, &event.json));
                    self.hub.publish(event.seq, &text, &event.audience);
                }
                for (reply, stored) in replies.into_iter().zip(answers) {
                    let _ = reply.send(Ok(stored));
                }
                // Cases follow off this thread: this only marks the calls.
                self.cases.touch(touched.iter().map(String::as_str));
            }
            Err(e) => {
                // The transaction rolled back when it was dropped: nothing of this batch is
                // stored, nothing is acknowledged, and the PBX retries.
                self.metrics.write_failures.fetch_add(1, Ordering::Relaxed);
                tracing::error!(error = %e, requests, "write transaction failed");
                let message = e.to_string();
                for reply in replies {
                    let _ = reply.send(Err(StoreError::WriteFailed(message.clone())));
                }
            }
        }
    }
}
