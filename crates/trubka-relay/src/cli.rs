//! The command line: `serve`, `agent add|list|revoke`, and the PBX administration commands
//! of [`crate::setup`] (`manager`, `uis-templates`, `sipuni-setup`, `check`). `src/main.rs`
//! only parses arguments, sets up logging and calls in here; output goes to a writer so tests
//! can read it.

use std::future::Future;
use std::io::{self, Write};
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use tokio::net::TcpListener;
use trubka_core::PhoneNumber;
use trubka_core::phone::{ParsedNumber, PhoneError, PhoneParser};

use crate::agents::{Agent, AgentEdit, NewAgent};
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

#[derive(Debug, Subcommand)]
pub enum AgentCommand {
    /// Create an agent; prints its token as the last line (shown once, stored hashed). The name
    /// of a revoked agent may be used again.
    Add(AddAgent),
    /// Correct an agent's name or mappings; its token keeps working, and a running relay
    /// uses the new mapping from the next event on. Options not given stay as they are.
    Edit(EditAgent),
    /// List agents with their mappings.
    List,
    /// Revoke an agent's token; its open streams are closed (code 4001).
    Revoke {
        /// The agent's name.
        name: String,
    },
}

#[derive(Debug, Args)]
pub struct AddAgent {
    /// Unique name, shown to the agent and in `agent list`.
    #[arg(long)]
    pub name: String,
    /// UIS employee id (`employee_id` in UIS notifications).
    #[arg(long, value_name = "ID")]
    pub uis_employee: Option<String>,
    /// Sipuni short internal number.
    #[arg(long, value_name = "EXT")]
    pub sipuni_ext: Option<String>,
    /// The employee's phone number or SIP line exactly as UIS reports it in
    /// `{{employee_phone_number}}` (any format people type for phone numbers): for setups whose
    /// notifications name no employee id, such as EnvyCRM's. Repeatable.
    #[arg(long = "employee-phone", value_name = "NUMBER")]
    pub employee_phones: Vec<String>,
    /// The caller ID of this agent's UIS calls (a virtual number of the account); without it
    /// the relay's `[uis] virtual_number`.
    #[arg(long, value_name = "NUMBER")]
    pub virtual_number: Option<String>,
    /// A line (virtual or city number) whose calls this agent sees before anyone picks up;
    /// any common format. Repeatable.
    #[arg(long = "line", value_name = "NUMBER")]
    pub lines: Vec<String>,
    /// See every call.
    #[arg(long)]
    pub supervisor: bool,
}

