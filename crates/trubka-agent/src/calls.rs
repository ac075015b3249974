//! A call as the agent shows it: the [`trubka_core::call::CallState`] folded from its
//! events, flattened into a serialisable [`CallView`] for history, cards and JSON output.
//!
//! Every view is derived from the full set of the call's events (a [`CallState`] holds them
//! all and re-derives in canonical order on each one applied), so a late, repeated or
//! out-of-order event gives the same view as an orderly delivery.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use trubka_core::call::{CallState, CallStatus, Leg};
use trubka_core::{CallEvent, Direction, Employee, Outcome};

/// An employee as shown on a call.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EmployeeView {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension: Option<String>,
    /// The phone or SIP line UIS reported for the employee (E.164 for a phone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

impl EmployeeView {
    fn of(e: &Employee) -> EmployeeView {
        EmployeeView {
            id: e.id.clone(),
            name: e.name.clone(),
            extension: e.extension.clone(),
            phone: e.phone.clone(),
        }
    }

    /// The core employee again, for "is this me" checks.
    pub fn to_employee(&self) -> Employee {
        Employee {
            id: self.id.clone(),
            name: self.name.clone(),
            extension: self.extension.clone(),
            phone: self.phone.clone(),
        }
    }

    /// A name for people, by [`crate::people::label`]'s rule.
    pub fn label(&self) -> String {
        crate::people::label(self)
    }
}

/// One employee's part in the call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegView {
    pub employee: EmployeeView,
    pub rang_at: Option<DateTime<Utc>>,
    pub answered_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    #[serde(with = "crate::call_enums::maybe", default)]
    pub outcome: Option<Outcome>,
}

impl LegView {
    fn of(leg: &Leg) -> LegView {
        LegView {
            employee: EmployeeView::of(&leg.employee),
            rang_at: leg.rang_at,
            answered_at: leg.answered_at,
            ended_at: leg.ended_at,
            outcome: leg.outcome,
        }
    }
}

/// Durations in seconds, each when known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DurationsView {
    pub wait: Option<u32>,
    pub talk: Option<u32>,
    pub total: Option<u32>,
}

/// Everything known about one call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallView {
    pub call_id: String,
    pub provider: Option<String>,
    /// `in`, `out` or `internal` in JSON.
    #[serde(with = "crate::call_enums::one")]
    pub direction: Direction,
    /// `ringing`, `talking` or `ended` in JSON.
    #[serde(with = "crate::call_enums::one")]
    pub status: CallStatus,
    /// How it ended (`answered`, `missed`, `busy`, …); `None` until it has.
    #[serde(with = "crate::call_enums::maybe", default)]
    pub outcome: Option<Outcome>,
    /// An incoming call that ended without anyone answering.
    pub missed: bool,
    /// The customer's number in E.164, when it is a phone number.
    pub phone: Option<String>,
    /// The customer's number as the PBX wrote it.
    pub phone_raw: String,
    /// The name the PBX knows for the customer.
    pub pbx_name: Option<String>,
    /// The virtual or city number.
    pub line: Option<String>,
    pub started_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub durations: DurationsView,
    pub answered_by: Option<EmployeeView>,
    pub legs: Vec<LegView>,
    pub recordings: Vec<String>,
    pub tags: Vec<String>,
    pub scenario: Option<String>,
}

impl CallView {
    /// The view of a call's events (in any order, repeats allowed); `None` without events.
    pub fn from_events(events: impl IntoIterator<Item = CallEvent>) -> Option<CallView> {
        CallState::from_events(events).map(|state| CallView::of(&state))
    }

    /// The view of a folded call.
    pub fn of(state: &CallState) -> CallView {
        let direction = state.direction();
        let status = state.status();
        let outcome = state.outcome();
        let started_at = state
            .started_at()
            .or_else(|| state.events().map(|e| e.at).min())
            .unwrap_or_default();
        let contact = state.contact();
        let durations = state.durations();
        CallView {
            call_id: state.call_id().0.clone(),
            provider: state.provider().map(|p| p.as_str().to_owned()),
            direction,
            status,
            outcome,
            // An ended call whose outcome nothing reported yet is not called missed.
            missed: direction == Direction::In
                && status == CallStatus::Ended
                && outcome.is_some_and(|o| o != Outcome::Answered),
            phone: contact.phone.as_ref().map(|p| p.e164().to_owned()),
            phone_raw: contact.raw.clone(),
            pbx_name: contact.name.clone(),
            line: state.line().map(str::to_owned),
            started_at,
            answered_at: state.answered_at(),
            ended_at: state.ended_at(),
            durations: DurationsView {
                wait: durations.wait,
                talk: durations.talk,
                total: durations.total,
            },
            answered_by: state.answered_by().map(EmployeeView::of),
            legs: state.legs().iter().map(LegView::of).collect(),
            recordings: state.recordings(),
            tags: state.tags(),
            scenario: state.scenario().map(str::to_owned),
        }
    }

    /// Whether a conversation with the customer took place (or is going on).
    pub fn talked(&self) -> bool {
        self.answered_at.is_some() || self.outcome.is_some_and(Outcome::is_talk)
    }

    pub fn is_ended(&self) -> bool {
        self.status == CallStatus::Ended
    }
}
