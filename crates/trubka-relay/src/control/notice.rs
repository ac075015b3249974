//! Tells everyone following a call what was done to it (the `call_control` frame): every card
//! of the call shows it, and the colleague a call is transferred to learns who transferred it,
//! and what was written on it, before their phone rings.
//!
//! The call's followers are its stored audience (`calls.audience`: whoever got one of its
//! events), the supervisors (who see every call), the agent who acted and a transfer's
//! colleague when they are an agent.

use axum::extract::ws::Utf8Bytes;
use rusqlite::{Connection, OptionalExtension};
use trubka_protocol::ServerFrame;
use trubka_protocol::cases::CallNoteView;
use trubka_protocol::control::{ControlAction, ControlNotice};

use crate::agents::{Agent, AgentId};
use crate::relay::AppState;
use crate::store::StoreError;
use crate::store::append::decode_audience;

/// What an action did beyond the PBX's answer: whom a transfer went to.
#[derive(Debug, Default)]
pub(crate) struct Done {
    /// The agent a transfer went to, when `to` named one.
    pub(crate) colleague: Option<Agent>,
    /// The number dialled for a transfer to a number.
    pub(crate) number: Option<String>,
}

/// The agents following `call_id` now and the active supervisors.
fn followers(conn: &Connection, call_id: &str) -> Result<Vec<AgentId>, StoreError> {
    let audience: Option<String> = conn
        .prepare_cached("SELECT audience FROM calls WHERE call_id = ?1")?
        .query_row([call_id], |row| row.get(0))
        .optional()?;
    let mut who = match audience {
        Some(text) => decode_audience(&text)?,
        None => Vec::new(),
    };
    who.extend(
        crate::store::agents::list(conn)?
            .into_iter()
            .filter(|a| a.is_active() && a.supervisor)
            .map(|a| a.id),
    );
    Ok(who)
}

/// The notes on `call_id` for the colleague it is handed to; `None` (the log says why) when
/// they cannot be read, and the colleague's app asks for them itself.
async fn colleague_notes(state: &AppState, call_id: &str) -> Option<Vec<CallNoteView>> {
    let id = call_id.to_owned();
    let read = state
        .reads
        .run(move |conn| Ok(crate::cases::read::notes(conn, &id)))
        .await;
    match read {
        Ok(Ok(notes)) => Some(notes),
        Ok(Err(error)) => {
            tracing::warn!(%error, call_id, "cannot read the call's notes for its colleague");
            None
        }
        Err(error) => {
            tracing::warn!(%error, call_id, "cannot read the call's notes for its colleague");
            None
        }
    }
}

/// Sends the `call_control` frame of `action`, done by `agent` on `call_id`. A failed read of
/// the followers leaves the frame to the agent and the colleague (the log says why): the
/// action is done either way.
pub(crate) async fn announce(
    state: &AppState,
    agent: &Agent,
    call_id: &str,
    action: ControlAction,
    done: &Done,
) {
    let id = call_id.to_owned();
    let mut audience = state
        .reads
        .run(move |conn| followers(conn, &id))
        .await
        .unwrap_or_else(|error| {
            tracing::warn!(%error, call_id, "cannot read who follows the call");
            Vec::new()
        });
    audience.push(agent.id);
    audience.extend(done.colleague.as_ref().map(|c| c.id));
    audience.sort_unstable();
    audience.dedup();
    // The colleague a call is handed to reads what was written on it before their leg (and
    // so the call) is theirs to see.
    let notes = match &done.colleague {
        Some(_) => colleague_notes(state, call_id).await,
        None => None,
    };
    let notice = ControlNotice {
        call_id: call_id.to_owned(),
        action,
        by: agent.name.clone(),
        to: done
            .colleague
            .as_ref()
            .map(|c| c.name.clone())
            .or_else(|| done.number.clone()),
        notes,
    };
    let frame = ServerFrame::CallControl {
        notice: Box::new(notice),
    };
    state
        .hub
        .notify(&Utf8Bytes::from(frame.to_json()), &audience);
}
