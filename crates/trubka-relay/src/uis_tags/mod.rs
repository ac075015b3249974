//! Tags of notes set on the call at UIS too (issue 13, item 3), so UIS's reports show them.
//!
//! A note with tags on a UIS call queues one row per call and tag in `uis_tag_jobs`, in the
//! note's own transaction on the case worker's connection: the note is stored and answered
//! whatever UIS does, and the queue outlives a PBX outage and a restart. [`worker`] takes
//! the due rows, maps each admin's tag name to a UIS tag id (`uis_tag_ids`: found by exact
//! name with `get.tags`, created with `create.tags` when the account has none) and sets it with
//! `set.tag_communications`; what fails for a while is tried again later (see
//! [`worker::Verdict`]). Here: the tables and their SQL.

pub(crate) mod worker;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use crate::store::StoreError;

pub use worker::Tagger;

/// Schema 9: the queue and the ids found (see `store::schema`).
pub(crate) const SCHEMA: &str = r#"
    -- Tags of notes to set on the call at UIS: one row per call and tag.
    CREATE TABLE uis_tag_jobs(
        call_id TEXT NOT NULL,
        tag TEXT NOT NULL,
        state TEXT NOT NULL,            -- pending | done | failed
        attempts INTEGER NOT NULL,
        created_at INTEGER NOT NULL,    -- unix milliseconds: the first note with the tag
        next_at INTEGER NOT NULL,       -- unix milliseconds: not tried before
        last_error TEXT,
        PRIMARY KEY(call_id, tag)
    ) WITHOUT ROWID;
    CREATE INDEX uis_tag_jobs_due ON uis_tag_jobs(state, next_at);

    -- The UIS tag id of each admin's tag name, as found or created.
    CREATE TABLE uis_tag_ids(
        name TEXT PRIMARY KEY,
        tag_id INTEGER NOT NULL
    ) WITHOUT ROWID;
"#;

/// Where a row stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JobState {
    Pending,
    Done,
    Failed,
}

impl JobState {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            JobState::Pending => "pending",
            JobState::Done => "done",
            JobState::Failed => "failed",
        }
    }
}

/// One call and tag to set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TagJob {
    pub(crate) call_id: String,
    pub(crate) tag: String,
    pub(crate) attempts: u32,
    pub(crate) created_at: i64,
}

/// Queues `tags` for the UIS call `call_id`; other PBXs' calls queue nothing. A tag queued
/// for the call before (another note) is not queued again.
pub(crate) fn enqueue(
    conn: &Connection,
    call_id: &str,
    tags: &[String],
    now_ms: i64,
) -> Result<(), StoreError> {
    if !call_id.starts_with("uis:") {
        return Ok(());
    }
    let mut insert = conn.prepare_cached(
        "INSERT OR IGNORE INTO uis_tag_jobs(call_id, tag, state, attempts, created_at, next_at)
         VALUES (?1, ?2, 'pending', 0, ?3, ?3)",
    )?;
    for tag in tags {
        insert.execute(params![call_id, tag, now_ms])?;
    }
    Ok(())
}

