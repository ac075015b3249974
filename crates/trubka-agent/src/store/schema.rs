//! Schema migrations, tracked with SQLite's `user_version` pragma.
//!
//! Each entry of [`MIGRATIONS`] moves the database from version *i* to *i + 1* and runs in
//! one transaction together with the version bump. A database from a newer Trubka is refused
//! rather than guessed at.

use std::path::Path;

use rusqlite::Connection;

use super::StoreError;

/// Version 1: calls and their events, recordings, contacts (numbers, extra fields, name
/// search), follow-ups, settings and the stream resume point.
const V1: &str = r#"
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE stream_state (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    epoch        TEXT,
    seq          INTEGER,
    resync_count INTEGER NOT NULL DEFAULT 0,
    resynced_at  INTEGER
);
INSERT INTO stream_state (id) VALUES (1);

CREATE TABLE calls (
    id             INTEGER PRIMARY KEY,
    call_id        TEXT NOT NULL UNIQUE,
    provider       TEXT NOT NULL,
    direction      TEXT NOT NULL,
    status         TEXT NOT NULL,
    outcome        TEXT,
    missed         INTEGER NOT NULL DEFAULT 0,
    phone_e164     TEXT,
    phone_national TEXT,
    phone_rev      TEXT,
    phone_raw      TEXT NOT NULL,
    pbx_name       TEXT,
    line           TEXT,
    started_at     INTEGER NOT NULL,
    answered_at    INTEGER,
    ended_at       INTEGER,
    wait_s         INTEGER,
    talk_s         INTEGER,
    total_s        INTEGER,
    answered_by    TEXT,
    answered_here  INTEGER NOT NULL DEFAULT 0,
    view           TEXT NOT NULL
);
CREATE INDEX calls_by_time      ON calls (started_at DESC, id DESC);
CREATE INDEX calls_by_direction ON calls (direction, started_at DESC, id DESC);
CREATE INDEX calls_missed       ON calls (started_at DESC, id DESC) WHERE missed = 1;
CREATE INDEX calls_by_phone     ON calls (phone_e164, started_at DESC, id DESC);
CREATE INDEX calls_by_national  ON calls (phone_national, started_at DESC, id DESC);
CREATE INDEX calls_by_rev       ON calls (phone_rev);
CREATE VIRTUAL TABLE call_names USING fts5 (
    name, content = '', contentless_delete = 1, tokenize = 'trigram'
);

