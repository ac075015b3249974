//! Updates from the relay the app is signed in to, through tauri-plugin-updater.
//!
//! The endpoint is built at each check from the signed-in relay's URL
//! (`{relay}/v1/app/update/{{target}}/{{arch}}/{{current_version}}?bundle={{bundle_type}}`,
//! see docs/protocol.md «App updates») and the agent's token goes with it as a bearer header,
//! for the check and the download alike. The plugin verifies the package's signature with the
//! public key built into the app before it installs anything; a mismatch is an error whose
//! text the window shows.
//!
//! The app checks once the session is up and hourly after that, and when the agent asks
//! (`update_check`); what it found waits here ([`Updates`]) and reaches the main window as
//! the `update` event, so a notice found before the window listened is still shown.

use std::sync::Mutex;
use std::time::Duration;

use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager};
use tauri_plugin_updater::{Update, UpdaterExt};
use trubka_agent::tokens::TokenStore;
use ts_rs::TS;

use crate::state::AppState;

/// The public key of the update key pair (the `.pub` file's one base64 line), compiled in
/// from `TRUBKA_UPDATER_PUBKEY` at build time.
const BUILT_IN_PUBKEY: Option<&str> = option_env!("TRUBKA_UPDATER_PUBKEY");

/// How often a running app asks again.
const INTERVAL: Duration = Duration::from_secs(3600);
/// One check's (and the download's connection's) bound.
const TIMEOUT: Duration = Duration::from_secs(30);

/// The key the signature is checked with. A debug build also takes `TRUBKA_UPDATER_PUBKEY`
/// from the environment at run time, because the app's end-to-end test makes its key pair
/// after the app was built; a release build never does, or anyone who can set a variable
/// for the agent's session could have it install their build.
fn pubkey() -> Option<String> {
    #[cfg(debug_assertions)]
    if let Some(key) = std::env::var("TRUBKA_UPDATER_PUBKEY")
        .ok()
        .filter(|k| !k.trim().is_empty())
    {
        return Some(key);
    }
    BUILT_IN_PUBKEY
        .map(str::to_owned)
        .filter(|k| !k.trim().is_empty())
}

/// Where the update stands, for the main window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum UpdatePhase {
    /// Not asked yet, or not signed in.
    Idle,
    Checking,
    /// The relay has nothing newer.
    Current,
    /// A newer build is waiting for «Установить».
    Available,
    Downloading,
    Installing,
    /// Installed; the app restarts into it.
    Installed,
    /// Downloaded and its signature verified, but this copy was not installed from a package
    /// (run from a build folder), so there is nothing the updater may replace: writing the
    /// package over the running executable, as it would, leaves no app at all.
    Unpackaged,
    Failed,
    /// This build has no public key to check signatures with, so it does not update.
    NoKey,
}

/// The update notice the main window shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct UpdateDto {
    pub phase: UpdatePhase,
    /// This app's version.
    pub current_version: String,
    /// The newer version, once found.
    pub version: Option<String>,
    /// What is new, as the admin wrote it.
    pub notes: Option<String>,
    /// Bytes downloaded so far, and of how many (when the relay said).
    #[ts(type = "number")]
    pub downloaded: u64,
    #[ts(type = "number | null")]
    pub total: Option<u64>,
    /// Why the check or the install failed: the updater's own words (a refused signature,
    /// an unreachable relay, a package the system would not install).
    pub error: Option<String>,
}

/// The last thing found, and the update it found (kept for «Установить»).
pub struct Updates {
    view: Mutex<UpdateDto>,
    found: Mutex<Option<Update>>,
}

impl Updates {
    pub fn new(current_version: String) -> Updates {
        Updates {
            view: Mutex::new(UpdateDto {
                phase: UpdatePhase::Idle,
                current_version,
                version: None,
                notes: None,
                downloaded: 0,
                total: None,
                error: None,
            }),
            found: Mutex::new(None),
        }
    }

