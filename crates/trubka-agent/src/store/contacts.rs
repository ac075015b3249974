//! Contacts, their numbers (raw + E.164 + national digits, indexed) and extra fields.

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, params};

use super::StoreError;
use crate::contacts::matching::NumberHit;
use crate::contacts::{Contact, ContactId, PreparedContact, StoredNumber};

/// Inserts a contact and returns its id.
pub fn insert(
    conn: &Connection,
    contact: &PreparedContact,
    now_ms: i64,
) -> Result<ContactId, StoreError> {
    let d = &contact.draft;
    conn.prepare_cached(
        "INSERT INTO contacts (name, company, email, position, notes, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
    )?
    .execute(params![
        d.name, d.company, d.email, d.position, d.notes, now_ms
    ])?;
    let id = conn.last_insert_rowid();
    index_name(conn, id, &d.name, d.company.as_deref())?;
    write_children(conn, id, contact)?;
    Ok(id)
}

/// Replaces every field and number of contact `id`.
pub fn update(
    conn: &Connection,
    id: ContactId,
    contact: &PreparedContact,
    now_ms: i64,
) -> Result<(), StoreError> {
    let d = &contact.draft;
    let changed = conn
        .prepare_cached(
            "UPDATE contacts SET name = ?2, company = ?3, email = ?4, position = ?5, notes = ?6,
             updated_at = ?7 WHERE id = ?1",
        )?
        .execute(params![
            id, d.name, d.company, d.email, d.position, d.notes, now_ms
        ])?;
    if changed == 0 {
        return Err(StoreError::NoSuchContact(id));
    }
    conn.prepare_cached("DELETE FROM contact_names WHERE rowid = ?1")?
        .execute([id])?;
    index_name(conn, id, &d.name, d.company.as_deref())?;
    conn.prepare_cached("DELETE FROM contact_numbers WHERE contact_id = ?1")?
        .execute([id])?;
    conn.prepare_cached("DELETE FROM contact_fields WHERE contact_id = ?1")?
        .execute([id])?;
    write_children(conn, id, contact)
}

/// Deletes contact `id` with its numbers and fields.
pub fn delete(conn: &Connection, id: ContactId) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM contact_names WHERE rowid = ?1")?
        .execute([id])?;
    let gone = conn
        .prepare_cached("DELETE FROM contacts WHERE id = ?1")?
        .execute([id])?;
    if gone == 0 {
        return Err(StoreError::NoSuchContact(id));
    }
    Ok(())
}

/// Adds one number to an existing contact (attaching a caller's number).
pub fn add_number(
    conn: &Connection,
    id: ContactId,
    number: &StoredNumber,
    now_ms: i64,
) -> Result<(), StoreError> {
    let touched = conn
        .prepare_cached("UPDATE contacts SET updated_at = ?2 WHERE id = ?1")?
        .execute(params![id, now_ms])?;
    if touched == 0 {
        return Err(StoreError::NoSuchContact(id));
    }
    insert_number(conn, id, number)
}

fn index_name(
    conn: &Connection,
    id: ContactId,
    name: &str,
    company: Option<&str>,
) -> Result<(), StoreError> {
    conn.prepare_cached("INSERT INTO contact_names (rowid, name, company) VALUES (?1, ?2, ?3)")?
        .execute(params![id, name, company.unwrap_or("")])?;
    Ok(())
}

fn write_children(
    conn: &Connection,
    id: ContactId,
    contact: &PreparedContact,
) -> Result<(), StoreError> {
    let mut field = conn.prepare_cached(
        "INSERT INTO contact_fields (contact_id, key, value) VALUES (?1, ?2, ?3)",
    )?;
    for (key, value) in &contact.draft.fields {
        field.execute(params![id, key, value])?;
    }
    for number in &contact.numbers {
        insert_number(conn, id, number)?;
    }
    Ok(())
}

fn insert_number(conn: &Connection, id: ContactId, n: &StoredNumber) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO contact_numbers (contact_id, raw, label, field, e164, national)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![id, n.raw, n.label, n.field, n.e164, n.national])?;
    Ok(())
}

