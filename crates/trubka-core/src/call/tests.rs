//! The call state machine on the calls agents actually get.

use super::testkit::{Call, EventExt, anna, at, boris, employee, vera};
use super::{CallState, CallStatus};
use crate::event::{CallEvent, Direction, Durations, EventKind, Outcome, Provider};

use EventKind::{Answered, Ended, LegEnded, Recording, Ringing, Started};

/// Applies the events in order, checking each one changed the state.
fn apply_all(call: &Call, events: impl IntoIterator<Item = CallEvent>) -> CallState {
    let mut state = CallState::new(call.id.clone());
    for event in events {
        let id = event.id.clone();
        assert!(state.apply(event), "{id} should change the state");
    }
    state
}

#[test]
fn a_new_call_knows_only_its_id() {
    let call = Call::incoming("1");
    let state = CallState::new(call.id.clone());
    assert_eq!(state.call_id(), &call.id);
    assert_eq!(state.provider(), Some(Provider::Uis));
    assert_eq!(state.status(), CallStatus::Ringing);
    assert_eq!(state.outcome(), None);
    assert_eq!(state.event_count(), 0);
    assert!(state.legs().is_empty());
    assert_eq!(state.durations(), Durations::default());
    assert!(CallState::from_events(Vec::new()).is_none());
}

#[test]
fn answered_incoming_call() {
    let call = Call::incoming("1197843161");
    let mut state = CallState::new(call.id.clone());

    state.apply(call.event(Started, "s", 0));
    assert_eq!(state.status(), CallStatus::Ringing);
    state.apply(call.event(Ringing, "a", 1).by(&anna()));
    assert_eq!(state.status(), CallStatus::Ringing);
    assert!(!state.is_answered_elsewhere(&anna()));
    state.apply(call.event(Answered, "a", 6).by(&anna()));
    assert_eq!(state.status(), CallStatus::Talking);
    assert_eq!(state.outcome(), None, "no outcome before the end");
    state.apply(
        call.event(LegEnded, "a", 66)
            .by(&anna())
            .outcome(Outcome::Answered),
    );
    assert_eq!(state.status(), CallStatus::Talking);
    state.apply(call.event(Ended, "e", 66).outcome(Outcome::Answered));

    assert_eq!(state.status(), CallStatus::Ended);
    assert_eq!(state.outcome(), Some(Outcome::Answered));
    assert_eq!(state.direction(), Direction::In);
    assert_eq!(state.answered_by(), Some(&anna()));
    assert_eq!(state.started_at(), Some(at(0)));
    assert_eq!(state.answered_at(), Some(at(6)));
    assert_eq!(state.ended_at(), Some(at(66)));
    assert_eq!(state.line(), Some("+74951234567"));
    assert_eq!(
        state.contact().phone.as_ref().map(|p| p.e164()),
        Some("+79261234567")
    );
    assert_eq!(
        state.durations(),
        Durations {
            wait: Some(6),
            talk: Some(60),
            total: Some(66)
        }
    );
    let [leg] = state.legs() else {
        panic!("one leg expected: {:?}", state.legs())
    };
    assert_eq!(leg.employee, anna());
    assert_eq!(leg.rang_at, Some(at(1)));
    assert_eq!(leg.answered_at, Some(at(6)));
    assert_eq!(leg.ended_at, Some(at(66)));
    assert_eq!(leg.outcome, Some(Outcome::Answered));
    assert_eq!(state.event_count(), 5);
}

#[test]
fn missed_call_rings_everyone_and_nobody_answers() {
    let call = Call::incoming("2");
    let state = apply_all(
        &call,
        [
            call.event(Started, "s", 0),
            call.event(Ringing, "a", 1).by(&anna()),
            call.event(Ringing, "b", 1).by(&boris()),
            // The end event of a lost call may report no outcome at all.
            call.event(Ended, "e", 21),
        ],
    );
    assert_eq!(state.status(), CallStatus::Ended);
    assert_eq!(state.outcome(), Some(Outcome::Missed));
    assert_eq!(state.answered_by(), None);
    assert_eq!(state.answered_at(), None);
    let outcomes: Vec<_> = state.legs().iter().map(|l| l.outcome).collect();
    assert_eq!(outcomes, [Some(Outcome::Missed), Some(Outcome::Missed)]);
    assert!(state.legs().iter().all(|l| l.ended_at == Some(at(21))));
    assert_eq!(
        state.durations(),
        Durations {
            wait: Some(21),
            talk: Some(0),
            total: Some(21)
        }
    );
    assert!(!state.is_answered_elsewhere(&anna()));
}

