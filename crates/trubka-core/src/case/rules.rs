//! The case rules of seed 003 (points 8–19), applied to calls and manual closes in time order.
//!
//! Everything is recomputed from the inputs: they are put in a canonical order first (calls by
//! start, then call id; closes by time, then content), so the order they arrived in does not
//! matter. A case only grows forward in time, so one pass over that order is enough.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};

use super::{
    CallNote, Callback, Case, CaseInput, CaseKey, CaseKind, CaseStatus, CloseCause, Closure, Gist,
    ManualClose, RecordingRule,
};
use crate::call::CallState;
use crate::event::{CallId, Direction, Employee};
use crate::phone::PhoneNumber;

pub(super) fn derive<'a>(
    inputs: impl IntoIterator<Item = CaseInput<'a>>,
    rule: RecordingRule,
) -> Vec<Case> {
    let mut states: BTreeMap<CallId, Vec<&CallState>> = BTreeMap::new();
    let mut closes: Vec<&ManualClose> = Vec::new();
    let mut notes: HashMap<CallId, Vec<&CallNote>> = HashMap::new();
    for input in inputs {
        match input {
            CaseInput::Call(state) => states
                .entry(state.call_id().clone())
                .or_default()
                .push(state),
            CaseInput::Closed(close) => closes.push(close),
            CaseInput::Note(note) => notes.entry(note.call.clone()).or_default().push(note),
        }
    }
    let calls: Vec<Cow<'a, CallState>> = states.into_values().filter_map(merge).collect();
    let mut timeline: Vec<Item<'a>> = calls
        .iter()
        .enumerate()
        .filter_map(|(index, state)| Some(Item::Call(call_time(state)?, index)))
        .chain(closes.into_iter().map(Item::Close))
        .collect();
    timeline.sort_by(|a, b| a.order(&calls).cmp(&b.order(&calls)));
    for list in notes.values_mut() {
        list.sort_by(|a, b| note_order(a).cmp(&note_order(b)));
    }

    let mut fold = Fold {
        rule,
        cases: Vec::new(),
        case_of_call: HashMap::new(),
        open_missed: HashMap::new(),
        pending: Vec::new(),
    };
    for item in &timeline {
        match item {
            Item::Call(at, index) => {
                let state = &calls[*index];
                let notes = notes.get(state.call_id()).map_or(&[][..], Vec::as_slice);
                fold.call(state, *at, notes);
            }
            Item::Close(close) => fold.close(close),
        }
    }
    let mut cases = fold.cases;
    cases.sort_by(|a, b| (a.opened_at, &a.key).cmp(&(b.opened_at, &b.key)));
    cases
}

/// Several states of one call (say, one from notifications and one from reconciliation) are
/// one call made of all their events.
fn merge<'a>(states: Vec<&'a CallState>) -> Option<Cow<'a, CallState>> {
    match states.as_slice() {
        [] => None,
        [one] => Some(Cow::Borrowed(*one)),
        many => {
            CallState::from_events(many.iter().flat_map(|s| s.events()).cloned()).map(Cow::Owned)
        }
    }
}

/// When a call happened, for ordering: its start, else the earliest moment its events tell.
fn call_time(state: &CallState) -> Option<DateTime<Utc>> {
    state
        .started_at()
        .or(state.answered_at())
        .or(state.ended_at())
        .or(state.last_event_at())
}

/// A call (its time, and where it is among the merged calls) or a manual close.
enum Item<'a> {
    Call(DateTime<Utc>, usize),
    Close(&'a ManualClose),
}

/// The canonical order of the timeline: time, then calls before closes made at the same
/// moment, then call id or the close's content.
type Order<'b> = (
    DateTime<Utc>,
    u8,
    &'b str,
    Option<&'b str>,
    EmployeeOrder<'b>,
);

type EmployeeOrder<'b> = [Option<&'b str>; 4];

fn employee_order(employee: Option<&Employee>) -> EmployeeOrder<'_> {
    employee.map_or([None; 4], |e| {
        [
            e.id.as_deref(),
            e.name.as_deref(),
            e.extension.as_deref(),
            e.phone.as_deref(),
        ]
    })
}

impl Item<'_> {
    fn order<'b>(&'b self, calls: &'b [Cow<'_, CallState>]) -> Order<'b> {
        match self {
            Item::Call(at, index) => (*at, 0, &calls[*index].call_id().0, None, [None; 4]),
            Item::Close(close) => (
                close.at,
                1,
                &close.case.0.0,
                close.reason.as_deref(),
                employee_order(close.by.as_ref()),
            ),
        }
    }
}

