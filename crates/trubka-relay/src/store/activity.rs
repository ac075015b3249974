//! The last notification heard of each provider and kind, so an admin can see notifications
//! arrive before the first real call (`trubka-relay status`). One row per provider and kind,
//! overwritten by the writer in the transaction that stores the notification's events.

use rusqlite::{Connection, Transaction, params};
use trubka_core::{EventKind, Provider};

use super::StoreError;

/// One provider and kind, and the last time a notification of it was heard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heard {
    pub provider: String,
    pub kind: String,
    /// Unix milliseconds.
    pub at_ms: i64,
    pub event_id: String,
}

pub(crate) fn record(
    tx: &Transaction<'_>,
    provider: Provider,
    kind: EventKind,
    event_id: &str,
    now_ms: i64,
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO hook_activity(provider, kind, at, event_id) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(provider, kind) DO UPDATE SET at = excluded.at, event_id = excluded.event_id",
    )?
    .execute(params![provider.as_str(), kind.as_str(), now_ms, event_id])?;
    Ok(())
}

pub(crate) fn list(conn: &Connection) -> Result<Vec<Heard>, StoreError> {
    let mut stmt = conn
        .prepare("SELECT provider, kind, at, event_id FROM hook_activity ORDER BY provider, at")?;
    let rows = stmt.query_map([], |row| {
        Ok(Heard {
            provider: row.get(0)?,
            kind: row.get(1)?,
            at_ms: row.get(2)?,
            event_id: row.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