/// Up to `limit` pending rows due at `now_ms`, the longest waiting first.
pub(crate) fn due(conn: &Connection, now_ms: i64, limit: u32) -> Result<Vec<TagJob>, StoreError> {
    let jobs = conn
        .prepare_cached(
            "SELECT call_id, tag, attempts, created_at FROM uis_tag_jobs
             WHERE state = 'pending' AND next_at <= ?1 ORDER BY next_at, call_id, tag LIMIT ?2",
        )?
        .query_map(params![now_ms, limit], |row| {
            Ok(TagJob {
                call_id: row.get(0)?,
                tag: row.get(1)?,
                attempts: row.get(2)?,
                created_at: row.get(3)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(jobs)
}

/// Records what became of one attempt: `next_at` for a row still pending.
pub(crate) fn record(
    conn: &Connection,
    job: &TagJob,
    state: JobState,
    next_at: i64,
    error: Option<&str>,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE uis_tag_jobs SET state = ?3, attempts = attempts + 1, next_at = ?4,
         last_error = ?5 WHERE call_id = ?1 AND tag = ?2",
    )?
    .execute(params![
        job.call_id,
        job.tag,
        state.as_str(),
        next_at,
        error
    ])?;
    Ok(())
}

/// The UIS tag id found for `name` before.
pub(crate) fn known_id(conn: &Connection, name: &str) -> Result<Option<u64>, StoreError> {
    let id = conn
        .prepare_cached("SELECT tag_id FROM uis_tag_ids WHERE name = ?1")?
        .query_row([name], |row| row.get::<_, i64>(0))
        .optional()?;
    Ok(id.and_then(|id| u64::try_from(id).ok()))
}

/// Remembers (`Some`) or forgets (`None`, the tag is gone from UIS) the id of `name`.
pub(crate) fn set_known_id(
    conn: &Connection,
    name: &str,
    id: Option<u64>,
) -> Result<(), StoreError> {
    match id {
        Some(id) => conn
            .prepare_cached("INSERT OR REPLACE INTO uis_tag_ids(name, tag_id) VALUES (?1, ?2)")?
            .execute(params![name, id as i64])?,
        None => conn
            .prepare_cached("DELETE FROM uis_tag_ids WHERE name = ?1")?
            .execute([name])?,
    };
    Ok(())
}

/// How many rows are in each state: (pending, done, failed).
pub(crate) fn counts(conn: &Connection) -> Result<(u64, u64, u64), StoreError> {
    let mut counts = (0, 0, 0);
    let mut select =
        conn.prepare_cached("SELECT state, COUNT(*) FROM uis_tag_jobs GROUP BY state")?;
    let rows = select.query_map([], |row| {
        Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
    })?;
    for row in rows {
        let (state, n) = row?;
        let n = u64::try_from(n).unwrap_or(0);
        match state.as_str() {
            "pending" => counts.0 = n,
            "done" => counts.1 = n,
            _ => counts.2 += n,
        }
    }
    Ok(counts)
}

/// When the call happened by its first stored event, to find it in UIS's calls report; `None`
/// when no event of it is kept (retention deleted the call).
pub(crate) fn call_time(
    conn: &Connection,
    call_id: &str,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    let json: Option<String> = conn
        .prepare_cached("SELECT json FROM events WHERE call_id = ?1 ORDER BY seq LIMIT 1")?
        .query_row([call_id], |row| row.get(0))
        .optional()?;
    match json {
        None => Ok(None),
        Some(json) => trubka_protocol::event_from_json(&json)
            .map(|event| Some(event.at))
            .map_err(|e| StoreError::Corrupt(format!("an event of {call_id}: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conn() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(SCHEMA).unwrap();
        conn
    }

    #[test]
    fn a_uis_calls_tags_are_queued_once_and_taken_when_due() {
        let conn = conn();
        let tags = ["Доставка".to_owned(), "Возврат".to_owned()];
        enqueue(&conn, "uis:7", &tags, 1_000).unwrap();
        enqueue(&conn, "uis:7", &tags[..1], 2_000).unwrap();
        enqueue(&conn, "sipuni:1.2", &tags, 1_000).unwrap();
        let jobs = due(&conn, 1_000, 10).unwrap();
        assert_eq!(jobs.len(), 2);
        assert!(
            jobs.iter()
                .all(|j| j.call_id == "uis:7" && j.created_at == 1_000)
        );
        assert!(due(&conn, 999, 10).unwrap().is_empty());

        record(
            &conn,
            &jobs[0],
            JobState::Pending,
            5_000,
            Some("pbx_unreachable"),
        )
        .unwrap();
        record(&conn, &jobs[1], JobState::Done, 1_000, None).unwrap();
        assert!(due(&conn, 4_999, 10).unwrap().is_empty());
        let again = due(&conn, 5_000, 10).unwrap();
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].attempts, 1);
        assert_eq!(counts(&conn).unwrap(), (1, 1, 0));
    }

    #[test]
    fn ids_are_remembered_and_forgotten_by_name() {
        let conn = conn();
        assert_eq!(known_id(&conn, "Доставка").unwrap(), None);
        set_known_id(&conn, "Доставка", Some(515114)).unwrap();
        assert_eq!(known_id(&conn, "Доставка").unwrap(), Some(515114));
        set_known_id(&conn, "Доставка", None).unwrap();
        assert_eq!(known_id(&conn, "Доставка").unwrap(), None);
    }
}
