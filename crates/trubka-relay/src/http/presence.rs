//! Presence over HTTP (issue 11; the rules are [`crate::presence`]'s):
//!
//! - `GET /v1/presence` answers [`PresenceList`]: every active agent's status and whether
//!   they are on a call (the transfer picker, the supervisors' view);
//! - `PUT /v1/presence` with a [`PresenceUpdate`] writes the agent's own status to their
//!   PBX and answers their [`AgentPresence`];
//! - `GET /v1/presence/reasons` answers [`BreakReasons`]: the admin's break reasons.
//!
//! Errors: 400 `bad_request`, 422 `unknown_reason` (with the reasons there are),
//! 422 `not_supported` (a status the PBX has not), 422 `not_configured`, and the PBX's
//! refusals as [`ApiError::Pbx`] (504 `pbx_timeout` when it is silent).

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use trubka_protocol::control::{AgentPresence, BreakReasons, PresenceList, PresenceUpdate};

use super::auth;
use super::error::ApiError;
use crate::metrics::actions::PbxOutcome;
use crate::presence::words::WordsError;
use crate::presence::{self, PresenceError};
use crate::relay::AppState;

impl From<PresenceError> for ApiError {
    fn from(error: PresenceError) -> ApiError {
        match error {
            PresenceError::NotConfigured(text) => ApiError::NotConfigured(text),
            PresenceError::BadRequest(text) => ApiError::BadRequest(text),
            PresenceError::Words(WordsError::UnknownReason(message)) => ApiError::UnknownName {
                code: "unknown_reason",
                message,
            },
            PresenceError::Words(WordsError::NotSupported(text)) => ApiError::NotSupported(text),
            PresenceError::Pbx(error) => ApiError::Pbx(error),
            PresenceError::Store(error) => ApiError::Internal(error),
        }
    }
}

pub(crate) async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<PresenceList>, ApiError> {
    auth::agent(&state, auth::bearer(&headers)).await?;
    Ok(Json(PresenceList {
        agents: presence::list(&state).await?,
    }))
}

pub(crate) async fn set(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<AgentPresence>, ApiError> {
    let agent = auth::agent(&state, auth::bearer(&headers)).await?;
    let update: PresenceUpdate = serde_json::from_slice(&body).map_err(|e| {
        ApiError::BadRequest(format!(
            "the body must be JSON like {{\"status\":\"break\",\"reason\":\"Обед\"}} \
             (statuses: available, break, dnd, offline): {e}"
        ))
    })?;
    let set = presence::set(&state, &agent, &update).await;
    state.metrics.actions.presence_write(match &set {
        Ok(_) => PbxOutcome::Done,
        Err(PresenceError::Pbx(error)) => PbxOutcome::of_pbx_error(error),
        Err(PresenceError::Store(_)) => PbxOutcome::Error,
        Err(_) => PbxOutcome::NotAllowed,
    });
    match set {
        Ok(now) => {
            tracing::info!(agent = %agent.name, status = update.status.as_str(), "presence set");
            Ok(Json(now))
        }
        Err(error) => {
            tracing::warn!(agent = %agent.name, %error, "presence not set");
            Err(error.into())
        }
    }
}

pub(crate) async fn reasons(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<BreakReasons>, ApiError> {
    auth::agent(&state, auth::bearer(&headers)).await?;
    Ok(Json(BreakReasons {
        reasons: presence::reasons(&state).await?,
    }))
}
