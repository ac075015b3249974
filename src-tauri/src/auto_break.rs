//! The automatic break (a setting, off by default): when the screen locks or the system goes
//! to sleep, an agent who is available goes on a break, so the PBX stops ringing an empty
//! desk; when the screen unlocks (or the system resumes with the screen unlocked), the agent
//! is available again — but only if Trubka put them on that break and they are still on it:
//! a status the agent or the PBX cabinet set meanwhile stays.
//!
//! [`AutoBreak`] decides; [`spawn`] listens to [`LockSignals`] and sets the status through
//! [`crate::presence`]. Going to sleep waits for the break: on Linux the app holds logind's
//! `delay` sleep inhibitor and lets it go once the relay answered (or after a few seconds);
//! where no inhibitor can be had the sleep does not wait, and the relay's read-back shows
//! what the PBX has after the resume.

use std::sync::Mutex;

use tauri::{AppHandle, Manager};

use crate::dto::control::{AgentPresenceDto, PresenceStatusDto};
use crate::platform::{Handled, LockSignals, Os};
use crate::state::AppState;

/// What the system said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockSignal {
    Locked,
    Unlocked,
    Sleeping,
    Resumed,
}

/// Whether Trubka is holding the agent on a break it set, and whether the screen is locked.
#[derive(Debug, Default)]
pub struct AutoBreak {
    break_set_by_us: bool,
    locked: bool,
}

impl AutoBreak {
    /// The status to set after `signal`, given the agent's `current` presence; `None` to
    /// leave it.
    pub fn on(
        &mut self,
        signal: LockSignal,
        current: Option<&AgentPresenceDto>,
    ) -> Option<PresenceStatusDto> {
        let status = current.and_then(|p| p.status);
        match signal {
            LockSignal::Locked | LockSignal::Sleeping => {
                if signal == LockSignal::Locked {
                    self.locked = true;
                }
                if status == Some(PresenceStatusDto::Available) {
                    self.break_set_by_us = true;
                    return Some(PresenceStatusDto::Break);
                }
                None
            }
            // A resume usually shows the lock screen: wait for the unlock then.
            LockSignal::Resumed if self.locked => None,
            LockSignal::Unlocked | LockSignal::Resumed => {
                self.locked = false;
                if !std::mem::take(&mut self.break_set_by_us) {
                    return None;
                }
                let still_ours = status == Some(PresenceStatusDto::Break)
                    && current.is_some_and(|p| p.reason.is_none());
                still_ours.then_some(PresenceStatusDto::Available)
            }
        }
    }
}

/// The app's [`AutoBreak`], in Tauri's managed state.
#[derive(Debug, Default)]
pub struct AutoBreakState(pub Mutex<AutoBreak>);

/// Starts listening; ends quietly where the system has no such signals.
pub fn spawn(app: &AppHandle) {
    app.manage(AutoBreakState::default());
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        let result = Os::watch_lock(move |signal| on_signal(&handle, signal)).await;
        if let Err(e) = result {
            tracing::info!(error = %e, "no screen lock signals; the automatic break cannot work");
        }
    });
}

/// Sets the status `signal` calls for, if any; the returned future ends when it is set (or
/// refused).
fn on_signal(app: &AppHandle, signal: LockSignal) -> Handled {
    tracing::debug!(?signal, "lock signal");
    if !app.state::<AppState>().prefs().auto_break {
        return Box::pin(std::future::ready(()));
    }
    let current = crate::presence::mine(app);
    let next = app
        .state::<AutoBreakState>()
        .0
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .on(signal, current.as_ref());
    let Some(status) = next else {
        return Box::pin(std::future::ready(()));
    };
    tracing::info!(?signal, ?status, "automatic break");
    let setting = crate::presence::set_in_background(app, status, None);
    Box::pin(async move {
        // A task that failed has said so (`presence-failed`); either way it is over.
        let _ = setting.await;
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn me(status: PresenceStatusDto, reason: Option<&str>) -> Option<AgentPresenceDto> {
        Some(AgentPresenceDto {
            agent: "Анна".to_owned(),
            status: Some(status),
            reason: reason.map(str::to_owned),
            on_call: false,
            supervisor: false,
        })
    }

    use LockSignal::*;
    use PresenceStatusDto::*;

    #[test]
    fn a_lock_breaks_an_available_agent_and_the_unlock_brings_them_back() {
        let mut auto = AutoBreak::default();
        assert_eq!(auto.on(Locked, me(Available, None).as_ref()), Some(Break));
        // Sleep after the lock, resume to the lock screen: nothing yet.
        assert_eq!(auto.on(Sleeping, me(Break, None).as_ref()), None);
        assert_eq!(auto.on(Resumed, me(Break, None).as_ref()), None);
        assert_eq!(auto.on(Unlocked, me(Break, None).as_ref()), Some(Available));
        // Once: a second unlock changes nothing.
        assert_eq!(auto.on(Unlocked, me(Available, None).as_ref()), None);
    }

    #[test]
    fn a_status_the_agent_chose_is_left_alone() {
        let mut auto = AutoBreak::default();
        // Already on a lunch break or do-not-disturb: no automatic break, nothing to undo.
        assert_eq!(auto.on(Locked, me(Break, Some("Обед")).as_ref()), None);
        assert_eq!(auto.on(Unlocked, me(Break, Some("Обед")).as_ref()), None);
        assert_eq!(auto.on(Locked, me(Dnd, None).as_ref()), None);
        assert_eq!(auto.on(Unlocked, me(Dnd, None).as_ref()), None);
        // Our break, changed in the PBX cabinet to a lunch meanwhile: it stays.
        assert_eq!(auto.on(Sleeping, me(Available, None).as_ref()), Some(Break));
        assert_eq!(auto.on(Resumed, me(Break, Some("Обед")).as_ref()), None);
        // Unknown status (the relay has not read it): nothing.
        assert_eq!(auto.on(Locked, None), None);
    }

    #[test]
    fn a_sleep_without_a_lock_ends_at_the_resume() {
        let mut auto = AutoBreak::default();
        assert_eq!(auto.on(Sleeping, me(Available, None).as_ref()), Some(Break));
        assert_eq!(auto.on(Resumed, me(Break, None).as_ref()), Some(Available));
    }
}
