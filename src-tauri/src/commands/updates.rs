//! The update notice (see [`crate::updates`]): what was found, check now, install it.

use tauri::{AppHandle, State};

use crate::updates::{UpdateDto, Updates};

/// What the last check found (the window asks when it loads).
#[tauri::command]
pub fn update_status(updates: State<'_, Updates>) -> UpdateDto {
    updates.view()
}

/// Asks the relay now.
#[tauri::command]
pub async fn update_check(app: AppHandle) -> UpdateDto {
    crate::updates::check(&app).await
}

/// Downloads, verifies and installs what the last check found; the app then restarts.
#[tauri::command]
pub async fn update_install(app: AppHandle) -> UpdateDto {
    crate::updates::install(&app).await
}
