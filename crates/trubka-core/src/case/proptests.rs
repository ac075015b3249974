//! Properties of the case rules over generated days of calls: the cases depend only on the set
//! of inputs, never on the order they arrive in or on a call's events coming in two parts
//! (notifications first, reconciliation filling the gap later).

use proptest::prelude::*;

use super::testkit::{
    CLIENT, HIDDEN, OTHER, Reply, anna, answered_events, boris, call_back_events, close,
    incoming_id, missed_events, note, outgoing_id, state, vera,
};
use super::{CallNote, Case, CaseInput, ManualClose, RecordingRule, cases};
use crate::call::CallState;
use crate::event::{CallEvent, CallId, Direction, Employee};

fn people() -> Vec<Employee> {
    vec![anna(), boris(), vera()]
}

/// What kind of call a generated call is.
#[derive(Debug, Clone)]
enum Shape {
    /// Rang these people (none: hung up in the voice menu).
    Missed(Vec<usize>),
    Answered {
        by: usize,
        recorded: bool,
    },
    CallBack {
        by: usize,
        reply: Reply,
    },
    Internal,
}

#[derive(Debug, Clone)]
struct Spec {
    shape: Shape,
    /// CLIENT, OTHER or HIDDEN.
    client: usize,
    /// Coarse, so that calls often start at the same moment.
    start: i64,
    /// Up to two notes: when (after the start), whether with a gist, whether a new case.
    notes: Vec<(i64, bool, bool)>,
    close: Option<i64>,
}

fn shape() -> impl Strategy<Value = Shape> {
    prop_oneof![
        4 => prop::collection::vec(0..3usize, 0..3).prop_map(Shape::Missed),
        2 => (0..3usize, any::<bool>()).prop_map(|(by, recorded)| Shape::Answered { by, recorded }),
        3 => (0..3usize, prop::sample::select(vec![Reply::NoAnswer, Reply::Answered, Reply::AnsweredRecorded]))
            .prop_map(|(by, reply)| Shape::CallBack { by, reply }),
        1 => Just(Shape::Internal),
    ]
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        shape(),
        prop_oneof![3 => Just(0usize), 2 => Just(1usize), 1 => Just(2usize)],
        0i64..8,
        prop::collection::vec((0i64..300, any::<bool>(), any::<bool>()), 0..3),
        prop::option::weighted(0.15, -100i64..900),
    )
        .prop_map(|(shape, client, start, notes, close)| Spec {
            shape,
            client,
            start: start * 100,
            notes,
            close,
        })
}

/// A generated call: its events, and what people did about it.
struct Built {
    id: CallId,
    events: Vec<CallEvent>,
    notes: Vec<CallNote>,
    close: Option<ManualClose>,
}

fn build(index: usize, spec: &Spec) -> Built {
    let people = people();
    let session = format!("p{index}");
    let number = [CLIENT, OTHER, HIDDEN][spec.client];
    let (id, events) = match &spec.shape {
        Shape::Missed(routed) => {
            let routed: Vec<Employee> = routed.iter().map(|&p| people[p].clone()).collect();
            (
                incoming_id(&session),
                missed_events(&session, number, spec.start, &routed),
            )
        }
        Shape::Answered { by, recorded } => (
            incoming_id(&session),
            answered_events(&session, number, spec.start, &people[*by], *recorded),
        ),
        Shape::CallBack { by, reply } => (
            outgoing_id(&session),
            call_back_events(&session, number, spec.start, &people[*by], *reply),
        ),
        Shape::Internal => {
            let mut events = missed_events(&session, number, spec.start, &[anna()]);
            for event in &mut events {
                event.direction = Direction::Internal;
            }
            (incoming_id(&session), events)
        }
    };
    let notes = spec
        .notes
        .iter()
        .enumerate()
        .map(|(k, &(after, gisted, new_case))| {
            let gist = if gisted {
                format!("Суть {index}.{k}")
            } else {
                String::new()
            };
            note(
                &id,
                spec.start + after,
                &people[(index + k) % 3],
                &gist,
                new_case,
            )
        })
        .collect();
    let close = spec
        .close
        .map(|at| close(&id, spec.start + at, &people[(index + 1) % 3], "Готово"));
    Built {
        id,
        events,
        notes,
        close,
    }
}

/// Inputs per call: its two states, two notes and a close.
const SLOTS: usize = 5;

/// A day of calls, and the same day delivered differently: inputs shuffled, and each call's
/// events split in two states by the mask (one from notifications, one from reconciliation).
#[allow(clippy::type_complexity)]
fn days() -> impl Strategy<Value = (Vec<Spec>, Vec<usize>, Vec<Vec<bool>>)> {
    prop::collection::vec(spec(), 1..12).prop_flat_map(|specs| {
        let count = specs.len();
        let order: Vec<usize> = (0..count * SLOTS).collect();
        (
            Just(specs),
            Just(order).prop_shuffle(),
            prop::collection::vec(prop::collection::vec(any::<bool>(), 8), count),
        )
    })
}

