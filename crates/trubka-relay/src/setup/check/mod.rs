//! `trubka-relay check`: reads the configuration, reaches each configured PBX API with
//! harmless requests and says in plain words what is wrong.
//!
//! - Which configuration file was read; with none, where it was looked for (and a failure
//!   when nothing at all is configured, so an empty run never says «ошибок нет»).
//! - Keys that are sample values or empty ([`keys`]), before any request is made.
//! - UIS ([`uis`]): `get.account` (key, IP allow-list, Data API, time zone), the Call API
//!   options, `[uis] virtual_number`; every agent's employee id, employee phones and caller ID
//!   against the account ([`uis_agents`]); and which notifications UIS sent in the last days,
//!   where to and with what result ([`uis_notifications`]).
//! - Sipuni ([`sipuni`]): the cabinet number's form, the signature, «Услуга совершение звонков
//!   по API», and every agent's extension against the cabinet's employees.
//! - The UIS address book (`[directory.uis_sync]`, [`uis_book`]): `get.contacts` read whole,
//!   its count ✓ or the refusal ✗.
//! - The CRM (`[directory.lookup]`, [`crm`]): a sample number, asked as an unknown caller's
//!   would be: found or nobody is ✓, a timeout ⚠, an error or an unreadable answer ✗.
//!
//! Every line is in the language of `config.language` (Russian by default); in English, the
//! names of cabinet sections and tariff options stay Russian in «», as the cabinet shows them.
//!
//! Each line starts with ✓ (works), ✗ (must be fixed), ⚠ (worth a look) or – (not set up).
//! The result is `false` when any line is ✗; the binary then exits with status 1.

mod crm;
mod https;
mod keys;
mod sipuni;
mod uis;
mod uis_agents;
mod uis_book;
mod uis_notifications;

use std::io::{self, Write};

use trubka_core::{Lang, PhoneParser, tr};
use trubka_pbx::PbxError;

use crate::agents::Agent;
use crate::config::RelayConfig;
use crate::config::locate::ConfigSource;
use crate::pbx::PbxApis;
use crate::store::{DATABASE_FILE, Store};

/// Writes the check lines; `Ok(true)` when nothing must be fixed. `source` is where the
/// configuration came from (`Loaded::source`).
pub async fn run(
    config: &RelayConfig,
    source: &ConfigSource,
    out: &mut impl Write,
) -> io::Result<bool> {
    let lang = config.language;
    let mut report = Report {
        out,
        ok: true,
        lang,
    };
    report.line(
        Mark::Info,
        lang.pick(
            "Проверка настроек trubka-relay",
            "Checking the trubka-relay settings",
        ),
    )?;
    config_file(&mut report, config, source)?;
    match PhoneParser::new(&config.default_region) {
        Ok(_) => report.line(
            Mark::Ok,
            &tr!(
                lang,
                "Регион номеров без кода страны: {}",
                "Region of numbers without a country code: {}",
                config.default_region
            ),
        )?,
        Err(e) => report.line(Mark::Fail, &super::region_error(&e, lang))?,
    }
    match &config.public_url {
        Some(url) if url.starts_with("https://") || url.starts_with("http://") => report.line(
            Mark::Ok,
            &tr!(
                lang,
                "Публичный адрес релея: {url}",
                "The relay's public address: {url}"
            ),
        )?,
        Some(url) => report.line(
            Mark::Fail,
            &tr!(
                lang,
                "public_url «{url}» должен начинаться с https:// (или http://)",
                "public_url «{url}» must start with https:// (or http://)"
            ),
        )?,
        None => report.line(
            Mark::Warn,
            lang.pick(
                "public_url не задан: АТС не смогут отправлять события на локальный адрес релея",
                "public_url is not set: the PBXs cannot send events to the relay's local address",
            ),
        )?,
    }
    https::https(&mut report, config)?;
    let relay = relay_data(&mut report, config)?;
    let samples = sample_keys(&mut report, config)?;
    let apis = match PbxApis::from_config(config) {
        Ok(apis) => apis,
        Err(e) => {
            let e = e.localized(lang);
            report.line(
                Mark::Fail,
                &tr!(
                    lang,
                    "Настройки АТС неверны: {e}",
                    "The PBX settings are wrong: {e}"
                ),
            )?;
            PbxApis::default()
        }
    };
    match &apis.uis {
        _ if samples.uis => {}
        Some(api) => uis::check(&mut report, api, config, &relay).await?,
        None => report.line(
            Mark::Off,
            lang.pick(
                "UIS API не настроен ([uis] api_key): звонки из Trubka и сверка истории через \
                 UIS выключены",
                "UIS API is not set up ([uis] api_key): calls from Trubka and the history \
                 reconciliation through UIS are off",
            ),
        )?,
    }
    match &apis.sipuni {
        _ if samples.sipuni => {}
        Some(api) => sipuni::check(&mut report, api, config, &relay.agents).await?,
        None => report.line(
            Mark::Off,
            lang.pick(
                "Sipuni API не настроен ([sipuni] user и secret): звонки из Trubka и сверка \
                 истории через Sipuni выключены",
                "Sipuni API is not set up ([sipuni] user and secret): calls from Trubka and the \
                 history reconciliation through Sipuni are off",
            ),
        )?,
    }
    if !samples.uis {
        uis_book::uis_book(&mut report, config, &apis).await?;
    }
    crm::crm(&mut report, config).await?;
    let ok = report.ok;
    if ok {
        report.line(
            Mark::Info,
            lang.pick("Итог: ошибок нет.", "Result: no errors."),
        )?;
    } else {
        report.line(
            Mark::Info,
            lang.pick(
                "Итог: есть ошибки (✗) — исправьте их и запустите проверку снова.",
                "Result: there are errors (✗) — fix them and run the check again.",
            ),
        )?;
    }
    Ok(ok)
}

