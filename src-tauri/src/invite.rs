//! `trubka://join?relay=…&code=…`: the link the relay's invite page opens. The app is its
//! handler (the deep-link scheme, like `tel:`); a link reaches a running app through the
//! single-instance plugin. Nothing is used up on arrival: the app asks the relay who the link
//! signs in (`GET /v1/join/{code}`), shows the main window with a confirmation, and only on
//! «Войти» exchanges the code for the token ([`trubka_agent::Engine::login_with_invite`]),
//! which goes to the keyring like a token typed in.
//!
//! The link waits here ([`PendingInvite`]) until the agent answers, so one that arrives
//! before the main window listens (the first start) is still shown: the window asks for it
//! when it loads (`invite_pending`) and hears of every change (the `invite` event).

use std::sync::Mutex;

use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager};
use trubka_agent::invite::{Invite, parse_invite, preview};
use trubka_agent::relay_api::ApiError;
use ts_rs::TS;

use crate::error::{CommandError, CommandResult, ErrorKind};
use crate::state::AppState;

/// What the confirmation shows. The code itself stays in the shell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct InviteDto {
    /// The relay the link signs in to.
    pub relay: String,
    /// Who it signs in, once the relay said.
    pub agent: Option<String>,
    /// RFC 3339, once the relay said.
    pub expires_at: Option<String>,
    /// Still asking the relay.
    pub checking: bool,
    /// Why the link cannot be used (used, expired, revoked, unknown, no relay).
    pub error: Option<CommandError>,
}

/// The link waiting for the agent's answer, if any.
#[derive(Default)]
pub struct PendingInvite(Mutex<Option<(Option<Invite>, InviteDto)>>);

impl PendingInvite {
    fn set(&self, value: Option<(Option<Invite>, InviteDto)>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = value;
    }

    /// What the window shows now.
    pub fn view(&self) -> Option<InviteDto> {
        let guard = self.0.lock().unwrap_or_else(|e| e.into_inner());
        guard.as_ref().map(|(_, view)| view.clone())
    }

    fn invite(&self) -> Option<Invite> {
        let guard = self.0.lock().unwrap_or_else(|e| e.into_inner());
        guard.as_ref().and_then(|(invite, _)| invite.clone())
    }

    /// Updates the view if `invite` is still the one waiting (a newer link replaces it).
    fn update(&self, invite: &Invite, change: impl FnOnce(&mut InviteDto)) -> Option<InviteDto> {
        let mut guard = self.0.lock().unwrap_or_else(|e| e.into_inner());
        match guard.as_mut() {
            Some((Some(waiting), view)) if waiting == invite => {
                change(view);
                Some(view.clone())
            }
            _ => None,
        }
    }
}

/// Whether a command-line argument is an app link (as opposed to `tel:` or an option).
pub fn is_invite_link(arg: &str) -> bool {
    arg.trim()
        .get(..7)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("trubka:"))
}

/// The kind of a refusal, for the UI's sentence of what to ask the admin for.
pub fn refusal_kind(code: &str) -> Option<ErrorKind> {
    match code {
        "invite_used" => Some(ErrorKind::InviteUsed),
        "invite_expired" => Some(ErrorKind::InviteExpired),
        "invite_revoked" => Some(ErrorKind::InviteRevoked),
        "invite_unknown" => Some(ErrorKind::InviteUnknown),
        _ => None,
    }
}

fn emit(app: &AppHandle, view: Option<&InviteDto>) {
    let _ = app.emit_to(crate::windows::MAIN, "invite", view);
}

/// Takes an app link: shows the confirmation and asks the relay who it signs in.
pub fn handle(app: &AppHandle, link: &str) {
    let pending = app.state::<PendingInvite>();
    crate::windows::show_main(app);
    let invite = match parse_invite(link) {
        Ok(invite) => invite,
        Err(e) => {
            tracing::warn!("an app link that is no invite");
            let view = InviteDto {
                relay: String::new(),
                agent: None,
                expires_at: None,
                checking: false,
                error: Some(CommandError::new(ErrorKind::InviteUnknown, e.to_string())),
            };
            pending.set(Some((None, view.clone())));
            emit(app, Some(&view));
            return;
        }
    };
    tracing::info!(relay = %invite.relay, "an invite link arrived");
    let view = InviteDto {
        relay: invite.relay.clone(),
        agent: None,
        expires_at: None,
        checking: true,
        error: None,
    };
    pending.set(Some((Some(invite.clone()), view.clone())));
    emit(app, Some(&view));
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let answer = preview(&invite).await;
        let pending = app.state::<PendingInvite>();
        let view = pending.update(&invite, |view| {
            view.checking = false;
            match answer {
                Ok(preview) => {
                    view.agent = Some(preview.agent);
                    view.expires_at = Some(preview.expires_at);
                }
                Err(e) => view.error = Some(api_error(e)),
            }
        });
        if let Some(view) = view {
            emit(&app, Some(&view));
        }
    });
}

fn api_error(e: ApiError) -> CommandError {
    let kind = match &e {
        ApiError::Relay { code, .. } => refusal_kind(code),
        _ => None,
    };
    match (kind, e) {
        (Some(kind), ApiError::Relay { message, .. }) => CommandError::new(kind, message),
        (_, e) => CommandError::from(trubka_agent::engine::EngineError::Api(e)),
    }
}

/// The agent confirmed: exchanges the code, signs in, starts the stream.
pub async fn accept(app: &AppHandle) -> CommandResult<()> {
    let pending = app.state::<PendingInvite>();
    let invite = pending
        .invite()
        .ok_or_else(|| CommandError::new(ErrorKind::InviteUnknown, "no invite link is waiting"))?;
    let state = app.state::<AppState>();
    match state.engine.login_with_invite(&invite).await {
        Ok(me) => {
            tracing::info!(agent = %me.name, relay = %invite.relay, "signed in by invite link");
            pending.set(None);
            emit(app, None);
            state.engine.start()?;
            crate::events::refresh_status(app);
            Ok(())
        }
        Err(trubka_agent::engine::EngineError::Api(e)) => {
            let error = api_error(e);
            if let Some(view) = pending.update(&invite, |view| view.error = Some(error.clone())) {
                emit(app, Some(&view));
            }
            Err(error)
        }
        Err(e) => Err(e.into()),
    }
}

/// The agent declined, or closed the message.
pub fn dismiss(app: &AppHandle) {
    app.state::<PendingInvite>().set(None);
    emit(app, None);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_links_are_told_from_other_arguments_and_refusals_get_kinds() {
        assert!(is_invite_link(
            "trubka://join?relay=https://r.example&code=abc"
        ));
        assert!(is_invite_link(" TRUBKA:join?code=abc"));
        assert!(!is_invite_link("tel:+79261234567"));
        assert!(!is_invite_link("--hidden"));
        assert!(!is_invite_link("trubka"));
        assert_eq!(refusal_kind("invite_used"), Some(ErrorKind::InviteUsed));
        assert_eq!(
            refusal_kind("invite_revoked"),
            Some(ErrorKind::InviteRevoked)
        );
        assert_eq!(refusal_kind("not_found"), None);
        let refused = api_error(ApiError::Relay {
            status: 410,
            code: "invite_expired".into(),
            message: "срок истёк".into(),
        });
        assert_eq!(refused.kind, ErrorKind::InviteExpired);
        assert_eq!(refused.message, "срок истёк");
        assert_eq!(
            api_error(ApiError::Network("down".into())).kind,
            ErrorKind::Network
        );
    }
}
