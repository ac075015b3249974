//! Reading the team directory the way desktops sync it: pages of the contacts changed after
//! a version (tombstones included), and one contact with its history.

use rusqlite::Connection;
use trubka_protocol::directory::{
    ChangeAction, ContactChange, ContactWithHistory, DirectoryId, DirectoryPage,
};

use super::DirectoryError;
use super::store::{self, CONTACT_COLUMNS, contact_from_row, parse_fields};

/// Contacts per page when the desktop does not say.
pub const DEFAULT_PAGE: usize = 5_000;
/// The most contacts a page holds, whatever the desktop asks.
pub const MAX_PAGE: usize = 20_000;
/// History rows shown with a contact, newest first.
const HISTORY_SHOWN: usize = 500;

/// Up to `limit` contacts changed after version `since`, in version order; `more` when
/// further changes follow.
pub(crate) fn page(
    conn: &Connection,
    since: u64,
    limit: usize,
) -> Result<DirectoryPage, DirectoryError> {
    let limit = limit.clamp(1, MAX_PAGE);
    // One read transaction: the page and the version it reports are of the same moment.
    let tx = conn.unchecked_transaction()?;
    let version = store::current_version(&tx)?;
    let sql = format!(
        "SELECT {CONTACT_COLUMNS} FROM directory_contacts WHERE version > ?1
         ORDER BY version LIMIT ?2"
    );
    let mut contacts = {
        let mut stmt = tx.prepare_cached(&sql)?;
        let rows = stmt.query_map([since as i64, limit as i64 + 1], contact_from_row)?;
        let mut contacts = Vec::with_capacity(limit.min(1024));
        for row in rows {
            contacts.push(parse_fields(row?)?.to_wire());
        }
        contacts
    };
    let more = contacts.len() > limit;
    contacts.truncate(limit);
    tx.finish()?;
    Ok(DirectoryPage {
        version,
        contacts,
        more,
    })
}

/// Contact `id` (a tombstone too) with its newest history first; `NotFound` if unknown.
pub(crate) fn with_history(
    conn: &Connection,
    id: DirectoryId,
) -> Result<ContactWithHistory, DirectoryError> {
    let contact = store::contact(conn, id)?.ok_or(DirectoryError::NotFound(id))?;
    let mut stmt = conn.prepare_cached(
        "SELECT version, at, author, action, changed FROM directory_changes
         WHERE contact_id = ?1 ORDER BY version DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map([id, HISTORY_SHOWN as i64], |row| {
        Ok((
            row.get::<_, i64>(0)?,
            row.get::<_, i64>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, String>(3)?,
            row.get::<_, String>(4)?,
        ))
    })?;
    let mut history = Vec::new();
    for row in rows {
        let (version, at, author, action, changed) = row?;
        let corrupt = |what: &str, e: serde_json::Error| {
            DirectoryError::Corrupt(format!("the {what} of change {version}: {e}"))
        };
        let action: ChangeAction = serde_json::from_value(serde_json::Value::String(action))
            .map_err(|e| corrupt("action", e))?;
        let changed: Vec<String> =
            serde_json::from_str(&changed).map_err(|e| corrupt("fields", e))?;
        history.push(ContactChange {
            version: version as u64,
            at: store::rfc3339(at),
            author,
            action,
            changed,
        });
    }
    Ok(ContactWithHistory {
        contact: contact.to_wire(),
        history,
    })
}
