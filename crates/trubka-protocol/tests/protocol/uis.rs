//! UIS notifications: every seed template, filled as UIS fills it, becomes exactly the
//! expected CallEvents; retries keep their ids; broken payloads get the documented errors.

use crate::common::{
    Fixture, assert_events, contact, durations, employee, event, ids, phones,
    recording_discriminator, strings, utc, with_phone,
};
use serde_json::Value;
use trubka_core::{CallEvent, Direction, EventKind, Outcome, Provider};
use trubka_protocol::{
    HookRequest, ParseOptions, PayloadError, parse_route_request, parse_uis, parse_uis_with,
};

const LINE: &str = "+74993720692";
const OMNIDESK_LINK: &str =
    "https://app.uiscom.ru/system/media/talk/1197843161/13f79da9cdad2dfaee5ef282712164a4/";
const USEDESK_LINKS: [&str; 2] = [
    "https://app.uiscom.ru/system/media/talk/1197861001/5b0f3c2a9e1d47f8a6c3b2e1d0f9a8b7/",
    "https://app.uiscom.ru/system/media/talk/1197861001/0c4e8a1b2d3f4a5b6c7d8e9f0a1b2c3d/",
];
const ENVY_LINK: &str =
    "https://app.uiscom.ru/system/media/talk/1197880001/8d1c0b7a6f5e4d3c2b1a0f9e8d7c6b5a/";

fn uis(session: &str, kind: EventKind, discriminator: &str) -> CallEvent {
    event(Provider::Uis, session, kind, discriminator)
}

/// Parses a fixture with no kind in the URL and checks it against `expected`.
fn check(fixture: &str, expected: &[CallEvent]) -> Vec<CallEvent> {
    check_with(fixture, None, &ParseOptions::default(), expected)
}

fn check_with(
    fixture: &str,
    hint: Option<EventKind>,
    options: &ParseOptions,
    expected: &[CallEvent],
) -> Vec<CallEvent> {
    let fixture = Fixture::load(fixture);
    let events = parse_uis_with(&fixture.request(), hint, &phones(), options)
        .unwrap_or_else(|e| panic!("{}: {e:?}", fixture.name));
    assert_events(&events, &fixture.expected_raw(), expected);
    events
}

/// The parts every event of the Omnidesk incoming call shares.
fn omnidesk_incoming(kind: EventKind, discriminator: &str, at: &str) -> CallEvent {
    CallEvent {
        at: utc(at),
        contact: contact(Some("+79261234567"), "79261234567", Some("Иван Петров")),
        line: Some(LINE.into()),
        employee: employee(Some("2339292"), Some("Анна Смирнова"), None),
        scenario: Some("Входящие".into()),
        ..uis("1197843161", kind, discriminator)
    }
}

#[test]
fn omnidesk_pick_up_is_answered_on_the_employee_leg() {
    check(
        "uis/omnidesk_answered.json",
        &[CallEvent {
            durations: durations(Some(12), None, None),
            ..omnidesk_incoming(
                EventKind::Answered,
                "287866221",
                "2026-05-12T07:15:03.482113Z",
            )
        }],
    );
}

#[test]
fn omnidesk_leg_end_is_leg_ended_with_its_outcome() {
    check(
        "uis/omnidesk_leg_ended.json",
        &[CallEvent {
            outcome: Some(Outcome::Answered),
            durations: durations(Some(12), Some(131), Some(143)),
            ..omnidesk_incoming(
                EventKind::LegEnded,
                "287866221",
                "2026-05-12T07:17:14.903551Z",
            )
        }],
    );
}

#[test]
fn omnidesk_call_end_with_a_link_is_ended_plus_recording() {
    let ended = CallEvent {
        outcome: Some(Outcome::Answered),
        durations: durations(Some(12), Some(131), Some(143)),
        recordings: strings(&[OMNIDESK_LINK]),
        tags: strings(&["Целевой"]),
        ..omnidesk_incoming(EventKind::Ended, "call", "2026-05-12T07:17:15.120877Z")
    };
    let recording = CallEvent {
        outcome: None,
        ..omnidesk_incoming(
            EventKind::Recording,
            &recording_discriminator(OMNIDESK_LINK),
            "2026-05-12T07:17:15.120877Z",
        )
    };
    let recording = CallEvent {
        durations: ended.durations,
        recordings: ended.recordings.clone(),
        tags: ended.tags.clone(),
        ..recording
    };
    check("uis/omnidesk_ended.json", &[ended, recording]);
}

