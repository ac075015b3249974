//! Calls and their events: every event is stored once (by its id) with its JSON; the call's
//! row holds the view derived from all of its events. The stream resume point is written in
//! the same transaction as the event.
//!
//! A new event does not make the call's stored events be read and parsed again: the folded
//! [`CallState`]s of the calls seen last are kept in a [`LiveCalls`] and the event is applied
//! to its call's state. [`CallState::apply`] keeps the events as a set and re-derives in
//! their canonical order, so the state is the one [`CallState::from_events`] gives for the
//! same set, in whatever order the events came; a call not kept is folded from its stored
//! events once and kept from then on.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use trubka_core::{CallEvent, CallState, CallStatus, Direction, PhoneNumber};
use trubka_protocol::{event_from_json, event_to_json};

use super::{StoreError, millis, settings};
use crate::call_enums::{column, from_column};
use crate::calls::CallView;
use crate::followups::{self, FollowupChange};
use crate::numbers::NumberParser;

/// Where an event came from in the relay's stream: its epoch and sequence number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamPosition {
    pub epoch: String,
    pub seq: u64,
}

/// What applying one event did.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    /// The call as it now stands.
    pub view: CallView,
    /// The event was already stored: nothing changed (the resume point may have moved).
    pub duplicate: bool,
    /// Follow-ups opened, grown or closed by this event.
    pub followups: Vec<FollowupChange>,
}

/// The folded states of the calls that got events last, at most [`LiveCalls::KEPT`]: the
/// calls going on now and the ones just ended, whose late events (recordings, the end) are
/// still to come.
#[derive(Debug, Default)]
pub struct LiveCalls {
    /// Each call's state, with the tick it was last used at.
    calls: HashMap<String, (u64, CallState)>,
    tick: u64,
}

impl LiveCalls {
    /// Calls kept; the one used longest ago goes first.
    pub const KEPT: usize = 256;

    fn take(&mut self, call_id: &str) -> Option<CallState> {
        self.calls.remove(call_id).map(|(_, state)| state)
    }

    fn put(&mut self, state: CallState) {
        if self.calls.len() >= Self::KEPT
            && let Some(oldest) = self
                .calls
                .iter()
                .min_by_key(|(_, (tick, _))| *tick)
                .map(|(id, _)| id.clone())
        {
            self.calls.remove(&oldest);
        }
        self.tick += 1;
        self.calls
            .insert(state.call_id().0.clone(), (self.tick, state));
    }

    /// Forgets every call: after a transaction that held their events was rolled back.
    pub fn clear(&mut self) {
        self.calls.clear();
    }

    /// How many calls are kept.
    pub fn len(&self) -> usize {
        self.calls.len()
    }

    pub fn is_empty(&self) -> bool {
        self.calls.is_empty()
    }
}

/// Stores `event` (once), applies it to its call, updates follow-ups and the resume point,
/// all in one transaction.
pub fn apply_event(
    conn: &mut Connection,
    parser: &NumberParser,
    live: &mut LiveCalls,
    event: &CallEvent,
    position: Option<&StreamPosition>,
    now_ms: i64,
) -> Result<Applied, StoreError> {
    let tx = conn.transaction()?;
    let applied = apply_event_in(&tx, parser, live, event, position, now_ms).and_then(|applied| {
        tx.commit()?;
        Ok(applied)
    });
    if applied.is_err() {
        // The kept state may hold the event the rollback took back out.
        live.take(&event.call_id.0);
    }
    applied
}

/// [`apply_event`] inside a transaction the caller owns, so that many events (a resync, a
/// bulk load) can share one commit. Should that transaction roll back, [`LiveCalls::clear`].
pub fn apply_event_in(
    tx: &Transaction<'_>,
    parser: &NumberParser,
    live: &mut LiveCalls,
    event: &CallEvent,
    position: Option<&StreamPosition>,
    now_ms: i64,
) -> Result<Applied, StoreError> {
    let inserted = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO call_events (event_id, call_id, json) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![event.id.0, event.call_id.0, event_to_json(event)])?;
    let duplicate = inserted == 0;
    let call_id = &event.call_id.0;
    let stored_view = if duplicate {
        view_of(tx, call_id)?
    } else {
        None
    };
    let (view, changes) = match stored_view {
        Some(view) => (view, Vec::new()),
        None => {
            let state = match live.take(call_id) {
                Some(mut state) => {
                    state.apply(event.clone());
                    state
                }
                // The stored events include this one now.
                None => CallState::from_events(events_of(tx, call_id)?)
                    .ok_or_else(|| StoreError::Corrupt(format!("call {call_id} has no events")))?,
            };
            let view = CallView::of(&state);
            let changes = write_call(tx, parser, &view, now_ms)?;
            live.put(state);
            (view, changes)
        }
    };
    if let Some(p) = position {
        settings::set_resume_point(tx, &p.epoch, p.seq)?;
    }
    Ok(Applied {
        view,
        duplicate,
        followups: changes,
    })
}

/// The events of one call, in storage order.
pub fn events_of(conn: &Connection, call_id: &str) -> Result<Vec<CallEvent>, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT json FROM call_events WHERE call_id = ?1")?;
    let rows = stmt.query_map([call_id], |row| row.get::<_, String>(0))?;
    let mut events = Vec::new();
    for json in rows {
        let json = json?;
        events.push(
            event_from_json(&json)
                .map_err(|e| StoreError::Corrupt(format!("stored event: {e}")))?,
        );
    }
    Ok(events)
}

