//! `trubka-relay manager set|unset|list`: personal managers for UIS interactive call processing
//! (see [`crate::managers`]).
//!
//! `manager set NUMBER AGENT [--phone PHONE]`: the ring phone is `--phone` when given, else the
//! one already stored for the agent, else the agent's first active phone in UIS
//! (`get.employees`, found by the agent's UIS employee id). Numbers are accepted in any common
//! format; the ring phone is kept as digits, as UIS writes numbers.

use std::io::{self, Write};

use trubka_core::{Lang, ParsedNumber, PhoneError, PhoneParser, tr};
use trubka_pbx::PbxError;

use super::NotANumber;
use crate::config::RelayConfig;
use crate::managers::{ManagerAgent, ManagerError, Managers};
use crate::pbx::{PbxApis, PbxSetupError};

#[derive(Debug, thiserror::Error)]
pub enum ManagerCliError {
    #[error(transparent)]
    Manager(#[from] ManagerError),
    #[error("default_region: {0}")]
    Region(#[from] PhoneError),
    #[error("{raw:?} is not a phone number: {reason}")]
    BadNumber { raw: String, reason: NotANumber },
    #[error(
        "no phone to ring for agent `{0}`: pass --phone, or give the agent a UIS employee id \
         and set [uis] api_key so the relay can look the phone up"
    )]
    NoRingPhone(String),
    #[error("UIS employee {employee} of agent `{agent}` has no active phone; pass --phone")]
    NoActivePhone { agent: String, employee: String },
    #[error("looking up the agent's phone in UIS failed: {}", .0.user_message())]
    Pbx(#[from] PbxError),
    #[error(transparent)]
    PbxSetup(#[from] PbxSetupError),
    #[error("cannot write output: {0}")]
    Output(#[from] io::Error),
}

impl ManagerCliError {
    /// The message for the admin, in `lang` (the `Display` stays English, for logs).
    pub fn localized(&self, lang: Lang) -> String {
        match self {
            ManagerCliError::Manager(ManagerError::Store(e)) => super::store_error(e, lang),
            ManagerCliError::Manager(ManagerError::NoSuchAgent(name)) => tr!(
                lang,
                "оператора «{name}» нет (`trubka-relay agent list` покажет всех)",
                "no agent named \"{name}\" (`trubka-relay agent list` shows them all)"
            ),
            ManagerCliError::Manager(ManagerError::Revoked(name)) => tr!(
                lang,
                "доступ оператора «{name}» отозван: персональным менеджером он быть не может",
                "agent \"{name}\" is revoked and cannot be a personal manager"
            ),
            ManagerCliError::Region(e) => super::region_error(e, lang),
            ManagerCliError::BadNumber { raw, reason } => {
                let reason = reason.localized(lang);
                tr!(
                    lang,
                    "«{raw}» — не номер телефона: {reason}",
                    "\"{raw}\" is not a phone number: {reason}"
                )
            }
            ManagerCliError::NoRingPhone(agent) => tr!(
                lang,
                "не на что звонить оператору «{agent}»: укажите --phone или задайте оператору ID \
                 сотрудника UIS и [uis] api_key, чтобы релей нашёл его телефон",
                "no phone to ring for agent \"{agent}\": pass --phone, or give the agent a UIS \
                 employee id and set [uis] api_key so the relay can look the phone up"
            ),
            ManagerCliError::NoActivePhone { agent, employee } => tr!(
                lang,
                "у сотрудника UIS {employee} (оператор «{agent}») нет активного телефона; \
                 укажите --phone",
                "UIS employee {employee} of agent \"{agent}\" has no active phone; pass --phone"
            ),
            ManagerCliError::Pbx(e) => {
                let message = e.user_message_in(lang);
                tr!(
                    lang,
                    "телефон оператора в UIS найти не удалось: {message}",
                    "looking up the agent's phone in UIS failed: {message}"
                )
            }
            ManagerCliError::PbxSetup(e) => e.localized(lang),
            ManagerCliError::Output(e) => super::output_error(e, lang),
        }
    }
}

/// `manager set`.
pub async fn set(
    config: &RelayConfig,
    number: &str,
    agent_name: &str,
    phone: Option<&str>,
    out: &mut impl Write,
) -> Result<(), ManagerCliError> {
    let phones = PhoneParser::new(&config.default_region)?;
    let client = client_number(&phones, number)?;
    let mut managers = Managers::open(&config.data_dir)?;
    let agent = managers.agent(agent_name)?;
    let ring = match phone {
        Some(phone) => ring_phone(&phones, phone)?,
        None => match &agent.ring_phone {
            Some(known) => known.clone(),
            None => looked_up(config, &phones, &agent).await?,
        },
    };
    managers.set(&client, &agent, &ring)?;
    let name = &agent.name;
    writeln!(
        out,
        "{}",
        tr!(
            config.language,
            "Персональный менеджер {client}: {name} (UIS позвонит на {ring}).",
            "The personal manager of {client}: {name} (UIS will ring {ring})."
        )
    )?;
    Ok(())
}

/// `manager unset`.
pub fn unset(
    config: &RelayConfig,
    number: &str,
    out: &mut impl Write,
) -> Result<(), ManagerCliError> {
    let phones = PhoneParser::new(&config.default_region)?;
    let client = client_number(&phones, number)?;
    let lang = config.language;
    let said = if Managers::open(&config.data_dir)?.unset(&client)? {
        tr!(
            lang,
            "Персональный менеджер {client} снят.",
            "The personal manager of {client} is removed."
        )
    } else {
        tr!(
            lang,
            "У {client} не было персонального менеджера.",
            "{client} had no personal manager."
        )
    };
    writeln!(out, "{said}")?;
    Ok(())
}

/// `manager list`.
pub fn list(config: &RelayConfig, out: &mut impl Write) -> Result<(), ManagerCliError> {
    let assignments = Managers::open(&config.data_dir)?.list()?;
    let lang = config.language;
    writeln!(
        out,
        "{}",
        lang.pick(
            "НОМЕР\tОПЕРАТОР\tТЕЛЕФОН ДЛЯ ЗВОНКА",
            "NUMBER\tAGENT\tRING PHONE",
        )
    )?;
    for assignment in assignments {
        let agent = if assignment.active {
            assignment.agent
        } else {
            tr!(lang, "{} (отозван)", "{} (revoked)", assignment.agent)
        };
        writeln!(
            out,
            "{}\t{agent}\t{}",
            assignment.phone,
            assignment.ring_phone.as_deref().unwrap_or("-")
        )?;
    }
    Ok(())
}

/// A client's number as E.164.
fn client_number(phones: &PhoneParser, raw: &str) -> Result<String, ManagerCliError> {
    match phones.parse(raw) {
        ParsedNumber::Phone { number, .. } => Ok(number.e164().to_owned()),
        ParsedNumber::Internal(_) => Err(bad(raw, NotANumber::Internal)),
        ParsedNumber::Anonymous => Err(bad(raw, NotANumber::Empty)),
        ParsedNumber::Invalid { reason } => Err(bad(raw, NotANumber::Invalid(reason))),
    }
}

/// A number UIS can ring: a phone (as digits) or an internal/SIP number (as given).
fn ring_phone(phones: &PhoneParser, raw: &str) -> Result<String, ManagerCliError> {
    match phones.parse(raw) {
        ParsedNumber::Phone { number, .. } => Ok(number.digits().to_owned()),
        ParsedNumber::Internal(short) => Ok(short),
        ParsedNumber::Anonymous => Err(bad(raw, NotANumber::Empty)),
        ParsedNumber::Invalid { reason } => Err(bad(raw, NotANumber::Invalid(reason))),
    }
}

fn bad(raw: &str, reason: NotANumber) -> ManagerCliError {
    ManagerCliError::BadNumber {
        raw: raw.to_owned(),
        reason,
    }
}

/// The agent's first active phone in UIS.
async fn looked_up(
    config: &RelayConfig,
    phones: &PhoneParser,
    agent: &ManagerAgent,
) -> Result<String, ManagerCliError> {
    let no_phone = || ManagerCliError::NoRingPhone(agent.name.clone());
    let employee = agent.uis_employee.clone().ok_or_else(no_phone)?;
    let apis = PbxApis::from_config(config)?;
    let uis = apis.uis.ok_or_else(no_phone)?;
    let employees = uis.client.employees().await?;
    let phone = employees
        .iter()
        .find(|e| e.id.to_string() == employee.trim())
        .and_then(|e| {
            let active = |p: &&trubka_pbx::uis::EmployeePhone| {
                p.status.as_deref().is_none_or(|s| s == "active")
            };
            e.phone_numbers.iter().find(active)
        })
        .ok_or_else(|| ManagerCliError::NoActivePhone {
            agent: agent.name.clone(),
            employee: employee.clone(),
        })?;
    // A SIP number (`044431201`) is not a phone number to the parser but is what UIS rings.
    let text = phone.phone_number.trim();
    match phones.parse(text).phone() {
        Some(number) => Ok(number.digits().to_owned()),
        None if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) => Ok(text.to_owned()),
        None => ring_phone(phones, text),
    }
}
