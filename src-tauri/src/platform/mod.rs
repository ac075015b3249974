//! What the app needs from the operating system beyond what Tauri and its plugins give on
//! every desktop: one trait per piece, implemented for Linux in [`linux`], the only
//! implementation there is. The rest of the shell calls these traits through [`Os`] and
//! does not know it runs on Linux.
//!
//! - [`WakeSignals`]: the system resumed or the network came back (logind, NetworkManager);
//! - [`Notifications`]: desktop notifications with one button (org.freedesktop.Notifications);
//! - [`SchemeHandlers`]: being the handler of `tel:`, `callto:` and `trubka:` links (the
//!   deep-link plugin's `.desktop` file and `xdg-mime`);
//! - [`Selection`]: the text selected in another application (the X11/Wayland primary
//!   selection);
//! - [`WebEngine`]: settings of the system web view (WebKitGTK);
//! - [`Browser`]: a web link opened in the user's browser («Открыть в CRM»; `xdg-open`);
//! - [`LockSignals`]: the screen locked or unlocked, the system going to sleep or resumed
//!   (logind), for the automatic break.
//!
//! Windows and macOS have no implementation: nothing for them can be built or tested here, so
//! none is written. Each trait's documentation names what a port plugs in, and ARCHITECTURE.md
//! («Platforms») has the whole list, with the pieces its plugins already cover.

#[cfg(target_os = "linux")]
pub mod linux;

#[cfg(not(target_os = "linux"))]
compile_error!(
    "Trubka's desktop app has platform pieces for Linux only: implement WakeSignals, \
     Notifications, SchemeHandlers, Selection, WebEngine, Browser and LockSignals of \
     src-tauri/src/platform/mod.rs for this system and point platform::Os at it (see \
     ARCHITECTURE.md, «Platforms»)"
);

use std::future::Future;

use tauri::{AppHandle, WebviewWindow, WebviewWindowBuilder, Wry};

use crate::auto_break::LockSignal;
use crate::wake::Wake;

/// The implementation of every piece for the system the app is built for.
#[cfg(target_os = "linux")]
pub type Os = linux::Linux;

/// A system service the app cannot use; why, in the service's own words (for the log and
/// the status line).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Unavailable(pub String);

/// Signals that the stream's connection is likely dead and should be replaced at once.
///
/// Linux: logind's `PrepareForSleep(false)` and NetworkManager's `StateChanged` to a connected
/// state, on the system bus. A Windows port would listen for `WM_POWERBROADCAST`
/// (`PBT_APMRESUMEAUTOMATIC`, or `PowerRegisterSuspendResumeNotification` without a window)
/// and NetworkListManager's `INetworkListManagerEvents::ConnectivityChanged`; a macOS port for
/// `NSWorkspaceDidWakeNotification` and `SCNetworkReachability` (or `nw_path_monitor`).
/// Where none of them answers, `wake.rs`'s clock comparison still notices a sleep.
pub trait WakeSignals {
    /// Calls `wake` each time the system resumes or the network is connected again, until
    /// the source ends; fails at once when the service cannot be watched.
    fn watch_wake(
        wake: impl Fn(Wake) + Send + 'static,
    ) -> impl Future<Output = Result<(), Unavailable>> + Send;
}

/// A desktop notification: a title, a line, and at most one button.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toast {
    pub summary: String,
    pub body: String,
    pub button: Option<Button>,
}

/// A notification's button: a stable key (what the notification service reports back) and
/// its words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Button {
    pub key: &'static str,
    pub label: String,
}

/// Desktop notifications. Every call may block; `notifications.rs` makes them on threads of
/// their own and decides what to say.
///
/// Linux: notify-rust's client of `org.freedesktop.Notifications` on the session bus (actions
/// with `ActionInvoked`). notify-rust also sends on Windows (WinRT toasts) and macOS
/// (`NSUserNotification`), but without buttons there and with no service to ask about, so a
/// port writes this trait: on Windows a WinRT `ToastNotification` with an action whose
/// `Activated` event (or protocol activation with a `tel:` link) answers, under the
/// AppUserModelID of the installer's Start-menu shortcut; on macOS a `UNUserNotificationCenter`
/// category with one `UNNotificationAction` and a delegate's
/// `didReceiveNotificationResponse`, from a signed bundle. tauri-plugin-notification is not
/// used here; its 2.6 release notes say it reports actions on desktop too, which a port should
/// weigh before writing its own.
pub trait Notifications {
    /// A notification on screen, until it closes.
    type Shown: Send;

    /// Names the notification service, or says why there is none.
    fn notification_service() -> Result<String, Unavailable>;

    /// Puts `toast` on screen.
    fn show_notification(toast: &Toast) -> Result<Self::Shown, Unavailable>;

    /// Blocks until the notification closes; whether its button was pressed.
    fn button_pressed(shown: Self::Shown) -> bool;
}

