//! The team directory: one phone book for every agent of the call center, kept by the relay
//! (docs/protocol.md, «Team directory»).
//!
//! Contacts come from the admin's imports, from agents' edits, from the UIS address book
//! (`[directory.uis_sync]`) and — for numbers the directory does not know — from the CRM
//! (`[directory.lookup]`). Every change gets the next directory
//! version and a history row saying who made it; desktops keep a copy and ask for the
//! changes after the version they hold.

//!
//! - [`store`]: the SQL of contacts, their numbers' lookup keys and history rows.
//! - [`edit`]: create, edit (with `base_version`), attach a number, delete (a tombstone).
//! - [`changes`]: pages of changes after a version; a contact with its history.
//! - [`lookup`]: who a number belongs to, ranked as the desktop ranks.
//! - [`import`] + [`export`]: the admin's files (CSV, vCard), `contacts list`.
//! - [`merge`]: new values laid over a contact: the import's merge rule, the UIS sync's.
//! - [`live`]: the running relay's writes and the version announced to every stream.
//! - [`crm`]: the CRM lookup (`[directory.lookup]`).
//! - [`uis_sync`]: the UIS address book kept in the directory (`[directory.uis_sync]`).

pub mod changes;
pub mod crm;
pub(crate) mod edit;
pub mod export;
pub mod import;
pub(crate) mod live;
pub mod lookup;
pub(crate) mod merge;
pub(crate) mod store;
pub mod uis_sync;

pub use import::{FileKind, ImportReport};

use trubka_contacts::ContactError;
use trubka_contacts::import_csv::CsvError;
use trubka_protocol::directory::DirectoryId;

use crate::store::StoreError;

/// Why a directory operation failed.
#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    #[error("no team contact {0}")]
    NotFound(DirectoryId),
    #[error(
        "contact {id} changed after version {base} (it is at version {current}): read it again \
         and redo the edit"
    )]
    Conflict {
        id: DirectoryId,
        base: u64,
        current: u64,
    },
    /// No name and no number, or a number that is none.
    #[error(transparent)]
    Contact(#[from] ContactError),
    #[error("crm_url «{0}» is not an http:// or https:// address")]
    BadCrmUrl(String),
    /// A contacts file that cannot be read at all.
    #[error(transparent)]
    File(#[from] CsvError),
    #[error("default_region: {0}")]
    Region(String),
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the directory holds a bad value: {0}")]
    Corrupt(String),
    #[error("cannot write the file's contents: {0}")]
    Export(String),
    #[error("the directory's writer stopped: {0}")]
    Stopped(String),
}

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
