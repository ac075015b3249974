//! «Перезваниваю»: an agent claims a case so that nobody else calls the client back.
//!
//! One live claim per case. A claim lapses after `[cases] claim_minutes`, or as soon as an
//! outgoing call of the client's number that the claiming agent saw has ended after the
//! claim (the call-back is done, whatever came of it), or when the case closes. Every change
//! bumps the case's version and sends its `case` frame at once.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use trubka_core::{CallState, Direction};
use trubka_protocol::cases::{CaseView, ClaimView, WireCaseStatus};

use super::CaseError;
use super::worker::CaseWorker;
use crate::agents::{Agent, AgentId, AgentSet};
use crate::store::StoreError;
use crate::store::append::decode_audience;

/// The case's claim, unless it has lapsed by `now`.
pub(crate) fn live(
    conn: &Connection,
    agents: &AgentSet,
    key: &str,
    now: DateTime<Utc>,
) -> Result<Option<ClaimView>, CaseError> {
    let row: Option<(i64, i64, i64)> = conn
        .prepare_cached("SELECT agent_id, at, expires_at FROM case_claims WHERE case_key = ?1")?
        .query_row([key], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .optional()?;
    Ok(row.and_then(|(agent_id, at, expires_at)| {
        let expires_at = from_ms(expires_at);
        (expires_at > now).then(|| ClaimView {
            agent_id,
            agent: agents
                .get(agent_id)
                .map_or_else(|| format!("#{agent_id}"), |a| a.name.clone()),
            at: from_ms(at),
            expires_at,
        })
    }))
}

fn from_ms(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

/// Cases whose claim is past its time.
pub(crate) fn expired(conn: &Connection, now: DateTime<Utc>) -> Result<Vec<String>, CaseError> {
    let keys = conn
        .prepare_cached("SELECT case_key FROM case_claims WHERE expires_at <= ?1")?
        .query_map([now.timestamp_millis()], |row| row.get(0))?
        .collect::<Result<Vec<String>, _>>()?;
    Ok(keys)
}

/// Whether the case's claim ends because the claiming agent's call to the client ended
/// after it was made (among `calls`, the number's calls).
pub(crate) fn ended_by_call(
    conn: &Connection,
    key: &str,
    calls: &[CallState],
    audiences: &HashMap<String, Vec<AgentId>>,
) -> Result<bool, CaseError> {
    let row: Option<(i64, i64)> = conn
        .prepare_cached("SELECT agent_id, at FROM case_claims WHERE case_key = ?1")?
        .query_row([key], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    let Some((agent, at)) = row else {
        return Ok(false);
    };
    let at = from_ms(at);
    let done = calls.iter().any(|call| {
        call.direction() == Direction::Out
            && call.ended_at().is_some_and(|end| end >= at)
            && audiences
                .get(&call.call_id().to_string())
                .is_some_and(|who| who.contains(&agent))
    });
    Ok(done)
}

/// Whether the case has a claim, lapsed or not.
pub(crate) fn has_claim(conn: &Connection, key: &str) -> Result<bool, CaseError> {
    let found: Option<i64> = conn
        .prepare_cached("SELECT 1 FROM case_claims WHERE case_key = ?1")?
        .query_row([key], |row| row.get(0))
        .optional()?;
    Ok(found.is_some())
}

/// A stored case the agent may see, with its audience; `NotFound` otherwise.
pub(crate) fn visible_case(
    conn: &Connection,
    key: &str,
    agent: &Agent,
) -> Result<(CaseView, Vec<AgentId>), CaseError> {
    let row: Option<(String, String)> = conn
        .prepare_cached("SELECT json, audience FROM cases WHERE key = ?1")?
        .query_row([key], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    let not_found = || {
        CaseError::NotFound(format!(
            "Обращения «{key}» нет или оно вам не видно / No case «{key}» you may see"
        ))
    };
    let (json, audience) = row.ok_or_else(not_found)?;
    let audience = decode_audience(&audience)?;
    if !agent.supervisor && !audience.contains(&agent.id) {
        return Err(not_found());
    }
    let view: CaseView =
        serde_json::from_str(&json).map_err(|e| StoreError::Corrupt(format!("case {key}: {e}")))?;
    Ok((view, audience))
}

/// Gives the case's row a new version (its claim changed) and publishes it.
pub(crate) fn bump(
    worker: &mut CaseWorker,
    mut view: CaseView,
    audience: &[AgentId],
    now: DateTime<Utc>,
) -> Result<CaseView, CaseError> {
    view.version = worker.next_version();
    view.updated_at = now;
    view.claim = None;
    let json = serde_json::to_string(&view)
        .map_err(|e| StoreError::Corrupt(format!("case {}: {e}", view.key)))?;
    worker
        .conn
        .prepare_cached("UPDATE cases SET json = ?2, updated_at = ?3, version = ?4 WHERE key = ?1")?
        .execute(params![
            view.key,
            json,
            now.timestamp_millis(),
            view.version as i64
        ])?;
    worker.publish(view, audience)
}

/// The agent claims the case: 409 while another agent's claim is live, and for a closed
/// case. Claiming again renews one's own claim.
pub(crate) fn claim(
    worker: &mut CaseWorker,
    key: &str,
    agent: &Agent,
    now: DateTime<Utc>,
) -> Result<CaseView, CaseError> {
    let (view, audience) = visible_case(&worker.conn, key, agent)?;
    if view.status == WireCaseStatus::Closed {
        return Err(CaseError::Claimed(
            "Обращение закрыто: перезванивать по нему не нужно / The case is closed".to_owned(),
        ));
    }
    if let Some(held) = live(&worker.conn, &worker.agents, key, now)?
        && held.agent_id != agent.id
    {
        return Err(CaseError::Claimed(format!(
            "Уже перезванивает {} / {} is already calling back",
            held.agent, held.agent
        )));
    }
    let expires = now + Duration::minutes(i64::from(worker.claim_minutes));
    worker
        .conn
        .prepare_cached(
            "INSERT INTO case_claims(case_key, agent_id, at, expires_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(case_key) DO UPDATE SET agent_id = excluded.agent_id,
                 at = excluded.at, expires_at = excluded.expires_at",
        )?
        .execute(params![
            key,
            agent.id,
            now.timestamp_millis(),
            expires.timestamp_millis()
        ])?;
    bump(worker, view, &audience, now)
}

/// The agent lets go of the case's claim: their own, or anyone's for a supervisor.
pub(crate) fn release(
    worker: &mut CaseWorker,
    key: &str,
    agent: &Agent,
    now: DateTime<Utc>,
) -> Result<CaseView, CaseError> {
    let (view, audience) = visible_case(&worker.conn, key, agent)?;
    let Some(held) = live(&worker.conn, &worker.agents, key, now)? else {
        let mut view = view;
        view.claim = None;
        return Ok(view);
    };
    if held.agent_id != agent.id && !agent.supervisor {
        return Err(CaseError::Forbidden(format!(
            "Перезванивает {}: снять чужую отметку может только супервизор / {} holds the \
             claim; only a supervisor may release another agent's claim",
            held.agent, held.agent
        )));
    }
    worker
        .conn
        .prepare_cached("DELETE FROM case_claims WHERE case_key = ?1")?
        .execute([key])?;
    bump(worker, view, &audience, now)
}

/// Deletes a lapsed claim and publishes its case.
pub(crate) fn drop_claim(
    worker: &mut CaseWorker,
    key: &str,
    now: DateTime<Utc>,
) -> Result<(), CaseError> {
    worker
        .conn
        .prepare_cached("DELETE FROM case_claims WHERE case_key = ?1")?
        .execute([key])?;
    let row: Option<(String, String)> = worker
        .conn
        .prepare_cached("SELECT json, audience FROM cases WHERE key = ?1")?
        .query_row([key], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    if let Some((json, audience)) = row {
        let view: CaseView = serde_json::from_str(&json)
            .map_err(|e| StoreError::Corrupt(format!("case {key}: {e}")))?;
        let audience = decode_audience(&audience)?;
        bump(worker, view, &audience, now)?;
    }
    Ok(())
}
