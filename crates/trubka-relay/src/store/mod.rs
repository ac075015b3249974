//! The relay's SQLite database: one file, `relay.db` in the data folder, in WAL mode.
//!
//! - [`schema`]: tables and migrations.
//! - [`agents`]: agent rows (add, list, revoke, look up by token hash).
//! - [`invites`]: one-time sign-in links (make, look up, exchange for a token).
//! - [`writer`]: the one thread that appends events, in group-committed transactions.
//! - [`append`]: the SQL of storing one event (and its audience) or one rejected payload.
//! - [`bulk`]: many events appended in one transaction, outside a running relay.
//! - [`checkpoint`]: WAL checkpoints on a thread of their own, off the ingest path.
//! - [`retention`]: the SQL of removing what is older than `[retention]` allows, in batches.
//! - [`read`]: a small pool of read-only connections for the async side (auth, resume).
//!
//! [`Store`] is the synchronous handle the CLI and tests use for administration; it may be
//! used while a relay runs on the same file (WAL lets readers and one writer at a time share
//! it, and `busy_timeout` makes a second writer wait instead of failing).

pub(crate) mod activity;
pub(crate) mod agents;
pub(crate) mod append;
mod bulk;
mod checkpoint;
pub(crate) mod invites;
pub(crate) mod read;
pub(crate) mod retention;
mod schema;
pub(crate) mod writer;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension};

use crate::agents::{Agent, AgentEdit, AgentToken, NewAgent};
use crate::config::RelayConfig;

pub use bulk::Appended;
pub use retention::Storage;

/// The database file inside a data folder.
pub const DATABASE_FILE: &str = "relay.db";
/// Bytes a WAL file is cut back to when it starts over: a burst (or a retention pass) grows
/// it to tens of megabytes, and without a limit SQLite keeps the file at its high-water mark.
const WAL_KEPT_BYTES: i64 = 16 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("cannot create the data folder {path}: {source}")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the database was written by a newer relay (schema {found}; this relay knows {known})")]
    TooNew { found: usize, known: usize },
    #[error("the database holds a bad value: {0}")]
    Corrupt(String),
    #[error("an agent named `{0}` already exists")]
    AgentExists(String),
    #[error("no agent named `{0}`")]
    NoSuchAgent(String),
    #[error("the event writer has stopped")]
    WriterStopped,
    #[error("storing failed: {0}")]
    WriteFailed(String),
    #[error("a database reader failed: {0}")]
    Reader(String),
}

/// How a connection will be used; decides its pragmas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// Writes that are acknowledged to someone: fsync on every commit (`synchronous=FULL`),
    /// so an acknowledged webhook survives `kill -9` and power loss.
    Writer,
    /// Read-only connections; `query_only` turns a bug that writes into an error.
    Reader,
}

/// Opens (creating when needed) the database file with the pragmas for `role`.
pub(crate) fn open_connection(path: &Path, role: Role) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    // CLI commands and the server share the file; waiting a while beats a spurious error.
    conn.busy_timeout(Duration::from_secs(10))?;
    match role {
        Role::Writer => {
            // Lets retention give freed pages back to the file system. Takes effect only on
            // a database without tables yet (a new one); an older file keeps its free pages
            // for reuse (docs/protocol.md says how to convert it).
            conn.pragma_update(None, "auto_vacuum", "INCREMENTAL")?;
            let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |row| row.get(0))?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(StoreError::Corrupt(format!(
                    "journal mode stays `{mode}`, not WAL"
                )));
            }
            conn.pragma_update(None, "synchronous", "FULL")?;
            conn.pragma_update(None, "journal_size_limit", WAL_KEPT_BYTES)?;
        }
        Role::Reader => conn.pragma_update(None, "query_only", true)?,
    }
    Ok(conn)
}

/// The path of the database in `data_dir`, creating the folder.
pub(crate) fn prepare_data_dir(data_dir: &Path) -> Result<PathBuf, StoreError> {
    std::fs::create_dir_all(data_dir).map_err(|source| StoreError::DataDir {
        path: data_dir.to_owned(),
        source,
    })?;
    Ok(data_dir.join(DATABASE_FILE))
}

/// The secrets in the webhook URLs the PBXs call.
#[derive(Clone, PartialEq, Eq)]
pub struct HookTokens {
    pub uis: String,
    pub sipuni: String,
}

impl std::fmt::Debug for HookTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HookTokens(…)")
    }
}

/// A payload that was refused, as kept for the admin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    pub at_ms: i64,
    pub provider: String,
    pub reason_code: String,
    pub message: String,
    pub query: String,
    pub body: Vec<u8>,
}

