//! `trubka-relay contacts import|export|list|uis-sync`: the admin's side of the team
//! directory. Works on the database a running relay uses; the relay notices the new version
//! within a quarter of a second and tells every connected agent (`crate::directory::live`).

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap::Subcommand;
use trubka_contacts::import_csv::{BadRow, BadRowReason};
use trubka_contacts::numbers::NumberParser;
use trubka_core::{Lang, tr};

use super::CliError;
use crate::config::RelayConfig;
use crate::directory::import::{self, FileKind, ImportReport};
use crate::directory::store::StoredContact;
use crate::directory::uis_sync::{self, SyncReport, UisSyncError};
use crate::directory::{DirectoryError, export};
use crate::pbx::PbxApis;
use crate::store::{Role, Store, open_connection, prepare_data_dir};

#[derive(Debug, Subcommand)]
pub enum ContactsCommand {
    /// Import contacts from a CSV file (Russian or English column names, `;` or `,`, UTF-8 or
    /// Windows-1251) or a vCard file (.vcf). Bad rows are reported with their line and the
    /// rest imported; a contact already there (same name and a shared number) is updated,
    /// not duplicated.
    Import {
        /// The file to import.
        file: PathBuf,
    },
    /// Export every contact to FILE: vCard for .vcf, CSV otherwise (what `import` reads back).
    Export {
        /// The file to write.
        file: PathBuf,
    },
    /// Read the UIS address book into the team directory now, as `[directory.uis_sync]` does
    /// on its interval (needs [uis] api_key).
    UisSync,
    /// List the contacts in a table.
    List {
        /// Only contacts whose name, company or email holds TEXT, or one of whose numbers
        /// holds its digits.
        #[arg(long, value_name = "TEXT")]
        search: Option<String>,
    },
}

/// `contacts import|export|list|uis-sync` against the database in `config.data_dir`.
pub async fn contacts(
    config: &RelayConfig,
    command: &ContactsCommand,
    out: &mut impl Write,
) -> Result<(), CliError> {
    // Opening the store brings the schema up to date before the directory's tables are used.
    drop(Store::open(&config.data_dir)?);
    let path = prepare_data_dir(&config.data_dir)?;
    let mut conn = open_connection(&path, Role::Writer)?;
    let lang = config.language;
    match command {
        ContactsCommand::Import { file } => {
            let parser = NumberParser::new(&config.default_region)
                .map_err(|e| DirectoryError::Region(e.to_string()))?;
            let bytes = std::fs::read(file).map_err(|source| CliError::ReadFile {
                path: file.clone(),
                source,
            })?;
            let parsed = import::parse(&bytes, FileKind::of(file, &bytes), &parser)
                .map_err(DirectoryError::from)?;
            let legacy: Vec<(u64, String)> = parsed
                .contacts
                .iter()
                .flat_map(|(line, prepared)| {
                    prepared
                        .numbers
                        .iter()
                        .filter(|n| n.field.is_none() && n.e164.is_none())
                        .map(|n| (*line, n.raw.clone()))
                })
                .collect();
            let report = import::import(&mut conn, &parser, parsed)?;
            write_import(out, file, &report, &legacy, lang)?;
        }
        ContactsCommand::Export { file } => {
            let (bytes, count) = export::export(&conn, FileKind::for_export(file))?;
            std::fs::write(file, bytes).map_err(|source| CliError::WriteFile {
                path: file.clone(),
                source,
            })?;
            let shown = file.display();
            writeln!(
                out,
                "{}",
                tr!(
                    lang,
                    "Выгружено контактов: {count} → {shown}",
                    "Exported {count} contacts to {shown}"
                )
            )?;
        }
        ContactsCommand::List { search } => {
            let contacts = export::list(&conn, search.as_deref())?;
            write_table(out, &contacts, lang)?;
        }
        ContactsCommand::UisSync => {
            let pbx = PbxApis::from_config(config).map_err(UisSyncError::from)?;
            let book = uis_sync::read_book(&pbx).await?;
            let parser = NumberParser::new(&config.default_region)
                .map_err(|e| DirectoryError::Region(e.to_string()))?;
            let report = tokio::task::spawn_blocking(move || {
                uis_sync::apply::apply(&mut conn, &parser, &book)
            })
            .await
            .map_err(|e| DirectoryError::Stopped(e.to_string()))?
            .map_err(UisSyncError::from)?;
            write_uis_sync(out, &report, lang)?;
        }
    }
    Ok(())
}

