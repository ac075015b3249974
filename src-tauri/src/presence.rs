//! The agent's own status, set from the tray, the main window's status control, the global
//! shortcut and the automatic break, and kept in step with the relay: its `presence` frames
//! and the list read when the stream connects (a status changed in the PBX cabinet shows on
//! the relay's next read). Every change goes to all windows as the `presence` event and to the
//! tray's menu, so the three places always show the same status.

use std::sync::Mutex;

use tauri::{AppHandle, Emitter, Manager};
use trubka_protocol::control::AgentPresence;

use crate::dto::control::{AgentPresenceDto, PresenceStatusDto, TeamPresenceDto};
use crate::error::CommandResult;
use crate::state::AppState;

/// This agent's last known presence and the admin's break reasons.
#[derive(Debug, Default)]
pub struct MyPresence {
    mine: Mutex<Option<AgentPresenceDto>>,
    reasons: Mutex<Vec<String>>,
}

/// Puts [`MyPresence`] in Tauri's managed state.
pub fn manage(app: &AppHandle) {
    app.manage(MyPresence::default());
}

fn my_name(app: &AppHandle) -> Option<String> {
    app.state::<AppState>().engine.settings().me.map(|m| m.name)
}

fn same_name(a: &str, b: &str) -> bool {
    a.to_lowercase() == b.to_lowercase()
}

/// This agent's presence as last heard.
pub fn mine(app: &AppHandle) -> Option<AgentPresenceDto> {
    let state = app.try_state::<MyPresence>()?;
    state.mine.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

/// The break reasons as last read.
pub fn reasons(app: &AppHandle) -> Vec<String> {
    app.try_state::<MyPresence>()
        .map(|s| s.reasons.lock().unwrap_or_else(|e| e.into_inner()).clone())
        .unwrap_or_default()
}

fn remember(app: &AppHandle, presence: AgentPresenceDto) {
    if let Some(state) = app.try_state::<MyPresence>() {
        *state.mine.lock().unwrap_or_else(|e| e.into_inner()) = Some(presence);
    }
    crate::tray::refresh_presence(app);
}

/// Sets this agent's status through the relay and tells every window and the tray.
pub async fn set(
    app: &AppHandle,
    status: PresenceStatusDto,
    reason: Option<String>,
) -> CommandResult<AgentPresenceDto> {
    let engine = app.state::<AppState>().engine.clone();
    let answer = engine
        .set_presence(status.into(), reason)
        .await
        .map_err(crate::commands::control::refusal)?;
    let dto = AgentPresenceDto::from(&answer);
    remember(app, dto.clone());
    let _ = app.emit("presence", &dto);
    Ok(dto)
}

/// [`set`] from the tray, the shortcut or the automatic break: a refusal reaches the main
/// window as the `presence-failed` event (shown as a toast). The handle says when it is over
/// (the automatic break holds a sleep back until then); dropping it leaves the task running.
pub fn set_in_background(
    app: &AppHandle,
    status: PresenceStatusDto,
    reason: Option<String>,
) -> tauri::async_runtime::JoinHandle<()> {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        if let Err(e) = set(&app, status, reason).await {
            tracing::warn!(error = %e, ?status, "cannot set the status");
            let _ = app.emit_to(crate::windows::MAIN, "presence-failed", &e);
        }
    })
}

/// The global shortcut: a break when not on one, available when on one.
pub fn toggle_break(app: &AppHandle) {
    let on_break = mine(app).and_then(|p| p.status) == Some(PresenceStatusDto::Break);
    let next = if on_break {
        PresenceStatusDto::Available
    } else {
        PresenceStatusDto::Break
    };
    set_in_background(app, next, None);
}

/// A `presence` frame from the relay: to every window, and kept when it is this agent's.
pub fn on_frame(app: &AppHandle, presence: &AgentPresence) {
    let dto = AgentPresenceDto::from(presence);
    if my_name(app).is_some_and(|me| same_name(&me, &dto.agent)) {
        remember(app, dto.clone());
    }
    let _ = app.emit("presence", &dto);
}

/// The team's presence read now; this agent's entry is kept.
pub async fn team(app: &AppHandle) -> CommandResult<TeamPresenceDto> {
    let state = app.state::<AppState>();
    let list = state
        .engine
        .presence()
        .await
        .map_err(crate::commands::control::refusal)?;
    let me = state.engine.settings().me;
    let agents: Vec<AgentPresenceDto> = list.agents.iter().map(AgentPresenceDto::from).collect();
    if let Some(me) = &me
        && let Some(entry) = agents.iter().find(|a| same_name(&a.agent, &me.name))
    {
        remember(app, entry.clone());
    }
    Ok(TeamPresenceDto {
        supervisor: me.as_ref().is_some_and(|m| m.supervisor),
        me: me.map(|m| m.name),
        agents,
    })
}

/// The break reasons read now (kept for the tray).
pub async fn load_reasons(app: &AppHandle) -> CommandResult<Vec<String>> {
    let engine = app.state::<AppState>().engine.clone();
    let list = engine
        .break_reasons()
        .await
        .map_err(crate::commands::control::refusal)?;
    if let Some(state) = app.try_state::<MyPresence>() {
        *state.reasons.lock().unwrap_or_else(|e| e.into_inner()) = list.clone();
    }
    crate::tray::refresh_reasons(app);
    Ok(list)
}

/// On connecting: this agent's status and the break reasons, for the tray and the windows.
pub fn load(app: &AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        match team(&app).await {
            Ok(team) => {
                if let Some(mine) = mine(&app) {
                    let _ = app.emit("presence", &mine);
                }
                tracing::debug!(agents = team.agents.len(), "presence read");
            }
            Err(e) => tracing::info!(error = %e, "no presence from the relay"),
        }
        if let Err(e) = load_reasons(&app).await {
            tracing::info!(error = %e, "no break reasons from the relay");
        }
    });
}
