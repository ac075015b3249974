//! `GET /v1/directory/lookup`: who a number belongs to, ranked as the desktop ranks
//! (`trubka_contacts::matching`: phone entries with the same E.164, then legacy entries with
//! the same national digits, then the same in extra fields; older contacts first), and what
//! the CRM said about it when the directory knows no one.

use rusqlite::Connection;
use trubka_contacts::StoredNumber;
use trubka_contacts::matching::{NumberHit, rank};
use trubka_contacts::numbers::NumberParser;
use trubka_protocol::directory::LookupAnswer;

use super::DirectoryError;
use super::store;

/// The stored numbers the indexes find for `e164` (any with that E.164) and for `national`
/// (legacy ones, stored without an E.164), each with its contact, in entry order.
fn candidates(
    conn: &Connection,
    e164: Option<&str>,
    national: &str,
) -> Result<Vec<NumberHit>, DirectoryError> {
    let row = |row: &rusqlite::Row<'_>| {
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
    };
    let mut hits = Vec::new();
    if let Some(e164) = e164 {
        let mut stmt = conn.prepare_cached(
            "SELECT contact_id, raw, label, field, e164, national FROM directory_numbers
             WHERE e164 = ?1 ORDER BY contact_id, position",
        )?;
        let rows = stmt.query_map([e164], row)?;
        hits.extend(rows.collect::<Result<Vec<_>, _>>()?);
    }
    let mut stmt = conn.prepare_cached(
        "SELECT contact_id, raw, label, field, e164, national FROM directory_numbers
         WHERE e164 IS NULL AND national = ?1 ORDER BY contact_id, position",
    )?;
    let rows = stmt.query_map([national], row)?;
    hits.extend(rows.collect::<Result<Vec<_>, _>>()?);
    Ok(hits)
}

/// Who `number` belongs to; the CRM's cached answer (fresh at `now_ms`) when no one.
pub(crate) fn lookup(
    conn: &Connection,
    parser: &NumberParser,
    number: &str,
    now_ms: i64,
) -> Result<LookupAnswer, DirectoryError> {
    let keys = parser
        .keys(number)
        .map_err(trubka_contacts::ContactError::from)?;
    let hits = candidates(conn, keys.e164.as_deref(), &keys.national)?;
    let mut contacts = Vec::new();
    for hit in rank(&keys, hits) {
        if let Some(contact) = store::contact(conn, hit.contact_id)?.filter(|c| !c.deleted) {
            contacts.push(contact.to_wire());
        }
    }
    let crm = match &keys.e164 {
        Some(e164) if contacts.is_empty() => {
            super::crm::cached_at(conn, e164, now_ms)?.unwrap_or_default()
        }
        _ => Vec::new(),
    };
    Ok(LookupAnswer {
        number: keys.e164.unwrap_or(keys.raw),
        contacts,
        crm,
    })
}
