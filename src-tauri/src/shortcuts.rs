//! The global shortcuts: one dials the number in the selection ([`Selection`]: the X11/Wayland
//! primary selection on Linux) or, failing that, in the clipboard; the other starts and ends
//! a break ([`crate::presence::toggle_break`]).

use tauri::{AppHandle, Emitter, Manager};
use tauri_plugin_global_shortcut::{GlobalShortcutExt, ShortcutState};

use crate::actions::{DialSource, dial};
use crate::dto::Notice;
use crate::platform::{Os, Selection};
use crate::state::AppState;

/// Registers `shortcut`; on failure the status line says so.
pub fn register(app: &AppHandle, shortcut: &str) {
    let result = app
        .global_shortcut()
        .on_shortcut(shortcut, |app, _shortcut, event| {
            if event.state() == ShortcutState::Pressed {
                dial_selection(app);
            }
        });
    let state = app.state::<AppState>();
    match result {
        Ok(()) => state.clear_notice("shortcut"),
        Err(e) => {
            tracing::warn!(error = %e, %shortcut, "cannot register the global shortcut");
            state.set_notice(Notice::ShortcutUnavailable {
                shortcut: shortcut.to_owned(),
                detail: e.to_string(),
            });
        }
    }
}

/// Registers the break shortcut; on failure the status line says so.
pub fn register_break(app: &AppHandle, shortcut: &str) {
    let result = app
        .global_shortcut()
        .on_shortcut(shortcut, |app, _shortcut, event| {
            if event.state() == ShortcutState::Pressed {
                crate::presence::toggle_break(app);
            }
        });
    if let Err(e) = result {
        tracing::warn!(error = %e, %shortcut, "cannot register the break shortcut");
        app.state::<AppState>()
            .set_notice(Notice::ShortcutUnavailable {
                shortcut: shortcut.to_owned(),
                detail: e.to_string(),
            });
    }
}

/// The texts to try, selection first.
fn candidates() -> Vec<String> {
    let mut out = Vec::new();
    let Ok(mut clipboard) = arboard::Clipboard::new() else {
        return out;
    };
    if let Some(text) = Os::selected_text(&mut clipboard) {
        out.push(text);
    }
    if let Ok(text) = clipboard.get_text() {
        out.push(text);
    }
    out
}

/// Dials the first selected or copied text that is a phone number.
pub fn dial_selection(app: &AppHandle) {
    let app = app.clone();
    std::thread::spawn(move || {
        let texts = candidates();
        let parser = app.state::<AppState>().engine.parser().clone();
        match texts
            .iter()
            .map(|t| t.trim())
            .find(|t| parser.parse(t).is_ok())
        {
            Some(number) => dial(&app, number.to_owned(), DialSource::Shortcut),
            None => {
                let _ = app.emit_to(crate::windows::MAIN, "shortcut-no-number", ());
            }
        }
    });
}
