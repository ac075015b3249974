//! Everything about a call that follows from its events, computed from scratch from the events
//! in canonical order. Computing from scratch is what makes the result independent of the
//! order events arrived in: a call has tens of events, so it is also cheap.

use chrono::{DateTime, Utc};

use super::CallStatus;
use super::legs::{self, CallEnd, Leg};
use crate::event::{
    CallEvent, CallId, Contact, Direction, Durations, Employee, EventKind, Outcome, Provider,
};

/// The derived state of a call.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Derived {
    pub(super) provider: Option<Provider>,
    pub(super) direction: Direction,
    pub(super) status: CallStatus,
    pub(super) outcome: Option<Outcome>,
    pub(super) contact: Contact,
    pub(super) line: Option<String>,
    pub(super) legs: Vec<Leg>,
    answered_by: Option<usize>,
    pub(super) started_at: Option<DateTime<Utc>>,
    pub(super) answered_at: Option<DateTime<Utc>>,
    pub(super) ended_at: Option<DateTime<Utc>>,
    pub(super) last_event_at: Option<DateTime<Utc>>,
    pub(super) durations: Durations,
    pub(super) recordings: Vec<String>,
    pub(super) scenario: Option<String>,
    pub(super) tags: Vec<String>,
}

impl Derived {
    /// Folds `events`, which must be in canonical order, all of the call `call_id`.
    ///
    /// Events of an unknown type ([`EventKind::Update`]) decide nothing the others say: the
    /// state is folded from the certain events alone, and updates only fill in a contact and a
    /// line nobody else gave. A call known from updates alone is ringing: it exists, and
    /// nothing says how it went.
    pub(super) fn fold(call_id: &CallId, events: &[&CallEvent]) -> Derived {
        let (updates, certain): (Vec<&CallEvent>, Vec<&CallEvent>) =
            events.iter().partition(|e| e.kind == EventKind::Update);
        if certain.is_empty() {
            return Derived::fold_updates(call_id, &updates);
        }
        let mut derived = Derived::fold_certain(call_id, &certain);
        if derived.contact.phone.is_none() && derived.contact.raw.is_empty() {
            derived.contact = contact(&updates);
        }
        if derived.line.is_none() {
            derived.line = updates.iter().find_map(|e| e.line.clone());
        }
        derived
    }

    /// A call known only from notifications of an unknown type.
    fn fold_updates(call_id: &CallId, updates: &[&CallEvent]) -> Derived {
        Derived {
            provider: provider(call_id, updates),
            direction: updates.first().map_or(Direction::In, |e| e.direction),
            status: CallStatus::Ringing,
            outcome: None,
            contact: contact(updates),
            line: updates.iter().find_map(|e| e.line.clone()),
            legs: Vec::new(),
            answered_by: None,
            started_at: updates.iter().map(|e| e.at).min(),
            answered_at: None,
            ended_at: None,
            last_event_at: updates.iter().map(|e| e.at).max(),
            durations: Durations::default(),
            recordings: Vec::new(),
            scenario: None,
            tags: Vec::new(),
        }
    }

    fn fold_certain(call_id: &CallId, events: &[&CallEvent]) -> Derived {
        let of_kind = |kind: EventKind| events.iter().copied().filter(move |e| e.kind == kind);
        let direction = of_kind(EventKind::Started)
            .next()
            .or(events.first().copied())
            .map_or(Direction::In, |e| e.direction);
        let status = status(events);
        let outcome = if status == CallStatus::Ended {
            outcome(events, direction)
        } else {
            None
        };
        let started_at = events
            .iter()
            .filter(|e| matches!(e.kind, EventKind::Started | EventKind::Ringing))
            .map(|e| e.at)
            .min();
        let answered_at = of_kind(EventKind::Answered).map(|e| e.at).min();
        let ended_at = of_kind(EventKind::Ended).map(|e| e.at).max();
        let end = outcome.map(|outcome| CallEnd {
            at: ended_at,
            outcome,
        });
        let (legs, answered_by) = legs::legs(events, end);
        let durations = durations(events, started_at, answered_at, ended_at, outcome);
        Derived {
            provider: provider(call_id, events),
            direction,
            status,
            outcome,
            contact: contact(events),
            line: events.iter().find_map(|e| e.line.clone()),
            legs,
            answered_by,
            started_at,
            answered_at,
            ended_at,
            last_event_at: events.iter().map(|e| e.at).max(),
            durations,
            recordings: union(events.iter().flat_map(|e| &e.recordings)),
            scenario: events
                .iter()
                .rev()
                .find_map(|e| e.scenario.clone().filter(|s| !s.trim().is_empty())),
            tags: union(events.iter().flat_map(|e| &e.tags)),
        }
    }

    pub(super) fn answered_by(&self) -> Option<&Employee> {
        self.answered_by.map(|index| &self.legs[index].employee)
    }
}

