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

/// Every migration in order; the schema version is the number of entries applied.
const MIGRATIONS: &[&str] = &[V1, V2, V3];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Brings the database up to [`SCHEMA_VERSION`].
pub fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let found: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            path: path.to_owned(),
            found,
            known: SCHEMA_VERSION,
        });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", index as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}
