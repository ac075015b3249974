//! The team directory read whole, for the admin: `contacts export FILE` (CSV that
//! `contacts import` reads back, or vCard) and `contacts list [--search TEXT]`.

use rusqlite::Connection;
use trubka_contacts::{Contact, export_csv, vcard};

use super::DirectoryError;
use super::import::FileKind;
use super::store::{self, CONTACT_COLUMNS, StoredContact, contact_from_row, parse_fields};

/// Live contacts, oldest first; with `search`, those whose name, company or email holds it
/// (ignoring case), or one of whose numbers holds its digits.
pub(crate) fn list(
    conn: &Connection,
    search: Option<&str>,
) -> Result<Vec<StoredContact>, DirectoryError> {
    let text = search.map(str::trim).unwrap_or_default().to_lowercase();
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    // A few digits would match most numbers; searching by number starts at three.
    let digits = if digits.len() >= 3 {
        like_pattern(&digits)
    } else {
        String::new()
    };
    let sql = format!(
        "SELECT {CONTACT_COLUMNS} FROM directory_contacts
         WHERE deleted = 0 AND (?1 = '' OR search LIKE ?2 ESCAPE '\\'
             OR (?3 != '' AND id IN (SELECT contact_id FROM directory_numbers
                                     WHERE national LIKE ?3 OR raw LIKE ?3)))
         ORDER BY id"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(
        rusqlite::params![text, like_pattern(&text), digits],
        contact_from_row,
    )?;
    let mut contacts = Vec::new();
    for row in rows {
        contacts.push(parse_fields(row?)?);
    }
    Ok(contacts)
}

/// `%text%` for LIKE, with `%`, `_` and `\` in `text` taken literally.
fn like_pattern(text: &str) -> String {
    let mut pattern = String::from("%");
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// Every live contact as the file writers take it.
fn contacts(conn: &Connection) -> Result<Vec<Contact>, DirectoryError> {
    let mut out = Vec::new();
    for contact in list(conn, None)? {
        let numbers = store::numbers(conn, contact.id)?;
        out.push(contact.fields.to_contact(contact.id, numbers));
    }
    Ok(out)
}

/// The directory as a file of `kind`, and how many contacts it holds.
pub(crate) fn export(
    conn: &Connection,
    kind: FileKind,
) -> Result<(Vec<u8>, usize), DirectoryError> {
    let contacts = contacts(conn)?;
    let bytes = match kind {
        FileKind::Csv => {
            export_csv::write(&contacts).map_err(|e| DirectoryError::Export(e.to_string()))?
        }
        FileKind::Vcard => vcard::write(&contacts).into_bytes(),
    };
    Ok((bytes, contacts.len()))
}
