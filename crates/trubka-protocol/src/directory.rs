//! The team directory's wire shapes: what the relay's `/v1/directory/…` endpoints answer and
//! take, and what the `directory` and `call_contact` stream frames carry (docs/protocol.md,
//! «Team directory»).
//!
//! The relay serialises and the agent decodes these same structs, so the two sides cannot
//! drift apart. Unknown fields are ignored on reading, so a newer relay may add some.
//!
//! The conversions between these shapes and `trubka_contacts`' contact model (drafts to
//! check and index, contacts to write to files) live here, once, for both sides.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use trubka_contacts::{Contact, ContactDraft, PhoneEntry, StoredNumber};

/// The relay's id of a team contact.
pub type DirectoryId = i64;

/// One phone number of a contact as typed, with its optional label (`mobile`, `Рабочий`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WirePhone {
    pub raw: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// The fields of a contact a person (or an import) writes.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ContactFields {
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    #[serde(default)]
    pub phones: Vec<WirePhone>,
    /// Any other fields, by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, String>,
    /// The client's page in the CRM («Открыть в CRM»): `http` or `https` only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crm_url: Option<String>,
}

/// A team contact at one version. A deleted contact is sent once more as a tombstone
/// (`deleted: true`, empty fields), so that a desktop's copy drops it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryContact {
    pub id: DirectoryId,
    /// The directory's version when this contact last changed; versions grow by one per
    /// change, directory-wide.
    pub version: u64,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deleted: bool,
    #[serde(flatten)]
    pub fields: ContactFields,
    /// Who made the last change: an agent's name, `import` or `admin`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_by: Option<String>,
    /// When, RFC 3339 UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
}

/// `GET /v1/directory/changes?since=V&limit=N`: every contact changed after version `since`,
/// in version order, at most `limit` of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryPage {
    /// The directory's version when the page was read.
    pub version: u64,
    pub contacts: Vec<DirectoryContact>,
    /// More changes follow: ask again with `since` = the last contact's version.
    pub more: bool,
}

/// `PUT /v1/directory/contacts/{id}`: new fields for a contact, refused with 409 when someone
/// changed it after `base_version` (the version the editor started from), if given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_version: Option<u64>,
    #[serde(flatten)]
    pub fields: ContactFields,
}

/// `POST /v1/directory/contacts/{id}/numbers`: one more number for a contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachNumber {
    pub raw: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// What one change did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeAction {
    Created,
    Edited,
    NumberAttached,
    Deleted,
    Imported,
}

/// One entry of a contact's history: who changed what, when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactChange {
    pub version: u64,
    /// RFC 3339 UTC.
    pub at: String,
    pub author: String,
    pub action: ChangeAction,
    /// The fields this change set or cleared (`name`, `phones`, an extra field's name, …).
    #[serde(default)]
    pub changed: Vec<String>,
}

/// `GET /v1/directory/contacts/{id}`: the contact and its history, newest change first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactWithHistory {
    pub contact: DirectoryContact,
    pub history: Vec<ContactChange>,
}

/// What the CRM told the relay about a number the directory does not know.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CrmContact {
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The client's page in the CRM.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, String>,
}

/// `GET /v1/directory/lookup?number=N`: who a number belongs to, as the relay knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LookupAnswer {
    /// The number in E.164 when it is a valid phone number, else as asked.
    pub number: String,
    /// Team contacts the number belongs to, best match first.
    pub contacts: Vec<DirectoryContact>,
    /// What the CRM answered for it, when the directory knows no one and a CRM is set up.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub crm: Vec<CrmContact>,
}

/// The extra field a contact's CRM link travels in through files (CSV and vCard exports and
/// imports), so that an export read back keeps it.
pub const CRM_URL_FIELD: &str = "crm_url";

/// Whether `url` may be a contact's CRM link: an absolute `http` or `https` address (a link
/// the desktop opens in the browser must not run anything else).
pub fn is_crm_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    rest.is_some_and(|host| !host.is_empty() && !host.starts_with('/'))
}

