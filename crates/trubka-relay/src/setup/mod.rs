//! Administration commands around the PBXs: what to paste into the cabinets, personal
//! managers, and the check of the PBX APIs. Output is in the admin's language
//! (`config.language`: Russian by default, or English); errors keep an English `Display` for
//! logs and say themselves to the admin with `localized`.
//!
//! - [`uis_templates`]: `trubka-relay uis-templates` — every UIS notification, and the
//!   interactive call processing URL.
//! - [`sipuni`]: `trubka-relay sipuni-setup` — «События на АТС» and the API key.
//! - [`manager`]: `trubka-relay manager set|unset|list`.
//! - [`check`]: `trubka-relay check` (with [`zones`], the offsets of the account time zones
//!   it can compare with `utc_offset`).
//! - [`status`]: `trubka-relay status` — the last notification heard of each kind, and the
//!   last requests turned away; [`storage`], the database's size and what retention kept.

pub mod check;
pub mod manager;
pub mod sipuni;
pub mod status;
pub mod storage;
pub mod uis_templates;
mod zones;

use std::io::{self, Write};

use trubka_core::{Lang, PhoneError, tr};

use crate::config::RelayConfig;
use crate::store::{Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(
        "the relay's public address is unknown: pass --public-url https://relay.example.com \
         or set public_url in the config"
    )]
    NoPublicUrl,
    #[error("--public-url {0:?} must start with https:// (or http://)")]
    BadPublicUrl(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot write output: {0}")]
    Output(#[from] io::Error),
}

impl SetupError {
    /// The message for the admin, in `lang` (the `Display` stays English, for logs).
    pub fn localized(&self, lang: Lang) -> String {
        match self {
            SetupError::NoPublicUrl => lang
                .pick(
                    "публичный адрес релея неизвестен: укажите --public-url \
                     https://relay.example.com или public_url в настройках",
                    "the relay's public address is unknown: pass --public-url \
                     https://relay.example.com or set public_url in the config",
                )
                .to_owned(),
            SetupError::BadPublicUrl(url) => tr!(
                lang,
                "--public-url «{url}» должен начинаться с https:// (или http://)",
                "--public-url \"{url}\" must start with https:// (or http://)"
            ),
            SetupError::Store(e) => store_error(e, lang),
            SetupError::Output(e) => output_error(e, lang),
        }
    }
}

/// A store failure, as the admin reads it.
pub(crate) fn store_error(error: &StoreError, lang: Lang) -> String {
    match error {
        StoreError::Sqlite(e) => tr!(lang, "ошибка базы данных: {e}", "database error: {e}"),
        StoreError::DataDir { path, source } => {
            let path = path.display();
            tr!(
                lang,
                "не удаётся создать папку данных {path}: {source}",
                "cannot create the data folder {path}: {source}"
            )
        }
        StoreError::TooNew { found, known } => tr!(
            lang,
            "базу записал более новый релей (схема {found}, этот релей знает {known}): \
             обновите trubka-relay",
            "the database was written by a newer relay (schema {found}; this relay knows \
             {known}): update trubka-relay"
        ),
        StoreError::Corrupt(what) => tr!(
            lang,
            "в базе неверное значение: {what}",
            "the database holds a bad value: {what}"
        ),
        StoreError::AgentExists(name) => tr!(
            lang,
            "оператор «{name}» уже есть",
            "an agent named \"{name}\" already exists"
        ),
        StoreError::NoSuchAgent(name) => tr!(
            lang,
            "оператора «{name}» нет (`trubka-relay agent list` покажет всех)",
            "no agent named \"{name}\" (`trubka-relay agent list` shows them all)"
        ),
        StoreError::WriterStopped => lang
            .pick("запись событий остановлена", "the event writer has stopped")
            .to_owned(),
        StoreError::WriteFailed(e) => tr!(lang, "запись не удалась: {e}", "storing failed: {e}"),
        StoreError::Reader(e) => tr!(
            lang,
            "чтение из базы не удалось: {e}",
            "a database reader failed: {e}"
        ),
    }
}

/// Why a number the admin gave (`agent --line`, `manager set NUMBER`, …) is not a phone
/// number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotANumber {
    #[error("a short internal number is not a phone number")]
    Internal,
    #[error("no number")]
    Empty,
    /// The phone parser's reason, which it words in English.
    #[error("{0}")]
    Invalid(String),
}

impl NotANumber {
    /// The reason in `lang`. The parser's own reason is English, so in Russian the admin gets
    /// what to write instead.
    pub(crate) fn localized(&self, lang: Lang) -> String {
        match (self, lang) {
            (NotANumber::Internal, Lang::Ru) => {
                "короткий внутренний номер — не номер телефона".to_owned()
            }
            (NotANumber::Empty, Lang::Ru) => "номера нет".to_owned(),
            (NotANumber::Invalid(_), Lang::Ru) => "напишите номер целиком, с кодом страны или \
                 города, например +7 495 123-45-67 или 8 (495) 123-45-67"
                .to_owned(),
            (reason, Lang::En) => reason.to_string(),
        }
    }
}

