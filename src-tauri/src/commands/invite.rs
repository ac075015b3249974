//! The invite confirmation (see [`crate::invite`]): what link is waiting, sign in with it, or
//! leave it.

use tauri::{AppHandle, Manager, State};

use crate::dto::SettingsDto;
use crate::error::CommandResult;
use crate::invite::{InviteDto, PendingInvite};
use crate::state::AppState;

/// The link waiting for the agent's answer, if any (the window asks when it loads).
#[tauri::command]
pub fn invite_pending(pending: State<'_, PendingInvite>) -> Option<InviteDto> {
    pending.view()
}

/// Exchanges the waiting link's code for the token and signs in.
#[tauri::command]
pub async fn invite_accept(app: AppHandle) -> CommandResult<SettingsDto> {
    crate::invite::accept(&app).await?;
    super::session::settings_get(app.clone(), app.state::<AppState>()).await
}

/// Forgets the waiting link without using it.
#[tauri::command]
pub fn invite_dismiss(app: AppHandle) {
    crate::invite::dismiss(&app);
}