/// The provider of the events, else the one the call id names.
fn provider(call_id: &CallId, events: &[&CallEvent]) -> Option<Provider> {
    events.first().map(|e| e.provider).or_else(|| {
        call_id
            .0
            .split_once(':')
            .and_then(|(p, _)| Provider::parse(p))
    })
}

/// Recordings never move the status: a talk's recording can be ready while the call goes on
/// after a transfer. A call known only from recordings is over, though: recordings are made
/// of talks that ended.
fn status(events: &[&CallEvent]) -> CallStatus {
    let has = |kind| events.iter().any(|e| e.kind == kind);
    if has(EventKind::Ended) {
        CallStatus::Ended
    } else if has(EventKind::Answered) {
        CallStatus::Talking
    } else if !events.is_empty() && events.iter().all(|e| e.kind == EventKind::Recording) {
        CallStatus::Ended
    } else {
        CallStatus::Ringing
    }
}

/// The outcome of an ended call, by the first rule that applies:
/// 1. anyone answered: a conversation took place, whatever the end event says;
/// 2. the latest end event that reports an outcome;
/// 3. a recording, or a talk duration the PBX reported: evidence of a conversation;
/// 4. nobody answered, where the events show that the PBX reports the legs (a leg rang or
///    ended): missed (incoming, internal) or not answered (outgoing);
/// 5. otherwise nothing says how the call went (an end that reports nothing, from a setup
///    that sends neither legs nor answers): unknown until a later notification or
///    reconciliation says. Calling such a call missed would be a guess.
fn outcome(events: &[&CallEvent], direction: Direction) -> Option<Outcome> {
    let legs_reported = || {
        events
            .iter()
            .any(|e| matches!(e.kind, EventKind::Ringing | EventKind::LegEnded))
    };
    let talked = || {
        events
            .iter()
            .any(|e| !e.recordings.is_empty() || e.durations.talk.is_some_and(|talk| talk > 0))
    };
    if events.iter().any(|e| e.kind == EventKind::Answered) {
        Some(Outcome::Answered)
    } else if let Some(reported) = events
        .iter()
        .rev()
        .filter(|e| e.kind == EventKind::Ended)
        .find_map(|e| e.outcome)
    {
        Some(reported)
    } else if talked() {
        Some(Outcome::Answered)
    } else if !legs_reported() {
        None
    } else if direction == Direction::Out {
        Some(Outcome::NoAnswer)
    } else {
        Some(Outcome::Missed)
    }
}

/// The best known contact: the first one with a parsed phone (or at least some raw text), with
/// the latest name any event gives, since PBXs look names up in their address book as the call
/// goes on.
fn contact(events: &[&CallEvent]) -> Contact {
    let base = events
        .iter()
        .find(|e| e.contact.phone.is_some())
        .or_else(|| events.iter().find(|e| !e.contact.raw.is_empty()));
    let mut contact = base.map(|e| e.contact.clone()).unwrap_or_default();
    let name = events
        .iter()
        .rev()
        .find_map(|e| e.contact.name.clone().filter(|n| !n.trim().is_empty()));
    if name.is_some() {
        contact.name = name;
    }
    contact
}

/// Durations the PBX reported (each from the latest event reporting it), else computed from
/// the timestamps. A call that ended unanswered waited until it ended and talked for zero.
fn durations(
    events: &[&CallEvent],
    started: Option<DateTime<Utc>>,
    answered: Option<DateTime<Utc>>,
    ended: Option<DateTime<Utc>>,
    outcome: Option<Outcome>,
) -> Durations {
    let reported = |field: fn(&Durations) -> Option<u32>| {
        events.iter().rev().find_map(|e| field(&e.durations))
    };
    let unanswered = outcome.is_some_and(|o| !o.is_talk());
    let computed_wait = match (answered, unanswered) {
        (Some(answered), _) => seconds(started, Some(answered)),
        (None, true) => seconds(started, ended),
        (None, false) => None,
    };
    let computed_talk = match (answered, unanswered) {
        (Some(answered), _) => seconds(Some(answered), ended),
        (None, true) => Some(0),
        (None, false) => None,
    };
    Durations {
        wait: reported(|d| d.wait).or(computed_wait),
        talk: reported(|d| d.talk).or(computed_talk),
        total: reported(|d| d.total).or_else(|| seconds(started, ended)),
    }
}

/// Whole seconds from `from` to `to`; zero when clocks disagree about the order.
fn seconds(from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) -> Option<u32> {
    let span = (to? - from?).num_seconds().max(0);
    Some(u32::try_from(span).unwrap_or(u32::MAX))
}

/// The distinct strings, in order of first appearance.
fn union<'a>(items: impl Iterator<Item = &'a String>) -> Vec<String> {
    let mut seen = Vec::new();
    for item in items {
        if !item.is_empty() && !seen.contains(item) {
            seen.push(item.clone());
        }
    }
    seen
}
