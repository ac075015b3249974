//! `trubka`: the desktop app. Flags and environment choose the profile and, for a first
//! sign-in, the relay and token; any `tel:`/`callto:` argument is dialled.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::path::PathBuf;

use clap::Parser;
use trubka_app::platform::{Os, WebEngine};

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

fn main() -> anyhow::Result<()> {
    // Before anything else: it may re-execute the process.
    Os::prepare_process();
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