CREATE TABLE call_events (
    event_id TEXT PRIMARY KEY,
    call_id  TEXT NOT NULL,
    seq      INTEGER,
    kind     TEXT NOT NULL,
    at       INTEGER NOT NULL,
    json     TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX call_events_by_call ON call_events (call_id);

CREATE TABLE recordings (
    call_id    TEXT NOT NULL,
    url        TEXT NOT NULL,
    first_seen INTEGER NOT NULL,
    PRIMARY KEY (call_id, url)
) WITHOUT ROWID;

CREATE TABLE contacts (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    company    TEXT,
    email      TEXT,
    position   TEXT,
    notes      TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE VIRTUAL TABLE contact_names USING fts5 (
    name, company, content = '', contentless_delete = 1, tokenize = 'trigram'
);

CREATE TABLE contact_fields (
    contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    key        TEXT NOT NULL,
    value      TEXT NOT NULL,
    PRIMARY KEY (contact_id, key)
) WITHOUT ROWID;

CREATE TABLE contact_numbers (
    id         INTEGER PRIMARY KEY,
    contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    raw        TEXT NOT NULL,
    label      TEXT,
    field      TEXT,
    e164       TEXT,
    national   TEXT NOT NULL
);
CREATE INDEX contact_numbers_by_e164     ON contact_numbers (e164) WHERE e164 IS NOT NULL;
CREATE INDEX contact_numbers_by_national ON contact_numbers (national);
CREATE INDEX contact_numbers_by_contact  ON contact_numbers (contact_id);

CREATE TABLE followups (
    id              INTEGER PRIMARY KEY,
    caller          TEXT NOT NULL,
    open            INTEGER NOT NULL,
    first_missed_at INTEGER NOT NULL,
    last_missed_at  INTEGER NOT NULL,
    missed_count    INTEGER NOT NULL,
    closed_at       INTEGER,
    closed_reason   TEXT,
    closed_by_call  TEXT
);
CREATE UNIQUE INDEX followups_open_by_caller ON followups (caller) WHERE open = 1;
CREATE INDEX followups_by_caller ON followups (caller, first_missed_at);
CREATE INDEX followups_open_by_time ON followups (last_missed_at DESC) WHERE open = 1;
CREATE INDEX followups_by_time ON followups (last_missed_at DESC);

CREATE TABLE followup_calls (
    call_id     TEXT PRIMARY KEY,
    followup_id INTEGER NOT NULL REFERENCES followups (id) ON DELETE CASCADE,
    started_at  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX followup_calls_by_followup ON followup_calls (followup_id, started_at);
"#;

/// Version 2 (issue 12): the synced copy of the team directory. A team contact is a row of
/// `contacts` with the relay's id (`team_id`, NULL for a private contact) and the directory
/// version it was last changed at; `updated_at` then holds the relay's time of that change.
/// `crm_contacts` keeps what the relay's CRM lookup said about numbers no contact knows.
const V2: &str = r#"
ALTER TABLE contacts ADD COLUMN team_id INTEGER;
ALTER TABLE contacts ADD COLUMN team_version INTEGER;
ALTER TABLE contacts ADD COLUMN crm_url TEXT;
ALTER TABLE contacts ADD COLUMN updated_by TEXT;
CREATE UNIQUE INDEX contacts_by_team_id ON contacts (team_id) WHERE team_id IS NOT NULL;

CREATE TABLE crm_contacts (
    number      TEXT PRIMARY KEY,
    contacts    TEXT NOT NULL,
    received_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX crm_contacts_by_time ON crm_contacts (received_at);
"#;

/// `cases`: the last known view of each of the team's cases (issue 13), as the relay sent it
/// (`CaseView` JSON), with its version and when this desktop received it, so that an offline
/// desktop still lists them and says since when its copy may be stale.
const V3: &str = r#"
CREATE TABLE cases (
    key         TEXT PRIMARY KEY,
    view        TEXT NOT NULL,
    version     INTEGER NOT NULL,
    received_at INTEGER NOT NULL
) WITHOUT ROWID;
"#;

/// Version 4 (issue 13): columns nothing reads are gone. A call's row keeps its view (what
/// every reader parses) and the columns history and follow-ups search by; whether a
/// conversation took place is one column, `talked` (`CallView::talked`), instead of
/// `answered_at` and the outcome's text. An event's row keeps its id, call and JSON: its
/// `seq`, `kind` and `at` are inside the JSON, and the stream's resume point is kept apart.
const V4: &str = r#"
ALTER TABLE calls ADD COLUMN talked INTEGER NOT NULL DEFAULT 0;
UPDATE calls SET talked = (answered_at IS NOT NULL OR outcome = 'answered');
ALTER TABLE calls DROP COLUMN provider;
ALTER TABLE calls DROP COLUMN outcome;
ALTER TABLE calls DROP COLUMN phone_raw;
ALTER TABLE calls DROP COLUMN line;
ALTER TABLE calls DROP COLUMN answered_at;
ALTER TABLE calls DROP COLUMN ended_at;
ALTER TABLE calls DROP COLUMN wait_s;
ALTER TABLE calls DROP COLUMN talk_s;
ALTER TABLE calls DROP COLUMN total_s;
ALTER TABLE calls DROP COLUMN answered_by;
ALTER TABLE calls DROP COLUMN answered_here;
ALTER TABLE call_events DROP COLUMN seq;
ALTER TABLE call_events DROP COLUMN kind;
ALTER TABLE call_events DROP COLUMN at;
"#;

/// Every migration in order; the schema version is the number of entries applied.
const MIGRATIONS: &[&str] = &[V1, V2, V3, V4];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Brings the database up to [`SCHEMA_VERSION`].
pub fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    migrate_to(conn, path, MIGRATIONS.len())
}

/// Applies the migrations up to version `target`.
fn migrate_to(conn: &mut Connection, path: &Path, target: usize) -> Result<(), StoreError> {
    let found: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            path: path.to_owned(),
            found,
            known: SCHEMA_VERSION,
        });
    }
    for (index, sql) in MIGRATIONS[..target].iter().enumerate().skip(found as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", index as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use rusqlite::params;
    use trubka_core::{
        CallEvent, CallId, CallStatus, Contact, Direction, Durations, Employee, EventKind, Outcome,
        PhoneNumber, Provider,
    };
    use trubka_protocol::event_to_json;

    use super::*;
    use crate::calls::CallView;
    use crate::numbers::NumberParser;
    use crate::store::calls::{self, LiveCalls};
    use crate::store::history::{self, HistoryFilter};

    fn event(call: &CallId, kind: EventKind, seconds: i64) -> CallEvent {
        CallEvent {
            id: call.event_id(kind, "1"),
            call_id: call.clone(),
            provider: Provider::Uis,
            kind,
            direction: Direction::In,
            at: Utc.with_ymd_and_hms(2026, 11, 20, 10, 0, 0).unwrap()
                + chrono::Duration::seconds(seconds),
            contact: Contact {
                phone: PhoneNumber::from_e164("+79261234567"),
                raw: "79261234567".to_owned(),
                name: None,
            },
            line: Some("+74951234567".to_owned()),
            employee: Some(Employee {
                id: Some("2339292".to_owned()),
                name: Some("Анна".to_owned()),
                extension: None,
                phone: None,
            }),
            outcome: None,
            durations: Durations::default(),
            recordings: Vec::new(),
            scenario: None,
            tags: Vec::new(),
            raw: String::new(),
        }
    }

    fn columns(conn: &Connection, table: &str) -> Vec<String> {
        let mut stmt = conn
            .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))
            .unwrap();
        stmt.query_map([], |row| row.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    /// A version-3 database, as the build before this one wrote it (every column filled),
    /// migrates: the unread columns are gone, `talked` says what the dropped ones said, and
    /// its calls take new events on top of their stored ones.
    #[test]
    fn a_version_3_database_migrates_and_its_calls_go_on() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("trubka.db");
        let mut conn = Connection::open(&path).unwrap();
        migrate_to(&mut conn, &path, 3).unwrap();
        let answered = CallId::new(Provider::Uis, "501");
        let mut old_events = vec![
            event(&answered, EventKind::Started, 0),
            event(&answered, EventKind::Answered, 5),
        ];
        let missed = CallId::new(Provider::Uis, "502");
        let mut end = event(&missed, EventKind::Ended, 60);
        end.outcome = Some(Outcome::Missed);
        old_events.push(end);
        for (i, e) in old_events.iter().enumerate() {
            conn.execute(
                "INSERT INTO call_events (event_id, call_id, seq, kind, at, json)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    e.id.0,
                    e.call_id.0,
                    i as i64 + 1,
                    e.kind.as_str(),
                    e.at.timestamp_millis(),
                    event_to_json(e)
                ],
            )
            .unwrap();
        }
        for (call, events) in [(&answered, &old_events[..2]), (&missed, &old_events[2..])] {
            let view = CallView::from_events(events.to_vec()).unwrap();
            conn.execute(
                "INSERT INTO calls (call_id, provider, direction, status, outcome, missed,
                    phone_e164, phone_national, phone_rev, phone_raw, line, started_at,
                    answered_at, answered_by, view)
                 VALUES (?1, 'uis', ?2, ?3, ?4, ?5, '+79261234567', '9261234567',
                    '7654321629', '79261234567', '+74951234567', ?6, ?7, 'Анна', ?8)",
                params![
                    call.0,
                    view.direction.as_str(),
                    view.status.as_str(),
                    view.outcome.map(Outcome::as_str),
                    view.missed,
                    view.started_at.timestamp_millis(),
                    view.answered_at.map(|at| at.timestamp_millis()),
                    serde_json::to_string(&view).unwrap(),
                ],
            )
            .unwrap();
        }

        migrate(&mut conn, &path).unwrap();
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
        let calls_columns = columns(&conn, "calls");
        for gone in [
            "provider",
            "outcome",
            "phone_raw",
            "line",
            "answered_at",
            "ended_at",
            "wait_s",
            "talk_s",
            "total_s",
            "answered_by",
            "answered_here",
        ] {
            assert!(!calls_columns.iter().any(|c| c == gone), "{gone}");
        }
        assert!(calls_columns.iter().any(|c| c == "talked"));
        assert_eq!(
            columns(&conn, "call_events"),
            ["event_id", "call_id", "json"]
        );
        let talked: Vec<(String, bool)> = conn
            .prepare("SELECT call_id, talked FROM calls ORDER BY call_id")
            .unwrap()
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            talked,
            [(answered.0.clone(), true), (missed.0.clone(), false)]
        );

        // The answered call ends now: folded from its two stored events and the new one.
        let parser = NumberParser::new("RU").unwrap();
        let mut live = LiveCalls::default();
        let mut end = event(&answered, EventKind::Ended, 90);
        end.outcome = Some(Outcome::Answered);
        let applied = calls::apply_event(&mut conn, &parser, &mut live, &end, None, 1).unwrap();
        assert_eq!(applied.view.status, CallStatus::Ended);
        assert_eq!(applied.view.outcome, Some(Outcome::Answered));
        assert_eq!(
            applied.view.answered_at,
            Some(old_events[1].at),
            "the stored answer is in the fold"
        );
        let page = history::page(&conn, HistoryFilter::Missed, None, None, 10).unwrap();
        assert_eq!(page.calls.len(), 1);
        assert_eq!(page.calls[0].call_id, missed.0);
    }
}
