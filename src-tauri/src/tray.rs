//! The tray icon: its menu shows the connection state and the agent's status, sets the status
//! (available, a break with or without one of the admin's reasons, do not disturb), opens the
//! main window, turns popups on and off, and quits. Left click opens the main window.

use std::sync::Mutex;

use tauri::menu::{CheckMenuItem, Menu, MenuItem, PredefinedMenuItem, Submenu};
use tauri::tray::{MouseButton, MouseButtonState, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Emitter, Manager, Wry};

use crate::dto::control::{AgentPresenceDto, PresenceStatusDto};
use crate::dto::{ConnectionDto, Language, PopupMode};
use crate::i18n::t;
use crate::state::AppState;

/// The menu items that change while the app runs.
pub struct Tray {
    status: MenuItem<Wry>,
    presence: MenuItem<Wry>,
    available: CheckMenuItem<Wry>,
    on_break: Submenu<Wry>,
    break_plain: CheckMenuItem<Wry>,
    /// The admin's reasons in the break submenu, after `break_plain`.
    reasons: Mutex<Vec<CheckMenuItem<Wry>>>,
    dnd: CheckMenuItem<Wry>,
    popups: CheckMenuItem<Wry>,
    open: MenuItem<Wry>,
    quit: MenuItem<Wry>,
}

/// The status words for the tray.
pub fn status_text(lang: Language, c: &ConnectionDto) -> String {
    match c {
        ConnectionDto::Connected { agent } => t(lang, "status.connected", &[("agent", agent)]),
        ConnectionDto::Connecting => t(lang, "status.connecting", &[]),
        ConnectionDto::Reconnecting { .. } => t(lang, "status.reconnecting", &[]),
        ConnectionDto::SignedOut => t(lang, "status.signed_out", &[]),
        ConnectionDto::TokenRevoked => t(lang, "status.token_revoked", &[]),
        ConnectionDto::Rejected { .. } => t(lang, "status.rejected", &[]),
    }
}

/// A status in words: «Перерыв (Обед)», «На месте», «Неизвестно».
pub fn presence_text(lang: Language, presence: Option<&AgentPresenceDto>) -> String {
    let key = match presence.and_then(|p| p.status) {
        Some(PresenceStatusDto::Available) => "presence.available",
        Some(PresenceStatusDto::Break) => "presence.break",
        Some(PresenceStatusDto::Dnd) => "presence.dnd",
        Some(PresenceStatusDto::Offline) => "presence.offline",
        None => "presence.unknown",
    };
    let word = t(lang, key, &[]);
    match presence.and_then(|p| p.reason.as_deref()) {
        Some(reason) => format!("{word} ({reason})"),
        None => word,
    }
}

/// The menu item id of a break reason.
const REASON_ID: &str = "presence:reason:";

/// Builds the tray icon and manages [`Tray`].
pub fn create(app: &AppHandle) -> tauri::Result<()> {
    let prefs = app.state::<AppState>().prefs();
    let lang = prefs.language;
    let status = MenuItem::with_id(
        app,
        "status",
        status_text(lang, &ConnectionDto::Connecting),
        false,
        None::<&str>,
    )?;
    let open = MenuItem::with_id(app, "open", t(lang, "tray.open", &[]), true, None::<&str>)?;
    let popups = CheckMenuItem::with_id(
        app,
        "popups",
        t(lang, "tray.popups", &[]),
        true,
        prefs.popup != PopupMode::Off,
        None::<&str>,
    )?;
    let quit = MenuItem::with_id(app, "quit", t(lang, "tray.quit", &[]), true, None::<&str>)?;
    let presence = MenuItem::with_id(
        app,
        "presence",
        t(
            lang,
            "tray.status",
            &[("status", &presence_text(lang, None))],
        ),
        false,
        None::<&str>,
    )?;
    let check = |id: &str, key: &str| {
        CheckMenuItem::with_id(app, id, t(lang, key, &[]), true, false, None::<&str>)
    };
    let available = check("presence:available", "presence.available")?;
    let break_plain = check("presence:break", "presence.no_reason")?;
    let dnd = check("presence:dnd", "presence.dnd")?;
    let on_break = Submenu::with_id_and_items(
        app,
        "presence:breaks",
        t(lang, "presence.break", &[]),
        true,
        &[&break_plain],
    )?;
    let separator = PredefinedMenuItem::separator(app)?;
    let separator2 = PredefinedMenuItem::separator(app)?;
    let menu = Menu::with_items(
        app,
        &[
            &status,
            &presence,
            &available,
            &on_break,
            &dnd,
            &separator,
            &open,
            &popups,
            &separator2,
            &quit,
        ],
    )?;
    let mut builder = TrayIconBuilder::with_id("trubka")
        .tooltip(t(lang, "tray.tooltip", &[]))
        .menu(&menu)
        .show_menu_on_left_click(false)
        .on_menu_event(|app, event| match event.id().as_ref() {
            "open" => crate::windows::show_main(app),
            "popups" => toggle_popups(app),
            "quit" => app.exit(0),
            id => on_presence_item(app, id),
        })
        .on_tray_icon_event(|tray, event| {
            if let TrayIconEvent::Click {
                button: MouseButton::Left,
                button_state: MouseButtonState::Up,
                ..
            } = event
            {
                crate::windows::show_main(tray.app_handle());
            }
        });
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    builder.build(app)?;
    app.manage(Tray {
        status,
        presence,
        available,
        on_break,
        break_plain,
        reasons: Mutex::default(),
        dnd,
        popups,
        open,
        quit,
    });
    Ok(())
}

