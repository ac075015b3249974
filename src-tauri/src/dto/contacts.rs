//! Contacts, drafts, lookups and import reports.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use trubka_agent::contacts::import_csv::BadRowReason;
use trubka_agent::contacts::team::{ContactEntry, ContactMeta, FoundContact, TeamStamp};
use trubka_agent::contacts::{Contact, ContactDraft, PhoneEntry, StoredNumber};
use trubka_agent::engine::contacts::{ImportReport, Lookup};
use ts_rs::TS;

/// A number of a contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct NumberDto {
    pub raw: String,
    pub label: Option<String>,
    /// The extra field it was found in, for numbers that are not phone entries.
    pub field: Option<String>,
    /// E.164 when the number is valid; dialling uses it.
    pub e164: Option<String>,
}

impl From<&StoredNumber> for NumberDto {
    fn from(n: &StoredNumber) -> NumberDto {
        NumberDto {
            raw: n.raw.clone(),
            label: n.label.clone(),
            field: n.field.clone(),
            e164: n.e164.clone(),
        }
    }
}

/// A team contact's place in the relay's directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct TeamDto {
    /// The relay's id of the contact.
    #[ts(type = "number")]
    pub id: i64,
    /// The directory version of its last change.
    #[ts(type = "number")]
    pub version: u64,
    /// Who made the last change: an agent's name, `import` or `admin`.
    pub updated_by: Option<String>,
    /// When, RFC 3339 UTC.
    pub updated_at: String,
}

impl From<&TeamStamp> for TeamDto {
    fn from(t: &TeamStamp) -> TeamDto {
        TeamDto {
            id: t.id,
            version: t.version,
            updated_by: t.updated_by.clone(),
            updated_at: super::ts(t.updated_at),
        }
    }
}

/// A stored contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ContactDto {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    pub company: Option<String>,
    pub email: Option<String>,
    pub position: Option<String>,
    pub notes: Option<String>,
    pub numbers: Vec<NumberDto>,
    pub fields: BTreeMap<String, String>,
    /// The team directory's contact (`null`: private, kept on this desktop only).
    pub team: Option<TeamDto>,
    /// «Открыть в CRM»: the client's page in the CRM.
    pub crm_url: Option<String>,
}

impl ContactDto {
    /// A contact with whose it is.
    pub fn of(contact: &Contact, meta: &ContactMeta) -> ContactDto {
        ContactDto {
            team: meta.team.as_ref().map(TeamDto::from),
            crm_url: meta.crm_url.clone(),
            ..ContactDto::from(contact)
        }
    }
}

impl From<&ContactEntry> for ContactDto {
    fn from(e: &ContactEntry) -> ContactDto {
        ContactDto::of(&e.contact, &e.meta)
    }
}

impl From<&Contact> for ContactDto {
    /// A contact without what the store knows of it (team or private): shown as private.
    fn from(c: &Contact) -> ContactDto {
        ContactDto {
            team: None,
            crm_url: None,
            id: c.id,
            name: c.name.clone(),
            company: c.company.clone(),
            email: c.email.clone(),
            position: c.position.clone(),
            notes: c.notes.clone(),
            numbers: c.numbers.iter().map(NumberDto::from).collect(),
            fields: c.fields.clone(),
        }
    }
}

/// A phone entry as typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PhoneDraftDto {
    pub raw: String,
    #[serde(default)]
    pub label: Option<String>,
}

/// What the contact form sends.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
pub struct ContactDraftDto {
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
    pub phones: Vec<PhoneDraftDto>,
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
}

impl From<ContactDraftDto> for ContactDraft {
    fn from(d: ContactDraftDto) -> ContactDraft {
        ContactDraft {
            name: d.name,
            company: d.company,
            email: d.email,
            position: d.position,
            notes: d.notes,
            phones: d
                .phones
                .into_iter()
                .map(|p| PhoneEntry {
                    raw: p.raw,
                    label: p.label,
                })
                .collect(),
            fields: d.fields,
        }
    }
}

/// A row an import left out: `kind` is `no_name_no_number`, `bad_number` (with `value`) or
/// `malformed` (with `value` holding the parser's message).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct BadRowDto {
    #[ts(type = "number")]
    pub line: u64,
    pub kind: String,
    pub value: Option<String>,
    /// The engine's own sentence.
    pub message: String,
}

/// A note about an imported row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct RowWarningDto {
    #[ts(type = "number")]
    pub line: u64,
    pub message: String,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ImportReportDto {
    pub format: String,
    pub encoding: String,
    pub imported: u32,
    pub unchanged: u32,
    pub bad_rows: Vec<BadRowDto>,
    pub warnings: Vec<RowWarningDto>,
}

impl From<&ImportReport> for ImportReportDto {
    fn from(r: &ImportReport) -> ImportReportDto {
        ImportReportDto {
            format: r.format.clone(),
            encoding: r.encoding.clone(),
            imported: u32::try_from(r.imported).unwrap_or(u32::MAX),
            unchanged: u32::try_from(r.unchanged).unwrap_or(u32::MAX),
            bad_rows: r
                .bad_rows
                .iter()
                .map(|b| {
                    let (kind, value) = match &b.reason {
                        BadRowReason::NoNameNoNumber => ("no_name_no_number", None),
                        BadRowReason::BadNumber { value } => ("bad_number", Some(value.clone())),
                        BadRowReason::Malformed { message } => ("malformed", Some(message.clone())),
                    };
                    BadRowDto {
                        line: b.line,
                        kind: kind.to_owned(),
                        value,
                        message: b.reason.to_string(),
                    }
                })
                .collect(),
            warnings: r
                .warnings
                .iter()
                .map(|w| RowWarningDto {
                    line: w.line,
                    message: w.message.clone(),
                })
                .collect(),
        }
    }
}

/// One contact a number belongs to, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct MatchDto {
    pub contact: ContactDto,
    /// `e164_equal`, `national_equal`, `field_e164_equal` or `field_national_equal`.
    pub rule: String,
    pub explanation: String,
}

impl From<&FoundContact> for MatchDto {
    fn from(m: &FoundContact) -> MatchDto {
        MatchDto {
            contact: ContactDto::of(m.contact(), &m.meta),
            rule: serde_json::to_value(m.matched.rule)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            explanation: m.matched.explanation.clone(),
        }
    }
}

/// "Whose number is this".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct LookupDto {
    pub query: String,
    pub matches: Vec<MatchDto>,
    pub no_match: Option<String>,
}

impl From<&Lookup> for LookupDto {
    fn from(l: &Lookup) -> LookupDto {
        LookupDto {
            query: l.query.clone(),
            matches: l.matches.iter().map(MatchDto::from).collect(),
            no_match: l.no_match.clone(),
        }
    }
}
