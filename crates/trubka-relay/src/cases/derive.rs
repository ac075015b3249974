//! One client number's cases, recomputed: its calls (from the event log), the closes and
//! notes of those calls in, `trubka_core::cases` over them, the changed case rows out.
//!
//! Everything is read again from the tables each time, so the order events arrived in, or a
//! call reconciliation stored later, gives the same cases.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use trubka_core::{
    CallId, CallNote, CallState, CaseInput, CaseKey, Direction, ManualClose, Provider, cases,
};
use trubka_protocol::cases::{CaseView, WireCaseStatus};
use trubka_protocol::event_from_json;

use super::worker::CaseWorker;
use super::{CaseError, agent_name, agent_of, claims, employee_of, encode_ids};
use crate::agents::{AgentId, AgentSet};
use crate::store::StoreError;
use crate::store::append::decode_audience;

/// A call's events, folded; `None` when none are stored.
pub(crate) fn load_call(conn: &Connection, call_id: &str) -> Result<Option<CallState>, CaseError> {
    // Event ids start with their call id and a colon: one range of the unique index.
    let (from, until) = (format!("{call_id}:"), format!("{call_id};"));
    let mut statement = conn.prepare_cached(
        "SELECT json FROM events WHERE id >= ?1 AND id < ?2 AND call_id = ?3 ORDER BY seq",
    )?;
    let texts = statement
        .query_map(params![from, until, call_id], |row| row.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    let mut events = Vec::with_capacity(texts.len());
    for text in texts {
        let event = event_from_json(&text)
            .map_err(|e| StoreError::Corrupt(format!("event of call {call_id}: {e}")))?;
        events.push(event);
    }
    Ok(CallState::from_events(events))
}

/// The number a call is grouped by: the client's E.164, or `call:{id}` for a call whose
/// client cannot be grouped (a hidden or odd number, an internal call).
fn number_of(state: &CallState) -> String {
    match (&state.contact().phone, state.direction()) {
        (Some(phone), Direction::In | Direction::Out) => phone.e164().to_owned(),
        _ => format!("call:{}", state.call_id()),
    }
}

/// The call's client number now, and the one recorded before (`None`: not yet), with the
/// call's state; `None` for a call without events. Nothing is written here: [`write`]
/// records it with the cases.
pub(crate) fn client_number(
    conn: &Connection,
    call_id: &str,
) -> Result<Option<(String, Option<String>, CallState)>, CaseError> {
    let Some(state) = load_call(conn, call_id)? else {
        return Ok(None);
    };
    let before: Option<String> = conn
        .prepare_cached("SELECT number FROM call_clients WHERE call_id = ?1")?
        .query_row([call_id], |row| row.get(0))
        .optional()?;
    Ok(Some((number_of(&state), before, state)))
}

/// The client number of a call (see [`number_of`]); `None` for a call without events.
pub(crate) fn number_of_call(
    conn: &Connection,
    call_id: &str,
) -> Result<Option<String>, CaseError> {
    Ok(load_call(conn, call_id)?.map(|state| number_of(&state)))
}

/// The `meta` key of the backfill's second pass: the number after which cases are still to
/// be derived (`""`: all of them); no row when nothing is owed.
const BACKFILL_KEY: &str = "cases_backfill_after";

/// Where the backfill's second pass is owed from, if it is.
pub(crate) fn backfill_owed(conn: &Connection) -> Result<Option<String>, CaseError> {
    Ok(crate::store::meta(conn, BACKFILL_KEY)?)
}

/// Records where the backfill's second pass goes on from; `None`: it is done.
pub(crate) fn owe_backfill(conn: &Connection, after: Option<&str>) -> Result<(), CaseError> {
    match after {
        Some(after) => conn
            .prepare_cached(
                "INSERT INTO meta(key, value) VALUES (?1, ?2)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            )?
            .execute(params![BACKFILL_KEY, after])?,
        None => conn
            .prepare_cached("DELETE FROM meta WHERE key = ?1")?
            .execute([BACKFILL_KEY])?,
    };
    Ok(())
}

/// Client numbers after `after`, in order.
pub(crate) fn numbers_after(
    conn: &Connection,
    after: &str,
    limit: usize,
) -> Result<Vec<String>, CaseError> {
    let mut statement = conn.prepare_cached(
        "SELECT DISTINCT number FROM call_clients WHERE number > ?1 ORDER BY number LIMIT ?2",
    )?;
    let numbers = statement
        .query_map(params![after, limit as i64], |row| row.get(0))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(numbers)
}

/// Calls (from `calls`) after `after` in id order that have no client number yet.
pub(crate) fn calls_without_number(
    conn: &Connection,
    after: &str,
    limit: usize,
) -> Result<Vec<String>, CaseError> {
    let mut statement = conn.prepare_cached(
        "SELECT c.call_id FROM calls c LEFT JOIN call_clients k ON k.call_id = c.call_id
         WHERE c.call_id > ?1 AND k.call_id IS NULL ORDER BY c.call_id LIMIT ?2",
    )?;
    let calls = statement
        .query_map(params![after, limit as i64], |row| row.get(0))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(calls)
}

fn from_ms(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

fn call_id(text: &str) -> Result<CallId, CaseError> {
    let (provider, id) = text
        .split_once(':')
        .ok_or_else(|| StoreError::Corrupt(format!("call id `{text}`")))?;
    let provider = Provider::parse(provider)
        .ok_or_else(|| StoreError::Corrupt(format!("call id `{text}`")))?;
    Ok(CallId::new(provider, id))
}

/// What the cases of one number are made of.
struct Inputs {
    calls: Vec<CallState>,
    closes: Vec<ManualClose>,
    notes: Vec<CallNote>,
    /// Who may see each call (`calls.audience`).
    audiences: HashMap<String, Vec<AgentId>>,
}

/// The number's calls: those recorded with it, with `assigned` (numbers not written yet)
/// taking precedence.
fn inputs(
    conn: &Connection,
    agents: &AgentSet,
    number: &str,
    assigned: &HashMap<String, String>,
) -> Result<Inputs, CaseError> {
    let mut ids: Vec<String> = conn
        .prepare_cached("SELECT call_id FROM call_clients WHERE number = ?1")?
        .query_map([number], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    ids.retain(|id| assigned.get(id).is_none_or(|n| n == number));
    for (id, n) in assigned {
        if n == number && !ids.contains(id) {
            ids.push(id.clone());
        }
    }
    let mut inputs = Inputs {
        calls: Vec::with_capacity(ids.len()),
        closes: Vec::new(),
        notes: Vec::new(),
        audiences: HashMap::new(),
    };
    let by = |agent_id: i64| agents.get(agent_id).map(employee_of);
    for id in &ids {
        if let Some(state) = load_call(conn, id)? {
            inputs.calls.push(state);
        }
        let audience: Option<String> = conn
            .prepare_cached("SELECT audience FROM calls WHERE call_id = ?1")?
            .query_row([id], |row| row.get(0))
            .optional()?;
        inputs.audiences.insert(
            id.clone(),
            decode_audience(audience.as_deref().unwrap_or(""))?,
        );
        let mut closes = conn.prepare_cached(
            "SELECT at, agent_id, reason FROM case_closes WHERE case_key = ?1 ORDER BY id",
        )?;
        let rows = closes.query_map([id], |row| {
            Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?, row.get(2)?))
        })?;
        for row in rows {
            let (at, agent, reason) = row?;
            inputs.closes.push(ManualClose {
                case: CaseKey(call_id(id)?),
                at: from_ms(at),
                by: by(agent),
                reason,
            });
        }
        let mut notes = conn.prepare_cached(
            "SELECT at, agent_id, text, new_case FROM call_notes WHERE call_id = ?1 ORDER BY id",
        )?;
        let rows = notes.query_map([id], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, i64>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, bool>(3)?,
            ))
        })?;
        for row in rows {
            let (at, agent, gist, new_case) = row?;
            inputs.notes.push(CallNote {
                call: call_id(id)?,
                at: from_ms(at),
                by: by(agent),
                gist,
                new_case,
            });
        }
    }
    Ok(inputs)
}

