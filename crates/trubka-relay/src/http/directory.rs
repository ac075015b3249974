//! `/v1/directory/…`: the team directory for agents (bearer token, like `/v1/me`).
//!
//! - `GET changes?since=V&limit=N` → `DirectoryPage` (limit 5,000 by default, at most 20,000).
//! - `GET contacts/{id}` → `ContactWithHistory`.
//! - `POST contacts` (`ContactFields`) → 201 `DirectoryContact`, the agent as its author.
//! - `PUT contacts/{id}` (`ContactUpdate`) → `DirectoryContact`; 409 after `base_version`.
//! - `POST contacts/{id}/numbers` (`AttachNumber`) → `DirectoryContact`.
//! - `DELETE contacts/{id}` → 204, supervisors only.
//! - `GET lookup?number=N` → `LookupAnswer`.
//!
//! Reads go through the read pool, writes through [`crate::directory::live::Directory`],
//! which tells every stream the new version at once.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use trubka_protocol::directory::{
    AttachNumber, ContactFields, ContactUpdate, ContactWithHistory, DirectoryContact, DirectoryId,
    DirectoryPage, LookupAnswer,
};

use super::auth;
use super::error::ApiError;
use crate::agents::Agent;
use crate::directory::changes::{self, DEFAULT_PAGE};
use crate::directory::{DirectoryError, edit, lookup, store};
use crate::relay::AppState;

#[derive(Debug, Deserialize)]
pub(crate) struct ChangesQuery {
    #[serde(default)]
    since: u64,
    #[serde(default)]
    limit: Option<usize>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct LookupQuery {
    #[serde(default)]
    number: String,
}

async fn agent(state: &AppState, headers: &HeaderMap) -> Result<Agent, ApiError> {
    auth::agent(state, auth::bearer(headers)).await
}

/// The body as `T`, or 400 saying what shape was expected.
fn body<T: DeserializeOwned>(bytes: &Bytes, example: &str) -> Result<T, ApiError> {
    serde_json::from_slice(bytes)
        .map_err(|e| ApiError::BadRequest(format!("the body must be JSON like {example}: {e}")))
}

/// The query string as `T`, or 400 saying what was expected.
fn parse_query<T: DeserializeOwned>(query: Option<String>, example: &str) -> Result<T, ApiError> {
    serde_urlencoded::from_str(query.as_deref().unwrap_or_default())
        .map_err(|e| ApiError::BadRequest(format!("the query must be like {example}: {e}")))
}

/// A contact's id from the path; anything else names no contact.
fn contact_id(text: &str) -> Result<DirectoryId, ApiError> {
    text.parse()
        .map_err(|_| ApiError::Missing(format!("no team contact «{text}»")))
}

/// Runs a directory read on the read pool.
async fn read<R, F>(state: &AppState, read: F) -> Result<R, ApiError>
where
    R: Send + 'static,
    F: FnOnce(&rusqlite::Connection) -> Result<R, DirectoryError> + Send + 'static,
{
    state
        .reads
        .run(move |conn| Ok(read(conn)))
        .await
        .map_err(ApiError::Internal)?
        .map_err(ApiError::from)
}

pub(crate) async fn changes(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Json<DirectoryPage>, ApiError> {
    agent(&state, &headers).await?;
    let query: ChangesQuery = parse_query(query, "?since=120&limit=5000")?;
    let limit = query.limit.unwrap_or(DEFAULT_PAGE);
    let since = query.since;
    Ok(Json(
        read(&state, move |conn| changes::page(conn, since, limit)).await?,
    ))
}

pub(crate) async fn contact(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<ContactWithHistory>, ApiError> {
    agent(&state, &headers).await?;
    let id = contact_id(&id)?;
    Ok(Json(
        read(&state, move |conn| changes::with_history(conn, id)).await?,
    ))
}

pub(crate) async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<(StatusCode, Json<DirectoryContact>), ApiError> {
    let agent = agent(&state, &headers).await?;
    let fields: ContactFields = body(&bytes, r#"{"name":"…","phones":[{"raw":"+7…"}]}"#)?;
    let created = state
        .directory
        .write(move |conn, parser| edit::create(conn, parser, &fields, &agent.name))
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

pub(crate) async fn update(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Json<DirectoryContact>, ApiError> {
    let agent = agent(&state, &headers).await?;
    let id = contact_id(&id)?;
    let update: ContactUpdate = body(&bytes, r#"{"base_version":12,"name":"…"}"#)?;
    let updated = state
        .directory
        .write(move |conn, parser| edit::edit(conn, parser, id, &update, &agent.name))
        .await?;
    Ok(Json(updated))
}

pub(crate) async fn attach(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Json<DirectoryContact>, ApiError> {
    let agent = agent(&state, &headers).await?;
    let id = contact_id(&id)?;
    let number: AttachNumber = body(&bytes, r#"{"raw":"+7 926 123-45-67","label":"mobile"}"#)?;
    let attached = state
        .directory
        .write(move |conn, parser| edit::attach(conn, parser, id, &number, &agent.name))
        .await?;
    Ok(Json(attached))
}

pub(crate) async fn delete(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let agent = agent(&state, &headers).await?;
    let id = contact_id(&id)?;
    if !agent.supervisor {
        return Err(ApiError::Forbidden(
            "only a supervisor may delete a team contact".to_owned(),
        ));
    }
    state
        .directory
        .write(move |conn, _| edit::delete(conn, id, &agent.name))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) async fn lookup(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Json<LookupAnswer>, ApiError> {
    agent(&state, &headers).await?;
    let query: LookupQuery = parse_query(query, "?number=+79261234567")?;
    if query.number.trim().is_empty() {
        return Err(ApiError::BadRequest(
            "give the number to look up: ?number=+79261234567".to_owned(),
        ));
    }
    let directory = std::sync::Arc::clone(&state.directory);
    let answer = read(&state, move |conn| {
        lookup::lookup(conn, directory.parser(), &query.number, store::now_ms())
    })
    .await;
    Ok(Json(answer?))
}