#[test]
fn busy_call_keeps_the_reported_outcome() {
    let call = Call::incoming("3");
    let state = apply_all(
        &call,
        [
            call.event(Started, "s", 0),
            call.event(Ringing, "a", 1).by(&anna()),
            call.event(LegEnded, "a", 2)
                .by(&anna())
                .outcome(Outcome::Busy),
            call.event(Ended, "e", 3)
                .outcome(Outcome::Busy)
                .durations(Some(3), Some(0), Some(3)),
        ],
    );
    assert_eq!(state.outcome(), Some(Outcome::Busy));
    assert_eq!(state.legs()[0].outcome, Some(Outcome::Busy));
    assert_eq!(state.legs()[0].ended_at, Some(at(2)));
}

#[test]
fn transfer_between_two_employees() {
    let call = Call::incoming("4");
    let state = apply_all(
        &call,
        [
            call.event(Started, "s", 0),
            call.event(Ringing, "a", 1).by(&anna()),
            call.event(Answered, "a", 5).by(&anna()),
            call.event(Ringing, "b", 30).by(&boris()),
            call.event(LegEnded, "a", 35)
                .by(&anna())
                .outcome(Outcome::Answered),
            call.event(Answered, "b", 36).by(&boris()),
            call.event(Ended, "e", 100).outcome(Outcome::Answered),
        ],
    );
    assert_eq!(state.answered_by(), Some(&boris()));
    assert_eq!(state.answered_at(), Some(at(5)));
    assert_eq!(state.durations().talk, Some(95));
    let [a, b] = state.legs() else {
        panic!("two legs expected: {:?}", state.legs())
    };
    assert_eq!((a.employee.clone(), a.ended_at), (anna(), Some(at(35))));
    assert_eq!((b.employee.clone(), b.answered_at), (boris(), Some(at(36))));
    assert_eq!(b.ended_at, Some(at(100)));
    assert_eq!(b.outcome, Some(Outcome::Answered));
    // Both talked: neither card withdraws; anyone else's does.
    assert!(!state.is_answered_elsewhere(&anna()));
    assert!(!state.is_answered_elsewhere(&boris()));
    assert!(state.is_answered_elsewhere(&vera()));
}

#[test]
fn outgoing_click_to_call() {
    let call = Call::outgoing("5");
    let mut state = CallState::new(call.id.clone());
    state.apply(call.event(Started, "s", 0).by(&anna()));
    assert_eq!(state.status(), CallStatus::Ringing, "dialling the contact");
    assert_eq!(state.direction(), Direction::Out);
    assert_eq!(state.provider(), Some(Provider::Sipuni));
    // The contact picks up; the event names no employee.
    state.apply(call.event(Answered, "c", 12));
    assert_eq!(state.status(), CallStatus::Talking);
    state.apply(call.event(Ended, "e", 72));
    assert_eq!(state.outcome(), Some(Outcome::Answered));
    assert_eq!(
        state.answered_by(),
        None,
        "no employee answered: the contact did"
    );
    let [leg] = state.legs() else {
        panic!("the caller's leg expected: {:?}", state.legs())
    };
    assert_eq!(leg.employee, anna());
    assert_eq!((leg.rang_at, leg.answered_at), (None, None));
    assert_eq!(leg.outcome, Some(Outcome::Answered));
    assert_eq!(leg.ended_at, Some(at(72)));
    assert_eq!(
        state.durations(),
        Durations {
            wait: Some(12),
            talk: Some(60),
            total: Some(72)
        }
    );
}

#[test]
fn outgoing_call_nobody_picks_up() {
    let call = Call::outgoing("6");
    let state = apply_all(
        &call,
        [
            call.event(Started, "s", 0).by(&anna()),
            call.event(Ringing, "r", 1).by(&anna()),
            call.event(Ended, "e", 30),
        ],
    );
    assert_eq!(state.outcome(), Some(Outcome::NoAnswer));
    assert_eq!(state.legs()[0].outcome, Some(Outcome::NoAnswer));
}

#[test]
fn an_end_that_reports_nothing_leaves_the_outcome_unknown_until_something_does() {
    // A setup that sends neither legs nor answers (Salebot's template on «Завершение
    // звонка»): that nobody answered would be a guess.
    let call = Call::outgoing("6b");
    let mut state = apply_all(
        &call,
        [
            call.event(Started, "s", 0).by(&anna()),
            call.event(Ended, "bare", 30),
        ],
    );
    assert_eq!(state.status(), CallStatus::Ended);
    assert_eq!(state.outcome(), None);
    // Reconciliation brings the PBX's own end, which says.
    state.apply(call.event(Ended, "call", 30).outcome(Outcome::Answered));
    assert_eq!(state.outcome(), Some(Outcome::Answered));
}

