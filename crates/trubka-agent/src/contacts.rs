//! The agent's address book. The model, CSV and vCard formats live in trubka-contacts (shared
//! with the relay's team directory) and are re-exported here; what is the agent's own is
//! [`matching`]'s lookup in the local store.
//!
//! - [`import_csv`], [`vcard`], [`export_csv`]: the formats, from trubka-contacts.
//! - [`matching`]: who is calling — E.164 first, then national digits of legacy entries, then
//!   numbers found in extra fields — with the reason for every match.

pub mod matching;

pub use trubka_contacts::{
    BUILTIN_FIELDS, Contact, ContactDraft, ContactError, ContactId, PhoneEntry, PreparedContact,
    StoredNumber, export_csv, field_label, import_csv, vcard,
};