#[test]
fn omnidesk_recorded_call_is_the_same_recording_event() {
    let events = check(
        "uis/omnidesk_recording.json",
        &[CallEvent {
            durations: durations(Some(12), Some(131), Some(143)),
            recordings: strings(&[OMNIDESK_LINK]),
            tags: strings(&["Целевой"]),
            ..omnidesk_incoming(
                EventKind::Recording,
                &recording_discriminator(OMNIDESK_LINK),
                "2026-05-12T07:17:31.004519Z",
            )
        }],
    );
    // The same file announced by «Завершение звонка» is one event, not two.
    let ended = Fixture::load("uis/omnidesk_ended.json");
    let from_end = parse_uis(&ended.request(), None, &phones()).expect("parses");
    assert_eq!(from_end[1].id, events[0].id);
}

fn omnidesk_outgoing(kind: EventKind, discriminator: &str, at: &str) -> CallEvent {
    CallEvent {
        direction: Direction::Out,
        at: utc(at),
        contact: contact(Some("+79161112233"), "79161112233", None),
        line: Some(LINE.into()),
        employee: employee(Some("2339292"), Some("Анна Смирнова"), None),
        ..uis("1197850022", kind, discriminator)
    }
}

#[test]
fn omnidesk_outgoing_call_is_started_out() {
    check(
        "uis/omnidesk_outgoing_call.json",
        &[omnidesk_outgoing(
            EventKind::Started,
            "call",
            "2026-05-12T08:02:10.118020Z",
        )],
    );
}

#[test]
fn omnidesk_outgoing_leg_is_ringing_out() {
    check(
        "uis/omnidesk_outgoing_leg.json",
        &[omnidesk_outgoing(
            EventKind::Ringing,
            "287870415",
            "2026-05-12T08:02:14.660201Z",
        )],
    );
}

fn usedesk_incoming(kind: EventKind, discriminator: &str, at: &str) -> CallEvent {
    CallEvent {
        at: utc(at),
        contact: contact(Some("+79037654321"), "79037654321", Some("Ольга Кузнецова")),
        line: Some(LINE.into()),
        scenario: Some("Входящие".into()),
        ..uis("1197861001", kind, discriminator)
    }
}

#[test]
fn usedesk_incoming_call_is_started() {
    check(
        "uis/usedesk_incoming_call_started.json",
        &[usedesk_incoming(
            EventKind::Started,
            "call",
            "2026-05-12T09:30:00.105331Z",
        )],
    );
}

#[test]
fn usedesk_outgoing_call_is_started_out_with_the_extension() {
    check(
        "uis/usedesk_outgoing_call_started.json",
        &[CallEvent {
            direction: Direction::Out,
            at: utc("2026-05-12T09:41:07.733902Z"),
            contact: contact(Some("+79161112233"), "79161112233", None),
            line: Some(LINE.into()),
            employee: with_phone(
                employee(Some("2339311"), Some("Сергей Волков"), Some("202")),
                "+79031234567",
            ),
            ..uis("1197861050", EventKind::Started, "call")
        }],
    );
}

#[test]
fn usedesk_conversation_start_is_answered_on_its_legs() {
    check(
        "uis/usedesk_conversation_started.json",
        &[CallEvent {
            employee: with_phone(
                employee(Some("2339311"), Some("Сергей Волков"), Some("202")),
                "+79031234567",
            ),
            ..usedesk_incoming(
                EventKind::Answered,
                "287901100-287901102",
                "2026-05-12T09:30:14.215Z",
            )
        }],
    );
}

