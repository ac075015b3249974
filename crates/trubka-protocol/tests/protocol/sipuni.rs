//! Sipuni events: each captured shape becomes exactly the expected CallEvents; the duplicate
//! event 1 keeps its id; a call without event 2 still yields its other events.

use crate::common::{
    Fixture, assert_events, contact, durations, employee, event, ids, phones,
    recording_discriminator, strings, utc,
};
use trubka_core::{CallEvent, Direction, EventKind, Outcome, Provider};
use trubka_protocol::{HookRequest, PayloadError, parse_sipuni};

const LINE: &str = "+998783337125";
const INCOMING: &str = "1774373000.534100";
const OUTGOING: &str = "1774372584.533596";
const INCOMING_LINK: &str = "https://sipuni.com/api/crm/record?id=1774373000.534100&hash=5f2c9a0e7b1d4c3a8e6f0b2d4a6c8e0f&user=070196";
const OUTGOING_LINK: &str = "https://sipuni.com/api/crm/record?id=1774372584.533596&hash=93247a3b0c1d2e3f4a5b6c7d8e9f0a1b&user=070196";

fn sipuni(session: &str, kind: EventKind, discriminator: &str) -> CallEvent {
    event(Provider::Sipuni, session, kind, discriminator)
}

fn check(fixture: &str, expected: &[CallEvent]) -> Vec<CallEvent> {
    let fixture = Fixture::load(fixture);
    let events = parse_sipuni(&fixture.request(), &phones())
        .unwrap_or_else(|e| panic!("{}: {e:?}", fixture.name));
    assert_events(&events, &fixture.expected_raw(), expected);
    events
}

/// The discriminator of an event known only by its Asterisk channel.
fn channel(channel: &str) -> String {
    recording_discriminator(channel)
}

fn incoming_ringing(at: &str) -> CallEvent {
    CallEvent {
        at: utc(at),
        contact: contact(Some("+79261234567"), "79261234567", None),
        line: Some(LINE.into()),
        employee: employee(None, None, Some("201")),
        scenario: Some("Входящая".into()),
        ..sipuni(INCOMING, EventKind::Ringing, "201")
    }
}

#[test]
fn event_1_to_an_extension_is_ringing() {
    check(
        "sipuni/incoming_ringing.form",
        &[incoming_ringing("2026-03-24T17:23:20Z")],
    );
}

#[test]
fn the_duplicate_event_1_has_the_same_id() {
    let first = check(
        "sipuni/incoming_ringing.form",
        &[incoming_ringing("2026-03-24T17:23:20Z")],
    );
    let copy = check(
        "sipuni/incoming_ringing_duplicate.form",
        &[incoming_ringing("2026-03-24T17:23:21Z")],
    );
    assert_eq!(ids(&first), ids(&copy));
}

#[test]
fn event_3_is_answered() {
    check(
        "sipuni/incoming_answer.form",
        &[CallEvent {
            at: utc("2026-03-24T17:23:28Z"),
            ..sipuni(
                INCOMING,
                EventKind::Answered,
                &channel("SIP/070196201-000471f1"),
            )
        }],
    );
}

#[test]
fn event_2_answered_is_ended_plus_recording() {
    let ended = CallEvent {
        at: utc("2026-03-24T17:24:30Z"),
        contact: contact(Some("+79261234567"), "79261234567", None),
        line: Some(LINE.into()),
        employee: employee(None, None, Some("201")),
        outcome: Some(Outcome::Answered),
        durations: durations(Some(8), Some(62), Some(70)),
        recordings: strings(&[INCOMING_LINK]),
        scenario: Some("Входящая".into()),
        ..sipuni(INCOMING, EventKind::Ended, "call")
    };
    let recording = CallEvent {
        id: ended.call_id.event_id(
            EventKind::Recording,
            &recording_discriminator(INCOMING_LINK),
        ),
        kind: EventKind::Recording,
        outcome: None,
        ..ended.clone()
    };
    check("sipuni/incoming_hangup.form", &[ended, recording]);
}

fn outgoing(kind: EventKind, discriminator: &str, at: &str) -> CallEvent {
    CallEvent {
        direction: Direction::Out,
        at: utc(at),
        contact: contact(Some("+998948867473"), "998948867473", None),
        employee: employee(None, None, Some("201")),
        scenario: Some("Исходящая".into()),
        ..sipuni(OUTGOING, kind, discriminator)
    }
}

