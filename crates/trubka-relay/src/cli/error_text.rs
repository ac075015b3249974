//! The admin's words for a failed command: every [`CliError`] in the configured language.
//!
//! This is the command line's one error translation. The errors' own `Display` stays English:
//! it is what the service's log lines carry, and what a search for a message finds. Details
//! that come from outside (the operating system's reason, the TOML parser's pointer to the
//! line, SQLite's message) are quoted as they are, after the explanation.

use trubka_contacts::ContactError;
use trubka_contacts::import_csv::CsvError;
use trubka_contacts::numbers::NumberError;
use trubka_core::{Lang, tr};

use super::CliError;
use crate::config::{
    ConfigError, RETENTION_BATCH_ROWS, RETENTION_MIN_INTERVAL_SECS, RetentionError,
};
use crate::directory::DirectoryError;
use crate::directory::uis_sync::UisSyncError;
use crate::relay::RelayError;
use crate::setup::{output_error, region_error, store_error};
use crate::tls::TlsError;

impl CliError {
    /// The message for the admin, in `lang`.
    pub fn localized(&self, lang: Lang) -> String {
        match self {
            CliError::Config(e) => config_error(e, lang),
            CliError::Relay(e) => relay_error(e, lang),
            CliError::Store(e) => store_error(e, lang),
            CliError::Region(e) => region_error(e, lang),
            CliError::BadLine { raw, reason } => {
                let reason = reason.localized(lang);
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
                let reason = reason.localized(lang);
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
            CliError::Update(e) => e.localized(lang),
            CliError::Directory(e) => directory_error(e, lang),
            CliError::Tags(e) => e.localized(lang),
            CliError::UisSync(UisSyncError::Directory(e)) => directory_error(e, lang),
            CliError::UisSync(e) => e.localized(lang),
            CliError::ReadFile { path, source } => {
                let path = path.display();
                tr!(
                    lang,
                    "не удаётся прочитать {path}: {source}",
                    "cannot read {path}: {source}"
                )
            }
            CliError::WriteFile { path, source } => {
                let path = path.display();
                tr!(
                    lang,
                    "не удаётся записать {path}: {source}",
                    "cannot write {path}: {source}"
                )
            }
            CliError::Output(e) => output_error(e, lang),
            CliError::Tls(e) => tls_error(e, lang),
        }
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
        ConfigError::Env { name, message } => match lang {
            // The reason is worded in English where the value is read; in Russian the admin
            // gets what the variable takes instead.
            Lang::Ru => format!(
                "переменная окружения {name} задана неверно: {}",
                env_expects(name)
            ),
            Lang::En => format!("environment variable {name} is invalid: {message}"),
        },
        ConfigError::Retention(e) => retention_error(e, lang),
        ConfigError::Tls(e) => e.localized(lang),
        ConfigError::Lookup(e) => e.localized(lang),
        ConfigError::UisSync(e) => e.localized(lang),
    }
}

/// What a `TRUBKA_RELAY_*` variable takes, in Russian, by its name.
fn env_expects(name: &str) -> &'static str {
    let key = name.strip_prefix(crate::config::ENV_PREFIX).unwrap_or(name);
    if key.ends_with("_SECS") || key.ends_with("_DAYS") || key.ends_with("_ROWS") {
        "нужно целое неотрицательное число"
    } else if key == "LISTEN" {
        "нужен адрес и порт, например 127.0.0.1:8765"
    } else if key.ends_with("UTC_OFFSET") {
        "нужно смещение от UTC, например +05:00 или -02:30"
    } else if key == "LANGUAGE" {
        "нужно ru или en"
    } else {
        "значение не подходит (см. docs/protocol.md)"
    }
}

fn retention_error(error: &RetentionError, lang: Lang) -> String {
    if lang == Lang::En {
        return error.to_string();
    }
    match error {
        RetentionError::RawTooShort => "[retention] raw_payload_days = 0: нужно не меньше 1 \
             (уведомления за день читают `status` и поддержка)"
            .to_owned(),
        RetentionError::EventsShorterThanRaw { events, raw } => format!(
            "[retention] events_days = {events} меньше, чем raw_payload_days = {raw}: событие \
             хранится не меньше, чем исходное уведомление"
        ),
        RetentionError::EventsTooShort { events, min, .. } => format!(
            "[retention] events_days = {events} — слишком мало: нужно не меньше {min} (сверка \
             с историей АТС перечитывает [reconcile] catch_up_secs + window_secs и ещё день; \
             звонки идут, операторы возвращаются после выходных); увеличьте events_days или \
             уменьшите [reconcile] catch_up_secs"
        ),
        RetentionError::BatchRows(rows) => format!(
            "[retention] batch_rows = {rows}: нужно от {} до {}",
            RETENTION_BATCH_ROWS.start(),
            RETENTION_BATCH_ROWS.end()
        ),
        RetentionError::Interval(secs) => format!(
            "[retention] interval_secs = {secs}: нужно не меньше {RETENTION_MIN_INTERVAL_SECS}"
        ),
    }
}

