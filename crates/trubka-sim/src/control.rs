//! Call control on a UIS call's plan, the way the Call API's state diagram moves a call
//! (docs `call_api/index.html`, «Диаграмма состояний звонка»):
//!
//! - `TALK` —`hold.call`→ `HOLD` —`unhold.call`→ `TALK`;
//! - `HOLD` —`make.call`→ `DIALING` (the colleague's phone rings) —answered→ `OPERATOR_TALK`;
//!   a colleague who does not answer sends the call back to `HOLD`;
//! - `DIALING`/`OPERATOR_TALK` —`restore.talk`→ `TALK` with the first employee;
//!   —`transfer.talk`→ the contact talks with the colleague (from `DIALING`: once the
//!   colleague answers; if they never do, the call finishes);
//! - `TALK` —`add.coach`→ a coach joins (`CALL_COACH`) and the talk goes on.
//!
//! Every edit takes the plan and the moment it applies at (`cut`, on the call's timeline) and
//! returns the new plan; nothing before `cut` changes, so what was already sent stays true.
//! The contact hangs up when the plan said they would, whoever they are talking to by then.

use crate::{
    config::Employee,
    scenario::{self, CallPlan, Leg, Moment, Outcome},
};

/// How long a colleague's phone rings before they answer a consultation call.
pub const CONSULT_ANSWER_MS: u64 = 4000;
/// How long a consultation call rings before the PBX gives up on a colleague who does not
/// answer.
pub const CONSULT_GIVE_UP_MS: u64 = 20_000;
/// How long a consultation call to a colleague who cannot take calls (busy, on a break)
/// takes to fail.
pub const CONSULT_BUSY_MS: u64 = 1000;
/// Recordings are ready this long after the end when the plan has none to go by.
const RECORDINGS_DELAY_MS: u64 = 4000;

/// What the control methods did to a call.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Control {
    /// Holds in the order they began.
    pub holds: Vec<Hold>,
    /// Coaches who joined.
    pub coaches: Vec<Coach>,
}

/// The contact on hold from `from_ms` until `until_ms` (open while `None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hold {
    pub from_ms: u64,
    pub until_ms: Option<u64>,
}

/// A coach on the call (`add.coach`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coach {
    /// UIS `leg_id` of the coach's leg.
    pub leg_id: u64,
    /// The number the coach is rung on.
    pub number: String,
    /// The employee the number belongs to, if it is one of the account's.
    pub employee: Option<Employee>,
    /// When the coach joined and when their leg ends (with the employee's conversation).
    pub from_ms: u64,
    pub until_ms: u64,
}

/// Where a call is in the state diagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallState {
    /// Not connected yet: the call rings or waits in the scenario.
    Connecting,
    /// The contact talks with an employee.
    Talk,
    /// The contact is on hold.
    Hold,
    /// A consultation call rings the colleague.
    Dialing,
    /// The employee talks with the colleague; the contact is on hold.
    OperatorTalk,
    /// `transfer.talk` was called while the colleague's phone rang; waiting for them.
    Transferring,
    /// Everybody has hung up and the PBX is closing the session (`FINISHING`).
    Finishing,
    /// The call is over.
    Ended,
}

/// Why a control method cannot act on the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The call is over.
    Ended,
    /// The method is not allowed in this state (`invalid_state`).
    State(CallState),
}

/// The call's state at `at` on its timeline.
pub fn state(plan: &CallPlan, at: u64) -> CallState {
    if at >= plan.end_ms {
        return CallState::Ended;
    }
    if !plan.legs.is_empty() && plan.legs.iter().all(|l| l.end_ms <= at) {
        return CallState::Finishing;
    }
    if let Some(c) = consultation(plan, at) {
        return if plan.legs[c].answer_ms.is_some_and(|a| a <= at) {
            CallState::OperatorTalk
        } else {
            CallState::Dialing
        };
    }
    let transferring = plan.legs.iter().any(|l| {
        l.transferred_from.is_some()
            && l.ring_ms <= at
            && at < l.end_ms
            && l.answer_ms.is_none_or(|a| a > at)
    });
    if transferring {
        return CallState::Transferring;
    }
    if held_at(plan, at) {
        return CallState::Hold;
    }
    if talking_leg(plan, at).is_some() {
        CallState::Talk
    } else {
        CallState::Connecting
    }
}

