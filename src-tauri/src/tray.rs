//! The tray icon: its menu shows the connection state, opens the main window, turns
//! popups on and off, and quits. Left click opens the main window.

use tauri::menu::{CheckMenuItem, Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Emitter, Manager, Wry};

use crate::dto::{ConnectionDto, Language, PopupMode};
use crate::i18n::t;
use crate::state::AppState;

/// The menu items that change while the app runs.
pub struct Tray {
    status: MenuItem<Wry>,
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
    let separator = PredefinedMenuItem::separator(app)?;
    let menu = Menu::with_items(app, &[&status, &separator, &open, &popups, &quit])?;
    let mut builder = TrayIconBuilder::with_id("trubka")
        .tooltip(t(lang, "tray.tooltip", &[]))
        .menu(&menu)
        .show_menu_on_left_click(false)
        .on_menu_event(|app, event| match event.id().as_ref() {
            "open" => crate::windows::show_main(app),
            "popups" => toggle_popups(app),
            "quit" => app.exit(0),
            _ => {}
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
        popups,
        open,
        quit,
    });
    Ok(())
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
}
