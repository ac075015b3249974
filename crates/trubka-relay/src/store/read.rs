//! Reads for the async side: a few read-only connections used on blocking threads.
//!
//! SQLite calls block, so they never run on the async runtime's workers. A semaphore caps
//! how many run at once (a reconnect storm of a thousand agents queues here instead of
//! spawning a thousand blocking threads with a connection each), and idle connections are
//! kept for reuse because opening one costs about half a millisecond.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use rusqlite::{Connection, params};
use tokio::sync::Semaphore;

use super::{Role, StoreError, agents, open_connection};
use crate::agents::{Agent, AgentId};

/// Reads running at once, and so connections open at most.
const READERS: usize = 4;

pub(crate) struct ReadPool {
    path: PathBuf,
    permits: Semaphore,
    idle: Mutex<Vec<Connection>>,
}

impl ReadPool {
    pub(crate) fn new(path: PathBuf) -> ReadPool {
        ReadPool {
            path,
            permits: Semaphore::new(READERS),
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Runs `read` with a connection on a blocking thread.
    pub(crate) async fn run<R, F>(self: &Arc<ReadPool>, read: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&Connection) -> Result<R, StoreError> + Send + 'static,
    {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| StoreError::Reader(e.to_string()))?;
        let pool = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let taken = pool
                .idle
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .pop();
            let conn = match taken {
                Some(conn) => conn,
                None => open_connection(&pool.path, Role::Reader)?,
            };
            let result = read(&conn);
            pool.idle
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(conn);
            result
        })
        .await
        .map_err(|e| StoreError::Reader(e.to_string()))?
    }
}

/// The agent a token hash belongs to, revoked or not.
pub(crate) fn agent_by_token_hash(
    conn: &Connection,
    hash: &str,
) -> Result<Option<Agent>, StoreError> {
    agents::by_token_hash(conn, hash)
}

/// Whose events a resume reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReplayScope {
    /// The events delivered to this agent.
    Agent(AgentId),
    /// Every event (supervisors).
    All,
}

const REPLAY_AGENT: &str = "SELECT d.seq, e.json FROM deliveries d JOIN events e ON e.seq = d.seq
     WHERE d.seq > ?2 AND d.seq <= ?3 AND d.agent_id = ?1 ORDER BY d.seq LIMIT ?4";
const REPLAY_ALL: &str =
    "SELECT seq, json FROM events WHERE seq > ?1 AND seq <= ?2 ORDER BY seq LIMIT ?3";

/// Up to `limit` stored events of `scope` with `after < seq <= up_to`, in `seq` order, as
/// `(seq, event JSON)`.
pub(crate) fn replay_page(
    conn: &Connection,
    scope: ReplayScope,
    after: u64,
    up_to: u64,
    limit: usize,
) -> Result<Vec<(u64, String)>, StoreError> {
    let row = |row: &rusqlite::Row<'_>| Ok((row.get::<_, i64>(0)? as u64, row.get(1)?));
    let page = match scope {
        ReplayScope::Agent(agent) => conn
            .prepare_cached(REPLAY_AGENT)?
            .query_map(
                params![agent, after as i64, up_to as i64, limit as i64],
                row,
            )?
            .collect::<Result<_, _>>()?,
        ReplayScope::All => conn
            .prepare_cached(REPLAY_ALL)?
            .query_map(params![after as i64, up_to as i64, limit as i64], row)?
            .collect::<Result<_, _>>()?,
    };
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Store, prepare_data_dir};

    /// Resume must read a seq range through the primary keys, never scan a whole table.
    #[test]
    fn replay_reads_seq_ranges_by_primary_key() {
        let dir = tempfile::tempdir().unwrap();
        drop(Store::open(dir.path()).unwrap());
        let conn = open_connection(&prepare_data_dir(dir.path()).unwrap(), Role::Reader).unwrap();
        for scope in [ReplayScope::Agent(1), ReplayScope::All] {
            assert!(replay_page(&conn, scope, 0, 10, 5).unwrap().is_empty());
        }
        let plan = |sql: &str| -> String {
            let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
            let params = rusqlite::params_from_iter(vec![1i64; stmt.parameter_count()]);
            let rows = stmt
                .query_map(params, |row| row.get::<_, String>(3))
                .unwrap();
            rows.map(Result::unwrap).collect::<Vec<_>>().join("; ")
        };
        let agent = plan(REPLAY_AGENT);
        assert!(
            agent.contains("SEARCH d USING PRIMARY KEY (seq>? AND seq<?)"),
            "{agent}"
        );
        assert!(
            agent.contains("SEARCH e USING INTEGER PRIMARY KEY"),
            "{agent}"
        );
        assert!(
            !agent.contains("SCAN") && !agent.contains("TEMP B-TREE"),
            "{agent}"
        );
        let all =
            plan("SELECT seq, json FROM events WHERE seq > 1 AND seq <= 9 ORDER BY seq LIMIT 5");
        assert!(
            all.contains("SEARCH events USING INTEGER PRIMARY KEY"),
            "{all}"
        );
    }
}
