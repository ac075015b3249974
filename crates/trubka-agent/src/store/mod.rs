//! The local SQLite store: one connection owned by one dedicated thread.
//!
//! Async callers never touch SQLite: [`Store::call`] sends a closure to the store thread and
//! awaits its answer over a oneshot channel. The submodules hold the SQL, each for one table
//! group, as plain functions over a `rusqlite::Connection`, so the same code serves the
//! engine (through the thread), the benchmark and the tests.

pub mod calls;
pub mod cases;
pub mod contacts;
pub mod directory;
pub mod followups;
pub mod history;
pub mod schema;
pub mod settings;

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread;

use rusqlite::Connection;
use tokio::sync::oneshot;

/// Errors of the local store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("local database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("cannot open the local database {path}: {source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error(
        "the local database {path} was written by a newer Trubka (schema {found}, this one knows {known})"
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("the local database thread has stopped")]
    Stopped,
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("no contact with id {0}")]
    NoSuchContact(i64),
}

type Job = Box<dyn FnOnce(&mut Connection) + Send>;

/// A handle to the store thread; cheap to clone.
#[derive(Clone)]
pub struct Store {
    jobs: mpsc::Sender<Job>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Store")
    }
}

/// Opens (creating if needed) the database at `path` with WAL, foreign keys and migrations.
pub fn open_connection(path: &Path) -> Result<Connection, StoreError> {
    let open_err = |source| StoreError::Open {
        path: path.to_owned(),
        source,
    };
    let mut conn = Connection::open(path).map_err(open_err)?;
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(open_err)?;
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(open_err)?;
    conn.pragma_update(None, "foreign_keys", "ON")
        .map_err(open_err)?;
    conn.pragma_update(None, "busy_timeout", 5000)
        .map_err(open_err)?;
    conn.pragma_update(None, "cache_size", -32_000)
        .map_err(open_err)?;
    schema::migrate(&mut conn, path)?;
    Ok(conn)
}

impl Store {
    /// Opens the database on a new thread and returns once it is ready (or failed).
    ///
    /// This blocks the calling thread while the file is opened and migrated; from async code
    /// use [`Store::open_async`].
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let (jobs, queue) = mpsc::channel::<Job>();
        let (ready_tx, ready_rx) = mpsc::channel();
        let path = path.to_owned();
        thread::Builder::new()
            .name("trubka-store".into())
            .spawn(move || {
                let mut conn = match open_connection(&path) {
                    Ok(conn) => {
                        let _ = ready_tx.send(Ok(()));
                        conn
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                while let Ok(job) = queue.recv() {
                    job(&mut conn);
                }
            })
            .map_err(|_| StoreError::Stopped)?;
        ready_rx.recv().map_err(|_| StoreError::Stopped)??;
        Ok(Store { jobs })
    }

    /// [`Store::open`] without blocking an async worker thread.
    pub async fn open_async(path: &Path) -> Result<Store, StoreError> {
        let path = path.to_owned();
        tokio::task::spawn_blocking(move || Store::open(&path))
            .await
            .map_err(|_| StoreError::Stopped)?
    }

    /// Runs `f` on the store thread and returns its result.
    pub async fn call<R, E, F>(&self, f: F) -> Result<R, E>
    where
        F: FnOnce(&mut Connection) -> Result<R, E> + Send + 'static,
        R: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move |conn| {
            let _ = tx.send(f(conn));
        });
        self.jobs
            .send(job)
            .map_err(|_| E::from(StoreError::Stopped))?;
        rx.await.map_err(|_| E::from(StoreError::Stopped))?
    }
}

/// Milliseconds since the Unix epoch, the time unit of every stored timestamp.
pub fn millis(at: chrono::DateTime<chrono::Utc>) -> i64 {
    at.timestamp_millis()
}

/// The inverse of [`millis`].
pub fn from_millis(ms: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default()
}
