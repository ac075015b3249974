//! The state of one call, folded from its events.
//!
//! The project invariants hold by construction:
//! - every event is kept once, by its id: applying an event again changes nothing;
//! - everything shown about the call is derived from the *set* of events, folded in a canonical
//!   order (timestamp, then [`EventKind`] order, then id), so the order in which events arrived
//!   does not matter;
//! - nothing requires an event to exist: a call without an end event stays ringing or talking
//!   (callers decide when a call has gone quiet for too long, with
//!   [`CallState::last_event_at`]), and a recording can arrive at any time.
//!
//! Semantics others rely on:
//! - `answered` means a conversation with the contact began: an employee picked up an incoming
//!   call, or the contact picked up an outgoing one (with or without the calling employee on
//!   the event). It is never sent for the agent's own phone ringing back in click-to-call.
//! - A recording never moves the status (a talk's recording can be ready mid-call, after a
//!   transfer); a call known *only* from recordings is [`CallStatus::Ended`] and answered.
//! - Outcome rules are in [`CallState::outcome`]; leg rules in [`Leg`].

mod fold;
mod legs;

#[cfg(test)]
mod proptests;
#[cfg(test)]
pub(crate) mod testkit;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};

use crate::event::{
    CallEvent, CallId, Contact, Direction, Durations, Employee, EventId, EventKind, Outcome,
    Provider,
};
use fold::Derived;
pub use legs::Leg;

/// Where the call is now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallStatus {
    /// Ringing an employee, or dialling the contact on an outgoing call.
    Ringing,
    /// A conversation is going on (possibly on hold during a transfer).
    Talking,
    /// The call is over.
    Ended,
}

impl CallStatus {
    pub const ALL: [CallStatus; 3] = [CallStatus::Ringing, CallStatus::Talking, CallStatus::Ended];