/// The stored view of a call.
pub fn view_of(conn: &Connection, call_id: &str) -> Result<Option<CallView>, StoreError> {
    conn.prepare_cached("SELECT view FROM calls WHERE call_id = ?1")?
        .query_row([call_id], |row| row.get::<_, String>(0))
        .optional()?
        .map(|json| parse_view(&json))
        .transpose()
}

/// Parses a stored view.
pub fn parse_view(json: &str) -> Result<CallView, StoreError> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("stored call view: {e}")))
}

/// Digits of a number, reversed: the key of suffix search ("ends with 45-67").
pub fn reversed_digits(text: &str) -> String {
    text.chars().rev().filter(char::is_ascii_digit).collect()
}

/// Writes the call's row (its view and the columns history searches by), its recordings and
/// what it changes in the follow-ups.
fn write_call(
    tx: &Transaction<'_>,
    parser: &NumberParser,
    view: &CallView,
    now_ms: i64,
) -> Result<Vec<FollowupChange>, StoreError> {
    let call_id = view.call_id.as_str();
    let (national, rev) = match view.phone.as_deref().and_then(PhoneNumber::from_e164) {
        Some(number) => (
            Some(parser.keys_of(&number).national),
            reversed_digits(number.e164()),
        ),
        None => (
            parser.keys(&view.phone_raw).ok().map(|k| k.national),
            reversed_digits(&view.phone_raw),
        ),
    };
    let old: Option<(i64, Option<String>)> = tx
        .prepare_cached("SELECT id, pbx_name FROM calls WHERE call_id = ?1")?
        .query_row([call_id], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    let json = serde_json::to_string(view).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    tx.prepare_cached(
        "INSERT INTO calls (call_id, direction, status, missed, talked, phone_e164,
            phone_national, phone_rev, pbx_name, started_at, view)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT (call_id) DO UPDATE SET direction = excluded.direction,
            status = excluded.status, missed = excluded.missed, talked = excluded.talked,
            phone_e164 = excluded.phone_e164, phone_national = excluded.phone_national,
            phone_rev = excluded.phone_rev, pbx_name = excluded.pbx_name,
            started_at = excluded.started_at, view = excluded.view",
    )?
    .execute(params![
        call_id,
        column(view.direction),
        column(view.status),
        view.missed,
        view.talked(),
        view.phone,
        national,
        rev,
        view.pbx_name,
        millis(view.started_at),
        json,
    ])?;
    let row_id = match &old {
        Some((id, _)) => *id,
        None => tx.last_insert_rowid(),
    };
    let old_name = old.and_then(|(_, name)| name);
    if old_name != view.pbx_name {
        if old_name.is_some() {
            tx.prepare_cached("DELETE FROM call_names WHERE rowid = ?1")?
                .execute([row_id])?;
        }
        if let Some(name) = &view.pbx_name {
            tx.prepare_cached("INSERT INTO call_names (rowid, name) VALUES (?1, ?2)")?
                .execute(params![row_id, name])?;
        }
    }
    let mut recording = tx.prepare_cached(
        "INSERT OR IGNORE INTO recordings (call_id, url, first_seen) VALUES (?1, ?2, ?3)",
    )?;
    for url in &view.recordings {
        recording.execute(params![call_id, url, now_ms])?;
    }
    followups::on_call(tx, view)
}

/// The caller's previous calls, newest first, without `except`.
pub fn recent_with(
    conn: &Connection,
    e164: &str,
    except: &str,
    limit: usize,
) -> Result<Vec<CallView>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT view FROM calls WHERE phone_e164 = ?1 AND call_id != ?2
         ORDER BY started_at DESC, id DESC LIMIT ?3",
    )?;
    let rows = stmt.query_map(params![e164, except, limit as i64], |row| {
        row.get::<_, String>(0)
    })?;
    rows.map(|json| parse_view(&json?)).collect()
}

/// Calls that are not over yet (ringing or talking), newest first: the live cards at start.
pub fn unfinished(conn: &Connection, since_ms: i64) -> Result<Vec<CallView>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT view FROM calls WHERE started_at >= ?1 AND status != ?2
         ORDER BY started_at DESC, id DESC",
    )?;
    let rows = stmt.query_map(params![since_ms, column(CallStatus::Ended)], |row| {
        row.get::<_, String>(0)
    })?;
    rows.map(|json| parse_view(&json?)).collect()
}

/// Recording links of a call with when each was first seen (ms).
pub fn recordings_of(conn: &Connection, call_id: &str) -> Result<Vec<(String, i64)>, StoreError> {
    let mut stmt =
        conn.prepare_cached("SELECT url, first_seen FROM recordings WHERE call_id = ?1")?;
    let rows = stmt.query_map([call_id], |row| Ok((row.get(0)?, row.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The earliest call with `e164` that started after `after_ms` and had a conversation: its
/// id, direction and start (ms).
pub fn first_talk_after(
    conn: &Connection,
    e164: &str,
    after_ms: i64,
) -> Result<Option<(String, Direction, i64)>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT call_id, direction, started_at FROM calls
             WHERE phone_e164 = ?1 AND started_at > ?2 AND talked = 1
             ORDER BY started_at, id LIMIT 1",
        )?
        .query_row(params![e164, after_ms], |row| {
            Ok((
                row.get(0)?,
                from_column(row.get_ref(1)?.as_str()?)?,
                row.get(2)?,
            ))
        })
        .optional()?)
}