#[test]
fn usedesk_call_finished_is_ended_plus_one_recording_per_link() {
    let ended = CallEvent {
        employee: with_phone(
            employee(Some("2339311"), Some("Сергей Волков"), Some("202")),
            "+79031234567",
        ),
        outcome: Some(Outcome::Answered),
        durations: durations(Some(14), Some(227), Some(241)),
        recordings: strings(&USEDESK_LINKS),
        tags: strings(&["Целевой", "Повторный"]),
        ..usedesk_incoming(EventKind::Ended, "call", "2026-05-12T09:34:01.527700Z")
    };
    let recording = |link: &str| CallEvent {
        id: ended
            .call_id
            .event_id(EventKind::Recording, &recording_discriminator(link)),
        kind: EventKind::Recording,
        outcome: None,
        recordings: strings(&[link]),
        ..ended.clone()
    };
    let expected = [
        ended.clone(),
        recording(USEDESK_LINKS[0]),
        recording(USEDESK_LINKS[1]),
    ];
    check("uis/usedesk_call_finished.json", &expected);
}

#[test]
fn usedesk_lost_call_is_ended_missed_without_an_employee() {
    check(
        "uis/usedesk_call_finished_lost.json",
        &[CallEvent {
            at: utc("2026-05-12T10:05:41.880012Z"),
            contact: contact(Some("+79855550011"), "79855550011", None),
            line: Some(LINE.into()),
            outcome: Some(Outcome::Missed),
            durations: durations(Some(38), Some(0), Some(38)),
            scenario: Some("Входящие".into()),
            ..uis("1197861099", EventKind::Ended, "call")
        }],
    );
}

/// Salebot's guide gives its one template no name and no event type: sent for any event, it
/// says who called on which line and whom it was routed to, never how the call went.
#[test]
fn salebot_template_is_only_an_update() {
    let fixture = Fixture::load("uis/salebot.json");
    let events = parse_uis(&fixture.request(), None, &phones()).expect("parses");
    let [update] = events.as_slice() else {
        panic!("one event: {events:?}");
    };
    assert_eq!(update.kind, EventKind::Update);
    assert!(
        update.id.0.starts_with("uis:1197870333:update:"),
        "{}",
        update.id
    );
    assert_eq!(update.outcome, None);
    assert_eq!(
        update.contact,
        contact(Some("+79004443322"), "79004443322", None)
    );
    assert_eq!(update.line.as_deref(), Some("+78001002752"));
    assert_eq!(update.employee, employee(Some("2339292"), None, None));
    // The certain end that follows is not a duplicate of it.
    let ended = json_request(
        r#"{"call_session_id":1197870333,"notification_name":"Завершение звонка","talk_time_duration":170}"#,
    );
    let ended = parse_uis(&ended, None, &phones()).expect("parses");
    assert_ne!(ended[0].id, update.id);
    assert_eq!(ended[0].outcome, Some(Outcome::Answered));
}

/// EnvyCRM's GET templates carry no time: `at` is what the relay passes in.
fn received() -> ParseOptions {
    ParseOptions {
        received_at: Some(utc("2026-05-12T09:00:00Z")),
        ..ParseOptions::default()
    }
}

#[test]
fn envycrm_call_start_is_started() {
    check_with(
        "uis/envycrm_call_start.query",
        None,
        &received(),
        &[CallEvent {
            at: utc("2026-05-12T09:00:00Z"),
            contact: contact(Some("+79261234567"), "79261234567", None),
            line: Some(LINE.into()),
            ..uis("1197880001", EventKind::Started, "call")
        }],
    );
}

#[test]
fn envycrm_outgoing_start_is_started_out() {
    // Its `extension` is the employee's phone number, not an extension: it is their phone.
    check_with(
        "uis/envycrm_outgoing_call_start.query",
        None,
        &received(),
        &[CallEvent {
            employee: with_phone(None, "+79031234567"),
            direction: Direction::Out,
            at: utc("2026-05-12T09:00:00Z"),
            contact: contact(Some("+79161112233"), "79161112233", None),
            line: Some(LINE.into()),
            ..uis("1197880002", EventKind::Started, "call")
        }],
    );
}

#[test]
fn envycrm_call_end_is_ended_plus_recording() {
    let ended = CallEvent {
        at: utc("2026-05-12T09:00:00Z"),
        contact: contact(Some("+79261234567"), "79261234567", None),
        line: Some(LINE.into()),
        employee: with_phone(None, "+79031234567"),
        outcome: Some(Outcome::Answered),
        durations: durations(None, Some(94), None),
        recordings: strings(&[ENVY_LINK]),
        ..uis("1197880001", EventKind::Ended, "call")
    };
    let recording = CallEvent {
        id: ended
            .call_id
            .event_id(EventKind::Recording, &recording_discriminator(ENVY_LINK)),
        kind: EventKind::Recording,
        outcome: None,
        ..ended.clone()
    };
    check_with(
        "uis/envycrm_call_end.query",
        None,
        &received(),
        &[ended, recording],
    );
}

