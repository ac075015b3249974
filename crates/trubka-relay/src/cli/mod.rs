//! The command line: `serve`, `agent …` ([`agent`]), `app publish` ([`app`]), `contacts …`
//! ([`contacts`]: the team directory), `tags …` ([`tags`]: what agents tag calls with),
//! `status`, and
//! the PBX administration commands of [`crate::setup`] (`manager`, `uis-templates`, `sipuni-setup`, `check`), with the
//! one way every subcommand finds its configuration ([`Cli::load_config`]). `src/main.rs`
//! only parses arguments, sets up logging and calls in here; output goes to a writer so tests
//! can read it.

mod agent;
mod app;
mod contacts;
mod error_text;
mod help;
mod invite;
mod table;
mod tags;

pub use agent::{AddAgent, AgentCommand, EditAgent, Mappings, agent};
pub use app::{AppCommand, app};
pub use contacts::{ContactsCommand, contacts};
pub use help::{command_in, help_language};
pub use invite::{InviteAgent, Validity};
pub use tags::{TagError, TagsCommand, tags};
// `check` reports `[tls]` in the same words as a failed `serve`.

use std::future::Future;
use std::io::{self, Write};
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};
use tokio::net::TcpListener;
use trubka_core::phone::PhoneError;
use trubka_core::{Lang, tr};

use crate::config::locate::{CONFIG_ENV, ConfigSource, INSTALLED_CONFIG, LOCAL_CONFIG, locate};
use crate::config::{ConfigError, RelayConfig};
use crate::relay::{Relay, RelayError};
use crate::setup::manager::ManagerCliError;
use crate::setup::{Printout, SetupError};
use crate::store::{Store, StoreError};

#[derive(Debug, Parser)]
#[command(
    name = "trubka-relay",
    version,
    about = "Trubka relay: PBX webhooks in, agent streams out"
)]
pub struct Cli {
    /// TOML config file (every key optional; env TRUBKA_RELAY_* overrides it). Without it:
    /// TRUBKA_RELAY_CONFIG, else /etc/trubka/relay.toml, else ./relay.toml, if they exist.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Folder of the relay database (overrides config and env).
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the relay; prints the webhook URLs to configure in the PBX cabinets.
    Serve {
        /// Address to listen on, e.g. 127.0.0.1:8765 (port 0 picks a free one).
        #[arg(long, value_name = "ADDR")]
        listen: Option<SocketAddr>,
    },
    /// Manage the agents who may connect.
    #[command(subcommand)]
    Agent(AgentCommand),
    /// The team directory: import, export and list contacts, read the UIS address book.
    #[command(subcommand)]
    Contacts(ContactsCommand),
    /// The tags agents pick for their notes on calls.
    #[command(subcommand)]
    Tags(TagsCommand),
    /// Builds of the desktop app that agents' apps update to.
    #[command(subcommand)]
    App(AppCommand),
    /// Personal managers: UIS interactive call processing routes a client to their agent.
    #[command(subcommand)]
    Manager(ManagerCommand),
    /// Print every UIS notification to create (name, event type, method, URL, body), in
    /// Russian, ready to paste into the UIS cabinet.
    UisTemplates {
        /// The relay's public base URL (default: `public_url` of the config).
        #[arg(long, value_name = "URL")]
        public_url: Option<String>,
    },
    /// Print the Sipuni settings («События на АТС» URL, API key steps), in Russian.
    SipuniSetup {
        /// The relay's public base URL (default: `public_url` of the config).
        #[arg(long, value_name = "URL")]
        public_url: Option<String>,
    },
    /// Check the configuration and reach the PBX APIs; explains what is wrong. Exits with 1
    /// when something must be fixed.
    Check,
    /// Whether notifications arrive: the last one heard of each provider and event kind, and
    /// the last requests turned away (wrong token, unreadable body) with the reason.
    Status,
}

