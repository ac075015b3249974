//! Follow-up rows: one per group of missed calls from one caller, and the calls in it.

use rusqlite::{Connection, OptionalExtension, params};

use super::StoreError;
use crate::followups::{CloseReason, FollowUp};

const COLUMNS: &str = "id, caller, open, first_missed_at, last_missed_at, missed_count, closed_at,
    closed_reason, closed_by_call";

fn row_to_followup(row: &rusqlite::Row<'_>) -> rusqlite::Result<FollowUp> {
    Ok(FollowUp {
        id: row.get(0)?,
        caller: row.get(1)?,
        open: row.get(2)?,
        first_missed_at: super::from_millis(row.get(3)?),
        last_missed_at: super::from_millis(row.get(4)?),
        missed_count: row.get::<_, i64>(5)? as u32,
        closed_at: row.get::<_, Option<i64>>(6)?.map(super::from_millis),
        closed_reason: row
            .get::<_, Option<String>>(7)?
            .as_deref()
            .and_then(CloseReason::parse),
        closed_by_call: row.get(8)?,
        calls: Vec::new(),
    })
}

fn with_calls(conn: &Connection, mut f: FollowUp) -> Result<FollowUp, StoreError> {
    f.calls = calls_of(conn, f.id)?
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    Ok(f)
}

/// One follow-up by id.
pub fn get(conn: &Connection, id: i64) -> Result<Option<FollowUp>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM followups WHERE id = ?1");
    let found = conn
        .prepare_cached(&sql)?
        .query_row([id], row_to_followup)
        .optional()?;
    found.map(|f| with_calls(conn, f)).transpose()
}

/// The open follow-up of `caller`.
pub fn open_for(conn: &Connection, caller: &str) -> Result<Option<FollowUp>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM followups WHERE caller = ?1 AND open = 1");
    let found = conn
        .prepare_cached(&sql)?
        .query_row([caller], row_to_followup)
        .optional()?;
    found.map(|f| with_calls(conn, f)).transpose()
}

/// The follow-up of `caller` that call `call_id` closed.
pub fn closed_by(
    conn: &Connection,
    caller: &str,
    call_id: &str,
) -> Result<Option<i64>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT id FROM followups WHERE caller = ?1 AND closed_by_call = ?2 LIMIT 1",
        )?
        .query_row(params![caller, call_id], |row| row.get(0))
        .optional()?)
}

/// Creates an empty follow-up, open or not (counts are set by [`recount`]).
pub fn create(conn: &Connection, caller: &str, at_ms: i64, open: bool) -> Result<i64, StoreError> {
    conn.prepare_cached(
        "INSERT INTO followups (caller, open, first_missed_at, last_missed_at, missed_count)
         VALUES (?1, ?3, ?2, ?2, 0)",
    )?
    .execute(params![caller, at_ms, open])?;
    Ok(conn.last_insert_rowid())
}

/// Marks a follow-up closed.
pub fn close(
    conn: &Connection,
    id: i64,
    at_ms: i64,
    reason: CloseReason,
    by_call: Option<&str>,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE followups SET open = 0, closed_at = ?2, closed_reason = ?3, closed_by_call = ?4
         WHERE id = ?1",
    )?
    .execute(params![id, at_ms, reason.as_str(), by_call])?;
    Ok(())
}

/// Puts a missed call into a follow-up.
pub fn attach(
    conn: &Connection,
    id: i64,
    call_id: &str,
    started_ms: i64,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO followup_calls (call_id, followup_id, started_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (call_id) DO UPDATE SET followup_id = excluded.followup_id,
            started_at = excluded.started_at",
    )?
    .execute(params![call_id, id, started_ms])?;
    recount(conn, id)
}

/// The follow-up a call is in.
pub fn followup_of_call(conn: &Connection, call_id: &str) -> Result<Option<i64>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT followup_id FROM followup_calls WHERE call_id = ?1")?
        .query_row([call_id], |row| row.get(0))
        .optional()?)
}

/// Takes a call out of its follow-up; a follow-up left without calls is deleted.
pub fn detach(conn: &Connection, call_id: &str) -> Result<Option<i64>, StoreError> {
    let Some(id) = followup_of_call(conn, call_id)? else {
        return Ok(None);
    };
    conn.prepare_cached("DELETE FROM followup_calls WHERE call_id = ?1")?
        .execute([call_id])?;
    recount(conn, id)?;
    Ok(Some(id))
}

/// The calls of a follow-up with their start times (ms), oldest first.
pub fn calls_of(conn: &Connection, id: i64) -> Result<Vec<(String, i64)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT call_id, started_at FROM followup_calls WHERE followup_id = ?1 ORDER BY started_at",
    )?;
    let rows = stmt.query_map([id], |row| Ok((row.get(0)?, row.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Recomputes the counts and times of a follow-up from its calls; deletes it when empty.
pub fn recount(conn: &Connection, id: i64) -> Result<(), StoreError> {
    let (count, first, last): (i64, Option<i64>, Option<i64>) = conn
        .prepare_cached(
            "SELECT count(*), min(started_at), max(started_at) FROM followup_calls
             WHERE followup_id = ?1",
        )?
        .query_row([id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?;
    match (first, last) {
        (Some(first), Some(last)) if count > 0 => {
            conn.prepare_cached(
                "UPDATE followups SET missed_count = ?2, first_missed_at = ?3, last_missed_at = ?4
                 WHERE id = ?1",
            )?
            .execute(params![id, count, first, last])?;
        }
        _ => {
            conn.prepare_cached("DELETE FROM followups WHERE id = ?1")?
                .execute([id])?;
        }
    }
    Ok(())
}

/// Follow-ups, most recent missed call first: only open ones, or all.
pub fn list(conn: &Connection, open_only: bool, limit: usize) -> Result<Vec<FollowUp>, StoreError> {
    let sql = if open_only {
        format!(
            "SELECT {COLUMNS} FROM followups WHERE open = 1 ORDER BY last_missed_at DESC LIMIT ?1"
        )
    } else {
        format!("SELECT {COLUMNS} FROM followups ORDER BY last_missed_at DESC LIMIT ?1")
    };
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([limit as i64], row_to_followup)?;
    let found: Vec<FollowUp> = rows.collect::<Result<_, _>>()?;
    found.into_iter().map(|f| with_calls(conn, f)).collect()
}

/// Open follow-ups and the missed calls in them.
pub fn badge(conn: &Connection) -> Result<(u32, u32), StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT count(*), coalesce(sum(missed_count), 0) FROM followups WHERE open = 1",
        )?
        .query_row([], |row| {
            Ok((row.get::<_, i64>(0)? as u32, row.get::<_, i64>(1)? as u32))
        })?)
}
