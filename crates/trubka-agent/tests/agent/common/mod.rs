//! Test helpers: an engine on a real profile folder (real SQLite file) in a temp dir, and
//! call events built the way the protocol crate builds them.

pub(crate) mod relay;

use chrono::{DateTime, TimeZone, Utc};
use trubka_agent::Engine;
use trubka_agent::profile::Profile;
use trubka_agent::relay_api::AgentMe;
use trubka_core::{
    CallEvent, CallId, Contact, Direction, Durations, Employee, EventKind, Outcome, PhoneNumber,
    Provider,
};

/// The agent under test: UIS employee 100, Sipuni extension 201.
pub(crate) fn me() -> AgentMe {
    AgentMe {
        name: "Анна".into(),
        uis_employee: Some("100".into()),
        sipuni_ext: Some("201".into()),
        employee_phones: vec![],
        lines: vec![],
        supervisor: false,
    }
}

/// An engine on a fresh profile in `dir`, with the agent mapping of [`me`].
pub(crate) async fn engine(dir: &std::path::Path) -> Engine {
    let engine = Engine::open(Profile::at(dir.join("profile")).unwrap())
        .await
        .unwrap();
    engine.update_settings(|s| s.me = Some(me())).await.unwrap();
    engine
}

pub(crate) fn at(minute: u32, second: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, 12, 10, minute, second)
        .unwrap()
}

pub(crate) fn anna() -> Employee {
    Employee {
        id: Some("100".into()),
        name: Some("Анна".into()),
        extension: None,
        phone: None,
    }
}

pub(crate) fn boris() -> Employee {
    Employee {
        id: Some("200".into()),
        name: Some("Борис".into()),
        extension: None,
        phone: None,
    }
}

/// Builds call events of one UIS call.
#[derive(Clone)]
pub(crate) struct Call {
    pub(crate) id: CallId,
    pub(crate) direction: Direction,
    pub(crate) phone: Option<String>,
    pub(crate) raw: String,
    pub(crate) pbx_name: Option<String>,
}

impl Call {
    pub(crate) fn incoming(session: &str, e164: &str) -> Call {
        Call {
            id: CallId::new(Provider::Uis, session),
            direction: Direction::In,
            phone: Some(e164.to_owned()),
            raw: e164.trim_start_matches('+').to_owned(),
            pbx_name: None,
        }
    }

    pub(crate) fn outgoing(session: &str, e164: &str) -> Call {
        Call {
            direction: Direction::Out,
            ..Call::incoming(session, e164)
        }
    }

    pub(crate) fn anonymous(session: &str) -> Call {
        Call {
            phone: None,
            raw: "anonymous".into(),
            ..Call::incoming(session, "+70000000000")
        }
    }

    pub(crate) fn named(mut self, name: &str) -> Call {
        self.pbx_name = Some(name.to_owned());
        self
    }

    pub(crate) fn event(
        &self,
        kind: EventKind,
        at: DateTime<Utc>,
        discriminator: &str,
    ) -> CallEvent {
        CallEvent {
            id: self.id.event_id(kind, discriminator),
            call_id: self.id.clone(),
            provider: Provider::Uis,
            kind,
            direction: self.direction,
            at,
            contact: Contact {
                phone: self.phone.as_deref().and_then(PhoneNumber::from_e164),
                raw: self.raw.clone(),
                name: self.pbx_name.clone(),
            },
            line: Some("+74951234567".into()),
            employee: None,
            outcome: None,
            durations: Durations::default(),
            recordings: vec![],
            scenario: None,
            tags: vec![],
            raw: "{}".into(),
        }
    }

    pub(crate) fn started(&self, at: DateTime<Utc>) -> CallEvent {
        self.event(EventKind::Started, at, "0")
    }

    pub(crate) fn ringing(&self, at: DateTime<Utc>, employee: Employee) -> CallEvent {
        let discriminator = employee.id.clone().unwrap_or_default();
        CallEvent {
            employee: Some(employee),
            ..self.event(EventKind::Ringing, at, &discriminator)
        }
    }

    pub(crate) fn answered(&self, at: DateTime<Utc>, employee: Option<Employee>) -> CallEvent {
        let discriminator = employee
            .as_ref()
            .and_then(|e| e.id.clone())
            .unwrap_or_default();
        CallEvent {
            employee,
            ..self.event(EventKind::Answered, at, &discriminator)
        }
    }

    pub(crate) fn ended(&self, at: DateTime<Utc>, outcome: Outcome, talk: u32) -> CallEvent {
        CallEvent {
            outcome: Some(outcome),
            durations: Durations {
                wait: Some(5),
                talk: Some(talk),
                total: Some(5 + talk),
            },
            ..self.event(EventKind::Ended, at, "0")
        }
    }

    pub(crate) fn recording(&self, at: DateTime<Utc>, url: &str) -> CallEvent {
        CallEvent {
            recordings: vec![url.to_owned()],
            ..self.event(EventKind::Recording, at, url)
        }
    }

    /// A whole incoming call nobody answered, starting at `minute`.
    pub(crate) fn missed(&self, minute: u32) -> Vec<CallEvent> {
        vec![
            self.started(at(minute, 0)),
            self.ringing(at(minute, 1), anna()),
            self.ended(at(minute, 30), Outcome::Missed, 0),
        ]
    }

    /// A whole call answered (by `who` for incoming calls; by the customer for outgoing).
    pub(crate) fn talked(&self, minute: u32, who: Employee) -> Vec<CallEvent> {
        vec![
            self.started(at(minute, 0)),
            self.ringing(at(minute, 1), who.clone()),
            self.answered(at(minute, 5), Some(who)),
            self.ended(at(minute, 50), Outcome::Answered, 45),
        ]
    }

    /// An outgoing call the customer did not answer.
    pub(crate) fn unanswered_out(&self, minute: u32) -> Vec<CallEvent> {
        vec![
            self.started(at(minute, 0)),
            self.ended(at(minute, 30), Outcome::NoAnswer, 0),
        ]
    }
}

pub(crate) async fn feed(engine: &Engine, events: Vec<CallEvent>) {
    for event in events {
        engine.apply_event(event).await.unwrap();
    }
}

/// How long a `trubka-cli` run or a relay's shutdown may take in a test.
pub(crate) const WAIT: std::time::Duration = std::time::Duration::from_secs(60);

/// Runs `trubka-cli --home HOME ARGS…` (the real binary) off the async threads, bounded by
/// [`WAIT`].
pub(crate) async fn cli(home: &std::path::Path, args: &[&str]) -> std::process::Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_trubka-cli"));
    command.arg("--home").arg(home).args(args);
    tokio::time::timeout(
        WAIT,
        tokio::task::spawn_blocking(move || command.output().unwrap()),
    )
    .await
    .expect("trubka-cli finishes")
    .unwrap()
}

/// A process's output as text.
pub(crate) fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