#[derive(Debug, Subcommand)]
pub enum ManagerCommand {
    /// Make AGENT the personal manager of the client NUMBER (any common format).
    Set {
        number: String,
        /// The agent's name.
        agent: String,
        /// The number UIS rings for this agent (mobile or SIP); by default the one set before,
        /// else the agent's first active phone in UIS.
        #[arg(long, value_name = "PHONE")]
        phone: Option<String>,
    },
    /// Remove the personal manager of NUMBER.
    Unset { number: String },
    /// List personal managers.
    List,
}

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Relay(#[from] RelayError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("default_region: {0}")]
    Region(#[from] PhoneError),
    #[error("--line {raw:?}: {reason}")]
    BadLine {
        raw: String,
        reason: crate::setup::NotANumber,
    },
    #[error("--employee-phone {0:?}: empty or hidden; give the number or SIP line UIS shows")]
    BadEmployeePhone(String),
    #[error("--virtual-number {raw:?}: {reason}")]
    BadVirtualNumber {
        raw: String,
        reason: crate::setup::NotANumber,
    },
    #[error("agent edit {0}: nothing to change; give at least one option (see --help)")]
    NothingToEdit(String),
    #[error(
        "no relay database in {} (config: {config}). Run this command with the \
         --config (or --data-dir) the relay runs with; a new relay makes its database on the \
         first `trubka-relay serve`",
        data_dir.display()
    )]
    NoDatabase {
        data_dir: PathBuf,
        config: ConfigSource,
    },
    #[error(
        "no invite link without the relay's public address: set public_url in the config (or \
         give --public-url), e.g. public_url = \"https://relay.example.com\""
    )]
    NoPublicUrl,
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: io::Error },
    #[error(transparent)]
    Tls(#[from] crate::tls::TlsError),
    #[error(transparent)]
    Setup(#[from] SetupError),
    #[error(transparent)]
    Manager(#[from] ManagerCliError),
    #[error(transparent)]
    Update(#[from] crate::updates::UpdateError),
    #[error(transparent)]
    Directory(#[from] crate::directory::DirectoryError),
    #[error(transparent)]
    Tags(#[from] TagError),
    #[error(transparent)]
    UisSync(#[from] crate::directory::uis_sync::UisSyncError),
    #[error("cannot read {}: {source}", path.display())]
    ReadFile { path: PathBuf, source: io::Error },
    #[error("cannot write {}: {source}", path.display())]
    WriteFile { path: PathBuf, source: io::Error },
    #[error("cannot write output: {0}")]
    Output(#[from] io::Error),
}

/// The configuration a subcommand runs with, and where it came from.
#[derive(Debug)]
pub struct Loaded {
    pub config: RelayConfig,
    /// `TRUBKA_RELAY_*` variables that are no setting, for a warning.
    pub unknown_env: Vec<String>,
    pub source: ConfigSource,
}

impl Loaded {
    /// One line for stderr: which config and which database this run uses.
    pub fn describe(&self) -> String {
        let lang = self.config.language;
        let source = self.source.describe(lang);
        let data_dir = self.config.data_dir.display();
        tr!(
            lang,
            "trubka-relay: настройки {source}; папка данных {data_dir}",
            "trubka-relay: config {source}; data dir {data_dir}"
        )
    }

    /// Refuses to go on when the data dir holds no relay database: every subcommand but
    /// `serve` works on the database a running relay uses, and must not make a new, empty one
    /// where the admin meant that one.
    pub fn require_database(&self) -> Result<(), CliError> {
        let database = self.config.data_dir.join(crate::store::DATABASE_FILE);
        if database.is_file() {
            return Ok(());
        }
        Err(CliError::NoDatabase {
            data_dir: self.config.data_dir.clone(),
            config: self.source.clone(),
        })
    }
}

impl Cli {
    /// The configuration: defaults, the config file (found as [`locate`] says), `TRUBKA_RELAY_*`
    /// from `env`, then flags.
    pub fn load_config(
        &self,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Loaded, CliError> {
        self.load_config_from(
            env,
            std::path::Path::new(INSTALLED_CONFIG),
            std::path::Path::new(LOCAL_CONFIG),
        )
    }

    /// [`Cli::load_config`] with the default locations given, for tests.
    pub fn load_config_from(
        &self,
        env: impl IntoIterator<Item = (String, String)>,
        installed: &std::path::Path,
        local: &std::path::Path,
    ) -> Result<Loaded, CliError> {
        let env: Vec<(String, String)> = env.into_iter().collect();
        let from_env = env
            .iter()
            .find(|(name, _)| name == CONFIG_ENV)
            .map(|(_, value)| value.as_str());
        let source = locate(self.config.as_deref(), from_env, installed, local);
        let (mut config, unknown) = RelayConfig::load(source.path(), env)?;
        if let Some(dir) = &self.data_dir {
            config.data_dir = dir.clone();
        }
        if let Command::Serve {
            listen: Some(listen),
        } = &self.command
        {
            config.listen = *listen;
        }
        Ok(Loaded {
            config,
            unknown_env: unknown,
            source,
        })
    }
}

/// `serve`: binds, prints where the PBXs must send, and runs until `shutdown`.
pub async fn serve(
    config: RelayConfig,
    out: &mut impl Write,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), CliError> {
    let addr = config.listen;
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| CliError::Bind { addr, source })?;
    let local = listener
        .local_addr()
        .map_err(|source| CliError::Bind { addr, source })?;
    // Certificates read and port 80 bound before anything else, so a wrong path fails here.
    let tls = match &config.tls {
        Some(_) => Some(crate::tls::Tls::prepare(&config, local).await?),
        None => None,
    };
    let database = config.data_dir.join(crate::store::DATABASE_FILE);
    let new_database = !database.is_file();
    let config_language = config.language;
    let relay = Relay::open(config)?;
    let urls = relay.webhook_urls(local);
    let banner = write_banner(
        out,
        config_language,
        new_database.then_some(&database),
        local,
        &urls,
        tls.as_ref(),
    );
    // The banner is for a person; a closed stdout (a supervisor that does not read it, a
    // reader that went away) must not stop the PBXs' notifications from being taken.
    if let Err(error) = banner {
        tracing::warn!(%error, uis = %urls.uis, sipuni = %urls.sipuni, "cannot print the webhook URLs");
    }
    tracing::info!(%local, epoch = relay.epoch(), "relay started");
    match tls {
        Some(tls) => tls.serve(relay, listener, shutdown).await?,
        None => relay.serve(listener, shutdown).await?,
    }
    tracing::info!("relay stopped");
    Ok(())
}

/// What `serve` prints for a person when it starts: a new database if it made one, and the
/// URLs to give the PBXs; with `[tls]`, the certificate and the redirect.
fn write_banner(
    out: &mut impl Write,
    lang: Lang,
    new_database: Option<&std::path::Path>,
    local: SocketAddr,
    urls: &crate::relay::WebhookUrls,
    tls: Option<&crate::tls::Tls>,
) -> io::Result<()> {
    if let Some(database) = new_database {
        let database = database.display();
        writeln!(
            out,
            "{}",
            tr!(
                lang,
                "Создана новая база релея: {database} (токены вебхуков созданы)",
                "Created a new relay database: {database} (hook tokens generated)"
            )
        )?;
    }
    let listening = lang.pick("trubka-relay слушает", "trubka-relay listening on");
    let scheme = if tls.is_some() { "https" } else { "http" };
    writeln!(out, "{listening} {scheme}://{local}")?;
    if let Some(tls) = tls {
        tls.write_banner(out, lang)?;
    }
    let route = format!("{}/route", urls.uis);
    let lines = match lang {
        Lang::Ru => [
            ("URL вебхуков UIS:", &urls.uis),
            ("URL вебхуков Sipuni:", &urls.sipuni),
            ("URL маршрутизации UIS:", &route),
        ],
        Lang::En => [
            ("UIS webhook URL:", &urls.uis),
            ("Sipuni webhook URL:", &urls.sipuni),
            ("UIS route URL:", &route),
        ],
    };
    // Labels padded in characters, so the URLs line up in Cyrillic too.
    let width = lines.iter().map(|(label, _)| label.chars().count()).max();
    let width = width.unwrap_or_default();
    for (label, url) in lines {
        writeln!(out, "{label:<width$} {url}")?;
    }
    out.flush()
}

/// `manager set|unset|list`.
pub async fn manager(
    config: &RelayConfig,
    command: &ManagerCommand,
    out: &mut impl Write,
) -> Result<(), CliError> {
    use crate::setup::manager;
    match command {
        ManagerCommand::Set {
            number,
            agent,
            phone,
        } => manager::set(config, number, agent, phone.as_deref(), out).await?,
        ManagerCommand::Unset { number } => manager::unset(config, number, out)?,
        ManagerCommand::List => manager::list(config, out)?,
    }
    Ok(())
}

/// `uis-templates` and `sipuni-setup`.
pub fn setup(
    config: &RelayConfig,
    public_url: Option<&str>,
    printout: Printout,
    out: &mut impl Write,
) -> Result<(), CliError> {
    Ok(crate::setup::print(config, public_url, printout, out)?)
}

/// `status`.
pub fn status(config: &RelayConfig, out: &mut impl Write) -> Result<(), CliError> {
    use crate::setup::status;
    let store = Store::open(&config.data_dir)?;
    let heard = store.hook_activity()?;
    let refused = store.rejected(status::REFUSED_SHOWN)?;
    status::write(&heard, &refused, config.language, out)?;
    writeln!(out)?;
    let storage = store.storage()?;
    crate::setup::storage::write(&storage, &config.retention, config.language, out)?;
    Ok(())
}

/// `check`: `Ok(false)` when something must be fixed.
pub async fn check(
    config: &RelayConfig,
    source: &ConfigSource,
    out: &mut impl Write,
) -> Result<bool, CliError> {
    Ok(crate::setup::check::run(config, source, out).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_override_config_and_are_accepted_after_the_subcommand() {
        let cli = Cli::try_parse_from([
            "trubka-relay",
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
            "/tmp/x",
        ])
        .unwrap();
        let env = [(
            "TRUBKA_RELAY_DATA_DIR".to_owned(),
            "/tmp/from-env".to_owned(),
        )];
        let config = cli.load_config(env).unwrap().config;
        assert_eq!(config.listen.to_string(), "127.0.0.1:0");
        assert_eq!(config.data_dir, PathBuf::from("/tmp/x"));
    }

    #[test]
    fn every_subcommand_finds_the_same_config_and_says_which() {
        let dir = tempfile::tempdir().unwrap();
        let installed = dir.path().join("installed.toml");
        let data = dir.path().join("var-lib-trubka");
        std::fs::write(
            &installed,
            format!("data_dir = {:?}\n", data.display().to_string()),
        )
        .unwrap();
        let local = dir.path().join("relay.toml");
        for args in [
            &["trubka-relay", "serve"][..],
            &["trubka-relay", "agent", "list"],
        ] {
            let cli = Cli::try_parse_from(args).unwrap();
            let loaded = cli.load_config_from([], &installed, &local).unwrap();
            assert_eq!(loaded.config.data_dir, data);
            assert_eq!(
                loaded.describe(),
                format!(
                    "trubka-relay: настройки {} (установленный по умолчанию); папка данных {}",
                    installed.display(),
                    data.display()
                )
            );
        }
        // Nothing there yet: everything but serve refuses, naming the config it read.
        let cli = Cli::try_parse_from(["trubka-relay", "agent", "list"]).unwrap();
        let loaded = cli.load_config_from([], &installed, &local).unwrap();
        let refusal = loaded.require_database().unwrap_err();
        let refusal = refusal.localized(Lang::Ru);
        assert!(refusal.contains("установленный по умолчанию"), "{refusal}");
        assert!(refusal.contains(&data.display().to_string()), "{refusal}");
        drop(Store::open(&data).unwrap());
        loaded.require_database().unwrap();

        // The environment names another file; --config wins over both.
        let env = [(CONFIG_ENV.to_owned(), "/nonexistent/relay.toml".to_owned())];
        let err = cli
            .load_config_from(env.clone(), &installed, &local)
            .unwrap_err();
        assert!(err.to_string().contains("/nonexistent/relay.toml"), "{err}");
        let flagged = Cli::try_parse_from([
            "trubka-relay".as_ref(),
            "agent".as_ref(),
            "list".as_ref(),
            "--config".as_ref(),
            installed.as_os_str(),
        ])
        .unwrap();
        let loaded = flagged.load_config_from(env, &installed, &local).unwrap();
        assert_eq!(loaded.source, ConfigSource::Flag(installed.clone()));
    }
}
