//! The `trubka-relay` binary: parses arguments, sets up logging, and hands over to
//! [`trubka_relay::cli`].

use std::ffi::OsString;
use std::io::Write;
use std::process::ExitCode;

use tracing_subscriber::EnvFilter;
use trubka_core::Lang;
use trubka_relay::cli::{self, Cli, CliError, Command, Loaded};
use trubka_relay::setup::Printout;

#[tokio::main]
async fn main() -> ExitCode {
    // Variables that are not valid UTF-8 cannot be settings; skip them.
    let env: Vec<(String, String)> = std::env::vars_os()
        .filter_map(|(name, value)| Some((name.into_string().ok()?, value.into_string().ok()?)))
        .collect();
    let args: Vec<OsString> = std::env::args_os().collect();
    let cli = Cli::parse_in(args.clone(), cli::help_language(&args, &env));
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    // A configuration that cannot be read cannot say its language: the environment's, else
    // the default.
    let early = env
        .iter()
        .find(|(name, _)| name == LANGUAGE_ENV)
        .and_then(|(_, value)| value.parse().ok())
        .unwrap_or_default();
    let loaded = match cli.load_config(env) {
        Ok(loaded) => loaded,
        Err(error) => return fail(&error, early),
    };
    let lang = loaded.config.language;
    match run(&cli, loaded).await {
        Ok(code) => code,
        Err(error) => fail(&error, lang),
    }
}

/// The variable that sets the language before any config is read.
const LANGUAGE_ENV: &str = "TRUBKA_RELAY_LANGUAGE";

/// Says what went wrong, in the admin's language, and fails.
fn fail(error: &CliError, lang: Lang) -> ExitCode {
    eprintln!("trubka-relay: {}", error.localized(lang));
    ExitCode::FAILURE
}

/// Runs the subcommand; `check` fails (exit status 1) when something must be fixed.
async fn run(cli: &Cli, loaded: Loaded) -> Result<ExitCode, CliError> {
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
    let mut code = ExitCode::SUCCESS;
    match &cli.command {
        Command::Serve { .. } => cli::serve(config, &mut stdout, shutdown_signal()).await?,
        Command::Agent(command) => cli::agent(&config, command, &mut stdout)?,
        Command::App(command) => cli::app(&config, command, &mut stdout)?,
        Command::Contacts(command) => cli::contacts(&config, command, &mut stdout).await?,
        Command::Tags(command) => cli::tags(&config, command, &mut stdout)?,
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
                code = ExitCode::FAILURE;
            }
        }
    }
    stdout.flush()?;
    Ok(code)
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