/// The inputs of a day, each with its slot in the shuffled order.
struct Day {
    whole: Vec<CallState>,
    split: Vec<(usize, CallState)>,
    notes: Vec<(usize, CallNote)>,
    closes: Vec<(usize, ManualClose)>,
}

fn day(specs: &[Spec], masks: &[Vec<bool>]) -> Day {
    let mut day = Day {
        whole: Vec::new(),
        split: Vec::new(),
        notes: Vec::new(),
        closes: Vec::new(),
    };
    for (index, spec) in specs.iter().enumerate() {
        let built = build(index, spec);
        let slot = index * SLOTS;
        let (first, second): (Vec<_>, Vec<_>) = built
            .events
            .iter()
            .cloned()
            .enumerate()
            .partition(|(j, _)| masks[index][j % 8]);
        for (part, events) in [first, second].into_iter().enumerate() {
            if let Some(part_state) =
                CallState::from_events(events.into_iter().rev().map(|(_, e)| e))
            {
                day.split.push((slot + part, part_state));
            }
        }
        day.whole.push(state(built.events));
        day.notes.extend(
            built
                .notes
                .into_iter()
                .enumerate()
                .map(|(k, n)| (slot + 2 + k, n)),
        );
        day.closes.extend(built.close.map(|c| (slot + 4, c)));
    }
    day
}

fn in_order(day: &Day, rule: RecordingRule) -> Vec<Case> {
    let inputs = day
        .whole
        .iter()
        .map(CaseInput::Call)
        .chain(day.notes.iter().map(|(_, n)| CaseInput::Note(n)))
        .chain(day.closes.iter().map(|(_, c)| CaseInput::Closed(c)));
    cases(inputs, rule)
}

/// The split states, notes and closes, in the shuffled order.
fn shuffled(day: &Day, order: &[usize], rule: RecordingRule) -> Vec<Case> {
    let mut slots: Vec<(usize, CaseInput<'_>)> = day
        .split
        .iter()
        .map(|(slot, s)| (*slot, CaseInput::Call(s)))
        .chain(
            day.notes
                .iter()
                .map(|(slot, n)| (*slot, CaseInput::Note(n))),
        )
        .chain(
            day.closes
                .iter()
                .map(|(slot, c)| (*slot, CaseInput::Closed(c))),
        )
        .collect();
    let rank = |slot: usize| {
        order
            .iter()
            .position(|&o| o == slot)
            .expect("every slot is ordered")
    };
    slots.sort_by_key(|(slot, _)| rank(*slot));
    cases(slots.into_iter().map(|(_, input)| input), rule)
}

proptest! {
    #[test]
    fn arrival_order_and_calls_arriving_in_parts_do_not_change_the_cases(
        (specs, order, masks) in days()
    ) {
        let day = day(&specs, &masks);
        for rule in RecordingRule::ALL {
            let reference = in_order(&day, rule);
            prop_assert_eq!(&shuffled(&day, &order, rule), &reference);
            let backwards = {
                let inputs = day.whole.iter().rev().map(CaseInput::Call)
                    .chain(day.closes.iter().rev().map(|(_, c)| CaseInput::Closed(c)))
                    .chain(day.notes.iter().rev().map(|(_, n)| CaseInput::Note(n)));
                cases(inputs, rule)
            };
            prop_assert_eq!(&backwards, &reference);
        }
    }

    #[test]
    fn every_call_with_a_client_that_is_over_is_in_exactly_one_case(
        (specs, _order, masks) in days()
    ) {
        let day = day(&specs, &masks);
        let found = in_order(&day, RecordingRule::AnsweredAndRecorded);
        for (index, spec) in specs.iter().enumerate() {
            let id = build(index, spec).id;
            let holding = found.iter().filter(|c| c.has_call(&id)).count();
            let expected = usize::from(!matches!(spec.shape, Shape::Internal));
            prop_assert_eq!(holding, expected, "call {}", id);
        }
        // Point 12: a number has at most one open missed-call case at a time.
        let open_missed: Vec<_> = found
            .iter()
            .filter(|c| c.kind == super::CaseKind::Missed && c.status == super::CaseStatus::Open)
            .filter_map(|c| c.contact.phone.clone())
            .collect();
        let mut distinct = open_missed.clone();
        distinct.sort();
        distinct.dedup();
        prop_assert_eq!(distinct.len(), open_missed.len());
        for case in &found {
            prop_assert_eq!(Some(&case.key.0), case.calls.first());
            prop_assert_eq!(case.closure.is_some(), case.status == super::CaseStatus::Closed);
        }
    }
}
