//! The SQL of storing: one event (with its audience) or one rejected payload, inside the
//! writer's open transaction.

use rusqlite::{OptionalExtension, Transaction, params};

use super::StoreError;
use super::writer::{PreparedEvent, Rejection};
use crate::agents::{AgentId, AgentSet};
use crate::audience::{CallSoFar, audience, names_employee};

/// Rejected payloads kept; older ones are deleted as new ones arrive.
const REJECTED_KEPT: i64 = 10_000;

/// A new event, handed to the hub once its transaction has committed.
pub(crate) struct Published {
    pub(crate) seq: u64,
    pub(crate) json: String,
    pub(crate) audience: Vec<AgentId>,
    /// The first event stored for its call (the CRM is asked about a new call's number).
    pub(crate) opens_call: bool,
}

pub(crate) enum Inserted {
    New { id: String, publish: Published },
    Duplicate { id: String, seq: u64 },
}

pub(crate) fn insert_event(
    tx: &Transaction<'_>,
    agents: &AgentSet,
    prepared: PreparedEvent,
    seq: u64,
    now_ms: i64,
) -> Result<Inserted, StoreError> {
    let PreparedEvent { event, json } = prepared;
    let id = event.id.0.as_str();
    let call_id = event.call_id.0.as_str();
    let inserted = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO events(seq, id, call_id, json, received_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![seq as i64, id, call_id, json, now_ms])?;
    if inserted == 0 {
        let seq: i64 = tx
            .prepare_cached("SELECT seq FROM events WHERE id = ?1")?
            .query_row([id], |row| row.get(0))?;
        return Ok(Inserted::Duplicate {
            id: id.to_owned(),
            seq: seq as u64,
        });
    }

    let call: Option<(bool, String)> = tx
        .prepare_cached("SELECT employee_seen, audience FROM calls WHERE call_id = ?1")?
        .query_row([call_id], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    let (employee_seen, previous) = match &call {
        Some((seen, audience)) => (*seen, decode_audience(audience)?),
        None => (false, Vec::new()),
    };
    let who = audience(
        &event,
        agents,
        CallSoFar {
            employee_seen,
            audience: &previous,
            placed_by: crate::placed::placer(tx, &event)?,
        },
    );

    // Supervisors see every event anyway (their resume reads the log itself), so they are
    // kept out of the deliveries and of the call's audience.
    let mut followers = previous;
    let mut delivery =
        tx.prepare_cached("INSERT INTO deliveries(seq, agent_id) VALUES (?1, ?2)")?;
    for agent in &who {
        if agents.get(*agent).is_some_and(|a| a.supervisor) {
            continue;
        }
        delivery.execute(params![seq as i64, agent])?;
        followers.push(*agent);
    }
    followers.sort_unstable();
    followers.dedup();
    tx.prepare_cached(
        "INSERT INTO calls(call_id, employee_seen, audience) VALUES (?1, ?2, ?3)
         ON CONFLICT(call_id) DO UPDATE SET
             employee_seen = excluded.employee_seen, audience = excluded.audience",
    )?
    .execute(params![
        call_id,
        employee_seen || names_employee(&event),
        encode_audience(&followers)
    ])?;
    Ok(Inserted::New {
        id: id.to_owned(),
        publish: Published {
            seq,
            json,
            audience: who,
            opens_call: call.is_none(),
        },
    })
}

/// A call's audience as stored: agent ids joined by commas (`3,17,42`).
fn encode_audience(agents: &[AgentId]) -> String {
    let ids: Vec<String> = agents.iter().map(AgentId::to_string).collect();
    ids.join(",")
}

pub(crate) fn decode_audience(text: &str) -> Result<Vec<AgentId>, StoreError> {
    text.split(',')
        .filter(|id| !id.is_empty())
        .map(|id| {
            id.parse()
                .map_err(|_| StoreError::Corrupt(format!("call audience `{text}`")))
        })
        .collect()
}

pub(crate) fn insert_rejection(
    tx: &Transaction<'_>,
    rejection: &Rejection,
    now_ms: i64,
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO rejected(at, provider, reason_code, message, query, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        now_ms,
        rejection.provider.as_str(),
        rejection.reason_code,
        rejection.message,
        rejection.query,
        rejection.body
    ])?;
    tx.prepare_cached("DELETE FROM rejected WHERE id <= last_insert_rowid() - ?1")?
        .execute([REJECTED_KEPT])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_audience_survives_storage() {
        assert_eq!(encode_audience(&[]), "");
        assert_eq!(decode_audience("").unwrap(), Vec::<AgentId>::new());
        assert_eq!(encode_audience(&[3, 17, 42]), "3,17,42");
        assert_eq!(decode_audience("3,17,42").unwrap(), vec![3, 17, 42]);
        assert!(matches!(
            decode_audience("3,x"),
            Err(StoreError::Corrupt(_))
        ));
    }
}
