//! The team directory's wire shapes: what the relay's `/v1/directory/…` endpoints answer and
//! take, and what the `directory` and `call_contact` stream frames carry (docs/protocol.md,
//! «Team directory»).
//!
//! The relay serialises and the agent decodes these same structs, so the two sides cannot
//! drift apart. Unknown fields are ignored on reading, so a newer relay may add some.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

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