#[test]
fn event_1_from_an_extension_to_outside_is_started_out() {
    // The cabinet-prefixed `070196201` is extension 201, not a phone number.
    check(
        "sipuni/outgoing_call.form",
        &[outgoing(EventKind::Started, "call", "2026-03-24T17:16:24Z")],
    );
}

#[test]
fn outgoing_answer_and_hangup() {
    check(
        "sipuni/outgoing_answer.form",
        &[CallEvent {
            at: utc("2026-03-24T17:16:34Z"),
            ..sipuni(
                OUTGOING,
                EventKind::Answered,
                &channel("SIP/070196998783337125-000471d4"),
            )
        }],
    );
    let ended = CallEvent {
        outcome: Some(Outcome::Answered),
        durations: durations(Some(10), Some(8), Some(18)),
        recordings: strings(&[OUTGOING_LINK]),
        ..outgoing(EventKind::Ended, "call", "2026-03-24T17:16:42Z")
    };
    let recording = CallEvent {
        id: ended.call_id.event_id(
            EventKind::Recording,
            &recording_discriminator(OUTGOING_LINK),
        ),
        kind: EventKind::Recording,
        outcome: None,
        ..ended.clone()
    };
    check("sipuni/outgoing_hangup.form", &[ended, recording]);
}

#[test]
fn busy_outgoing_call() {
    check(
        "sipuni/outgoing_busy_hangup.form",
        &[CallEvent {
            direction: Direction::Out,
            at: utc("2026-03-24T18:05:12Z"),
            contact: contact(Some("+79031112233"), "79031112233", None),
            employee: employee(None, None, Some("202")),
            outcome: Some(Outcome::Busy),
            durations: durations(Some(12), Some(0), Some(12)),
            scenario: Some("Исходящая".into()),
            ..sipuni("1774375500.535900", EventKind::Ended, "call")
        }],
    );
}

#[test]
fn unanswered_incoming_call_is_missed() {
    // `951218115` is what Sipuni sent (a local number of the cabinet's country); whether it is
    // a phone number is the phone parser's call, so the expectation asks it.
    let phone = phones()
        .parse("951218115")
        .phone()
        .map(|p| p.e164().to_owned());
    check(
        "sipuni/missed_hangup.form",
        &[CallEvent {
            at: utc("2026-03-24T17:30:55Z"),
            contact: contact(phone.as_deref(), "951218115", None),
            line: Some(LINE.into()),
            outcome: Some(Outcome::Missed),
            durations: durations(Some(19), Some(0), Some(19)),
            scenario: Some("Входящая".into()),
            ..sipuni("1774373436.533962", EventKind::Ended, "call")
        }],
    );
}

#[test]
fn internal_call_rings_the_other_extension() {
    check(
        "sipuni/internal_ringing.form",
        &[CallEvent {
            direction: Direction::Internal,
            at: utc("2026-03-24T17:56:40Z"),
            contact: contact(None, "070196201", None),
            employee: employee(None, None, Some("202")),
            ..sipuni("1774375000.535500", EventKind::Ringing, "202")
        }],
    );
}

#[test]
fn a_call_without_event_2_still_has_its_other_events() {
    const CALL: &str = "1774374000.535000";
    let ringing = check(
        "sipuni/no_hangup_ringing.form",
        &[CallEvent {
            at: utc("2026-03-24T17:40:00Z"),
            contact: contact(Some("+79855550011"), "79855550011", None),
            line: Some(LINE.into()),
            employee: employee(None, None, Some("202")),
            scenario: Some("Входящая".into()),
            ..sipuni(CALL, EventKind::Ringing, "202")
        }],
    );
    let answered = check(
        "sipuni/no_hangup_answer.form",
        &[CallEvent {
            at: utc("2026-03-24T17:40:06Z"),
            ..sipuni(
                CALL,
                EventKind::Answered,
                &channel("SIP/070196202-00047211"),
            )
        }],
    );
    let leg_ended = check(
        "sipuni/no_hangup_leg_ended.form",
        &[CallEvent {
            at: utc("2026-03-24T17:40:50Z"),
            contact: contact(Some("+79855550011"), "79855550011", None),
            employee: employee(None, None, Some("202")),
            outcome: Some(Outcome::Answered),
            durations: durations(Some(6), Some(44), Some(50)),
            scenario: Some("Входящая".into()),
            ..sipuni(CALL, EventKind::LegEnded, "202")
        }],
    );
    // Nothing pretends the call ended: the relay reconciles it from statistics.
    let all = [ringing, answered, leg_ended].concat();
    assert!(all.iter().all(|e| e.kind != EventKind::Ended));
}