fn note_order<'b>(note: &&'b CallNote) -> (DateTime<Utc>, &'b str, bool, EmployeeOrder<'b>) {
    (
        note.at,
        &note.gist,
        note.new_case,
        employee_order(note.by.as_ref()),
    )
}

struct Fold<'a> {
    rule: RecordingRule,
    cases: Vec<Case>,
    /// The case each call went to.
    case_of_call: HashMap<CallId, usize>,
    /// The open missed-call case of each number; entries whose case has left that state are
    /// dropped when next looked up.
    open_missed: HashMap<PhoneNumber, usize>,
    /// Closes of cases whose call is not known yet: a close comes after the case in truth,
    /// so one stamped before its call (the clocks differ) still applies when the call arrives.
    pending: Vec<&'a ManualClose>,
}

impl<'a> Fold<'a> {
    fn call(&mut self, state: &CallState, at: DateTime<Utc>, notes: &[&CallNote]) {
        // Cases are made and changed when a call is over (points 10, 15, 18 б, в): a call
        // still going on, or whose outcome nobody has reported yet, waits for its end or for
        // reconciliation. Internal calls have no client.
        let Some(outcome) = state.outcome() else {
            return;
        };
        let client = state.contact().phone.clone();
        let open = client.as_ref().and_then(|phone| self.open_missed_of(phone));
        match state.direction() {
            Direction::Internal => {}
            Direction::In if !outcome.is_talk() => self.missed(state, at, client, open, notes),
            direction => {
                let answered = outcome.is_talk();
                let recorded = !state.recordings().is_empty();
                let talked = match direction {
                    // Point 13: a call-back reaches the client by the configured rule.
                    Direction::Out => self.rule.is_met(answered, recorded),
                    _ => answered,
                };
                let call = Conversation {
                    at,
                    direction,
                    answered,
                    recorded,
                    talked,
                };
                self.conversation(state, &call, open, notes);
            }
        }
    }

    /// A missed incoming call. A note on it only adds its gist: grouping is the rules' to
    /// decide (point 12), so its `new_case` changes nothing.
    fn missed(
        &mut self,
        state: &CallState,
        at: DateTime<Utc>,
        client: Option<PhoneNumber>,
        open: Option<usize>,
        notes: &[&CallNote],
    ) {
        let routed = routed_last(state);
        let index = match open {
            // Point 12: missed calls from one number gather in its open missed-call case
            // while no conversation took place. A case that had nobody responsible takes the
            // first employee a later call was routed to.
            Some(index) => {
                let case = &mut self.cases[index];
                if case.responsible.is_none() {
                    case.responsible = routed;
                }
                index
            }
            // Points 11, 16: a new case «Пропущенный звонок с [номер]», open, with the
            // employee the call was routed to last, or nobody when the caller hung up before
            // being routed (in the voice menu). A hidden number cannot be grouped or called
            // back: each of its missed calls is a case of its own.
            None => {
                let index = self.open_case(state, at, CaseKind::Missed, routed);
                if let Some(phone) = client {
                    self.open_missed.insert(phone, index);
                }
                index
            }
        };
        self.attach(index, state, notes);
    }

    /// An answered incoming call, or any outgoing call.
    fn conversation(
        &mut self,
        state: &CallState,
        call: &Conversation,
        open: Option<usize>,
        notes: &[&CallNote],
    ) {
        let employee = match call.direction {
            Direction::Out => state
                .answered_by()
                .or(state.legs().first().map(|leg| &leg.employee))
                .cloned(),
            _ => state.answered_by().cloned().or_else(|| routed_last(state)),
        };
        let ended_at = state.ended_at().unwrap_or(call.at);
        let new_case = notes.iter().find(|n| n.new_case);
        // Points 18 б, в, д: unless the agent made a new case of it, a call with the number of
        // an open missed-call case goes to that case: an outgoing one is its call-back.
        let target = if new_case.is_some() { None } else { open };
        if let Some(index) = target {
            let case = &mut self.cases[index];
            if call.direction == Direction::Out {
                // Points 9, 17: every attempt is kept; one the client did not answer leaves
                // the case open.
                case.callbacks.push(Callback {
                    call: state.call_id().clone(),
                    by: employee.clone(),
                    at: call.at,
                    answered: call.answered,
                    recorded: call.recorded,
                });
                // Point 13: the receiver turns green once a call-back reached the client.
                case.reached |= call.talked;
            }
            if call.talked && case.status == CaseStatus::Open {
                // Points 15, 18 б, в, д: after the conversation the case waits.
                case.status = CaseStatus::Waiting;
            }
            if case.responsible.is_none() {
                case.responsible = employee;
            }
            self.attach(index, state, notes);
            return;
        }
        let kind = match call.direction {
            Direction::Out => CaseKind::Outgoing,
            _ => CaseKind::Incoming,
        };
        let index = self.open_case(state, call.at, kind, employee);
        let case = &mut self.cases[index];
        if notes.is_empty() {
            // Points 10, 19: a call nobody worked on and that joined no case is a case, closed
            // when the call ended, with its responsible.
            close(
                case,
                Closure {
                    at: ended_at,
                    by: None,
                    reason: None,
                    cause: CloseCause::NotAttached,
                },
            );
        } else if call.talked {
            // Points 8, 15: the agent wrote the call down; after the conversation it waits.
            case.status = CaseStatus::Waiting;
        }
        let key = case.key.clone();
        self.attach(index, state, notes);
        // Points 18 а, г: the conversation goes on in the new case the agent made, so the
        // client's missed-call case is closed.
        if let (Some(note), Some(missed), true) = (new_case, open, call.talked) {
            close(
                &mut self.cases[missed],
                Closure {
                    at: ended_at,
                    by: note.by.clone(),
                    reason: None,
                    cause: CloseCause::NewCase(key),
                },
            );
        }
    }

