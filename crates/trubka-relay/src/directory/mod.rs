//! The team directory: one phone book for every agent of the call center, kept by the relay
//! (docs/protocol.md, «Team directory»).
//!
//! Contacts come from the admin's imports, from agents' edits and — for numbers the directory
//! does not know — from the CRM (`[directory.lookup]`). Every change gets the next directory
//! version and a history row saying who made it; desktops keep a copy and ask for the
//! changes after the version they hold.

pub mod crm;

/// Migration 7 (`store/schema.rs`): the directory's tables.
pub(crate) const SCHEMA: &str = r#"
    -- Team contacts. A deleted contact stays as a tombstone (`deleted = 1`, empty fields) so
    -- that a desktop syncing changes after an older version learns to drop it.
    CREATE TABLE directory_contacts(
        id INTEGER PRIMARY KEY,
        version INTEGER NOT NULL UNIQUE,    -- the directory's version at its last change
        deleted INTEGER NOT NULL DEFAULT 0,
        fields TEXT NOT NULL,               -- trubka_protocol::directory::ContactFields, JSON
        search TEXT NOT NULL,               -- name, company, email lower-cased, for search
        updated_by TEXT NOT NULL,
        updated_at INTEGER NOT NULL         -- unix milliseconds
    );

    -- The lookup keys of every number of a live contact: its phones, then extra fields
    -- holding a phone number (the same rules as the desktop, trubka_contacts).
    CREATE TABLE directory_numbers(
        contact_id INTEGER NOT NULL,
        position INTEGER NOT NULL,
        raw TEXT NOT NULL,
        label TEXT,
        field TEXT,                         -- the extra field it was found in, if any
        e164 TEXT,
        national TEXT NOT NULL,
        PRIMARY KEY(contact_id, position)
    ) WITHOUT ROWID;
    CREATE INDEX directory_numbers_by_e164 ON directory_numbers(e164) WHERE e164 IS NOT NULL;
    -- Legacy entries (no valid E.164) are matched by national digits only.
    CREATE INDEX directory_numbers_by_national ON directory_numbers(national)
        WHERE e164 IS NULL;

    -- Every change: who made it, when, and which fields it set or cleared.
    CREATE TABLE directory_changes(
        version INTEGER PRIMARY KEY,
        contact_id INTEGER NOT NULL,
        action TEXT NOT NULL,               -- trubka_protocol::directory::ChangeAction
        author TEXT NOT NULL,
        at INTEGER NOT NULL,                -- unix milliseconds
        changed TEXT NOT NULL               -- JSON array of field names
    );
    CREATE INDEX directory_changes_by_contact ON directory_changes(contact_id, version);

    -- What the CRM answered for a number (`[directory.lookup]`), until `expires_at`; `[]`
    -- is a negative answer, kept for a shorter time.
    CREATE TABLE crm_answers(
        number TEXT PRIMARY KEY,            -- E.164
        answer TEXT NOT NULL,               -- JSON array of trubka_protocol::directory::CrmContact
        fetched_at INTEGER NOT NULL,        -- unix milliseconds
        expires_at INTEGER NOT NULL         -- unix milliseconds
    ) WITHOUT ROWID;
"#;