/// The consultation leg ringing or talking at `at`.
pub fn consultation(plan: &CallPlan, at: u64) -> Option<usize> {
    plan.legs
        .iter()
        .position(|l| l.consult && l.ring_ms <= at && at < l.end_ms)
}

/// The leg whose employee talks with the contact (or holds them) at `at`.
pub fn talking_leg(plan: &CallPlan, at: u64) -> Option<usize> {
    plan.legs
        .iter()
        .rposition(|l| !l.consult && l.answer_ms.is_some_and(|a| a <= at) && at < l.end_ms)
}

/// Whether the contact is on hold at `at`.
pub fn held_at(plan: &CallPlan, at: u64) -> bool {
    plan.control
        .holds
        .iter()
        .any(|h| h.from_ms <= at && h.until_ms.is_none_or(|u| at < u))
}

/// Milliseconds the contact spent on hold before `until`.
pub fn held_ms(plan: &CallPlan, until: u64) -> u64 {
    plan.control
        .holds
        .iter()
        .map(|h| {
            let end = h.until_ms.unwrap_or(until).min(until);
            end.saturating_sub(h.from_ms)
        })
        .sum()
}

fn expect(plan: &CallPlan, at: u64, allowed: &[CallState]) -> Result<CallState, Refusal> {
    match state(plan, at) {
        // A session that is closing answers as one that is over: nothing in it can change.
        CallState::Ended | CallState::Finishing => Err(Refusal::Ended),
        state if allowed.contains(&state) => Ok(state),
        state => Err(Refusal::State(state)),
    }
}

/// `hold.call`: only in `TALK`.
pub fn hold(plan: &CallPlan, cut: u64) -> Result<CallPlan, Refusal> {
    expect(plan, cut, &[CallState::Talk])?;
    let mut out = plan.clone();
    out.control.holds.push(Hold {
        from_ms: cut,
        until_ms: None,
    });
    Ok(out)
}

/// `unhold.call`: only in `HOLD`.
pub fn unhold(plan: &CallPlan, cut: u64) -> Result<CallPlan, Refusal> {
    expect(plan, cut, &[CallState::Hold])?;
    let mut out = plan.clone();
    close_hold(&mut out, cut);
    Ok(out)
}

/// How the colleague a consultation call rings will respond.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    /// Answers after [`CONSULT_ANSWER_MS`].
    Answers,
    /// Rings until the PBX gives up.
    NoAnswer,
    /// Cannot take the call (busy, or a status that takes no calls).
    Busy,
}

/// `make.call`: only in `HOLD`; rings `target` on a new leg (`leg_id`).
pub fn make_call(
    plan: &CallPlan,
    cut: u64,
    target: &Employee,
    reply: Reply,
    leg_id: u64,
) -> Result<CallPlan, Refusal> {
    expect(plan, cut, &[CallState::Hold])?;
    let mut out = plan.clone();
    // Legs the scenario planned to ring later (a transfer of its own) give way to the
    // employee's choice; legs stay in the order they ring.
    out.legs.retain(|l| l.ring_ms <= cut);
    let contact_end = talking_leg(&out, cut).map_or(out.end_ms, |b| out.legs[b].end_ms);
    let ring = match reply {
        Reply::Answers => CONSULT_ANSWER_MS,
        Reply::NoAnswer => CONSULT_GIVE_UP_MS,
        Reply::Busy => CONSULT_BUSY_MS,
    };
    let leg = if reply == Reply::Answers && cut + ring < contact_end {
        Leg {
            employee: target.clone(),
            leg_id,
            ring_ms: cut,
            answer_ms: Some(cut + ring),
            end_ms: contact_end,
            unanswered: None,
            transferred_from: None,
            consult: true,
        }
    } else {
        let gave_up = cut + ring < contact_end;
        Leg {
            employee: target.clone(),
            leg_id,
            ring_ms: cut,
            answer_ms: None,
            end_ms: (cut + ring).min(contact_end),
            unanswered: Some(match reply {
                _ if !gave_up => Outcome::Cancelled,
                Reply::Busy => Outcome::Busy,
                _ => Outcome::Missed,
            }),
            transferred_from: None,
            consult: true,
        }
    };
    out.legs.push(leg);
    settle(&mut out, plan);
    Ok(out)
}

