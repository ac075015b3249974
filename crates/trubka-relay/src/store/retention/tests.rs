//! Retention's batches against a real database file, with events stored at chosen times.

use rusqlite::Connection;
use trubka_protocol::event_from_json;

use super::*;
use crate::store::{Role, Store, open_connection, prepare_data_dir};

const DAY_MS: i64 = 24 * 3600 * 1000;
/// "Now" for these tests: 2026-12-01.
const NOW: i64 = 1_796_083_200_000;

fn database() -> (tempfile::TempDir, Connection) {
    let dir = tempfile::tempdir().unwrap();
    drop(Store::open(dir.path()).unwrap());
    let conn = open_connection(&prepare_data_dir(dir.path()).unwrap(), Role::Writer).unwrap();
    (dir, conn)
}

/// The JSON of an event of `call`, with a raw notification carrying the caller's number.
fn event_json(call: &str, kind: &str) -> String {
    format!(
        r#"{{"id":"{call}:{kind}:call","call_id":"{call}","provider":"uis","kind":"{kind}","direction":"in","at":"2026-11-20T10:15:03Z","contact":{{"phone":"+79261234567","raw":"79261234567","name":"Иван"}},"line":null,"employee":null,"outcome":null,"durations":{{}},"recordings":[],"scenario":null,"tags":[],"raw":{{"contact_phone_number":"79261234567","padding":"{}"}}}}"#,
        "x".repeat(600)
    )
}

/// Stores one event of `call` received at `at_ms`, delivered to agent 1, as the writer does.
fn store(conn: &Connection, call: &str, kind: &str, at_ms: i64) -> i64 {
    let seq: i64 = conn
        .query_row("SELECT COALESCE(MAX(seq), 0) + 1 FROM events", [], |r| {
            r.get(0)
        })
        .unwrap();
    conn.execute(
        "INSERT INTO events(seq, id, call_id, json, received_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            seq,
            format!("{call}:{kind}:call"),
            call,
            event_json(call, kind),
            at_ms
        ],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO deliveries(seq, agent_id) VALUES (?1, 1)",
        [seq],
    )
    .unwrap();
    conn.execute(
        "INSERT OR REPLACE INTO calls(call_id, employee_seen, audience) VALUES (?1, 0, '1')",
        [call],
    )
    .unwrap();
    seq
}

fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

fn cutoffs(rows: usize) -> Cutoffs {
    Cutoffs {
        events_before_ms: NOW - 90 * DAY_MS,
        raw_before_ms: NOW - 30 * DAY_MS,
        rows,
    }
}

/// Batches until a pass is over; returns them.
fn pass(conn: &mut Connection, cut: Cutoffs) -> Vec<Batch> {
    let mut batches = Vec::new();
    // Bounded: every batch but the last moves a cursor forward over a finite log.
    for _ in 0..10_000 {
        let done = batch(conn, cut).unwrap();
        batches.push(done);
        if done.step == Step::Done {
            return batches;
        }
    }
    panic!("a pass did not end");
}

fn call_events(conn: &Connection, call: &str) -> i64 {
    conn.query_row(
        "SELECT COUNT(*) FROM events WHERE call_id = ?1",
        [call],
        |r| r.get(0),
    )
    .unwrap()
}

