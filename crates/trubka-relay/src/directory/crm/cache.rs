//! The SQL of CRM lookups: what the CRM said about a number (`crm_answers`), whether the
//! directory knows a number already, and who follows a call.

use rusqlite::{Connection, OptionalExtension, params};
use trubka_protocol::directory::CrmContact;

use crate::agents::AgentId;
use crate::store::StoreError;

/// What the CRM said about `e164` while the answer is fresh (`expires_at` after `now_ms`):
/// `Some(vec![])` for «nobody», `None` when there is no fresh answer.
pub fn cached_at(
    conn: &Connection,
    e164: &str,
    now_ms: i64,
) -> Result<Option<Vec<CrmContact>>, StoreError> {
    let answer: Option<String> = conn
        .prepare_cached("SELECT answer FROM crm_answers WHERE number = ?1 AND expires_at > ?2")?
        .query_row(params![e164, now_ms], |row| row.get(0))
        .optional()?;
    answer
        .map(|text| {
            serde_json::from_str(&text)
                .map_err(|e| StoreError::Corrupt(format!("crm_answers of {e164}: {e}")))
        })
        .transpose()
}

/// Keeps the CRM's answer for `e164` until `now_ms + ttl_ms`, replacing an older one.
pub(crate) fn store(
    conn: &Connection,
    e164: &str,
    contacts: &[CrmContact],
    now_ms: i64,
    ttl_ms: i64,
) -> Result<(), StoreError> {
    let answer = serde_json::to_string(contacts)
        .map_err(|e| StoreError::WriteFailed(format!("a CRM answer: {e}")))?;
    conn.prepare_cached(
        "INSERT INTO crm_answers(number, answer, fetched_at, expires_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(number) DO UPDATE SET
             answer = excluded.answer, fetched_at = excluded.fetched_at,
             expires_at = excluded.expires_at",
    )?
    .execute(params![e164, answer, now_ms, now_ms.saturating_add(ttl_ms)])?;
    Ok(())
}

/// Whether a live team contact has this number: by E.164, or a legacy entry (stored without
/// a valid E.164) by its national digits, as the desktop matches them.
pub(crate) fn directory_knows(
    conn: &Connection,
    e164: &str,
    national: &str,
) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS(SELECT 1 FROM directory_numbers WHERE e164 = ?1)
                 OR EXISTS(SELECT 1 FROM directory_numbers WHERE e164 IS NULL AND national = ?2)",
        )?
        .query_row(params![e164, national], |row| row.get(0))?)
}

/// The agents following `call_id` now (supervisors are not stored there: they see every
/// call's frames through the first event's audience).
pub(crate) fn call_audience(conn: &Connection, call_id: &str) -> Result<Vec<AgentId>, StoreError> {
    let audience: Option<String> = conn
        .prepare_cached("SELECT audience FROM calls WHERE call_id = ?1")?
        .query_row([call_id], |row| row.get(0))
        .optional()?;
    audience.map_or(Ok(Vec::new()), |text| {
        crate::store::append::decode_audience(&text)
    })
}
