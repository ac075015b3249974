//! Call control over HTTP (issue 11; the rules are [`crate::control`]'s):
//!
//! - `POST /v1/calls/{call_id}/control` with a [`ControlRequest`] (`{"action": "hold"}`, …)
//!   answers `200` [`ControlDone`] once the PBX accepted it;
//! - `GET /v1/calls/{call_id}/actions` answers [`CallActions`]: what the call's PBX offers
//!   this agent, so an app shows only buttons that can work.
//!
//! Errors: 403 `not_your_call`, 409 `call_ended`, 422 `not_supported`, 403 `forbidden` (coach
//! without being a supervisor), 422 `unknown_agent` (a transfer to a name that is nobody's),
//! 422 `not_configured`, 400 `bad_request`, the PBX's refusals as [`ApiError::Pbx`], and 504
//! `pbx_timeout` when the whole action took longer than `pbx_timeout_secs`, with a message
//! that says what state the call may be in ([`crate::control::deadline`]).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use trubka_protocol::control::{CallActions, ControlDone, ControlRequest};

use super::auth;
use super::error::ApiError;
use crate::control::{self, ControlError, own::split_call_id};
use crate::metrics::actions::PbxOutcome;
use crate::relay::AppState;

impl From<ControlError> for ApiError {
    fn from(error: ControlError) -> ApiError {
        match error {
            ControlError::NotYours(text) => ApiError::NotYourCall(text),
            ControlError::Ended(text) => ApiError::CallEnded(text),
            ControlError::NotSupported(text) => ApiError::NotSupported(text),
            ControlError::NotConfigured(text) => ApiError::NotConfigured(text),
            ControlError::Forbidden(text) => ApiError::Forbidden(text),
            ControlError::BadRequest(text) => ApiError::BadRequest(text),
            ControlError::UnknownAgent(message) => ApiError::UnknownName {
                code: "unknown_agent",
                message,
            },
            ControlError::Pbx(error) => ApiError::Pbx(error),
            ControlError::Timeout(message) => ApiError::PbxRefused {
                code: "pbx_timeout".to_owned(),
                status: StatusCode::GATEWAY_TIMEOUT,
                message,
            },
            ControlError::Store(error) => ApiError::Internal(error),
        }
    }
}

pub(crate) async fn control(
    State(state): State<AppState>,
    Path(call_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<ControlDone>, ApiError> {
    let agent = auth::agent(&state, auth::bearer(&headers)).await?;
    let request: ControlRequest = serde_json::from_slice(&body).map_err(|e| {
        ApiError::BadRequest(format!(
            "the body must be JSON like {{\"action\":\"hold\"}} (actions: hold, resume, \
             hangup, transfer, transfer_complete, transfer_cancel, coach): {e}"
        ))
    })?;
    let action = request.action();
    let done = control::act(&state, &agent, &call_id, &request).await;
    state.metrics.actions.control(action, outcome(&done));
    match done {
        Ok(()) => {
            tracing::info!(agent = %agent.name, %call_id, action = action.as_str(), "call control done");
            Ok(Json(ControlDone { call_id, action }))
        }
        Err(error) => {
            tracing::warn!(agent = %agent.name, %call_id, action = action.as_str(), %error, "call control refused");
            Err(error.into())
        }
    }
}

/// How a control request ended, for `/metrics`.
fn outcome(done: &Result<(), ControlError>) -> PbxOutcome {
    match done {
        Ok(()) => PbxOutcome::Done,
        Err(ControlError::Pbx(error)) => PbxOutcome::of_pbx_error(error),
        Err(ControlError::Timeout(_)) => PbxOutcome::Timeout,
        Err(ControlError::Store(_)) => PbxOutcome::Error,
        Err(_) => PbxOutcome::NotAllowed,
    }
}

pub(crate) async fn actions(
    State(state): State<AppState>,
    Path(call_id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<CallActions>, ApiError> {
    let agent = auth::agent(&state, auth::bearer(&headers)).await?;
    let (provider, _) = split_call_id(&call_id).ok_or_else(|| {
        ApiError::BadRequest(format!("«{call_id}» is not a call id (uis:… or sipuni:…)"))
    })?;
    Ok(Json(control::offered(&call_id, provider, &agent)))
}
