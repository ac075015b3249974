//! CSV contact import: a header row with Russian or English column names.
//!
//! - Encoding: UTF-8 (with or without BOM), UTF-16 with BOM, otherwise Windows-1251.
//! - Delimiter: `;`, `,` or tab, whichever the header row uses most.
//! - Columns: Имя/ФИО/Name/Full name (or Фамилия + Имя + Отчество, First/Last name),
//!   Телефон/Тел./Phone/Mobile/Мобильный… (several columns, several numbers in one cell
//!   separated by `,` `;` `/` or new lines), Компания/Организация/Company,
//!   Email/E-mail/Почта, Должность/Position, Комментарий/Notes; every other column becomes an
//!   extra field named by its header.
//! - A bad row (no name and no number, a number that is not one) is reported with its line
//!   number and reason; every other row is kept.

use std::collections::BTreeMap;

use encoding_rs::{Encoding, WINDOWS_1251};
use serde::Serialize;

use super::{ContactDraft, PhoneEntry, PreparedContact};
use crate::numbers::NumberParser;

/// Why a row was not imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BadRowReason {
    /// Neither a name nor a phone number.
    NoNameNoNumber,
    /// A phone cell holds something that is not a phone number.
    BadNumber { value: String },
    /// The CSV itself could not be read at this row.
    Malformed { message: String },
}

impl std::fmt::Display for BadRowReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BadRowReason::NoNameNoNumber => f.write_str("нет ни имени, ни номера телефона"),
            BadRowReason::BadNumber { value } => write!(f, "номер «{value}» не распознан"),
            BadRowReason::Malformed { message } => {
                write!(f, "строка не читается как CSV: {message}")
            }
        }
    }
}

/// A row that was not imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BadRow {
    /// 1-based line of the file where the row starts (the header is line 1).
    pub line: u64,
    pub reason: BadRowReason,
}

/// Something worth knowing about a row that was imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowWarning {
    pub line: u64,
    pub message: String,
}

/// A parsed file: good rows ready to store, and what went wrong.
#[derive(Debug, Clone, Default)]
pub struct ParsedFile {
    pub contacts: Vec<(u64, PreparedContact)>,
    pub bad_rows: Vec<BadRow>,
    pub warnings: Vec<RowWarning>,
    pub encoding: &'static str,
    pub delimiter: char,
}

/// Why a file could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum CsvError {
    #[error("the file is empty")]
    Empty,
    #[error("the header row has no name or phone column (found: {0})")]
    NoUsefulColumns(String),
    #[error("the header row cannot be read: {0}")]
    Header(#[from] csv::Error),
}

/// Decodes the file: BOM first, then UTF-8, then Windows-1251 (Excel's Russian default).
pub fn decode(bytes: &[u8]) -> (String, &'static str) {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        return (text.into_owned(), encoding.name());
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => (text.to_owned(), "UTF-8"),
        Err(_) => {
            let (text, _) = WINDOWS_1251.decode_without_bom_handling(bytes);
            (text.into_owned(), WINDOWS_1251.name())
        }
    }
}

