//! `GET /healthz` (liveness, including the writer thread) and `GET /metrics` (Prometheus).

use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;

use crate::relay::AppState;

/// 200 `ok` while the relay can store events; 503 once the writer thread is gone, so a
/// supervisor restarts the process instead of letting it answer every webhook with 503.
pub(crate) async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    if state.writer.is_alive() {
        (StatusCode::OK, "ok\n")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "event writer stopped\n")
    }
}

pub(crate) async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        state.metrics.render(),
    )
}
