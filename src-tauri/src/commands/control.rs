//! Call control and presence (issue 11): what the card and the team view call. Each command
//! goes through the engine to the relay (the PBX key stays there); a refusal reaches the window
//! in the relay's own words («Это не ваш вызов…», «Вызов уже завершён»), which the card shows
//! as they are.

use tauri::{AppHandle, State};
use trubka_agent::dial::DialError;
use trubka_agent::engine::EngineError;
use trubka_agent::relay_api::ApiError;

use crate::dto::control::{
    AgentPresenceDto, CallActionsDto, ControlRequestDto, PresenceStatusDto, TeamPresenceDto,
};
use crate::error::{CommandError, CommandResult, ErrorKind};
use crate::state::AppState;

/// An engine error as the window shows it: a relay's refusal as the relay worded it (kind
/// `relay`), anything else as usual.
pub fn refusal(e: EngineError) -> CommandError {
    match e {
        EngineError::Api(ApiError::Relay { message, .. })
        | EngineError::Dial(DialError::Relay(ApiError::Relay { message, .. })) => {
            CommandError::new(ErrorKind::Relay, message)
        }
        other => CommandError::from(other),
    }
}

/// What the call's PBX lets this agent do with it; the card offers exactly these.
#[tauri::command]
pub async fn call_actions(
    state: State<'_, AppState>,
    call_id: String,
) -> CommandResult<CallActionsDto> {
    let actions = state.engine.actions(&call_id).await.map_err(refusal)?;
    Ok(actions.into())
}

/// One action on a call in progress: hold, resume, hang up, transfer (blind or attended),
/// complete or cancel an attended transfer, or a supervisor's coach.
#[tauri::command]
pub async fn call_control(
    state: State<'_, AppState>,
    call_id: String,
    request: ControlRequestDto,
) -> CommandResult<()> {
    let engine = &state.engine;
    let done = match request {
        ControlRequestDto::Hold => engine.hold(&call_id).await,
        ControlRequestDto::Resume => engine.resume(&call_id).await,
        ControlRequestDto::Hangup => engine.hangup(&call_id).await,
        ControlRequestDto::Transfer { to, attended } => {
            if to.trim().is_empty() {
                return Err(CommandError::new(
                    ErrorKind::Invalid,
                    "a transfer needs a colleague or a number",
                ));
            }
            engine.transfer(&call_id, &to, attended).await
        }
        ControlRequestDto::TransferComplete => engine.transfer_complete(&call_id).await,
        ControlRequestDto::TransferCancel => engine.transfer_cancel(&call_id).await,
        ControlRequestDto::Coach { mode } => {
            engine.coach(&call_id, mode.map(Into::into), None).await
        }
    };
    done.map_err(refusal)?;
    Ok(())
}

/// Every agent's status, on a call or not, and who this agent is among them.
#[tauri::command]
pub async fn team_presence(app: AppHandle) -> CommandResult<TeamPresenceDto> {
    crate::presence::team(&app).await
}

/// This agent's status as last heard (the tray and the status control start from it).
#[tauri::command]
pub fn presence_mine(app: AppHandle) -> Option<AgentPresenceDto> {
    crate::presence::mine(&app)
}

/// Sets this agent's status (the tray's menu items run the same function).
#[tauri::command]
pub async fn presence_set(
    app: AppHandle,
    status: PresenceStatusDto,
    reason: Option<String>,
) -> CommandResult<AgentPresenceDto> {
    crate::presence::set(&app, status, reason).await
}

/// The break reasons from the admin's list.
#[tauri::command]
pub async fn break_reasons(app: AppHandle) -> CommandResult<Vec<String>> {
    crate::presence::load_reasons(&app).await
}