/// Synchronous access for administration: agents, hook tokens, the rejected log.
pub struct Store {
    conn: Connection,
}

impl Store {
    /// Opens the database in `data_dir` (creating folder and schema when missing).
    pub fn open(data_dir: &Path) -> Result<Store, StoreError> {
        let path = prepare_data_dir(data_dir)?;
        let mut conn = open_connection(&path, Role::Writer)?;
        schema::migrate(&mut conn)?;
        Ok(Store { conn })
    }

    /// Creates an agent and returns it with its token, the only time the token exists in
    /// clear text.
    pub fn add_agent(&self, new: &NewAgent) -> Result<(Agent, AgentToken), StoreError> {
        agents::add(&self.conn, new)
    }

    /// Changes an active agent's name or mappings; its token keeps working.
    pub fn edit_agent(&self, name: &str, edit: &AgentEdit) -> Result<Agent, StoreError> {
        agents::edit(&self.conn, name, edit)
    }

    pub fn list_agents(&self) -> Result<Vec<Agent>, StoreError> {
        agents::list(&self.conn)
    }

    /// Revokes the agent's token; a running relay closes its streams with 4001.
    pub fn revoke_agent(&self, name: &str) -> Result<Agent, StoreError> {
        agents::revoke(&self.conn, name)
    }

    /// The agent a token belongs to (revoked or not).
    pub fn agent_by_token(&self, token: &AgentToken) -> Result<Option<Agent>, StoreError> {
        agents::by_token_hash(&self.conn, &token.hash())
    }

    /// The id of this event log; changes only when the database is made anew.
    pub fn epoch(&self) -> Result<String, StoreError> {
        meta(&self.conn, "epoch")?.ok_or_else(|| StoreError::Corrupt("no epoch".to_owned()))
    }

    /// The hook tokens in effect: the configured ones, else those persisted earlier, else
    /// new random ones, persisted so the PBX settings stay valid across restarts.
    pub fn hook_tokens(&self, config: &RelayConfig) -> Result<HookTokens, StoreError> {
        Ok(HookTokens {
            uis: hook_token(
                &self.conn,
                "uis_hook_token",
                config.uis.hook_token.as_deref(),
            )?,
            sipuni: hook_token(
                &self.conn,
                "sipuni_hook_token",
                config.sipuni.hook_token.as_deref(),
            )?,
        })
    }

    /// The last notification heard of each provider and kind.
    pub fn hook_activity(&self) -> Result<Vec<activity::Heard>, StoreError> {
        activity::list(&self.conn)
    }

    /// The newest rejected payloads, newest first.
    pub fn rejected(&self, limit: usize) -> Result<Vec<Rejected>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT at, provider, reason_code, message, query, body FROM rejected
             ORDER BY id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit as i64], |row| {
            Ok(Rejected {
                at_ms: row.get(0)?,
                provider: row.get(1)?,
                reason_code: row.get(2)?,
                message: row.get(3)?,
                query: row.get(4)?,
                body: row.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

pub(crate) fn meta(conn: &Connection, key: &str) -> Result<Option<String>, StoreError> {
    Ok(conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [key], |row| {
            row.get(0)
        })
        .optional()?)
}

fn hook_token(
    conn: &Connection,
    key: &str,
    configured: Option<&str>,
) -> Result<String, StoreError> {
    if let Some(token) = configured {
        return Ok(token.to_owned());
    }
    // INSERT OR IGNORE then read back: when `serve` and a CLI command start at once, both
    // end up with the same token.
    conn.execute(
        "INSERT OR IGNORE INTO meta(key, value) VALUES (?1, ?2)",
        [key, &hex::encode(rand::random::<[u8; 16]>())],
    )?;
    meta(conn, key)?.ok_or_else(|| StoreError::Corrupt(format!("no {key}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hook_tokens_are_generated_once_and_config_wins() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let config = RelayConfig::default();
        let first = store.hook_tokens(&config).unwrap();
        assert_ne!(first.uis, first.sipuni);
        assert_eq!(first.uis.len(), 32);
        drop(store);

        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.hook_tokens(&config).unwrap(), first);
        let mut configured = config.clone();
        configured.uis.hook_token = Some("set-by-admin".to_owned());
        let tokens = store.hook_tokens(&configured).unwrap();
        assert_eq!(tokens.uis, "set-by-admin");
        assert_eq!(tokens.sipuni, first.sipuni);
        assert!(!format!("{tokens:?}").contains("set-by-admin"));
    }
}
