//! Building call events in tests, and a summary of everything a [`CallState`] shows.

use chrono::{DateTime, TimeZone, Utc};

use super::{CallState, CallStatus, Leg};
use crate::event::{
    CallEvent, CallId, Contact, Direction, Durations, Employee, EventId, EventKind, Outcome,
    Provider,
};
use crate::phone::PhoneNumber;

/// `seconds` after a fixed moment of a working day.
pub(crate) fn at(seconds: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 10, 15, 0).unwrap() + chrono::Duration::seconds(seconds)
}

pub(crate) fn employee(id: Option<&str>, name: Option<&str>, extension: Option<&str>) -> Employee {
    Employee {
        id: id.map(str::to_owned),
        name: name.map(str::to_owned),
        extension: extension.map(str::to_owned),
        phone: None,
    }
}

pub(crate) fn anna() -> Employee {
    employee(Some("101"), Some("Анна"), Some("201"))
}

pub(crate) fn boris() -> Employee {
    employee(Some("102"), Some("Борис"), Some("202"))
}

pub(crate) fn vera() -> Employee {
    employee(Some("103"), Some("Вера"), Some("203"))
}

/// A call whose events the tests make.
pub(crate) struct Call {
    pub(crate) id: CallId,
    direction: Direction,
}

impl Call {
    pub(crate) fn incoming(session: &str) -> Call {
        Call {
            id: CallId::new(Provider::Uis, session),
            direction: Direction::In,
        }
    }

    pub(crate) fn outgoing(session: &str) -> Call {
        Call {
            id: CallId::new(Provider::Sipuni, session),
            direction: Direction::Out,
        }
    }

    /// An event of this call with the usual contact and line, and nothing else.
    pub(crate) fn event(&self, kind: EventKind, discriminator: &str, seconds: i64) -> CallEvent {
        CallEvent {
            id: self.id.event_id(kind, discriminator),
            call_id: self.id.clone(),
            provider: self
                .id
                .0
                .split_once(':')
                .and_then(|(p, _)| Provider::parse(p))
                .unwrap_or(Provider::Uis),
            kind,
            direction: self.direction,
            at: at(seconds),
            contact: Contact {
                phone: PhoneNumber::from_e164("+79261234567"),
                raw: "79261234567".to_owned(),
                name: None,
            },
            line: Some("+74951234567".to_owned()),
            employee: None,
            outcome: None,
            durations: Durations::default(),
            recordings: Vec::new(),
            scenario: None,
            tags: Vec::new(),
            raw: format!("{{\"kind\":\"{kind}\",\"n\":\"{discriminator}\"}}"),
        }
    }
}

/// Changes to an event, chained after [`Call::event`].
pub(crate) trait EventExt {
    fn by(self, employee: &Employee) -> Self;
    fn outcome(self, outcome: Outcome) -> Self;
    fn recording(self, url: &str) -> Self;
    fn durations(self, wait: Option<u32>, talk: Option<u32>, total: Option<u32>) -> Self;
}

impl EventExt for CallEvent {
    fn by(mut self, employee: &Employee) -> Self {
        self.employee = Some(employee.clone());
        self
    }

    fn outcome(mut self, outcome: Outcome) -> Self {
        self.outcome = Some(outcome);
        self
    }

    fn recording(mut self, url: &str) -> Self {
        self.recordings.push(url.to_owned());
        self
    }

    fn durations(mut self, wait: Option<u32>, talk: Option<u32>, total: Option<u32>) -> Self {
        self.durations = Durations { wait, talk, total };
        self
    }
}

/// Everything a [`CallState`] shows through its accessors.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Summary {
    call_id: CallId,
    provider: Option<Provider>,
    direction: Direction,
    status: CallStatus,
    outcome: Option<Outcome>,
    contact: Contact,
    line: Option<String>,
    legs: Vec<Leg>,
    answered_by: Option<Employee>,
    started_at: Option<DateTime<Utc>>,
    answered_at: Option<DateTime<Utc>>,
    ended_at: Option<DateTime<Utc>>,
    last_event_at: Option<DateTime<Utc>>,
    durations: Durations,
    recordings: Vec<String>,
    scenario: Option<String>,
    tags: Vec<String>,
    events: Vec<(EventId, DateTime<Utc>, String)>,
    event_count: usize,
    /// `is_answered_elsewhere` for each of the given employees.
    answered_elsewhere: Vec<bool>,
}

impl Summary {
    /// Everything but the contact, the line and the list of events: what an event of an
    /// unknown type must never change.
    pub(crate) fn outcome_part(&self) -> Summary {
        Summary {
            contact: Contact::default(),
            line: None,
            events: Vec::new(),
            event_count: 0,
            ..self.clone()
        }
    }

    pub(crate) fn of(state: &CallState, employees: &[Employee]) -> Summary {
        Summary {
            call_id: state.call_id().clone(),
            provider: state.provider(),
            direction: state.direction(),
            status: state.status(),
            outcome: state.outcome(),
            contact: state.contact().clone(),
            line: state.line().map(str::to_owned),
            legs: state.legs().to_vec(),
            answered_by: state.answered_by().cloned(),
            started_at: state.started_at(),
            answered_at: state.answered_at(),
            ended_at: state.ended_at(),
            last_event_at: state.last_event_at(),
            durations: state.durations(),
            recordings: state.recordings(),
            scenario: state.scenario().map(str::to_owned),
            tags: state.tags(),
            events: state
                .events()
                .map(|e| (e.id.clone(), e.at, e.raw.clone()))
                .collect(),
            event_count: state.event_count(),
            answered_elsewhere: employees
                .iter()
                .map(|e| state.is_answered_elsewhere(e))
                .collect(),
        }
    }
}
