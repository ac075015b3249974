//! «On a call» from the relay's own event log, for agents whose PBX lists no calls in
//! progress (Sipuni) and for UIS agents between two read-backs of `list.calls`.
//!
//! An agent is on a call while a call routed to and answered by that agent has not ended:
//! a leg of the agent's employee that answered and has not ended (its own `leg_ended`, e.g.
//! after a transfer, or the call's `ended`). The case worker folds every call whose events
//! were stored (`crate::cases::worker`) and hands the state here; this keeps, per call in
//! progress, the agents talking on it. A call that has heard nothing for [`LONGEST_CALL`] is
//! taken to be over: its end was lost, and reconciliation stores it later.
//!
//! The same pass keeps the ids of those calls in `calls_talking` ([`keep`]), so a relay that
//! starts knows who is on a call before the next event: the case worker folds the calls kept
//! there again ([`kept`]) and hands them here like any other, without reading the whole log.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, TimeDelta, Utc};
use rusqlite::Connection;
use trubka_core::{CallState, CallStatus, Employee};

use crate::agents::{AgentId, AgentSet};
use crate::store::StoreError;

/// Schema 10: the calls in progress with an agent talking on them (see `store::schema`).
pub(crate) const SCHEMA: &str = r#"
    -- Calls the case worker's fold last found an agent talking on, heard from within the
    -- longest a call goes on silent (`presence::on_call`). Written in the worker's pass; a
    -- relay that starts folds these calls again to know who is on a call.
    CREATE TABLE calls_talking(
        call_id TEXT PRIMARY KEY
    ) WITHOUT ROWID;
"#;

/// The longest a call is believed to go on without any event.
pub(crate) const LONGEST_CALL: TimeDelta = TimeDelta::hours(4);

/// The calls in progress that have an agent talking on them.
#[derive(Debug, Default)]
pub(crate) struct CallsInProgress {
    calls: HashMap<String, Talking>,
}

#[derive(Debug)]
struct Talking {
    agents: Vec<AgentId>,
    last_event: DateTime<Utc>,
}

/// The agents talking on the call now: those whose employee's leg answered and has not ended,
/// while the call has not ended.
pub(crate) fn talking(state: &CallState, agents: &AgentSet) -> Vec<AgentId> {
    if state.status() == CallStatus::Ended {
        return Vec::new();
    }
    let mut talking: Vec<AgentId> = state
        .legs()
        .iter()
        .filter(|leg| leg.answered_at.is_some() && leg.ended_at.is_none())
        .flat_map(|leg| agents_of(agents, &leg.employee))
        .collect();
    talking.sort_unstable();
    talking.dedup();
    talking
}

/// Every agent an employee is: by UIS employee id, Sipuni extension or employee phone.
fn agents_of(agents: &AgentSet, employee: &Employee) -> Vec<AgentId> {
    let mut ids = Vec::new();
    if let Some(id) = employee.id.as_deref() {
        ids.extend_from_slice(agents.by_uis_employee(id));
    }
    if let Some(extension) = employee.extension.as_deref() {
        ids.extend_from_slice(agents.by_sipuni_ext(extension));
    }
    if let Some(phone) = employee.phone.as_deref() {
        ids.extend_from_slice(agents.by_employee_phone(phone));
    }
    ids
}

/// Whether a call last heard from at `last` may still be going on at `now`.
fn heard_lately(last: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now.signed_duration_since(last) <= LONGEST_CALL
}

impl CallsInProgress {
    /// Records who talks on `call_id` at `now` (nobody: the call is over, nobody answered,
    /// or it has been silent too long); returns whether anybody does.
    pub(crate) fn observe(
        &mut self,
        call_id: &str,
        agents: Vec<AgentId>,
        last: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> bool {
        if agents.is_empty() || !heard_lately(last, now) {
            self.calls.remove(call_id);
            return false;
        }
        self.calls.insert(
            call_id.to_owned(),
            Talking {
                agents,
                last_event: last,
            },
        );
        true
    }

    /// The agents on a call at `now`; calls silent for longer than [`LONGEST_CALL`] are
    /// forgotten.
    pub(crate) fn agents(&mut self, now: DateTime<Utc>) -> HashSet<AgentId> {
        self.calls
            .retain(|_, call| heard_lately(call.last_event, now));
        self.calls
            .values()
            .flat_map(|call| call.agents.iter().copied())
            .collect()
    }
}

/// The calls kept in `calls_talking`: those an agent talked on when the relay stopped.
pub(crate) fn kept(conn: &Connection) -> Result<BTreeSet<String>, StoreError> {
    let mut statement = conn.prepare_cached("SELECT call_id FROM calls_talking")?;
    let calls = statement
        .query_map([], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(calls)
}

/// Keeps each call of `calls` in `calls_talking` while an agent talks on it (true), and
/// drops it otherwise; run in the transaction of the pass that folded them.
pub(crate) fn keep(conn: &Connection, calls: &[(String, bool)]) -> Result<(), StoreError> {
    for (call_id, talking) in calls {
        let sql = if *talking {
            "INSERT OR IGNORE INTO calls_talking(call_id) VALUES (?1)"
        } else {
            "DELETE FROM calls_talking WHERE call_id = ?1"
        };
        conn.prepare_cached(sql)?.execute([call_id])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agents_talk_until_their_call_ends_or_falls_silent() {
        let mut calls = CallsInProgress::default();
        let now = Utc::now();
        let (anna, igor): (AgentId, AgentId) = (1, 2);
        assert!(calls.observe("sipuni:1", vec![anna], now, now));
        assert!(calls.observe("uis:2", vec![igor], now - LONGEST_CALL, now));
        assert_eq!(calls.agents(now), HashSet::from([anna, igor]));
        // Silent for longer than a call goes on: forgotten, not only hidden.
        assert_eq!(
            calls.agents(now + TimeDelta::seconds(1)),
            HashSet::from([anna])
        );
        assert_eq!(calls.calls.len(), 1);
        // A call already silent that long is not taken in at all.
        let silent = now - LONGEST_CALL - TimeDelta::seconds(1);
        assert!(!calls.observe("uis:4", vec![igor], silent, now));
        assert!(!calls.observe("uis:3", Vec::new(), now, now));
        assert_eq!(calls.calls.len(), 1);
        assert!(!calls.observe("sipuni:1", Vec::new(), now, now));
        assert!(calls.agents(now).is_empty());
    }

    #[test]
    fn the_calls_kept_are_those_last_found_talking() {
        let dir = tempfile::tempdir().unwrap();
        crate::store::Store::open(dir.path()).unwrap();
        let path = dir.path().join(crate::store::DATABASE_FILE);
        let conn = crate::store::open_connection(&path, crate::store::Role::Writer).unwrap();
        keep(
            &conn,
            &[("uis:1".to_owned(), true), ("sipuni:2".to_owned(), true)],
        )
        .unwrap();
        // Kept twice is kept once; a call nobody talks on any more goes.
        keep(
            &conn,
            &[("uis:1".to_owned(), true), ("sipuni:2".to_owned(), false)],
        )
        .unwrap();
        assert_eq!(kept(&conn).unwrap(), BTreeSet::from(["uis:1".to_owned()]));
        keep(&conn, &[("uis:1".to_owned(), false)]).unwrap();
        assert!(kept(&conn).unwrap().is_empty());
    }
}
