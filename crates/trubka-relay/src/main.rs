//! The `trubka-relay` binary: parses arguments, sets up logging, and hands over to
//! [`trubka_relay::cli`].

use std::io::Write;

use anyhow::Context;
use clap::Parser;
use tracing_subscriber::EnvFilter;
use trubka_relay::cli::{self, Cli, Command};
use trubka_relay::setup::Printout;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    // Variables that are not valid UTF-8 cannot be settings; skip them.
    let env = std::env::vars_os()
        .filter_map(|(name, value)| Some((name.into_string().ok()?, value.into_string().ok()?)));
    let loaded = cli.load_config(env)?;
    for name in &loaded.unknown_env {
        tracing::warn!(%name, "ignoring unknown environment variable");
    }
    // Which config and which database: an admin who mixes up two sees it at once.
    eprintln!("{}", loaded.describe());
    match &cli.command {
        Command::Serve { .. } | Command::Check => {}
        _ => loaded.require_database()?,
    }
    let source = loaded.source.clone();
    let config = loaded.config;
    let mut stdout = std::io::stdout().lock();
    match &cli.command {
        Command::Serve { .. } => cli::serve(config, &mut stdout, shutdown_signal()).await?,
        Command::Agent(command) => cli::agent(&config, command, &mut stdout)?,
        Command::Manager(command) => cli::manager(&config, command, &mut stdout).await?,
        Command::UisTemplates { public_url } => {
            cli::setup(&config, public_url.as_deref(), Printout::Uis, &mut stdout)?
        }
        Command::SipuniSetup { public_url } => cli::setup(
            &config,
            public_url.as_deref(),
            Printout::Sipuni,
            &mut stdout,
        )?,
        Command::Status => cli::status(&config, &mut stdout)?,
        Command::Check => {
            if !cli::check(&config, &source, &mut stdout).await? {
                stdout.flush().context("cannot write output")?;
                std::process::exit(1);
            }
        }
    }
    stdout.flush().context("cannot write output")?;
    Ok(())
}

/// Completes on Ctrl-C or SIGTERM (what service managers send).
async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate = match tokio::signal::unix::signal(
            tokio::signal::unix::SignalKind::terminate(),
        ) {
            Ok(signal) => signal,
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM; only Ctrl-C stops the relay");
                let _ = interrupt.await;
                return;
            }
        };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}