/// Says which file was read. With none, says where it was looked for; when nothing at all is
/// configured either (no PBX credentials), that is an error: the check would otherwise
/// approve an empty relay.
fn config_file(
    report: &mut Report<'_, impl Write>,
    config: &RelayConfig,
    source: &ConfigSource,
) -> io::Result<()> {
    let lang = report.lang;
    let ConfigSource::None { looked } = source else {
        let source = source.describe(lang);
        return report.line(
            Mark::Ok,
            &tr!(lang, "Файл настроек: {source}", "Settings file: {source}"),
        );
    };
    let mut places = vec![
        "--config".to_owned(),
        crate::config::locate::CONFIG_ENV.to_owned(),
    ];
    places.extend(looked.iter().map(|p| p.display().to_string()));
    let nothing = config.uis.api_key.is_none()
        && config.sipuni.user.is_none()
        && config.sipuni.secret.is_none();
    let places = places.join(", ");
    if nothing {
        report.line(
            Mark::Fail,
            &tr!(
                lang,
                "Файл настроек не прочитан (искали: {places}), и ничего не настроено \
                 переменными TRUBKA_RELAY_*: проверять нечего. Укажите файл: trubka-relay \
                 --config /etc/trubka/relay.toml check",
                "No settings file was read (looked in: {places}), and nothing is set by \
                 TRUBKA_RELAY_* variables: there is nothing to check. Name the file: \
                 trubka-relay --config /etc/trubka/relay.toml check"
            ),
        )
    } else {
        report.line(
            Mark::Warn,
            &tr!(
                lang,
                "Файл настроек не прочитан (искали: {places}): проверяются только переменные \
                 TRUBKA_RELAY_* и значения по умолчанию",
                "No settings file was read (looked in: {places}): only the TRUBKA_RELAY_* \
                 variables and the defaults are checked"
            ),
        )
    }
}

/// What the relay's database tells the checks: the active agents and the UIS hook token.
#[derive(Default)]
struct RelayData {
    agents: Vec<Agent>,
    uis_hook_token: Option<String>,
}

