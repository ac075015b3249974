//! The simulator's own control API under `/sim`.
//!
//! - `POST /sim/calls` starts a call ([`CallRequest`]) and answers `202 {"call_id":"uis:…"}`
//!   at once; the notifications follow in the background. A request the cast cannot play
//!   gets `400 {"error":{"code":…,"message":…}}`.
//! - `GET /sim/requests[?since=SEQ]` lists the API requests received (method, path, query,
//!   parsed params); `DELETE /sim/requests` forgets them.
//! - `GET /sim/deliveries` lists the notifications sent to the relay and how it answered.

use std::sync::Arc;

use axum::{
    Extension, Json,
    extract::{Query, State, rejection::JsonRejection},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use serde_json::json;

use crate::{
    request_log::{LoggedRequest, RequestNote},
    scenario::CallRequest,
    sender::Delivery,
    sim::Sim,
};

fn error(status: StatusCode, code: &str, message: String) -> Response {
    (
        status,
        Json(json!({"error": {"code": code, "message": message}})),
    )
        .into_response()
}

/// `POST /sim/calls`.
pub async fn start_call(
    State(sim): State<Arc<Sim>>,
    note: Option<Extension<Arc<RequestNote>>>,
    body: Result<Json<CallRequest>, JsonRejection>,
) -> Response {
    let note = note.map(|Extension(note)| note).unwrap_or_default();
    let Json(request) = match body {
        Ok(body) => body,
        Err(rejection) => {
            note.outcome("invalid_request");
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                rejection.body_text(),
            );
        }
    };
    match sim.start_call(&request) {
        Ok(call_id) => {
            note.outcome("ok");
            note.call(&call_id);
            (StatusCode::ACCEPTED, Json(json!({"call_id": call_id}))).into_response()
        }
        Err(e) => {
            note.outcome(e.code());
            error(StatusCode::BAD_REQUEST, e.code(), e.to_string())
        }
    }
}

/// Query of `GET /sim/requests`.
#[derive(Debug, Deserialize)]
pub struct Since {
    /// Only requests numbered above this.
    #[serde(default)]
    since: u64,
}

/// `GET /sim/requests`.
pub async fn list_requests(
    State(sim): State<Arc<Sim>>,
    Query(query): Query<Since>,
) -> Json<Vec<LoggedRequest>> {
    Json(sim.requests.since(query.since))
}

/// `DELETE /sim/requests`.
pub async fn clear_requests(State(sim): State<Arc<Sim>>) -> StatusCode {
    sim.requests.clear();
    StatusCode::NO_CONTENT
}

/// `GET /sim/deliveries`.
pub async fn list_deliveries(State(sim): State<Arc<Sim>>) -> Json<Vec<Delivery>> {
    Json(sim.sender.log.snapshot())
}
