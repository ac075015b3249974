//! Calls and their events: every event is stored once (by its id) with its JSON; the call's
//! row holds the view folded from all of its events, rebuilt whenever one arrives. The
//! stream resume point is written in the same transaction as the event.

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use trubka_core::{CallEvent, PhoneNumber};
use trubka_protocol::{event_from_json, event_to_json};

use super::{StoreError, millis, settings};
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

/// Stores `event` (once), refolds its call, updates follow-ups and the resume point, all in
/// one transaction.
pub fn apply_event(
    conn: &mut Connection,
    parser: &NumberParser,
    event: &CallEvent,
    position: Option<&StreamPosition>,
    now_ms: i64,
) -> Result<Applied, StoreError> {
    let tx = conn.transaction()?;
    let applied = apply_event_in(&tx, parser, event, position, now_ms)?;
    tx.commit()?;
    Ok(applied)
}

/// [`apply_event`] inside a transaction the caller owns, so that many events (a resync, a
/// bulk load) can share one commit.
pub fn apply_event_in(
    tx: &Transaction<'_>,
    parser: &NumberParser,
    event: &CallEvent,
    position: Option<&StreamPosition>,
    now_ms: i64,
) -> Result<Applied, StoreError> {
    let inserted = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO call_events (event_id, call_id, seq, kind, at, json)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![
            event.id.0,
            event.call_id.0,
            position.map(|p| p.seq as i64),
            event.kind.as_str(),
            millis(event.at),
            event_to_json(event),
        ])?;
    let duplicate = inserted == 0;
    let (view, changes) = if duplicate {
        match view_of(tx, &event.call_id.0)? {
            Some(view) => (view, Vec::new()),
            None => refold(tx, parser, &event.call_id.0, now_ms)?,
        }
    } else {
        refold(tx, parser, &event.call_id.0, now_ms)?
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

fn refold(
    tx: &Transaction<'_>,
    parser: &NumberParser,
    call_id: &str,
    now_ms: i64,
) -> Result<(CallView, Vec<FollowupChange>), StoreError> {
    let events = events_of(tx, call_id)?;
    let view = CallView::from_events(events)
        .ok_or_else(|| StoreError::Corrupt(format!("call {call_id} has no events")))?;
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
    let json = serde_json::to_string(&view).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let answered_by = view.answered_by.as_ref().map(|e| e.label());
    tx.prepare_cached(
        "INSERT INTO calls (call_id, provider, direction, status, outcome, missed, phone_e164,
            phone_national, phone_rev, phone_raw, pbx_name, line, started_at, answered_at,
            ended_at, wait_s, talk_s, total_s, answered_by, view)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
            ?18, ?19, ?20)
         ON CONFLICT (call_id) DO UPDATE SET provider = excluded.provider,
            direction = excluded.direction, status = excluded.status,
            outcome = excluded.outcome, missed = excluded.missed,
            phone_e164 = excluded.phone_e164, phone_national = excluded.phone_national,
            phone_rev = excluded.phone_rev, phone_raw = excluded.phone_raw,
            pbx_name = excluded.pbx_name, line = excluded.line,
            started_at = excluded.started_at, answered_at = excluded.answered_at,
            ended_at = excluded.ended_at, wait_s = excluded.wait_s, talk_s = excluded.talk_s,
            total_s = excluded.total_s, answered_by = excluded.answered_by,
            view = excluded.view",
    )?
    .execute(params![
        call_id,
        view.provider.as_deref().unwrap_or(""),
        view.direction,
        view.status,
        view.outcome,
        view.missed,
        view.phone,
        national,
        rev,
        view.phone_raw,
        view.pbx_name,
        view.line,
        millis(view.started_at),
        view.answered_at.map(millis),
        view.ended_at.map(millis),
        view.durations.wait,
        view.durations.talk,
        view.durations.total,
        answered_by,
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
    let changes = followups::on_call(tx, &view)?;
    Ok((view, changes))
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
        "SELECT view FROM calls WHERE started_at >= ?1 AND status != 'ended'
         ORDER BY started_at DESC, id DESC",
    )?;
    let rows = stmt.query_map([since_ms], |row| row.get::<_, String>(0))?;
    rows.map(|json| parse_view(&json?)).collect()
}

/// Recording links of a call with when each was first seen (ms).
pub fn recordings_of(conn: &Connection, call_id: &str) -> Result<Vec<(String, i64)>, StoreError> {
    let mut stmt =
        conn.prepare_cached("SELECT url, first_seen FROM recordings WHERE call_id = ?1")?;
    let rows = stmt.query_map([call_id], |row| Ok((row.get(0)?, row.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The earliest call with `e164` that started after `after_ms` and had a conversation.
pub fn first_talk_after(
    conn: &Connection,
    e164: &str,
    after_ms: i64,
) -> Result<Option<(String, String, i64)>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT call_id, direction, started_at FROM calls
             WHERE phone_e164 = ?1 AND started_at > ?2
               AND (answered_at IS NOT NULL OR outcome = 'answered')
             ORDER BY started_at, id LIMIT 1",
        )?
        .query_row(params![e164, after_ms], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })
        .optional()?)
}