/// The delimiter the first line uses most, outside quotes.
fn detect_delimiter(text: &str) -> u8 {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for c in first.chars() {
        match c {
            '"' => quoted = !quoted,
            ';' if !quoted => counts[0] += 1,
            ',' if !quoted => counts[1] += 1,
            '\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3).max_by_key(|&i| (counts[i], 3 - i)).unwrap_or(0);
    [b';', b',', b'\t'][best]
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Column {
    Name,
    First,
    Middle,
    Last,
    Phone(Option<String>),
    Company,
    Email,
    Position,
    Notes,
    Extra(String),
}

fn normalise(header: &str) -> String {
    let lowered: String = header
        .to_lowercase()
        .replace('ё', "е")
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    lowered.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn classify(header: &str, has_last_name: bool) -> Column {
    let n = normalise(header);
    let words: Vec<&str> = n.split(' ').collect();
    let has_word = |pred: &dyn Fn(&str) -> bool| words.iter().any(|w| pred(w));
    match n.as_str() {
        "имя" if has_last_name => return Column::First,
        "имя"
        | "фио"
        | "name"
        | "full name"
        | "fullname"
        | "полное имя"
        | "контакт"
        | "contact"
        | "contact name"
        | "имя контакта"
        | "display name"
        | "ф и о" => return Column::Name,
        "first name" | "given name" | "firstname" => return Column::First,
        "фамилия" | "last name" | "surname" | "family name" | "lastname" => {
            return Column::Last;
        }
        "отчество" | "middle name" | "middlename" => return Column::Middle,
        "компания"
        | "организация"
        | "company"
        | "organization"
        | "organisation"
        | "фирма"
        | "org"
        | "название компании"
        | "company name" => return Column::Company,
        "email"
        | "e mail"
        | "почта"
        | "эл почта"
        | "электронная почта"
        | "mail"
        | "email address"
        | "e mail address"
        | "адрес электронной почты" => return Column::Email,
        "должность" | "position" | "title" | "job title" => return Column::Position,
        "комментарий"
        | "комментарии"
        | "примечание"
        | "примечания"
        | "notes"
        | "note"
        | "comment"
        | "comments"
        | "заметки"
        | "заметка" => return Column::Notes,
        _ => {}
    }
    let phone_word = |w: &str| {
        w.starts_with("телефон")
            || w == "тел"
            || w.starts_with("phone")
            || w == "mobile"
            || w.starts_with("мобильн")
            || w.starts_with("сотов")
            || w == "cell"
            || w == "tel"
            || w == "номер"
    };
    if has_word(&phone_word) {
        let generic = [
            "телефон",
            "телефоны",
            "тел",
            "phone",
            "phones",
            "номер",
            "номер телефона",
        ];
        let label = match header.split_once('(') {
            Some((_, rest)) => Some(rest.trim_end_matches([')', ' ']).trim().to_owned()),
            None => (!generic.contains(&n.as_str())).then(|| header.trim().to_owned()),
        }
        .filter(|l| !l.is_empty());
        return Column::Phone(label);
    }
    Column::Extra(header.trim().to_owned())
}

/// Splits a phone cell holding several numbers.
fn split_numbers(cell: &str) -> impl Iterator<Item = &str> {
    cell.split([',', ';', '/', '\n', '\r'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// Reads a whole CSV file into contacts, bad rows and warnings.
pub fn parse(bytes: &[u8], parser: &NumberParser) -> Result<ParsedFile, CsvError> {
    let (text, encoding) = decode(bytes);
    if text.trim().is_empty() {
        return Err(CsvError::Empty);
    }
    let delimiter = detect_delimiter(&text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader.headers()?.iter().map(str::to_owned).collect();
    let has_last = headers.iter().any(|h| classify(h, false) == Column::Last);
    let columns: Vec<Column> = headers.iter().map(|h| classify(h, has_last)).collect();
    let useful = columns.iter().any(|c| {
        matches!(
            c,
            Column::Name | Column::First | Column::Last | Column::Phone(_)
        )
    });
    if !useful {
        return Err(CsvError::NoUsefulColumns(headers.join(", ")));
    }
    let mut out = ParsedFile {
        encoding,
        delimiter: delimiter as char,
        ..ParsedFile::default()
    };
    let mut record = csv::StringRecord::new();
    loop {
        let line_hint = reader.position().line();
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = record.position().map_or(line_hint, |p| p.line());
                if record.iter().all(|cell| cell.trim().is_empty()) {
                    continue;
                }
                match row_to_contact(&columns, &record, parser) {
                    Ok((contact, legacy)) => {
                        for raw in legacy {
                            out.warnings.push(RowWarning {
                                line,
                                message: format!(
                                    "номер «{raw}» сохранён без кода страны (не распознан как номер региона по умолчанию)"
                                ),
                            });
                        }
                        out.contacts.push((line, contact));
                    }
                    Err(reason) => out.bad_rows.push(BadRow { line, reason }),
                }
            }
            Err(e) => {
                let line = e.position().map_or(line_hint, |p| p.line());
                out.bad_rows.push(BadRow {
                    line,
                    reason: BadRowReason::Malformed {
                        message: e.to_string(),
                    },
                });
            }
        }
    }
    Ok(out)
}

fn set_once(slot: &mut Option<String>, value: &str) {
    if slot.is_none() && !value.is_empty() {
        *slot = Some(value.to_owned());
    }
}

fn row_to_contact(
    columns: &[Column],
    record: &csv::StringRecord,
    parser: &NumberParser,
) -> Result<(PreparedContact, Vec<String>), BadRowReason> {
    let mut draft = ContactDraft::default();
    let (mut name, mut first, mut middle, mut last) = (None, None, None, None);
    let mut fields = BTreeMap::new();
    let mut legacy = Vec::new();
    for (column, cell) in columns.iter().zip(record.iter()) {
        let cell = cell.trim();
        if cell.is_empty() {
            continue;
        }
        match column {
            Column::Name => set_once(&mut name, cell),
            Column::First => set_once(&mut first, cell),
            Column::Middle => set_once(&mut middle, cell),
            Column::Last => set_once(&mut last, cell),
            Column::Company => set_once(&mut draft.company, cell),
            Column::Email => set_once(&mut draft.email, cell),
            Column::Position => set_once(&mut draft.position, cell),
            Column::Notes => set_once(&mut draft.notes, cell),
            Column::Extra(key) => {
                fields.insert(key.clone(), cell.to_owned());
            }
            Column::Phone(label) => {
                for raw in split_numbers(cell) {
                    let keys = parser.keys(raw).map_err(|_| BadRowReason::BadNumber {
                        value: raw.to_owned(),
                    })?;
                    if keys.e164.is_none() {
                        legacy.push(raw.to_owned());
                    }
                    draft.phones.push(PhoneEntry {
                        raw: raw.to_owned(),
                        label: label.clone(),
                    });
                }
            }
        }
    }
    draft.name = match name {
        Some(name) => name,
        None => [last, first, middle]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" "),
    };
    draft.fields = fields;
    let prepared = draft.prepare(parser).map_err(|e| match e {
        super::ContactError::Empty => BadRowReason::NoNameNoNumber,
        super::ContactError::BadNumber(e) => BadRowReason::BadNumber {
            value: e.to_string(),
        },
    })?;
    Ok((prepared, legacy))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_recognised_in_both_languages() {
        assert_eq!(classify("ФИО", false), Column::Name);
        assert_eq!(classify("Тел.", false), Column::Phone(None));
        assert_eq!(
            classify("Мобильный", false),
            Column::Phone(Some("Мобильный".into()))
        );
        assert_eq!(classify("E-mail", false), Column::Email);
        assert_eq!(classify("Организация", false), Column::Company);
        assert_eq!(classify("Имя", true), Column::First);
        assert_eq!(classify("Город", false), Column::Extra("Город".into()));
        assert_eq!(
            classify("Телефон (Рабочий)", false),
            Column::Phone(Some("Рабочий".into()))
        );
    }

    #[test]
    fn delimiter_and_encoding_are_detected() {
        assert_eq!(detect_delimiter("Имя;Телефон\n"), b';');
        assert_eq!(detect_delimiter("\"a;b\",Phone\n"), b',');
        let (text, enc) = decode(&WINDOWS_1251.encode("Имя;Телефон").0);
        assert_eq!((text.as_str(), enc), ("Имя;Телефон", "windows-1251"));
        let (text, enc) = decode("\u{feff}Имя".as_bytes());
        assert_eq!((text.as_str(), enc), ("Имя", "UTF-8"));
    }
}