#[test]
fn answered_elsewhere_withdraws_the_other_cards() {
    let call = Call::incoming("7");
    let mut state = apply_all(
        &call,
        [
            call.event(Started, "s", 0),
            call.event(Ringing, "a", 1).by(&anna()),
            call.event(Ringing, "b", 1).by(&boris()),
        ],
    );
    assert!(!state.is_answered_elsewhere(&anna()));
    state.apply(call.event(Answered, "b", 4).by(&boris()));
    assert!(state.is_answered_elsewhere(&anna()));
    // An agent identified by extension only is the same person.
    assert!(state.is_answered_elsewhere(&employee(None, None, Some("201"))));
    assert!(!state.is_answered_elsewhere(&boris()));
    assert!(!state.is_answered_elsewhere(&employee(Some("102"), None, None)));
    state.apply(call.event(Ended, "e", 50));
    let anna_leg = state.leg_of(&anna()).expect("Anna's phone rang");
    assert_eq!(anna_leg.outcome, Some(Outcome::Cancelled));
    assert_eq!(state.leg_of(&vera()), None);
}

#[test]
fn late_recording_changes_nothing_but_the_links() {
    let call = Call::incoming("8");
    let mut state = apply_all(
        &call,
        [
            call.event(Started, "s", 0),
            call.event(Ringing, "a", 1).by(&anna()),
            call.event(Answered, "a", 3).by(&anna()),
            call.event(Ended, "e", 60).outcome(Outcome::Answered),
        ],
    );
    let before = (
        state.status(),
        state.outcome(),
        state.durations(),
        state.legs().to_vec(),
    );
    let recording = call
        .event(Recording, "r", 300)
        .by(&anna())
        .recording("https://app.uiscom.ru/system/media/talk/8/abc/");
    assert!(state.apply(recording.clone()));
    assert_eq!(
        (
            state.status(),
            state.outcome(),
            state.durations(),
            state.legs().to_vec()
        ),
        before
    );
    assert_eq!(
        state.recordings(),
        ["https://app.uiscom.ru/system/media/talk/8/abc/"]
    );
    assert_eq!(state.last_event_at(), Some(at(300)));
    assert!(!state.apply(recording), "the same recording event twice");
}

#[test]
fn recordings_mid_call_do_not_end_it_but_alone_they_mean_a_finished_talk() {
    let call = Call::incoming("9");
    let recording = call.event(Recording, "r1", 40).recording("https://rec/1");
    let talking = apply_all(
        &call,
        [call.event(Answered, "a", 3).by(&anna()), recording.clone()],
    );
    assert_eq!(talking.status(), CallStatus::Talking);

    let only = CallState::from_events([recording]).expect("one event");
    assert_eq!(only.status(), CallStatus::Ended);
    assert_eq!(only.outcome(), Some(Outcome::Answered));
    assert_eq!(only.started_at(), None);
}

#[test]
fn missing_end_event_leaves_the_call_open() {
    let call = Call::incoming("10");
    let state = apply_all(
        &call,
        [
            call.event(Started, "s", 0),
            call.event(Ringing, "a", 2).by(&anna()),
            call.event(Answered, "a", 9).by(&anna()),
        ],
    );
    assert_eq!(state.status(), CallStatus::Talking);
    assert_eq!(state.outcome(), None);
    assert_eq!(state.ended_at(), None);
    assert_eq!(state.last_event_at(), Some(at(9)));
    assert_eq!(
        state.durations(),
        Durations {
            wait: Some(9),
            talk: None,
            total: None
        }
    );
    assert_eq!(state.legs()[0].ended_at, None);
    assert_eq!(state.legs()[0].outcome, Some(Outcome::Answered));
}

#[test]
fn answered_arriving_after_ended_still_counts() {
    let call = Call::incoming("11");
    let mut state = apply_all(
        &call,
        [
            call.event(Started, "s", 0),
            call.event(Ended, "e", 90).outcome(Outcome::Missed),
        ],
    );
    assert_eq!(state.outcome(), Some(Outcome::Missed));
    state.apply(call.event(Answered, "a", 10).by(&anna()));
    assert_eq!(state.status(), CallStatus::Ended);
    assert_eq!(state.outcome(), Some(Outcome::Answered));
    assert_eq!(state.answered_by(), Some(&anna()));
}

#[test]
fn reported_durations_win_over_timestamps() {
    let call = Call::incoming("12");
    let state = apply_all(
        &call,
        [
            call.event(Started, "s", 0),
            call.event(Answered, "a", 10).by(&anna()),
            call.event(LegEnded, "a", 50)
                .by(&anna())
                .durations(None, Some(39), None),
            call.event(Ended, "e", 60)
                .durations(Some(12), Some(41), None),
        ],
    );
    assert_eq!(
        state.durations(),
        Durations {
            wait: Some(12),
            talk: Some(41),
            total: Some(60)
        }
    );
}

