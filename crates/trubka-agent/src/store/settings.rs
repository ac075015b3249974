//! Key/value settings and the stream resume point.
//!
//! Settings are stored as text; [`crate::settings::AgentSettings`] is the typed view with
//! the defaults. The resume point (`epoch`, `seq`) is written by [`super::calls::apply_event`]
//! in the same transaction as the event it covers.

use rusqlite::{Connection, OptionalExtension, params};

use super::StoreError;

/// Reads one setting.
pub fn get(conn: &Connection, key: &str) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT value FROM settings WHERE key = ?1")?
        .query_row([key], |row| row.get(0))
        .optional()?)
}

/// Writes one setting; `None` removes it.
pub fn set(conn: &Connection, key: &str, value: Option<&str>) -> Result<(), StoreError> {
    match value {
        Some(value) => conn
            .prepare_cached(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )?
            .execute(params![key, value])?,
        None => conn
            .prepare_cached("DELETE FROM settings WHERE key = ?1")?
            .execute([key])?,
    };
    Ok(())
}

/// Where the stream resumes and how often the relay asked for a resync.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct ResumePoint {
    /// The relay epoch the sequence numbers belong to.
    pub epoch: Option<String>,
    /// The last applied sequence number; `None` before the first event or after a reset.
    pub seq: Option<u64>,
    /// How many times the relay said our history was gone (`reset` frames).
    pub resync_count: u64,
    /// When the last resync happened (ms since the epoch).
    pub resynced_at: Option<i64>,
}

/// The stored resume point.
pub fn resume_point(conn: &Connection) -> Result<ResumePoint, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT epoch, seq, resync_count, resynced_at FROM stream_state WHERE id = 1",
        )?
        .query_row([], |row| {
            Ok(ResumePoint {
                epoch: row.get(0)?,
                seq: row.get::<_, Option<i64>>(1)?.map(|s| s as u64),
                resync_count: row.get::<_, i64>(2)? as u64,
                resynced_at: row.get(3)?,
            })
        })?)
}

/// Records that events up to `seq` of `epoch` are applied.
pub fn set_resume_point(conn: &Connection, epoch: &str, seq: u64) -> Result<(), StoreError> {
    conn.prepare_cached("UPDATE stream_state SET epoch = ?1, seq = ?2 WHERE id = 1")?
        .execute(params![epoch, seq as i64])?;
    Ok(())
}

/// A `reset` frame: the relay no longer has history after our resume point (another epoch,
/// or data lost). Local history is kept; the old resume point is dropped, the resync is
/// counted, and the stream resumes from `head`, the relay's head when it said hello (it
/// streams live from there).
pub fn mark_resync(
    conn: &Connection,
    epoch: &str,
    head: u64,
    now_ms: i64,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE stream_state SET epoch = ?1, seq = ?2, resync_count = resync_count + 1,
         resynced_at = ?3 WHERE id = 1",
    )?
    .execute(params![epoch, head as i64, now_ms])?;
    Ok(())
}

/// A first connection (no resume point yet): start from the relay's head, so that a
/// disconnect before the first event does not lose what happens meanwhile.
pub fn start_from(conn: &Connection, epoch: &str, head: u64) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE stream_state SET epoch = ?1, seq = ?2 WHERE id = 1 AND seq IS NULL",
    )?
    .execute(params![epoch, head as i64])?;
    Ok(())
}

/// Forgets the resume point entirely (signing in with another token or relay).
pub fn clear_resume_point(conn: &Connection) -> Result<(), StoreError> {
    conn.prepare_cached("UPDATE stream_state SET epoch = NULL, seq = NULL WHERE id = 1")?
        .execute([])?;
    Ok(())
}
