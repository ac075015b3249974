//! Missed-call follow-ups: who to call back.
//!
//! Rules (after Omnidesk's handling of missed calls):
//! - An incoming call that ended without anyone answering is *missed*. Missed calls from one
//!   caller are grouped into one open follow-up until a conversation with that caller
//!   happens; a missed call after that conversation starts a new follow-up.
//! - A conversation closes the open follow-up: an incoming call someone answered
//!   ([`CloseReason::Answered`]) or an outgoing call the customer answered
//!   ([`CloseReason::CalledBack`]) that started after the follow-up's first missed call. A
//!   call-back nobody answered leaves it open. It can also be closed by hand
//!   ([`CloseReason::Manual`]).
//! - The caller is the E.164 number. A caller without one (hidden number, `anonymous`, a
//!   short internal number) cannot be called back, so gets no follow-up; such calls stay in
//!   the history under the missed filter.
//! - Events may arrive late or out of order. Everything is decided by the calls' start times,
//!   not by arrival: a missed call that turns out to be older than a conversation with the
//!   caller goes into the follow-up that conversation closed; a conversation that turns out to
//!   be older than some of the open follow-up's calls leaves those in a new open follow-up;
//!   a call first seen as missed and later found answered leaves its follow-up.

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use serde::Serialize;
use trubka_core::Direction;

use crate::calls::CallView;
use crate::store::{StoreError, followups as sql, millis};

/// Why a follow-up was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CloseReason {
    /// The caller called again and someone answered.
    Answered,
    /// Someone called the caller back and they answered.
    CalledBack,
    /// Closed by hand.
    Manual,
}

impl CloseReason {
    pub fn as_str(self) -> &'static str {
        match self {
            CloseReason::Answered => "answered",
            CloseReason::CalledBack => "called_back",
            CloseReason::Manual => "manual",
        }
    }

    pub fn parse(text: &str) -> Option<CloseReason> {
        [
            CloseReason::Answered,
            CloseReason::CalledBack,
            CloseReason::Manual,
        ]
        .into_iter()
        .find(|r| r.as_str() == text)
    }

    /// Why a conversation in `direction` closes a follow-up: the caller called again, or was
    /// called back.
    fn of_talk(direction: Direction) -> CloseReason {
        match direction {
            Direction::Out => CloseReason::CalledBack,
            Direction::In | Direction::Internal => CloseReason::Answered,
        }
    }

    /// Russian words for the CLI and the GUI.
    pub fn label(self) -> &'static str {
        match self {
            CloseReason::Answered => "перезвонил сам, разговор состоялся",
            CloseReason::CalledBack => "перезвонили, разговор состоялся",
            CloseReason::Manual => "закрыто вручную",
        }
    }
}

/// One caller's group of missed calls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FollowUp {
    pub id: i64,
    /// The caller's number, E.164.
    pub caller: String,
    pub open: bool,
    pub first_missed_at: DateTime<Utc>,
    pub last_missed_at: DateTime<Utc>,
    pub missed_count: u32,
    /// The missed calls, oldest first.
    pub calls: Vec<String>,
    pub closed_at: Option<DateTime<Utc>>,
    pub closed_reason: Option<CloseReason>,
    pub closed_by_call: Option<String>,
}

/// What the app's badge shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Badge {
    /// Open follow-ups (callers to call back).
    pub open_followups: u32,
    /// Missed calls in them.
    pub missed_calls: u32,
}

/// How one call changed the follow-ups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum FollowupChange {
    /// A missed call was added (to a new or an existing follow-up).
    Missed { followup: i64, caller: String },
    /// A follow-up was closed.
    Closed {
        followup: i64,
        caller: String,
        reason: CloseReason,
    },
    /// A call left its follow-up (it turned out to be answered).
    Withdrawn { followup: i64, call_id: String },
}

/// Applies the rules to a call whose view just changed. Idempotent.
pub fn on_call(conn: &Connection, view: &CallView) -> Result<Vec<FollowupChange>, StoreError> {
    let mut changes = Vec::new();
    let Some(caller) = view.phone.as_deref() else {
        return Ok(changes);
    };
    let started = millis(view.started_at);
    if view.direction == Direction::Internal {
        return Ok(changes);
    }
    if view.talked() {
        if let Some(followup) = sql::detach(conn, &view.call_id)? {
            changes.push(FollowupChange::Withdrawn {
                followup,
                call_id: view.call_id.clone(),
            });
        }
        let reason = CloseReason::of_talk(view.direction);
        if let Some(open) = sql::open_for(conn, caller)?
            && millis(open.first_missed_at) <= started
        {
            let at = view.answered_at.map_or(started, millis);
            sql::close(conn, open.id, at, reason, Some(&view.call_id))?;
            changes.push(FollowupChange::Closed {
                followup: open.id,
                caller: caller.to_owned(),
                reason,
            });
            // Missed calls that came after this conversation start a new follow-up.
            for (call_id, call_started) in sql::calls_of(conn, open.id)? {
                if call_started > started {
                    sql::detach(conn, &call_id)?;
                    changes.extend(add_missed(conn, caller, &call_id, call_started)?);
                }
            }
        }
        return Ok(changes);
    }
    if view.missed && sql::followup_of_call(conn, &view.call_id)?.is_none() {
        changes.extend(add_missed(conn, caller, &view.call_id, started)?);
    }
    Ok(changes)
}

/// Files a missed call: into the follow-up a later conversation already closed, else into
/// the caller's open follow-up (opening one if needed).
fn add_missed(
    conn: &Connection,
    caller: &str,
    call_id: &str,
    started: i64,
) -> Result<Vec<FollowupChange>, StoreError> {
    if let Some((talk_id, direction, talk_started)) =
        crate::store::calls::first_talk_after(conn, caller, started)?
    {
        let id = match sql::closed_by(conn, caller, &talk_id)? {
            Some(id) => id,
            None => {
                let id = sql::create(conn, caller, started, false)?;
                let reason = CloseReason::of_talk(direction);
                sql::close(conn, id, talk_started, reason, Some(&talk_id))?;
                id
            }
        };
        sql::attach(conn, id, call_id, started)?;
        return Ok(Vec::new());
    }
    let id = match sql::open_for(conn, caller)? {
        Some(open) => open.id,
        None => sql::create(conn, caller, started, true)?,
    };
    sql::attach(conn, id, call_id, started)?;
    Ok(vec![FollowupChange::Missed {
        followup: id,
        caller: caller.to_owned(),
    }])
}

/// Closes `caller`'s open follow-up by hand. Returns it, or `None` when there is none.
pub fn close_by_hand(
    conn: &Connection,
    caller: &str,
    now_ms: i64,
) -> Result<Option<FollowUp>, StoreError> {
    let Some(open) = sql::open_for(conn, caller)? else {
        return Ok(None);
    };
    sql::close(conn, open.id, now_ms, CloseReason::Manual, None)?;
    sql::get(conn, open.id)
}

/// The badge counts.
pub fn badge(conn: &Connection) -> Result<Badge, StoreError> {
    let (open_followups, missed_calls) = sql::badge(conn)?;
    Ok(Badge {
        open_followups,
        missed_calls,
    })
}
