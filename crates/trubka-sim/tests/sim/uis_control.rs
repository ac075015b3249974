//! UIS call control and employee statuses driven by trubka-pbx's real `UisClient` against the
//! simulator: each method in the state the Call API's diagram allows, refused with the real
//! mnemonic outside it; a transfer's legs and notifications; statuses that route calls.

use std::time::Duration;

use crate::common::{Captured, Sim};
use chrono::{Duration as Span, Utc};
use serde_json::json;
use trubka_pbx::{
    PbxError, UisClient,
    uis::{ActiveCall, ActiveLeg, CallReportRow, CallSessionId, Message},
};

/// Timeline milliseconds per real millisecond: a consultation answers in 200 ms.
const SPEED: f64 = 20.0;

async fn start() -> Sim {
    Sim::start_with(|c| c.speed = SPEED).await
}

/// An incoming call to `employee` that is answered at once and talks for a long while.
async fn incoming(sim: &Sim, employee: &str) -> CallSessionId {
    let call_id = sim
        .call(
            json!({"provider": "uis", "from": "+7 926 123-45-67", "employee": employee,
                     "ivr_seconds": 1, "ring_seconds": 1, "talk_seconds": 900}),
        )
        .await;
    CallSessionId(call_id.strip_prefix("uis:").unwrap().parse().unwrap())
}

fn hold_music() -> Message {
    Message::Media(2034)
}

