//! Seed 003's situations, point by point: which cases follow, with which status, responsible
//! and calls.

use super::testkit::{
    CLIENT, HIDDEN, OTHER, Reply, anna, answered, boris, call_back, close, hung_up_in_menu,
    incoming_id, key, missed, missed_events, note, outgoing_id, state, time, vera,
};
use super::{
    CallNote, Case, CaseInput, CaseKind, CaseStatus, CloseCause, ManualClose, RecordingRule, cases,
};
use crate::call::CallState;
use crate::lang::Lang;

/// The cases of the calls alone, with the seed's recording rule.
fn of_calls(calls: &[CallState]) -> Vec<Case> {
    with(calls, &[], &[], RecordingRule::AnsweredAndRecorded)
}

fn with(
    calls: &[CallState],
    closes: &[ManualClose],
    notes: &[CallNote],
    rule: RecordingRule,
) -> Vec<Case> {
    let inputs = calls
        .iter()
        .map(CaseInput::Call)
        .chain(closes.iter().map(CaseInput::Closed))
        .chain(notes.iter().map(CaseInput::Note));
    cases(inputs, rule)
}

#[test]
fn a_missed_call_opens_a_case_titled_with_the_number_for_whom_it_was_routed_to_last() {
    // Points 11, 16.
    let found = of_calls(&[missed("1", CLIENT, 0, &[anna(), boris()])]);
    assert_eq!(found.len(), 1);
    let case = &found[0];
    assert_eq!(case.key, key(&incoming_id("1")));
    assert_eq!(case.kind, CaseKind::Missed);
    assert_eq!(case.status, CaseStatus::Open);
    assert_eq!(
        case.responsible,
        Some(boris()),
        "routed to Анна, then Борис"
    );
    assert_eq!(case.calls, vec![incoming_id("1")]);
    assert_eq!(case.opened_at, time(0));
    assert!(!case.reached && case.callbacks.is_empty() && case.closure.is_none());
    assert_eq!(case.title(Lang::Ru), "Пропущенный звонок с +79261234567");
    assert_eq!(case.title(Lang::En), "Missed call from +79261234567");
    assert_eq!(case.status.label(Lang::Ru), "открытое");
}

#[test]
fn a_caller_who_hung_up_in_the_voice_menu_leaves_a_case_nobody_is_responsible_for() {
    // Point 11, second case: nobody was routed the call, so everyone on the line sees it.
    let found = of_calls(&[hung_up_in_menu("1", CLIENT, 0)]);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].status, CaseStatus::Open);
    assert_eq!(found[0].kind, CaseKind::Missed);
    assert_eq!(found[0].responsible, None);
}

#[test]
fn missed_calls_from_one_number_gather_in_one_case_until_a_conversation() {
    // Point 12.
    let found = of_calls(&[
        hung_up_in_menu("1", CLIENT, 0),
        missed("2", OTHER, 50, &[anna()]),
        missed("3", CLIENT, 100, &[vera()]),
        missed("4", CLIENT, 200, &[boris()]),
    ]);
    assert_eq!(found.len(), 2, "{found:#?}");
    let client = &found[0];
    assert_eq!(
        client.calls,
        vec![incoming_id("1"), incoming_id("3"), incoming_id("4")]
    );
    assert_eq!(client.status, CaseStatus::Open);
    assert_eq!(
        client.responsible,
        Some(vera()),
        "a case that had nobody takes the first employee a later call was routed to, and keeps them"
    );
    assert_eq!(found[1].calls, vec![incoming_id("2")]);
    assert_eq!(found[1].responsible, Some(anna()));

    // A conversation took place: the next missed call is a case of its own.
    let found = of_calls(&[
        missed("1", CLIENT, 0, &[anna()]),
        answered("2", CLIENT, 100, &boris(), true),
        missed("3", CLIENT, 300, &[vera()]),
        missed("4", CLIENT, 400, &[anna()]),
    ]);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_eq!(found[0].calls, vec![incoming_id("1"), incoming_id("2")]);
    assert_eq!(found[0].status, CaseStatus::Waiting);
    assert_eq!(found[1].key, key(&incoming_id("3")));
    assert_eq!(found[1].calls, vec![incoming_id("3"), incoming_id("4")]);
    assert_eq!(found[1].status, CaseStatus::Open);
    assert_eq!(found[1].responsible, Some(vera()));
}

