//! Contacts without storage, one implementation for the relay's team directory and the desktop
//! engine (trubka-agent): contacts with several numbers and any extra fields. No I/O here:
//! whoever keeps contacts (SQLite on the agent, the relay's store) calls these functions.
//!
//! - [`numbers`]: phone numbers as stored and looked up (raw text, E.164, national digits).
//! - [`import_csv`]: CSV with a header row (Russian or English column names, `;` or `,`,
//!   UTF-8 with or without BOM, or Windows-1251), bad rows reported by line.
//! - [`vcard`]: vCard 3.0/4.0 import and export.
//! - [`export_csv`]: CSV export that [`import_csv`] reads back.
//! - [`matching`]: who is calling — E.164 first, then national digits of legacy entries, then
//!   numbers found in extra fields — ranked from the candidate numbers a store found, with the
//!   reason for every match.

pub mod export_csv;
pub mod import_csv;
pub mod matching;
pub mod numbers;
pub mod vcard;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::numbers::{NumberError, NumberKeys, NumberParser};

/// The id of a stored contact.
pub type ContactId = i64;

/// The built-in fields, by the key used in settings (`card_fields`) and exports.
pub const BUILTIN_FIELDS: [&str; 5] = ["name", "company", "email", "position", "notes"];

/// A phone number as entered, with an optional label (`mobile`, `Рабочий`, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneEntry {
    pub raw: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

impl PhoneEntry {
    pub fn new(raw: impl Into<String>) -> PhoneEntry {
        PhoneEntry {
            raw: raw.into(),
            label: None,
        }
    }
}

/// What a person enters to create or edit a contact.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ContactDraft {
    pub name: String,
    #[serde(default)]
    pub company: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub position: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(default)]
    pub phones: Vec<PhoneEntry>,
    /// Any other fields, by name.
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
}

/// Why a draft cannot be stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContactError {
    #[error("a contact needs a name or a phone number")]
    Empty,
    #[error("{0}")]
    BadNumber(#[from] NumberError),
}

/// One number of a stored contact with its lookup keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredNumber {
    pub raw: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The extra field this number was found in, for numbers that are not phone entries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub e164: Option<String>,
    pub national: String,
}

/// A draft whose numbers are parsed, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedContact {
    pub draft: ContactDraft,
    pub numbers: Vec<StoredNumber>,
}

fn clean(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

impl ContactDraft {
    /// Trims every field, parses every phone and indexes extra fields that hold a valid
    /// phone number (matched after the phones, see [`matching`]).
    pub fn prepare(&self, parser: &NumberParser) -> Result<PreparedContact, ContactError> {
        let draft = ContactDraft {
            name: self.name.trim().to_owned(),
            company: clean(&self.company),
            email: clean(&self.email),
            position: clean(&self.position),
            notes: clean(&self.notes),
            phones: self
                .phones
                .iter()
                .filter(|p| !p.raw.trim().is_empty())
                .map(|p| PhoneEntry {
                    raw: p.raw.trim().to_owned(),
                    label: clean(&p.label),
                })
                .collect(),
            fields: self
                .fields
                .iter()
                .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
                .filter(|(k, v)| !k.is_empty() && !v.is_empty())
                .collect(),
        };
        if draft.name.is_empty() && draft.phones.is_empty() {
            return Err(ContactError::Empty);
        }
        let mut numbers = Vec::new();
        for phone in &draft.phones {
            let keys = parser.keys(&phone.raw)?;
            numbers.push(stored(keys, phone.label.clone(), None));
        }
        for (key, value) in &draft.fields {
            if let Ok(keys) = parser.keys(value)
                && keys.e164.is_some()
                && looks_like_phone(value)
            {
                numbers.push(stored(keys, None, Some(key.clone())));
            }
        }
        Ok(PreparedContact { draft, numbers })
    }
}

/// Whether a free-text field value is written like a phone number (digits and the usual
/// separators only), so that e.g. an address with a house number is not taken for one.
fn looks_like_phone(value: &str) -> bool {
    value
        .chars()
        .all(|c| c.is_ascii_digit() || " +-()./".contains(c))
}

fn stored(keys: NumberKeys, label: Option<String>, field: Option<String>) -> StoredNumber {
    StoredNumber {
        raw: keys.raw,
        label,
        field,
        e164: keys.e164,
        national: keys.national,
    }
}

/// A stored contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contact {
    pub id: ContactId,
    pub name: String,
    pub company: Option<String>,
    pub email: Option<String>,
    pub position: Option<String>,
    pub notes: Option<String>,
    /// Phone entries first (in entry order), then numbers found in extra fields.
    pub numbers: Vec<StoredNumber>,
    pub fields: BTreeMap<String, String>,
}

impl Contact {
    /// The value of a built-in field (`name`, `company`, `email`, `position`, `notes`) or of
    /// an extra field.
    pub fn field(&self, key: &str) -> Option<&str> {
        match key {
            "name" => Some(self.name.as_str()).filter(|n| !n.is_empty()),
            "company" => self.company.as_deref(),
            "email" => self.email.as_deref(),
            "position" => self.position.as_deref(),
            "notes" => self.notes.as_deref(),
            other => self.fields.get(other).map(String::as_str),
        }
    }

    /// The name, or the first number for a contact saved without one.
    pub fn display_name(&self) -> &str {
        if self.name.is_empty() {
            self.numbers.first().map_or("", |n| n.raw.as_str())
        } else {
            &self.name
        }
    }

    /// The phone entries (not numbers found in extra fields).
    pub fn phones(&self) -> impl Iterator<Item = &StoredNumber> {
        self.numbers.iter().filter(|n| n.field.is_none())
    }

    /// Back to an editable draft.
    pub fn to_draft(&self) -> ContactDraft {
        ContactDraft {
            name: self.name.clone(),
            company: self.company.clone(),
            email: self.email.clone(),
            position: self.position.clone(),
            notes: self.notes.clone(),
            phones: self
                .phones()
                .map(|n| PhoneEntry {
                    raw: n.raw.clone(),
                    label: n.label.clone(),
                })
                .collect(),
            fields: self.fields.clone(),
        }
    }
}

/// Labels for the built-in fields, in Russian, for cards and exports.
pub fn field_label(key: &str) -> &str {
    match key {
        "name" => "Имя",
        "company" => "Компания",
        "email" => "Email",
        "position" => "Должность",
        "notes" => "Комментарий",
        other => other,
    }
}
