//! Scenarios to call through, and offline requests («заявки») sent to UIS through the relay.

use tauri::State;

use crate::dto::requests::{CallRouteDto, RequestDraftDto, RequestSentDto, RequestTargetsDto};
use crate::error::CommandResult;
use crate::state::AppState;

/// The UIS scenarios and Sipuni schemes this agent may call through (the dial menu).
#[tauri::command]
pub async fn scenarios_list(state: State<'_, AppState>) -> CommandResult<Vec<CallRouteDto>> {
    let routes = state.engine.scenarios().await?;
    Ok(routes.iter().map(CallRouteDto::from).collect())
}

/// The sites and campaigns a request can be filed under.
#[tauri::command]
pub async fn request_targets(state: State<'_, AppState>) -> CommandResult<RequestTargetsDto> {
    Ok(state.engine.request_targets().await?.into())
}

/// Sends an offline request for a caller.
#[tauri::command]
pub async fn request_send(
    state: State<'_, AppState>,
    draft: RequestDraftDto,
) -> CommandResult<RequestSentDto> {
    Ok(state.engine.send_request(draft.into()).await?.into())
}