#[test]
fn a_call_back_nobody_answered_is_kept_and_leaves_the_case_open() {
    // Points 9, 17.
    let found = of_calls(&[
        missed("1", CLIENT, 0, &[anna()]),
        call_back("2", CLIENT, 100, &boris(), Reply::NoAnswer),
    ]);
    assert_eq!(found.len(), 1, "{found:#?}");
    let case = &found[0];
    assert_eq!(case.status, CaseStatus::Open);
    assert_eq!(case.responsible, Some(anna()));
    assert_eq!(case.calls, vec![incoming_id("1"), outgoing_id("2")]);
    assert_eq!(case.callbacks.len(), 1);
    let callback = &case.callbacks[0];
    assert_eq!(
        (
            &callback.call,
            &callback.by,
            callback.at,
            callback.answered,
            callback.recorded
        ),
        (&outgoing_id("2"), &Some(boris()), time(100), false, false)
    );
    assert!(!case.reached);
}

#[test]
fn an_answered_call_back_without_a_recording_counts_only_when_the_rule_says_answered() {
    // Point 13: the seed wants the client to answer and a recording to exist.
    let calls = [
        missed("1", CLIENT, 0, &[anna()]),
        call_back("2", CLIENT, 100, &boris(), Reply::Answered),
    ];
    let strict = with(&calls, &[], &[], RecordingRule::AnsweredAndRecorded);
    assert_eq!(strict.len(), 1);
    assert_eq!(strict[0].status, CaseStatus::Open);
    assert!(!strict[0].reached);
    assert!(strict[0].callbacks[0].answered && !strict[0].callbacks[0].recorded);

    let lenient = with(&calls, &[], &[], RecordingRule::Answered);
    assert_eq!(lenient.len(), 1);
    assert_eq!(lenient[0].status, CaseStatus::Waiting);
    assert!(lenient[0].reached);
    assert_eq!(lenient[0].responsible, Some(anna()));

    // Under the strict rule no conversation took place, so the next missed call still joins.
    let mut more = calls.to_vec();
    more.push(missed("3", CLIENT, 300, &[vera()]));
    let strict = with(&more, &[], &[], RecordingRule::AnsweredAndRecorded);
    assert_eq!(strict.len(), 1, "{strict:#?}");
    assert_eq!(strict[0].calls.len(), 3);
    assert_eq!(with(&more, &[], &[], RecordingRule::Answered).len(), 2);
}

#[test]
fn an_answered_and_recorded_call_back_turns_the_case_green_and_it_waits() {
    // Points 13, 18 в.
    let found = of_calls(&[
        missed("1", CLIENT, 0, &[]),
        call_back("2", CLIENT, 100, &boris(), Reply::NoAnswer),
        call_back("3", CLIENT, 200, &vera(), Reply::AnsweredRecorded),
    ]);
    assert_eq!(found.len(), 1, "{found:#?}");
    let case = &found[0];
    assert_eq!(case.status, CaseStatus::Waiting);
    assert_eq!(case.status.label(Lang::Ru), "в ожидании");
    assert!(case.reached);
    assert_eq!(
        case.responsible,
        Some(boris()),
        "nobody was routed the missed call; the first to call back answers for it"
    );
    let who: Vec<_> = case
        .callbacks
        .iter()
        .map(|c| (c.by.clone(), c.at, c.answered, c.recorded))
        .collect();
    assert_eq!(
        who,
        vec![
            (Some(boris()), time(100), false, false),
            (Some(vera()), time(200), true, true)
        ]
    );
}

