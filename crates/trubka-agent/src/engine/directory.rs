//! Keeping the desktop's copy of the team directory in step with the relay.
//!
//! The relay announces its directory version in a `directory` frame after every `caught_up`
//! and after every change. A newer version than the one held wakes the sync worker, which
//! fetches `GET /v1/directory/changes` pages from the held version until `more` is false and
//! applies each page in one store transaction (on the store thread). Frames that come while
//! a sync runs only raise the wanted version: the worker runs once more afterwards, never
//! twice at once. A failed sync is reported in [`DirectoryStatus`] and retried on the next
//! frame (every reconnect brings one) or by [`Engine::sync_directory`].
//!
//! The same worker asks `GET /v1/directory/lookup` about the callers of calls still going on
//! after a reconnect whom no contact knows: a `call_contact` frame sent while the desktop was
//! away is not replayed, but the relay keeps the CRM's answer.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio::sync::{Mutex, Notify, watch};
use tokio::task::JoinHandle;

use super::{Engine, EngineError, EngineEvent, Inner, now_ms};
use crate::store::directory::{self as dir_sql, PageApplied};
use crate::store::{Store, StoreError};

/// Contacts per page asked of the relay, unless [`Engine::set_directory_page`] says
/// otherwise.
pub const PAGE: usize = 5_000;

/// The state of the copy, for the app's status line and `trubka-cli contacts sync`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DirectoryStatus {
    /// The directory version this desktop holds (0: never synced).
    pub version: u64,
    /// Team contacts held.
    pub contacts: u64,
    pub syncing: bool,
    /// Why the last sync failed; cleared by the next one that succeeds.
    pub error: Option<String>,
    pub synced_at: Option<DateTime<Utc>>,
}

/// The sync's shared state inside the engine.
#[derive(Debug)]
pub(crate) struct DirectorySync {
    /// Held while a sync runs, so that two never overlap.
    running: Mutex<()>,
    /// The newest version the relay announced.
    wanted: AtomicU64,
    /// The version the store holds.
    held: AtomicU64,
    wake: Notify,
    /// Contacts per page.
    page: AtomicUsize,
    status: watch::Sender<DirectoryStatus>,
    worker: std::sync::Mutex<Option<JoinHandle<()>>>,
    /// Calls (id, E.164) whose caller the relay is to be asked about.
    lookups: std::sync::Mutex<Vec<(String, String)>>,
}

impl DirectorySync {
    /// The state of the copy in `store`.
    pub(crate) async fn open(store: &Store) -> Result<DirectorySync, StoreError> {
        let (version, contacts) = store
            .call(|conn| Ok::<_, StoreError>((dir_sql::version(conn)?, dir_sql::team_count(conn)?)))
            .await?;
        let (status, _) = watch::channel(DirectoryStatus {
            version,
            contacts,
            ..DirectoryStatus::default()
        });
        Ok(DirectorySync {
            running: Mutex::new(()),
            wanted: AtomicU64::new(version),
            held: AtomicU64::new(version),
            wake: Notify::new(),
            page: AtomicUsize::new(PAGE),
            status,
            worker: std::sync::Mutex::new(None),
            lookups: std::sync::Mutex::new(Vec::new()),
        })
    }

    /// The relay announced `version`: wake the worker when it is newer than the copy.
    pub(crate) fn announced(&self, version: u64) {
        self.wanted.fetch_max(version, Ordering::SeqCst);
        if version > self.held.load(Ordering::SeqCst) {
            self.wake.notify_one();
        }
    }

    /// Asks the relay about the caller of `call_id` (`e164`) on the worker's next turn.
    pub(crate) fn look_up(&self, call_id: String, e164: String) {
        self.lookups
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((call_id, e164));
        self.wake.notify_one();
    }

    /// Something says the copy is behind (a write was refused as stale): sync on the
    /// worker's next turn.
    pub(crate) fn behind(&self) {
        let held = self.held.load(Ordering::SeqCst);
        self.wanted.fetch_max(held + 1, Ordering::SeqCst);
        self.wake.notify_one();
    }

    /// The copy was dropped (signed in to another relay): nothing is held.
    pub(crate) fn reset(&self) {
        self.held.store(0, Ordering::SeqCst);
        self.wanted.store(0, Ordering::SeqCst);
        self.status.send_replace(DirectoryStatus::default());
    }

    /// Starts the worker (after a previous one, if any, is stopped).
    pub(crate) fn start(&self, inner: Arc<Inner>) {
        let task = tokio::spawn(worker(inner));
        if let Some(old) = self.worker.lock().expect("worker lock").replace(task) {
            old.abort();
        }
    }