    /// The lowercase name used in JSON and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            CallStatus::Ringing => "ringing",
            CallStatus::Talking => "talking",
            CallStatus::Ended => "ended",
        }
    }

    pub fn parse(text: &str) -> Option<CallStatus> {
        CallStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// An event's place in the canonical order.
type Key = (DateTime<Utc>, EventKind, EventId);

fn key(event: &CallEvent) -> Key {
    (event.at, event.kind, event.id.clone())
}

/// One call: its events, and what follows from them.
#[derive(Debug, Clone, PartialEq)]
pub struct CallState {
    call_id: CallId,
    /// Every event once, in canonical order.
    events: BTreeMap<Key, CallEvent>,
    /// Where each event id sits in `events`.
    keys: HashMap<EventId, Key>,
    derived: Derived,
}

impl CallState {
    /// A call with no events yet: ringing, incoming, nothing known.
    pub fn new(call_id: CallId) -> Self {
        let derived = Derived::fold(&call_id, &[]);
        CallState {
            call_id,
            events: BTreeMap::new(),
            keys: HashMap::new(),
            derived,
        }
    }

    /// The call of the first event, with every event of that call; events of other calls are
    /// ignored. `None` when there are no events.
    pub fn from_events(events: impl IntoIterator<Item = CallEvent>) -> Option<Self> {
        let mut events = events.into_iter();
        let first = events.next()?;
        let mut state = CallState::new(first.call_id.clone());
        state.insert(first);
        for event in events {
            state.insert(event);
        }
        state.refresh();
        Some(state)
    }

    /// Adds an event of this call. Returns whether the state changed: `false` for an event
    /// already applied and for an event of another call.
    pub fn apply(&mut self, event: CallEvent) -> bool {
        let changed = self.insert(event);
        if changed {
            self.refresh();
        }
        changed
    }

    /// Stores the event without re-deriving the state.
    ///
    /// Two deliveries with one id are one event. Should they differ (a PBX resending with
    /// another timestamp), the one with the earliest timestamp, then kind, then smallest raw
    /// text is kept, so that which one arrived first does not matter.
    fn insert(&mut self, event: CallEvent) -> bool {
        if event.call_id != self.call_id {
            return false;
        }
        if let Some(existing) = self.keys.get(&event.id) {
            let kept = &self.events[existing];
            if (event.at, event.kind, &event.raw) >= (kept.at, kept.kind, &kept.raw) {
                return false;
            }
            self.events.remove(existing);
        }
        let key = key(&event);
        self.keys.insert(event.id.clone(), key.clone());
        self.events.insert(key, event);
        true
    }

    fn refresh(&mut self) {
        let events: Vec<&CallEvent> = self.events.values().collect();
        self.derived = Derived::fold(&self.call_id, &events);
    }

    pub fn call_id(&self) -> &CallId {
        &self.call_id
    }

    /// The PBX, from the events, or from the call id before any event.
    pub fn provider(&self) -> Option<Provider> {
        self.derived.provider
    }

    /// The direction of the `started` event, else of the earliest event; incoming before any.
    pub fn direction(&self) -> Direction {
        self.derived.direction
    }

    /// Ended once any `ended` event is known (or when only recordings are); talking once
    /// anyone answered; ringing before.
    pub fn status(&self) -> CallStatus {
        self.derived.status
    }

    /// How the call ended; `None` until it has, and while nothing says. The first rule that
    /// applies:
    /// 1. anyone answered: [`Outcome::Answered`], whatever the end event says (an `answered`
    ///    that arrives after `ended` still counts);
    /// 2. the outcome of the latest `ended` event that reports one;
    /// 3. a recording, or a talk duration above zero: [`Outcome::Answered`];
    /// 4. where a leg rang or ended (the PBX reports legs), [`Outcome::Missed`] for incoming
    ///    and internal calls, [`Outcome::NoAnswer`] for outgoing ones;
    /// 5. otherwise `None`: the end reported nothing, and calling the call missed would be a
    ///    guess; a later notification or reconciliation tells.
    pub fn outcome(&self) -> Option<Outcome> {
        self.derived.outcome
    }

    /// The customer: the first contact with a parsed phone number (else with any raw text),
    /// named with the latest name any event gives.
    pub fn contact(&self) -> &Contact {
        &self.derived.contact
    }

    /// The virtual or city number of the call, from the earliest event that has one.
    pub fn line(&self) -> Option<&str> {
        self.derived.line.as_deref()
    }

    /// One leg per employee seen in any event, in order of first appearance.
    pub fn legs(&self) -> &[Leg] {
        &self.derived.legs
    }

    /// The leg of `employee`, if they took part.
    pub fn leg_of(&self, employee: &Employee) -> Option<&Leg> {
        self.derived
            .legs
            .iter()
            .find(|leg| leg.employee.same_person(employee))
    }

    /// Who took the call: the employee of the latest `answered` event that names one, so after
    /// a transfer it is the colleague who took over.
    pub fn answered_by(&self) -> Option<&Employee> {
        self.derived.answered_by()
    }

    /// The earliest `started` or `ringing` event.
    pub fn started_at(&self) -> Option<DateTime<Utc>> {
        self.derived.started_at
    }

    /// The earliest `answered` event.
    pub fn answered_at(&self) -> Option<DateTime<Utc>> {
        self.derived.answered_at
    }

    /// The latest `ended` event.
    pub fn ended_at(&self) -> Option<DateTime<Utc>> {
        self.derived.ended_at
    }

    /// The latest timestamp of any event: how long a call without an end has been quiet.
    pub fn last_event_at(&self) -> Option<DateTime<Utc>> {
        self.derived.last_event_at
    }

    /// Each duration as the PBX reported it in the latest event that has it, otherwise
    /// computed: wait = answered − started, talk = ended − answered, total = ended − started.
    /// An ended call nobody answered waited until it ended and talked for zero seconds.
    pub fn durations(&self) -> Durations {
        self.derived.durations
    }

    /// Recording links of all events, without repeats, in canonical event order.
    pub fn recordings(&self) -> Vec<String> {
        self.derived.recordings.clone()
    }

    /// The scenario named by the latest event that names one.
    pub fn scenario(&self) -> Option<&str> {
        self.derived.scenario.as_deref()
    }

    /// Tags of all events, without repeats, in canonical event order.
    pub fn tags(&self) -> Vec<String> {
        self.derived.tags.clone()
    }

    /// The events, each once, in canonical order.
    pub fn events(&self) -> impl Iterator<Item = &CallEvent> {
        self.events.values()
    }

    pub fn event_count(&self) -> usize {
        self.events.len()
    }

    /// Whether a colleague of `me` answered and `me` did not: `me`'s card for this call
    /// withdraws. An employee who answered and then transferred the call keeps the card.
    pub fn is_answered_elsewhere(&self, me: &Employee) -> bool {
        let answering = || {
            self.derived
                .legs
                .iter()
                .filter(|leg| leg.answered_at.is_some())
        };
        answering().any(|leg| !leg.employee.same_person(me))
            && !answering().any(|leg| leg.employee.same_person(me))
    }
}
