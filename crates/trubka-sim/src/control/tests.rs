//! The state diagram on plans: each edit in its state, refusals outside it.

use chrono::Utc;
use rand::{SeedableRng, rngs::StdRng};

use super::*;
use crate::{
    cast,
    ids::IdGen,
    scenario::{CallRequest, PlanContext, Provider, plan},
};

fn talking_plan() -> CallPlan {
    let employees = cast::default_employees();
    let lines = vec!["74951234567".to_owned()];
    let ids = IdGen::new(Utc::now());
    let ctx = PlanContext {
        employees: &employees,
        lines: &lines,
        ids: &ids,
        now: Utc::now(),
    };
    let mut request = CallRequest::new(Provider::Uis);
    request.ring_seconds = Some(5);
    request.talk_seconds = Some(300);
    plan(&request, &ctx, &mut StdRng::seed_from_u64(5)).unwrap()
}

fn colleague() -> Employee {
    cast::default_employees()[1].clone()
}

#[test]
fn hold_is_only_for_a_talk_and_unhold_only_for_a_hold() {
    let plan = talking_plan();
    let answer = plan.legs[0].answer_ms.unwrap();
    assert_eq!(state(&plan, answer - 1), CallState::Connecting);
    assert_eq!(
        hold(&plan, answer - 1),
        Err(Refusal::State(CallState::Connecting))
    );
    assert_eq!(
        unhold(&plan, answer + 1000),
        Err(Refusal::State(CallState::Talk))
    );
    let held = hold(&plan, answer + 1000).unwrap();
    assert_eq!(state(&held, answer + 2000), CallState::Hold);
    assert_eq!(held.moments, plan.moments, "a hold sends nothing");
    let back = unhold(&held, answer + 11_000).unwrap();
    assert_eq!(state(&back, answer + 12_000), CallState::Talk);
    assert_eq!(held_ms(&back, back.end_ms), 10_000);
    assert_eq!(hold(&plan, plan.end_ms), Err(Refusal::Ended));
}

#[test]
fn consultation_then_transfer_moves_the_contact_to_the_colleague() {
    let plan = talking_plan();
    let at = plan.legs[0].answer_ms.unwrap() + 5000;
    assert_eq!(
        make_call(&plan, at, &colleague(), Reply::Answers, 77),
        Err(Refusal::State(CallState::Talk))
    );
    let held = hold(&plan, at).unwrap();
    let dialing = make_call(&held, at + 1000, &colleague(), Reply::Answers, 77).unwrap();
    assert_eq!(state(&dialing, at + 2000), CallState::Dialing);
    assert_eq!(
        state(&dialing, at + 1000 + CONSULT_ANSWER_MS),
        CallState::OperatorTalk
    );
    let cut = at + 1000 + CONSULT_ANSWER_MS + 3000;
    let moved = transfer(&dialing, cut).unwrap();
    assert_eq!(moved.legs[0].end_ms, cut);
    assert_eq!(moved.legs[1].transferred_from, Some(0));
    assert!(!moved.legs[1].consult);
    assert!(moved.transferred());
    assert_eq!(moved.final_leg(), Some(1));
    assert_eq!(state(&moved, cut + 1), CallState::Talk);
    assert_eq!(moved.end_ms, plan.end_ms, "the contact hangs up as planned");
    assert!(moved.moments.contains(&(cut, Moment::TalkEnded(0))));
    assert!(moved.moments.contains(&(at + 1000, Moment::Ringing(1))));
}

#[test]
fn restore_returns_to_the_first_employee_and_a_silent_colleague_means_hold() {
    let plan = talking_plan();
    let at = plan.legs[0].answer_ms.unwrap() + 5000;
    let held = hold(&plan, at).unwrap();
    let silent = make_call(&held, at, &colleague(), Reply::NoAnswer, 78).unwrap();
    assert_eq!(state(&silent, at + CONSULT_GIVE_UP_MS + 1), CallState::Hold);
    let busy = make_call(&held, at, &colleague(), Reply::Busy, 79).unwrap();
    assert_eq!(busy.legs[1].unanswered, Some(Outcome::Busy));
    let restored = restore(&silent, at + 2000).unwrap();
    assert_eq!(state(&restored, at + 2001), CallState::Talk);
    assert_eq!(restored.legs[1].unanswered, Some(Outcome::Cancelled));
    assert_eq!(restored.final_leg(), Some(0));
    // A blind transfer to a colleague who never answers finishes the call.
    let blind = transfer(&silent, at + 1000).unwrap();
    assert_eq!(state(&blind, at + 1500), CallState::Transferring);
    assert_eq!(blind.legs[0].end_ms, at + 1000);
    // The contact talked before, so the end comes a moment after the ringing stops.
    assert_eq!(blind.end_ms, at + CONSULT_GIVE_UP_MS + 200);
    assert_eq!(blind.outcome, Outcome::Answered);
}

#[test]
fn a_coach_joins_a_talk_only() {
    let plan = talking_plan();
    let at = plan.legs[0].answer_ms.unwrap() + 5000;
    let coached = add_coach(&plan, at, "201".to_owned(), None, 80).unwrap();
    assert_eq!(coached.control.coaches[0].until_ms, plan.legs[0].end_ms);
    let held = hold(&plan, at).unwrap();
    assert_eq!(
        add_coach(&held, at + 1, "201".to_owned(), None, 80),
        Err(Refusal::State(CallState::Hold))
    );
}
