//! Properties of the call state machine over generated calls: the derived state depends only
//! on the set of events, never on their order or on repeats.

use proptest::prelude::*;

use super::CallState;
use super::testkit::{Call, EventExt, Summary, employee};
use crate::event::{CallEvent, Direction, Employee, EventKind, Outcome};

/// The people of the generated calls, described the partial ways PBXs describe them, so that
/// legs have to be merged.
fn people() -> Vec<Employee> {
    vec![
        employee(Some("101"), Some("Анна"), Some("201")),
        employee(None, None, Some("201")),
        employee(Some("101"), None, None),
        employee(Some("102"), Some("Борис"), Some("202")),
        employee(None, Some("Борис"), Some("202")),
        employee(Some("103"), None, None),
        employee(None, Some("Дежурный"), None),
    ]
}

/// One generated event, before it is given an id.
#[derive(Debug, Clone)]
struct Spec {
    kind: EventKind,
    /// Seconds into the call; a narrow range, so that timestamps often tie.
    at: i64,
    person: Option<usize>,
    direction: Direction,
    outcome: Option<Outcome>,
    durations: (Option<u32>, Option<u32>, Option<u32>),
    recording: Option<u8>,
    tag: Option<u8>,
    name: Option<u8>,
    scenario: Option<u8>,
    no_phone: bool,
}

fn spec() -> impl Strategy<Value = Spec> {
    let kind = prop::sample::select(EventKind::ALL.to_vec());
    let direction = prop_oneof![
        8 => Just(Direction::In),
        1 => Just(Direction::Out),
        1 => Just(Direction::Internal),
    ];
    let durations = (
        prop::option::weighted(0.2, 0u32..60),
        prop::option::weighted(0.2, 0u32..600),
        prop::option::weighted(0.2, 0u32..700),
    );
    let extras = (
        prop::option::weighted(0.3, 0u8..3),
        prop::option::weighted(0.3, 0u8..3),
        prop::option::weighted(0.3, 0u8..3),
        prop::option::weighted(0.3, 0u8..3),
        prop::bool::weighted(0.2),
    );
    (
        kind,
        0i64..12,
        prop::option::weighted(0.8, 0..people().len()),
        direction,
        prop::option::of(prop::sample::select(Outcome::ALL.to_vec())),
        durations,
        extras,
    )
        .prop_map(
            |(kind, at, person, direction, outcome, durations, extras)| {
                let (recording, tag, name, scenario, no_phone) = extras;
                Spec {
                    kind,
                    at,
                    person,
                    direction,
                    outcome,
                    durations,
                    recording,
                    tag,
                    name,
                    scenario,
                    no_phone,
                }
            },
        )
}

fn build(call: &Call, index: usize, spec: &Spec) -> CallEvent {
    let people = people();
    let mut event = call.event(spec.kind, &index.to_string(), spec.at);
    if let Some(person) = spec.person {
        event = event.by(&people[person]);
    }
    if let Some(outcome) = spec.outcome {
        event = event.outcome(outcome);
    }
    if let Some(recording) = spec.recording {
        event = event.recording(&format!("https://rec/{recording}"));
    }
    let (wait, talk, total) = spec.durations;
    event = event.durations(wait, talk, total);
    event.direction = spec.direction;
    event.tags = spec.tag.map(|t| format!("tag{t}")).into_iter().collect();
    event.contact.name = spec.name.map(|n| format!("Контакт {n}"));
    event.scenario = spec.scenario.map(|s| format!("Сценарий {s}"));
    if spec.no_phone {
        event.contact.phone = None;
        event.contact.raw = String::new();
    }
    event
}

/// The events of one call, as delivered: some repeated verbatim, some redelivered with the
/// same id but another timestamp and raw text, all in a random order.
fn deliveries() -> impl Strategy<Value = (Vec<CallEvent>, Vec<CallEvent>)> {
    prop::collection::vec((spec(), 0usize..3, -3i64..3), 1..14).prop_flat_map(|specs| {
        let call = Call::incoming("777");
        let mut distinct = Vec::new();
        let mut delivered = Vec::new();
        for (index, (spec, copies, shift)) in specs.iter().enumerate() {
            let event = build(&call, index, spec);
            for _ in 0..*copies {
                delivered.push(event.clone());
            }
            if *copies == 2 && *shift != 0 {
                let mut redelivery = event.clone();
                redelivery.at += chrono::Duration::seconds(*shift);
                redelivery.raw.push_str(" (again)");
                delivered.push(redelivery);
            }
            delivered.push(event.clone());
            distinct.push(event);
        }
        (Just(distinct), Just(delivered).prop_shuffle())
    })
}