#[test]
fn doubled_quotes_are_peeled() {
    let fixture = Fixture::load("uis/quoted_variables.json");
    let events = parse_uis(&fixture.request(), None, &phones()).expect("lenient parse");
    let expected = CallEvent {
        at: utc("2026-05-12T12:00:12Z"),
        contact: contact(
            Some("+79261234567"),
            "89261234567",
            Some("ООО \"Ромашка\", Иван"),
        ),
        line: Some(LINE.into()),
        employee: employee(Some("2339292"), Some("Анна Смирнова"), None),
        outcome: Some(Outcome::Missed),
        durations: durations(Some(18), Some(0), Some(18)),
        tags: strings(&["Целевой"]),
        raw: events[0].raw.clone(),
        ..uis("1197890001", EventKind::Ended, "call")
    };
    assert_eq!(events, vec![expected]);
    // The repaired body is still the whole notification, as a JSON object.
    let raw: Value = serde_json::from_str(&events[0].raw).expect("raw is JSON");
    assert_eq!(raw["call_session_id"], "1197890001");
    assert_eq!(raw["contact_full_name"], "\"ООО \\\"Ромашка\\\", Иван\"");
}

const ALL_FIXTURES: [&str; 16] = [
    "uis/omnidesk_answered.json",
    "uis/omnidesk_leg_ended.json",
    "uis/omnidesk_ended.json",
    "uis/omnidesk_recording.json",
    "uis/omnidesk_outgoing_call.json",
    "uis/omnidesk_outgoing_leg.json",
    "uis/usedesk_incoming_call_started.json",
    "uis/usedesk_outgoing_call_started.json",
    "uis/usedesk_conversation_started.json",
    "uis/usedesk_call_finished.json",
    "uis/usedesk_call_finished_lost.json",
    "uis/salebot.json",
    "uis/envycrm_call_start.query",
    "uis/envycrm_outgoing_call_start.query",
    "uis/envycrm_call_end.query",
    "uis/quoted_variables.json",
];

#[test]
fn a_retried_notification_is_the_same_events() {
    for name in ALL_FIXTURES {
        let fixture = Fixture::load(name);
        let first = parse_uis(&fixture.request(), None, &phones()).expect(name);
        let again = parse_uis(&fixture.request(), None, &phones()).expect(name);
        assert_eq!(first, again, "{name}");
    }
    // A retry whose notification time moved (should UIS stamp retries anew) keeps its ids.
    let text = String::from_utf8(Fixture::load("uis/omnidesk_answered.json").bytes).expect("utf-8");
    let retried = text.replace("10:15:03.482113", "10:15:09.000000");
    let first = parse_uis(&json_request(&text), None, &phones()).expect("parses");
    let second = parse_uis(&json_request(&retried), None, &phones()).expect("parses");
    assert_eq!(ids(&first), ids(&second));
    assert_ne!(first[0].at, second[0].at);
}

#[test]
fn event_ids_are_unique_across_the_fixtures() {
    let mut seen = std::collections::BTreeMap::new();
    for name in ALL_FIXTURES {
        let fixture = Fixture::load(name);
        for event in parse_uis(&fixture.request(), None, &phones()).expect(name) {
            if let Some(other) = seen.insert(event.id.clone(), name) {
                // Only the same recording may be announced twice, by the call's end and by
                // «Записанный разговор».
                assert_eq!(
                    event.kind,
                    EventKind::Recording,
                    "{} in {name} and {other}",
                    event.id
                );
            }
        }
    }
}

