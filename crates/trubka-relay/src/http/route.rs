//! `GET|POST /hooks/uis/{token}/route`: UIS interactive call processing («Интерактивная
//! обработка вызова», reference A.7).
//!
//! A UIS scenario asks where to send a call, giving the caller `numa` and the dialled `numb`
//! (query, form or JSON). When the caller has a personal manager (`crate::managers`) whose
//! agent is active, the answer is `{"phones":["79031234567"]}`: UIS rings that number. Otherwise
//! it is `{"returned_code":1}`, which the admin links to the scenario's usual branch. A request
//! without a usable `numa` gets `returned_code` 1 too (and a warning in the log): the call must
//! go on, not fail.
//!
//! The answer comes from one primary-key read of SQLite, never from a PBX call, and is given
//! up after [`ROUTE_BUDGET`] (then `returned_code` 1), well within the time UIS waits.

use std::time::Duration;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::http::header::CONTENT_TYPE;
use serde_json::{Value, json};
use trubka_protocol::{HookRequest, parse_route_request};

use super::error::ApiError;
use super::hooks::check_token;
use crate::relay::AppState;

/// Longest the lookup may take before the scenario is sent down its usual branch.
pub(crate) const ROUTE_BUDGET: Duration = Duration::from_secs(2);

/// The code for "no personal manager": the scenario's default branch.
const NO_MANAGER: u32 = 1;

pub(crate) async fn route(
    State(state): State<AppState>,
    Path(token): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    check_token(&token, &state.hook_tokens.uis)?;
    let body = body.unwrap_or_default();
    let query = query.unwrap_or_default();
    let request = HookRequest {
        query: &query,
        content_type: headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()),
        body: &body,
    };
    let default = Json(json!({"returned_code": NO_MANAGER}));
    let asked = match parse_route_request(&request) {
        Ok(asked) => asked,
        Err(error) => {
            tracing::warn!(code = error.code, message = %error.message, "route request without a caller");
            return Ok(default);
        }
    };
    let Some(caller) = state.phones.parse(&asked.numa).phone().cloned() else {
        tracing::debug!(numa = %asked.numa, "route: the caller's number is not a phone number");
        return Ok(default);
    };
    let phone = caller.e164().to_owned();
    let lookup = state
        .reads
        .run(move |conn| crate::managers::ring_phone(conn, &phone));
    match tokio::time::timeout(ROUTE_BUDGET, lookup).await {
        Ok(Ok(Some(ring))) => {
            tracing::info!(caller = %caller.e164(), %ring, "route: to the personal manager");
            Ok(Json(json!({"phones": [ring]})))
        }
        Ok(Ok(None)) => Ok(default),
        Ok(Err(error)) => {
            tracing::error!(%error, "route: reading the personal managers failed");
            Ok(default)
        }
        Err(_) => {
            tracing::warn!("route: the lookup took too long; default branch");
            Ok(default)
        }
    }
}
