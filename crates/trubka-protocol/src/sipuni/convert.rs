//! Building the CallEvents of one Sipuni event.

use chrono::DateTime;
use trubka_core::{
    CallEvent, Contact, Direction, Durations, Employee, EventKind, Outcome, PhoneParser, Provider,
};

use crate::ids::{self, ONCE_PER_CALL};
use crate::numbers;
use crate::options::ParseOptions;
use crate::times;

use super::fields::{Party, SipuniEvent};

/// Turns an event into its events: one, plus a `recording` event when a hangup carries a
/// recording link.
pub(crate) fn events(
    event: &SipuniEvent,
    raw: &str,
    phones: &PhoneParser,
    options: &ParseOptions,
) -> Vec<CallEvent> {
    let direction = direction(event);
    let kind = kind(event);
    let recordings: Vec<String> = event.record_link.iter().cloned().collect();
    let employee = employee(event, kind, direction);
    let main = CallEvent {
        id: event.call_id.event_id(kind, &discriminator(event, kind)),
        call_id: event.call_id.clone(),
        provider: Provider::Sipuni,
        kind,
        direction,
        at: [event.timestamp, event.call_start]
            .into_iter()
            .flatten()
            .find_map(times::unix)
            .or(options.received_at)
            .unwrap_or(DateTime::UNIX_EPOCH),
        contact: contact(event, direction, phones),
        line: line(event, direction, phones),
        employee: employee.map(|extension| Employee {
            id: None,
            name: None,
            extension: Some(extension),
            phone: None,
        }),
        outcome: outcome(event, kind, direction),
        durations: durations(event, kind),
        recordings,
        scenario: event.tree_name.clone(),
        tags: Vec::new(),
        raw: raw.to_owned(),
    };
    let recording = match (&event.record_link, kind) {
        (Some(link), EventKind::Ended | EventKind::LegEnded) => Some(CallEvent {
            id: event
                .call_id
                .event_id(EventKind::Recording, &ids::token(link)),
            kind: EventKind::Recording,
            outcome: None,
            ..main.clone()
        }),
        _ => None,
    };
    std::iter::once(main).chain(recording).collect()
}

/// Event 1 is `ringing` when an employee's phone rings (the destination is internal) and
/// `started` when the destination is external: an incoming call reaching the line, or an
/// employee dialling out, where it is the contact's phone that rings.
fn kind(event: &SipuniEvent) -> EventKind {
    match event.code {
        1 if event.dst.internal => EventKind::Ringing,
        1 => EventKind::Started,
        3 => EventKind::Answered,
        4 => EventKind::LegEnded,
        _ => EventKind::Ended,
    }
}

/// Both sides internal (or `is_inner_call=1`): internal; an internal caller: outgoing;
/// otherwise incoming. Events that carry no numbers (event 3 often has only `channel`) are
/// read as incoming; the call's other events tell its real direction.
fn direction(event: &SipuniEvent) -> Direction {
    if event.inner_call || (event.src.internal && event.dst.internal) {
        Direction::Internal
    } else if event.src.internal {
        Direction::Out
    } else {
        Direction::In
    }
}

/// The employee's extension: the rung extension for `ringing`, the caller's for outgoing
/// calls, and for the later events whoever the event names (`last_called` on hangups).
fn employee(event: &SipuniEvent, kind: EventKind, direction: Direction) -> Option<String> {
    let caller = || match direction {
        Direction::Out | Direction::Internal => event.src.extension.clone(),
        Direction::In => None,
    };
    match kind {
        EventKind::Ringing => event.dst.extension.clone(),
        EventKind::Started => caller(),
        EventKind::Answered | EventKind::LegEnded => event
            .dst
            .extension
            .clone()
            .or_else(|| event.last_called.clone())
            .or_else(caller),
        EventKind::Ended | EventKind::Recording | EventKind::Update => event
            .last_called
            .clone()
            .or_else(|| event.dst.extension.clone())
            .or_else(caller),
    }
}