#[test]
fn every_fixture_round_trips_through_event_json() {
    for name in ALL_FIXTURES {
        let fixture = Fixture::load(name);
        for event in parse_uis(&fixture.request(), None, &phones()).expect(name) {
            let json = trubka_protocol::event_to_json(&event);
            let back = trubka_protocol::event_from_json(&json).expect("parses back");
            let raw_before: Value = serde_json::from_str(&event.raw).expect("raw is JSON");
            let raw_after: Value = serde_json::from_str(&back.raw).expect("raw is JSON");
            assert_eq!(raw_before, raw_after, "{name}");
            assert_eq!(
                CallEvent {
                    raw: String::new(),
                    ..back
                },
                CallEvent {
                    raw: String::new(),
                    ..event
                }
            );
        }
    }
}

fn json_request(text: &str) -> HookRequest<'_> {
    HookRequest {
        query: "",
        content_type: Some("application/json"),
        body: text.as_bytes(),
    }
}

#[test]
fn two_employees_ringing_on_one_call_are_two_events() {
    let anna = r#"{"notification_name":"Ожидание ответа","call_session_id":1197843161,
        "employee_id":2339292,"leg_id":287866221,"contact_phone_number":"79261234567"}"#;
    let sergey = r#"{"notification_name":"Ожидание ответа","call_session_id":1197843161,
        "employee_id":2339311,"leg_id":287866222,"contact_phone_number":"79261234567"}"#;
    let a = parse_uis(&json_request(anna), None, &phones()).expect("parses");
    let s = parse_uis(&json_request(sergey), None, &phones()).expect("parses");
    assert_eq!(a[0].id.0, "uis:1197843161:ringing:287866221");
    assert_eq!(s[0].id.0, "uis:1197843161:ringing:287866222");
    // Without leg ids, the employee tells them apart.
    let no_legs = |id: u32| format!(r#"{{"call_session_id":1,"employee_id":{id}}}"#);
    let a = parse_uis(
        &json_request(&no_legs(7)),
        Some(EventKind::Ringing),
        &phones(),
    )
    .expect("ok");
    let s = parse_uis(
        &json_request(&no_legs(8)),
        Some(EventKind::Ringing),
        &phones(),
    )
    .expect("ok");
    assert_eq!(
        (a[0].id.0.as_str(), s[0].id.0.as_str()),
        ("uis:1:ringing:emp7", "uis:1:ringing:emp8")
    );
}

#[test]
fn the_kind_in_the_url_wins() {
    let fixture = Fixture::load("uis/usedesk_incoming_call_started.json");
    let events =
        parse_uis(&fixture.request(), Some(EventKind::Ringing), &phones()).expect("parses");
    assert_eq!(events[0].kind, EventKind::Ringing);
    // A template sent to the `ended` URL is an end; only what it says decides how it went.
    let salebot = Fixture::load("uis/salebot.json");
    let events = parse_uis(&salebot.request(), Some(EventKind::Ended), &phones()).expect("parses");
    assert_eq!(events[0].kind, EventKind::Ended);
    assert_eq!(events[0].outcome, None);
    assert_eq!(events[0].id.0, "uis:1197870333:ended:bare");
    let lost = json_request(
        r#"{"call_session_id":1,"notification_name":"Потерянный звонок","employee_ids":[]}"#,
    );
    let events = parse_uis(&lost, Some(EventKind::Ended), &phones()).expect("parses");
    assert_eq!(events[0].outcome, Some(Outcome::Missed));
}

#[test]
fn query_extras_merge_with_a_json_body() {
    let body = r#"{"call_session_id":"1197843161","contact_phone_number":null}"#;
    let request = HookRequest {
        query: "event=call_finished&contact_phone_number=79261234567",
        content_type: Some("application/json"),
        body: body.as_bytes(),
    };
    let events = parse_uis(&request, None, &phones()).expect("parses");
    assert_eq!(events[0].kind, EventKind::Ended);
    // The body's null does not hide the query's value, and raw stays the body itself.
    assert_eq!(events[0].contact.raw, "79261234567");
    assert_eq!(events[0].raw, body);
}

#[test]
fn a_form_body_is_read_like_a_query() {
    let request = HookRequest {
        query: "",
        content_type: Some("application/x-www-form-urlencoded"),
        body: b"call_session_id=42&notification_name=%D0%97%D0%B0%D0%B2%D0%B5%D1%80%D1%88%D0%B5%D0%BD%D0%B8%D0%B5+%D0%B7%D0%B2%D0%BE%D0%BD%D0%BA%D0%B0&talk_time_duration=0&direction=out&notification_timestamp=1778578441",
    };
    let events = parse_uis(&request, None, &phones()).expect("parses");
    assert_eq!(events[0].id.0, "uis:42:ended:call");
    assert_eq!(events[0].direction, Direction::Out);
    assert_eq!(events[0].outcome, Some(Outcome::NoAnswer));
    assert_eq!(events[0].at, utc("2026-05-12T09:34:01Z"));
}