fn relay_error(error: &RelayError, lang: Lang) -> String {
    match error {
        RelayError::Config(e) => config_error(e, lang),
        RelayError::Store(e) => store_error(e, lang),
        RelayError::Region(e) => region_error(e, lang),
        RelayError::Pbx(e) => e.localized(lang),
        RelayError::Io(e) => tr!(lang, "ошибка сервера: {e}", "server error: {e}"),
        RelayError::Directory(e) => directory_error(e, lang),
        RelayError::Crm(e) => tr!(
            lang,
            "не удаётся подготовить HTTP-клиент для CRM ([directory.lookup]): {e}",
            "cannot set up the CRM's HTTP client ([directory.lookup]): {e}"
        ),
    }
}

/// Why a directory command (or the relay's directory) failed.
fn directory_error(error: &DirectoryError, lang: Lang) -> String {
    match error {
        DirectoryError::NotFound(id) => {
            tr!(
                lang,
                "в справочнике нет контакта {id}",
                "no team contact {id}"
            )
        }
        DirectoryError::Conflict { id, base, current } => tr!(
            lang,
            "контакт {id} изменён после версии {base} (сейчас {current}): прочитайте его снова \
             и повторите правку",
            "contact {id} changed after version {base} (it is at {current}): read it again and \
             redo the edit"
        ),
        DirectoryError::Contact(ContactError::Empty) => lang
            .pick(
                "у контакта нет ни имени, ни номера телефона",
                "the contact has neither a name nor a phone number",
            )
            .to_owned(),
        DirectoryError::Contact(ContactError::BadNumber(e)) => number_error(e, lang),
        DirectoryError::BadCrmUrl(url) => tr!(
            lang,
            "ссылка на CRM «{url}» — не адрес http:// или https://",
            "the CRM link «{url}» is not an http:// or https:// address"
        ),
        DirectoryError::File(CsvError::Empty) => {
            lang.pick("файл пуст", "the file is empty").to_owned()
        }
        DirectoryError::File(CsvError::NoUsefulColumns(found)) => tr!(
            lang,
            "в строке заголовка нет колонки с именем или телефоном (есть: «{found}»); назовите \
             колонки, например, «Имя» и «Телефон» (или Name и Phone)",
            "the header row has no name or phone column (found: «{found}»); name the columns, \
             e.g. Name and Phone (or «Имя» and «Телефон»)"
        ),
        DirectoryError::File(CsvError::Header(e)) => tr!(
            lang,
            "строка заголовка не читается: {e}",
            "the header row cannot be read: {e}"
        ),
        DirectoryError::Region(e) => tr!(lang, "default_region: {e}", "default_region: {e}"),
        DirectoryError::Sqlite(e) => tr!(lang, "ошибка базы данных: {e}", "database error: {e}"),
        DirectoryError::Store(e) => store_error(e, lang),
        DirectoryError::Corrupt(e) => tr!(
            lang,
            "в справочнике неверное значение: {e}",
            "the directory holds a bad value: {e}"
        ),
        DirectoryError::Export(e) => tr!(
            lang,
            "не удаётся записать содержимое файла: {e}",
            "cannot write the file's contents: {e}"
        ),
        DirectoryError::Stopped(e) => tr!(
            lang,
            "запись в справочник остановлена: {e}",
            "the directory's writer stopped: {e}"
        ),
    }
}

/// Why a text is no phone number.
fn number_error(error: &NumberError, lang: Lang) -> String {
    match error {
        NumberError::NotANumber(text, reason) => tr!(
            lang,
            "«{text}» — не номер телефона: {reason}",
            "«{text}» is not a phone number: {reason}"
        ),
        NumberError::Internal(text) => tr!(
            lang,
            "«{text}» — короткий внутренний номер, а не номер телефона",
            "«{text}» is a short internal number, not a phone number"
        ),
        NumberError::Anonymous => lang
            .pick("номер скрыт", "no number: the caller ID is hidden")
            .to_owned(),
        NumberError::UnknownRegion(e) => tr!(lang, "default_region: {e}", "default_region: {e}"),
    }
}

