//! The admin's words for a failed command: every [`CliError`] in the configured language.
//!
//! This is the command line's one error translation. The errors' own `Display` stays English:
//! it is what the service's log lines carry, and what a search for a message finds. Details
//! that come from outside (the operating system's reason, the TOML parser's pointer to the
//! line, SQLite's message) are quoted as they are, after the explanation.

use trubka_core::{Lang, tr};

use super::{CliError, NotANumber};
use crate::config::ConfigError;
use crate::relay::RelayError;
use crate::setup::{output_error, region_error, store_error};

impl CliError {
    /// The message for the admin, in `lang`.
    pub fn localized(&self, lang: Lang) -> String {
        match self {
            CliError::Config(e) => config_error(e, lang),
            CliError::Relay(e) => relay_error(e, lang),
            CliError::Store(e) => store_error(e, lang),
            CliError::Region(e) => region_error(e, lang),
            CliError::BadLine { raw, reason } => {
                let reason = not_a_number(reason, lang);
                tr!(
                    lang,
                    "--line «{raw}»: это не номер линии: {reason}",
                    "--line \"{raw}\": not a line's number: {reason}"
                )
            }
            CliError::BadEmployeePhone(raw) => tr!(
                lang,
                "--employee-phone «{raw}»: пусто или номер скрыт; укажите номер или SIP-линию, \
                 как их показывает UIS",
                "--employee-phone \"{raw}\": empty or hidden; give the number or SIP line UIS \
                 shows"
            ),
            CliError::BadVirtualNumber { raw, reason } => {
                let reason = not_a_number(reason, lang);
                tr!(
                    lang,
                    "--virtual-number «{raw}»: это не номер телефона: {reason}",
                    "--virtual-number \"{raw}\": not a phone number: {reason}"
                )
            }
            CliError::NothingToEdit(name) => tr!(
                lang,
                "agent edit {name}: менять нечего; укажите хотя бы один параметр (см. --help)",
                "agent edit {name}: nothing to change; give at least one option (see --help)"
            ),
            CliError::NoDatabase { data_dir, config } => {
                let dir = data_dir.display();
                let config = config.describe(lang);
                tr!(
                    lang,
                    "в {dir} нет базы релея (настройки: {config}). Запустите команду с тем же \
                     --config (или --data-dir), с которым работает релей; новый релей создаёт \
                     базу при первом запуске `trubka-relay serve`",
                    "no relay database in {dir} (config: {config}). Run this command with the \
                     --config (or --data-dir) the relay runs with; a new relay makes its \
                     database on the first `trubka-relay serve`"
                )
            }
            CliError::NoPublicUrl => tr!(
                lang,
                "ссылку-приглашение не сделать без публичного адреса релея: задайте public_url \
                 в настройках (или --public-url), например public_url = \"https://relay.example.com\"",
                "no invite link without the relay's public address: set public_url in the config \
                 (or give --public-url), e.g. public_url = \"https://relay.example.com\""
            ),
            CliError::Bind { addr, source } => tr!(
                lang,
                "не удаётся слушать адрес {addr}: {source}",
                "cannot listen on {addr}: {source}"
            ),
            CliError::Setup(e) => e.localized(lang),
            CliError::Manager(e) => e.localized(lang),
            CliError::Output(e) => output_error(e, lang),
            CliError::Tls(e) => e.to_string(),
        }
    }
}

/// Why a number was refused. The phone parser explains in English only; in Russian the
/// admin gets what to write instead.
fn not_a_number(reason: &NotANumber, lang: Lang) -> String {
    match (reason, lang) {
        (NotANumber::Internal, Lang::Ru) => {
            "короткий внутренний номер — не линия; укажите городской или виртуальный номер"
                .to_owned()
        }
        (NotANumber::Withheld, Lang::Ru) => "номера нет".to_owned(),
        (NotANumber::Invalid(_), Lang::Ru) => {
            "напишите номер целиком, с кодом страны или города, например +7 495 123-45-67 или \
             8 (495) 123-45-67"
                .to_owned()
        }
        (reason, Lang::En) => reason.to_string(),
    }
}

fn config_error(error: &ConfigError, lang: Lang) -> String {
    match error {
        ConfigError::Read { path, source } => {
            let path = path.display();
            tr!(
                lang,
                "не удаётся прочитать файл настроек {path}: {source}",
                "cannot read config file {path}: {source}"
            )
        }
        ConfigError::Parse { path, source } => {
            let path = path.display();
            tr!(
                lang,
                "в файле настроек {path} ошибка: {source}",
                "config file {path} is invalid: {source}"
            )
        }
        ConfigError::Env { name, message } => tr!(
            lang,
            "переменная окружения {name} задана неверно: {message}",
            "environment variable {name} is invalid: {message}"
        ),
        // Settings of their own modules (`[tls]`, `[retention]`) explain themselves in the
        // words of the keys they name.
        #[allow(unreachable_patterns)]
        other => other.to_string(),
    }
}

fn relay_error(error: &RelayError, lang: Lang) -> String {
    match error {
        RelayError::Config(e) => config_error(e, lang),
        RelayError::Store(e) => store_error(e, lang),
        RelayError::Region(e) => region_error(e, lang),
        RelayError::Pbx(e) => e.localized(lang),
        RelayError::Io(e) => tr!(lang, "ошибка сервера: {e}", "server error: {e}"),
    }
}
