//! `trubka-relay agent add|edit|list|revoke`: who may connect, and how each PBX names them.
//! Numbers are read in any form people type them; every mapping shows in `agent list`.

use std::io::{self, Write};

use clap::{Args, Subcommand};
use trubka_core::phone::{ParsedNumber, PhoneParser};
use trubka_core::{Lang, PhoneNumber, tr};

use super::CliError;
use super::invite::{InviteAgent, Validity};
use crate::agents::{Agent, AgentEdit, NewAgent};
use crate::config::RelayConfig;
use crate::setup::NotANumber;
use crate::store::Store;

#[derive(Debug, Subcommand)]
pub enum AgentCommand {
    /// Create an agent; prints its invite link (when `public_url` is set) and its token as the
    /// last line (shown once, stored hashed). The name of a revoked agent may be used again.
    Add(AddAgent),
    /// Correct an agent's name or mappings; its token keeps working, and a running relay
    /// uses the new mapping from the next event on. Options not given stay as they are, an
    /// empty value (`--uis-employee ""`) removes a mapping, a repeated option replaces the list.
    Edit(EditAgent),
    /// List agents with their mappings.
    List,
    /// A new one-time invite link for an agent (earlier unused links stop working); signing
    /// in with it replaces the agent's token. Needs `public_url`.
    Invite(InviteAgent),
    /// Revoke an agent's token and invite links; its open streams are closed (code 4001).
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
    #[command(flatten)]
    pub mappings: Mappings,
    /// See every call.
    #[arg(long)]
    pub supervisor: bool,
    #[command(flatten)]
    pub invite: Validity,
}

