//! The app's updates, for tauri-plugin-updater's «dynamic update server» protocol, with the
//! agent's bearer token (only agents of this relay learn of its builds or download them):
//!
//! - `GET /v1/app/update/{target}/{arch}/{current_version}[?bundle=deb]`: 204 when there is
//!   nothing newer than `current_version` for this target, arch and bundle; else 200
//!   `{"version","notes","pub_date","url","signature"}`.
//! - `GET /v1/app/packages/{file}`: the package `url` names.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::auth;
use super::error::ApiError;
use super::join::relay_base;
use crate::relay::AppState;
use crate::updates::UpdateError;

#[derive(Debug, Deserialize)]
pub(crate) struct CheckQuery {
    /// `{{bundle_type}}`: how the asking app was installed (`deb`, `appimage`, … `unknown`).
    bundle: Option<String>,
}

pub(crate) async fn check(
    State(state): State<AppState>,
    Path((target, arch, current_version)): Path<(String, String, String)>,
    Query(query): Query<CheckQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    auth::agent(&state, auth::bearer(&headers)).await?;
    let current = parse_version(&current_version).ok_or_else(|| {
        ApiError::BadRequest(format!(
            "«{current_version}» is not a semantic version (like 1.4.0)"
        ))
    })?;
    let releases = state.updates.clone();
    let found = blocking(move || releases.find(&target, &arch, query.bundle.as_deref())).await?;
    let newer = found.filter(|r| parse_version(&r.version).is_some_and(|v| v > current));
    let Some(release) = newer else {
        return Ok(StatusCode::NO_CONTENT.into_response());
    };
    let url = format!(
        "{}/v1/app/packages/{}",
        relay_base(&state, &headers),
        release.file
    );
    Ok(Json(json!({
        "version": release.version,
        "notes": release.notes,
        "pub_date": release.pub_date,
        "url": url,
        "signature": release.signature,
    }))
    .into_response())
}

pub(crate) async fn package(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    auth::agent(&state, auth::bearer(&headers)).await?;
    let releases = state.updates.clone();
    let path = blocking(move || releases.package(&file)).await?;
    let path = path.ok_or(ApiError::NotFound)?;
    // Published and then replaced between the lookup and here: gone, like any unknown file.
    let Ok(opened) = tokio::fs::File::open(&path).await else {
        return Err(ApiError::NotFound);
    };
    let length = opened.metadata().await.map(|m| m.len()).ok();
    let mut response = Body::from_stream(tokio_util::io::ReaderStream::new(opened)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        "application/octet-stream".parse().expect("valid"),
    );
    if let Some(length) = length {
        headers.insert(CONTENT_LENGTH, length.into());
    }
    Ok(response)
}

fn parse_version(text: &str) -> Option<semver::Version> {
    semver::Version::parse(text.trim_start_matches('v')).ok()
}

/// Reads the releases off the async threads (small files, but still disk I/O).
async fn blocking<T: Send + 'static>(
    read: impl FnOnce() -> Result<T, UpdateError> + Send + 'static,
) -> Result<T, ApiError> {
    let answer = tokio::task::spawn_blocking(read).await;
    match answer {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(ApiError::Updates(error)),
        Err(error) => Err(ApiError::Updates(UpdateError::Manifest {
            path: crate::updates::MANIFEST.into(),
            reason: error.to_string(),
        })),
    }
}
