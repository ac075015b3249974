//! The SQL of the team directory's rows: contacts, their numbers' lookup keys and the
//! history of changes. Callers hold the transaction; this module only reads and writes rows.

use rusqlite::{Connection, OptionalExtension, Row, params};
use trubka_contacts::StoredNumber;
use trubka_protocol::directory::{ChangeAction, ContactFields, DirectoryContact, DirectoryId};

use super::DirectoryError;

/// A contact as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoredContact {
    pub(crate) id: DirectoryId,
    pub(crate) version: u64,
    pub(crate) deleted: bool,
    pub(crate) fields: ContactFields,
    pub(crate) updated_by: String,
    pub(crate) updated_at_ms: i64,
}

impl StoredContact {
    /// The contact on the wire.
    pub(crate) fn to_wire(&self) -> DirectoryContact {
        DirectoryContact {
            id: self.id,
            version: self.version,
            deleted: self.deleted,
            fields: self.fields.clone(),
            updated_by: Some(self.updated_by.clone()),
            updated_at: Some(rfc3339(self.updated_at_ms)),
        }
    }
}

/// Unix milliseconds as RFC 3339 UTC (what the wire shapes carry).
pub(crate) fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Now, in unix milliseconds.
pub(crate) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// The columns [`contact_from_row`] reads, in its order.
pub(crate) const CONTACT_COLUMNS: &str = "id, version, deleted, fields, updated_by, updated_at";

/// A contact from a row of [`CONTACT_COLUMNS`]; its fields still JSON (see [`parse_fields`]).
pub(crate) fn contact_from_row(row: &Row<'_>) -> rusqlite::Result<(StoredContact, String)> {
    Ok((
        StoredContact {
            id: row.get(0)?,
            version: row.get::<_, i64>(1)? as u64,
            deleted: row.get(2)?,
            fields: ContactFields::default(),
            updated_by: row.get(4)?,
            updated_at_ms: row.get(5)?,
        },
        row.get(3)?,
    ))
}

/// The contact with its JSON fields read.
pub(crate) fn parse_fields(
    (mut contact, json): (StoredContact, String),
) -> Result<StoredContact, DirectoryError> {
    contact.fields = serde_json::from_str(&json).map_err(|e| {
        DirectoryError::Corrupt(format!("the fields of contact {}: {e}", contact.id))
    })?;
    Ok(contact)
}

/// The directory's version: the newest change's, 0 for an empty directory.
pub(crate) fn current_version(conn: &Connection) -> Result<u64, DirectoryError> {
    let version: i64 = conn
        .prepare_cached("SELECT COALESCE(MAX(version), 0) FROM directory_changes")?
        .query_row([], |row| row.get(0))?;
    Ok(version as u64)
}

/// The contact `id`, live or a tombstone.
pub(crate) fn contact(
    conn: &Connection,
    id: DirectoryId,
) -> Result<Option<StoredContact>, DirectoryError> {
    let sql = format!("SELECT {CONTACT_COLUMNS} FROM directory_contacts WHERE id = ?1");
    conn.prepare_cached(&sql)?
        .query_row([id], contact_from_row)
        .optional()?
        .map(parse_fields)
        .transpose()
}

