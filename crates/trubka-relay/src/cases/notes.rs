//! What people add by hand: notes on calls (the gist, tags, «new case»), closing a case with
//! an optional reason, and the admin's list of tags.
//!
//! Notes and closes are inputs of the case rules, so each is followed by a recomputation of
//! the client's cases on the worker's thread.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use trubka_protocol::cases::{CallNoteView, CaseView, NoteRequest, WireCaseStatus};

use super::worker::CaseWorker;
use super::{CaseError, claims};
use crate::agents::Agent;
use crate::store::StoreError;
use crate::store::append::decode_audience;

/// The longest gist kept, in characters: a few paragraphs, not a transcript.
pub(crate) const MAX_NOTE_CHARS: usize = 4000;
/// The longest close reason, in characters.
pub(crate) const MAX_REASON_CHARS: usize = 500;

/// The admin's tags, in their order.
pub(crate) fn tags(conn: &Connection) -> Result<Vec<String>, StoreError> {
    let tags = conn
        .prepare_cached("SELECT name FROM tags ORDER BY position")?
        .query_map([], |row| row.get(0))?
        .collect::<Result<Vec<String>, _>>()?;
    Ok(tags)
}

/// Replaces the admin's tags with `names` (checked by `trubka-relay tags set`), in that
/// order. Notes keep the tags they were written with.
pub(crate) fn store_tags(conn: &mut Connection, names: &[String]) -> Result<(), StoreError> {
    let tx = conn.transaction()?;
    tx.execute("DELETE FROM tags", [])?;
    for (position, name) in names.iter().enumerate() {
        tx.execute(
            "INSERT INTO tags(name, position) VALUES (?1, ?2)",
            params![name, position as i64],
        )?;
    }
    tx.commit()?;
    Ok(())
}

/// The call's audience when the agent may see it; `NotFound` otherwise.
pub(crate) fn visible_call(
    conn: &Connection,
    call_id: &str,
    agent: &Agent,
) -> Result<(), CaseError> {
    let audience: Option<String> = conn
        .prepare_cached("SELECT audience FROM calls WHERE call_id = ?1")?
        .query_row([call_id], |row| row.get(0))
        .optional()?;
    let not_found = || {
        CaseError::NotFound(format!(
            "Звонка «{call_id}» нет или он вам не виден / No call «{call_id}» you may see"
        ))
    };
    let audience = decode_audience(&audience.ok_or_else(not_found)?)?;
    if agent.supervisor || audience.contains(&agent.id) {
        Ok(())
    } else {
        Err(not_found())
    }
}

/// Stores the agent's note on a call and recomputes the client's cases.
pub(crate) fn add_note(
    worker: &mut CaseWorker,
    call_id: &str,
    agent: &Agent,
    request: NoteRequest,
    now: DateTime<Utc>,
) -> Result<CallNoteView, CaseError> {
    visible_call(&worker.conn, call_id, agent)?;
    let text = request.text.trim().to_owned();
    if text.chars().count() > MAX_NOTE_CHARS {
        return Err(CaseError::BadNote(format!(
            "Суть звонка длиннее {MAX_NOTE_CHARS} знаков / The gist is longer than \
             {MAX_NOTE_CHARS} characters"
        )));
    }
    let known = tags(&worker.conn)?;
    let mut picked: Vec<String> = Vec::with_capacity(request.tags.len());
    for tag in &request.tags {
        let tag = tag.trim();
        if !known.iter().any(|k| k == tag) {
            let list = if known.is_empty() {
                "список пуст / the list is empty".to_owned()
            } else {
                known.join(", ")
            };
            return Err(CaseError::UnknownTag(format!(
                "Метки «{tag}» нет в списке администратора ({list}) / The tag «{tag}» is not \
                 on the admin's list"
            )));
        }
        if !picked.iter().any(|p| p == tag) {
            picked.push(tag.to_owned());
        }
    }
    let tags_json =
        serde_json::to_string(&picked).map_err(|e| StoreError::Corrupt(format!("tags: {e}")))?;
    // The note and its tags to set at UIS are stored together: neither waits for UIS.
    let tx = worker.conn.transaction()?;
    tx.prepare_cached(
        "INSERT INTO call_notes(call_id, agent_id, at, text, tags, new_case)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        call_id,
        agent.id,
        now.timestamp_millis(),
        text,
        tags_json,
        request.new_case
    ])?;
    let id = tx.last_insert_rowid();
    crate::uis_tags::enqueue(&tx, call_id, &picked, now.timestamp_millis())?;
    tx.commit()?;
    worker.update(&BTreeSet::from([call_id.to_owned()]), BTreeSet::new())?;
    Ok(CallNoteView {
        id,
        call_id: call_id.to_owned(),
        author: agent.name.clone(),
        at: now,
        text,
        tags: picked,
        new_case: request.new_case,
    })
}

/// Closes the case by hand, with an optional reason; a case already closed keeps its first
/// closure.
pub(crate) fn close(
    worker: &mut CaseWorker,
    key: &str,
    agent: &Agent,
    reason: Option<String>,
    now: DateTime<Utc>,
) -> Result<CaseView, CaseError> {
    let (view, audience) = claims::visible_case(&worker.conn, key, agent)?;
    let reason = reason
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty());
    if let Some(reason) = &reason
        && reason.chars().count() > MAX_REASON_CHARS
    {
        return Err(CaseError::BadNote(format!(
            "Причина длиннее {MAX_REASON_CHARS} знаков / The reason is longer than \
             {MAX_REASON_CHARS} characters"
        )));
    }
    if view.status == WireCaseStatus::Closed {
        let mut view = view;
        view.claim = None;
        return Ok(view);
    }
    worker
        .conn
        .prepare_cached(
            "INSERT INTO case_closes(case_key, at, agent_id, reason) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![key, now.timestamp_millis(), agent.id, reason])?;
    let number: String = worker
        .conn
        .prepare_cached("SELECT number FROM cases WHERE key = ?1")?
        .query_row([key], |row| row.get(0))?;
    let changed = worker.update(&BTreeSet::new(), BTreeSet::from([number]))?;
    match changed.into_iter().find(|v| v.key == key) {
        Some(view) => Ok(view),
        None => {
            let (view, _) = claims::visible_case(&worker.conn, key, agent)?;
            worker.publish(view, &audience)
        }
    }
}