/// A status item of the menu: the same [`crate::presence::set`] as the main window's control
/// (the `presence_set` command).
fn on_presence_item(app: &AppHandle, id: &str) {
    let (status, reason) = match id {
        "presence:available" => (PresenceStatusDto::Available, None),
        "presence:break" => (PresenceStatusDto::Break, None),
        "presence:dnd" => (PresenceStatusDto::Dnd, None),
        other => match other.strip_prefix(REASON_ID) {
            Some(reason) => (PresenceStatusDto::Break, Some(reason.to_owned())),
            None => return,
        },
    };
    crate::presence::set_in_background(app, status, reason);
    // The check marks follow the relay's answer, not the click.
    refresh_presence(app);
}

/// Puts the admin's break reasons into the break submenu.
pub fn refresh_reasons(app: &AppHandle) {
    let Some(tray) = app.try_state::<Tray>() else {
        return;
    };
    // Menu calls wait for the main thread, which may itself be in `refresh_presence`: no lock
    // is held across them.
    let old = std::mem::take(&mut *tray.reasons.lock().unwrap_or_else(|e| e.into_inner()));
    for item in &old {
        let _ = tray.on_break.remove(item);
    }
    let mut items = Vec::new();
    for reason in crate::presence::reasons(app) {
        let id = format!("{REASON_ID}{reason}");
        match CheckMenuItem::with_id(app, id, &reason, true, false, None::<&str>) {
            Ok(item) => {
                let _ = tray.on_break.append(&item);
                items.push(item);
            }
            Err(e) => tracing::warn!(error = %e, "cannot add a break reason to the tray"),
        }
    }
    *tray.reasons.lock().unwrap_or_else(|e| e.into_inner()) = items;
    refresh_presence(app);
}

/// Shows the agent's status in the menu and checks its item.
pub fn refresh_presence(app: &AppHandle) {
    let Some(tray) = app.try_state::<Tray>() else {
        return;
    };
    let lang = app.state::<AppState>().prefs().language;
    let mine = crate::presence::mine(app);
    let status = mine.as_ref().and_then(|p| p.status);
    let reason = mine.as_ref().and_then(|p| p.reason.clone());
    let text = presence_text(lang, mine.as_ref());
    let _ = tray
        .presence
        .set_text(t(lang, "tray.status", &[("status", &text)]));
    let is = |s: PresenceStatusDto| status == Some(s);
    let _ = tray.available.set_checked(is(PresenceStatusDto::Available));
    let _ = tray.dnd.set_checked(is(PresenceStatusDto::Dnd));
    let on_break = is(PresenceStatusDto::Break);
    let _ = tray.break_plain.set_checked(on_break && reason.is_none());
    let items = tray
        .reasons
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    for item in &items {
        let mine = item.text().ok() == reason;
        let _ = item.set_checked(on_break && mine);
    }
    let _ = tray.available.set_text(t(lang, "presence.available", &[]));
    let _ = tray.dnd.set_text(t(lang, "presence.dnd", &[]));
    let _ = tray.on_break.set_text(t(lang, "presence.break", &[]));
    let _ = tray
        .break_plain
        .set_text(t(lang, "presence.no_reason", &[]));
}

fn toggle_popups(app: &AppHandle) {
    let state = app.state::<AppState>();
    let result = state.update_prefs(|p| {
        p.popup = if p.popup == PopupMode::Off {
            PopupMode::Ring
        } else {
            PopupMode::Off
        }
    });
    match result {
        Ok(prefs) => {
            refresh(app, None);
            let _ = app.emit("prefs-changed", prefs.popup);
        }
        Err(e) => tracing::warn!(error = %e, "cannot save the popup setting"),
    }
}

/// Updates the menu to the current state and language; `connection` when it changed.
pub fn refresh(app: &AppHandle, connection: Option<&ConnectionDto>) {
    let Some(tray) = app.try_state::<Tray>() else {
        return;
    };
    let prefs = app.state::<AppState>().prefs();
    let lang = prefs.language;
    if let Some(c) = connection {
        let _ = tray.status.set_text(status_text(lang, c));
    }
    let _ = tray.popups.set_checked(prefs.popup != PopupMode::Off);
    let _ = tray.popups.set_text(t(lang, "tray.popups", &[]));
    let _ = tray.open.set_text(t(lang, "tray.open", &[]));
    let _ = tray.quit.set_text(t(lang, "tray.quit", &[]));
    refresh_presence(app);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_status_in_the_menu_reads_as_in_the_window() {
        let me = |status, reason: Option<&str>| AgentPresenceDto {
            agent: "Анна".to_owned(),
            status,
            reason: reason.map(str::to_owned),
            on_call: false,
            supervisor: false,
        };
        let lunch = me(Some(PresenceStatusDto::Break), Some("Обед"));
        assert_eq!(presence_text(Language::Ru, Some(&lunch)), "Перерыв (Обед)");
        assert_eq!(presence_text(Language::En, Some(&lunch)), "Break (Обед)");
        let dnd = me(Some(PresenceStatusDto::Dnd), None);
        assert_eq!(presence_text(Language::Ru, Some(&dnd)), "Не беспокоить");
        assert_eq!(
            presence_text(Language::Ru, Some(&me(None, None))),
            "Статус неизвестен"
        );
        assert_eq!(presence_text(Language::En, None), "Status unknown");
    }
}
