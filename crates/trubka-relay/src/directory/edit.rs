//! Changes to the team directory: create, edit, attach a number, delete. Each runs in one
//! `BEGIN IMMEDIATE` transaction that takes the next directory version (`max(version) + 1`),
//! writes the contact, its lookup keys and a history row saying who changed which fields.

use rusqlite::{Connection, Transaction, TransactionBehavior};
use trubka_contacts::numbers::NumberParser;
use trubka_contacts::{ContactDraft, StoredNumber};
use trubka_protocol::directory::{
    AttachNumber, ChangeAction, ContactFields, ContactUpdate, DirectoryContact, DirectoryId,
    WirePhone, is_crm_url,
};

use super::DirectoryError;
use super::store::{self, StoredContact};

/// A contact checked and made ready to store: trimmed fields and its numbers' lookup keys
/// (phones, then extra fields that hold a phone number), by `trubka_contacts`' rules.
pub(crate) struct Checked {
    pub(crate) fields: ContactFields,
    pub(crate) numbers: Vec<StoredNumber>,
}

/// Checks `fields`: a name or a number, numbers that are numbers, an http(s) CRM link.
pub(crate) fn check(
    parser: &NumberParser,
    fields: &ContactFields,
) -> Result<Checked, DirectoryError> {
    if let Some(url) = fields.crm_url.as_deref().filter(|u| !u.trim().is_empty())
        && !is_crm_url(url)
    {
        return Err(DirectoryError::BadCrmUrl(url.to_owned()));
    }
    let prepared = ContactDraft::from(fields).prepare(parser)?;
    Ok(Checked {
        fields: ContactFields::from_draft(prepared.draft, fields.crm_url.clone()),
        numbers: prepared.numbers,
    })
}

/// The names of the fields that differ between `old` and `new`: `name`, `company`, `email`,
/// `position`, `notes`, `phones`, `crm_url` and each extra field by its name.
pub(crate) fn changed_fields(old: &ContactFields, new: &ContactFields) -> Vec<String> {
    let mut changed = Vec::new();
    let mut differs = |name: &str, differ: bool| {
        if differ {
            changed.push(name.to_owned());
        }
    };
    differs("name", old.name != new.name);
    differs("company", old.company != new.company);
    differs("email", old.email != new.email);
    differs("position", old.position != new.position);
    differs("notes", old.notes != new.notes);
    differs("phones", old.phones != new.phones);
    differs("crm_url", old.crm_url != new.crm_url);
    let keys: std::collections::BTreeSet<&String> =
        old.fields.keys().chain(new.fields.keys()).collect();
    for key in keys {
        if old.fields.get(key) != new.fields.get(key) {
            changed.push(key.clone());
        }
    }
    changed
}

/// One change being written: the transaction, its version and time, and who made it.
pub(crate) struct Change<'c> {
    pub(crate) tx: Transaction<'c>,
    pub(crate) version: u64,
    pub(crate) at_ms: i64,
    pub(crate) author: &'c str,
}

impl<'c> Change<'c> {
    /// Begins a write; the version is taken inside it, so no two changes share one.
    pub(crate) fn begin(conn: &'c mut Connection, author: &'c str) -> Result<Self, DirectoryError> {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let version = store::current_version(&tx)? + 1;
        Ok(Change {
            tx,
            version,
            at_ms: store::now_ms(),
            author,
        })
    }

    /// Stores a new contact with its history row; the version moves on for the next one.
    pub(crate) fn insert(
        &mut self,
        checked: &Checked,
        action: ChangeAction,
    ) -> Result<StoredContact, DirectoryError> {
        let id = store::insert(
            &self.tx,
            self.version,
            &checked.fields,
            self.author,
            self.at_ms,
        )?;
        store::replace_numbers(&self.tx, id, &checked.numbers)?;
        let changed = changed_fields(&ContactFields::default(), &checked.fields);
        self.finish_one(id, action, &changed, false, &checked.fields)
    }

    /// Stores `checked` over contact `id` with its history row.
    pub(crate) fn replace(
        &mut self,
        id: DirectoryId,
        old: &ContactFields,
        checked: &Checked,
        action: ChangeAction,
    ) -> Result<StoredContact, DirectoryError> {
        let changed = changed_fields(old, &checked.fields);
        store::update(
            &self.tx,
            id,
            self.version,
            false,
            &checked.fields,
            self.author,
            self.at_ms,
        )?;
        store::replace_numbers(&self.tx, id, &checked.numbers)?;
        self.finish_one(id, action, &changed, false, &checked.fields)
    }