    pub(crate) fn stop(&self) {
        if let Some(task) = self.worker.lock().expect("worker lock").take() {
            task.abort();
        }
    }
}

/// Syncs whenever woken and the relay is ahead, then asks about the callers queued; ends
/// when aborted.
async fn worker(inner: Arc<Inner>) {
    loop {
        inner.directory.wake.notified().await;
        let sync = &inner.directory;
        if sync.wanted.load(Ordering::SeqCst) > sync.held.load(Ordering::SeqCst)
            && let Err(e) = inner.sync_directory().await
        {
            tracing::warn!("the team directory did not sync: {e}");
        }
        let queued = std::mem::take(&mut *sync.lookups.lock().unwrap_or_else(|e| e.into_inner()));
        for (call_id, e164) in queued {
            if let Err(e) = inner.ask_about(call_id, e164).await {
                tracing::warn!("cannot ask the relay about a caller: {e}");
            }
        }
    }
}

impl Inner {
    /// Fetches and applies every change after the held version, one sync at a time.
    pub(crate) async fn sync_directory(&self) -> Result<DirectoryStatus, EngineError> {
        let _running = self.directory.running.lock().await;
        self.directory
            .status
            .send_modify(|status| status.syncing = true);
        let result = self.pull_changes().await;
        self.directory.status.send_modify(|status| {
            status.syncing = false;
            match &result {
                Ok(()) => {
                    status.error = None;
                    status.synced_at = Some(Utc::now());
                }
                Err(e) => status.error = Some(e.to_string()),
            }
        });
        let status = self.directory.status.borrow().clone();
        let _ = self.events.send(EngineEvent::Directory(status.clone()));
        result.map(|()| status)
    }

    async fn pull_changes(&self) -> Result<(), EngineError> {
        let api = self.api()?;
        let mut since = self.store.call(|conn| dir_sql::version(conn)).await?;
        loop {
            let limit = self.directory.page.load(Ordering::Relaxed);
            let page = api.directory_changes(since, limit).await?;
            let more = page.more;
            let parser = self.parser.clone();
            let (applied, contacts): (PageApplied, u64) = self
                .store
                .call(move |conn| {
                    let applied = dir_sql::apply_page(conn, &parser, &page, now_ms())?;
                    Ok::<_, StoreError>((applied, dir_sql::team_count(conn)?))
                })
                .await?;
            self.directory
                .held
                .fetch_max(applied.version, Ordering::SeqCst);
            self.directory.status.send_modify(|status| {
                status.version = applied.version;
                status.contacts = contacts;
            });
            if !more {
                return Ok(());
            }
            // Each page ends at a newer version than it started from; a relay that says
            // «more» without moving on would loop for ever.
            if applied.version <= since {
                return Err(EngineError::DirectoryStalled(since));
            }
            since = applied.version;
        }
    }

    /// `GET /v1/directory/lookup` for the caller of `call_id`: a CRM answer the relay kept
    /// fills the card as a `call_contact` frame would have.
    async fn ask_about(&self, call_id: String, e164: String) -> Result<(), EngineError> {
        use crate::relay_client::StreamSink;
        let answer = self.api()?.directory_lookup(&e164).await?;
        if answer.crm.is_empty() {
            return Ok(());
        }
        Ok(self.call_contact(call_id, e164, answer.crm).await?)
    }

    /// A write's answer, or anything else known to be current, changed the copy: tell the
    /// status and the app.
    pub(crate) async fn directory_touched(&self) -> Result<(), EngineError> {
        let contacts = self.store.call(|conn| dir_sql::team_count(conn)).await?;
        self.directory
            .status
            .send_modify(|status| status.contacts = contacts);
        let status = self.directory.status.borrow().clone();
        let _ = self.events.send(EngineEvent::Directory(status));
        Ok(())
    }
}

impl Engine {
    /// The state of the team directory's copy, updated as syncs run.
    pub fn directory_status(&self) -> watch::Receiver<DirectoryStatus> {
        self.inner.directory.status.subscribe()
    }

    /// How many contacts each request for changes asks for (at least 1; the relay caps it
    /// at 20,000). Smaller pages mean shorter store transactions during a first sync.
    pub fn set_directory_page(&self, limit: usize) {
        self.inner
            .directory
            .page
            .store(limit.max(1), Ordering::Relaxed);
    }

    /// Fetches every change the relay has after the version held, now (waiting for a sync
    /// already running to end first), and says what the copy holds.
    pub async fn sync_directory(&self) -> Result<DirectoryStatus, EngineError> {
        self.inner.sync_directory().await
    }
}