/// The numbers stored for contact `id`: its phones in order, then those found in fields.
pub(crate) fn numbers(
    conn: &Connection,
    id: DirectoryId,
) -> Result<Vec<StoredNumber>, DirectoryError> {
    let mut stmt = conn.prepare_cached(
        "SELECT raw, label, field, e164, national FROM directory_numbers
         WHERE contact_id = ?1 ORDER BY position",
    )?;
    let rows = stmt.query_map([id], |row| {
        Ok(StoredNumber {
            raw: row.get(0)?,
            label: row.get(1)?,
            field: row.get(2)?,
            e164: row.get(3)?,
            national: row.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// What text search looks in: name, company and email, lower-cased.
fn search_text(fields: &ContactFields) -> String {
    [
        Some(fields.name.as_str()),
        fields.company.as_deref(),
        fields.email.as_deref(),
    ]
    .into_iter()
    .flatten()
    .filter(|part| !part.is_empty())
    .collect::<Vec<_>>()
    .join("\n")
    .to_lowercase()
}

fn fields_json(fields: &ContactFields) -> Result<String, DirectoryError> {
    serde_json::to_string(fields).map_err(|e| DirectoryError::Corrupt(e.to_string()))
}

/// A new contact at `version`; returns its id.
pub(crate) fn insert(
    conn: &Connection,
    version: u64,
    fields: &ContactFields,
    author: &str,
    at_ms: i64,
) -> Result<DirectoryId, DirectoryError> {
    conn.prepare_cached(
        "INSERT INTO directory_contacts(version, deleted, fields, search, updated_by, updated_at)
         VALUES (?1, 0, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        version as i64,
        fields_json(fields)?,
        search_text(fields),
        author,
        at_ms
    ])?;
    Ok(conn.last_insert_rowid())
}

/// Contact `id` at `version` with `fields` (a tombstone when `deleted`).
pub(crate) fn update(
    conn: &Connection,
    id: DirectoryId,
    version: u64,
    deleted: bool,
    fields: &ContactFields,
    author: &str,
    at_ms: i64,
) -> Result<(), DirectoryError> {
    conn.prepare_cached(
        "UPDATE directory_contacts SET version = ?2, deleted = ?3, fields = ?4, search = ?5,
             updated_by = ?6, updated_at = ?7
         WHERE id = ?1",
    )?
    .execute(params![
        id,
        version as i64,
        deleted,
        fields_json(fields)?,
        search_text(fields),
        author,
        at_ms
    ])?;
    Ok(())
}

/// Replaces the lookup keys of contact `id` with `numbers` (none for a tombstone).
pub(crate) fn replace_numbers(
    conn: &Connection,
    id: DirectoryId,
    numbers: &[StoredNumber],
) -> Result<(), DirectoryError> {
    conn.prepare_cached("DELETE FROM directory_numbers WHERE contact_id = ?1")?
        .execute([id])?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO directory_numbers(contact_id, position, raw, label, field, e164, national)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for (position, number) in numbers.iter().enumerate() {
        insert.execute(params![
            id,
            position as i64,
            number.raw,
            number.label,
            number.field,
            number.e164,
            number.national
        ])?;
    }
    Ok(())
}

/// One history row: `author` did `action` to contact `id` at `version`, touching `changed`.
pub(crate) fn record_change(
    conn: &Connection,
    version: u64,
    id: DirectoryId,
    action: ChangeAction,
    author: &str,
    at_ms: i64,
    changed: &[String],
) -> Result<(), DirectoryError> {
    let action = serde_json::to_value(action)
        .ok()
        .and_then(|value| value.as_str().map(str::to_owned))
        .ok_or_else(|| DirectoryError::Corrupt(format!("action {action:?}")))?;
    let changed =
        serde_json::to_string(changed).map_err(|e| DirectoryError::Corrupt(e.to_string()))?;
    conn.prepare_cached(
        "INSERT INTO directory_changes(version, contact_id, action, author, at, changed)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![version as i64, id, action, author, at_ms, changed])?;
    Ok(())
}

/// The ids of live contacts holding a phone entry with these keys: the same E.164, or, for
/// entries stored without a valid E.164, the same national digits (the lookup's rules).
pub(crate) fn contacts_with_phone(
    conn: &Connection,
    e164: Option<&str>,
    national: &str,
) -> Result<Vec<DirectoryId>, DirectoryError> {
    let mut ids = Vec::new();
    if let Some(e164) = e164 {
        let mut stmt = conn.prepare_cached(
            "SELECT DISTINCT contact_id FROM directory_numbers WHERE e164 = ?1 AND field IS NULL",
        )?;
        let rows = stmt.query_map([e164], |row| row.get(0))?;
        ids.extend(rows.collect::<Result<Vec<DirectoryId>, _>>()?);
    }
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT contact_id FROM directory_numbers
         WHERE e164 IS NULL AND national = ?1 AND field IS NULL",
    )?;
    let rows = stmt.query_map([national], |row| row.get(0))?;
    ids.extend(rows.collect::<Result<Vec<DirectoryId>, _>>()?);
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}
