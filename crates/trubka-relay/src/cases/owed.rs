//! The calls whose stored events the case worker still owes a fold, kept in the database so
//! that a relay killed between the two (a crash, a power cut, `kill -9`; a clean stop folds
//! what is queued) still gives them their cases and tells presence who talks on them when
//! it starts again — not only at the call's next event, which for an `ended` never comes.
//!
//! The event writer marks each call it stored events of, in the transaction that stores
//! them, with the batch's last `seq`; the worker settles a call in the transaction that
//! writes what its fold decided, but only a mark no newer than the log's head read before the
//! fold: a batch committed while the worker read stays marked (and queued) for the next
//! pass. At start the worker folds every call still marked.
//!
//! A log appended in bulk outside a running relay (`Store::append_events`) marks only calls
//! the worker has given a client number; calls new to it are found by the backfill.

use std::collections::BTreeSet;

use rusqlite::{Connection, params};

use crate::store::StoreError;

/// Migration 12 (`store/schema.rs`).
pub(crate) const SCHEMA: &str = r#"
    -- Calls with stored events the case worker has not folded yet (`cases::owed`), with the
    -- seq of the newest batch that stored some.
    CREATE TABLE cases_owed(
        call_id TEXT PRIMARY KEY,
        seq INTEGER NOT NULL
    ) WITHOUT ROWID;
"#;

/// Marks `call_id` as owed a fold of the events up to `seq`.
pub(crate) fn mark(conn: &Connection, call_id: &str, seq: u64) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO cases_owed(call_id, seq) VALUES (?1, ?2)
         ON CONFLICT(call_id) DO UPDATE SET seq = excluded.seq",
    )?
    .execute(params![call_id, seq as i64])?;
    Ok(())
}

/// [`mark`], for a call the worker has given its client number only.
pub(crate) fn mark_if_numbered(
    conn: &Connection,
    call_id: &str,
    seq: u64,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO cases_owed(call_id, seq)
         SELECT call_id, ?2 FROM call_clients WHERE call_id = ?1
         ON CONFLICT(call_id) DO UPDATE SET seq = excluded.seq",
    )?
    .execute(params![call_id, seq as i64])?;
    Ok(())
}

/// The log's head: what a fold that starts now reads at least.
pub(crate) fn head(conn: &Connection) -> Result<u64, StoreError> {
    let head: i64 = conn
        .prepare_cached("SELECT COALESCE(MAX(seq), 0) FROM events")?
        .query_row([], |row| row.get(0))?;
    Ok(head as u64)
}

/// Settles `calls`, folded after the head was `read_head`.
pub(crate) fn settle(
    conn: &Connection,
    calls: &BTreeSet<String>,
    read_head: u64,
) -> Result<(), StoreError> {
    let mut delete =
        conn.prepare_cached("DELETE FROM cases_owed WHERE call_id = ?1 AND seq <= ?2")?;
    for call in calls {
        delete.execute(params![call, read_head as i64])?;
    }
    Ok(())
}

/// Every call still owed a fold.
pub(crate) fn owed(conn: &Connection) -> Result<BTreeSet<String>, StoreError> {
    let mut select = conn.prepare("SELECT call_id FROM cases_owed")?;
    let calls = select.query_map([], |row| row.get(0))?;
    Ok(calls.collect::<Result<_, _>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(SCHEMA).unwrap();
        conn.execute_batch(
            "CREATE TABLE events(seq INTEGER PRIMARY KEY);
             CREATE TABLE call_clients(call_id TEXT PRIMARY KEY, number TEXT NOT NULL);",
        )
        .unwrap();
        conn
    }

    #[test]
    fn a_mark_newer_than_the_fold_read_stays_owed() {
        let conn = db();
        mark(&conn, "uis:1", 5).unwrap();
        mark(&conn, "uis:2", 7).unwrap();
        // The worker read the log at head 6: uis:2's batch came after.
        let calls: BTreeSet<String> = ["uis:1".into(), "uis:2".into()].into();
        settle(&conn, &calls, 6).unwrap();
        assert_eq!(owed(&conn).unwrap(), ["uis:2".to_owned()].into());
        // A later batch of uis:2 moves its mark on; a fold after it settles it.
        mark(&conn, "uis:2", 9).unwrap();
        settle(&conn, &calls, 8).unwrap();
        assert_eq!(owed(&conn).unwrap().len(), 1);
        settle(&conn, &calls, 9).unwrap();
        assert!(owed(&conn).unwrap().is_empty());
    }

    #[test]
    fn bulk_appends_mark_only_calls_the_worker_has_numbered() {
        let conn = db();
        conn.execute(
            "INSERT INTO call_clients(call_id, number) VALUES ('uis:1', '+79261234567')",
            [],
        )
        .unwrap();
        mark_if_numbered(&conn, "uis:1", 3).unwrap();
        mark_if_numbered(&conn, "uis:2", 3).unwrap();
        assert_eq!(owed(&conn).unwrap(), ["uis:1".to_owned()].into());
        conn.execute("INSERT INTO events(seq) VALUES (3)", [])
            .unwrap();
        assert_eq!(head(&conn).unwrap(), 3);
    }
}
