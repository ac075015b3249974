//! History, missed-call follow-ups and dialling.

use tauri::State;
use trubka_agent::engine::HistoryRequest;

use crate::dto::{DialResult, FollowUpDto, HistoryPageDto, HistoryQuery};
use crate::error::CommandResult;
use crate::state::AppState;

#[tauri::command]
pub async fn history_page(
    state: State<'_, AppState>,
    query: HistoryQuery,
) -> CommandResult<HistoryPageDto> {
    let page = state.engine.history(HistoryRequest::from(query)).await?;
    Ok(HistoryPageDto::from(&page))
}

/// Follow-ups, latest first: the open ones, or all with `all`.
#[tauri::command]
pub async fn followups_list(
    state: State<'_, AppState>,
    all: bool,
) -> CommandResult<Vec<FollowUpDto>> {
    let list = state.engine.followups(!all, 500).await?;
    Ok(list.iter().map(FollowUpDto::from).collect())
}

/// Marks a caller's follow-up done by hand.
#[tauri::command]
pub async fn followup_close(state: State<'_, AppState>, caller: String) -> CommandResult<()> {
    state.engine.close_followup(&caller).await?;
    Ok(())
}

/// Places a call through the relay; `number` in any common format, through the scenario or
/// scheme called `scenario` when one is picked in the dial menu.
#[tauri::command]
pub async fn dial(
    state: State<'_, AppState>,
    number: String,
    scenario: Option<String>,
) -> CommandResult<DialResult> {
    let (number, accepted) = state.engine.dial_via(&number, scenario.as_deref()).await?;
    Ok(DialResult {
        number,
        call_id: accepted.call_id,
    })
}
