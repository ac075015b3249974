//! The legs of a call: one per employee who took part, however many times their phone rang.
//!
//! Employees are told apart with [`Employee::same_person`]. PBXs describe the same person
//! differently from one notification to the next (an id here, an extension there), so groups
//! that a later, fuller description shows to be one person are merged.

use chrono::{DateTime, Utc};

use crate::event::{CallEvent, Employee, EventKind, Outcome};

/// One employee's part in a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leg {
    /// Everything the events said about the employee, merged.
    pub employee: Employee,
    /// When their phone first rang.
    pub rang_at: Option<DateTime<Utc>>,
    /// When they first answered.
    pub answered_at: Option<DateTime<Utc>>,
    /// When their part ended: their own `leg_ended`, or the end of the call.
    pub ended_at: Option<DateTime<Utc>>,
    /// How their part ended; `None` while it goes on, or when the events do not say.
    pub outcome: Option<Outcome>,
}

/// How the whole call ended, which is how a leg ends that has no end of its own.
#[derive(Debug, Clone, Copy)]
pub(super) struct CallEnd {
    pub(super) at: Option<DateTime<Utc>>,
    pub(super) outcome: Outcome,
}

/// The legs of the events (in canonical order), and the index of the leg that answered last.
pub(super) fn legs(events: &[&CallEvent], end: Option<CallEnd>) -> (Vec<Leg>, Option<usize>) {
    let groups = group_by_person(events);
    let answered_by = events
        .iter()
        .rposition(|e| e.kind == EventKind::Answered && has_employee(e))
        .and_then(|last| groups.iter().position(|g| g.positions.contains(&last)));
    let anyone_answered = groups.iter().any(|g| g.has(events, EventKind::Answered));
    let legs = groups
        .iter()
        .map(|group| group.leg(events, end, anyone_answered))
        .collect();
    (legs, answered_by)
}

fn has_employee(event: &CallEvent) -> bool {
    event.employee.as_ref().is_some_and(|e| !e.is_empty())
}

/// The events of one person, as positions in the canonical order.
struct Group {
    employee: Employee,
    positions: Vec<usize>,
}

fn group_by_person(events: &[&CallEvent]) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    for (position, event) in events.iter().enumerate() {
        let Some(employee) = event.employee.as_ref().filter(|e| !e.is_empty()) else {
            continue;
        };
        let mut matching = groups
            .iter()
            .enumerate()
            .filter(|(_, g)| g.employee.same_person(employee))
            .map(|(index, _)| index)
            .collect::<Vec<_>>()
            .into_iter();
        let Some(target) = matching.next() else {
            groups.push(Group {
                employee: employee.clone(),
                positions: vec![position],
            });
            continue;
        };
        // Later matches are merged into the first, so legs keep their order of appearance.
        for index in matching.rev() {
            let merged = groups.remove(index);
            fill_in(&mut groups[target].employee, &merged.employee);
            groups[target].positions.extend(merged.positions);
        }
        let group = &mut groups[target];
        fill_in(&mut group.employee, employee);
        group.positions.push(position);
        group.positions.sort_unstable();
    }
    groups
}

/// Completes `into` with what `from` knows and `into` does not.
fn fill_in(into: &mut Employee, from: &Employee) {
    if into.id.is_none() {
        into.id.clone_from(&from.id);
    }
    if into.name.is_none() {
        into.name.clone_from(&from.name);
    }
    if into.extension.is_none() {
        into.extension.clone_from(&from.extension);
    }
}

impl Group {
    fn of_kind<'a>(
        &'a self,
        events: &'a [&'a CallEvent],
        kind: EventKind,
    ) -> impl DoubleEndedIterator<Item = (usize, &'a CallEvent)> + 'a {
        self.positions
            .iter()
            .map(|&p| (p, events[p]))
            .filter(move |(_, e)| e.kind == kind)
    }

    fn has(&self, events: &[&CallEvent], kind: EventKind) -> bool {
        self.of_kind(events, kind).next().is_some()
    }

    fn leg(&self, events: &[&CallEvent], end: Option<CallEnd>, anyone_answered: bool) -> Leg {
        let first_at = |kind| self.of_kind(events, kind).next().map(|(_, e)| e.at);
        let rang_at = first_at(EventKind::Ringing);
        let answered_at = first_at(EventKind::Answered);
        // A `leg_ended` closes the leg only if the phone did not ring or get answered again
        // after it: queues ring the same employee again after a timeout.
        let last_activity = self
            .positions
            .iter()
            .copied()
            .filter(|&p| matches!(events[p].kind, EventKind::Ringing | EventKind::Answered))
            .max();
        let closing = self
            .of_kind(events, EventKind::LegEnded)
            .rev()
            .find(|&(p, _)| last_activity.is_none_or(|a| p > a))
            .map(|(_, e)| e);
        let outcome = if answered_at.is_some() {
            Some(Outcome::Answered)
        } else if let Some(outcome) = closing.and_then(|e| e.outcome) {
            Some(outcome)
        } else {
            end.and_then(|end| open_leg_outcome(end.outcome, rang_at.is_some(), anyone_answered))
        };
        Leg {
            employee: self.employee.clone(),
            rang_at,
            answered_at,
            ended_at: closing.map(|e| e.at).or(end.and_then(|end| end.at)),
            outcome,
        }
    }
}

/// How a leg without an end of its own ended, given how the call ended.
fn open_leg_outcome(call: Outcome, rang: bool, anyone_answered: bool) -> Option<Outcome> {
    match (call, rang) {
        // Seen without ringing: the caller of an outgoing call, or the employee the PBX names
        // on the end of the call. Their part ended as the call did.
        (_, false) => Some(call),
        // Rang while a colleague answered: the PBX stopped the ring.
        (Outcome::Answered, true) if anyone_answered => Some(Outcome::Cancelled),
        // Rang, and someone the events do not name answered: it may have been this employee.
        (Outcome::Answered, true) => None,
        (call, true) => Some(call),
    }
}
