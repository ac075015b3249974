//! Sign-in by invite link (`crate::invites`):
//!
//! - `GET /join/{code}`: the page an agent opens ([`super::join_page`]); says what the link
//!   is (valid, used, expired, revoked, unknown) without consuming it.
//! - `GET /v1/join/{code}`: the same as JSON, for the app's confirmation («войти как …?»).
//! - `POST /v1/join {"code": …}`: exchanges the code, once, for a new agent token.
//!
//! The token appears only in the exchange's response body (marked `no-store`), never in a
//! URL, a page or a log line.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, HOST, REFERRER_POLICY,
};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::error::ApiError;
use super::join_page::{self, JoinPage};
use crate::invites::{InviteError, InviteState, Refusal, app_link, join_url};
use crate::relay::AppState;

/// The relay's base URL as the agent reaches it: `public_url`, else the address this
/// request was sent to (a relay tried out without a public address).
pub(super) fn relay_base(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = state.invites.public_url() {
        return url.trim_end_matches('/').to_owned();
    }
    let host = headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_graphic()))
        .unwrap_or("localhost");
    format!("http://{host}")
}

pub(crate) async fn page(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let status = state
        .invites
        .status(code.clone())
        .await
        .map_err(ApiError::Internal)?;
    let base = relay_base(&state, &headers);
    let page = JoinPage {
        state: status.as_ref().map(|s| s.state),
        agent: status.as_ref().map(|s| s.agent.clone()),
        expires_at: status.as_ref().map(|s| s.expires_at),
        app_link: app_link(&base, &code),
        page_url: join_url(&base, &code),
    };
    let code = match page.state {
        Some(InviteState::Valid) => StatusCode::OK,
        Some(_) => StatusCode::GONE,
        None => StatusCode::NOT_FOUND,
    };
    Ok((
        code,
        [
            (CONTENT_TYPE, "text/html; charset=utf-8"),
            (CONTENT_SECURITY_POLICY, join_page::CONTENT_SECURITY_POLICY),
            (REFERRER_POLICY, "no-referrer"),
            (CACHE_CONTROL, "no-store"),
        ],
        page.render(),
    )
        .into_response())
}

/// `GET /v1/join/{code}`: who the link signs in, for the app to ask first.
pub(crate) async fn status(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let status = state
        .invites
        .status(code)
        .await
        .map_err(ApiError::Internal)?
        .ok_or(ApiError::Invite(Refusal::Unknown))?;
    let refusal = match status.state {
        InviteState::Valid => None,
        InviteState::Used => Some(Refusal::Used),
        InviteState::Expired => Some(Refusal::Expired),
        InviteState::Revoked => Some(Refusal::Revoked),
    };
    if let Some(refusal) = refusal {
        return Err(ApiError::Invite(refusal));
    }
    Ok(Json(json!({
        "agent": status.agent,
        "expires_at": status.expires_at.to_rfc3339(),
    })))
}

#[derive(Debug, Deserialize)]
pub(crate) struct JoinRequest {
    code: String,
}

/// `POST /v1/join`: the code for a new token, once.
pub(crate) async fn redeem(
    State(state): State<AppState>,
    body: Result<Json<JoinRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(request) = body.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let counted = |ok: bool| {
        let counter = if ok {
            &state.metrics.invites_redeemed
        } else {
            &state.metrics.invites_refused
        };
        counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    };
    match state.invites.redeem(request.code.trim().to_owned()).await {
        Ok((agent, token)) => {
            counted(true);
            tracing::info!(agent = %agent.name, "an invite was exchanged for a new token");
            Ok((
                [(CACHE_CONTROL, "no-store")],
                Json(json!({"token": token.0, "agent": agent.name})),
            )
                .into_response())
        }
        Err(InviteError::Refused(refusal)) => {
            counted(false);
            Err(ApiError::Invite(refusal))
        }
        Err(InviteError::Store(e)) => Err(ApiError::Internal(e)),
    }
}
