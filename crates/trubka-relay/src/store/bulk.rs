//! Appending many events at once, outside a running relay: each is stored as the event
//! writer stores it (its `seq`, its audience, its call's row), a whole slice in one
//! transaction, without frames. This is how a large log is loaded in one go (the cases
//! benchmark fills a million calls with it); the relay's case worker gives the calls their
//! cases when it next starts, as it does for a log from before cases (and folds again the
//! calls it had numbered before, `crate::cases::owed`).

use chrono::Utc;
use rusqlite::TransactionBehavior;
use trubka_core::CallEvent;
use trubka_protocol::event_to_json;

use super::append::{Inserted, insert_event};
use super::writer::PreparedEvent;
use super::{Store, StoreError, agents};
use crate::agents::AgentSet;

/// What one [`Store::append_events`] stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Appended {
    /// Events stored, each with the next `seq`.
    pub stored: u64,
    /// Events already in the log (the same id), left as they were.
    pub duplicates: u64,
}

impl Store {
    /// Stores `events` in one transaction, in the given order, as the event writer would.
    /// No relay may be serving the same file meanwhile: its writer keeps the head `seq` in
    /// memory and would not see these.
    pub fn append_events(&mut self, events: &[CallEvent]) -> Result<Appended, StoreError> {
        let agents = AgentSet::new(agents::list(&self.conn)?);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut head = tx.query_row("SELECT COALESCE(MAX(seq), 0) FROM events", [], |row| {
            row.get::<_, i64>(0)
        })? as u64;
        let now_ms = Utc::now().timestamp_millis();
        let mut appended = Appended::default();
        for event in events {
            let prepared = PreparedEvent {
                json: event_to_json(event),
                event: event.clone(),
            };
            let call_id = event.call_id.0.clone();
            match insert_event(&tx, &agents, prepared, head + 1, now_ms)? {
                Inserted::New { .. } => {
                    head += 1;
                    appended.stored += 1;
                    // A call the case worker knows is folded again when the relay starts.
                    crate::cases::owed::mark_if_numbered(&tx, &call_id, head)?;
                }
                Inserted::Duplicate { .. } => appended.duplicates += 1,
            }
        }
        tx.commit()?;
        Ok(appended)
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use trubka_core::{
        CallEvent, CallId, Contact, Direction, Durations, Employee, EventKind, PhoneNumber,
        Provider,
    };

    use crate::agents::NewAgent;
    use crate::store::Store;

    fn event(session: &str, kind: EventKind, employee: Option<&str>) -> CallEvent {
        let call_id = CallId::new(Provider::Uis, session);
        CallEvent {
            id: call_id.event_id(kind, "1"),
            call_id,
            provider: Provider::Uis,
            kind,
            direction: Direction::In,
            at: Utc.with_ymd_and_hms(2026, 11, 20, 10, 0, 0).unwrap(),
            contact: Contact {
                phone: PhoneNumber::from_e164("+79261234567"),
                raw: "79261234567".to_owned(),
                name: None,
            },
            line: None,
            employee: employee.map(|id| Employee {
                id: Some(id.to_owned()),
                ..Employee::default()
            }),
            outcome: None,
            durations: Durations::default(),
            recordings: Vec::new(),
            scenario: None,
            tags: Vec::new(),
            raw: String::new(),
        }
    }

    #[test]
    fn appended_events_get_the_next_seqs_and_their_calls_audiences_once() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        let (anna, _) = store
            .add_agent(&NewAgent {
                name: "Анна".to_owned(),
                uis_employee: Some("2339292".to_owned()),
                ..NewAgent::default()
            })
            .unwrap();
        let events = [
            event("1", EventKind::Started, None),
            event("1", EventKind::Ringing, Some("2339292")),
            event("2", EventKind::Started, None),
        ];
        let first = store.append_events(&events).unwrap();
        assert_eq!((first.stored, first.duplicates), (3, 0));
        let again = store.append_events(&events[1..]).unwrap();
        assert_eq!((again.stored, again.duplicates), (0, 2));
        let seqs: Vec<i64> = store
            .conn
            .prepare("SELECT seq FROM events ORDER BY seq")
            .unwrap()
            .query_map([], |row| row.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(seqs, [1, 2, 3]);
        let audience: String = store
            .conn
            .query_row(
                "SELECT audience FROM calls WHERE call_id = 'uis:1'",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(audience, anna.id.to_string());
    }
}