const ALL_FIXTURES: [&str; 13] = [
    "sipuni/incoming_ringing.form",
    "sipuni/incoming_ringing_duplicate.form",
    "sipuni/incoming_answer.form",
    "sipuni/incoming_hangup.form",
    "sipuni/outgoing_call.form",
    "sipuni/outgoing_answer.form",
    "sipuni/outgoing_hangup.form",
    "sipuni/outgoing_busy_hangup.form",
    "sipuni/missed_hangup.form",
    "sipuni/internal_ringing.form",
    "sipuni/no_hangup_ringing.form",
    "sipuni/no_hangup_answer.form",
    "sipuni/no_hangup_leg_ended.form",
];

#[test]
fn retries_and_round_trips() {
    for name in ALL_FIXTURES {
        let fixture = Fixture::load(name);
        let first = parse_sipuni(&fixture.request(), &phones()).expect(name);
        assert_eq!(
            first,
            parse_sipuni(&fixture.request(), &phones()).expect(name),
            "{name}"
        );
        for event in first {
            let back = trubka_protocol::event_from_json(&trubka_protocol::event_to_json(&event))
                .expect("parses back");
            assert_eq!(back, event, "{name}");
        }
    }
}

#[test]
fn query_and_json_bodies_read_like_forms() {
    let form = Fixture::load("sipuni/incoming_hangup.form");
    let as_query = HookRequest {
        query: std::str::from_utf8(&form.bytes).expect("utf-8"),
        content_type: None,
        body: b"",
    };
    let from_form = parse_sipuni(&form.request(), &phones()).expect("form");
    let from_query = parse_sipuni(&as_query, &phones()).expect("query");
    assert_eq!(from_form, from_query);

    let json = r#"{"event":2,"call_id":"1774373436.533962","src_type":1,"src_num":"79261234567",
        "dst_type":1,"dst_num":"998783337125_id265648","pbxdstnum":"998783337125",
        "timestamp":1774373455,"status":"CANCEL","call_start_timestamp":1774373436,"user_id":"070196"}"#;
    let request = HookRequest {
        query: "",
        content_type: Some("application/json"),
        body: json.as_bytes(),
    };
    let events = parse_sipuni(&request, &phones()).expect("json");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].outcome, Some(Outcome::Missed));
    assert_eq!(
        events[0].contact.phone.as_ref().map(|p| p.e164()),
        Some("+79261234567")
    );
    assert_eq!(events[0].raw, json);
}

#[test]
fn leg_statuses_are_kept_as_they_are() {
    let hangup = |status: &str| {
        let query = format!(
            "event=4&call_id=1.2&src_type=1&src_num=79261234567&dst_type=2&dst_num=070196203&short_dst_num=203&status={status}&timestamp=1774373455"
        );
        let request = HookRequest {
            query: &query,
            content_type: None,
            body: b"",
        };
        parse_sipuni(&request, &phones()).expect("parses")[0].outcome
    };
    assert_eq!(hangup("NOANSWER"), Some(Outcome::NoAnswer));
    assert_eq!(hangup("CANCEL"), Some(Outcome::Cancelled));
    assert_eq!(hangup("CONGESTION"), Some(Outcome::Failed));
    assert_eq!(hangup("CHANUNAVAIL"), Some(Outcome::Unavailable));
    assert_eq!(hangup("BUSY"), Some(Outcome::Busy));
    assert_eq!(hangup("SOMETHING"), None);
}

#[test]
fn errors_name_the_missing_field() {
    let code = |query: &str| {
        let request = HookRequest {
            query,
            content_type: None,
            body: b"",
        };
        parse_sipuni(&request, &phones())
            .map(|_| ())
            .expect_err("must fail")
            .code
    };
    assert_eq!(code("call_id=1.2&timestamp=1"), PayloadError::MISSING_EVENT);
    assert_eq!(code("event=1&timestamp=1"), PayloadError::MISSING_CALL_ID);
    assert_eq!(code("event=7&call_id=1.2"), PayloadError::UNKNOWN_KIND);
    assert_eq!(code("event=hangup&call_id=1.2"), PayloadError::UNKNOWN_KIND);
    assert_eq!(code(""), PayloadError::MISSING_EVENT);
}
