//! The database schema and its migrations, tracked with `PRAGMA user_version`.
//!
//! A migration is appended, never edited: a database created by an older relay is brought
//! up to date step by step, and a newer one is refused rather than misread.

use rusqlite::{Connection, TransactionBehavior};

use super::StoreError;

/// Each entry upgrades the schema from version `index` to `index + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: the event log, who may see what, agents, rejected payloads.
    r#"
    CREATE TABLE meta(
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) WITHOUT ROWID;

    -- The event log. `seq` is assigned by the writer, one more than the previous event.
    CREATE TABLE events(
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        call_id TEXT NOT NULL,
        json TEXT NOT NULL,
        received_at INTEGER NOT NULL
    );

    -- One row per call, all the audience rule needs from the past: whether an employee is
    -- on the call yet, and who saw an event of it (agent ids joined by commas; they see the
    -- rest of it). One row, so storing an event touches one page here, not one per table.
    CREATE TABLE calls(
        call_id TEXT PRIMARY KEY,
        employee_seen INTEGER NOT NULL,
        audience TEXT NOT NULL
    ) WITHOUT ROWID;

    -- Which (non-supervisor) agent may see which event, decided once at store time; read
    -- when an agent resumes. Keyed by seq first so that storing appends to the end of the
    -- index instead of writing one random page per agent; a resume scans the seq range
    -- after `since` and keeps the agent's rows.
    CREATE TABLE deliveries(
        seq INTEGER NOT NULL,
        agent_id INTEGER NOT NULL,
        PRIMARY KEY(seq, agent_id)
    ) WITHOUT ROWID;

    CREATE TABLE agents(
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        token_hash TEXT NOT NULL UNIQUE,
        uis_employee TEXT,
        sipuni_ext TEXT,
        lines TEXT NOT NULL,            -- JSON array of E.164 numbers
        supervisor INTEGER NOT NULL,
        created_at INTEGER NOT NULL,    -- unix seconds
        revoked_at INTEGER
    );

    -- Payloads that could not be understood, kept for the admin (newest 10,000).
    CREATE TABLE rejected(
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,            -- unix milliseconds
        provider TEXT NOT NULL,
        reason_code TEXT NOT NULL,
        message TEXT NOT NULL,
        query TEXT NOT NULL,
        body BLOB NOT NULL
    );
    "#,
    // 2: personal managers for UIS interactive call processing (`crate::managers`).
    crate::managers::SCHEMA,
    // 3: agents named by their phone or SIP line (EnvyCRM-style setups), and their own
    // caller ID.
    r#"
    ALTER TABLE agents ADD COLUMN employee_phones TEXT NOT NULL DEFAULT '[]';  -- JSON array
    ALTER TABLE agents ADD COLUMN virtual_number TEXT;                        -- E.164
    "#,
    // 4: which agent placed which call from Trubka (`crate::placed`).
    crate::placed::SCHEMA,
    // 5: the last notification heard of each kind, for `trubka-relay status`: an admin sees
    // notifications arrive before the first real call.
    r#"
    CREATE TABLE hook_activity(
        provider TEXT NOT NULL,
        kind TEXT NOT NULL,             -- the event kind the notification was read as
        at INTEGER NOT NULL,            -- unix milliseconds, when received
        event_id TEXT NOT NULL,
        PRIMARY KEY(provider, kind)
    ) WITHOUT ROWID;
    "#,
    // 6: one-time sign-in links (`crate::invites`).
    super::invites::SCHEMA,
    // 7: the team directory and the CRM's answers (`crate::directory`).
    crate::directory::SCHEMA,
    // 8: the team's cases, claims, closes, notes on calls and the admin's tags
    // (`crate::cases`).
    crate::cases::SCHEMA,
    // 9: the tags of notes to set on UIS calls, and the UIS ids of the tag names
    // (`crate::uis_tags`).
    crate::uis_tags::SCHEMA,
    // 10: the calls an agent is talking on, so a relay that starts knows who is on a call
    // (`crate::presence::on_call`).
    crate::presence::on_call::SCHEMA,
    // 11: which team contact each UIS address-book contact is (`crate::directory::uis_sync`).
    crate::directory::uis_sync::SCHEMA,
    // 12: the calls the case worker still owes a fold, so a crash loses none
    // (`crate::cases::owed`).
    crate::cases::owed::SCHEMA,
];

/// Brings the database to the current schema; creates the epoch on a new database.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let version: i64 = tx.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    let version = usize::try_from(version).unwrap_or(usize::MAX);
    if version > MIGRATIONS.len() {
        return Err(StoreError::TooNew {
            found: version,
            known: MIGRATIONS.len(),
        });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(version) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (index + 1) as i64)?;
    }
    // The epoch names this event log. It is made with the database, so a relay that lost
    // its data (and restarted from seq 0) has a new epoch and agents know to resync.
    tx.execute(
        "INSERT OR IGNORE INTO meta(key, value) VALUES ('epoch', ?1)",
        [hex::encode(rand::random::<[u8; 8]>())],
    )?;
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrating_twice_keeps_the_epoch_and_refuses_newer_schemas() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        let epoch: String = conn
            .query_row("SELECT value FROM meta WHERE key = 'epoch'", [], |r| {
                r.get(0)
            })
            .unwrap();
        migrate(&mut conn).unwrap();
        let again: String = conn
            .query_row("SELECT value FROM meta WHERE key = 'epoch'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(epoch, again);
        assert_eq!(epoch.len(), 16);

        conn.pragma_update(None, "user_version", MIGRATIONS.len() as i64 + 1)
            .unwrap();
        assert!(matches!(migrate(&mut conn), Err(StoreError::TooNew { .. })));
    }
}
