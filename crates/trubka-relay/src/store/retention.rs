//! The SQL of retention (`crate::retention` schedules it): one bounded batch per
//! transaction, run on the writer's own connection between its group commits.
//!
//! A batch does the first of these that has work, oldest rows first:
//! 1. **events**: the log is walked in `seq` order from a cursor kept in `meta`
//!    ([`EVENTS_CURSOR`]). An event older than the cutoff belongs to a call; the call is
//!    deleted whole (its events, their deliveries, its `calls` row) only when its newest
//!    event is older than the cutoff too, so a call still going on, or one reconciliation
//!    may still complete, is never cut in half. A call with a recent event is skipped and
//!    deleted later, when its newest event is visited and has aged. The newest event of the
//!    log is never deleted: the writer numbers the next event after it.
//! 2. **raw payloads**: from a second cursor ([`RAW_CURSOR`]), the `raw` of each older event
//!    becomes `{}`. The event's own fields stay until the event goes.
//! 3. **refused requests**: `rejected` rows (their body and query) older than the raw cutoff.
//!
//! The cursors are rows of the existing `meta` table, so retention needs no migration. The
//! events cursor is also what a resuming agent is told: events before it may be gone.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};

use super::{StoreError, meta};

/// `meta` key: every event with a smaller `seq` was looked at, and deleted unless its call
/// had a newer event then.
pub(crate) const EVENTS_CURSOR: &str = "retention_events_before";
/// `meta` key: every event with a smaller `seq` has had its `raw` erased.
pub(crate) const RAW_CURSOR: &str = "retention_raw_before";
/// What an erased `raw` becomes: still the JSON object docs/protocol.md promises.
pub(crate) const ERASED_RAW: &str = "{}";

/// What to remove now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cutoffs {
    /// Events of calls whose newest event was received before this (unix ms) go.
    pub(crate) events_before_ms: i64,
    /// Raw payloads and refused requests received before this (unix ms) go.
    pub(crate) raw_before_ms: i64,
    /// Rows looked at (events) or changed (raw, refused) per transaction.
    pub(crate) rows: usize,
}

/// Which step a batch did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    Events,
    Raw,
    Rejected,
    /// Nothing is old enough: the pass is over.
    Done,
}

/// What one batch removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Batch {
    pub(crate) step: Step,
    pub(crate) events_deleted: u64,
    pub(crate) raw_erased: u64,
    pub(crate) rejected_deleted: u64,
    /// Pages no longer in use (now free, or cut from the file), in bytes.
    pub(crate) bytes_freed: u64,
}

/// Runs one batch in one IMMEDIATE transaction.
pub(crate) fn batch(conn: &mut Connection, cutoffs: Cutoffs) -> Result<Batch, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let before = used_bytes(&tx)?;
    let mut done = Batch {
        step: Step::Events,
        events_deleted: 0,
        raw_erased: 0,
        rejected_deleted: 0,
        bytes_freed: 0,
    };
    if !prune_events(&tx, cutoffs, &mut done.events_deleted)? {
        done.step = Step::Raw;
        if !erase_raw(&tx, cutoffs, &mut done.raw_erased)? {
            done.step = Step::Rejected;
            done.rejected_deleted = prune_rejected(&tx, cutoffs)?;
            if done.rejected_deleted == 0 {
                done.step = Step::Done;
            }
        }
    }
    done.bytes_freed = before.saturating_sub(used_bytes(&tx)?);
    tx.commit()?;
    Ok(done)
}

/// Gives up to `pages` free pages back to the file system when the database was created
/// with `auto_vacuum = INCREMENTAL` (see [`super::open_connection`]); returns the bytes the
/// file shrank by. A database from before keeps its free pages for reuse instead.
pub(crate) fn vacuum_step(conn: &Connection, pages: u32) -> Result<u64, StoreError> {
    let mode: i64 = conn.query_row("PRAGMA auto_vacuum", [], |row| row.get(0))?;
    if mode != 2 {
        return Ok(0);
    }
    let size = |conn: &Connection| -> Result<u64, StoreError> {
        let pages: i64 = conn.query_row("PRAGMA page_count", [], |row| row.get(0))?;
        let page: i64 = conn.query_row("PRAGMA page_size", [], |row| row.get(0))?;
        Ok((pages.max(0) as u64) * (page.max(0) as u64))
    };
    let before = size(conn)?;
    // The pragma frees one page per result row: stepping it once would free a single page.
    let mut stmt = conn.prepare(&format!("PRAGMA incremental_vacuum({pages})"))?;
    let mut rows = stmt.query([])?;
    while rows.next()?.is_some() {}
    Ok(before.saturating_sub(size(conn)?))
}