/// Reads the relay's database without making one: `check` run with the wrong data dir must
/// not leave an empty database where the admin meant the real one.
fn relay_data(report: &mut Report<'_, impl Write>, config: &RelayConfig) -> io::Result<RelayData> {
    let lang = report.lang;
    let dir = config.data_dir.display();
    if !config.data_dir.join(DATABASE_FILE).is_file() {
        report.line(
            Mark::Warn,
            &tr!(
                lang,
                "Базы релея нет в {dir}: релей с этими настройками ещё не запускался (serve \
                 создаст её), операторы не проверяются",
                "There is no relay database in {dir}: no relay has run with these settings yet \
                 (serve will create it), agents are not checked"
            ),
        )?;
        return Ok(RelayData::default());
    }
    let read = Store::open(&config.data_dir).and_then(|store| {
        let agents = store.list_agents()?;
        let tokens = store.hook_tokens(config)?;
        Ok((agents, tokens))
    });
    match read {
        Ok((agents, tokens)) => Ok(RelayData {
            agents: agents.into_iter().filter(Agent::is_active).collect(),
            uis_hook_token: Some(tokens.uis),
        }),
        Err(e) => {
            let e = super::store_error(&e, lang);
            report.line(
                Mark::Fail,
                &tr!(
                    lang,
                    "База релея в {dir}: {e}",
                    "The relay database in {dir}: {e}"
                ),
            )?;
            Ok(RelayData::default())
        }
    }
}

/// Which PBX has a sample value for a credential (and is then not asked at all).
struct SampleKeys {
    uis: bool,
    sipuni: bool,
}

fn sample_keys(
    report: &mut Report<'_, impl Write>,
    config: &RelayConfig,
) -> io::Result<SampleKeys> {
    let mut found = SampleKeys {
        uis: false,
        sipuni: false,
    };
    let settings = [
        ("[uis] api_key", config.uis.api_key.as_deref(), true),
        ("[uis] hook_token", config.uis.hook_token.as_deref(), true),
        ("[sipuni] secret", config.sipuni.secret.as_deref(), false),
        (
            "[sipuni] hook_token",
            config.sipuni.hook_token.as_deref(),
            false,
        ),
    ];
    for (name, value, is_uis) in settings {
        let Some(value) = value else { continue };
        let Some(why) = keys::not_a_key(value) else {
            continue;
        };
        let why = why.says(report.lang);
        if name.ends_with("api_key") || name.ends_with("secret") {
            if is_uis {
                found.uis = true;
            } else {
                found.sipuni = true;
            }
        }
        let value = value.trim();
        let then = match (report.lang, name.ends_with("hook_token")) {
            (Lang::Ru, true) => " или удалите строку — релей сам создаст токен",
            (Lang::Ru, false) => "; запросы к АТС с ним не отправлялись",
            (Lang::En, true) => " or delete the line — the relay makes a token itself",
            (Lang::En, false) => "; no request was sent to the PBX with it",
        };
        report.line(
            Mark::Fail,
            &tr!(
                report.lang,
                "{name} = «{value}» — это не ключ ({why}): впишите настоящее значение{then}",
                "{name} = «{value}» — this is not a key ({why}): write the real value{then}"
            ),
        )?;
    }
    Ok(found)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    Ok,
    Fail,
    Warn,
    Off,
    Info,
}

struct Report<'a, W: Write> {
    out: &'a mut W,
    ok: bool,
    /// The language of every line.
    lang: Lang,
}

impl<W: Write> Report<'_, W> {
    fn line(&mut self, mark: Mark, text: &str) -> io::Result<()> {
        let prefix = match mark {
            Mark::Ok => "✓ ",
            Mark::Fail => "✗ ",
            Mark::Warn => "⚠ ",
            Mark::Off => "– ",
            Mark::Info => "",
        };
        if mark == Mark::Fail {
            self.ok = false;
        }
        writeln!(self.out, "{prefix}{text}")
    }

    /// A failed PBX request: the explanation and the stable code.
    fn pbx_failure(&mut self, what: &str, error: &PbxError) -> io::Result<()> {
        self.line(
            Mark::Fail,
            &format!(
                "{what}: {} [{}]",
                error.user_message_in(self.lang),
                error.code()
            ),
        )
    }
}
