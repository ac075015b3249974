//! The agent's address book. The model, CSV and vCard formats and the matching rules live in
//! trubka-contacts (shared with the relay's team directory) and are re-exported here; what is
//! the agent's own is the lookup in the local store ([`matching::find`],
//! [`matching::best_name`]).
//!
//! - [`import_csv`], [`vcard`], [`export_csv`]: the formats, from trubka-contacts.
//! - [`matching`]: who is calling — E.164 first, then national digits of legacy entries, then
//!   numbers found in extra fields — with the reason for every match, and whether the contact
//!   is the team's or private ([`team`]).

mod lookup;
pub mod team;

pub use trubka_contacts::{
    BUILTIN_FIELDS, Contact, ContactDraft, ContactError, ContactId, PhoneEntry, PreparedContact,
    StoredNumber, export_csv, field_label, import_csv, vcard,
};

/// trubka-contacts' ranking and explanations, with the lookup in the local store.
pub mod matching {
    pub use super::lookup::{best_name, find};
    pub use trubka_contacts::matching::*;
}