#[test]
fn old_calls_go_whole_and_a_call_with_a_recent_event_stays_whole() {
    let (_dir, mut conn) = database();
    let old = NOW - 100 * DAY_MS;
    store(&conn, "uis:1", "started", old);
    store(&conn, "uis:1", "ended", old + 60_000);
    // Began before the cutoff, its end (say from reconciliation) came after it.
    store(&conn, "uis:2", "started", old + 120_000);
    store(&conn, "uis:3", "started", old + 180_000);
    store(&conn, "uis:3", "ended", old + 240_000);
    store(&conn, "uis:2", "ended", NOW - 80 * DAY_MS);
    store(&conn, "uis:4", "started", NOW - DAY_MS);

    let batches = pass(&mut conn, cutoffs(1000));
    let deleted: u64 = batches.iter().map(|b| b.events_deleted).sum();
    assert_eq!(deleted, 4);
    assert_eq!(call_events(&conn, "uis:1"), 0);
    assert_eq!(call_events(&conn, "uis:3"), 0);
    assert_eq!(
        call_events(&conn, "uis:2"),
        2,
        "a call is never cut in half"
    );
    assert_eq!(call_events(&conn, "uis:4"), 1);
    // Their deliveries and audience rows went with them, the kept ones stayed.
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM deliveries"), 3);
    assert_eq!(
        count(
            &conn,
            "SELECT COUNT(*) FROM calls WHERE call_id IN ('uis:1', 'uis:3')"
        ),
        0
    );
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM calls"), 2);
    // Everything before the first recent event was looked at.
    assert_eq!(events_pruned_before(&conn).unwrap(), Some(6));
    assert_eq!(oldest_event(&conn).unwrap().map(|(seq, _)| seq), Some(3));

    // Once the kept call's last event ages too, it goes whole, its first event included.
    let later = Cutoffs {
        events_before_ms: NOW - 70 * DAY_MS,
        ..cutoffs(1000)
    };
    pass(&mut conn, later);
    assert_eq!(call_events(&conn, "uis:2"), 0);
    assert_eq!(call_events(&conn, "uis:4"), 1);
}

#[test]
fn the_newest_event_is_kept_however_old_so_seq_never_restarts() {
    let (_dir, mut conn) = database();
    store(&conn, "uis:1", "started", NOW - 200 * DAY_MS);
    store(&conn, "uis:2", "started", NOW - 150 * DAY_MS);
    pass(&mut conn, cutoffs(1000));
    assert_eq!(call_events(&conn, "uis:1"), 0);
    assert_eq!(count(&conn, "SELECT MAX(seq) FROM events"), 2);
}

#[test]
fn batches_stay_bounded_and_a_second_pass_finds_nothing() {
    let (_dir, mut conn) = database();
    let old = NOW - 100 * DAY_MS;
    // One transaction: a commit per row would fsync a thousand times.
    conn.execute_batch("BEGIN").unwrap();
    for n in 0..450 {
        let call = format!("uis:{n}");
        store(&conn, &call, "started", old + n * 1000);
        store(&conn, &call, "ended", old + n * 1000 + 500);
    }
    conn.execute_batch("COMMIT").unwrap();
    store(&conn, "uis:new", "started", NOW);
    let batches = pass(&mut conn, cutoffs(100));
    let deleting: Vec<&Batch> = batches.iter().filter(|b| b.step == Step::Events).collect();
    assert!(deleting.len() >= 9, "{} batches", deleting.len());
    for b in &deleting {
        // A batch stops at `rows`; the call that crosses it is finished whole (2 events).
        assert!(b.events_deleted <= 101, "{b:?}");
    }
    let total: u64 = deleting.iter().map(|b| b.events_deleted).sum();
    assert_eq!(total, 900);
    assert!(deleting.iter().map(|b| b.bytes_freed).sum::<u64>() > 0);

    let again = pass(&mut conn, cutoffs(100));
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].step, Step::Done);
}

#[test]
fn raw_notifications_are_erased_after_their_days_and_events_still_parse() {
    let (_dir, mut conn) = database();
    let old = store(&conn, "uis:1", "started", NOW - 40 * DAY_MS);
    let recent = store(&conn, "uis:2", "started", NOW - 10 * DAY_MS);
    for (at, body) in [(NOW - 40 * DAY_MS, "79261234567"), (NOW - DAY_MS, "fresh")] {
        conn.execute(
            "INSERT INTO rejected(at, provider, reason_code, message, query, body)
             VALUES (?1, 'uis', 'bad_json', 'm', 'contact=79261234567', ?2)",
            params![at, body.as_bytes()],
        )
        .unwrap();
    }
    let batches = pass(&mut conn, cutoffs(1000));
    assert_eq!(batches.iter().map(|b| b.raw_erased).sum::<u64>(), 1);
    assert_eq!(batches.iter().map(|b| b.rejected_deleted).sum::<u64>(), 1);
    let json = |seq: i64| -> String {
        conn.query_row("SELECT json FROM events WHERE seq = ?1", [seq], |r| {
            r.get(0)
        })
        .unwrap()
    };
    let erased = event_from_json(&json(old)).unwrap();
    assert_eq!(erased.raw, ERASED_RAW);
    assert_eq!(erased.contact.raw, "79261234567", "the event itself stays");
    let kept = event_from_json(&json(recent)).unwrap();
    assert!(kept.raw.contains("contact_phone_number"), "{}", kept.raw);
    let bodies: Vec<Vec<u8>> = conn
        .prepare("SELECT body FROM rejected")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(bodies, vec![b"fresh".to_vec()]);
    assert_eq!(cursor(&conn, RAW_CURSOR).unwrap(), old as u64 + 1);
}