/// The UIS pass's outcome: each skipped contact, then the counts.
fn write_uis_sync(out: &mut impl Write, report: &SyncReport, lang: Lang) -> io::Result<()> {
    for (uis_id, reason) in &report.skipped {
        writeln!(
            out,
            "{}",
            tr!(
                lang,
                "контакт UIS {uis_id} пропущен: {reason}",
                "UIS contact {uis_id} skipped: {reason}"
            )
        )?;
    }
    let (read, added, updated, deleted) =
        (report.read, report.added, report.updated, report.deleted);
    let (skipped, version) = (report.skipped.len(), report.version);
    writeln!(
        out,
        "{}",
        tr!(
            lang,
            "Адресная книга UIS: контактов {read}; новых {added}, обновлено {updated}, удалено \
             {deleted}, пропущено {skipped} (версия справочника {version}).",
            "UIS address book: {read} contacts; {added} new, {updated} updated, {deleted} \
             deleted, {skipped} skipped (directory version {version})."
        )
    )
}

/// Why a row was not imported, in `lang`.
fn bad_row(row: &BadRow, lang: Lang) -> String {
    let line = row.line;
    let reason = match &row.reason {
        BadRowReason::NoNameNoNumber => lang
            .pick(
                "нет ни имени, ни номера телефона",
                "neither a name nor a phone number",
            )
            .to_owned(),
        BadRowReason::BadNumber { value } => tr!(
            lang,
            "«{value}» — не номер телефона",
            "«{value}» is not a phone number"
        ),
        BadRowReason::Malformed { message } => tr!(
            lang,
            "строка не читается как CSV: {message}",
            "the row cannot be read as CSV: {message}"
        ),
    };
    tr!(lang, "строка {line}: {reason}", "line {line}: {reason}")
}

/// The import's outcome: the bad rows by line, the numbers kept without a country code, and
/// «Импортировано N, пропущено M».
fn write_import(
    out: &mut impl Write,
    file: &Path,
    report: &ImportReport,
    legacy: &[(u64, String)],
    lang: Lang,
) -> io::Result<()> {
    let shown = file.display();
    for row in &report.bad_rows {
        writeln!(out, "{shown}: {}", bad_row(row, lang))?;
    }
    for (line, raw) in legacy {
        writeln!(
            out,
            "{shown}: {}",
            tr!(
                lang,
                "строка {line}: номер «{raw}» сохранён без кода страны (не номер региона по \
                 умолчанию); находится по цифрам номера",
                "line {line}: number «{raw}» kept without a country code (not a number of the \
                 default region); found by its digits"
            )
        )?;
    }
    let (imported, skipped) = (report.imported(), report.bad_rows.len());
    let (added, updated, unchanged) = (report.added, report.updated, report.unchanged);
    let version = report.version;
    writeln!(
        out,
        "{}",
        tr!(
            lang,
            "Импортировано {imported}, пропущено {skipped} (новых {added}, обновлено {updated}, \
             без изменений {unchanged}; версия справочника {version}).",
            "Imported {imported}, skipped {skipped} ({added} new, {updated} updated, \
             {unchanged} unchanged; directory version {version})."
        )
    )
}

/// `contacts list`: one row per contact.
fn write_table(out: &mut impl Write, contacts: &[StoredContact], lang: Lang) -> io::Result<()> {
    let header: [&str; 6] = match lang {
        Lang::Ru => ["ID", "ИМЯ", "ТЕЛЕФОНЫ", "КОМПАНИЯ", "ВЕРСИЯ", "ИЗМЕНИЛ"],
        Lang::En => ["ID", "NAME", "PHONES", "COMPANY", "VERSION", "CHANGED BY"],
    };
    let rows: Vec<[String; 6]> = contacts
        .iter()
        .map(|c| {
            let phones: Vec<&str> = c.fields.phones.iter().map(|p| p.raw.as_str()).collect();
            let or_dash = |text: &str| {
                if text.is_empty() {
                    "-".to_owned()
                } else {
                    text.to_owned()
                }
            };
            [
                c.id.to_string(),
                or_dash(&c.fields.name),
                or_dash(&phones.join(", ")),
                or_dash(c.fields.company.as_deref().unwrap_or_default()),
                c.version.to_string(),
                c.updated_by.clone(),
            ]
        })
        .collect();
    super::table::write_columns(out, header, &rows)?;
    let count = contacts.len();
    writeln!(
        out,
        "{}",
        tr!(lang, "Контактов: {count}", "Contacts: {count}")
    )
}