/// The events of one call whose type is known, and notifications of the same call whose type
/// could not be told ([`EventKind::Update`]) carrying anything at all, all delivered in a
/// random order.
fn certain_and_uncertain() -> impl Strategy<Value = (Vec<CallEvent>, Vec<CallEvent>)> {
    let certain = prop::collection::vec(
        spec().prop_filter("a known type", |s| s.kind != EventKind::Update),
        1..10,
    );
    let uncertain = prop::collection::vec(
        spec().prop_map(|s| Spec {
            kind: EventKind::Update,
            ..s
        }),
        1..5,
    );
    (certain, uncertain).prop_flat_map(|(certain, uncertain)| {
        let call = Call::incoming("778");
        let certain: Vec<CallEvent> = certain
            .iter()
            .enumerate()
            .map(|(index, spec)| build(&call, index, spec))
            .collect();
        let mut all = certain.clone();
        all.extend(
            uncertain
                .iter()
                .enumerate()
                .map(|(index, spec)| build(&call, 100 + index, spec)),
        );
        (Just(certain), Just(all).prop_shuffle())
    })
}

proptest! {
    #[test]
    fn an_uncertain_notification_never_changes_what_the_certain_ones_give(
        (certain, all) in certain_and_uncertain()
    ) {
        let people = people();
        let reference = CallState::from_events(certain.clone()).expect("events");
        let mut with_updates = CallState::new(reference.call_id().clone());
        for event in all {
            with_updates.apply(event);
        }
        let (want, got) = (Summary::of(&reference, &people), Summary::of(&with_updates, &people));
        prop_assert_eq!(want.outcome_part(), got.outcome_part());
        // Updates only fill in who the contact is and the line where no certain event said.
        let has_contact = reference.contact().phone.is_some() || !reference.contact().raw.is_empty();
        if has_contact {
            prop_assert_eq!(reference.contact(), with_updates.contact());
        }
        if reference.line().is_some() {
            prop_assert_eq!(reference.line(), with_updates.line());
        }
    }

    #[test]
    fn arrival_order_and_repeats_do_not_matter((distinct, delivered) in deliveries()) {
        let people = people();
        let reference = CallState::from_events(distinct.clone()).expect("at least one event");

        let mut incremental = CallState::new(reference.call_id().clone());
        for event in delivered.iter().cloned() {
            incremental.apply(event);
        }
        let batch = CallState::from_events(delivered.iter().cloned()).expect("events");
        let backwards = CallState::from_events(delivered.iter().rev().cloned()).expect("events");

        let summary = Summary::of(&incremental, &people);
        prop_assert_eq!(&summary, &Summary::of(&batch, &people));
        prop_assert_eq!(&summary, &Summary::of(&backwards, &people));
        prop_assert_eq!(&incremental, &batch);
        // Redeliveries with another timestamp may replace an event, so only the ids are the
        // same as for the events delivered once.
        let ids = |state: &CallState| {
            let mut ids: Vec<_> = state.events().map(|e| e.id.clone()).collect();
            ids.sort();
            ids
        };
        prop_assert_eq!(ids(&incremental), ids(&reference));
    }

    #[test]
    fn applying_an_event_again_is_a_no_op((distinct, delivered) in deliveries()) {
        let people = people();
        let mut state = CallState::from_events(delivered.iter().cloned()).expect("events");
        let before = Summary::of(&state, &people);
        for event in distinct.into_iter().chain(delivered) {
            prop_assert!(!state.apply(event));
        }
        prop_assert_eq!(Summary::of(&state, &people), before);
    }

    #[test]
    fn every_event_is_counted_once_and_in_canonical_order((distinct, delivered) in deliveries()) {
        let state = CallState::from_events(delivered).expect("events");
        prop_assert_eq!(state.event_count(), distinct.len());
        let keys: Vec<_> = state.events().map(|e| (e.at, e.kind, e.id.clone())).collect();
        prop_assert!(keys.windows(2).all(|pair| pair[0] < pair[1]));
    }
}