#[test]
fn duplicates_and_other_calls_change_nothing() {
    let call = Call::incoming("13");
    let other = Call::incoming("14");
    let ringing = call.event(Ringing, "a", 1).by(&anna());
    let mut state = apply_all(&call, [ringing.clone()]);
    assert!(!state.apply(ringing.clone()));
    assert!(!state.apply(other.event(Answered, "a", 2).by(&anna())));
    assert_eq!(state.event_count(), 1);
    assert_eq!(state.status(), CallStatus::Ringing);

    // A redelivery with the same id but another timestamp: the earliest is kept, whichever
    // arrived first.
    let mut redelivered = ringing.clone();
    redelivered.at = at(0);
    redelivered.raw.push(' ');
    let mut late_first = CallState::from_events([redelivered.clone(), ringing.clone()]).unwrap();
    let early_first = CallState::from_events([ringing, redelivered.clone()]).unwrap();
    assert_eq!(late_first, early_first);
    assert_eq!(late_first.legs()[0].rang_at, Some(at(0)));
    assert!(!late_first.apply(redelivered));

    let mixed = CallState::from_events([call.event(Started, "s", 0), other.event(Started, "s", 0)])
        .unwrap();
    assert_eq!(mixed.event_count(), 1);
    assert_eq!(mixed.call_id(), &call.id);
}

#[test]
fn one_employee_described_differently_is_one_leg() {
    let call = Call::incoming("15");
    let state = apply_all(
        &call,
        [
            call.event(Ringing, "1", 1)
                .by(&employee(None, None, Some("201"))),
            call.event(Answered, "1", 4)
                .by(&employee(Some("101"), None, None)),
            call.event(LegEnded, "1", 9).by(&anna()),
            call.event(Ended, "e", 9),
        ],
    );
    let [leg] = state.legs() else {
        panic!("one leg expected: {:?}", state.legs())
    };
    assert_eq!(leg.employee, anna());
    assert_eq!(
        (leg.rang_at, leg.answered_at, leg.ended_at),
        (Some(at(1)), Some(at(4)), Some(at(9)))
    );
    assert_eq!(state.answered_by(), Some(&anna()));
}

#[test]
fn a_queue_ringing_the_same_employee_again_reopens_the_leg() {
    let call = Call::incoming("16");
    let state = apply_all(
        &call,
        [
            call.event(Ringing, "1", 1).by(&anna()),
            call.event(LegEnded, "1", 16)
                .by(&anna())
                .outcome(Outcome::NoAnswer),
            call.event(Ringing, "2", 20).by(&anna()),
            call.event(Answered, "2", 23).by(&anna()),
            call.event(Ended, "e", 80),
        ],
    );
    let leg = &state.legs()[0];
    assert_eq!(state.legs().len(), 1);
    assert_eq!(leg.rang_at, Some(at(1)));
    assert_eq!(leg.answered_at, Some(at(23)));
    assert_eq!(
        leg.ended_at,
        Some(at(80)),
        "the call's end, not the first no-answer"
    );
    assert_eq!(leg.outcome, Some(Outcome::Answered));
}

#[test]
fn contact_line_scenario_and_tags_are_collected() {
    let call = Call::incoming("17");
    let mut started = call.event(Started, "s", 0);
    started.contact.phone = None;
    started.contact.raw = "anonymous?".to_owned();
    started.line = None;
    started.scenario = Some("Основной".to_owned());
    started.tags = vec!["Новый".to_owned()];
    let mut ringing = call.event(Ringing, "a", 1).by(&anna());
    ringing.contact.name = Some("ООО Ромашка".to_owned());
    let mut ended = call.event(Ended, "e", 9);
    ended.contact.name = Some("Иван Петров".to_owned());
    ended.scenario = Some("Вечерний".to_owned());
    ended.tags = vec!["Целевой".to_owned(), "Новый".to_owned()];
    ended.recordings = vec!["https://rec/2".to_owned(), "https://rec/1".to_owned()];
    let recording = call.event(Recording, "r", 30).recording("https://rec/1");
    let state = apply_all(&call, [started, ringing, ended, recording]);

    assert_eq!(
        state.contact().phone.as_ref().map(|p| p.e164()),
        Some("+79261234567")
    );
    assert_eq!(state.contact().raw, "79261234567");
    assert_eq!(state.contact().name.as_deref(), Some("Иван Петров"));
    assert_eq!(state.line(), Some("+74951234567"));
    assert_eq!(state.scenario(), Some("Вечерний"));
    assert_eq!(state.tags(), ["Новый", "Целевой"]);
    assert_eq!(state.recordings(), ["https://rec/2", "https://rec/1"]);
    let kinds: Vec<_> = state.events().map(|e| e.kind).collect();
    assert_eq!(kinds, [Started, Ringing, Ended, Recording]);
}

#[test]
fn call_status_names_round_trip() {
    for status in CallStatus::ALL {
        assert_eq!(CallStatus::parse(status.as_str()), Some(status));
    }
    assert_eq!(CallStatus::parse("dialing"), None);
}