/// Polls `list.calls` until the session satisfies `ready` (bounded: 5 s).
async fn until(
    uis: &UisClient,
    session: CallSessionId,
    what: &str,
    ready: impl Fn(&ActiveCall) -> bool,
) -> ActiveCall {
    let mut last = None;
    for _ in 0..250 {
        let call = uis.active_call(session).await.unwrap();
        if let Some(call) = call {
            if ready(&call) {
                return call;
            }
            last = Some(call);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the call never got to {what}: {last:#?}");
}

/// The calls report's row of a call once it is over (bounded: 5 s).
async fn finished(uis: &UisClient, session: CallSessionId) -> CallReportRow {
    for _ in 0..250 {
        let rows = uis
            .calls_report_all(Utc::now() - Span::hours(1), Utc::now() + Span::hours(1))
            .await
            .unwrap();
        if let Some(row) = rows.into_iter().find(|r| r.id == session.0) {
            return row;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the calls report never listed {session}");
}

fn leg_of(call: &ActiveCall, employee: u64) -> Option<&ActiveLeg> {
    call.legs
        .iter()
        .rev()
        .find(|l| l.employee_id == Some(employee))
}

fn contact_leg(call: &ActiveCall) -> &ActiveLeg {
    call.legs.iter().find(|l| !l.is_operator).unwrap()
}

fn state(leg: Option<&ActiveLeg>) -> &str {
    leg.and_then(|l| l.state.as_deref()).unwrap_or("-")
}

fn mnemonic(result: Result<(), PbxError>) -> String {
    result.unwrap_err().code().to_owned()
}

const ANNA: u64 = 2339292;
const IGOR: u64 = 2339293;
const MARIA: u64 = 2339294;

#[tokio::test]
async fn hold_and_resume_only_in_their_states_and_holds_leave_clean_talk() {
    let sim = start().await;
    let uis = sim.uis();
    let ringing = sim
        .call(
            json!({"provider": "uis", "from": "+7 926 555-00-11", "employee": "203",
                     "ivr_seconds": 1, "ring_seconds": 600}),
        )
        .await;
    let ringing = CallSessionId(ringing.strip_prefix("uis:").unwrap().parse().unwrap());
    until(&uis, ringing, "ringing", |c| {
        state(leg_of(c, MARIA)) == "Дозвон"
    })
    .await;
    // Not connected yet: nothing to hold.
    assert_eq!(
        mnemonic(uis.hold_call(ringing, &hold_music()).await),
        "invalid_state"
    );

    let session = incoming(&sim, "201").await;
    until(&uis, session, "talk", |c| {
        state(leg_of(c, ANNA)) == "Разговор"
    })
    .await;
    assert_eq!(mnemonic(uis.unhold_call(session).await), "invalid_state");
    uis.hold_call(session, &Message::tts("Оставайтесь на линии").unwrap())
        .await
        .unwrap();
    let held = until(&uis, session, "hold", |c| {
        contact_leg(c).state.as_deref() == Some("На удержании")
    })
    .await;
    assert_eq!(state(leg_of(&held, ANNA)), "Разговор");
    assert_eq!(
        mnemonic(uis.hold_call(session, &hold_music()).await),
        "invalid_state"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    uis.unhold_call(session).await.unwrap();
    until(&uis, session, "talk again", |c| {
        contact_leg(c).state.as_deref() == Some("Разговор")
    })
    .await;

    // The requests went out as the docs show them.
    let logged = sim.requests_for("hold.call").await;
    let params = &logged[0]["params"]["params"];
    assert_eq!(params["call_session_id"], ringing.0);
    assert_eq!(
        params["contact_message"],
        json!({"type": "media", "value": "2034"})
    );
    assert_eq!(logged[1]["outcome"], "ok");

    tokio::time::sleep(Duration::from_millis(100)).await;
    uis.release_call(session).await.unwrap();
    assert_eq!(
        mnemonic(uis.hold_call(session, &hold_music()).await),
        "call_session_not_found"
    );
    assert_eq!(
        mnemonic(uis.unhold_call(CallSessionId(1)).await),
        "call_session_not_found"
    );
    let row = finished(&uis, session).await;
    let talk = row.talk_duration.unwrap();
    let clean = row.clean_talk_duration.unwrap();
    // About 6 s of the talk (300 ms at speed 20) were on hold.
    assert!(talk >= clean + 5, "talk {talk}, clean {clean}");
    sim.stop().await;
}

#[tokio::test]
async fn attended_transfer_moves_the_contact_with_the_legs_and_notifications_of_one() {
    let sim = start().await;
    let uis = sim.uis();
    let session = incoming(&sim, "201").await;
    until(&uis, session, "talk", |c| {
        state(leg_of(c, ANNA)) == "Разговор"
    })
    .await;
    assert_eq!(
        mnemonic(uis.make_call(session, "202", None).await),
        "invalid_state"
    );
    uis.hold_call(session, &hold_music()).await.unwrap();
    assert_eq!(mnemonic(uis.transfer_talk(session).await), "invalid_state");
    assert_eq!(
        mnemonic(uis.make_call(session, "79990000001", None).await),
        "no_active_phone_number"
    );
    uis.make_call(
        session,
        "202",
        Some(&Message::tts("Звонок от клиента").unwrap()),
    )
    .await
    .unwrap();
    let talking = until(&uis, session, "operators' talk", |c| {
        state(leg_of(c, IGOR)) == "Разговор операторов"
    })
    .await;
    assert_eq!(state(leg_of(&talking, ANNA)), "Разговор операторов");
    assert_eq!(contact_leg(&talking).state.as_deref(), Some("На удержании"));
    uis.transfer_talk(session).await.unwrap();
    let moved = until(&uis, session, "the contact with the colleague", |c| {
        state(leg_of(c, IGOR)) == "Разговор"
    })
    .await;
    assert_eq!(state(leg_of(&moved, ANNA)), "Разъединено");
    assert_eq!(contact_leg(&moved).state.as_deref(), Some("Разговор"));
    assert_eq!(mnemonic(uis.restore_talk(session).await), "invalid_state");

    uis.release_call(session).await.unwrap();
    let got = sim.capture.wait_for(8).await;
    let of_call: Vec<&Captured> = got
        .iter()
        .filter(|r| r.json()["call_info"]["call_session_id"] == session.0)
        .collect();
    let employee = |r: &Captured| r.json()["employee_info"]["employee_id"].as_u64();
    let ringing: Vec<Option<u64>> = of_call
        .iter()
        .filter(|r| r.uis_kind() == "ringing")
        .map(|r| employee(r))
        .collect();
    assert_eq!(ringing, [Some(ANNA), Some(IGOR)]);
    let answered: Vec<Option<u64>> = of_call
        .iter()
        .filter(|r| r.uis_kind() == "answered")
        .map(|r| employee(r))
        .collect();
    assert_eq!(answered, [Some(ANNA), Some(IGOR)]);
    // Anna's conversation ends at the transfer, before Igor's and the call's.
    let kinds: Vec<(&str, Option<u64>)> = of_call
        .iter()
        .map(|r| (r.uis_kind(), employee(r)))
        .filter(|(k, _)| ["leg_ended", "ended"].contains(k))
        .collect();
    assert_eq!(
        kinds,
        [
            ("leg_ended", Some(ANNA)),
            ("leg_ended", Some(IGOR)),
            ("ended", Some(IGOR))
        ]
    );
    let row = finished(&uis, session).await;
    assert_eq!(row.is_transfer, Some(true));
    assert_eq!(row.last_answered_employee_id, Some(IGOR));
    sim.stop().await;
}

#[tokio::test]
async fn restore_returns_to_the_contact_and_blind_transfer_waits_for_the_colleague() {
    let sim = start().await;
    let uis = sim.uis();
    let session = incoming(&sim, "201").await;
    until(&uis, session, "talk", |c| {
        state(leg_of(c, ANNA)) == "Разговор"
    })
    .await;
    assert_eq!(mnemonic(uis.restore_talk(session).await), "invalid_state");
    uis.start_consultation(session, "203", &hold_music())
        .await
        .unwrap();
    until(&uis, session, "the colleague ringing", |c| {
        leg_of(c, MARIA).is_some()
    })
    .await;
    uis.restore_talk(session).await.unwrap();
    let back = until(&uis, session, "back with the contact", |c| {
        contact_leg(c).state.as_deref() == Some("Разговор")
    })
    .await;
    assert_eq!(state(leg_of(&back, ANNA)), "Разговор");
    assert_eq!(state(leg_of(&back, MARIA)), "Разъединено");

    uis.blind_transfer(session, "202", &hold_music())
        .await
        .unwrap();
    let names: Vec<String> = sim
        .get_json("sim/requests")
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["operation"].as_str().unwrap_or_default().to_owned())
        .filter(|o| o.contains('.') && !o.starts_with("list") && !o.starts_with("get"))
        .collect();
    assert_eq!(
        names[names.len() - 3..],
        ["hold.call", "make.call", "transfer.talk"]
    );
    let moved = until(&uis, session, "with Igor", |c| {
        state(leg_of(c, IGOR)) == "Разговор"
    })
    .await;
    assert_eq!(state(leg_of(&moved, ANNA)), "Разъединено");
    sim.stop().await;
}

#[tokio::test]
async fn a_coach_joins_a_conversation_only() {
    let sim = start().await;
    let uis = sim.uis();
    let session = incoming(&sim, "201").await;
    until(&uis, session, "talk", |c| {
        state(leg_of(c, ANNA)) == "Разговор"
    })
    .await;
    // The simulated employees have no coach in the cabinet.
    assert_eq!(
        mnemonic(uis.add_coach(session, None).await),
        "coach_not_found"
    );
    assert_eq!(
        mnemonic(uis.add_coach(session, Some("999")).await),
        "no_active_phone_number"
    );
    uis.add_coach(session, Some("203")).await.unwrap();
    let coached = until(&uis, session, "with the coach", |c| {
        leg_of(c, MARIA).is_some()
    })
    .await;
    let coach = leg_of(&coached, MARIA).unwrap();
    assert!(!coach.is_operator);
    assert_eq!(coach.called_phone_number.as_deref(), Some("203"));
    // An outside coach, as the docs' example: a leg with no employee.
    uis.add_coach(session, Some("79260000000")).await.unwrap();
    let outside = until(&uis, session, "with the outside coach", |c| {
        c.legs
            .iter()
            .any(|l| l.called_phone_number.as_deref() == Some("79260000000"))
    })
    .await;
    let leg = outside
        .legs
        .iter()
        .find(|l| l.called_phone_number.as_deref() == Some("79260000000"))
        .unwrap();
    assert_eq!((leg.employee_id, leg.is_operator), (None, false));
    uis.hold_call(session, &hold_music()).await.unwrap();
    assert_eq!(
        mnemonic(uis.add_coach(session, Some("203")).await),
        "invalid_state"
    );
    uis.release_call(session).await.unwrap();
    assert_eq!(
        mnemonic(uis.add_coach(session, Some("203")).await),
        "call_session_not_found"
    );
    sim.stop().await;
}

#[tokio::test]
async fn statuses_are_read_back_and_route_calls_away_from_who_takes_none() {
    let sim = start().await;
    let uis = sim.uis();
    let statuses = uis.statuses().await.unwrap();
    let available = statuses
        .iter()
        .find(|s| s.mnemonic.as_deref() == Some("available"))
        .unwrap();
    assert!(available.takes_incoming_calls());
    let lunch = statuses.iter().find(|s| s.name == "Обед").unwrap();
    assert_eq!(lunch.mnemonic, None, "custom statuses have no mnemonic");
    assert!(!lunch.takes_incoming_calls());
    assert_eq!(uis.employee_status(ANNA).await.unwrap(), Some(available.id));

    uis.set_employee_status(ANNA, lunch.id).await.unwrap();
    assert_eq!(uis.employee_status(ANNA).await.unwrap(), Some(lunch.id));
    let logged = sim.requests_for("update.employees").await;
    assert_eq!(
        logged[0]["params"]["params"],
        json!({"access_token": "***", "id": ANNA, "status_id": lunch.id})
    );
    for (employee, status) in [(ANNA, 9999), (1, lunch.id)] {
        let err = uis.set_employee_status(employee, status).await.unwrap_err();
        assert_eq!(err.code(), "entity_not_found");
    }

    // A call for Anna rings a colleague who takes calls.
    let session = incoming(&sim, "201").await;
    let call = until(&uis, session, "ringing someone", |c| c.legs.len() > 1).await;
    assert!(leg_of(&call, ANNA).is_none(), "{call:#?}");
    assert!(leg_of(&call, IGOR).is_some(), "{call:#?}");
    uis.release_call(session).await.unwrap();

    // Nobody takes calls: the next call rings nobody and ends missed.
    let pause = statuses
        .iter()
        .find(|s| s.mnemonic.as_deref() == Some("break"))
        .unwrap();
    for employee in [IGOR, MARIA] {
        uis.set_employee_status(employee, pause.id).await.unwrap();
    }
    let before = sim.capture.snapshot().len();
    let missed = incoming(&sim, "202").await;
    let mut kinds = Vec::new();
    for _ in 0..250 {
        kinds = sim.capture.snapshot()[before..]
            .iter()
            .filter(|r| r.json()["call_info"]["call_session_id"] == missed.0)
            .map(|r| r.uis_kind().to_owned())
            .collect();
        if kinds.iter().any(|k| k == "ended") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(kinds.iter().any(|k| k == "ended"), "{kinds:?}");
    assert!(!kinds.iter().any(|k| k == "ringing"), "{kinds:?}");
    sim.stop().await;
}
