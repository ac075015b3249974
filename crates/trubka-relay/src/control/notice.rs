//! Tells everyone following a call what was done to it (the `call_control` frame): every card
//! of the call shows it, and the colleague a call is transferred to learns who transferred it
//! before their phone rings.
//!
//! The call's followers are its stored audience (`calls.audience`: whoever got one of its
//! events), the supervisors (who see every call), the agent who acted and a transfer's
//! colleague when they are an agent.

use axum::extract::ws::Utf8Bytes;
use rusqlite::{Connection, OptionalExtension};
use trubka_protocol::ServerFrame;
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
    let notice = ControlNotice {
        call_id: call_id.to_owned(),
        action,
        by: agent.name.clone(),
        to: done
            .colleague
            .as_ref()
            .map(|c| c.name.clone())
            .or_else(|| done.number.clone()),
    };
    let frame = ServerFrame::CallControl {
        notice: Box::new(notice),
    };
    state
        .hub
        .notify(&Utf8Bytes::from(frame.to_json()), &audience);
}