/// A case row as stored.
struct Stored {
    view: CaseView,
    audience: String,
}

/// What one number's recomputation writes.
pub(crate) struct Plan {
    number: String,
    /// Changed cases: the view (without claim), who may see it, the responsible agent.
    rows: Vec<(CaseView, Vec<AgentId>, Option<AgentId>)>,
    /// Cases that are no more (their first call turned out to be another).
    gone: Vec<String>,
    /// Claims that end: the case closed, or the claiming agent's call to the client ended.
    claims_done: Vec<String>,
}

impl Plan {
    /// The changed cases, to publish once written.
    pub(crate) fn into_changed(self) -> Vec<(CaseView, Vec<AgentId>)> {
        self.rows.into_iter().map(|(v, a, _)| (v, a)).collect()
    }
}

/// Derives the number's cases from what is stored (and `assigned`, the call numbers not yet
/// written) and decides what changes; reads only, so the write lock is held just by [`write`].
pub(crate) fn plan(
    worker: &CaseWorker,
    number: &str,
    assigned: &HashMap<String, String>,
    now: DateTime<Utc>,
) -> Result<Plan, CaseError> {
    let conn = &worker.conn;
    let inputs = inputs(conn, &worker.agents, number, assigned)?;
    let derived = cases(
        inputs
            .calls
            .iter()
            .map(CaseInput::Call)
            .chain(inputs.closes.iter().map(CaseInput::Closed))
            .chain(inputs.notes.iter().map(CaseInput::Note)),
        worker.rule,
    );
    let mut stored: HashMap<String, Stored> = HashMap::new();
    {
        let mut statement =
            conn.prepare_cached("SELECT key, json, audience FROM cases WHERE number = ?1")?;
        let rows = statement.query_map([number], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
            ))
        })?;
        for row in rows {
            let (key, json, audience) = row?;
            let view: CaseView = serde_json::from_str(&json)
                .map_err(|e| StoreError::Corrupt(format!("case {key}: {e}")))?;
            stored.insert(key, Stored { view, audience });
        }
    }

    let agents = &worker.agents;
    let name = |employee: &trubka_core::Employee| agent_name(agents, employee);
    let mut plan = Plan {
        number: number.to_owned(),
        rows: Vec::new(),
        gone: Vec::new(),
        claims_done: Vec::new(),
    };
    for case in &derived {
        let mut audience: Vec<AgentId> = case
            .calls
            .iter()
            .flat_map(|call| inputs.audiences.get(&call.to_string()))
            .flatten()
            .copied()
            .collect();
        audience.sort_unstable();
        audience.dedup();
        let key = case.key.to_string();
        let fresh = CaseView::from_case(case, 0, now, &name);
        let claim_ends = if fresh.status == WireCaseStatus::Closed {
            claims::has_claim(conn, &key)?
        } else {
            claims::ended_by_call(conn, &key, &inputs.calls, &inputs.audiences)?
        };
        if claim_ends {
            plan.claims_done.push(key.clone());
        }
        let previous = stored.remove(&key);
        if !claim_ends
            && let Some(previous) = &previous
            && previous.view.same_case(&fresh)
            && previous.audience == encode_ids(&audience)
        {
            continue;
        }
        let mut view = fresh;
        view.version = worker.next_version();
        let responsible = case
            .responsible
            .as_ref()
            .and_then(|employee| agent_of(agents, employee));
        plan.rows.push((view, audience, responsible));
    }
    plan.gone = stored.into_keys().collect();
    Ok(plan)
}