#[test]
fn times_follow_the_configured_zone() {
    let body = r#"{"call_session_id":1,"notification_time":"2026-05-12 10:00:00"}"#;
    let ekb = ParseOptions {
        utc_offset: chrono::FixedOffset::east_opt(5 * 3600).expect("offset"),
        ..ParseOptions::default()
    };
    let events = parse_uis_with(
        &json_request(body),
        Some(EventKind::Started),
        &phones(),
        &ekb,
    )
    .expect("ok");
    assert_eq!(events[0].at, utc("2026-05-12T05:00:00Z"));
    let events = parse_uis(&json_request(body), Some(EventKind::Started), &phones()).expect("ok");
    assert_eq!(events[0].at, utc("2026-05-12T07:00:00Z"));
}

#[test]
fn errors_say_what_is_wrong() {
    let code = |request: HookRequest<'_>, hint| {
        parse_uis(&request, hint, &phones())
            .map(|_| ())
            .expect_err("must fail")
            .code
    };
    let no_id =
        json_request(r#"{"notification_name":"Завершение звонка","contact_phone_number":7}"#);
    assert_eq!(code(no_id, None), PayloadError::MISSING_CALL_ID);
    let null_id = json_request(r#"{"call_session_id":null}"#);
    assert_eq!(
        code(null_id, Some(EventKind::Ended)),
        PayloadError::MISSING_CALL_ID
    );
    let bad_id = json_request(r#"{"call_session_id":"12 34"}"#);
    assert_eq!(
        code(bad_id, Some(EventKind::Ended)),
        PayloadError::BAD_CALL_ID
    );
    assert_eq!(
        code(json_request("<xml/>"), None),
        PayloadError::MALFORMED_BODY
    );
    assert_eq!(
        code(json_request("[1,2,3]"), None),
        PayloadError::MALFORMED_BODY
    );
    let unknown = parse_uis(
        &json_request(r#"{"call_session_id":1,"secret":"x","integration":"crm"}"#),
        None,
        &phones(),
    )
    .expect_err("unknown kind");
    assert_eq!(unknown.code, PayloadError::UNKNOWN_KIND);
    assert!(
        unknown.message.contains("integration"),
        "{}",
        unknown.message
    );
}

#[test]
fn interactive_routing_requests_in_every_encoding() {
    let get = HookRequest {
        query: "cdr_id=123&start_time=1200&input_result=None&numa=74952345678&numb=74951234567",
        content_type: None,
        body: b"",
    };
    let request = parse_route_request(&get).expect("parses");
    assert_eq!(request.numa, "74952345678");
    assert_eq!(request.numb.as_deref(), Some("74951234567"));
    assert_eq!(request.cdr_id.as_deref(), Some("123"));
    assert_eq!(request.start_time.as_deref(), Some("1200"));
    assert_eq!(request.input_result, None);
    assert_eq!(request.call_session_id, None);

    let form = HookRequest {
        query: "",
        content_type: Some("application/x-www-form-urlencoded"),
        body: b"cdr_id=5512334&start_time=1715508903&input_result=None&numa=79260000000&numb=74993720692&call_session_id=1197843161&direction=in",
    };
    let request = parse_route_request(&form).expect("parses");
    assert_eq!(request.call_session_id.as_deref(), Some("1197843161"));
    assert_eq!(request.direction, Some(Direction::In));

    let json = json_request(
        r#"{"numa":79260000000,"numb":74993720692,"call_session_id":1197843161,"input_result":"12"}"#,
    );
    let request = parse_route_request(&json).expect("parses");
    assert_eq!(request.numa, "79260000000");
    assert_eq!(request.input_result.as_deref(), Some("12"));

    let err = parse_route_request(&json_request(r#"{"numb":"74993720692"}"#)).expect_err("no numa");
    assert_eq!(err.code, PayloadError::MISSING_NUMA);
}
