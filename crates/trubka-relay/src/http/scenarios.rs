//! `GET /v1/scenarios`: the UIS scenarios and Sipuni schemes the calling agent may call
//! through, by name (for the app's dial menu and `trubka-cli scenarios`).
//!
//! Answer `200 {"scenarios": [{"name": "Исходящий обзвон", "provider": "uis", "id": "27092"},
//! {"name": "Продажи", "provider": "sipuni", "id": "000-913901"}]}`: UIS scenarios when the
//! agent can place UIS calls (from `get.scenarios`, cached a minute), the `[sipuni] trees`
//! when the agent can place Sipuni calls. A UIS refusal is answered like a refused call.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use serde_json::{Value, json};

use super::auth;
use super::error::ApiError;
use crate::agents::Agent;
use crate::choices::{CallRoute, ChoiceError};
use crate::pbx::UisApi;
use crate::relay::AppState;

pub(crate) async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let agent = auth::agent(&state, auth::bearer(&headers)).await?;
    let (uis, sipuni) = reach(&state, &agent);
    let routes = state
        .choices
        .routes(uis, sipuni)
        .await
        .map_err(ApiError::Pbx)?;
    let routes: Vec<Value> = routes.iter().map(route_json).collect();
    Ok(Json(json!({ "scenarios": routes })))
}

/// The PBXs the agent can place calls through: UIS (its API) and whether Sipuni.
pub(crate) fn reach<'a>(state: &'a AppState, agent: &Agent) -> (Option<&'a UisApi>, bool) {
    let uis = state
        .pbx
        .uis
        .as_ref()
        .filter(|_| agent.uis_employee.is_some());
    let sipuni = agent.sipuni_ext.is_some() && state.pbx.sipuni.is_some();
    (uis, sipuni)
}

fn route_json(route: &CallRoute) -> Value {
    json!({"name": route.name, "provider": route.provider.as_str(), "id": route.id})
}

/// A name the agent picked that is not a scenario or scheme, in words that list the names.
pub(crate) fn choice_error(error: ChoiceError) -> ApiError {
    match error {
        ChoiceError::Unknown { name, known } if known.is_empty() => ApiError::UnknownName {
            code: "unknown_scenario",
            message: format!(
                "Сценария или схемы «{name}» нет: для вас не настроено ни одного (сценарии UIS \
                 видны операторам с ID сотрудника UIS, схемы Sipuni администратор перечисляет \
                 в [sipuni] trees)"
            ),
        },
        ChoiceError::Unknown { name, known } => ApiError::UnknownName {
            code: "unknown_scenario",
            message: format!(
                "Сценария или схемы «{name}» нет; есть: {}",
                quoted_list(&known)
            ),
        },
        ChoiceError::Ambiguous(name) => ApiError::BadRequest(format!(
            "«{name}» — и сценарий UIS, и схема Sipuni: укажите provider \"uis\" или \"sipuni\""
        )),
        ChoiceError::Pbx(error) => ApiError::Pbx(error),
    }
}

/// `«a», «b», «c»`.
pub(crate) fn quoted_list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("«{n}»"))
        .collect::<Vec<_>>()
        .join(", ")
}