#[test]
fn a_new_database_gives_freed_pages_back_to_the_file_system() {
    let (dir, mut conn) = database();
    let mode: i64 = conn
        .query_row("PRAGMA auto_vacuum", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        mode, 2,
        "new databases are created with incremental auto-vacuum"
    );
    let old = NOW - 100 * DAY_MS;
    conn.execute_batch("BEGIN").unwrap();
    for n in 0..2000 {
        store(&conn, &format!("uis:{n}"), "started", old + n);
    }
    conn.execute_batch("COMMIT").unwrap();
    store(&conn, "uis:new", "started", NOW);
    pass(&mut conn, cutoffs(5000));
    let free: i64 = conn
        .query_row("PRAGMA freelist_count", [], |r| r.get(0))
        .unwrap();
    assert!(free > 100, "{free} free pages");
    let mut shrunk = Vec::new();
    loop {
        let step = vacuum_step(&conn, 64).unwrap();
        if step == 0 {
            break;
        }
        shrunk.push(step);
    }
    // Whole steps of 64 pages, then the rest: not one page per call.
    assert!(shrunk.len() >= 2, "{shrunk:?}");
    assert_eq!(shrunk[0], 64 * 4096, "{shrunk:?}");
    assert!(shrunk.iter().all(|&s| s <= 64 * 4096), "{shrunk:?}");
    assert!(shrunk.iter().sum::<u64>() >= 100 * 4096, "{shrunk:?}");
    let free: i64 = conn
        .query_row("PRAGMA freelist_count", [], |r| r.get(0))
        .unwrap();
    assert_eq!(free, 0);
    let storage = Store::open(dir.path()).unwrap().storage().unwrap();
    assert!(storage.shrinks);
    assert_eq!(storage.newest, 2001);
    assert_eq!(storage.oldest.map(|(seq, _)| seq), Some(2001));
}

#[test]
fn a_deleted_calls_number_notes_and_case_go_with_it() {
    let (_dir, mut conn) = database();
    let old = NOW - 100 * DAY_MS;
    store(&conn, "uis:1", "started", old);
    store(&conn, "uis:2", "started", NOW - DAY_MS);
    for call in ["uis:1", "uis:2"] {
        conn.execute(
            "INSERT INTO call_clients(call_id, number) VALUES (?1, '+79261234567')",
            [call],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO call_notes(call_id, agent_id, at, text, tags, new_case)
             VALUES (?1, 1, 0, 'Иван просит счёт', '[]', 0)",
            [call],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO cases(key, number, status, audience, json, updated_at, version)
             VALUES (?1, '+79261234567', 'open', '1', '{}', 0, 1)",
            [call],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO case_closes(case_key, at, agent_id, reason) VALUES (?1, 0, 1, NULL)",
            [call],
        )
        .unwrap();
    }
    pass(&mut conn, cutoffs(1000));
    assert_eq!(call_events(&conn, "uis:1"), 0);
    for table in [
        "SELECT COUNT(*) FROM call_clients WHERE call_id = 'uis:1'",
        "SELECT COUNT(*) FROM call_notes WHERE call_id = 'uis:1'",
        "SELECT COUNT(*) FROM cases WHERE key = 'uis:1'",
        "SELECT COUNT(*) FROM case_closes WHERE case_key = 'uis:1'",
    ] {
        assert_eq!(count(&conn, table), 0, "{table}");
    }
    for table in [
        "SELECT COUNT(*) FROM call_clients",
        "SELECT COUNT(*) FROM call_notes",
        "SELECT COUNT(*) FROM cases",
        "SELECT COUNT(*) FROM case_closes",
    ] {
        assert_eq!(count(&conn, table), 1, "the kept call's rows stay: {table}");
    }
}
