//! Who may see an event: a pure function of the event, the active agents and what was
//! already decided for earlier events of the same call.
//!
//! The rules, and nothing else ("an agent's stream never carries a call the agent may not
//! see"):
//! 1. the agent the event names: on UIS its `employee.id` equals the agent's UIS employee id,
//!    or its `employee.phone` is one of the agent's employee phones (setups such as EnvyCRM's
//!    name employees only by `{{employee_phone_number}}`); on Sipuni its `employee.extension`
//!    equals the agent's Sipuni extension;
//! 2. agents watching the event's `line`, while no employee is on the call yet (no earlier
//!    event of the call named one, and this one does not either) — the "who will pick up?"
//!    phase of an incoming call;
//! 3. everyone who already saw an event of this call, so a card that popped can follow the
//!    call to its end (and be withdrawn when a colleague answers);
//! 4. supervisors, always;
//! 5. the agent who placed the call from Trubka (`POST /v1/calls`, recorded by
//!    `crate::placed`), whoever the PBX puts on it: a UIS scenario call may be answered by
//!    any employee and must still reach the card of the agent who placed it.
//!
//! Revoked agents are not in the [`AgentSet`] and so never match.

use trubka_core::{CallEvent, Provider};

use crate::agents::{AgentId, AgentSet};

/// What is known about the call from the events stored before this one.
#[derive(Debug, Clone, Copy, Default)]
pub struct CallSoFar<'a> {
    /// An earlier event of the call named an employee.
    pub employee_seen: bool,
    /// Agents who were in the audience of an earlier event of the call.
    pub audience: &'a [AgentId],
    /// The agent who placed the call from Trubka, if one did (rule 5).
    pub placed_by: Option<AgentId>,
}

/// Whether the event puts an employee on the call (which ends rule 2 for the call).
pub fn names_employee(event: &CallEvent) -> bool {
    event
        .employee
        .as_ref()
        .is_some_and(|employee| !employee.is_empty())
}

