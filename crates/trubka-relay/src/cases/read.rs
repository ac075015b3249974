//! The reads behind `GET /v1/cases` and `GET /v1/calls/{id}/notes`, on the read pool: the
//! stored case rows an agent may see, with their live claims, and a call's notes.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};
use trubka_protocol::cases::{CallNoteView, CaseView, ClaimView, WireCaseStatus};

use super::CaseError;
use crate::agents::Agent;
use crate::store::StoreError;

/// The most cases one answer holds.
pub(crate) const MAX_LIMIT: u32 = 1000;
/// Cases one answer holds when the request names no limit.
pub(crate) const DEFAULT_LIMIT: u32 = 200;

/// Which cases `GET /v1/cases` asks for.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CaseFilter {
    pub(crate) status: Option<WireCaseStatus>,
    /// Only the agent's: responsible for it, or holding its claim.
    pub(crate) mine: bool,
    pub(crate) limit: u32,
}

fn from_ms(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

/// The cases the agent may see (supervisors: all), newest change first.
pub(crate) fn cases(
    conn: &Connection,
    agent: &Agent,
    filter: CaseFilter,
    now: DateTime<Utc>,
) -> Result<Vec<CaseView>, CaseError> {
    // `audience` is ids joined by commas; wrapped in commas, one id is one substring.
    let mut statement = conn.prepare_cached(
        "SELECT c.key, c.json, k.agent_id, a.name, k.at, k.expires_at
         FROM cases c
         LEFT JOIN case_claims k ON k.case_key = c.key AND k.expires_at > ?5
         LEFT JOIN agents a ON a.id = k.agent_id
         WHERE (?1 IS NULL OR c.status = ?1)
           AND (?2 OR instr(',' || c.audience || ',', ',' || ?3 || ',') > 0)
           AND (NOT ?4 OR c.responsible = ?3 OR k.agent_id = ?3)
         ORDER BY c.version DESC LIMIT ?6",
    )?;
    let rows = statement.query_map(
        params![
            filter.status.map(WireCaseStatus::as_str),
            agent.supervisor,
            agent.id,
            filter.mine,
            now.timestamp_millis(),
            filter.limit.min(MAX_LIMIT)
        ],
        |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, Option<i64>>(2)?,
                row.get::<_, Option<String>>(3)?,
                row.get::<_, Option<i64>>(4)?,
                row.get::<_, Option<i64>>(5)?,
            ))
        },
    )?;
    let mut cases = Vec::new();
    for row in rows {
        let (key, json, agent_id, name, at, expires_at) = row?;
        let mut view: CaseView = serde_json::from_str(&json)
            .map_err(|e| StoreError::Corrupt(format!("case {key}: {e}")))?;
        view.claim = match (agent_id, at, expires_at) {
            (Some(agent_id), Some(at), Some(expires_at)) => Some(ClaimView {
                agent_id,
                agent: name.unwrap_or_else(|| format!("#{agent_id}")),
                at: from_ms(at),
                expires_at: from_ms(expires_at),
            }),
            _ => None,
        };
        cases.push(view);
    }
    Ok(cases)
}

/// The notes on a call, oldest first (the caller checked the agent may see the call).
pub(crate) fn notes(conn: &Connection, call_id: &str) -> Result<Vec<CallNoteView>, CaseError> {
    let mut statement = conn.prepare_cached(
        "SELECT n.id, n.agent_id, a.name, n.at, n.text, n.tags, n.new_case
         FROM call_notes n LEFT JOIN agents a ON a.id = n.agent_id
         WHERE n.call_id = ?1 ORDER BY n.id",
    )?;
    let rows = statement.query_map([call_id], |row| {
        Ok((
            row.get::<_, i64>(0)?,
            row.get::<_, i64>(1)?,
            row.get::<_, Option<String>>(2)?,
            row.get::<_, i64>(3)?,
            row.get::<_, String>(4)?,
            row.get::<_, String>(5)?,
            row.get::<_, bool>(6)?,
        ))
    })?;
    let mut notes = Vec::new();
    for row in rows {
        let (id, agent_id, name, at, text, tags, new_case) = row?;
        let tags: Vec<String> = serde_json::from_str(&tags)
            .map_err(|e| StoreError::Corrupt(format!("tags of note {id}: {e}")))?;
        notes.push(CallNoteView {
            id,
            call_id: call_id.to_owned(),
            author: name.unwrap_or_else(|| format!("#{agent_id}")),
            at: from_ms(at),
            text,
            tags,
            new_case,
        });
    }
    Ok(notes)
}
