//! The running relay's directory: where its writes run and how agents hear of a new version.
//!
//! Writes run on a blocking thread with the directory's own connection (`busy_timeout`
//! makes it wait for the event writer's commit, and the event writer for it), never
//! through the event writer's group commit: a contact edit must not hold up a call event.
//! After an HTTP write the new version goes out at once; writes made by the CLI on the same
//! database file are noticed by a poll of `max(version)` every [`POLL_EVERY`], through the
//! read pool. Each version is announced once: [`Directory::announce`] only sends versions
//! newer than the last one sent.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::extract::ws::Utf8Bytes;
use rusqlite::Connection;
use tokio_util::sync::CancellationToken;
use trubka_contacts::numbers::NumberParser;
use trubka_protocol::ServerFrame;

use super::{DirectoryError, store};
use crate::hub::Hub;
use crate::store::read::ReadPool;
use crate::store::{Role, open_connection};

/// How often the database is asked for the directory's version (the CLI's imports).
pub(crate) const POLL_EVERY: Duration = Duration::from_millis(250);

pub(crate) struct Directory {
    path: PathBuf,
    parser: NumberParser,
    /// The write connection, opened on the first write; one write at a time.
    writes: Mutex<Option<Connection>>,
    /// The newest version announced to the streams.
    version: AtomicU64,
    hub: Arc<Hub>,
}

impl Directory {
    /// The directory of the database at `path`, at its current version.
    pub(crate) fn open(
        path: PathBuf,
        parser: NumberParser,
        hub: Arc<Hub>,
    ) -> Result<Directory, DirectoryError> {
        let conn = open_connection(&path, Role::Reader)?;
        let version = store::current_version(&conn)?;
        Ok(Directory {
            path,
            parser,
            writes: Mutex::new(None),
            version: AtomicU64::new(version),
            hub,
        })
    }

    /// Numbers are read in the relay's `default_region`.
    pub(crate) fn parser(&self) -> &NumberParser {
        &self.parser
    }

    /// The newest version the streams were told.
    pub(crate) fn version(&self) -> u64 {
        self.version.load(Ordering::Acquire)
    }

    /// Runs `write` on a blocking thread with the write connection, then announces the
    /// version it reached.
    pub(crate) async fn write<R, F>(self: &Arc<Self>, write: F) -> Result<R, DirectoryError>
    where
        R: Send + 'static,
        F: FnOnce(&mut Connection, &NumberParser) -> Result<R, DirectoryError> + Send + 'static,
    {
        let directory = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let mut slot = directory
                .writes
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let conn = match slot.as_mut() {
                Some(conn) => conn,
                None => slot.insert(open_connection(&directory.path, Role::Writer)?),
            };
            let result = write(conn, &directory.parser)?;
            let version = store::current_version(conn)?;
            drop(slot);
            directory.announce(version);
            Ok(result)
        })
        .await
        .map_err(|e| DirectoryError::Stopped(e.to_string()))?
    }

    /// Tells every stream about `version` if it is newer than the last one told.
    pub(crate) fn announce(&self, version: u64) {
        if self.version.fetch_max(version, Ordering::AcqRel) < version {
            let frame = ServerFrame::Directory { version }.to_json();
            self.hub.broadcast(&Utf8Bytes::from(frame));
        }
    }

    /// Polls the database's version every [`POLL_EVERY`] until `stop`, announcing changes
    /// made by others (the CLI) on the same file.
    pub(crate) async fn watch(self: Arc<Self>, reads: Arc<ReadPool>, stop: CancellationToken) {
        let mut every = tokio::time::interval(POLL_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // Ends with the relay.
        loop {
            tokio::select! {
                () = stop.cancelled() => break,
                _ = every.tick() => {}
            }
            match reads.run(|conn| Ok(store::current_version(conn))).await {
                Ok(Ok(version)) => self.announce(version),
                Ok(Err(error)) => tracing::warn!(%error, "cannot read the directory's version"),
                Err(error) => tracing::warn!(%error, "cannot read the directory's version"),
            }
        }
    }
}