/// What a pass folded: the calls, and the log's head read before their fold (see
/// [`super::owed`]).
pub(crate) struct Folded<'a> {
    pub(crate) calls: &'a BTreeSet<String>,
    pub(crate) read_head: u64,
}

/// Writes the call numbers, the plans and whether an agent talks on each call folded
/// (`talking`, see `presence::on_call::keep`), and settles the calls `folded`, in one short
/// transaction.
pub(crate) fn write(
    conn: &Connection,
    assigned: &HashMap<String, String>,
    plans: &[Plan],
    talking: &[(String, bool)],
    folded: Option<Folded<'_>>,
    now: DateTime<Utc>,
) -> Result<(), CaseError> {
    // Immediate: a read transaction upgraded to a write after the event writer committed
    // would fail at once instead of waiting.
    let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
    for (call_id, number) in assigned {
        tx.prepare_cached(
            "INSERT INTO call_clients(call_id, number) VALUES (?1, ?2)
             ON CONFLICT(call_id) DO UPDATE SET number = excluded.number",
        )?
        .execute(params![call_id, number])?;
    }
    for plan in plans {
        for (view, audience, responsible) in &plan.rows {
            let json = serde_json::to_string(view)
                .map_err(|e| StoreError::Corrupt(format!("case {}: {e}", view.key)))?;
            tx.prepare_cached(
                "INSERT INTO cases(key, number, status, audience, responsible, json, updated_at,
                     version)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT(key) DO UPDATE SET number = excluded.number,
                     status = excluded.status, audience = excluded.audience,
                     responsible = excluded.responsible, json = excluded.json,
                     updated_at = excluded.updated_at, version = excluded.version",
            )?
            .execute(params![
                view.key,
                plan.number,
                view.status.as_str(),
                encode_ids(audience),
                responsible,
                json,
                now.timestamp_millis(),
                view.version as i64
            ])?;
        }
        for key in plan.gone.iter().chain(&plan.claims_done) {
            tx.prepare_cached("DELETE FROM case_claims WHERE case_key = ?1")?
                .execute([key])?;
        }
        for key in &plan.gone {
            tx.prepare_cached("DELETE FROM cases WHERE key = ?1")?
                .execute([key])?;
        }
    }
    crate::presence::on_call::keep(&tx, talking)?;
    if let Some(folded) = folded {
        super::owed::settle(&tx, folded.calls, folded.read_head)?;
    }
    tx.commit()?;
    Ok(())
}