/// The agents who may see `event`, sorted and without repeats.
pub fn audience(event: &CallEvent, agents: &AgentSet, call: CallSoFar<'_>) -> Vec<AgentId> {
    let mut who: Vec<AgentId> = Vec::new();
    if let Some(employee) = &event.employee {
        match event.provider {
            Provider::Uis => {
                if let Some(id) = &employee.id {
                    who.extend_from_slice(agents.by_uis_employee(id));
                }
                if let Some(phone) = &employee.phone {
                    who.extend_from_slice(agents.by_employee_phone(phone));
                }
            }
            Provider::Sipuni => {
                if let Some(ext) = &employee.extension {
                    who.extend_from_slice(agents.by_sipuni_ext(ext));
                }
            }
        }
    }
    if let Some(line) = &event.line
        && !call.employee_seen
        && !names_employee(event)
    {
        who.extend_from_slice(agents.by_line(line));
    }
    who.extend(
        call.audience
            .iter()
            .copied()
            .filter(|id| agents.is_active(*id)),
    );
    who.extend(call.placed_by.filter(|id| agents.is_active(*id)));
    who.extend_from_slice(agents.supervisors());
    who.sort_unstable();
    who.dedup();
    who
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;
    use trubka_core::{CallId, Contact, Direction, Durations, Employee, EventId, EventKind};

    use super::*;
    use crate::agents::tests::agent;

    const LINE: &str = "+74951234567";

    fn event(provider: Provider, kind: EventKind, employee: Option<Employee>) -> CallEvent {
        let call_id = CallId::new(provider, "1197843161");
        CallEvent {
            id: EventId(format!("{call_id}:{kind}:1")),
            call_id,
            provider,
            kind,
            direction: Direction::In,
            at: DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
            contact: Contact::default(),
            line: Some(LINE.to_owned()),
            employee,
            outcome: None,
            durations: Durations::default(),
            recordings: Vec::new(),
            scenario: None,
            tags: Vec::new(),
            raw: "{}".to_owned(),
        }
    }

    fn uis_employee(id: &str) -> Option<Employee> {
        Some(Employee {
            id: Some(id.to_owned()),
            ..Employee::default()
        })
    }

    fn sipuni_ext(ext: &str) -> Option<Employee> {
        Some(Employee {
            extension: Some(ext.to_owned()),
            ..Employee::default()
        })
    }

    /// 1: Анна (UIS 100, Sipuni 201), 2: Игорь (UIS 200, Sipuni 202), 3: line watcher,
    /// 4: supervisor, 5: revoked, mapped like Анна and watching the line.
    fn agents() -> AgentSet {
        let mut anna = agent(1, "Анна");
        anna.uis_employee = Some("100".to_owned());
        anna.sipuni_ext = Some("201".to_owned());
        anna.employee_phones = vec!["+79031234567".to_owned(), "sip_anna@acme".to_owned()];
        let mut igor = agent(2, "Игорь");
        igor.uis_employee = Some("200".to_owned());
        igor.sipuni_ext = Some("202".to_owned());
        let mut watcher = agent(3, "Линия");
        watcher.lines = vec![LINE.to_owned()];
        let mut boss = agent(4, "Мария");
        boss.supervisor = true;
        let mut gone = agent(5, "Уволен");
        gone.uis_employee = Some("100".to_owned());
        gone.lines = vec![LINE.to_owned()];
        gone.revoked_at = Some(gone.created_at);
        AgentSet::new([anna, igor, watcher, boss, gone])
    }

    #[test]
    fn the_named_employee_and_supervisors_see_an_event() {
        let set = agents();
        let ringing = event(Provider::Uis, EventKind::Ringing, uis_employee("100"));
        assert_eq!(audience(&ringing, &set, CallSoFar::default()), vec![1, 4]);
        let ringing = event(Provider::Sipuni, EventKind::Ringing, sipuni_ext("202"));
        assert_eq!(audience(&ringing, &set, CallSoFar::default()), vec![2, 4]);
    }

    #[test]
    fn ids_match_only_within_their_provider() {
        let set = agents();
        // A Sipuni event whose extension happens to equal a UIS employee id, and vice versa.
        let sipuni = event(Provider::Sipuni, EventKind::Ringing, sipuni_ext("100"));
        let uis = event(Provider::Uis, EventKind::Ringing, uis_employee("201"));
        let call = CallSoFar {
            employee_seen: true,
            audience: &[],
            placed_by: None,
        };
        assert_eq!(audience(&sipuni, &set, call), vec![4]);
        assert_eq!(audience(&uis, &set, call), vec![4]);
    }

    #[test]
    fn line_watchers_see_a_call_only_until_an_employee_is_on_it() {
        let set = agents();
        let started = event(Provider::Uis, EventKind::Started, None);
        assert_eq!(audience(&started, &set, CallSoFar::default()), vec![3, 4]);

        // The event that names the employee is not shown to a watcher who has not seen the call.
        let ringing = event(Provider::Uis, EventKind::Ringing, uis_employee("200"));
        assert_eq!(audience(&ringing, &set, CallSoFar::default()), vec![2, 4]);

        // Nor are later employee-less events (e.g. a bare `ended`) once one was seen.
        let ended = event(Provider::Uis, EventKind::Ended, None);
        let call = CallSoFar {
            employee_seen: true,
            audience: &[2, 4],
            placed_by: None,
        };
        assert_eq!(audience(&ended, &set, call), vec![2, 4]);
    }

    #[test]
    fn whoever_saw_the_call_follows_it_to_the_end() {
        let set = agents();
        // Анна's phone rang; Игорь answered: Анна still gets `answered` and `ended`.
        let answered = event(Provider::Uis, EventKind::Answered, uis_employee("200"));
        let call = CallSoFar {
            employee_seen: true,
            audience: &[1, 3, 4],
            placed_by: None,
        };
        assert_eq!(audience(&answered, &set, call), vec![1, 2, 3, 4]);
    }

    #[test]
    fn the_agent_who_placed_the_call_sees_it_whoever_answers() {
        let set = agents();
        // Анна placed a scenario call; Игорь answers it.
        let answered = event(Provider::Uis, EventKind::Answered, uis_employee("200"));
        let call = CallSoFar {
            employee_seen: true,
            audience: &[],
            placed_by: Some(1),
        };
        assert_eq!(audience(&answered, &set, call), vec![1, 2, 4]);
        // A revoked placer sees nothing.
        let call = CallSoFar {
            placed_by: Some(5),
            ..call
        };
        assert_eq!(audience(&answered, &set, call), vec![2, 4]);
    }

    #[test]
    fn revoked_agents_see_nothing_even_if_they_saw_the_call() {
        let set = agents();
        let started = event(Provider::Uis, EventKind::Started, None);
        let call = CallSoFar {
            employee_seen: false,
            audience: &[5],
            placed_by: None,
        };
        assert_eq!(audience(&started, &set, call), vec![3, 4]);
    }

    #[test]
    fn nobody_but_supervisors_sees_an_unmapped_call() {
        let set = agents();
        let mut ringing = event(Provider::Uis, EventKind::Ringing, uis_employee("999"));
        ringing.line = Some("+78120000000".to_owned());
        assert_eq!(audience(&ringing, &set, CallSoFar::default()), vec![4]);
        assert_eq!(
            audience(&ringing, &AgentSet::default(), CallSoFar::default()),
            Vec::<AgentId>::new()
        );
    }

    #[test]
    fn an_employee_named_by_phone_or_sip_line_is_the_agent_with_it() {
        let set = agents();
        let by_phone = |phone: &str| {
            Some(Employee {
                phone: Some(phone.to_owned()),
                ..Employee::default()
            })
        };
        let call = CallSoFar {
            employee_seen: true,
            audience: &[],
            placed_by: None,
        };
        let ended = event(Provider::Uis, EventKind::Ended, by_phone("+79031234567"));
        assert_eq!(audience(&ended, &set, call), vec![1, 4]);
        let ended = event(Provider::Uis, EventKind::Ended, by_phone("sip_anna@acme"));
        assert_eq!(audience(&ended, &set, call), vec![1, 4]);
        let stranger = event(Provider::Uis, EventKind::Ended, by_phone("+79990000000"));
        assert_eq!(audience(&stranger, &set, call), vec![4]);
        // Phones are a UIS mapping: a Sipuni event never matches by them.
        let sipuni = event(Provider::Sipuni, EventKind::Ended, by_phone("+79031234567"));
        assert_eq!(audience(&sipuni, &set, call), vec![4]);
    }
}
