//! Calls, history pages, follow-ups and call cards.

use serde::{Deserialize, Serialize};
use trubka_agent::calls::{CallView, EmployeeView, LegView};
use trubka_agent::cards::{Card, CardState};
use trubka_agent::engine::{FollowUpItem, HistoryEntries, HistoryEntry, HistoryRequest};
use trubka_agent::store::history::{HistoryCursor, HistoryFilter};
use ts_rs::TS;

use super::ts;

/// One call as lists and cards show it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CallDto {
    pub call_id: String,
    pub provider: Option<String>,
    /// `in`, `out` or `internal`.
    pub direction: String,
    /// `ringing`, `talking` or `ended`.
    pub status: String,
    pub outcome: Option<String>,
    pub missed: bool,
    pub phone: Option<String>,
    pub phone_raw: String,
    /// The number for people to read (`+7 926 123-45-67`), or what the PBX sent.
    pub number: String,
    /// The best matching contact's name (history) or the PBX's name for the customer.
    pub name: Option<String>,
    pub line: Option<String>,
    pub started_at: String,
    pub answered_at: Option<String>,
    pub ended_at: Option<String>,
    pub wait: Option<u32>,
    pub talk: Option<u32>,
    pub answered_by: Option<EmployeeDto>,
    /// Every employee who talked to the caller, in the order they handed the call on: more
    /// than one after a transfer ([`talked_legs`]).
    pub answered_legs: Vec<EmployeeDto>,
    pub recordings: Vec<String>,
    pub scenario: Option<String>,
    pub tags: Vec<String>,
}

impl CallDto {
    pub fn of(view: &CallView, contact_name: Option<String>) -> CallDto {
        CallDto {
            call_id: view.call_id.clone(),
            provider: view.provider.clone(),
            direction: view.direction.as_str().to_owned(),
            status: view.status.as_str().to_owned(),
            outcome: view.outcome.map(|o| o.as_str().to_owned()),
            missed: view.missed,
            phone: view.phone.clone(),
            phone_raw: view.phone_raw.clone(),
            number: trubka_agent::cards::display_number(view),
            name: contact_name.or_else(|| view.pbx_name.clone()),
            line: view.line.clone(),
            started_at: ts(view.started_at),
            answered_at: view.answered_at.map(ts),
            ended_at: view.ended_at.map(ts),
            wait: view.durations.wait,
            talk: view.durations.talk,
            answered_by: view.answered_by.as_ref().map(EmployeeDto::from),
            answered_legs: talked_legs(&view.legs)
                .into_iter()
                .map(|leg| EmployeeDto::from(&leg.employee))
                .collect(),
            recordings: view.recordings.clone(),
            scenario: view.scenario.clone(),
            tags: view.tags.clone(),
        }
    }
}

/// The legs of employees who talked to the caller, those who handed the call on first. A leg
/// talked when it was answered, or when it ended with the outcome `answered`: the colleague a
/// call was transferred to never got the transferring agent's earlier events (their stream
/// follows the call from when they joined), only the end of that leg. A leg that ended comes
/// before one still going on, then by when it ended.
pub fn talked_legs(legs: &[LegView]) -> Vec<&LegView> {
    let mut talked: Vec<&LegView> = legs
        .iter()
        .filter(|leg| {
            leg.answered_at.is_some()
                || leg
                    .outcome
                    .as_ref()
                    .is_some_and(|o| o.as_str() == "answered")
        })
        .collect();
    talked.sort_by_key(|leg| (leg.ended_at.is_none(), leg.ended_at, leg.answered_at));
    talked
}

/// An employee of the PBX as the PBX named them; the UI words a missing name in the agent's
/// language («доб. 201» / «ext. 201»).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct EmployeeDto {
    pub name: Option<String>,
    pub extension: Option<String>,
    pub id: Option<String>,
    /// The phone or SIP line UIS reported for the employee, when it named them that way.
    pub phone: Option<String>,
}

impl From<&EmployeeView> for EmployeeDto {
    fn from(e: &EmployeeView) -> EmployeeDto {
        EmployeeDto {
            name: e.name.clone(),
            extension: e.extension.clone(),
            id: e.id.clone(),
            phone: e.phone.clone(),
        }
    }
}

