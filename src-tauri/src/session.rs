//! Signing in (from the sign-in screen or the command line) and starting the stream for a
//! profile that is signed in already.

use tauri::{AppHandle, Manager};

use crate::error::CommandResult;
use crate::state::AppState;

/// Checks `token` with the relay, keeps it (the engine writes it to [`crate::secrets`]: the
/// keyring, or the 0600 file), starts the stream.
pub async fn sign_in(app: &AppHandle, relay_url: &str, token: &str) -> CommandResult<()> {
    let state = app.state::<AppState>();
    let me = state.engine.login(relay_url, token).await?;
    tracing::info!(agent = %me.name, relay = %relay_url, "signed in");
    state.engine.start()?;
    crate::events::refresh_status(app);
    Ok(())
}

/// At start: signs in with `--relay/--token` when given, else resumes a stored sign-in.
pub fn resume(app: &AppHandle, relay: Option<String>, token: Option<String>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        if let (Some(relay), Some(token)) = (relay, token) {
            if let Err(e) = sign_in(&app, &relay, &token).await {
                tracing::error!(error = %e.message, "sign-in from the command line failed");
            }
            return;
        }
        let state = app.state::<AppState>();
        if state.engine.settings().relay_url.is_some()
            && let Err(e) = state.engine.start()
        {
            tracing::info!(error = %e, "not signed in yet");
        }
    });
}