/// One contact with its numbers and fields.
pub fn get(conn: &Connection, id: ContactId) -> Result<Option<Contact>, StoreError> {
    let base = conn
        .prepare_cached(
            "SELECT id, name, company, email, position, notes FROM contacts WHERE id = ?1",
        )?
        .query_row([id], |row| {
            Ok(Contact {
                id: row.get(0)?,
                name: row.get(1)?,
                company: row.get(2)?,
                email: row.get(3)?,
                position: row.get(4)?,
                notes: row.get(5)?,
                numbers: Vec::new(),
                fields: BTreeMap::new(),
            })
        })
        .optional()?;
    let Some(mut contact) = base else {
        return Ok(None);
    };
    let mut numbers = conn.prepare_cached(
        "SELECT raw, label, field, e164, national FROM contact_numbers WHERE contact_id = ?1
         ORDER BY field IS NOT NULL, id",
    )?;
    contact.numbers = numbers
        .query_map([id], |row| {
            Ok(StoredNumber {
                raw: row.get(0)?,
                label: row.get(1)?,
                field: row.get(2)?,
                e164: row.get(3)?,
                national: row.get(4)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    let mut fields =
        conn.prepare_cached("SELECT key, value FROM contact_fields WHERE contact_id = ?1")?;
    contact.fields = fields
        .query_map([id], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<Result<_, _>>()?;
    Ok(Some(contact))
}

fn hits(conn: &Connection, sql: &str, key: &str) -> Result<Vec<NumberHit>, StoreError> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map([key], |row| {
        Ok(NumberHit {
            contact_id: row.get(0)?,
            number: StoredNumber {
                raw: row.get(1)?,
                label: row.get(2)?,
                field: row.get(3)?,
                e164: row.get(4)?,
                national: row.get(5)?,
            },
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Stored numbers whose E.164 is `e164`.
pub fn numbers_by_e164(conn: &Connection, e164: &str) -> Result<Vec<NumberHit>, StoreError> {
    hits(
        conn,
        "SELECT contact_id, raw, label, field, e164, national FROM contact_numbers
         WHERE e164 = ?1 ORDER BY id",
        e164,
    )
}

/// Legacy stored numbers (no E.164) whose national digits are `national`.
pub fn legacy_numbers_by_national(
    conn: &Connection,
    national: &str,
) -> Result<Vec<NumberHit>, StoreError> {
    hits(
        conn,
        "SELECT contact_id, raw, label, field, e164, national FROM contact_numbers
         WHERE national = ?1 AND e164 IS NULL ORDER BY id",
        national,
    )
}

/// Escapes text for an FTS5 trigram phrase query.
pub fn fts_phrase(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// Contacts whose name or company contains `text` (at least 3 characters), best first.
pub fn search(conn: &Connection, text: &str, limit: usize) -> Result<Vec<ContactId>, StoreError> {
    let text = text.trim();
    if text.chars().count() < 3 {
        return Ok(Vec::new());
    }
    let mut stmt = conn.prepare_cached(
        "SELECT rowid FROM contact_names WHERE contact_names MATCH ?1 ORDER BY rank LIMIT ?2",
    )?;
    let ids = stmt.query_map(params![fts_phrase(text), limit as i64], |row| row.get(0))?;
    Ok(ids.collect::<Result<_, _>>()?)
}

/// Contact ids in id order after `after`, for exports and listings.
pub fn ids_after(
    conn: &Connection,
    after: ContactId,
    limit: usize,
) -> Result<Vec<ContactId>, StoreError> {
    let mut stmt =
        conn.prepare_cached("SELECT id FROM contacts WHERE id > ?1 ORDER BY id LIMIT ?2")?;
    let ids = stmt.query_map(params![after, limit as i64], |row| row.get(0))?;
    Ok(ids.collect::<Result<_, _>>()?)
}

/// How many contacts are stored.
pub fn count(conn: &Connection) -> Result<u64, StoreError> {
    Ok(conn.query_row("SELECT count(*) FROM contacts", [], |row| {
        row.get::<_, i64>(0)
    })? as u64)
}

/// A contact with the same name that already has one of the E.164 numbers (import merge).
pub fn find_same(
    conn: &Connection,
    name: &str,
    e164s: &[&str],
) -> Result<Option<ContactId>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.id FROM contact_numbers n JOIN contacts c ON c.id = n.contact_id
         WHERE n.e164 = ?1 AND c.name = ?2 LIMIT 1",
    )?;
    for e164 in e164s {
        if let Some(id) = stmt
            .query_row(params![e164, name], |row| row.get(0))
            .optional()?
        {
            return Ok(Some(id));
        }
    }
    Ok(None)
}