impl From<&HistoryEntry> for CallDto {
    fn from(entry: &HistoryEntry) -> CallDto {
        CallDto::of(&entry.call, entry.contact_name.clone())
    }
}

/// Which calls the history lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum HistoryFilterDto {
    #[default]
    All,
    In,
    Out,
    Missed,
}

/// Where a history page ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CursorDto {
    #[ts(type = "number")]
    pub started_at: i64,
    #[ts(type = "number")]
    pub id: i64,
}

/// A history request from the UI.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS)]
pub struct HistoryQuery {
    #[serde(default)]
    pub filter: HistoryFilterDto,
    #[serde(default)]
    #[ts(optional)]
    pub search: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub before: Option<CursorDto>,
    #[serde(default)]
    #[ts(optional)]
    pub limit: Option<u32>,
}

impl From<HistoryQuery> for HistoryRequest {
    fn from(q: HistoryQuery) -> HistoryRequest {
        HistoryRequest {
            filter: match q.filter {
                HistoryFilterDto::All => HistoryFilter::All,
                HistoryFilterDto::In => HistoryFilter::In,
                HistoryFilterDto::Out => HistoryFilter::Out,
                HistoryFilterDto::Missed => HistoryFilter::Missed,
            },
            search: q.search.filter(|s| !s.trim().is_empty()),
            before: q.before.map(|c| HistoryCursor {
                started_at: c.started_at,
                id: c.id,
            }),
            limit: q.limit.unwrap_or(50).clamp(1, 500) as usize,
        }
    }
}

/// One page of history, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct HistoryPageDto {
    pub calls: Vec<CallDto>,
    pub next: Option<CursorDto>,
}

impl From<&HistoryEntries> for HistoryPageDto {
    fn from(page: &HistoryEntries) -> HistoryPageDto {
        HistoryPageDto {
            calls: page.entries.iter().map(CallDto::from).collect(),
            next: page.next.map(|c| CursorDto {
                started_at: c.started_at,
                id: c.id,
            }),
        }
    }
}

/// One caller to call back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct FollowUpDto {
    #[ts(type = "number")]
    pub id: i64,
    /// E.164.
    pub caller: String,
    /// For people to read.
    pub number: String,
    pub name: Option<String>,
    pub open: bool,
    pub missed_count: u32,
    pub first_missed_at: String,
    pub last_missed_at: String,
    /// The missed calls' ids, oldest first.
    pub calls: Vec<String>,
    pub closed_reason: Option<String>,
}

impl From<&FollowUpItem> for FollowUpDto {
    fn from(item: &FollowUpItem) -> FollowUpDto {
        let f = &item.followup;
        FollowUpDto {
            id: f.id,
            caller: f.caller.clone(),
            number: item.number.clone(),
            name: item.contact_name.clone(),
            open: f.open,
            missed_count: f.missed_count,
            first_missed_at: ts(f.first_missed_at),
            last_missed_at: ts(f.last_missed_at),
            calls: f.calls.clone(),
            closed_reason: f.closed_reason.map(|r| r.as_str().to_owned()),
        }
    }
}

/// The state of a card, from this agent's point of view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CardStateDto {
    RingingHere,
    Ringing,
    Dialing,
    AnsweredHere,
    Talking,
    AnsweredElsewhere,
    Ended,
    Missed,
}

impl From<CardState> for CardStateDto {
    fn from(s: CardState) -> CardStateDto {
        match s {
            CardState::RingingHere => CardStateDto::RingingHere,
            CardState::Ringing => CardStateDto::Ringing,
            CardState::Dialing => CardStateDto::Dialing,
            CardState::AnsweredHere => CardStateDto::AnsweredHere,
            CardState::Talking => CardStateDto::Talking,
            CardState::AnsweredElsewhere => CardStateDto::AnsweredElsewhere,
            CardState::Ended => CardStateDto::Ended,
            CardState::Missed => CardStateDto::Missed,
        }
    }
}

/// A contact field shown on a card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CardFieldDto {
    pub key: String,
    pub value: String,
}

