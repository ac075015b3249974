//! No input makes a parser panic: arbitrary bytes, arbitrary JSON, arbitrary query strings,
//! and mutations of the real fixtures all end in `Ok` or `Err`. Whatever parses also
//! survives the trip through the event JSON.

use crate::common::{Fixture, phones};
use proptest::prelude::*;
use serde_json::{Map, Value};
use trubka_core::{EventKind, PhoneParser};
use trubka_protocol::{
    HookRequest, event_from_json, event_to_json, parse_route_request, parse_sipuni, parse_uis,
};

/// Runs every parser on one request and checks what comes out.
fn exercise(phones: &PhoneParser, request: &HookRequest<'_>) {
    let hints = [
        None,
        Some(EventKind::Ended),
        Some(EventKind::Ringing),
        Some(EventKind::Recording),
    ];
    for hint in hints {
        if let Ok(events) = parse_uis(request, hint, phones) {
            check_events(&events);
        }
    }
    if let Ok(events) = parse_sipuni(request, phones) {
        check_events(&events);
    }
    let _ = parse_route_request(request);
}

fn check_events(events: &[trubka_core::CallEvent]) {
    assert!(!events.is_empty());
    for event in events {
        assert!(event.id.0.starts_with(&event.call_id.0));
        let raw: Value = serde_json::from_str(&event.raw).expect("raw is JSON");
        assert!(raw.is_object());
        let back = event_from_json(&event_to_json(event)).expect("event JSON parses back");
        assert_eq!(back.id, event.id);
        assert_eq!(back.contact, event.contact);
        assert_eq!(back.recordings, event.recordings);
    }
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        ".{0,24}".prop_map(Value::String),
        "[0-9]{1,15}".prop_map(Value::String),
        "\"[0-9a-zA-Zа-я ]{0,12}\"".prop_map(Value::String),
        "\\[\"[a-z:/.]{0,16}\"\\]".prop_map(Value::String),
        "[+-]?[0-9]{1,6}-[0-9]{1,2}-[0-9]{1,2}[ T][0-9]{1,2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?([+-][0-9]{2}:?[0-9]{2}|Z)?"
            .prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(field_name(), inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Mostly the names the parsers look for, so that the interesting paths are reached.
fn field_name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "call_session_id",
            "call_hash",
            "notification_name",
            "notification_time",
            "notification_timestamp",
            "event",
            "kind",
            "direction",
            "is_internal",
            "is_lost",
            "contact_phone_number",
            "client_number",
            "virtual_phone_number",
            "employee_id",
            "employee_ids",
            "employee_full_name",
            "leg_id",
            "leg_ids",
            "talk_time_duration",
            "total_time_duration",
            "wait_time_duration",
            "file_link",
            "record_file_links",
            "record_links",
            "tag_names",
            "contact_info",
            "employee_info",
            "call_info",
            "call_record_file_info",
            "call_id",
            "src_num",
            "src_type",
            "dst_num",
            "dst_type",
            "short_src_num",
            "short_dst_num",
            "status",
            "timestamp",
            "call_start_timestamp",
            "call_answer_timestamp",
            "call_record_link",
            "last_called",
            "is_inner_call",
            "user_id",
            "numa",
            "numb",
        ])
        .prop_map(str::to_owned),
        "[a-z_]{1,12}",
    ]
}

fn object() -> impl Strategy<Value = Value> {
    prop::collection::btree_map(field_name(), json_value(), 0..16)
        .prop_map(|m| Value::Object(m.into_iter().collect::<Map<String, Value>>()))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(body in prop::collection::vec(any::<u8>(), 0..512), json in any::<bool>()) {
        let phones = phones();
        let content_type = if json { Some("application/json") } else { None };
        exercise(&phones, &HookRequest { query: "", content_type, body: &body });
        let text = String::from_utf8_lossy(&body);
        exercise(&phones, &HookRequest { query: &text, content_type: None, body: b"" });
    }

    #[test]
    fn arbitrary_json_never_panics(value in json_value()) {
        let phones = phones();
        let text = value.to_string();
        exercise(&phones, &HookRequest { query: "", content_type: Some("application/json"), body: text.as_bytes() });
    }

    #[test]
    fn arbitrary_objects_never_panic(value in object(), with_id in any::<bool>(), event in 0u8..6) {
        let phones = phones();
        let mut value = value;
        if let (true, Some(map)) = (with_id, value.as_object_mut()) {
            map.insert("call_session_id".into(), Value::from(1197843161));
            map.insert("call_id".into(), Value::from("1774373000.534100"));
            map.insert("event".into(), Value::from(event));
        }
        let text = value.to_string();
        exercise(&phones, &HookRequest { query: "", content_type: Some("application/json"), body: text.as_bytes() });
    }

    #[test]
    fn arbitrary_query_strings_never_panic(
        pairs in prop::collection::vec((field_name(), ".{0,24}"), 0..12),
        raw_tail in "[&=%+a-z0-9\\x00-\\x1f\u{80}-\u{10ffff}]{0,32}",
    ) {
        let phones = phones();
        let mut query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        query.push_str(&raw_tail);
        exercise(&phones, &HookRequest { query: &query, content_type: None, body: b"" });
        exercise(&phones, &HookRequest { query: "", content_type: Some("application/x-www-form-urlencoded"), body: query.as_bytes() });
    }

    #[test]
    fn mutated_fixtures_never_panic(index in 0usize..8, cut in any::<prop::sample::Index>(), insert in ".{0,6}") {
        const NAMES: [&str; 8] = [
            "uis/omnidesk_ended.json", "uis/usedesk_call_finished.json", "uis/salebot.json",
            "uis/quoted_variables.json", "uis/envycrm_call_end.query", "sipuni/incoming_hangup.form",
            "sipuni/outgoing_call.form", "uis/omnidesk_answered.json",
        ];
        let fixture = Fixture::load(NAMES[index]);
        let text = String::from_utf8_lossy(&fixture.bytes).into_owned();
        let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        let at = boundaries.get(cut.index(boundaries.len().max(1))).copied().unwrap_or(0);
        let mutated = format!("{}{insert}{}", &text[..at], &text[at..]);
        let truncated = &text[..at];
        let phones = phones();
        for body in [mutated.as_str(), truncated] {
            exercise(&phones, &HookRequest { query: "", content_type: Some("application/json"), body: body.as_bytes() });
            exercise(&phones, &HookRequest { query: body, content_type: None, body: b"" });
        }
    }
}