#[test]
fn the_client_calls_again_and_is_answered_so_the_missed_case_waits() {
    // Point 18 б (and 15): the agent did not make a new case, so the call joins the missed one.
    let found = of_calls(&[
        missed("1", CLIENT, 0, &[anna()]),
        answered("2", CLIENT, 100, &boris(), false),
    ]);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].status, CaseStatus::Waiting);
    assert_eq!(found[0].calls, vec![incoming_id("1"), incoming_id("2")]);
    assert_eq!(found[0].responsible, Some(anna()));
    assert!(
        !found[0].reached,
        "only a call-back turns the receiver green (point 13)"
    );
    assert!(found[0].callbacks.is_empty());
}

#[test]
fn a_conversation_filed_as_a_new_case_closes_the_missed_one() {
    // Point 18 а: the client calls again, the agent makes a new case of the call.
    let calls = [
        missed("1", CLIENT, 0, &[anna()]),
        answered("2", CLIENT, 100, &boris(), true),
    ];
    let notes = [note(
        &incoming_id("2"),
        110,
        &boris(),
        "Уточнил адрес доставки",
        true,
    )];
    let found = with(&calls, &[], &notes, RecordingRule::AnsweredAndRecorded);
    assert_eq!(found.len(), 2, "{found:#?}");
    let (missed_case, new_case) = (&found[0], &found[1]);
    assert_eq!(missed_case.calls, vec![incoming_id("1")]);
    assert_eq!(missed_case.status, CaseStatus::Closed);
    let closure = missed_case.closure.as_ref().expect("closed");
    assert_eq!(closure.cause, CloseCause::NewCase(key(&incoming_id("2"))));
    assert_eq!(closure.at, time(160), "when the conversation ended");
    assert_eq!(closure.by, Some(boris()));
    assert_eq!(new_case.kind, CaseKind::Incoming);
    assert_eq!(new_case.status, CaseStatus::Waiting, "point 15");
    assert_eq!(new_case.responsible, Some(boris()));
    assert_eq!(new_case.title(Lang::Ru), "Входящий звонок с +79261234567");
    assert_eq!(new_case.gists.len(), 1);
    assert_eq!(new_case.gists[0].text, "Уточнил адрес доставки");

    // Point 18 г: the agent calls the client through the softphone, makes a new case.
    let calls = [
        missed("1", CLIENT, 0, &[anna()]),
        call_back("2", CLIENT, 100, &vera(), Reply::AnsweredRecorded),
    ];
    let notes = [note(&outgoing_id("2"), 120, &vera(), "", true)];
    let found = with(&calls, &[], &notes, RecordingRule::AnsweredAndRecorded);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_eq!(found[0].status, CaseStatus::Closed);
    assert!(found[0].callbacks.is_empty());
    assert_eq!(found[1].kind, CaseKind::Outgoing);
    assert_eq!(found[1].status, CaseStatus::Waiting);
    assert_eq!(found[1].responsible, Some(vera()));
    assert!(found[1].gists.is_empty(), "a blank gist is no gist");
    assert_eq!(found[1].title(Lang::En), "Outgoing call to +79261234567");
}

#[test]
fn a_softphone_call_added_to_the_missed_case_makes_it_wait() {
    // Point 18 д: the agent wrote the gist into the missed case.
    let calls = [
        missed("1", CLIENT, 0, &[anna()]),
        call_back("2", CLIENT, 100, &boris(), Reply::AnsweredRecorded),
    ];
    let notes = [note(
        &outgoing_id("2"),
        150,
        &boris(),
        "Перезвонил, договорились",
        false,
    )];
    let found = with(&calls, &[], &notes, RecordingRule::AnsweredAndRecorded);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].status, CaseStatus::Waiting);
    assert!(found[0].reached);
    assert_eq!(found[0].gists[0].call, outgoing_id("2"));
    assert_eq!(found[0].gists[0].by, Some(boris()));
}

