//! Sign-in, sign-out, the status line and settings.

use std::collections::BTreeSet;

use tauri::{AppHandle, Emitter, Manager, State};
use tauri_plugin_autostart::ManagerExt;
use trubka_agent::contacts::BUILTIN_FIELDS;

use crate::dto::{SettingsDto, SettingsPatch, StatusDto};
use crate::error::{CommandError, CommandResult, ErrorKind};
use crate::state::AppState;

#[tauri::command]
pub async fn status(state: State<'_, AppState>) -> CommandResult<StatusDto> {
    Ok(state.status().await)
}

/// Checks the token with the relay, keeps it, and starts the stream.
#[tauri::command]
pub async fn sign_in(
    app: AppHandle,
    relay_url: String,
    token: String,
) -> CommandResult<SettingsDto> {
    crate::session::sign_in(&app, &relay_url, &token).await?;
    settings_get(app.clone(), app.state::<AppState>()).await
}

#[tauri::command]
pub async fn sign_out(app: AppHandle, state: State<'_, AppState>) -> CommandResult<()> {
    state.engine.logout().await?;
    crate::events::refresh_status(&app);
    Ok(())
}

#[tauri::command]
pub async fn settings_get(
    app: AppHandle,
    state: State<'_, AppState>,
) -> CommandResult<SettingsDto> {
    let engine = &state.engine;
    let settings = engine.settings();
    let prefs = state.prefs();
    let mut available: Vec<String> = BUILTIN_FIELDS.iter().map(|f| (*f).to_owned()).collect();
    let extra: BTreeSet<String> = engine
        .all_contacts()
        .await?
        .into_iter()
        .flat_map(|c| c.fields.into_keys())
        .collect();
    available.extend(
        extra
            .into_iter()
            .filter(|f| !BUILTIN_FIELDS.contains(&f.as_str())),
    );
    Ok(SettingsDto {
        relay_url: settings.relay_url,
        supervisor: settings.me.as_ref().is_some_and(|m| m.supervisor),
        agent: settings.me.map(|m| m.name),
        card_fields: settings.card_fields,
        available_fields: available,
        popup: prefs.popup,
        sound: prefs.sound,
        language: prefs.language,
        autostart: app.autolaunch().is_enabled().unwrap_or(prefs.autostart),
        shortcut: prefs.shortcut,
        auto_break: prefs.auto_break,
        break_shortcut: prefs.break_shortcut,
        open_contact_on_answer: prefs.open_contact_on_answer,
        token_store: state.secrets.store().as_str().to_owned(),
        profile_dir: engine.profile().dir().display().to_string(),
    })
}

#[tauri::command]
pub async fn settings_update(
    app: AppHandle,
    state: State<'_, AppState>,
    patch: SettingsPatch,
) -> CommandResult<SettingsDto> {
    if let Some(fields) = patch.card_fields {
        state
            .engine
            .update_settings(move |s| s.card_fields = fields)
            .await?;
    }
    if let Some(enable) = patch.autostart {
        let launcher = app.autolaunch();
        let result = if enable {
            launcher.enable()
        } else {
            launcher.disable()
        };
        result.map_err(|e| CommandError::new(ErrorKind::Io, e.to_string()))?;
    }
    let prefs = state
        .update_prefs(|p| {
            if let Some(popup) = patch.popup {
                p.popup = popup;
            }
            if let Some(sound) = patch.sound {
                p.sound = sound;
            }
            if let Some(language) = patch.language {
                p.language = language;
            }
            if let Some(autostart) = patch.autostart {
                p.autostart = autostart;
            }
            if let Some(auto_break) = patch.auto_break {
                p.auto_break = auto_break;
            }
            if let Some(open) = patch.open_contact_on_answer {
                p.open_contact_on_answer = open;
            }
        })
        .map_err(|e| CommandError::new(ErrorKind::Io, e.to_string()))?;
    crate::tray::refresh(
        &app,
        Some(&crate::dto::ConnectionDto::from(
            &*state.engine.status().borrow(),
        )),
    );
    let _ = app.emit("prefs-changed", prefs.popup);
    settings_get(app.clone(), state).await
}

/// The main window drew its first screen: logs the time since the process started (the
/// cold-start figure `scripts/measure-app.sh` reads).
#[tauri::command]
pub fn ui_ready(window: tauri::Window) {
    let since_start = crate::perf::since_process_start_ms();
    tracing::info!(target: "trubka::perf", window = window.label(), since_start_ms = since_start, "ui ready");
    crate::perf::line(&format!(
        "ui_ready window={} ms={since_start}",
        window.label()
    ));
}
