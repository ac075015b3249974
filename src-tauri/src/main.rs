//! `trubka`: the desktop app. Flags and environment choose the profile and, for a first
//! sign-in, the relay and token; any `tel:`/`callto:` argument is dialled.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::path::PathBuf;

use clap::Parser;

/// Trubka: call cards, contacts and click-to-dial for UIS and Sipuni agents.
#[derive(Debug, Parser)]
#[command(name = "trubka", version)]
struct Cli {
    /// The profile folder (settings, local database).
    #[arg(long, env = "TRUBKA_HOME")]
    home: Option<PathBuf>,
    /// Sign in to this relay at start (with --token).
    #[arg(long, env = "TRUBKA_RELAY", requires = "token")]
    relay: Option<String>,
    /// The agent token for --relay.
    #[arg(long, env = "TRUBKA_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// Start in the tray without showing the main window.
    #[arg(long)]
    hidden: bool,
    /// `tel:` or `callto:` links to dial, or a `trubka://join?…` invite link to sign in by.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    links: Vec<String>,
}

/// WebKitGTK's accelerated compositing costs about 100 MB per shown window where GL is
/// software (virtual machines, remote desktops, Xvfb) and the app draws nothing that needs
/// it. The switch is an environment variable read when WebKit starts; Rust 2024 makes
/// `set_var` unsafe (forbidden in this workspace), so the process re-executes itself once,
/// keeping its pid, with the variable set. `TRUBKA_GPU_COMPOSITING=1` keeps compositing on,
/// and so does a WebDriver session (WebKitWebDriver waits for composited frames and stalls
/// without them; `scripts/measure-app.sh` covers this mode instead).
#[cfg(target_os = "linux")]
fn without_gpu_compositing() {
    use std::os::unix::process::CommandExt;
    const VAR: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";
    if std::env::var_os(VAR).is_some()
        || std::env::var_os("TRUBKA_GPU_COMPOSITING").is_some()
        || std::env::var("TAURI_WEBVIEW_AUTOMATION").as_deref() == Ok("true")
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

fn main() -> anyhow::Result<()> {
    #[cfg(target_os = "linux")]
    without_gpu_compositing();
    trubka_app::perf::mark_start();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,tao=warn,wry=warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    trubka_app::run(trubka_app::Options {
        home: cli.home,
        relay: cli.relay,
        token: cli.token,
        hidden: cli.hidden,
        args: cli.links,
    })
}
