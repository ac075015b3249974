//! The desktop's copy of the team's cases: the last view of each case the relay sent (a
//! `GET /v1/cases` answer, a `case` frame, a claim or close this desktop made), so that an
//! offline desktop lists them and says when they were last received.

use rusqlite::{Connection, OptionalExtension, params};
use trubka_protocol::cases::CaseView;

use super::StoreError;

/// Keeps `views`, received at `now` (ms), except where the copy holds a newer version of the
/// same case. Returns how many were written.
pub fn remember(conn: &mut Connection, views: &[CaseView], now: i64) -> Result<usize, StoreError> {
    let tx = conn.transaction()?;
    let written = upsert(&tx, views, now)?;
    tx.commit()?;
    Ok(written)
}

/// Replaces the whole copy with a full list from the relay (cases it no longer lists, such as
/// a case known by a new key now, are dropped), received at `now` (ms).
pub fn replace_all(conn: &mut Connection, views: &[CaseView], now: i64) -> Result<(), StoreError> {
    let tx = conn.transaction()?;
    tx.execute("DELETE FROM cases", [])?;
    upsert(&tx, views, now)?;
    tx.commit()?;
    Ok(())
}

fn upsert(conn: &Connection, views: &[CaseView], now: i64) -> Result<usize, StoreError> {
    let mut statement = conn.prepare_cached(
        "INSERT INTO cases (key, view, version, received_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (key) DO UPDATE SET view = excluded.view, version = excluded.version,
             received_at = excluded.received_at
         WHERE excluded.version >= cases.version",
    )?;
    let mut written = 0;
    for view in views {
        let json = serde_json::to_string(view).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let version = i64::try_from(view.version).unwrap_or(i64::MAX);
        written += statement.execute(params![view.key, json, version, now])?;
    }
    Ok(written)
}

/// Every stored case, the most recently changed first, and when the newest was received (ms).
pub fn all(conn: &Connection) -> Result<(Vec<CaseView>, Option<i64>), StoreError> {
    let mut select = conn.prepare_cached("SELECT view FROM cases")?;
    let mut views = Vec::new();
    for json in select.query_map([], |row| row.get::<_, String>(0))? {
        let json = json?;
        let view: CaseView =
            serde_json::from_str(&json).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        views.push(view);
    }
    views.sort_by(|a, b| b.updated_at.cmp(&a.updated_at).then(b.key.cmp(&a.key)));
    let received = conn
        .query_row("SELECT MAX(received_at) FROM cases", [], |row| {
            row.get::<_, Option<i64>>(0)
        })
        .optional()?
        .flatten();
    Ok((views, received))
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;
    use trubka_protocol::cases::{WireCaseKind, WireCaseStatus};

    use super::*;
    use crate::store::open_connection;

    fn view(key: &str, version: u64, status: WireCaseStatus, changed: i64) -> CaseView {
        let at = DateTime::from_timestamp(changed, 0).unwrap();
        CaseView {
            key: key.to_owned(),
            kind: WireCaseKind::Missed,
            status,
            number: Some("+79261234567".to_owned()),
            contact_name: None,
            responsible: None,
            opened_at: at,
            updated_at: at,
            calls: vec![key.to_owned()],
            callbacks: Vec::new(),
            reached: false,
            gists: Vec::new(),
            closure: None,
            claim: None,
            version,
        }
    }

    #[test]
    fn an_older_view_does_not_replace_a_newer_one_and_a_full_list_drops_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = open_connection(&dir.path().join("agent.sqlite")).unwrap();
        let (empty, never) = all(&conn).unwrap();
        assert!(empty.is_empty());
        assert_eq!(never, None);

        let newer = view("uis:1", 5, WireCaseStatus::Waiting, 2_000);
        assert_eq!(
            remember(&mut conn, std::slice::from_ref(&newer), 10).unwrap(),
            1
        );
        let older = view("uis:1", 3, WireCaseStatus::Open, 1_000);
        assert_eq!(remember(&mut conn, &[older], 20).unwrap(), 0);
        let other = view("uis:2", 6, WireCaseStatus::Open, 3_000);
        remember(&mut conn, std::slice::from_ref(&other), 30).unwrap();
        let (views, received) = all(&conn).unwrap();
        assert_eq!(views, [other.clone(), newer]);
        assert_eq!(received, Some(30));

        replace_all(&mut conn, std::slice::from_ref(&other), 40).unwrap();
        assert_eq!(all(&conn).unwrap(), (vec![other], Some(40)));
    }
}