    pub fn view(&self) -> UpdateDto {
        self.view.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn change(&self, app: &AppHandle, change: impl FnOnce(&mut UpdateDto)) -> UpdateDto {
        let view = {
            let mut view = self.view.lock().unwrap_or_else(|e| e.into_inner());
            change(&mut view);
            view.clone()
        };
        let _ = app.emit("update", view.clone());
        view
    }
}

/// The update endpoint of the relay at `relay_url`, with the plugin's `{{target}}`, `{{arch}}`,
/// `{{current_version}}` and `{{bundle_type}}` variables, which it fills in itself.
pub fn endpoint(relay_url: &str) -> Result<url::Url, url::ParseError> {
    let base = relay_url.trim().trim_end_matches('/');
    format!(
        "{base}/v1/app/update/{{{{target}}}}/{{{{arch}}}}/{{{{current_version}}}}?bundle={{{{bundle_type}}}}"
    )
    .parse()
}

/// Asks the signed-in relay whether a newer build is published, and says what it found.
pub async fn check(app: &AppHandle) -> UpdateDto {
    let updates = app.state::<Updates>();
    if matches!(
        updates.view().phase,
        UpdatePhase::Downloading | UpdatePhase::Installing | UpdatePhase::Installed
    ) {
        return updates.view();
    }
    let Some(key) = pubkey() else {
        return updates.change(app, |v| v.phase = UpdatePhase::NoKey);
    };
    updates.change(app, |v| {
        v.phase = UpdatePhase::Checking;
        v.error = None;
    });
    let found = ask(app, key).await;
    let mut kept = updates.found.lock().unwrap_or_else(|e| e.into_inner());
    match found {
        Ok(Found::Newer(update)) => {
            let (version, notes) = (update.version.clone(), update.body.clone());
            *kept = Some(*update);
            drop(kept);
            tracing::info!(%version, "a newer build is published on the relay");
            updates.change(app, |v| {
                v.phase = UpdatePhase::Available;
                v.version = Some(version);
                v.notes = notes;
            })
        }
        Ok(found) => {
            *kept = None;
            drop(kept);
            let phase = match found {
                Found::SignedOut => UpdatePhase::Idle,
                _ => UpdatePhase::Current,
            };
            updates.change(app, |v| {
                v.phase = phase;
                v.version = None;
                v.notes = None;
            })
        }
        Err(error) => {
            drop(kept);
            tracing::warn!(%error, "update check failed");
            updates.change(app, |v| {
                v.phase = UpdatePhase::Failed;
                v.error = Some(error);
            })
        }
    }
}

/// What a check found: nothing newer, a newer build, or no relay to ask (signed out).
enum Found {
    Current,
    Newer(Box<Update>),
    SignedOut,
}

/// One check against the relay the app is signed in to.
async fn ask(app: &AppHandle, key: String) -> Result<Found, String> {
    let state = app.state::<AppState>();
    let Some(relay) = state.engine.settings().relay_url else {
        return Ok(Found::SignedOut);
    };
    let secrets = state.secrets.clone();
    let token = tauri::async_runtime::spawn_blocking(move || secrets.read())
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    let Some(token) = token else {
        return Ok(Found::SignedOut);
    };
    let endpoint = endpoint(&relay).map_err(|e| format!("{relay}: {e}"))?;
    let updater = app
        .updater_builder()
        .pubkey(key)
        .timeout(TIMEOUT)
        .endpoints(vec![endpoint])
        .and_then(|b| b.header("Authorization", format!("Bearer {token}")))
        .and_then(|b| b.build())
        .map_err(|e| e.to_string())?;
    match updater.check().await.map_err(|e| e.to_string())? {
        Some(update) => Ok(Found::Newer(Box::new(update))),
        None => Ok(Found::Current),
    }
}

/// Downloads the update found, verifies its signature and installs it; then restarts.
pub async fn install(app: &AppHandle) -> UpdateDto {
    let updates = app.state::<Updates>();
    let update = updates
        .found
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .take();
    let Some(update) = update else {
        return updates.view();
    };
    updates.change(app, |v| {
        v.phase = UpdatePhase::Downloading;
        v.downloaded = 0;
        v.total = None;
        v.error = None;
    });
    let progress = app.clone();
    // The download is the package checked against the built-in key, or an error.
    let downloaded = update
        .download(
            move |chunk, total| {
                progress.state::<Updates>().change(&progress, |v| {
                    v.downloaded += chunk as u64;
                    v.total = total;
                });
            },
            || {},
        )
        .await;
    let result = match downloaded {
        Ok(_) if tauri::utils::platform::bundle_type().is_none() => {
            tracing::info!(version = %update.version, "update verified; this copy is not from a package");
            return updates.change(app, |v| v.phase = UpdatePhase::Unpackaged);
        }
        Ok(bytes) => {
            updates.change(app, |v| v.phase = UpdatePhase::Installing);
            // dpkg or rpm under a password prompt, or the AppImage rewritten: blocking work.
            let installing = update.clone();
            tauri::async_runtime::spawn_blocking(move || installing.install(bytes))
                .await
                .unwrap_or_else(|e| {
                    Err(tauri_plugin_updater::Error::Io(std::io::Error::other(
                        e.to_string(),
                    )))
                })
        }
        Err(error) => Err(error),
    };
    match result {
        Ok(()) => {
            tracing::info!(version = %update.version, "update installed; restarting");
            let view = updates.change(app, |v| v.phase = UpdatePhase::Installed);
            let restart = app.clone();
            // A moment for the window to show «установлено» before the new version starts.
            tauri::async_runtime::spawn(async move {
                tokio::time::sleep(Duration::from_secs(2)).await;
                restart.restart();
            });
            view
        }
        Err(error) => {
            let error = error.to_string();
            tracing::warn!(%error, version = %update.version, "update not installed");
            // Kept, so the agent can try again once the cause (a password prompt
            // cancelled, a lost connection) is gone; a bad signature fails again the same way.
            *updates.found.lock().unwrap_or_else(|e| e.into_inner()) = Some(update);
            updates.change(app, |v| {
                v.phase = UpdatePhase::Failed;
                v.error = Some(error);
            })
        }
    }
}

/// Checks once the app is signed in, then every [`INTERVAL`].
pub fn spawn(app: &AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        // Give the session a moment to resume (the relay URL and token are read at start).
        tokio::time::sleep(Duration::from_secs(3)).await;
        loop {
            check(&app).await;
            tokio::time::sleep(INTERVAL).await;
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_endpoint_is_the_signed_in_relays_with_the_plugins_variables() {
        let url = endpoint("https://relay.example.com/").unwrap();
        // url::Url escapes the braces in the path; the plugin replaces both spellings.
        assert_eq!(
            url.as_str(),
            "https://relay.example.com/v1/app/update/%7B%7Btarget%7D%7D/%7B%7Barch%7D%7D/\
             %7B%7Bcurrent_version%7D%7D?bundle={{bundle_type}}"
        );
        assert!(endpoint("not a url").is_err());
    }
}
