//! The team directory's history of a contact, as the contact view lists it: who changed
//! what, when.

use serde::Serialize;
use trubka_protocol::directory::{ChangeAction, ContactChange};
use ts_rs::TS;

/// What one change did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ChangeActionDto {
    Created,
    Edited,
    NumberAttached,
    Deleted,
    Imported,
}

impl From<ChangeAction> for ChangeActionDto {
    fn from(a: ChangeAction) -> ChangeActionDto {
        match a {
            ChangeAction::Created => ChangeActionDto::Created,
            ChangeAction::Edited => ChangeActionDto::Edited,
            ChangeAction::NumberAttached => ChangeActionDto::NumberAttached,
            ChangeAction::Deleted => ChangeActionDto::Deleted,
            ChangeAction::Imported => ChangeActionDto::Imported,
        }
    }
}

/// One entry of a team contact's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ContactChangeDto {
    /// The directory version this change made.
    #[ts(type = "number")]
    pub version: u64,
    /// When, RFC 3339 UTC.
    pub at: String,
    /// An agent's name, `import` or `admin`.
    pub author: String,
    pub action: ChangeActionDto,
    /// The fields it set or cleared: `name`, `phones`, `crm_url`, an extra field's name, …
    pub changed: Vec<String>,
}

impl From<&ContactChange> for ContactChangeDto {
    fn from(c: &ContactChange) -> ContactChangeDto {
        ContactChangeDto {
            version: c.version,
            at: c.at.clone(),
            author: c.author.clone(),
            action: c.action.into(),
            changed: c.changed.clone(),
        }
    }
}