    /// A case opened by `state`, open, with nothing in it yet.
    fn open_case(
        &mut self,
        state: &CallState,
        at: DateTime<Utc>,
        kind: CaseKind,
        responsible: Option<Employee>,
    ) -> usize {
        self.cases.push(Case {
            key: CaseKey(state.call_id().clone()),
            kind,
            contact: state.contact().clone(),
            status: CaseStatus::Open,
            responsible,
            opened_at: at,
            calls: Vec::new(),
            callbacks: Vec::new(),
            reached: false,
            gists: Vec::new(),
            closure: None,
        });
        self.cases.len() - 1
    }

    /// Puts the call and its gists (point 8) in the case, and applies closes that waited for
    /// the call.
    fn attach(&mut self, index: usize, state: &CallState, notes: &[&CallNote]) {
        let call = state.call_id();
        let case = &mut self.cases[index];
        case.calls.push(call.clone());
        case.gists.extend(
            notes
                .iter()
                .filter(|n| !n.gist.trim().is_empty())
                .map(|n| Gist {
                    call: call.clone(),
                    by: n.by.clone(),
                    at: n.at,
                    text: n.gist.trim().to_owned(),
                }),
        );
        self.case_of_call.insert(call.clone(), index);
        let (waiting, rest): (Vec<_>, Vec<_>) = self
            .pending
            .drain(..)
            .partition(|close| close.case.0 == *call);
        self.pending = rest;
        for close in waiting {
            self.close(close);
        }
    }

    /// Closing by hand: the case holding the call the key names closes, with the reason.
    fn close(&mut self, manual: &'a ManualClose) {
        let Some(&index) = self.case_of_call.get(&manual.case.0) else {
            self.pending.push(manual);
            return;
        };
        close(
            &mut self.cases[index],
            Closure {
                at: manual.at,
                by: manual.by.clone(),
                reason: manual
                    .reason
                    .as_deref()
                    .map(str::trim)
                    .filter(|r| !r.is_empty())
                    .map(str::to_owned),
                cause: CloseCause::Manual,
            },
        );
    }

    /// The open missed-call case of the number, if there is one.
    fn open_missed_of(&mut self, phone: &PhoneNumber) -> Option<usize> {
        let index = *self.open_missed.get(phone)?;
        let case = &self.cases[index];
        if case.kind == CaseKind::Missed && case.status == CaseStatus::Open {
            Some(index)
        } else {
            self.open_missed.remove(phone);
            None
        }
    }
}

/// What the rules need to know about an answered incoming or an outgoing call.
struct Conversation {
    at: DateTime<Utc>,
    direction: Direction,
    answered: bool,
    recorded: bool,
    /// A conversation took place: answered (incoming), or the [`RecordingRule`] is met
    /// (outgoing).
    talked: bool,
}

/// Closes the case unless it is closed already: the first closure stands.
fn close(case: &mut Case, closure: Closure) {
    if case.closure.is_none() {
        case.status = CaseStatus::Closed;
        case.closure = Some(closure);
    }
}

/// The employee the call was routed to last (point 11): the one whose phone rang last, or,
/// where the PBX reports no ringing, the one it named last on the call.
fn routed_last(state: &CallState) -> Option<Employee> {
    state
        .legs()
        .iter()
        .filter_map(|leg| Some((leg.rang_at.or(leg.answered_at).or(leg.ended_at)?, leg)))
        .max_by_key(|(at, _)| *at)
        .map(|(_, leg)| leg.employee.clone())
}
