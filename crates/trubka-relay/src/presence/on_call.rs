//! «On a call» from the relay's own event log, for agents whose PBX lists no calls in
//! progress (Sipuni) and for UIS agents between two read-backs of `list.calls`.
//!
//! An agent is on a call while a call routed to and answered by that agent has not ended:
//! a leg of the agent's employee that answered and has not ended (its own `leg_ended`, e.g.
//! after a transfer, or the call's `ended`). The case worker folds every call whose events
//! were stored (`crate::cases::worker`) and hands the state here; this keeps, per call in
//! progress, the agents talking on it. A call that has heard nothing for [`LONGEST_CALL`] is
//! taken to be over: its end was lost, and reconciliation stores it later.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, TimeDelta, Utc};
use trubka_core::{CallState, CallStatus, Employee};

use crate::agents::{AgentId, AgentSet};

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

impl CallsInProgress {
    /// Records who talks on `call_id` now (nobody: the call is over or nobody answered).
    pub(crate) fn observe(&mut self, call_id: &str, agents: Vec<AgentId>, last: DateTime<Utc>) {
        if agents.is_empty() {
            self.calls.remove(call_id);
        } else {
            self.calls.insert(
                call_id.to_owned(),
                Talking {
                    agents,
                    last_event: last,
                },
            );
        }
    }

    /// The agents on a call at `now`; calls silent for longer than [`LONGEST_CALL`] are
    /// forgotten.
    pub(crate) fn agents(&mut self, now: DateTime<Utc>) -> HashSet<AgentId> {
        self.calls
            .retain(|_, call| now.signed_duration_since(call.last_event) <= LONGEST_CALL);
        self.calls
            .values()
            .flat_map(|call| call.agents.iter().copied())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agents_talk_until_their_call_ends_or_falls_silent() {
        let mut calls = CallsInProgress::default();
        let now = Utc::now();
        let (anna, igor): (AgentId, AgentId) = (1, 2);
        calls.observe("sipuni:1", vec![anna], now);
        calls.observe(
            "uis:2",
            vec![igor],
            now - LONGEST_CALL - TimeDelta::seconds(1),
        );
        assert_eq!(calls.agents(now), HashSet::from([anna]));
        // The silent call is forgotten, not only hidden.
        calls.observe("uis:3", Vec::new(), now);
        assert_eq!(calls.calls.len(), 1);
        calls.observe("sipuni:1", Vec::new(), now);
        assert!(calls.agents(now).is_empty());
    }
}