/// The other party: the caller of incoming and internal calls, the callee of outgoing ones.
/// Internal numbers are never phone numbers, whatever their digits look like.
fn contact(event: &SipuniEvent, direction: Direction, phones: &PhoneParser) -> Contact {
    let party: &Party = match direction {
        Direction::In | Direction::Internal => &event.src,
        Direction::Out => &event.dst,
    };
    let phone = match (&party.number, party.internal) {
        (Some(number), false) => numbers::phone(phones, number),
        _ => None,
    };
    Contact {
        phone,
        raw: party.raw.clone().unwrap_or_default(),
        name: None,
    }
}

/// The line of an incoming call: the dialled number, else the external destination.
fn line(event: &SipuniEvent, direction: Direction, phones: &PhoneParser) -> Option<String> {
    if direction != Direction::In {
        return None;
    }
    let external_dst = (!event.dst.internal)
        .then(|| event.dst.number.clone())
        .flatten();
    numbers::line(phones, event.dialled.clone().or(external_dst))
}

/// The hangup status as an outcome. For the whole call (event 2) an incoming or internal
/// call that nobody took is `missed`, whether it rang out or the caller gave up; for one leg
/// (event 4) the status is kept as it is.
fn outcome(event: &SipuniEvent, kind: EventKind, direction: Direction) -> Option<Outcome> {
    let whole_call = match kind {
        EventKind::Ended => true,
        EventKind::LegEnded => false,
        _ => return None,
    };
    let missed = whole_call && direction != Direction::Out;
    Some(match event.status.as_deref()? {
        "ANSWER" | "ANSWERED" => Outcome::Answered,
        "BUSY" => Outcome::Busy,
        "NOANSWER" | "NO ANSWER" if missed => Outcome::Missed,
        "NOANSWER" | "NO ANSWER" => Outcome::NoAnswer,
        "CANCEL" if missed => Outcome::Missed,
        "CANCEL" => Outcome::Cancelled,
        "CONGESTION" | "FAILED" => Outcome::Failed,
        "CHANUNAVAIL" => Outcome::Unavailable,
        _ => return None,
    })
}

/// Durations of a hangup from its timestamps. `call_answer_timestamp` is unreliable for some
/// calls (equal to or before the start), so talk and wait are only given when it falls
/// between the start and the end.
fn durations(event: &SipuniEvent, kind: EventKind) -> Durations {
    if !matches!(kind, EventKind::Ended | EventKind::LegEnded) {
        return Durations::default();
    }
    let span = |from: u64, to: u64| to.checked_sub(from).and_then(|d| u32::try_from(d).ok());
    let total = event
        .call_start
        .zip(event.timestamp)
        .and_then(|(start, end)| span(start, end));
    let answered = matches!(event.status.as_deref(), Some("ANSWER" | "ANSWERED"));
    if !answered {
        let talk = event.status.is_some().then_some(0);
        return Durations {
            wait: total,
            talk,
            total,
        };
    }
    let answer = event
        .call_answer
        .filter(|answer| event.call_start.is_some_and(|start| *answer > start))
        .filter(|answer| event.timestamp.is_some_and(|end| *answer <= end));
    Durations {
        wait: answer
            .zip(event.call_start)
            .and_then(|(answer, start)| span(start, answer)),
        talk: answer
            .zip(event.timestamp)
            .and_then(|(answer, end)| span(answer, end)),
        total,
    }
}

/// What tells this event apart from the call's other events of the same kind. Event 1 is
/// sent twice (the copy one second later): both name the same destination, so they get the
/// same id. A hangup is once per call.
fn discriminator(event: &SipuniEvent, kind: EventKind) -> String {
    let destination = event
        .dst
        .extension
        .clone()
        .or_else(|| event.dst.number.clone());
    let by_leg = || {
        destination
            .clone()
            .or_else(|| event.channel.clone())
            .map_or_else(|| ONCE_PER_CALL.to_owned(), |leg| ids::token(&leg))
    };
    match kind {
        EventKind::Started | EventKind::Ended | EventKind::Recording | EventKind::Update => {
            ONCE_PER_CALL.to_owned()
        }
        EventKind::Ringing | EventKind::Answered => by_leg(),
        EventKind::LegEnded => match destination.clone().or_else(|| event.last_called.clone()) {
            Some(leg) => ids::token(&leg),
            None => by_leg(),
        },
    }
}
