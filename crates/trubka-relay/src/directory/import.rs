//! `trubka-relay contacts import FILE`: a CSV or vCard file into the team directory, read by
//! `trubka_contacts`' readers (bad rows reported by line, the rest imported).
//!
//! Running the same file again does not duplicate anyone. The merge rule: a row is the same
//! person as a live contact with the same name (ignoring case and surrounding spaces) and at
//! least one shared phone number (the same E.164, or the same national digits where the
//! stored number has no valid E.164 — the lookup's rules). Such a row updates that contact:
//! the row's company, email, position, notes, CRM link and extra fields replace the stored
//! ones it gives, its numbers the contact lacks are added, and nothing is removed. A row
//! that changes nothing makes no new version. Every other row is a new contact.
//!
//! Contacts are written in transactions of [`BATCH`], so that the event writer, which
//! shares the database file, waits at most one batch for its next commit.

use std::path::Path;

use rusqlite::Connection;
use trubka_contacts::import_csv::{self, BadRow, CsvError, ParsedFile, RowWarning};
use trubka_contacts::numbers::NumberParser;
use trubka_contacts::{PreparedContact, vcard};
use trubka_protocol::directory::{ChangeAction, ContactFields};

use super::DirectoryError;
use super::edit::{Change, Checked, check};
use super::merge::three_way;
use super::store::{self, StoredContact};

/// Contacts written per transaction.
pub const BATCH: usize = 2_000;
/// Who imports are recorded as, in the history.
pub const IMPORT_AUTHOR: &str = "import";

/// A contacts file's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Csv,
    Vcard,
}

impl FileKind {
    /// By the file's extension (`.vcf`, `.vcard`, `.csv`), else by its content.
    pub fn of(path: &Path, bytes: &[u8]) -> FileKind {
        let extension = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        match extension.as_deref() {
            Some("vcf" | "vcard") => FileKind::Vcard,
            Some("csv") => FileKind::Csv,
            _ if vcard::is_vcard(bytes) => FileKind::Vcard,
            _ => FileKind::Csv,
        }
    }

    /// The format to write `path` in: vCard for `.vcf`/`.vcard`, else CSV.
    pub fn for_export(path: &Path) -> FileKind {
        FileKind::of(path, b"")
    }
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// New contacts.
    pub added: usize,
    /// Existing contacts a row changed (the merge rule).
    pub updated: usize,
    /// Rows that matched a contact and changed nothing.
    pub unchanged: usize,
    /// Rows not imported, with their line and reason.
    pub bad_rows: Vec<BadRow>,
    pub warnings: Vec<RowWarning>,
    /// The directory's version after the import.
    pub version: u64,
}

impl ImportReport {
    /// Rows imported: added, updated or already there.
    pub fn imported(&self) -> usize {
        self.added + self.updated + self.unchanged
    }
}

/// Reads `bytes` as `kind`; a file that cannot be read at all is an error.
pub fn parse(bytes: &[u8], kind: FileKind, parser: &NumberParser) -> Result<ParsedFile, CsvError> {
    match kind {
        FileKind::Csv => import_csv::parse(bytes, parser),
        FileKind::Vcard => Ok(vcard::parse(bytes, parser)),
    }
}

/// Writes the good rows of `file` into the directory on `conn`, [`BATCH`] per transaction.
pub(crate) fn import(
    conn: &mut Connection,
    parser: &NumberParser,
    file: ParsedFile,
) -> Result<ImportReport, DirectoryError> {
    let mut report = ImportReport {
        bad_rows: file.bad_rows,
        warnings: file.warnings,
        version: store::current_version(conn)?,
        ..ImportReport::default()
    };
    for batch in file.contacts.chunks(BATCH) {
        let mut change = Change::begin(conn, IMPORT_AUTHOR)?;
        for (_line, prepared) in batch {
            import_one(&mut change, parser, prepared, &mut report)?;
        }
        report.version = change.commit()?.max(report.version);
    }
    Ok(report)
}

fn import_one(
    change: &mut Change<'_>,
    parser: &NumberParser,
    prepared: &PreparedContact,
    report: &mut ImportReport,
) -> Result<(), DirectoryError> {
    let row = Checked {
        fields: ContactFields::from_draft(prepared.draft.clone(), None),
        numbers: prepared.numbers.clone(),
    };
    let Some(existing) = same_person(&change.tx, &row)? else {
        change.insert(&row, ChangeAction::Imported)?;
        report.added += 1;
        return Ok(());
    };
    let base = ContactFields::default();
    let merged = check(
        parser,
        &three_way(parser, &base, &existing.fields, &row.fields),
    )?;
    if merged.fields == existing.fields {
        report.unchanged += 1;
    } else {
        change.replace(
            existing.id,
            &existing.fields,
            &merged,
            ChangeAction::Imported,
        )?;
        report.updated += 1;
    }
    Ok(())
}

/// The oldest live contact the merge rule says `row` is.
pub(crate) fn same_person(
    conn: &Connection,
    row: &Checked,
) -> Result<Option<StoredContact>, DirectoryError> {
    let name = row.fields.name.trim().to_lowercase();
    let mut ids = Vec::new();
    for number in row.numbers.iter().filter(|n| n.field.is_none()) {
        ids.extend(store::contacts_with_phone(
            conn,
            number.e164.as_deref(),
            &number.national,
        )?);
    }
    ids.sort_unstable();
    ids.dedup();
    for id in ids {
        if let Some(contact) = store::contact(conn, id)?
            && !contact.deleted
            && contact.fields.name.trim().to_lowercase() == name
        {
            return Ok(Some(contact));
        }
    }
    Ok(None)
}
