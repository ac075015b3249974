//! `GET /v1/stream`: authenticates the agent and upgrades to a WebSocket whose session is
//! run by [`super::session`].
//!
//! Query parameters:
//! - `since=SEQ`: resume after `SEQ` (every event after it that the agent may see, then live);
//! - `epoch=E`: the epoch `SEQ` belongs to; a different epoch (or `since` beyond the head)
//!   gets a `reset` frame instead of a replay;
//! - `token=T`: the agent token, for clients that cannot set an `Authorization` header
//!   (browsers' WebSocket API). The header is preferred: query strings end up in proxy logs.

use axum::extract::ws::WebSocketUpgrade;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::auth;
use super::error::ApiError;
use super::session;
use crate::agents::AgentToken;
use crate::relay::AppState;

/// tungstenite reads in chunks of this size and starts its buffers at it. axum's 128 KiB
/// default costs ~134 KiB per idle agent; 4 KiB brings an idle stream to a few KiB.
const READ_BUFFER: usize = 4 * 1024;
/// Frames are flushed as soon as this much is buffered (each send flushes anyway).
const WRITE_BUFFER: usize = 4 * 1024;
/// Agents only send small acks; anything bigger is not from a well-behaved client.
const MAX_CLIENT_MESSAGE: usize = 16 * 1024;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct StreamParams {
    pub(crate) since: Option<u64>,
    pub(crate) epoch: Option<String>,
    token: Option<String>,
}

pub(crate) async fn stream(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    let mut params: StreamParams = serde_urlencoded::from_str(query.as_deref().unwrap_or(""))
        .map_err(|e| ApiError::BadRequest(format!("bad query: {e}")))?;
    let token = auth::bearer(&headers).or_else(|| params.token.take().map(AgentToken));
    let agent = auth::agent(&state, token).await?;
    let upgrade = match upgrade {
        Ok(upgrade) => upgrade,
        // Authenticated but not a WebSocket request: axum's own answer (426 / 400) says why.
        Err(rejection) => return Ok(rejection.into_response()),
    };
    // Counted as a stream task from now on, so shutdown waits for its goodbye.
    let task = state.streams.token();
    Ok(upgrade
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(WRITE_BUFFER)
        .max_message_size(MAX_CLIENT_MESSAGE)
        .max_frame_size(MAX_CLIENT_MESSAGE)
        .on_upgrade(move |socket| async move {
            session::run(socket, state, agent, params).await;
            drop(task);
        }))
}
