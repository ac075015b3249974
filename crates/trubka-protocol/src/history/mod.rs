//! Call history rows → CallEvents, for reconciliation: what a PBX's history API says about a
//! finished call, turned into the events its webhooks would have produced.
//!
//! The relay pulls UIS `get.calls_report` and Sipuni `statistic/export` on an interval and
//! stores these events through the same path as webhooks. Because the ids are built exactly as
//! the webhook parsers build them, a fact reported both ways is stored once, whichever comes
//! first:
//!
//! | event | id | when |
//! |---|---|---|
//! | `started` | `{call}:started:call` | always (the relay keeps it only for calls it never heard of) |
//! | `leg_ended` | UIS `{call}:leg_ended:emp{employee_id}`, Sipuni `{call}:leg_ended:{extension}` | one per employee the row lists besides the one `ended` names, so that everyone who was rung sees the call |
//! | `ended` | `{call}:ended:call` | always |
//! | `recording` | `{call}:recording:h{FNV-1a 64 of the link}` | one per recording link |
//!
//! The rows are plain structs filled by the caller (the relay converts its PBX client's types),
//! so this crate knows nothing of the API clients; `raw` is the row itself as JSON text.
//! Times are UTC instants; converting the PBX's local times is the caller's business.

mod sipuni;
mod uis;

pub use sipuni::{SipuniExportRow, sipuni_export_row_events};
pub use uis::{UisReportRow, uis_report_row_events};

use trubka_core::{CallEvent, CallId, Durations, Employee, EventKind, Outcome};

use crate::ids::{self, ONCE_PER_CALL};

/// An employee as a history row names them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryEmployee {
    /// UIS employee id.
    pub id: Option<String>,
    /// Sipuni short internal number.
    pub extension: Option<String>,
    pub name: Option<String>,
    /// The employee talked on the call (answered it).
    pub talked: bool,
}

impl HistoryEmployee {
    fn to_employee(&self) -> Employee {
        Employee {
            id: self.id.clone(),
            name: self.name.clone(),
            extension: self.extension.clone(),
            phone: None,
        }
    }

    fn same_person(&self, other: &HistoryEmployee) -> bool {
        self.to_employee().same_person(&other.to_employee())
    }
}

/// What the provider-specific readers decided; [`assemble`] turns it into events.
struct Facts<'a> {
    call_id: CallId,
    base: CallEvent,
    /// The employee `started` names (the caller of an outgoing call).
    caller: Option<&'a HistoryEmployee>,
    /// The employee `ended` names.
    ended_by: Option<&'a HistoryEmployee>,
    /// Everyone the row lists, in its order.
    employees: &'a [HistoryEmployee],
    started_at: chrono::DateTime<chrono::Utc>,
    ended_at: chrono::DateTime<chrono::Utc>,
    outcome: Outcome,
    durations: Durations,
    /// The discriminator of an employee's `leg_ended`, as the webhook parser would build it.
    leg_discriminator: fn(&HistoryEmployee) -> Option<String>,
}

/// started, leg_ended for the other employees, ended, one recording per link.
fn assemble(facts: Facts<'_>) -> Vec<CallEvent> {
    let Facts {
        call_id,
        base,
        caller,
        ended_by,
        employees,
        started_at,
        ended_at,
        outcome,
        durations,
        leg_discriminator,
    } = facts;
    let mut events = Vec::with_capacity(3 + employees.len() + base.recordings.len());
    events.push(CallEvent {
        id: call_id.event_id(EventKind::Started, ONCE_PER_CALL),
        kind: EventKind::Started,
        at: started_at,
        employee: caller.map(HistoryEmployee::to_employee),
        recordings: Vec::new(),
        ..base.clone()
    });
    let mut seen: Vec<&HistoryEmployee> = ended_by.into_iter().collect();
    for employee in employees {
        if seen.iter().any(|known| known.same_person(employee)) {
            continue;
        }
        seen.push(employee);
        let Some(discriminator) = leg_discriminator(employee) else {
            continue;
        };
        let leg_outcome = if employee.talked {
            Outcome::Answered
        } else {
            Outcome::NoAnswer
        };
        events.push(CallEvent {
            id: call_id.event_id(EventKind::LegEnded, &discriminator),
            kind: EventKind::LegEnded,
            at: ended_at,
            employee: Some(employee.to_employee()),
            outcome: Some(leg_outcome),
            recordings: Vec::new(),
            ..base.clone()
        });
    }
    let ended = CallEvent {
        id: call_id.event_id(EventKind::Ended, ONCE_PER_CALL),
        kind: EventKind::Ended,
        at: ended_at,
        employee: ended_by.map(HistoryEmployee::to_employee),
        outcome: Some(outcome),
        durations,
        ..base
    };
    let recordings: Vec<CallEvent> = ended
        .recordings
        .iter()
        .map(|link| CallEvent {
            id: call_id.event_id(EventKind::Recording, &ids::token(link)),
            kind: EventKind::Recording,
            outcome: None,
            recordings: vec![link.clone()],
            ..ended.clone()
        })
        .collect();
    events.push(ended);
    events.extend(recordings);
    events
}

/// Web links only, each once, in the order given.
fn web_links(links: &[String]) -> Vec<String> {
    let mut kept: Vec<String> = Vec::new();
    for link in links {
        let link = link.trim();
        let lower = link.to_ascii_lowercase();
        let web = lower.starts_with("https://") || lower.starts_with("http://");
        if web && !kept.iter().any(|known| known == link) {
            kept.push(link.to_owned());
        }
    }
    kept
}
