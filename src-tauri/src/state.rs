//! What every command and background task shares: the engine, the shell preferences, the
//! token store and the notices on the status line. Held in Tauri's managed state (no globals).

use std::collections::BTreeMap;
use std::sync::Mutex;

use trubka_agent::engine::Engine;

use crate::dto::{ConnectionDto, Notice, StatusDto};
use crate::prefs::Prefs;
use crate::secrets::Secrets;

/// The shared state of the running app.
pub struct AppState {
    pub engine: Engine,
    pub secrets: Secrets,
    prefs: Mutex<Prefs>,
    /// Notices by kind (one of each at most).
    notices: Mutex<BTreeMap<&'static str, Notice>>,
}

fn notice_key(n: &Notice) -> &'static str {
    match n {
        Notice::KeyringFallback { .. } => "keyring",
        Notice::NotificationsUnavailable { .. } => "notifications",
        Notice::ShortcutUnavailable { .. } => "shortcut",
        Notice::Resynced { .. } => "resync",
    }
}

impl AppState {
    pub fn new(engine: Engine, secrets: Secrets, prefs: Prefs) -> AppState {
        let state = AppState {
            engine,
            prefs: Mutex::new(prefs),
            notices: Mutex::default(),
            secrets,
        };
        if let Some(n) = state.secrets.notice() {
            state.set_notice(n);
        }
        state
    }

    pub fn prefs(&self) -> Prefs {
        self.prefs.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Changes the preferences in memory and on disk.
    pub fn update_prefs(&self, change: impl FnOnce(&mut Prefs)) -> std::io::Result<Prefs> {
        let mut guard = self.prefs.lock().unwrap_or_else(|e| e.into_inner());
        let mut next = guard.clone();
        change(&mut next);
        next.save(self.engine.profile().dir())?;
        *guard = next.clone();
        Ok(next)
    }

    pub fn set_notice(&self, notice: Notice) {
        self.notices
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(notice_key(&notice), notice);
    }

    pub fn clear_notice(&self, kind: &'static str) {
        self.notices
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(kind);
    }

    /// The status line right now: the engine's connection state as it is, the notices and
    /// the badge.
    pub async fn status(&self) -> StatusDto {
        let connection = ConnectionDto::from(&*self.engine.status().borrow());
        let badge = self.engine.badge().await.unwrap_or_default();
        StatusDto {
            connection,
            notices: self
                .notices
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .values()
                .cloned()
                .collect(),
            open_followups: badge.open_followups,
            missed_calls: badge.missed_calls,
        }
    }
}
