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

/// Deletes every answer past its `expires_at`: what a CRM said about a caller is personal
/// data, kept no longer than it is used. A scan of the table (it has no index on the expiry);
/// the lookup runs it at most once per [`super::SWEEP_EVERY`].
pub(crate) fn delete_expired(conn: &Connection, now_ms: i64) -> Result<usize, StoreError> {
    Ok(conn
        .prepare_cached("DELETE FROM crm_answers WHERE expires_at <= ?1")?
        .execute([now_ms])?)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_read_while_fresh_and_deleted_once_expired() {
        let dir = tempfile::tempdir().unwrap();
        crate::store::Store::open(dir.path()).unwrap();
        let conn = Connection::open(dir.path().join(crate::store::DATABASE_FILE)).unwrap();
        let ivan = CrmContact {
            name: "Иван".to_owned(),
            ..CrmContact::default()
        };
        store(
            &conn,
            "+79261234567",
            std::slice::from_ref(&ivan),
            1_000,
            500,
        )
        .unwrap();
        store(&conn, "+79260000000", &[], 1_000, 100).unwrap();
        assert_eq!(
            cached_at(&conn, "+79261234567", 1_499).unwrap(),
            Some(vec![ivan])
        );
        assert_eq!(
            cached_at(&conn, "+79260000000", 1_099).unwrap(),
            Some(vec![])
        );
        assert_eq!(cached_at(&conn, "+79260000000", 1_100).unwrap(), None);
        assert_eq!(delete_expired(&conn, 1_100).unwrap(), 1);
        assert_eq!(delete_expired(&conn, 1_100).unwrap(), 0);
        assert_eq!(delete_expired(&conn, 1_500).unwrap(), 1);
        assert_eq!(cached_at(&conn, "+79261234567", 0).unwrap(), None);
    }
}
