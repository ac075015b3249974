//! WAL checkpoints on their own thread, off the ingest path.
//!
//! By default SQLite checkpoints inside the commit that crosses 1,000 WAL pages: that commit
//! (and every webhook waiting on it) pays for copying the WAL into the database and an extra
//! fsync, which showed up as the p99 of webhook latency. The writer connection therefore
//! turns automatic checkpoints off, and this thread runs a PASSIVE checkpoint every
//! [`EVERY`], concurrently with the writer's appends.
//!
//! Under sustained heavy load a PASSIVE checkpoint never catches up with a writer that keeps
//! appending, so the WAL would only grow; past [`RESTART_FRAMES`] a RESTART checkpoint
//! waits for the writer, finishes, and lets the WAL start over — one short stall, only then.

use std::path::Path;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::Connection;

use super::{Role, StoreError, open_connection};

/// Between checkpoints. Each one copies the WAL's new pages into the database and fsyncs
/// it, and the writer's commit fsyncs queue behind that I/O. Measured at 5,000 webhooks/s
/// (docs/benchmarks.md): every 1 s gave a webhook p99 of 5.6–30 ms, every 5 s 4.6–11 ms
/// (median 7.8 ms over 8 runs): fewer checkpoints copy a hot page (an index leaf updated by
/// every webhook) once where shorter intervals copied it again and again. The WAL stays far
/// below [`RESTART_FRAMES`] either way.
const EVERY: Duration = Duration::from_secs(5);
/// WAL frames (pages, 4 KiB each) beyond which the WAL is forced to start over: 256 MiB.
const RESTART_FRAMES: i64 = 65_536;

pub(crate) struct Checkpointer {
    stop: mpsc::Sender<()>,
    thread: JoinHandle<()>,
}

impl Checkpointer {
    pub(crate) fn start(path: &Path) -> Result<Checkpointer, StoreError> {
        let conn = open_connection(path, Role::Writer)?;
        let (stop, stopped) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("trubka-checkpoint".to_owned())
            .spawn(move || {
                // Ends when told to stop or when the relay drops its end of the channel.
                while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(EVERY) {
                    checkpoint(&conn, "PASSIVE");
                }
                // Leave a tidy database: everything in the main file, an empty WAL.
                checkpoint(&conn, "TRUNCATE");
            })
            .map_err(|e| {
                StoreError::WriteFailed(format!("cannot start the checkpoint thread: {e}"))
            })?;
        Ok(Checkpointer { stop, thread })
    }

    /// Runs a last checkpoint and waits for the thread. Blocking: call it off the runtime.
    pub(crate) fn stop(self) {
        let _ = self.stop.send(());
        if self.thread.join().is_err() {
            tracing::error!("the checkpoint thread panicked");
        }
    }
}

fn checkpoint(conn: &Connection, mode: &str) {
    let result = conn.query_row(&format!("PRAGMA wal_checkpoint({mode})"), [], |row| {
        Ok((row.get::<_, i64>(1)?, row.get::<_, i64>(2)?))
    });
    match result {
        Ok((frames, _)) if frames > RESTART_FRAMES && mode == "PASSIVE" => {
            tracing::info!(frames, "WAL kept growing under load; restarting it");
            checkpoint(conn, "RESTART");
        }
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, mode, "WAL checkpoint failed; will retry"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Store, prepare_data_dir};

    #[test]
    fn stopping_moves_everything_into_the_database_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let path = prepare_data_dir(dir.path()).unwrap();
        store
            .conn
            .pragma_update(None, "wal_autocheckpoint", 0)
            .unwrap();
        let checkpointer = Checkpointer::start(&path).unwrap();
        for n in 0..50 {
            store
                .conn
                .execute("INSERT INTO meta(key, value) VALUES (?1, 'x')", [n])
                .unwrap();
        }
        checkpointer.stop();
        let wal = std::fs::metadata(dir.path().join("relay.db-wal"))
            .map(|m| m.len())
            .unwrap_or(0);
        assert_eq!(wal, 0);
    }
}
