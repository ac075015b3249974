//! The stream frames: every frame the relay writes is read back by the agent unchanged.

use trubka_core::{EventKind, Provider};
use trubka_protocol::event_to_json;
use trubka_protocol::stream::{ClientFrame, ServerFrame, event_frame};

fn sample_event() -> trubka_core::CallEvent {
    let mut event = crate::common::event(
        Provider::Uis,
        "1197843161",
        EventKind::Answered,
        "287866221",
    );
    event.raw = r#"{"call_session_id":1197843161,"leg_ids":[287866221]}"#.to_owned();
    event
}

#[test]
fn event_frame_built_by_the_relay_parses_back_to_the_same_event() {
    let event = sample_event();
    let text = event_frame(42, &event_to_json(&event));
    let frame = ServerFrame::parse(&text).expect("an event frame parses");
    assert_eq!(
        frame,
        ServerFrame::Event {
            seq: 42,
            event: Box::new(event)
        }
    );
}

#[test]
fn hello_reset_and_caught_up_round_trip() {
    for frame in [
        ServerFrame::Hello {
            v: 1,
            agent: "Анна".into(),
            epoch: "e1".into(),
            head: 7,
        },
        ServerFrame::Reset { epoch: "e2".into() },
        ServerFrame::CaughtUp {
            replayed: 3,
            pruned_before: None,
        },
        ServerFrame::CaughtUp {
            replayed: 0,
            pruned_before: Some(1200),
        },
        ServerFrame::Event {
            seq: 9,
            event: Box::new(sample_event()),
        },
        ServerFrame::Directory { version: 42 },
        ServerFrame::CallContact {
            call_id: "uis:123".into(),
            number: "+74951234567".into(),
            contacts: vec![trubka_protocol::directory::CrmContact {
                name: "ООО Ромашка".into(),
                url: Some("https://crm.example.com/client/7".into()),
                ..Default::default()
            }],
        },
    ] {
        assert_eq!(ServerFrame::parse(&frame.to_json()).unwrap(), frame);
    }
}

#[test]
fn frames_missing_fields_or_of_unknown_type_are_errors_with_reasons() {
    let missing = ServerFrame::parse(r#"{"type":"hello","v":1}"#)
        .unwrap_err()
        .to_string();
    assert!(missing.contains("agent"), "{missing}");
    let unknown = ServerFrame::parse(r#"{"type":"bye"}"#)
        .unwrap_err()
        .to_string();
    assert!(unknown.contains("bye"), "{unknown}");
    assert!(ServerFrame::parse("not json").is_err());
    let bare = ServerFrame::parse(r#"{"type":"caught_up"}"#)
        .unwrap_err()
        .to_string();
    assert!(bare.contains("replayed"), "{bare}");
    let no_version = ServerFrame::parse(r#"{"type":"directory"}"#)
        .unwrap_err()
        .to_string();
    assert!(no_version.contains("version"), "{no_version}");
}

#[test]
fn caught_up_has_the_documented_wire_form() {
    assert_eq!(
        ServerFrame::CaughtUp {
            replayed: 12,
            pruned_before: None
        }
        .to_json(),
        r#"{"type":"caught_up","replayed":12}"#
    );
    assert_eq!(
        ServerFrame::CaughtUp {
            replayed: 2,
            pruned_before: Some(1200)
        }
        .to_json(),
        r#"{"type":"caught_up","replayed":2,"pruned_before":1200}"#
    );
}

#[test]
fn ack_frames_round_trip() {
    let ack = ClientFrame::Ack { seq: 1235 };
    assert_eq!(ack.to_json(), r#"{"type":"ack","seq":1235}"#);
    assert_eq!(ClientFrame::parse(&ack.to_json()).unwrap(), ack);
}

#[test]
fn presence_frames_carry_one_agent_and_round_trip() {
    use trubka_protocol::control::{AgentPresence, PresenceStatus};
    let frame = ServerFrame::Presence {
        presence: Box::new(AgentPresence {
            agent: "Анна".into(),
            status: Some(PresenceStatus::Break),
            reason: Some("Обед".into()),
            on_call: false,
            supervisor: false,
        }),
    };
    let json: serde_json::Value = serde_json::from_str(&frame.to_json()).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"type": "presence", "presence": {"agent": "Анна", "status": "break",
            "reason": "Обед", "on_call": false, "supervisor": false}})
    );
    assert_eq!(ServerFrame::parse(&frame.to_json()).unwrap(), frame);
    assert!(ServerFrame::parse(r#"{"type":"presence"}"#).is_err());
}

#[test]
fn call_control_frames_say_who_did_what_to_a_call() {
    use trubka_protocol::control::{ControlAction, ControlNotice};
    let frame = ServerFrame::CallControl {
        notice: Box::new(ControlNotice {
            call_id: "uis:123".into(),
            action: ControlAction::Transfer,
            by: "Анна".into(),
            to: Some("Игорь".into()),
            notes: None,
        }),
    };
    let json: serde_json::Value = serde_json::from_str(&frame.to_json()).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"type": "call_control", "notice": {"call_id": "uis:123",
            "action": "transfer", "by": "Анна", "to": "Игорь"}})
    );
    assert_eq!(ServerFrame::parse(&frame.to_json()).unwrap(), frame);
    assert!(ServerFrame::parse(r#"{"type":"call_control"}"#).is_err());
}