    fn finish_one(
        &mut self,
        id: DirectoryId,
        action: ChangeAction,
        changed: &[String],
        deleted: bool,
        fields: &ContactFields,
    ) -> Result<StoredContact, DirectoryError> {
        store::record_change(
            &self.tx,
            self.version,
            id,
            action,
            self.author,
            self.at_ms,
            changed,
        )?;
        let stored = StoredContact {
            id,
            version: self.version,
            deleted,
            fields: fields.clone(),
            updated_by: self.author.to_owned(),
            updated_at_ms: self.at_ms,
        };
        self.version += 1;
        Ok(stored)
    }

    /// Commits; returns the directory's version after the changes written.
    pub(crate) fn commit(self) -> Result<u64, DirectoryError> {
        self.tx.commit()?;
        Ok(self.version - 1)
    }
}

/// A live contact, or `NotFound` for an unknown id or a tombstone.
fn live(conn: &Connection, id: DirectoryId) -> Result<StoredContact, DirectoryError> {
    store::contact(conn, id)?
        .filter(|c| !c.deleted)
        .ok_or(DirectoryError::NotFound(id))
}

/// `POST /v1/directory/contacts`.
pub(crate) fn create(
    conn: &mut Connection,
    parser: &NumberParser,
    fields: &ContactFields,
    author: &str,
) -> Result<DirectoryContact, DirectoryError> {
    let checked = check(parser, fields)?;
    let mut change = Change::begin(conn, author)?;
    let stored = change.insert(&checked, ChangeAction::Created)?;
    change.commit()?;
    Ok(stored.to_wire())
}

/// `PUT /v1/directory/contacts/{id}`: refused with `Conflict` when the contact changed after
/// `base_version`; an edit that changes nothing makes no new version.
pub(crate) fn edit(
    conn: &mut Connection,
    parser: &NumberParser,
    id: DirectoryId,
    update: &ContactUpdate,
    author: &str,
) -> Result<DirectoryContact, DirectoryError> {
    let checked = check(parser, &update.fields)?;
    let mut change = Change::begin(conn, author)?;
    let old = live(&change.tx, id)?;
    if let Some(base) = update.base_version
        && base < old.version
    {
        return Err(DirectoryError::Conflict {
            id,
            base,
            current: old.version,
        });
    }
    if checked.fields == old.fields {
        return Ok(old.to_wire());
    }
    let stored = change.replace(id, &old.fields, &checked, ChangeAction::Edited)?;
    change.commit()?;
    Ok(stored.to_wire())
}

/// `POST /v1/directory/contacts/{id}/numbers`: a number the contact has already (the same
/// E.164, or the same digits for one without) leaves it unchanged.
pub(crate) fn attach(
    conn: &mut Connection,
    parser: &NumberParser,
    id: DirectoryId,
    number: &AttachNumber,
    author: &str,
) -> Result<DirectoryContact, DirectoryError> {
    let keys = parser
        .keys(&number.raw)
        .map_err(trubka_contacts::ContactError::from)?;
    let mut change = Change::begin(conn, author)?;
    let old = live(&change.tx, id)?;
    let known = store::numbers(&change.tx, id)?.into_iter().any(|n| {
        n.field.is_none()
            && match (&n.e164, &keys.e164) {
                (Some(a), Some(b)) => a == b,
                (None, None) => n.national == keys.national,
                _ => false,
            }
    });
    if known {
        return Ok(old.to_wire());
    }
    let mut fields = old.fields.clone();
    fields.phones.push(WirePhone {
        raw: number.raw.clone(),
        label: number.label.clone(),
    });
    let checked = check(parser, &fields)?;
    let stored = change.replace(id, &old.fields, &checked, ChangeAction::NumberAttached)?;
    change.commit()?;
    Ok(stored.to_wire())
}

/// `DELETE /v1/directory/contacts/{id}`: the contact becomes a tombstone (fields emptied,
/// numbers removed, `deleted`), at a new version, so desktops drop their copy.
pub(crate) fn delete(
    conn: &mut Connection,
    id: DirectoryId,
    author: &str,
) -> Result<u64, DirectoryError> {
    let mut change = Change::begin(conn, author)?;
    let old = live(&change.tx, id)?;
    change.tombstone(&old)?;
    change.commit()
}

impl Change<'_> {
    /// Makes the live contact `old` a tombstone with its history row.
    pub(crate) fn tombstone(&mut self, old: &StoredContact) -> Result<(), DirectoryError> {
        let empty = ContactFields::default();
        let changed = changed_fields(&old.fields, &empty);
        store::update(
            &self.tx,
            old.id,
            self.version,
            true,
            &empty,
            self.author,
            self.at_ms,
        )?;
        store::replace_numbers(&self.tx, old.id, &[])?;
        self.finish_one(old.id, ChangeAction::Deleted, &changed, true, &empty)?;
        Ok(())
    }
}