/// `transfer.talk`: only in `DIALING` or `OPERATOR_TALK`. The first employee's conversation
/// ends; the contact talks with the colleague once they answer.
pub fn transfer(plan: &CallPlan, cut: u64) -> Result<CallPlan, Refusal> {
    expect(plan, cut, &[CallState::Dialing, CallState::OperatorTalk])?;
    let mut out = plan.clone();
    let Some(c) = consultation(&out, cut) else {
        return Err(Refusal::State(state(plan, cut)));
    };
    let from = talking_leg(&out, cut);
    if let Some(b) = from {
        out.legs[b].end_ms = cut;
    }
    let consult = &mut out.legs[c];
    consult.consult = false;
    consult.transferred_from = from;
    // The contact hears the hold music until the colleague answers; if they never do, the
    // call finishes when their phone stops ringing.
    let resumed = consult.answer_ms.map_or(consult.end_ms, |a| a.max(cut));
    close_hold(&mut out, resumed);
    settle(&mut out, plan);
    Ok(out)
}

/// `restore.talk`: only in `DIALING` or `OPERATOR_TALK`. The consultation ends and the
/// employee is back with the contact.
pub fn restore(plan: &CallPlan, cut: u64) -> Result<CallPlan, Refusal> {
    expect(plan, cut, &[CallState::Dialing, CallState::OperatorTalk])?;
    let mut out = plan.clone();
    if let Some(c) = consultation(&out, cut) {
        let consult = &mut out.legs[c];
        consult.end_ms = cut;
        if consult.answer_ms.is_none_or(|a| a >= cut) {
            consult.answer_ms = None;
            consult.unanswered = Some(Outcome::Cancelled);
        }
    }
    close_hold(&mut out, cut);
    settle(&mut out, plan);
    Ok(out)
}

/// `add.coach`: only in `TALK`; the coach stays until the employee's conversation ends.
pub fn add_coach(
    plan: &CallPlan,
    cut: u64,
    number: String,
    employee: Option<Employee>,
    leg_id: u64,
) -> Result<CallPlan, Refusal> {
    expect(plan, cut, &[CallState::Talk])?;
    let mut out = plan.clone();
    let until_ms = talking_leg(&out, cut).map_or(out.end_ms, |b| out.legs[b].end_ms);
    out.control.coaches.push(Coach {
        leg_id,
        number,
        employee,
        from_ms: cut,
        until_ms,
    });
    Ok(out)
}

fn close_hold(plan: &mut CallPlan, at: u64) {
    for hold in &mut plan.control.holds {
        if hold.until_ms.is_none() {
            hold.until_ms = Some(at.max(hold.from_ms));
        }
    }
}

/// Recomputes the end and the moments after the legs changed, keeping the recordings'
/// delay after the end that `before` had.
fn settle(plan: &mut CallPlan, before: &CallPlan) {
    let delay = before
        .moments
        .iter()
        .find(|(_, m)| matches!(m, Moment::Recorded(_)))
        .map_or(RECORDINGS_DELAY_MS, |(at, _)| {
            at.saturating_sub(before.end_ms)
        });
    let answered = plan.legs.iter().any(|l| l.answer_ms.is_some());
    let last_end = plan
        .legs
        .iter()
        .map(|l| l.end_ms)
        .max()
        .unwrap_or(plan.end_ms);
    plan.end_ms = if answered { last_end + 200 } else { last_end };
    plan.outcome = if answered {
        Outcome::Answered
    } else {
        plan.outcome
    };
    for coach in &mut plan.control.coaches {
        coach.until_ms = coach.until_ms.min(plan.end_ms);
    }
    plan.moments = scenario::moments(&plan.legs, plan.end_ms, plan.end_ms + delay);
}

#[cfg(test)]
mod tests;
