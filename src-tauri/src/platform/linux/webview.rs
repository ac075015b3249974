//! [`WebEngine`] for WebKitGTK: what keeps the app's memory low where GL is software, and one
//! web process for both windows.

use tauri::{AppHandle, WebviewWindow};

use super::Linux;
use crate::platform::{CardBuilder, CardReady, WebEngine};

/// Whether a WebDriver session (tauri-driver) drives the app.
fn under_automation() -> bool {
    std::env::var("TAURI_WEBVIEW_AUTOMATION").as_deref() == Ok("true")
}

impl WebEngine for Linux {
    /// WebKitGTK's accelerated compositing costs about 100 MB per shown window where GL is
    /// software (virtual machines, remote desktops, Xvfb) and the app draws nothing that
    /// needs it. The switch is an environment variable read when WebKit starts; Rust 2024
    /// makes `set_var` unsafe (forbidden in this workspace), so the process re-executes
    /// itself once, keeping its pid, with the variable set. `TRUBKA_GPU_COMPOSITING=1` keeps
    /// compositing on, and so does a WebDriver session (WebKitWebDriver waits for composited
    /// frames and stalls without them; `scripts/measure-app.sh` covers this mode instead).
    fn prepare_process() {
        use std::os::unix::process::CommandExt;
        const VAR: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";
        if std::env::var_os(VAR).is_some()
            || std::env::var_os("TRUBKA_GPU_COMPOSITING").is_some()
            || under_automation()
        {
            return;
        }
        let Ok(exe) = std::env::current_exe() else {
            return;
        };
        let error = std::process::Command::new(exe)
            .args(std::env::args_os().skip(1))
            .env(VAR, "1")
            .exec();
        eprintln!("trubka: cannot re-execute with {VAR}=1 ({error}); going on with compositing");
    }

    /// Uses WebKit's smallest cache model: every page is local, nothing is worth caching.
    /// (Switching the hardware-acceleration policy at run time would save more, but it stops
    /// a shown page from repainting in WebKitGTK 2.4x, so it is not done.)
    fn lean(window: &WebviewWindow) -> tauri::Result<()> {
        window.with_webview(|webview| {
            use webkit2gtk::{CacheModel, WebContextExt, WebViewExt};
            if let Some(context) = webview.inner().context() {
                context.set_cache_model(CacheModel::DocumentViewer);
            }
        })
    }

    /// The card's web view is related to the main one, so both live in one WebKit web process
    /// (a second process would cost some 70 MB for a few kilobytes of card). WebKit cannot put
    /// a related view under WebDriver control, so under tauri-driver the card gets its own
    /// process.
    fn build_card(
        app: &AppHandle,
        main: &WebviewWindow,
        card: CardBuilder,
        ready: CardReady,
    ) -> tauri::Result<()> {
        if under_automation() {
            return ready(&card(app).build()?);
        }
        let app = app.clone();
        main.with_webview(move |webview| {
            let builder = card(&app).with_related_view(webview.inner());
            if let Err(e) = builder.build().and_then(|w| ready(&w)) {
                tracing::error!(error = %e, "cannot create the call-card window");
            }
        })
    }
}