/// The `seq` before which a resuming agent may have lost events, if retention ever
/// deleted any.
pub(crate) fn events_pruned_before(conn: &Connection) -> Result<Option<u64>, StoreError> {
    cursor(conn, EVENTS_CURSOR).map(|seq| (seq > 1).then_some(seq))
}

/// The oldest event kept: its `seq` and when it was received (unix ms).
pub(crate) fn oldest_event(conn: &Connection) -> Result<Option<(u64, i64)>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT seq, received_at FROM events ORDER BY seq LIMIT 1",
            [],
            |row| Ok((row.get::<_, i64>(0)? as u64, row.get(1)?)),
        )
        .optional()?)
}

/// What `trubka-relay status` shows of the database and of retention's progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Storage {
    /// The oldest event kept: its `seq` and when it was received (unix ms).
    pub oldest: Option<(u64, i64)>,
    /// The newest event's `seq` (0: none yet).
    pub newest: u64,
    /// Events before this `seq` may have been deleted by retention.
    pub pruned_before: Option<u64>,
    /// Events before this `seq` have had their raw notification erased.
    pub raw_erased_before: Option<u64>,
    pub database_bytes: u64,
    /// The WAL file beside the database (0 when absent).
    pub wal_bytes: u64,
    /// Pages inside the database file that are free for reuse, in bytes.
    pub free_bytes: u64,
    /// Whether freed pages are given back to the file system (`auto_vacuum = INCREMENTAL`).
    pub shrinks: bool,
}

impl super::Store {
    /// The database's size and what retention kept; read beside a running relay.
    pub fn storage(&self) -> Result<Storage, StoreError> {
        let conn = &self.conn;
        let pragma = |name: &str| -> Result<i64, StoreError> {
            Ok(conn.query_row(&format!("PRAGMA {name}"), [], |row| row.get(0))?)
        };
        let newest: i64 =
            conn.query_row("SELECT COALESCE(MAX(seq), 0) FROM events", [], |row| {
                row.get(0)
            })?;
        let file = |suffix: &str| {
            conn.path()
                .and_then(|path| std::fs::metadata(format!("{path}{suffix}")).ok())
                .map_or(0, |meta| meta.len())
        };
        let raw = cursor(conn, RAW_CURSOR)?;
        Ok(Storage {
            oldest: oldest_event(conn)?,
            newest: newest.max(0) as u64,
            pruned_before: events_pruned_before(conn)?,
            raw_erased_before: (raw > 1).then_some(raw),
            database_bytes: file(""),
            wal_bytes: file("-wal"),
            free_bytes: (pragma("freelist_count")? * pragma("page_size")?).max(0) as u64,
            shrinks: pragma("auto_vacuum")? == 2,
        })
    }
}

fn cursor(conn: &Connection, key: &str) -> Result<u64, StoreError> {
    match meta(conn, key)? {
        None => Ok(0),
        Some(text) => text
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("meta {key} = `{text}`"))),
    }
}

fn set_cursor(tx: &Transaction<'_>, key: &str, seq: u64) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO meta(key, value) VALUES (?1, ?2)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![key, seq.to_string()],
    )?;
    Ok(())
}

fn used_bytes(tx: &Transaction<'_>) -> Result<u64, StoreError> {
    let pages: i64 = tx.query_row("PRAGMA page_count", [], |row| row.get(0))?;
    let free: i64 = tx.query_row("PRAGMA freelist_count", [], |row| row.get(0))?;
    let page: i64 = tx.query_row("PRAGMA page_size", [], |row| row.get(0))?;
    Ok(((pages - free).max(0) as u64) * (page.max(0) as u64))
}

/// Step 1. Returns whether the cursor moved (there was something old to look at).
fn prune_events(
    tx: &Transaction<'_>,
    cutoffs: Cutoffs,
    deleted: &mut u64,
) -> Result<bool, StoreError> {
    let start = cursor(tx, EVENTS_CURSOR)?;
    let newest: i64 = tx.query_row("SELECT COALESCE(MAX(seq), 0) FROM events", [], |row| {
        row.get(0)
    })?;
    let rows: Vec<(i64, String, i64)> = tx
        .prepare_cached(
            "SELECT seq, call_id, received_at FROM events WHERE seq >= ?1 AND seq < ?2
             ORDER BY seq LIMIT ?3",
        )?
        .query_map(params![start as i64, newest, cutoffs.rows as i64], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })?
        .collect::<Result<_, _>>()?;
    let mut next = start;
    // Per call seen in this batch: whether it is deleted.
    let mut calls: HashMap<String, bool> = HashMap::new();
    for (seq, call_id, received_at) in rows {
        if received_at >= cutoffs.events_before_ms {
            break;
        }
        next = seq as u64 + 1;
        let whole = match calls.get(&call_id) {
            Some(whole) => *whole,
            None => {
                let whole = call_is_over(tx, &call_id, cutoffs.events_before_ms, newest)?;
                if whole {
                    *deleted += delete_call(tx, &call_id)?;
                }
                calls.insert(call_id, whole);
                whole
            }
        };
        // An event whose id does not start with its call id is not in the range above.
        if whole {
            *deleted += delete_event(tx, seq)?;
        }
        if *deleted as usize >= cutoffs.rows {
            break;
        }
    }
    if next == start {
        return Ok(false);
    }
    set_cursor(tx, EVENTS_CURSOR, next)?;
    Ok(true)
}

