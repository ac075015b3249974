//! What the desktop knows about a stored contact beyond trubka-contacts' model: whether it is
//! the team's (a synced copy of the relay's directory, with the version and author of its
//! last change) or private to this desktop, and its CRM link («Открыть в CRM»).

use chrono::{DateTime, Utc};
use serde::Serialize;
use trubka_protocol::directory::DirectoryId;

use super::Contact;
use super::matching::ContactMatch;

/// A team contact's place in the relay's directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TeamStamp {
    /// The relay's id of the contact (`/v1/directory/contacts/{id}`).
    pub id: DirectoryId,
    /// The directory version of its last change: the base of an edit.
    pub version: u64,
    /// Who made the last change: an agent's name, `import` or `admin`.
    pub updated_by: Option<String>,
    pub updated_at: DateTime<Utc>,
}

/// Team or private, and the CRM link.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ContactMeta {
    /// `None`: a private contact, kept on this desktop only.
    pub team: Option<TeamStamp>,
    /// The client's page in the CRM.
    pub crm_url: Option<String>,
}

impl ContactMeta {
    pub fn is_team(&self) -> bool {
        self.team.is_some()
    }
}

/// A stored contact with whose it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContactEntry {
    #[serde(flatten)]
    pub contact: Contact,
    #[serde(flatten)]
    pub meta: ContactMeta,
}

/// A contact a number belongs to (trubka-contacts' match and reason) with whose it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FoundContact {
    #[serde(flatten)]
    pub matched: ContactMatch,
    #[serde(flatten)]
    pub meta: ContactMeta,
}

impl FoundContact {
    pub fn contact(&self) -> &Contact {
        &self.matched.contact
    }
}
