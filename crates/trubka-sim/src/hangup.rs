//! Ending a call early, as UIS `release.call` does: the call's plan is cut at a moment of its
//! timeline.
//!
//! What happened before the cut stays as it was (those notifications are already sent). At
//! the cut, a conversation in progress ends, a leg still ringing stops ringing unanswered
//! (cancelled), and legs that would have rung later never ring. The call then ends at once
//! (a fifth of a second later if somebody talked, as a hang-up after talk does), and the
//! answered legs' recordings become ready a few seconds after.

use crate::scenario::{self, CallPlan, Outcome};

/// Seconds after the end at which the recordings of a released call are ready.
const RECORDINGS_DELAY_MS: u64 = 4000;

/// The plan of `plan` released at `cut` ms of its timeline.
pub fn truncate(plan: &CallPlan, cut: u64) -> CallPlan {
    let mut out = plan.clone();
    // Legs ring in order, so the ones that had not rung yet are the trailing ones; the
    // indices of the others (and their `transferred_from`) stay valid.
    out.legs.retain(|leg| leg.ring_ms < cut);
    for leg in &mut out.legs {
        if leg.end_ms <= cut {
            continue;
        }
        match leg.answer_ms {
            Some(answer) if answer < cut => leg.end_ms = cut,
            _ => {
                leg.answer_ms = None;
                leg.end_ms = cut;
                leg.unanswered = Some(Outcome::Cancelled);
            }
        }
    }
    let answered = out.legs.iter().any(|leg| leg.answer_ms.is_some());
    out.outcome = if answered {
        Outcome::Answered
    } else {
        Outcome::Cancelled
    };
    let last_end = out.legs.iter().map(|leg| leg.end_ms).max().unwrap_or(cut);
    let settle = if answered { 200 } else { 0 };
    out.end_ms = (last_end + settle).max(cut);
    out.moments = scenario::moments(&out.legs, out.end_ms, out.end_ms + RECORDINGS_DELAY_MS);
    out
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use rand::{SeedableRng, rngs::StdRng};

    use super::*;
    use crate::{
        cast,
        ids::IdGen,
        scenario::{CallRequest, Moment, PlanContext, Provider, plan},
    };

    fn answered_plan() -> CallPlan {
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
        request.ring_seconds = Some(10);
        request.talk_seconds = Some(60);
        plan(&request, &ctx, &mut StdRng::seed_from_u64(3)).unwrap()
    }

    #[test]
    fn release_during_talk_ends_the_talk_at_the_cut() {
        let plan = answered_plan();
        let answer = plan.legs[0].answer_ms.unwrap();
        let cut = answer + 5000;
        let released = truncate(&plan, cut);
        assert_eq!(released.outcome, Outcome::Answered);
        assert_eq!(released.legs[0].end_ms, cut);
        assert_eq!(released.end_ms, cut + 200);
        assert_eq!(released.talk_seconds(), 5);
        let before: Vec<_> = plan.moments.iter().filter(|(at, _)| *at < cut).collect();
        let after: Vec<_> = released
            .moments
            .iter()
            .filter(|(at, _)| *at < cut)
            .collect();
        assert_eq!(before, after);
        assert!(released.moments.contains(&(cut, Moment::TalkEnded(0))));
        assert!(released.moments.contains(&(cut + 200, Moment::Ended)));
    }

    #[test]
    fn release_while_ringing_cancels_the_call() {
        let plan = answered_plan();
        let cut = plan.legs[0].ring_ms + 1000;
        let released = truncate(&plan, cut);
        assert_eq!(released.outcome, Outcome::Cancelled);
        assert_eq!(released.legs[0].answer_ms, None);
        assert_eq!(released.end_ms, cut);
        assert!(!released.answered());
        assert!(
            !released
                .moments
                .iter()
                .any(|(_, m)| matches!(m, Moment::Recorded(_)))
        );
        let released = truncate(&plan, 10);
        assert!(released.legs.is_empty());
        assert_eq!(released.moments.len(), 2);
    }
}
