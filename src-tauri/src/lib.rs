//! Trubka's desktop app: a thin Tauri shell over [`trubka_agent::engine::Engine`].
//!
//! - [`commands`]: the IPC commands, thin adapters over the engine;
//! - [`dto`]: the IPC types (TypeScript bindings generated from them), [`error`]: the
//!   one IPC error type;
//! - [`events`]: the pump from engine updates to windows, tray and notifications;
//! - [`windows`]: the main window and the pre-created hidden call-card window;
//! - [`tray`], [`notifications`], [`deep_link`] (`tel:`/`callto:`, and `trubka:` links for
//!   [`invite`]: sign-in by the admin's invite link), [`shortcuts`] (dial the
//!   selection, and the break), [`actions`] (dialling from outside the main window);
//! - [`presence`]: the agent's own status in step across the tray, the windows and the relay,
//!   [`auto_break`]: a break while the screen is locked or the system sleeps (a setting);
//! - [`open_on_answer`]: the caller's contact in the main window when the agent answers (a
//!   setting);
//! - [`secrets`]: the agent token in the OS keyring (or a 0600 file), [`prefs`]: the shell's
//!   own preferences, [`session`]: sign-in at start, [`i18n`], [`perf`];
//! - [`updates`]: new builds from the relay the app is signed in to (tauri-plugin-updater);
//! - [`platform`]: what the app needs of the operating system beyond Tauri (wake-up signals,
//!   notifications, link handlers, the selection, web view settings), one trait per piece;
//!   only its `linux` module knows it runs on Linux.
//!
//! No business logic lives here: deciding what a call is, who the caller is, what is missed
//! and what to call back is the engine's.

pub mod actions;
pub mod auto_break;
pub mod commands;
pub mod deep_link;
pub mod dto;
pub mod error;
pub mod events;
pub mod i18n;
pub mod invite;
pub mod notifications;
pub mod open_on_answer;
pub mod perf;
pub mod platform;
pub mod prefs;
pub mod presence;
pub mod secrets;
pub mod session;
pub mod shortcuts;
pub mod state;
pub mod tray;
pub mod updates;
pub mod wake;
pub mod windows;

use std::path::PathBuf;

use anyhow::Context;
use tauri::{Manager, RunEvent, WindowEvent};
use trubka_agent::backoff::Backoff;
use trubka_agent::engine::Engine;
use trubka_agent::profile::Profile;

use crate::prefs::Prefs;
use crate::secrets::Secrets;
use crate::state::AppState;

/// What the command line (or the environment) asks for.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The profile folder (`--home`, `TRUBKA_HOME`).
    pub home: Option<PathBuf>,
    /// First sign-in: relay URL and agent token.
    pub relay: Option<String>,
    pub token: Option<String>,
    /// Start with the main window hidden (in the tray), as autostart does.
    pub hidden: bool,
    /// Everything else on the command line (`tel:` links).
    pub args: Vec<String>,
}

/// Runs the app until it quits.
pub fn run(options: Options) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .thread_name("trubka-rt")
        .build()
        .context("cannot start the async runtime")?;
    tauri::async_runtime::set(runtime.handle().clone());

    let app = tauri::Builder::default()
        .plugin(tauri_plugin_single_instance::init(|app, argv, _cwd| {
            tracing::info!(?argv, "second launch");
            let links: Vec<String> = argv.into_iter().skip(1).collect();
            if links
                .iter()
                .any(|a| deep_link::number_of(a).is_some() || invite::is_invite_link(a))
            {
                deep_link::handle_args(app, &links);
            } else {
                windows::show_main(app);
            }
        }))
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_updater::Builder::new().build())
        .plugin(tauri_plugin_global_shortcut::Builder::new().build())
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            Some(vec!["--hidden"]),
        ))
        .manage(notifications::Notifier::default())
        .manage(invite::PendingInvite::default())
        .invoke_handler(command_handler!())
        .setup(move |app| {
            // Opened here, after the single-instance plugin had its say: a second launch
            // (`trubka tel:…`) hands its arguments over and exits without touching the profile.
            let profile = Profile::resolve(options.home.clone())?;
            let secrets = Secrets::probe(profile.clone());
            let tokens = Box::new(secrets.clone());
            let engine = tauri::async_runtime::block_on(Engine::open_with_tokens(
                profile.clone(),
                Backoff::default(),
                tokens,
            ))?;
            let prefs = Prefs::load(profile.dir());
            app.manage(AppState::new(engine, secrets, prefs.clone()));
            app.manage(updates::Updates::new(
                app.package_info().version.to_string(),
            ));
            let handle = app.handle().clone();
            presence::manage(&handle);
            windows::create(&handle, options.hidden)?;
            if let Err(e) = tray::create(&handle) {
                tracing::warn!(error = %e, "no tray icon");
            }
            events::spawn(&handle);
            wake::spawn(&handle);
            notifications::probe(&handle);
            shortcuts::register(&handle, &prefs.shortcut);
            shortcuts::register_break(&handle, &prefs.break_shortcut);
            auto_break::spawn(&handle);
            deep_link::register(&handle);
            session::resume(&handle, options.relay.clone(), options.token.clone());
            deep_link::handle_args(&handle, &options.args);
            updates::spawn(&handle);
            Ok(())
        })
        .on_window_event(|window, event| {
            if window.label() == windows::MAIN
                && let WindowEvent::CloseRequested { api, .. } = event
                && window.app_handle().tray_by_id("trubka").is_some()
            {
                api.prevent_close();
                let _ = window.hide();
            }
        })
        .build(tauri::generate_context!())
        .context("cannot start the window system")?;
    app.run(|_app, event| {
        if let RunEvent::ExitRequested {
            code: None, api, ..
        } = event
        {
            api.prevent_exit();
        }
    });
    Ok(())
}