/// Being the handler of the links of [`crate::deep_link::SCHEMES`] and `trubka:`.
///
/// Linux: the deep-link plugin's `register_all` writes a `.desktop` file with
/// `MimeType=x-scheme-handler/…` under the user's `applications` folder and makes it the
/// default with `xdg-mime`; the bundle's own `.desktop` file names the schemes too (Tauri's
/// bundler, from `plugins.deep-link` in tauri.conf.json). A link starts `trubka <link>`, and a
/// second start hands it to the running app through the single-instance plugin
/// ([`crate::deep_link::handle_args`]). On Windows the same `register_all` writes
/// `HKCU\Software\Classes\<scheme>` (`URL Protocol`, `shell\open\command`) and links arrive as
/// arguments in the same way: the port is this call. On macOS nothing registers at run time
/// (`CFBundleURLTypes` in the bundle's Info.plist, written by the bundler, does), and links
/// come as Apple Events: a port hands the deep-link plugin's `on_open_url` URLs to
/// `handle_args`.
pub trait SchemeHandlers {
    /// Registers the app as the handler of its link schemes for this user.
    fn register_schemes(app: &AppHandle) -> Result<(), Unavailable>;
}

/// Text selected in any application, apart from the clipboard.
///
/// Linux: the primary selection of X11 and Wayland, through arboard. Windows and macOS keep
/// no such selection: a port answers `None`, and the global shortcut dials what was copied.
pub trait Selection {
    /// The selected text, if the desktop keeps a selection and it holds text.
    fn selected_text(clipboard: &mut arboard::Clipboard) -> Option<String>;
}

/// Starts the card window's builder (`windows.rs` knows its size and looks).
pub type CardBuilder = for<'a> fn(&'a AppHandle) -> WebviewWindowBuilder<'a, Wry, AppHandle>;
/// Finishes a new card window (made lean, mapped off screen).
pub type CardReady = fn(&WebviewWindow) -> tauri::Result<()>;

/// The system web view's costs: memory per window and process.
///
/// Linux: WebKitGTK (compositing off, the smallest cache model, the card's view in the main
/// view's web process). Windows' WebView2 and macOS' WKWebView have no such switches (web
/// views with one WebView2 data folder share a browser process by themselves); a port starts
/// with [`WebEngine::prepare_process`] and [`WebEngine::lean`] changing nothing and
/// [`WebEngine::build_card`] building the window plainly, and measures the memory before
/// adding anything.
pub trait WebEngine {
    /// Runs first in `main`, before any web view exists: settings the engine reads only when
    /// the process starts (may re-execute the process with them).
    fn prepare_process();

    /// Makes a window's web view cheaper to keep.
    fn lean(window: &WebviewWindow) -> tauri::Result<()>;

    /// Builds the hidden card window with `card`, in the main window's web process where the
    /// engine allows, and calls `ready` on it.
    fn build_card(
        app: &AppHandle,
        main: &WebviewWindow,
        card: CardBuilder,
        ready: CardReady,
    ) -> tauri::Result<()>;
}

/// A web link opened in the user's default browser, outside the app («Открыть в CRM»).
///
/// Linux: `xdg-open`, which asks the desktop for the handler of the link's scheme
/// (`x-scheme-handler/https` in `mimeapps.list`) and falls back to `$BROWSER`. A Windows port
/// calls `ShellExecuteW` with the `open` verb; a macOS port `NSWorkspace`'s `openURL:` (what
/// `open URL` does). Only `http` and `https` links reach this (`commands::directory`).
pub trait Browser {
    /// Hands `url` to the browser; fails when there is no way to open links at all. The
    /// browser itself starts in the background and is not waited for.
    fn open_in_browser(url: &url::Url) -> Result<(), Unavailable>;
}

/// What the app does about one [`LockSignal`], finished when this future is. Dropping it does
/// not stop the work; before a sleep the system is held back until it is done.
pub type Handled = std::pin::Pin<Box<dyn Future<Output = ()> + Send>>;

/// The screen locked or unlocked and the system going to sleep or resumed: the agent's
/// automatic break (a setting, off by default) follows them.
///
/// Linux: logind on the system bus: a session's `Lock` and `Unlock` signals and its
/// `LockedHint` property (set by the desktop's screen locker), and the manager's
/// `PrepareForSleep(true|false)`, with logind's `delay` sleep inhibitor held meanwhile so
/// that a sleep waits (a few seconds at most) until the break is written. A Windows port listens for `WTS_SESSION_LOCK` /
/// `WTS_SESSION_UNLOCK` (`WTSRegisterSessionNotification`) and `WM_POWERBROADCAST`
/// (`PBT_APMSUSPEND`, `PBT_APMRESUMEAUTOMATIC`); a macOS port for the distributed
/// notifications `com.apple.screenIsLocked` / `com.apple.screenIsUnlocked` and
/// `NSWorkspaceWillSleepNotification` / `NSWorkspaceDidWakeNotification`.
pub trait LockSignals {
    /// Calls `signal` for each lock, unlock, sleep and resume until the source ends; before
    /// a sleep, waits (bounded) for what `signal` returned where the system lets an app delay
    /// it; fails at once when the service cannot be watched.
    fn watch_lock(
        signal: impl Fn(LockSignal) -> Handled + Send + 'static,
    ) -> impl Future<Output = Result<(), Unavailable>> + Send;
}
