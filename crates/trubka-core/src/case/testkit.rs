//! Building the calls of seed 003's situations for the case tests: missed calls, calls hung up
//! in the voice menu, answered calls and call-backs, each from or to a given number.

use chrono::{DateTime, Utc};

use super::{CallNote, CaseKey, ManualClose};
use crate::call::CallState;
use crate::call::testkit::{Call, at};
use crate::event::{CallEvent, CallId, Contact, Employee, EventKind, Outcome};
use crate::phone::PhoneNumber;

pub(super) use crate::call::testkit::{anna, boris, vera};

pub(super) const CLIENT: &str = "+79261234567";
pub(super) const OTHER: &str = "+79167654321";

/// A caller who hides their number.
pub(super) const HIDDEN: &str = "anonymous";

/// The contact of `number`: E.164, or a raw text that is no phone number.
fn contact(number: &str) -> Contact {
    Contact {
        phone: PhoneNumber::from_e164(number),
        raw: number.trim_start_matches('+').to_owned(),
        name: None,
    }
}

/// The events of a call with `number` as the client.
struct Build {
    call: Call,
    number: String,
    events: Vec<CallEvent>,
}

impl Build {
    fn new(call: Call, number: &str) -> Build {
        Build {
            call,
            number: number.to_owned(),
            events: Vec::new(),
        }
    }

    fn add(&mut self, kind: EventKind, n: &str, seconds: i64) -> &mut CallEvent {
        let mut event = self.call.event(kind, n, seconds);
        event.contact = contact(&self.number);
        self.events.push(event);
        self.events.last_mut().expect("just pushed")
    }

    fn events(self) -> Vec<CallEvent> {
        self.events
    }
}

/// An incoming call from `number` at `start` that rang each of `routed` in turn and that
/// nobody answered.
pub(super) fn missed_events(
    session: &str,
    number: &str,
    start: i64,
    routed: &[Employee],
) -> Vec<CallEvent> {
    let mut b = Build::new(Call::incoming(session), number);
    b.add(EventKind::Started, "s", start);
    for (i, employee) in routed.iter().enumerate() {
        let offset = i64::try_from(i).expect("few employees") * 10;
        let ring = b.add(EventKind::Ringing, &format!("r{i}"), start + 2 + offset);
        ring.employee = Some(employee.clone());
        let end = b.add(EventKind::LegEnded, &format!("l{i}"), start + 9 + offset);
        end.employee = Some(employee.clone());
        end.outcome = Some(Outcome::NoAnswer);
    }
    b.add(EventKind::Ended, "e", start + 40).outcome = Some(Outcome::Missed);
    b.events()
}

pub(super) fn missed(session: &str, number: &str, start: i64, routed: &[Employee]) -> CallState {
    state(missed_events(session, number, start, routed))
}

/// An incoming call from `number` whose caller hung up in the voice menu, before being routed.
pub(super) fn hung_up_in_menu(session: &str, number: &str, start: i64) -> CallState {
    let mut b = Build::new(Call::incoming(session), number);
    b.add(EventKind::Started, "s", start);
    b.add(EventKind::Ended, "e", start + 15).outcome = Some(Outcome::Missed);
    state(b.events())
}

/// An incoming call from `number` that `by` answered, recorded or not.
pub(super) fn answered_events(
    session: &str,
    number: &str,
    start: i64,
    by: &Employee,
    recorded: bool,
) -> Vec<CallEvent> {
    let mut b = Build::new(Call::incoming(session), number);
    b.add(EventKind::Started, "s", start);
    b.add(EventKind::Ringing, "r", start + 2).employee = Some(by.clone());
    b.add(EventKind::Answered, "a", start + 5).employee = Some(by.clone());
    b.add(EventKind::Ended, "e", start + 60).outcome = Some(Outcome::Answered);
    if recorded {
        let rec = b.add(EventKind::Recording, "rec", start + 61);
        rec.recordings.push(format!("https://rec/{session}"));
    }
    b.events()
}

pub(super) fn answered(
    session: &str,
    number: &str,
    start: i64,
    by: &Employee,
    recorded: bool,
) -> CallState {
    state(answered_events(session, number, start, by, recorded))
}

/// How an outgoing call went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Reply {
    NoAnswer,
    Answered,
    AnsweredRecorded,
}

/// An outgoing call by `by` to `number`.
pub(super) fn call_back_events(
    session: &str,
    number: &str,
    start: i64,
    by: &Employee,
    reply: Reply,
) -> Vec<CallEvent> {
    let mut b = Build::new(Call::outgoing(session), number);
    b.add(EventKind::Started, "s", start).employee = Some(by.clone());
    if reply == Reply::NoAnswer {
        b.add(EventKind::Ended, "e", start + 30).outcome = Some(Outcome::NoAnswer);
        return b.events();
    }
    b.add(EventKind::Answered, "a", start + 8).employee = Some(by.clone());
    b.add(EventKind::Ended, "e", start + 90).outcome = Some(Outcome::Answered);
    if reply == Reply::AnsweredRecorded {
        let rec = b.add(EventKind::Recording, "rec", start + 91);
        rec.recordings.push(format!("https://rec/{session}"));
    }
    b.events()
}

pub(super) fn call_back(
    session: &str,
    number: &str,
    start: i64,
    by: &Employee,
    reply: Reply,
) -> CallState {
    state(call_back_events(session, number, start, by, reply))
}

pub(super) fn state(events: Vec<CallEvent>) -> CallState {
    CallState::from_events(events).expect("a call has events")
}

/// The id of an incoming call's session, as [`Call::incoming`] makes it.
pub(super) fn incoming_id(session: &str) -> CallId {
    Call::incoming(session).id
}

pub(super) fn outgoing_id(session: &str) -> CallId {
    Call::outgoing(session).id
}

pub(super) fn key(id: &CallId) -> CaseKey {
    CaseKey(id.clone())
}

pub(super) fn time(seconds: i64) -> DateTime<Utc> {
    at(seconds)
}

pub(super) fn close(call: &CallId, seconds: i64, by: &Employee, reason: &str) -> ManualClose {
    ManualClose {
        case: key(call),
        at: at(seconds),
        by: Some(by.clone()),
        reason: Some(reason.to_owned()),
    }
}

pub(super) fn note(
    call: &CallId,
    seconds: i64,
    by: &Employee,
    gist: &str,
    new_case: bool,
) -> CallNote {
    CallNote {
        call: call.clone(),
        at: at(seconds),
        by: Some(by.clone()),
        gist: gist.to_owned(),
        new_case,
    }
}