#[test]
fn a_call_nobody_worked_on_and_that_joined_no_case_is_a_closed_case_with_its_responsible() {
    // Points 10, 19; point 5 too (a call taken and handed on without writing anything).
    let found = of_calls(&[
        answered("1", CLIENT, 0, &anna(), true),
        call_back("2", OTHER, 100, &boris(), Reply::NoAnswer),
        call_back("3", OTHER, 200, &vera(), Reply::AnsweredRecorded),
    ]);
    assert_eq!(found.len(), 3, "{found:#?}");
    let summary: Vec<_> = found
        .iter()
        .map(|c| (c.kind, c.status, c.responsible.clone(), c.calls.len()))
        .collect();
    assert_eq!(
        summary,
        vec![
            (CaseKind::Incoming, CaseStatus::Closed, Some(anna()), 1),
            (CaseKind::Outgoing, CaseStatus::Closed, Some(boris()), 1),
            (CaseKind::Outgoing, CaseStatus::Closed, Some(vera()), 1),
        ]
    );
    for case in &found {
        let closure = case.closure.as_ref().expect("closed");
        assert_eq!(closure.cause, CloseCause::NotAttached);
        assert_eq!(closure.by, None);
    }
    assert_eq!(found[0].closure.as_ref().map(|c| c.at), Some(time(60)));
}

#[test]
fn a_gist_written_for_a_call_makes_a_case_that_waits_after_the_conversation() {
    // Points 8, 15: the agent wrote the call down, so the case is not closed on its own.
    let calls = [
        answered("1", CLIENT, 0, &anna(), true),
        call_back("2", OTHER, 100, &boris(), Reply::NoAnswer),
    ];
    let notes = [
        note(
            &incoming_id("1"),
            30,
            &anna(),
            "  Спросил про тариф ",
            false,
        ),
        note(&incoming_id("1"), 20, &anna(), "Клиент из Казани", false),
        note(&outgoing_id("2"), 130, &boris(), "Не дозвонился", false),
    ];
    let found = with(&calls, &[], &notes, RecordingRule::AnsweredAndRecorded);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_eq!(found[0].status, CaseStatus::Waiting);
    let gists: Vec<_> = found[0].gists.iter().map(|g| g.text.as_str()).collect();
    assert_eq!(gists, vec!["Клиент из Казани", "Спросил про тариф"]);
    assert_eq!(
        found[1].status,
        CaseStatus::Open,
        "an attempt the agent wrote down and nobody answered (point 9) stays to be done"
    );
}

#[test]
fn a_case_closed_by_hand_keeps_the_reason_and_the_next_missed_call_opens_another() {
    let calls = [
        missed("1", CLIENT, 0, &[anna()]),
        missed("2", CLIENT, 100, &[anna()]),
        missed("3", CLIENT, 500, &[boris()]),
    ];
    // The close names the second call: it finds the case that holds it.
    let closes = [close(&incoming_id("2"), 300, &anna(), " Спам ")];
    let found = with(&calls, &closes, &[], RecordingRule::AnsweredAndRecorded);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_eq!(found[0].calls, vec![incoming_id("1"), incoming_id("2")]);
    assert_eq!(found[0].status, CaseStatus::Closed);
    let closure = found[0].closure.as_ref().expect("closed");
    assert_eq!(closure.cause, CloseCause::Manual);
    assert_eq!(closure.reason.as_deref(), Some("Спам"));
    assert_eq!((closure.at, &closure.by), (time(300), &Some(anna())));
    assert_eq!(found[1].calls, vec![incoming_id("3")]);
    assert_eq!(found[1].status, CaseStatus::Open);

    // Without a reason; a close stamped before the call (clocks differ) still applies, and a
    // second close of a closed case changes nothing.
    let closes = [
        ManualClose {
            case: key(&incoming_id("1")),
            at: time(-5),
            by: None,
            reason: Some("   ".to_owned()),
        },
        close(&incoming_id("1"), 900, &boris(), "Повторно"),
    ];
    let found = with(
        &calls[..1],
        &closes,
        &[],
        RecordingRule::AnsweredAndRecorded,
    );
    let closure = found[0].closure.as_ref().expect("closed");
    assert_eq!((closure.at, &closure.reason), (time(-5), &None));
    // A waiting case closes by hand too.
    let waiting = [
        missed("1", CLIENT, 0, &[anna()]),
        answered("2", CLIENT, 100, &anna(), true),
    ];
    let closes = [close(&incoming_id("1"), 400, &anna(), "Решено")];
    let found = with(&waiting, &closes, &[], RecordingRule::AnsweredAndRecorded);
    assert_eq!(found[0].status, CaseStatus::Closed);
}