#[derive(Debug, Args)]
pub struct EditAgent {
    /// The agent's current name.
    pub name: String,
    /// A new name.
    #[arg(long, value_name = "NEW")]
    pub rename: Option<String>,
    /// UIS employee id; an empty value removes it.
    #[arg(long, value_name = "ID")]
    pub uis_employee: Option<String>,
    /// Sipuni short internal number; an empty value removes it.
    #[arg(long, value_name = "EXT")]
    pub sipuni_ext: Option<String>,
    /// The employee's phones or SIP lines (repeatable): replace the ones set before.
    #[arg(long = "employee-phone", value_name = "NUMBER")]
    pub employee_phones: Vec<String>,
    /// Remove every employee phone.
    #[arg(long, conflicts_with = "employee_phones")]
    pub no_employee_phones: bool,
    /// Caller ID of the agent's UIS calls; an empty value returns to the relay's default.
    #[arg(long, value_name = "NUMBER")]
    pub virtual_number: Option<String>,
    /// Lines whose calls the agent sees before anyone picks up (repeatable): replace the ones
    /// set before.
    #[arg(long = "line", value_name = "NUMBER")]
    pub lines: Vec<String>,
    /// Watch no line.
    #[arg(long, conflicts_with = "lines")]
    pub no_lines: bool,
    /// Make the agent a supervisor (sees every call).
    #[arg(long, conflicts_with = "no_supervisor")]
    pub supervisor: bool,
    /// The agent is no longer a supervisor.
    #[arg(long)]
    pub no_supervisor: bool,
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
    BadLine { raw: String, reason: String },
    #[error("--employee-phone {0:?}: empty or hidden; give the number or SIP line UIS shows")]
    BadEmployeePhone(String),
    #[error("--virtual-number {raw:?}: {reason}")]
    BadVirtualNumber { raw: String, reason: String },
    #[error("agent edit {0}: nothing to change; give at least one option (see --help)")]
    NothingToEdit(String),
    #[error(
        "no relay database in {} (config: {source_text}). Run this command with the \
         --config (or --data-dir) the relay runs with; a new relay makes its database on the \
         first `trubka-relay serve`",
        data_dir.display()
    )]
    NoDatabase {
        data_dir: PathBuf,
        source_text: String,
    },
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: io::Error },
    #[error(transparent)]
    Setup(#[from] SetupError),
    #[error(transparent)]
    Manager(#[from] ManagerCliError),
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
        format!(
            "trubka-relay: config {}; data dir {}",
            self.source,
            self.config.data_dir.display()
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
            source_text: self.source.to_string(),
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
    let database = config.data_dir.join(crate::store::DATABASE_FILE);
    let new_database = !database.is_file();
    let relay = Relay::open(config)?;
    let urls = relay.webhook_urls(local);
    let banner = (|| {
        if new_database {
            writeln!(
                out,
                "Created a new relay database: {} (hook tokens generated)",
                database.display()
            )?;
        }
        writeln!(out, "trubka-relay listening on http://{local}")?;
        writeln!(out, "UIS webhook URL:    {}", urls.uis)?;
        writeln!(out, "Sipuni webhook URL: {}", urls.sipuni)?;
        writeln!(out, "UIS route URL:      {}/route", urls.uis)?;
        out.flush()
    })();
    // The banner is for a person; a closed stdout (a supervisor that does not read it, a
    // reader that went away) must not stop the PBXs' notifications from being taken.
    if let Err(error) = banner {
        tracing::warn!(%error, uis = %urls.uis, sipuni = %urls.sipuni, "cannot print the webhook URLs");
    }
    tracing::info!(%local, epoch = relay.epoch(), "relay started");
    relay.serve(listener, shutdown).await?;
    tracing::info!("relay stopped");
    Ok(())
}

/// `agent add|list|revoke` against the database in `config.data_dir`.
pub fn agent(
    config: &RelayConfig,
    command: &AgentCommand,
    out: &mut impl Write,
) -> Result<(), CliError> {
    let store = Store::open(&config.data_dir)?;
    match command {
        AgentCommand::Add(add) => {
            let phones = PhoneParser::new(&config.default_region)?;
            let lines = add
                .lines
                .iter()
                .map(|raw| parse_line(&phones, raw))
                .collect::<Result<Vec<_>, _>>()?;
            let employee_phones = parse_employee_phones(&phones, &add.employee_phones)?;
            let virtual_number = add
                .virtual_number
                .as_deref()
                .map(|raw| parse_virtual_number(&phones, raw))
                .transpose()?;
            let new = NewAgent {
                name: add.name.clone(),
                uis_employee: add.uis_employee.clone(),
                sipuni_ext: add.sipuni_ext.clone(),
                employee_phones,
                virtual_number,
                lines,
                supervisor: add.supervisor,
            };
            let (agent, token) = store.add_agent(&new)?;
            writeln!(out, "Added agent {} ({}).", agent.name, mappings(&agent))?;
            writeln!(out, "Token (shown only now; give it to the agent):")?;
            writeln!(out, "{}", token.0)?;
        }
        AgentCommand::Edit(args) => {
            let phones = PhoneParser::new(&config.default_region)?;
            let change = agent_edit(&phones, args)?;
            if change.is_empty() {
                return Err(CliError::NothingToEdit(args.name.clone()));
            }
            let agent = store.edit_agent(&args.name, &change)?;
            writeln!(
                out,
                "Changed agent {} ({}); a running relay uses it from the next event.",
                agent.name,
                mappings(&agent)
            )?;
        }
        AgentCommand::List => write_table(out, &store.list_agents()?)?,
        AgentCommand::Revoke { name } => {
            let agent = store.revoke_agent(name)?;
            writeln!(
                out,
                "Revoked agent {}; a running relay closes its streams.",
                agent.name
            )?;
        }
    }
    Ok(())
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

/// `check`: `Ok(false)` when something must be fixed.
/// `status`.
pub fn status(config: &RelayConfig, out: &mut impl Write) -> Result<(), CliError> {
    use crate::setup::status;
    let store = Store::open(&config.data_dir)?;
    let heard = store.hook_activity()?;
    let refused = store.rejected(status::REFUSED_SHOWN)?;
    status::write(&heard, &refused, out)?;
    Ok(())
}

pub async fn check(
    config: &RelayConfig,
    source: &ConfigSource,
    out: &mut impl Write,
) -> Result<bool, CliError> {
    Ok(crate::setup::check::run(config, source, out).await?)
}

fn parse_line(phones: &PhoneParser, raw: &str) -> Result<PhoneNumber, CliError> {
    let reason = match phones.parse(raw) {
        ParsedNumber::Phone { number, .. } => return Ok(number),
        ParsedNumber::Internal(_) => "a short internal number is not a line".to_owned(),
        ParsedNumber::Anonymous => "no number".to_owned(),
        ParsedNumber::Invalid { reason } => reason,
    };
    Err(CliError::BadLine {
        raw: raw.to_owned(),
        reason,
    })
}

/// What `agent edit` asks for, with every number read.
fn agent_edit(phones: &PhoneParser, args: &EditAgent) -> Result<AgentEdit, CliError> {
    // An empty value removes a single mapping.
    let optional = |value: &Option<String>| {
        value
            .as_ref()
            .map(|v| Some(v.trim().to_owned()).filter(|v| !v.is_empty()))
    };
    let employee_phones = if args.no_employee_phones {
        Some(Vec::new())
    } else if args.employee_phones.is_empty() {
        None
    } else {
        Some(parse_employee_phones(phones, &args.employee_phones)?)
    };
    let virtual_number = match optional(&args.virtual_number) {
        None => None,
        Some(None) => Some(None),
        Some(Some(raw)) => Some(Some(parse_virtual_number(phones, &raw)?)),
    };
    let lines = if args.no_lines {
        Some(Vec::new())
    } else if args.lines.is_empty() {
        None
    } else {
        Some(
            args.lines
                .iter()
                .map(|raw| parse_line(phones, raw))
                .collect::<Result<Vec<_>, _>>()?,
        )
    };
    let supervisor = match (args.supervisor, args.no_supervisor) {
        (true, _) => Some(true),
        (_, true) => Some(false),
        _ => None,
    };
    Ok(AgentEdit {
        rename: optional(&args.rename).flatten(),
        uis_employee: optional(&args.uis_employee),
        sipuni_ext: optional(&args.sipuni_ext),
        employee_phones,
        virtual_number,
        lines,
        supervisor,
    })
}

fn parse_employee_phones(phones: &PhoneParser, raw: &[String]) -> Result<Vec<String>, CliError> {
    raw.iter()
        .map(|raw| {
            phones
                .employee_line(raw)
                .ok_or_else(|| CliError::BadEmployeePhone(raw.clone()))
        })
        .collect()
}

fn parse_virtual_number(phones: &PhoneParser, raw: &str) -> Result<PhoneNumber, CliError> {
    parse_line(phones, raw).map_err(|e| match e {
        CliError::BadLine { raw, reason } => CliError::BadVirtualNumber { raw, reason },
        other => other,
    })
}

fn mappings(agent: &Agent) -> String {
    let mut parts = Vec::new();
    if let Some(id) = &agent.uis_employee {
        parts.push(format!("UIS employee {id}"));
    }
    if let Some(ext) = &agent.sipuni_ext {
        parts.push(format!("Sipuni ext {ext}"));
    }
    if !agent.employee_phones.is_empty() {
        parts.push(format!(
            "employee phones {}",
            agent.employee_phones.join(", ")
        ));
    }
    if let Some(number) = &agent.virtual_number {
        parts.push(format!("caller ID {number}"));
    }
    if !agent.lines.is_empty() {
        parts.push(format!("lines {}", agent.lines.join(", ")));
    }
    if agent.supervisor {
        parts.push("supervisor".to_owned());
    }
    if parts.is_empty() {
        "no mappings: sees nothing".to_owned()
    } else {
        parts.join("; ")
    }
}

fn write_table(out: &mut impl Write, agents: &[Agent]) -> io::Result<()> {
    const HEADER: [&str; 9] = [
        "NAME",
        "UIS",
        "SIPUNI",
        "PHONES",
        "CALLER ID",
        "LINES",
        "SUPERVISOR",
        "CREATED",
        "REVOKED",
    ];
    let time = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d %H:%M").to_string();
    let list = |items: &[String]| {
        if items.is_empty() {
            "-".to_owned()
        } else {
            items.join(",")
        }
    };
    let rows: Vec<[String; 9]> = agents
        .iter()
        .map(|a| {
            [
                a.name.clone(),
                a.uis_employee.clone().unwrap_or_else(|| "-".to_owned()),
                a.sipuni_ext.clone().unwrap_or_else(|| "-".to_owned()),
                list(&a.employee_phones),
                a.virtual_number.clone().unwrap_or_else(|| "-".to_owned()),
                if a.lines.is_empty() {
                    "-".to_owned()
                } else {
                    a.lines.join(",")
                },
                if a.supervisor { "yes" } else { "no" }.to_owned(),
                time(a.created_at),
                a.revoked_at.map_or_else(|| "-".to_owned(), time),
            ]
        })
        .collect();
    // Widths in characters, not bytes: names are often Cyrillic.
    let mut widths = HEADER.map(|h| h.chars().count());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell}{}", " ".repeat(width - cell.chars().count())))
            .collect();
        padded.join("  ").trim_end().to_owned()
    };
    writeln!(out, "{}", line(&HEADER.map(str::to_owned)))?;
    for row in &rows {
        writeln!(out, "{}", line(row))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A configuration whose data dir is a fresh folder (kept alive by the returned guard).
    fn temp_config() -> (tempfile::TempDir, RelayConfig) {
        let dir = tempfile::tempdir().unwrap();
        let config = RelayConfig {
            data_dir: dir.path().to_owned(),
            ..RelayConfig::default()
        };
        (dir, config)
    }

    fn run(config: &RelayConfig, args: &[&str]) -> Result<String, CliError> {
        let cli = Cli::try_parse_from(std::iter::once("trubka-relay").chain(args.iter().copied()))
            .expect("arguments parse");
        let Command::Agent(command) = &cli.command else {
            panic!("not an agent command")
        };
        let mut out = Vec::new();
        agent(config, command, &mut out)?;
        Ok(String::from_utf8(out).unwrap())
    }

    #[test]
    fn employee_phones_and_caller_id_are_read_as_typed_and_listed() {
        let (dir, config) = temp_config();
        let out = run(
            &config,
            &[
                "agent",
                "add",
                "--name",
                "Ольга",
                "--employee-phone",
                "8 (903) 123-45-67",
                "--employee-phone",
                "Sip_Olga@acme",
                "--virtual-number",
                "+7 499 372-06-92",
            ],
        )
        .unwrap();
        assert!(
            out.contains("employee phones +79031234567, sip_olga@acme; caller ID +74993720692"),
            "{out}"
        );
        let stored = Store::open(dir.path()).unwrap().list_agents().unwrap();
        assert_eq!(stored[0].employee_phones, ["+79031234567", "sip_olga@acme"]);
        let table = run(&config, &["agent", "list"]).unwrap();
        assert!(
            table.contains("+79031234567,sip_olga@acme  +74993720692"),
            "{table}"
        );
        let refused = |flag: &str, value: &str| {
            run(&config, &["agent", "add", "--name", "Пётр", flag, value]).unwrap_err()
        };
        assert!(matches!(
            refused("--employee-phone", "anonymous"),
            CliError::BadEmployeePhone(_)
        ));
        assert!(matches!(
            refused("--virtual-number", "12"),
            CliError::BadVirtualNumber { .. }
        ));
    }

    #[test]
    fn a_mistyped_agent_is_corrected_and_a_revoked_name_is_free_again() {
        let (dir, config) = temp_config();
        let add = |name: &str, employee: &str| {
            run(
                &config,
                &["agent", "add", "--name", name, "--uis-employee", employee],
            )
        };
        let out = add("Анна", "233929").unwrap();
        let token = out.lines().last().unwrap().to_owned();
        let store = || Store::open(dir.path()).unwrap();

        let out = run(
            &config,
            &[
                "agent",
                "edit",
                "Анна",
                "--uis-employee",
                "2339292",
                "--line",
                "8 495 123-45-67",
                "--supervisor",
                "--rename",
                "Анна Смирнова",
            ],
        )
        .unwrap();
        assert!(
            out.starts_with("Changed agent Анна Смирнова (UIS employee 2339292;"),
            "{out}"
        );
        let agent = store()
            .agent_by_token(&crate::agents::AgentToken(token.clone()))
            .unwrap()
            .expect("the token still works");
        assert_eq!(agent.name, "Анна Смирнова");
        assert_eq!(agent.uis_employee.as_deref(), Some("2339292"));
        assert_eq!(agent.lines, ["+74951234567"]);
        assert!(agent.supervisor);

        // An empty value removes a mapping; options not given stay.
        run(
            &config,
            &[
                "agent",
                "edit",
                "Анна Смирнова",
                "--uis-employee",
                "",
                "--no-supervisor",
                "--no-lines",
            ],
        )
        .unwrap();
        let agent = &store().list_agents().unwrap()[0];
        assert_eq!(agent.uis_employee, None);
        assert!(!agent.supervisor && agent.lines.is_empty());
        assert_eq!(agent.name, "Анна Смирнова");

        assert!(matches!(
            run(&config, &["agent", "edit", "Анна Смирнова"]),
            Err(CliError::NothingToEdit(_))
        ));
        assert!(matches!(
            run(&config, &["agent", "edit", "Никто", "--supervisor"]),
            Err(CliError::Store(StoreError::NoSuchAgent(_)))
        ));

        // Revoked, the name can be used again; the old row stays, under another name.
        run(&config, &["agent", "revoke", "Анна Смирнова"]).unwrap();
        assert!(matches!(
            run(&config, &["agent", "edit", "Анна Смирнова", "--supervisor"]),
            Err(CliError::Store(StoreError::NoSuchAgent(_)))
        ));
        add("Анна Смирнова", "2339292").unwrap();
        let agents = store().list_agents().unwrap();
        assert_eq!(agents.len(), 2);
        assert!(
            agents[0].name.starts_with("Анна Смирнова (отозван #"),
            "{agents:?}"
        );
        assert!(agents[0].revoked_at.is_some());
        assert_eq!(agents[1].name, "Анна Смирнова");
        assert!(agents[1].revoked_at.is_none());
        // Two active agents cannot share a name.
        add("Игорь", "2339293").unwrap();
        assert!(matches!(
            run(
                &config,
                &["agent", "edit", "Игорь", "--rename", "Анна Смирнова"]
            ),
            Err(CliError::Store(StoreError::AgentExists(_)))
        ));
    }

    #[test]
    fn agents_are_added_with_typed_lines_listed_and_revoked() {
        let (dir, config) = temp_config();
        let out = run(
            &config,
            &[
                "agent",
                "add",
                "--name",
                "Анна",
                "--uis-employee",
                "2339292",
                "--line",
                "8 (495) 123-45-67",
            ],
        )
        .unwrap();
        let token = out.lines().last().unwrap();
        assert!(token.starts_with("trk_"), "{out}");
        let stored = Store::open(dir.path()).unwrap().list_agents().unwrap();
        assert_eq!(stored[0].lines, vec!["+74951234567".to_owned()]);

        let table = run(&config, &["agent", "list"]).unwrap();
        let row = table.lines().nth(1).unwrap();
        assert!(
            row.starts_with("Анна  2339292  -       -       -          +74951234567  no"),
            "{table}"
        );

        assert!(matches!(
            run(
                &config,
                &["agent", "add", "--name", "Игорь", "--line", "201"]
            ),
            Err(CliError::BadLine { .. })
        ));
        run(&config, &["agent", "revoke", "Анна"]).unwrap();
        let table = run(&config, &["agent", "list"]).unwrap();
        assert!(!table.lines().nth(1).unwrap().ends_with(" -"), "{table}");
    }

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
                    "trubka-relay: config {} (installed default); data dir {}",
                    installed.display(),
                    data.display()
                )
            );
        }
        // Nothing there yet: everything but serve refuses, naming the config it read.
        let cli = Cli::try_parse_from(["trubka-relay", "agent", "list"]).unwrap();
        let loaded = cli.load_config_from([], &installed, &local).unwrap();
        let refusal = loaded.require_database().unwrap_err().to_string();
        assert!(refusal.contains("installed default"), "{refusal}");
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
