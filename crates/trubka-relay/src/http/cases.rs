//! The team's cases for agents (bearer token, like `/v1/me`), docs/protocol.md «Cases on the
//! relay»:
//!
//! - `GET /v1/cases?status=open|waiting|closed&mine=1&limit=N` → `CaseList`, the cases the
//!   agent may see, newest change first (limit 200 by default, at most 1,000).
//! - `POST /v1/cases/{key}/claim` → `CaseView` with the agent's claim; 409 while another
//!   agent's is live. `DELETE /v1/cases/{key}/claim` releases it (one's own; supervisors any).
//! - `POST /v1/cases/{key}/close` (`CloseRequest`) → `CaseView`, closed by hand.
//! - `POST /v1/calls/{call_id}/notes` (`NoteRequest`) → 201 `CallNoteView`;
//!   `GET /v1/calls/{call_id}/notes` → `CallNotes`.
//! - `GET /v1/tags` → `TagList`, the admin's list.
//!
//! Reads go through the read pool; writes run on the case worker's thread, which sends the
//! `case` frame of every case they change.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::Utc;
use serde::Deserialize;
use trubka_protocol::cases::{
    CallNoteView, CallNotes, CaseList, CaseView, CloseRequest, NoteRequest, TagList, WireCaseStatus,
};

use super::auth;
use super::error::ApiError;
use crate::agents::Agent;
use crate::cases::read::{self, CaseFilter, DEFAULT_LIMIT};
use crate::cases::{CaseError, claims, notes};
use crate::relay::AppState;

#[derive(Debug, Deserialize)]
struct ListQuery {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    mine: Option<String>,
    #[serde(default)]
    limit: Option<u32>,
}

async fn agent(state: &AppState, headers: &HeaderMap) -> Result<Agent, ApiError> {
    auth::agent(state, auth::bearer(headers)).await
}

impl From<CaseError> for ApiError {
    fn from(error: CaseError) -> ApiError {
        let message = error.to_string();
        match error {
            CaseError::NotFound(_) => ApiError::Missing(message),
            CaseError::Claimed(_) => ApiError::Conflict(message),
            CaseError::Forbidden(_) => ApiError::Forbidden(message),
            CaseError::UnknownTag(_) => ApiError::UnknownName {
                code: "unknown_tag",
                message,
            },
            CaseError::BadNote(_) => ApiError::BadRequest(message),
            CaseError::Store(e) => ApiError::Internal(e),
            CaseError::Stopped => ApiError::Unavailable(crate::store::StoreError::WriterStopped),
        }
    }
}

pub(crate) async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Json<CaseList>, ApiError> {
    let agent = agent(&state, &headers).await?;
    let query: ListQuery = serde_urlencoded::from_str(query.as_deref().unwrap_or_default())
        .map_err(|e| {
            ApiError::BadRequest(format!(
                "the query must be like ?status=open&mine=1&limit=100: {e}"
            ))
        })?;
    let status = match query.status.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(WireCaseStatus::parse(text).ok_or_else(|| {
            ApiError::BadRequest(format!(
                "status must be open, waiting or closed, not «{text}»"
            ))
        })?),
    };
    let mine = match query.mine.as_deref().map(str::trim) {
        None | Some("" | "0" | "false") => false,
        Some("1" | "true") => true,
        Some(text) => {
            return Err(ApiError::BadRequest(format!(
                "mine must be 1 or 0, not «{text}»"
            )));
        }
    };
    let filter = CaseFilter {
        status,
        mine,
        limit: query.limit.unwrap_or(DEFAULT_LIMIT),
    };
    // Read before the list, so a client that applies frames newer than it misses nothing.
    let version = state.cases.version();
    let cases = state
        .reads
        .run(move |conn| Ok(read::cases(conn, &agent, filter, Utc::now())))
        .await
        .map_err(ApiError::Internal)??;
    Ok(Json(CaseList { cases, version }))
}

pub(crate) async fn claim(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(key): Path<String>,
) -> Result<Json<CaseView>, ApiError> {
    let agent = agent(&state, &headers).await?;
    let view = state
        .cases
        .run(move |worker| claims::claim(worker, &key, &agent, Utc::now()))
        .await?;
    Ok(Json(view))
}

pub(crate) async fn release(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(key): Path<String>,
) -> Result<Json<CaseView>, ApiError> {
    let agent = agent(&state, &headers).await?;
    let view = state
        .cases
        .run(move |worker| claims::release(worker, &key, &agent, Utc::now()))
        .await?;
    Ok(Json(view))
}

pub(crate) async fn close(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(key): Path<String>,
    body: Bytes,
) -> Result<Json<CaseView>, ApiError> {
    let agent = agent(&state, &headers).await?;
    let request: CloseRequest = if body.iter().all(u8::is_ascii_whitespace) {
        CloseRequest::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            ApiError::BadRequest(format!(
                "the body must be JSON like {{\"reason\":\"клиент передумал\"}}: {e}"
            ))
        })?
    };
    let view = state
        .cases
        .run(move |worker| notes::close(worker, &key, &agent, request.reason, Utc::now()))
        .await?;
    Ok(Json(view))
}

pub(crate) async fn add_note(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(call_id): Path<String>,
    body: Bytes,
) -> Result<(StatusCode, Json<CallNoteView>), ApiError> {
    let agent = agent(&state, &headers).await?;
    let request: NoteRequest = serde_json::from_slice(&body).map_err(|e| {
        ApiError::BadRequest(format!(
            "the body must be JSON like {{\"text\":\"…\",\"tags\":[\"Доставка\"],\
             \"new_case\":false}}: {e}"
        ))
    })?;
    let note = state
        .cases
        .run(move |worker| notes::add_note(worker, &call_id, &agent, request, Utc::now()))
        .await?;
    if !note.tags.is_empty() {
        // Queued with the note; the tagger sets them at UIS (`crate::uis_tags`).
        state.uis_tags.notify_one();
    }
    Ok((StatusCode::CREATED, Json(note)))
}

pub(crate) async fn list_notes(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(call_id): Path<String>,
) -> Result<Json<CallNotes>, ApiError> {
    let agent = agent(&state, &headers).await?;
    let found = state
        .reads
        .run(move |conn| {
            Ok(notes::visible_call(conn, &call_id, &agent)
                .and_then(|()| read::notes(conn, &call_id)))
        })
        .await
        .map_err(ApiError::Internal)?;
    Ok(Json(CallNotes { notes: found? }))
}

pub(crate) async fn tags(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<TagList>, ApiError> {
    agent(&state, &headers).await?;
    let tags = state
        .reads
        .run(notes::tags)
        .await
        .map_err(ApiError::Internal)?;
    Ok(Json(TagList { tags }))
}
