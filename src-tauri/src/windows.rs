//! The two windows: the main window, and the call-card window that is created hidden at
//! start (a webview takes 0.3–1.3 s to start; a card must show within 100 ms of its event)
//! and only shown, fitted and hidden afterwards.

use tauri::{
    AppHandle, LogicalPosition, LogicalSize, Manager, WebviewUrl, WebviewWindow,
    WebviewWindowBuilder,
};

use crate::platform::{Os, WebEngine};

pub const MAIN: &str = "main";
pub const CARD: &str = "card";
const CARD_WIDTH: f64 = 380.0;
const CARD_MIN_HEIGHT: f64 = 120.0;
const CARD_MARGIN: f64 = 16.0;

/// Creates the main window (shown unless `hidden`) and, right after, the hidden card window
/// ([`WebEngine::build_card`]: on Linux in the main window's web process).
pub fn create(app: &AppHandle, hidden: bool) -> tauri::Result<()> {
    let main = WebviewWindowBuilder::new(app, MAIN, WebviewUrl::App("index.html".into()))
        .title("Trubka")
        .inner_size(1100.0, 720.0)
        .min_inner_size(720.0, 460.0)
        .visible(!hidden)
        .build()?;
    Os::lean(&main)?;
    Os::build_card(app, &main, card_builder, card_ready)
}

/// A new card window: made lean and warmed up.
fn card_ready(window: &WebviewWindow) -> tauri::Result<()> {
    Os::lean(window)?;
    warm_up(window)
}

/// Maps the card window once, off screen, while the page loads: the first map of a window
/// and its first paint cost some 150 ms, which would otherwise fall on the first call. The
/// card page hides the window as soon as it has drawn its empty stack.
fn warm_up(window: &WebviewWindow) -> tauri::Result<()> {
    window.set_position(LogicalPosition::new(-10_000.0, -10_000.0))?;
    window.show()
}

fn card_builder(app: &AppHandle) -> WebviewWindowBuilder<'_, tauri::Wry, AppHandle> {
    WebviewWindowBuilder::new(app, CARD, WebviewUrl::App("card.html".into()))
        .title("Trubka — звонок")
        .inner_size(CARD_WIDTH, 240.0)
        .always_on_top(true)
        .visible_on_all_workspaces(true)
        .decorations(false)
        .skip_taskbar(true)
        .resizable(false)
        .focused(false)
        .visible(false)
}

fn card(app: &AppHandle) -> Option<WebviewWindow> {
    app.get_webview_window(CARD)
}

/// Shows the card window without taking the keyboard focus.
pub fn show_card(app: &AppHandle) {
    if let Some(w) = card(app)
        && !w.is_visible().unwrap_or(false)
        && let Err(e) = w.show().and_then(|()| w.set_always_on_top(true))
    {
        tracing::warn!(error = %e, "cannot show the call card");
    }
}

pub fn hide_card(app: &AppHandle) {
    if let Some(w) = card(app)
        && let Err(e) = w.hide()
    {
        tracing::warn!(error = %e, "cannot hide the call card");
    }
}

/// Resizes the card window to its content and keeps it in the bottom-right corner of the
/// monitor it is on.
pub fn fit_card(app: &AppHandle, height: f64) -> tauri::Result<()> {
    let Some(w) = card(app) else { return Ok(()) };
    let monitor = w.current_monitor()?.or(w.primary_monitor()?);
    let (screen_w, screen_h) = match &monitor {
        Some(m) => {
            let size = m.size().to_logical::<f64>(m.scale_factor());
            (size.width, size.height)
        }
        None => (1280.0, 800.0),
    };
    let height = height.clamp(
        CARD_MIN_HEIGHT,
        (screen_h - 2.0 * CARD_MARGIN).max(CARD_MIN_HEIGHT),
    );
    w.set_size(LogicalSize::new(CARD_WIDTH, height))?;
    w.set_position(LogicalPosition::new(
        (screen_w - CARD_WIDTH - CARD_MARGIN).max(0.0),
        (screen_h - height - CARD_MARGIN).max(0.0),
    ))?;
    Ok(())
}

/// Brings the main window forward.
pub fn show_main(app: &AppHandle) {
    if let Some(w) = app.get_webview_window(MAIN) {
        let _ = w.unminimize();
        let _ = w.show();
        let _ = w.set_focus();
    }
}

pub fn main_visible(app: &AppHandle) -> bool {
    app.get_webview_window(MAIN)
        .is_some_and(|w| w.is_visible().unwrap_or(false) && !w.is_minimized().unwrap_or(false))
}