impl From<&ContactFields> for ContactDraft {
    /// What the contact rules (`trubka_contacts`) check and index; the CRM link is no
    /// part of a draft.
    fn from(fields: &ContactFields) -> ContactDraft {
        ContactDraft {
            name: fields.name.clone(),
            company: fields.company.clone(),
            email: fields.email.clone(),
            position: fields.position.clone(),
            notes: fields.notes.clone(),
            phones: fields
                .phones
                .iter()
                .map(|p| PhoneEntry {
                    raw: p.raw.clone(),
                    label: p.label.clone(),
                })
                .collect(),
            fields: fields.fields.clone(),
        }
    }
}

impl ContactFields {
    /// A checked draft (`ContactDraft::prepare`'s trimmed copy) with its CRM link. A draft
    /// read from a file carries the link in the extra field [`CRM_URL_FIELD`]; it moves to
    /// `crm_url` when it is an http(s) address, and stays an extra field otherwise.
    pub fn from_draft(draft: ContactDraft, crm_url: Option<String>) -> ContactFields {
        let mut fields = draft.fields;
        let from_file = match fields.get(CRM_URL_FIELD) {
            Some(url) if is_crm_url(url) => fields.remove(CRM_URL_FIELD),
            _ => None,
        };
        ContactFields {
            name: draft.name,
            company: draft.company,
            email: draft.email,
            position: draft.position,
            notes: draft.notes,
            phones: draft
                .phones
                .into_iter()
                .map(|p| WirePhone {
                    raw: p.raw,
                    label: p.label,
                })
                .collect(),
            fields,
            crm_url: crm_url
                .map(|url| url.trim().to_owned())
                .filter(|url| !url.is_empty())
                .or(from_file),
        }
    }

    /// The contact as the file writers (`trubka_contacts::export_csv`, `vcard`) take it,
    /// with the numbers stored for it; the CRM link goes in the extra field
    /// [`CRM_URL_FIELD`], which [`ContactFields::from_draft`] reads back.
    pub fn to_contact(&self, id: DirectoryId, numbers: Vec<StoredNumber>) -> Contact {
        let mut fields = self.fields.clone();
        if let Some(url) = &self.crm_url {
            fields.insert(CRM_URL_FIELD.to_owned(), url.clone());
        }
        Contact {
            id,
            name: self.name.clone(),
            company: self.company.clone(),
            email: self.email.clone(),
            position: self.position.clone(),
            notes: self.notes.clone(),
            numbers,
            fields,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_and_https_addresses_are_crm_links() {
        for good in ["https://crm.example.com/c/1", "HTTP://crm.local/x?id=1"] {
            assert!(is_crm_url(good), "{good}");
        }
        for bad in [
            "javascript:alert(1)",
            "file:///etc/passwd",
            "https://",
            "http:///path",
            "crm.example.com",
            "",
        ] {
            assert!(!is_crm_url(bad), "{bad}");
        }
    }

    #[test]
    fn a_contact_goes_to_a_draft_and_back_with_its_crm_link() {
        let fields = ContactFields {
            name: "Иван Петров".to_owned(),
            company: Some("ООО Ромашка".to_owned()),
            phones: vec![WirePhone {
                raw: "8 (926) 123-45-67".to_owned(),
                label: Some("Рабочий".to_owned()),
            }],
            fields: BTreeMap::from([("ИНН".to_owned(), "7701234567".to_owned())]),
            crm_url: Some("https://crm.example.com/c/7".to_owned()),
            ..ContactFields::default()
        };
        let draft = ContactDraft::from(&fields);
        assert_eq!(draft.phones[0].label.as_deref(), Some("Рабочий"));
        assert_eq!(
            ContactFields::from_draft(draft, fields.crm_url.clone()),
            fields
        );

        // Through a file: the link rides in an extra field and comes back as the link.
        let contact = fields.to_contact(7, Vec::new());
        assert_eq!(
            contact.fields.get(CRM_URL_FIELD).map(String::as_str),
            Some("https://crm.example.com/c/7")
        );
        let read_back = ContactFields::from_draft(contact.to_draft(), None);
        assert_eq!(read_back.crm_url, fields.crm_url);
        assert!(!read_back.fields.contains_key(CRM_URL_FIELD));

        // A value that is no http(s) address stays an extra field.
        let mut odd = ContactDraft::from(&fields);
        odd.fields
            .insert(CRM_URL_FIELD.to_owned(), "ftp://x".to_owned());
        let kept = ContactFields::from_draft(odd, None);
        assert_eq!(kept.crm_url, None);
        assert_eq!(kept.fields[CRM_URL_FIELD], "ftp://x");
    }
}
