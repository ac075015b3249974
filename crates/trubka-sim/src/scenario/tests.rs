//! Plans: the order of moments, transfers, missed calls, refusals.

use rand::{SeedableRng, rngs::StdRng};

use super::*;

fn plan_for(request: &CallRequest) -> Result<CallPlan, CallRequestError> {
    let employees = cast::default_employees();
    let lines = vec!["74951234567".to_owned()];
    let ids = IdGen::new(Utc::now());
    let ctx = PlanContext {
        employees: &employees,
        lines: &lines,
        ids: &ids,
        now: Utc::now(),
    };
    plan(request, &ctx, &mut StdRng::seed_from_u64(7))
}

fn kinds(plan: &CallPlan) -> Vec<Moment> {
    plan.moments.iter().map(|(_, m)| *m).collect()
}

#[test]
fn answered_call_has_the_real_order() {
    let mut request = CallRequest::new(Provider::Uis);
    request.from = Some("+7 926 123-45-67".into());
    let plan = plan_for(&request).unwrap();
    use Moment::*;
    assert_eq!(
        kinds(&plan),
        [
            Started,
            Ringing(0),
            Answered(0),
            TalkEnded(0),
            Ended,
            Recorded(0)
        ]
    );
    assert_eq!(plan.contact.uis.as_deref(), Some("79261234567"));
    assert_eq!(plan.contact.name.as_deref(), Some("Ольга Васильева"));
    assert!(plan.talk_seconds() >= 20 && plan.total_seconds() > plan.talk_seconds());
    assert!(plan.moments.windows(2).all(|w| w[0].0 <= w[1].0));
}

#[test]
fn transfer_rings_the_second_employee_after_the_first_leg_ends() {
    let mut request = CallRequest::new(Provider::Sipuni);
    request.employee = Some("201".into());
    request.transfer_to = Some("2339293".into());
    let plan = plan_for(&request).unwrap();
    use Moment::*;
    assert_eq!(
        kinds(&plan),
        [
            Started,
            Ringing(0),
            Answered(0),
            TalkEnded(0),
            Ringing(1),
            Answered(1),
            TalkEnded(1),
            Ended,
            Recorded(0),
            Recorded(1)
        ]
    );
    assert_eq!(plan.legs[1].employee.extension, "202");
    assert_eq!(plan.legs[1].transferred_from, Some(0));
    assert!(plan.transferred());
}

#[test]
fn missed_call_rings_both_and_records_nothing() {
    let mut request = CallRequest::new(Provider::Uis);
    request.outcome = Outcome::Missed;
    request.next_employee = Some("203".into());
    let plan = plan_for(&request).unwrap();
    use Moment::*;
    assert_eq!(kinds(&plan), [Started, Ringing(0), Ringing(1), Ended]);
    assert!(!plan.answered());
    assert_eq!(plan.wait_ms(), plan.end_ms);
}

#[test]
fn bad_requests_are_refused() {
    let mut request = CallRequest::new(Provider::Uis);
    request.employee = Some("999".into());
    assert_eq!(
        plan_for(&request).unwrap_err(),
        CallRequestError::UnknownEmployee("999".into())
    );
    request.employee = None;
    request.outcome = Outcome::Missed;
    request.transfer_to = Some("202".into());
    assert!(plan_for(&request).is_err());
    let mut request = CallRequest::new(Provider::Uis);
    request.from = Some("кто-то".into());
    assert!(matches!(
        plan_for(&request),
        Err(CallRequestError::InvalidNumber { .. })
    ));
}
