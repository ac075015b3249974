//! What the event log already holds about a call, read before synthesising anything.
//!
//! Event ids start with their call id and a colon (`uis:1197843161:ended:call`), so a call's
//! events are one range of the unique index on `events.id`: `[call_id + ":", call_id + ";")`
//! (`;` is the character after `:`). No table scan, whatever the log's size.

use rusqlite::{Connection, params};
use trubka_core::{CallEvent, Employee, EventKind};
use trubka_protocol::event_from_json;

use crate::store::StoreError;

/// The events of one call the relay stored, as far as reconciliation cares.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct KnownCall {
    pub(crate) ids: Vec<String>,
    /// Every employee an event of the call named.
    pub(crate) employees: Vec<Employee>,
    /// Contact phones (E.164) the call's events name.
    pub(crate) contacts: Vec<String>,
}

impl KnownCall {
    pub(crate) fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The synthesised events worth storing: not already stored (by id); `started` only for a
    /// call the relay never heard of (a call whose other events arrived does not need one,
    /// and Sipuni never sends one for incoming calls); a `leg_ended` only for an employee no
    /// stored event names (their own events already put them on the call).
    pub(crate) fn missing(&self, events: Vec<CallEvent>) -> Vec<CallEvent> {
        events
            .into_iter()
            .filter(|event| !self.ids.contains(&event.id.0))
            .filter(|event| match event.kind {
                EventKind::Started => self.is_empty(),
                EventKind::LegEnded => event.employee.as_ref().is_none_or(|employee| {
                    !self
                        .employees
                        .iter()
                        .any(|known| known.same_person(employee))
                }),
                _ => true,
            })
            .collect()
    }
}

/// The stored events of `call_id`.
pub(crate) fn call(conn: &Connection, call_id: &str) -> Result<KnownCall, StoreError> {
    let mut known = KnownCall::default();
    for event in range(conn, &format!("{call_id}:"), &format!("{call_id};"))? {
        add(&mut known, event);
    }
    Ok(known)
}

/// The stored calls whose event ids fall in `[from, until)`, grouped by call id; used to find
/// a Sipuni call by the start time its id begins with.
pub(crate) fn calls_between(
    conn: &Connection,
    from: &str,
    until: &str,
) -> Result<Vec<(String, KnownCall)>, StoreError> {
    let mut calls: Vec<(String, KnownCall)> = Vec::new();
    for event in range(conn, from, until)? {
        let call_id = event.call_id.0.clone();
        match calls.iter_mut().find(|(id, _)| *id == call_id) {
            Some((_, known)) => add(known, event),
            None => {
                let mut known = KnownCall::default();
                add(&mut known, event);
                calls.push((call_id, known));
            }
        }
    }
    Ok(calls)
}

fn add(known: &mut KnownCall, event: CallEvent) {
    if let Some(employee) = event.employee.filter(|e| !e.is_empty())
        && !known.employees.contains(&employee)
    {
        known.employees.push(employee);
    }
    if let Some(phone) = event.contact.phone {
        let phone = phone.e164().to_owned();
        if !known.contacts.contains(&phone) {
            known.contacts.push(phone);
        }
    }
    known.ids.push(event.id.0);
}

/// Most events one range read returns; a call has tens, a few seconds of Sipuni calls a few
/// hundred.
const RANGE_LIMIT: i64 = 2000;

fn range(conn: &Connection, from: &str, until: &str) -> Result<Vec<CallEvent>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT json FROM events WHERE id >= ?1 AND id < ?2 ORDER BY id LIMIT ?3",
    )?;
    let rows = stmt.query_map(params![from, until, RANGE_LIMIT], |row| {
        row.get::<_, String>(0)
    })?;
    let mut events = Vec::new();
    for json in rows {
        let json = json?;
        let event = event_from_json(&json)
            .map_err(|e| StoreError::Corrupt(format!("a stored event does not parse: {e}")))?;
        events.push(event);
    }
    Ok(events)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Role, Store, open_connection, prepare_data_dir};

    #[test]
    fn a_call_is_read_through_the_id_index() {
        let dir = tempfile::tempdir().unwrap();
        drop(Store::open(dir.path()).unwrap());
        let conn = open_connection(&prepare_data_dir(dir.path()).unwrap(), Role::Reader).unwrap();
        assert!(call(&conn, "uis:1").unwrap().is_empty());
        let mut stmt = conn
            .prepare("EXPLAIN QUERY PLAN SELECT json FROM events WHERE id >= ?1 AND id < ?2 ORDER BY id LIMIT ?3")
            .unwrap();
        let plan: Vec<String> = stmt
            .query_map(params!["a", "b", 1], |row| row.get::<_, String>(3))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let plan = plan.join("; ");
        assert!(
            plan.contains("USING INDEX") && !plan.contains("SCAN"),
            "{plan}"
        );
    }
}
