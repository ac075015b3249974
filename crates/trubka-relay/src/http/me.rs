//! `GET /v1/me`: the calling agent's own profile and PBX mappings.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use serde_json::{Value, json};

use super::auth;
use super::error::ApiError;
use crate::relay::AppState;

pub(crate) async fn me(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let agent = auth::agent(&state, auth::bearer(&headers)).await?;
    Ok(Json(json!({
        "name": agent.name,
        "uis_employee": agent.uis_employee,
        "sipuni_ext": agent.sipuni_ext,
        "employee_phones": agent.employee_phones,
        "virtual_number": agent.virtual_number,
        "lines": agent.lines,
        "supervisor": agent.supervisor,
    })))
}