/// A `default_region` the phone parser does not know, as the admin reads it.
pub(crate) fn region_error(error: &PhoneError, lang: Lang) -> String {
    match error {
        PhoneError::UnknownRegion(region) => tr!(
            lang,
            "default_region: неизвестный регион «{region}»; нужен двухбуквенный код страны, \
             например RU",
            "default_region: unknown region \"{region}\"; expected a two-letter country code \
             such as RU"
        ),
    }
}

/// Output that could not be written (a closed pipe, a full disk), as the admin reads it.
pub(crate) fn output_error(error: &io::Error, lang: Lang) -> String {
    tr!(
        lang,
        "не удаётся вывести результат: {error}",
        "cannot write output: {error}"
    )
}

/// Which printout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Printout {
    Uis,
    Sipuni,
}

/// Prints the UIS or Sipuni settings for `public_url` (else the configured one) in
/// `config.language`, with the hook tokens of the relay's database (generated and kept on
/// first use, as `serve` does).
pub fn print(
    config: &RelayConfig,
    public_url: Option<&str>,
    printout: Printout,
    out: &mut impl Write,
) -> Result<(), SetupError> {
    let url = public_url
        .or(config.public_url.as_deref())
        .ok_or(SetupError::NoPublicUrl)?
        .trim();
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(SetupError::BadPublicUrl(url.to_owned()));
    }
    let tokens = Store::open(&config.data_dir)?.hook_tokens(config)?;
    match printout {
        Printout::Uis => uis_templates::write(out, url, &tokens.uis, config.language)?,
        Printout::Sipuni => sipuni::write(out, url, &tokens.sipuni, config.language)?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::NotANumber;
    use super::manager::ManagerCliError;
    use super::*;
    use crate::managers::ManagerError;
    use crate::pbx::PbxSetupError;
    use trubka_core::cyrillic_outside_quotes;
    use trubka_pbx::PbxError;

    fn stores() -> Vec<StoreError> {
        vec![
            StoreError::Sqlite(rusqlite::Error::QueryReturnedNoRows),
            StoreError::DataDir {
                path: "/var/lib/trubka-relay".into(),
                source: io::Error::other("permission denied"),
            },
            StoreError::TooNew { found: 9, known: 6 },
            StoreError::Corrupt("agents.lines".to_owned()),
            StoreError::AgentExists("Anna".to_owned()),
            StoreError::NoSuchAgent("Anna".to_owned()),
            StoreError::WriterStopped,
            StoreError::WriteFailed("disk full".to_owned()),
            StoreError::Reader("gone".to_owned()),
        ]
    }

    #[test]
    fn every_setup_and_manager_error_is_said_in_either_language() {
        let mut said: Vec<(String, String)> = Vec::new();
        let mut both = |ru: String, en: String| said.push((ru, en));
        let setup = [
            SetupError::NoPublicUrl,
            SetupError::BadPublicUrl("relay.example.com".to_owned()),
            SetupError::Output(io::Error::other("broken pipe")),
        ];
        for e in setup
            .into_iter()
            .chain(stores().into_iter().map(SetupError::Store))
        {
            both(e.localized(Lang::Ru), e.localized(Lang::En));
        }
        let pbx = || PbxError::Config("no base URL".to_owned());
        let manager = [
            ManagerCliError::Manager(ManagerError::NoSuchAgent("Anna".to_owned())),
            ManagerCliError::Manager(ManagerError::Revoked("Anna".to_owned())),
            ManagerCliError::Manager(ManagerError::Store(StoreError::WriterStopped)),
            ManagerCliError::Region(PhoneError::UnknownRegion("XX".to_owned())),
            ManagerCliError::BadNumber {
                raw: "101".to_owned(),
                reason: NotANumber::Internal,
            },
            ManagerCliError::BadNumber {
                raw: String::new(),
                reason: NotANumber::Empty,
            },
            ManagerCliError::NoRingPhone("Anna".to_owned()),
            ManagerCliError::NoActivePhone {
                agent: "Anna".to_owned(),
                employee: "2339292".to_owned(),
            },
            ManagerCliError::Pbx(pbx()),
            ManagerCliError::PbxSetup(PbxSetupError::Uis(pbx())),
            ManagerCliError::PbxSetup(PbxSetupError::Sipuni(pbx())),
            ManagerCliError::PbxSetup(PbxSetupError::VirtualNumber("abc".to_owned())),
            ManagerCliError::Output(io::Error::other("broken pipe")),
        ];
        for e in manager {
            both(e.localized(Lang::Ru), e.localized(Lang::En));
        }
        for (ru, en) in said {
            assert_eq!(cyrillic_outside_quotes(&en), "", "{en}");
            assert!(
                ru.chars().any(|c| matches!(c, 'а'..='я' | 'А'..='Я')),
                "the Russian message is Russian: {ru}"
            );
        }
    }

    #[test]
    fn the_display_stays_english_for_logs() {
        assert_eq!(
            ManagerCliError::BadNumber {
                raw: "101".to_owned(),
                reason: NotANumber::Internal,
            }
            .to_string(),
            "\"101\" is not a phone number: a short internal number is not a phone number"
        );
        assert!(
            SetupError::NoPublicUrl
                .to_string()
                .starts_with("the relay's public address is unknown")
        );
    }
}