/// Event ids start with their call id and a colon (see `crate::reconcile::known`), so a
/// call's events are one range of the unique index on `events.id`.
fn call_range(call_id: &str) -> (String, String) {
    (format!("{call_id}:"), format!("{call_id};"))
}

/// Whether every event of the call is older than the cutoff and none is the log's newest.
fn call_is_over(
    tx: &Transaction<'_>,
    call_id: &str,
    before_ms: i64,
    newest: i64,
) -> Result<bool, StoreError> {
    let (from, until) = call_range(call_id);
    let (last_at, last_seq): (Option<i64>, Option<i64>) = tx
        .prepare_cached(
            "SELECT MAX(received_at), MAX(seq) FROM events
             WHERE id >= ?1 AND id < ?2 AND call_id = ?3",
        )?
        .query_row(params![from, until, call_id], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })?;
    Ok(last_at.is_none_or(|at| at < before_ms) && last_seq.is_none_or(|seq| seq < newest))
}

/// Deletes a call's events, their deliveries and its audience row; returns the events.
fn delete_call(tx: &Transaction<'_>, call_id: &str) -> Result<u64, StoreError> {
    let (from, until) = call_range(call_id);
    let seqs: Vec<i64> = tx
        .prepare_cached("SELECT seq FROM events WHERE id >= ?1 AND id < ?2 AND call_id = ?3")?
        .query_map(params![from, until, call_id], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    let mut deleted = 0;
    for seq in seqs {
        deleted += delete_event(tx, seq)?;
    }
    tx.prepare_cached("DELETE FROM calls WHERE call_id = ?1")?
        .execute([call_id])?;
    crate::cases::forget_call(tx, call_id)?;
    crate::presence::on_call::keep(tx, &[(call_id.to_owned(), false)])?;
    Ok(deleted)
}

fn delete_event(tx: &Transaction<'_>, seq: i64) -> Result<u64, StoreError> {
    tx.prepare_cached("DELETE FROM deliveries WHERE seq = ?1")?
        .execute([seq])?;
    let gone = tx
        .prepare_cached("DELETE FROM events WHERE seq = ?1")?
        .execute([seq])?;
    Ok(gone as u64)
}

/// Step 2. Returns whether the cursor moved.
fn erase_raw(tx: &Transaction<'_>, cutoffs: Cutoffs, erased: &mut u64) -> Result<bool, StoreError> {
    let start = cursor(tx, RAW_CURSOR)?;
    let rows: Vec<(i64, i64)> = tx
        .prepare_cached(
            "SELECT seq, received_at FROM events WHERE seq >= ?1 ORDER BY seq LIMIT ?2",
        )?
        .query_map(params![start as i64, cutoffs.rows as i64], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })?
        .collect::<Result<_, _>>()?;
    let Some(last) = rows
        .iter()
        .take_while(|(_, at)| *at < cutoffs.raw_before_ms)
        .map(|(seq, _)| *seq)
        .last()
    else {
        return Ok(false);
    };
    // Stored JSON is always valid (the relay wrote it); the check keeps one odd row from
    // failing the whole batch. An already erased `raw` is not rewritten.
    *erased += tx
        .prepare_cached(
            "UPDATE events SET json = json_set(json, '$.raw', json(?3))
             WHERE seq >= ?1 AND seq <= ?2 AND json_valid(json)
               AND json_extract(json, '$.raw') IS NOT ?3",
        )?
        .execute(params![start as i64, last, ERASED_RAW])? as u64;
    set_cursor(tx, RAW_CURSOR, last as u64 + 1)?;
    Ok(true)
}

/// Step 3: refused requests, oldest first (ids grow with time).
fn prune_rejected(tx: &Transaction<'_>, cutoffs: Cutoffs) -> Result<u64, StoreError> {
    Ok(tx
        .prepare_cached(
            "DELETE FROM rejected WHERE id IN
             (SELECT id FROM rejected WHERE at < ?1 ORDER BY id LIMIT ?2)",
        )?
        .execute(params![cutoffs.raw_before_ms, cutoffs.rows as i64])? as u64)
}

#[cfg(test)]
mod tests;
