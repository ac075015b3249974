//! Whose call is it: a call-control action is allowed on the agent's own call only.
//!
//! The relay knows a call from the events it stored (read by the event ids, which all begin
//! with the call id). A call is the agent's when one of its events names the agent the way
//! the audience's first rule does ([`names`]: the UIS employee id or one of the employee's
//! phones, the Sipuni extension); the line or having placed the call is not enough, since
//! another employee may be the one talking. For UIS the live legs confirm it afterwards
//! (`list.calls`, see [`crate::control::act`]): after a transfer the agent's leg is
//! disconnected and the call is no longer theirs.

use rusqlite::{Connection, params};
use trubka_core::{CallEvent, EventKind, Provider};
use trubka_protocol::event_from_json;

use crate::agents::Agent;
use crate::store::StoreError;

/// A call as the relay stored it.
#[derive(Debug)]
pub(crate) struct StoredCall {
    pub(crate) provider: Provider,
    /// The PBX's own id: the UIS `call_session_id`, the Sipuni `call_id`.
    pub(crate) pbx_id: String,
    /// Its events in the order they were stored.
    pub(crate) events: Vec<CallEvent>,
}

impl StoredCall {
    /// Whether an event of the call names `agent`.
    pub(crate) fn names(&self, agent: &Agent) -> bool {
        self.events.iter().any(|event| names(event, agent))
    }

    /// Whether the PBX said the whole call finished.
    pub(crate) fn ended(&self) -> bool {
        self.events.iter().any(|e| e.kind == EventKind::Ended)
    }

    /// Whether the last event naming `agent` ended their leg (a Sipuni call the agent left;
    /// UIS calls are checked against the live legs instead).
    pub(crate) fn left_by(&self, agent: &Agent) -> bool {
        self.events
            .iter()
            .rev()
            .find(|event| names(event, agent))
            .is_some_and(|event| event.kind == EventKind::LegEnded)
    }
}

/// The provider and PBX id of a call id (`uis:…`, `sipuni:…`), if it is one.
pub(crate) fn split_call_id(call_id: &str) -> Option<(Provider, &str)> {
    let (provider, id) = call_id.split_once(':')?;
    let provider = Provider::parse(provider)?;
    let id = id.trim();
    (!id.is_empty()).then_some((provider, id))
}

/// The stored events of `call_id`, or `None` when the relay has none.
pub(crate) fn stored_call(
    conn: &Connection,
    call_id: &str,
) -> Result<Option<StoredCall>, StoreError> {
    let Some((provider, pbx_id)) = split_call_id(call_id) else {
        return Ok(None);
    };
    // Every event id begins with `{call_id}:`, so the unique index on ids finds them.
    let (from, until) = (format!("{call_id}:"), format!("{call_id};"));
    let texts: Vec<String> = conn
        .prepare_cached(
            "SELECT json FROM events WHERE id >= ?1 AND id < ?2 AND call_id = ?3 ORDER BY seq",
        )?
        .query_map(params![from, until, call_id], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    if texts.is_empty() {
        return Ok(None);
    }
    let events = texts
        .iter()
        .map(|text| event_from_json(text).map_err(|e| StoreError::Corrupt(e.to_string())))
        .collect::<Result<_, _>>()?;
    Ok(Some(StoredCall {
        provider,
        pbx_id: pbx_id.to_owned(),
        events,
    }))
}

/// Whether `event` names `agent` (the audience's rule 1, within the event's provider).
pub(crate) fn names(event: &CallEvent, agent: &Agent) -> bool {
    let Some(employee) = &event.employee else {
        return false;
    };
    match event.provider {
        Provider::Uis => {
            employee.id.is_some() && employee.id == agent.uis_employee
                || employee
                    .phone
                    .as_ref()
                    .is_some_and(|phone| agent.employee_phones.contains(phone))
        }
        Provider::Sipuni => employee.extension.is_some() && employee.extension == agent.sipuni_ext,
    }
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;
    use trubka_core::{CallId, Contact, Direction, Durations, Employee, EventId};

    use super::*;
    use crate::agents::tests::agent;

    fn event(provider: Provider, kind: EventKind, employee: Employee) -> CallEvent {
        let call_id = CallId::new(provider, "77");
        CallEvent {
            id: EventId(format!("{call_id}:{kind}:1")),
            call_id,
            provider,
            kind,
            direction: Direction::In,
            at: DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
            contact: Contact::default(),
            line: None,
            employee: Some(employee),
            outcome: None,
            durations: Durations::default(),
            recordings: Vec::new(),
            scenario: None,
            tags: Vec::new(),
            raw: "{}".to_owned(),
        }
    }

    #[test]
    fn a_call_is_the_agents_when_an_event_names_them_on_its_pbx() {
        let mut anna = agent(1, "Анна");
        anna.uis_employee = Some("100".to_owned());
        anna.sipuni_ext = Some("201".to_owned());
        anna.employee_phones = vec!["+79031234567".to_owned()];
        let by_id = Employee {
            id: Some("100".to_owned()),
            ..Employee::default()
        };
        let by_phone = Employee {
            phone: Some("+79031234567".to_owned()),
            ..Employee::default()
        };
        let by_ext = Employee {
            extension: Some("201".to_owned()),
            ..Employee::default()
        };
        assert!(names(
            &event(Provider::Uis, EventKind::Ringing, by_id.clone()),
            &anna
        ));
        assert!(names(
            &event(Provider::Uis, EventKind::Ringing, by_phone),
            &anna
        ));
        assert!(names(
            &event(Provider::Sipuni, EventKind::Answered, by_ext.clone()),
            &anna
        ));
        // Ids count on their own PBX only, and an agent without a mapping is named by nothing.
        assert!(!names(
            &event(Provider::Sipuni, EventKind::Answered, by_id),
            &anna
        ));
        assert!(!names(
            &event(Provider::Uis, EventKind::Answered, by_ext.clone()),
            &anna
        ));
        assert!(!names(
            &event(Provider::Uis, EventKind::Answered, Employee::default()),
            &agent(2, "Игорь")
        ));

        let call = StoredCall {
            provider: Provider::Sipuni,
            pbx_id: "77".to_owned(),
            events: vec![
                event(Provider::Sipuni, EventKind::Answered, by_ext.clone()),
                event(Provider::Sipuni, EventKind::LegEnded, by_ext),
            ],
        };
        assert!(call.names(&anna) && call.left_by(&anna) && !call.ended());
    }

    #[test]
    fn call_ids_split_into_provider_and_pbx_id() {
        assert_eq!(
            split_call_id("uis:1197843161"),
            Some((Provider::Uis, "1197843161"))
        );
        assert_eq!(
            split_call_id("sipuni:1774372584.533596"),
            Some((Provider::Sipuni, "1774372584.533596"))
        );
        assert_eq!(split_call_id("uis:"), None);
        assert_eq!(split_call_id("skype:1"), None);
        assert_eq!(split_call_id("1197843161"), None);
    }
}