/// A live call card.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CardDto {
    pub call: CallDto,
    pub state: CardStateDto,
    /// A colleague took the call: the card withdraws.
    pub withdrawn: bool,
    pub title: String,
    /// The number for people to read.
    pub number: String,
    /// The best matching contact, when any matched.
    #[ts(type = "number | null")]
    pub contact_id: Option<i64>,
    pub company: Option<String>,
    /// Why the best contact matched.
    pub explanation: Option<String>,
    /// The best contact is the team directory's (`false`: private, or no contact).
    pub team_contact: bool,
    /// Who last changed the best contact, when it is the team's, and when (RFC 3339).
    pub updated_by: Option<String>,
    pub updated_at: Option<String>,
    /// No contact knows the number and the title and fields come from the CRM.
    pub from_crm: bool,
    /// «Открыть в CRM»: the best contact's CRM link, else the CRM answer's.
    pub crm_url: Option<String>,
    pub several_matches: bool,
    pub fields: Vec<CardFieldDto>,
    pub recent_calls: Vec<CallDto>,
    /// The caller's open follow-up (earlier missed calls), if any.
    pub followup: Option<FollowUpDto>,
    /// Milliseconds since the Unix epoch when the shell received this update (latency probe).
    #[ts(type = "number")]
    pub received_ms: i64,
}

impl CardDto {
    pub fn of(card: &Card, followup: Option<FollowUpDto>, received_ms: i64) -> CardDto {
        let best = card.contacts.first();
        let team = best.and_then(|m| m.meta.team.as_ref());
        CardDto {
            call: CallDto::of(
                &card.call,
                best.map(|m| m.contact().display_name().to_owned()),
            ),
            state: card.state.into(),
            withdrawn: card.withdrawn,
            title: card.title.clone(),
            number: card.number.clone(),
            contact_id: best.map(|m| m.contact().id),
            company: best
                .and_then(|m| m.contact().company.clone())
                .or_else(|| card.crm.first().and_then(|c| c.company.clone())),
            explanation: best.map(|m| m.matched.explanation.clone()),
            team_contact: team.is_some(),
            updated_by: team.and_then(|t| t.updated_by.clone()),
            updated_at: team.map(|t| super::ts(t.updated_at)),
            from_crm: best.is_none() && !card.crm.is_empty(),
            crm_url: card.crm_url.clone(),
            several_matches: card.several_matches,
            fields: card
                .fields
                .iter()
                .map(|f| CardFieldDto {
                    key: f.key.clone(),
                    value: f.value.clone(),
                })
                .collect(),
            recent_calls: card
                .recent_calls
                .iter()
                .map(|v| CallDto::of(v, None))
                .collect(),
            followup,
            received_ms,
        }
    }
}

/// A call the relay accepted to place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct DialResult {
    /// The number dialled, E.164.
    pub number: String,
    pub call_id: String,
}

#[cfg(test)]
mod talked_tests {
    use super::*;

    fn leg(id: &str, answered: Option<&str>, ended: Option<&str>, outcome: &str) -> LegView {
        serde_json::from_value(serde_json::json!({
            "employee": {"id": id, "name": id},
            "rang_at": null, "answered_at": answered, "ended_at": ended, "outcome": outcome,
        }))
        .expect("a leg")
    }

    #[test]
    fn a_transfer_reads_in_the_order_the_call_was_handed_on() {
        // Анна's view: she answered, the colleague answered the consultation before she left.
        let anna = leg(
            "Анна",
            Some("2026-12-07T10:00:00Z"),
            Some("2026-12-07T10:05:00Z"),
            "answered",
        );
        let igor = leg("Игорь", Some("2026-12-07T10:04:00Z"), None, "answered");
        let missed = leg("Вера", None, Some("2026-12-07T09:59:50Z"), "no_answer");
        let legs = [igor.clone(), missed, anna.clone()];
        let names: Vec<_> = talked_legs(&legs)
            .iter()
            .map(|l| l.employee.id.clone())
            .collect();
        assert_eq!(names, [Some("Анна".to_owned()), Some("Игорь".to_owned())]);
        // Игорь's view: Анна's leg only as its end, answered.
        let anna_end = leg("Анна", None, Some("2026-12-07T10:05:00Z"), "answered");
        let legs = [igor, anna_end];
        let names: Vec<_> = talked_legs(&legs)
            .iter()
            .map(|l| l.employee.id.clone())
            .collect();
        assert_eq!(names, [Some("Анна".to_owned()), Some("Игорь".to_owned())]);
    }
}