/// Why `serve` cannot start its HTTPS.
fn tls_error(error: &TlsError, lang: Lang) -> String {
    match (error, lang) {
        (TlsError::Config(e), _) => e.localized(lang),
        (TlsError::File(e), _) => e.localized(lang),
        (_, Lang::En) => error.to_string(),
        (TlsError::Expired { path, not_after }, Lang::Ru) => format!(
            "срок сертификата {} истёк {not_after}: любой клиент его отвергнет; положите на его \
             место продлённый",
            path.display()
        ),
        (TlsError::Bind { addr, source }, Lang::Ru) => {
            format!("не удаётся слушать адрес {addr} (redirect_listen): {source}")
        }
        (TlsError::Rustls(e), Lang::Ru) => format!("настройка TLS не удалась: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;
    use std::path::PathBuf;

    use trubka_core::cyrillic_outside_quotes;

    use super::*;
    use crate::config::TlsConfigError;
    use crate::tls::CertFileError;

    /// One of each error the admin can meet at start, outside `setup` (tested there).
    fn errors() -> Vec<CliError> {
        let path = || PathBuf::from("/etc/trubka/relay.pem");
        let io = || std::io::Error::from(std::io::ErrorKind::NotFound);
        let addr: SocketAddr = "0.0.0.0:80".parse().unwrap();
        let mut errors: Vec<CliError> = [
            TlsConfigError::Empty,
            TlsConfigError::FilesAndAcme,
            TlsConfigError::NoKeyFile,
            TlsConfigError::NoCertFile,
            TlsConfigError::AcmeWithoutDomains("contact"),
            TlsConfigError::NoContact,
            TlsConfigError::BadContact("admin".to_owned()),
            TlsConfigError::BadDomain("https://x".to_owned()),
            TlsConfigError::BadDirectory("http://ca".to_owned()),
            TlsConfigError::NoRenewDays,
            TlsConfigError::AcmeWithoutPort80,
            TlsConfigError::RedirectOnListen(addr),
        ]
        .into_iter()
        .map(|e| CliError::Config(ConfigError::Tls(e)))
        .collect();
        errors.extend(
            [
                CertFileError::Read {
                    path: path(),
                    source: io(),
                },
                CertFileError::NoCertificate { path: path() },
                CertFileError::NotPem {
                    path: path(),
                    reason: "bad base64".to_owned(),
                },
                CertFileError::NoKey { path: path() },
                CertFileError::BadKey {
                    path: path(),
                    reason: "unsupported".to_owned(),
                },
                CertFileError::KeyMismatch {
                    cert: path(),
                    key: path(),
                },
                CertFileError::BadCertificate {
                    path: path(),
                    reason: "truncated".to_owned(),
                },
                CertFileError::Write {
                    path: path(),
                    source: io(),
                },
            ]
            .into_iter()
            .map(|e| CliError::Tls(TlsError::File(e))),
        );
        errors.push(CliError::Tls(TlsError::Bind { addr, source: io() }));
        errors.extend(
            [
                RetentionError::RawTooShort,
                RetentionError::EventsShorterThanRaw { events: 1, raw: 2 },
                RetentionError::EventsTooShort {
                    events: 2,
                    min: 9,
                    why: "reconciliation",
                },
                RetentionError::BatchRows(1),
                RetentionError::Interval(1),
            ]
            .into_iter()
            .map(|e| CliError::Config(ConfigError::Retention(e))),
        );
        errors.extend([
            CliError::Config(ConfigError::Read {
                path: path(),
                source: io(),
            }),
            CliError::Config(ConfigError::Env {
                name: "TRUBKA_RELAY_LISTEN".to_owned(),
                message: "`x` is not an address".to_owned(),
            }),
            CliError::BadLine {
                raw: "201".to_owned(),
                reason: crate::setup::NotANumber::Internal,
            },
            CliError::BadVirtualNumber {
                raw: "12".to_owned(),
                reason: crate::setup::NotANumber::Invalid("12 has too few digits".to_owned()),
            },
            CliError::BadEmployeePhone(String::new()),
            CliError::NothingToEdit("Anna".to_owned()),
            CliError::NoPublicUrl,
            CliError::NoDatabase {
                data_dir: path(),
                config: crate::config::locate::ConfigSource::None {
                    looked: vec![path()],
                },
            },
            CliError::Bind { addr, source: io() },
            CliError::Output(io()),
            CliError::Update(crate::updates::UpdateError::NoPublicKey),
            CliError::Update(crate::updates::UpdateError::SignatureMismatch {
                package: path(),
                reason: "Signature verification failed".to_owned(),
            }),
            CliError::Update(crate::updates::UpdateError::NeedsVersion(path())),
            CliError::Update(crate::updates::UpdateError::BadVersion("1.0".to_owned())),
            CliError::ReadFile {
                path: path(),
                source: io(),
            },
            CliError::WriteFile {
                path: path(),
                source: io(),
            },
        ]);
        errors.extend(
            [
                DirectoryError::NotFound(7),
                DirectoryError::Conflict {
                    id: 7,
                    base: 3,
                    current: 5,
                },
                DirectoryError::Contact(ContactError::Empty),
                DirectoryError::Contact(ContactError::BadNumber(NumberError::Internal(
                    "101".to_owned(),
                ))),
                DirectoryError::Contact(ContactError::BadNumber(NumberError::Anonymous)),
                DirectoryError::BadCrmUrl("ftp://crm".to_owned()),
                DirectoryError::File(CsvError::Empty),
                DirectoryError::File(CsvError::NoUsefulColumns("Адрес".to_owned())),
                DirectoryError::Corrupt("fields".to_owned()),
            ]
            .map(CliError::Directory),
        );
        errors
    }

    #[test]
    fn every_error_reads_in_russian_and_in_english_alone() {
        for error in errors() {
            let (ru, en) = (error.localized(Lang::Ru), error.localized(Lang::En));
            assert_eq!(cyrillic_outside_quotes(&en), "", "{en}");
            assert!(
                ru.chars().filter(|c| matches!(c, 'а'..='я')).count() > 3,
                "not Russian: {ru}"
            );
            assert!(
                !ru.contains("has too few digits") && !ru.contains(" is not "),
                "English inside the Russian: {ru}"
            );
        }
    }
}
