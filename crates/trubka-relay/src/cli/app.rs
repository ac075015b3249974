//! `app publish`: a signed build of the desktop app that agents' apps offer to install
//! (see [`crate::updates`]).

use std::io::Write;
use std::path::PathBuf;

use clap::Subcommand;
use trubka_core::tr;

use super::CliError;
use crate::config::RelayConfig;
use crate::updates::{PublishOptions, Releases};

#[derive(Debug, Subcommand)]
pub enum AppCommand {
    /// Publish a build of the desktop app: agents' apps signed in to this relay offer it.
    /// Its signature is checked against [updates] public_key first; a bad one is refused.
    Publish {
        /// The package (.deb; or .rpm, .AppImage, .msi, .exe with --version and --arch).
        #[arg(value_name = "PACKAGE")]
        package: PathBuf,
        /// The package's .sig file from `tauri signer sign` (or the Tauri bundler).
        #[arg(long, value_name = "FILE")]
        signature: PathBuf,
        /// What is new, shown to the agent with the offer.
        #[arg(long, value_name = "TEXT", default_value = "")]
        notes: String,
        /// The build's version (read from a .deb when not given).
        #[arg(long = "version", value_name = "X.Y.Z")]
        app_version: Option<String>,
        /// The architecture as the updater names it: x86_64, aarch64 (read from a .deb).
        #[arg(long, value_name = "ARCH")]
        arch: Option<String>,
    },
}

/// `app publish`.
pub fn app(
    config: &RelayConfig,
    command: &AppCommand,
    out: &mut impl Write,
) -> Result<(), CliError> {
    let lang = config.language;
    match command {
        AppCommand::Publish {
            package,
            signature,
            notes,
            app_version,
            arch,
        } => {
            let options = PublishOptions {
                notes: notes.clone(),
                version: app_version.clone(),
                target: None,
                arch: arch.clone(),
            };
            let release = Releases::new(&config.data_dir).publish(
                config.updates.public_key.as_deref(),
                package,
                signature,
                options,
            )?;
            let (version, target, arch, bundle) = (
                &release.version,
                &release.target,
                &release.arch,
                &release.bundle,
            );
            writeln!(
                out,
                "{}",
                tr!(
                    lang,
                    "Подпись верна. Опубликована версия {version} ({target} {arch}, {bundle}): \
                     приложения операторов, вошедшие в этот релей, предложат её при следующей \
                     проверке (при запуске и раз в час)",
                    "The signature holds. Published version {version} ({target} {arch}, \
                     {bundle}): agents' apps signed in to this relay offer it at their next \
                     check (at start and hourly)"
                )
            )?;
        }
    }
    Ok(())
}