#[test]
fn hidden_numbers_are_never_grouped_nor_called_back() {
    let found = of_calls(&[
        missed("1", HIDDEN, 0, &[anna()]),
        missed("2", HIDDEN, 100, &[anna()]),
        answered("3", HIDDEN, 200, &boris(), true),
    ]);
    assert_eq!(found.len(), 3, "{found:#?}");
    assert_eq!(found[0].status, CaseStatus::Open);
    assert_eq!(found[1].status, CaseStatus::Open);
    assert_eq!(found[2].status, CaseStatus::Closed);
    assert_eq!(
        found[0].title(Lang::Ru),
        "Пропущенный звонок со скрытого номера"
    );
    assert_eq!(found[0].title(Lang::En), "Missed call from a hidden number");
}

#[test]
fn calls_not_over_internal_or_of_unknown_outcome_make_no_case_until_they_are() {
    let mut ringing = missed_events("1", CLIENT, 0, &[anna()]);
    ringing.retain(|e| e.kind != crate::event::EventKind::Ended);
    let mut internal = missed_events("2", OTHER, 0, &[anna()]);
    for event in &mut internal {
        event.direction = crate::event::Direction::Internal;
    }
    let mut unknown = missed_events("3", OTHER, 0, &[]);
    for event in &mut unknown {
        event.outcome = None;
    }
    let found = of_calls(&[state(ringing.clone()), state(internal), state(unknown)]);
    assert_eq!(found, vec![]);

    // Reconciliation brings the end as a second state of the same call: the states merge.
    let end = missed_events("1", CLIENT, 0, &[anna()])
        .into_iter()
        .filter(|e| e.kind == crate::event::EventKind::Ended)
        .collect();
    let found = of_calls(&[state(ringing), state(end)]);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].calls, vec![incoming_id("1")]);
    assert_eq!(found[0].responsible, Some(anna()));
}

#[test]
fn statuses_and_rules_have_stable_names() {
    for status in CaseStatus::ALL {
        assert_eq!(CaseStatus::parse(status.as_str()), Some(status));
    }
    for rule in RecordingRule::ALL {
        assert_eq!(RecordingRule::parse(rule.as_str()), Some(rule));
    }
    assert_eq!(CaseStatus::parse("green"), None);
    assert_eq!(RecordingRule::default(), RecordingRule::AnsweredAndRecorded);
    assert!(RecordingRule::Answered.is_met(true, false));
    assert!(!RecordingRule::AnsweredAndRecorded.is_met(true, false));
    assert!(!RecordingRule::Answered.is_met(false, true));
}

#[test]
fn where_the_pbx_reports_no_ringing_the_employee_it_named_last_is_responsible() {
    // Point 11 with a setup that sends only the end of the call, naming the last operator.
    let mut events = missed_events("1", CLIENT, 0, &[]);
    for event in &mut events {
        if event.kind == crate::event::EventKind::Ended {
            event.employee = Some(vera());
        }
    }
    let found = of_calls(&[state(events)]);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].responsible, Some(vera()));
}

#[test]
fn a_note_on_a_missed_call_adds_its_gist_and_does_not_split_the_group() {
    // Points 8, 12.
    let calls = [
        missed("1", CLIENT, 0, &[anna()]),
        missed("2", CLIENT, 100, &[anna()]),
    ];
    let notes = [note(
        &incoming_id("2"),
        150,
        &anna(),
        "Звонил по счёту",
        true,
    )];
    let found = with(&calls, &[], &notes, RecordingRule::AnsweredAndRecorded);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].status, CaseStatus::Open);
    assert_eq!(found[0].gists.len(), 1);
    assert_eq!(found[0].gists[0].call, incoming_id("2"));
}
