//! "While you were away": what the replay after a reconnect (sleep, network loss, the app
//! closed overnight) brought, summed up once the relay says `caught_up`.
//!
//! During a replay every card is stored and published as usual, but marked replayed, so the
//! app neither pops a card nor sends a notification for a call that is long over. The log
//! here keeps, per call touched by the replay, only what the summary needs: the calls that
//! ended missed, and the calls still in progress (those are live now and may pop).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::cards::{Card, CardState};

/// Missed calls kept by name for the summary; the rest are only counted.
const NAMED_MISSED: usize = 20;
/// Calls remembered per replay, so that memory stays bounded however long the agent was
/// away; calls beyond it (tens of thousands: a supervisor's month) are left out of the summary.
const TRACKED_CALLS: usize = 50_000;

/// What a replay brought, for one summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AwaySummary {
    /// Events the relay replayed.
    pub replayed: u64,
    /// Calls that ended unanswered while the agent was away, newest first, at most
    /// [`NAMED_MISSED`].
    pub missed: Vec<MissedWhileAway>,
    /// How many calls ended unanswered in all.
    pub missed_total: usize,
    /// Calls that started while the agent was away and are still going on.
    pub ongoing: Vec<Card>,
}

/// One call missed while away: enough to name it and call back.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MissedWhileAway {
    pub call_id: String,
    /// The contact's name, the PBX's name or the number.
    pub title: String,
    /// The number for people to read.
    pub number: String,
    /// The number to dial back (E.164), when there is one.
    pub phone: Option<String>,
    pub started_at: DateTime<Utc>,
}

/// The latest state of each call a replay touched.
#[derive(Debug, Default)]
pub struct AwayLog {
    missed: HashMap<String, MissedWhileAway>,
    ongoing: HashMap<String, Card>,
}

impl AwayLog {
    /// Records a card produced by a replayed event (its latest state replaces earlier ones).
    pub fn record(&mut self, card: &Card) {
        let id = &card.call.call_id;
        self.missed.remove(id);
        self.ongoing.remove(id);
        if self.missed.len() + self.ongoing.len() >= TRACKED_CALLS {
            return;
        }
        if card.state == CardState::Missed {
            self.missed.insert(
                id.clone(),
                MissedWhileAway {
                    call_id: id.clone(),
                    title: card.title.clone(),
                    number: card.number.clone(),
                    phone: card.call.phone.clone(),
                    started_at: card.call.started_at,
                },
            );
        } else if is_ongoing(card) {
            self.ongoing.insert(id.clone(), card.clone());
        }
    }

    /// The summary of everything recorded since the last one; the log starts empty again.
    pub fn take(&mut self, replayed: u64) -> AwaySummary {
        let mut missed: Vec<MissedWhileAway> = self.missed.drain().map(|(_, m)| m).collect();
        missed.sort_by_key(|m| std::cmp::Reverse(m.started_at));
        let missed_total = missed.len();
        missed.truncate(NAMED_MISSED);
        let mut ongoing: Vec<Card> = self.ongoing.drain().map(|(_, c)| c).collect();
        ongoing.sort_by_key(|c| c.call.started_at);
        AwaySummary {
            replayed,
            missed,
            missed_total,
            ongoing,
        }
    }
}

/// Whether the call on this card is still going on (unfinished, as the live cards after a
/// restart are: its status is not `ended`) and still concerns the agent (not withdrawn).
fn is_ongoing(card: &Card) -> bool {
    !card.withdrawn && !card.call.is_ended()
}