#[derive(Debug, Args)]
pub struct EditAgent {
    /// The agent's current name.
    pub name: String,
    /// A new name.
    #[arg(long, value_name = "NEW")]
    pub rename: Option<String>,
    #[command(flatten)]
    pub mappings: Mappings,
    /// Remove every employee phone.
    #[arg(long, conflicts_with = "employee_phones")]
    pub no_employee_phones: bool,
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

/// How the PBXs name an agent, as `agent add` and `agent edit` take it. With `agent edit`, an
/// option not given stays as it was, an empty value removes a single mapping, and a repeated
/// option replaces the whole list.
#[derive(Debug, Args)]
pub struct Mappings {
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
}

/// `agent add|list|revoke` against the database in `config.data_dir`.
pub fn agent(
    config: &RelayConfig,
    command: &AgentCommand,
    out: &mut impl Write,
) -> Result<(), CliError> {
    let store = Store::open(&config.data_dir)?;
    let lang = config.language;
    match command {
        AgentCommand::Add(add) => {
            let phones = PhoneParser::new(&config.default_region)?;
            let given = read_mappings(&phones, &add.mappings)?;
            let new = NewAgent {
                name: add.name.clone(),
                uis_employee: given.uis_employee.flatten(),
                sipuni_ext: given.sipuni_ext.flatten(),
                employee_phones: given.employee_phones.unwrap_or_default(),
                virtual_number: given.virtual_number.flatten(),
                lines: given.lines.unwrap_or_default(),
                supervisor: add.supervisor,
            };
            let (agent, token) = store.add_agent(&new)?;
            let (name, mapped) = (&agent.name, mappings(&agent, lang));
            writeln!(
                out,
                "{}",
                tr!(
                    lang,
                    "Оператор {name} добавлен ({mapped}).",
                    "Added agent {name} ({mapped})."
                )
            )?;
            super::invite::after_add(config, &store, &agent, &add.invite, out)?;
            writeln!(
                out,
                "{}",
                lang.pick(
                    "Токен (показан только сейчас; передайте его оператору):",
                    "Token (shown only now; give it to the agent):"
                )
            )?;
            writeln!(out, "{}", token.0)?;
        }
        AgentCommand::Edit(args) => {
            let phones = PhoneParser::new(&config.default_region)?;
            let change = agent_edit(&phones, args)?;
            if change.is_empty() {
                return Err(CliError::NothingToEdit(args.name.clone()));
            }
            let agent = store.edit_agent(&args.name, &change)?;
            let (name, mapped) = (&agent.name, mappings(&agent, lang));
            writeln!(
                out,
                "{}",
                tr!(
                    lang,
                    "Оператор {name} изменён ({mapped}); работающий релей применит это со \
                     следующего события.",
                    "Changed agent {name} ({mapped}); a running relay uses it from the next \
                     event."
                )
            )?;
        }
        AgentCommand::List => write_table(out, &store.list_agents()?, lang)?,
        AgentCommand::Invite(args) => super::invite::invite(config, &store, args, out)?,
        AgentCommand::Revoke { name } => {
            let name = store.revoke_agent(name)?.name;
            writeln!(
                out,
                "{}",
                tr!(
                    lang,
                    "Оператор {name} отозван; работающий релей закроет его подключения.",
                    "Revoked agent {name}; a running relay closes its streams."
                )
            )?;
        }
    }
    Ok(())
}

fn parse_line(phones: &PhoneParser, raw: &str) -> Result<PhoneNumber, CliError> {
    let reason = match phones.parse(raw) {
        ParsedNumber::Phone { number, .. } => return Ok(number),
        ParsedNumber::Internal(_) => NotANumber::Internal,
        ParsedNumber::Anonymous => NotANumber::Empty,
        ParsedNumber::Invalid { reason } => NotANumber::Invalid(reason),
    };
    Err(CliError::BadLine {
        raw: raw.to_owned(),
        reason,
    })
}

/// What `agent edit` asks for, with every number read.
fn agent_edit(phones: &PhoneParser, args: &EditAgent) -> Result<AgentEdit, CliError> {
    let mut edit = read_mappings(phones, &args.mappings)?;
    if args.no_employee_phones {
        edit.employee_phones = Some(Vec::new());
    }
    if args.no_lines {
        edit.lines = Some(Vec::new());
    }
    edit.rename = given(&args.rename).flatten();
    edit.supervisor = match (args.supervisor, args.no_supervisor) {
        (true, _) => Some(true),
        (_, true) => Some(false),
        _ => None,
    };
    Ok(edit)
}

/// The mappings given, every number read: `None` for an option not given, `Some(None)` for an
/// empty value, lists only when at least one value was given.
fn read_mappings(phones: &PhoneParser, args: &Mappings) -> Result<AgentEdit, CliError> {
    let virtual_number = match given(&args.virtual_number) {
        None => None,
        Some(None) => Some(None),
        Some(Some(raw)) => Some(Some(parse_virtual_number(phones, &raw)?)),
    };
    let lines = match args.lines.as_slice() {
        [] => None,
        raw => Some(
            raw.iter()
                .map(|raw| parse_line(phones, raw))
                .collect::<Result<Vec<_>, _>>()?,
        ),
    };
    let employee_phones = match args.employee_phones.as_slice() {
        [] => None,
        raw => Some(parse_employee_phones(phones, raw)?),
    };
    Ok(AgentEdit {
        uis_employee: given(&args.uis_employee),
        sipuni_ext: given(&args.sipuni_ext),
        employee_phones,
        virtual_number,
        lines,
        ..AgentEdit::default()
    })
}

/// An option as given: `None` when absent, `Some(None)` when empty.
fn given(value: &Option<String>) -> Option<Option<String>> {
    value
        .as_ref()
        .map(|v| Some(v.trim().to_owned()).filter(|v| !v.is_empty()))
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

/// The agent's mappings in one line, for what `add` and `edit` say.
fn mappings(agent: &Agent, lang: Lang) -> String {
    let mut parts = Vec::new();
    if let Some(id) = &agent.uis_employee {
        parts.push(tr!(lang, "сотрудник UIS {id}", "UIS employee {id}"));
    }
    if let Some(ext) = &agent.sipuni_ext {
        parts.push(tr!(lang, "внутренний Sipuni {ext}", "Sipuni ext {ext}"));
    }
    if !agent.employee_phones.is_empty() {
        let phones = agent.employee_phones.join(", ");
        parts.push(tr!(
            lang,
            "телефоны сотрудника {phones}",
            "employee phones {phones}"
        ));
    }
    if let Some(number) = &agent.virtual_number {
        parts.push(tr!(
            lang,
            "номер для звонков {number}",
            "caller ID {number}"
        ));
    }
    if !agent.lines.is_empty() {
        let lines = agent.lines.join(", ");
        parts.push(tr!(lang, "линии {lines}", "lines {lines}"));
    }
    if agent.supervisor {
        parts.push(lang.pick("супервизор", "supervisor").to_owned());
    }
    if parts.is_empty() {
        lang.pick(
            "нет привязок: не видит ни одного звонка",
            "no mappings: sees nothing",
        )
        .to_owned()
    } else {
        parts.join("; ")
    }
}

/// `agent list`: one row per agent, every mapping, in columns.
fn write_table(out: &mut impl Write, agents: &[Agent], lang: Lang) -> io::Result<()> {
    let header: [&str; 9] = match lang {
        Lang::Ru => [
            "ИМЯ",
            "UIS",
            "SIPUNI",
            "ТЕЛЕФОНЫ",
            "НОМЕР ДЛЯ ЗВОНКОВ",
            "ЛИНИИ",
            "СУПЕРВИЗОР",
            "ДОБАВЛЕН",
            "ОТОЗВАН",
        ],
        Lang::En => [
            "NAME",
            "UIS",
            "SIPUNI",
            "PHONES",
            "CALLER ID",
            "LINES",
            "SUPERVISOR",
            "CREATED",
            "REVOKED",
        ],
    };
    let (yes, no) = lang.pick(("да", "нет"), ("yes", "no"));
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
                list(&a.lines),
                if a.supervisor { yes } else { no }.to_owned(),
                time(a.created_at),
                a.revoked_at.map_or_else(|| "-".to_owned(), time),
            ]
        })
        .collect();
    super::table::write_columns(out, header, &rows)?;
    Ok(())
}

#[cfg(test)]
pub(super) mod tests {
    use clap::Parser;

    use super::super::{Cli, Command};
    use super::*;
    use crate::store::StoreError;

    /// A configuration whose data dir is a fresh folder (kept alive by the returned guard).
    fn temp_config() -> (tempfile::TempDir, RelayConfig) {
        let dir = tempfile::tempdir().unwrap();
        let config = RelayConfig {
            data_dir: dir.path().to_owned(),
            ..RelayConfig::default()
        };
        (dir, config)
    }

    /// Runs `trubka-relay ARGS` (an `agent` subcommand) on `config`; what it printed.
    pub(in crate::cli) fn run(config: &RelayConfig, args: &[&str]) -> Result<String, CliError> {
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
            out.contains(
                "телефоны сотрудника +79031234567, sip_olga@acme; номер для звонков +74993720692"
            ),
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
            out.starts_with("Оператор Анна Смирнова изменён (сотрудник UIS 2339292;"),
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
        let (dir, mut config) = temp_config();
        // In English, as an admin with `language = "en"` reads it.
        config.language = Lang::En;
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
        assert!(
            out.starts_with("Added agent Анна (UIS employee 2339292; lines"),
            "{out}"
        );
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
}
