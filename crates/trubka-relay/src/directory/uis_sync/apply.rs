//! One sync pass written into the directory: the UIS address book as just read, against
//! `uis_contacts` (which directory contact each UIS contact is, and what UIS said of it last
//! time). Only what UIS changed is written, [`BATCH`] contacts per transaction, each change
//! with a history row by [`AUTHOR`]:
//!
//! - a UIS contact met for the first time is the team contact the import's merge rule says
//!   it is (same name, a shared number: linked and merged, nothing taken away), else a new
//!   team contact;
//! - one UIS changed since is merged three-way ([`crate::directory::merge`]); one UIS did not change is
//!   not touched, whatever agents did to it meanwhile;
//! - one gone from UIS: the team contact the sync made is deleted; one it only linked stays,
//!   unlinked (it was the team's before UIS knew it);
//! - a team contact a supervisor deleted stays deleted while UIS keeps it.
//!
//! A UIS contact the directory cannot take (no name and no number) is skipped with its id and
//! the reason, and the rest written.

use std::collections::{HashMap, HashSet};

use rusqlite::{Connection, params};
use trubka_contacts::numbers::NumberParser;
use trubka_pbx::uis::UisContact;
use trubka_protocol::directory::{ChangeAction, ContactFields, DirectoryId};

use super::merge::fields_of;
use crate::directory::DirectoryError;
use crate::directory::edit::{Change, Checked, check};
use crate::directory::import::same_person;
use crate::directory::merge::three_way;
use crate::directory::store;

/// Who the sync's changes are by, in every contact's history.
pub const AUTHOR: &str = "UIS";
/// Changes written per transaction, as imports do: the event writer waits at most one batch.
pub(crate) const BATCH: usize = 2_000;

/// What one pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Contacts in the UIS address book.
    pub read: usize,
    /// New team contacts.
    pub added: usize,
    /// Team contacts a change at UIS (or a first link) changed.
    pub updated: usize,
    /// Team contacts deleted because UIS no longer has them.
    pub deleted: usize,
    /// UIS contacts the directory cannot take: their UIS id and why.
    pub skipped: Vec<(u64, String)>,
    /// The directory's version after the pass.
    pub version: u64,
}

/// A UIS contact's row in `uis_contacts`.
#[derive(Debug, Clone)]
struct Link {
    contact_id: DirectoryId,
    /// The sync made the team contact (so deletes it when UIS does).
    created: bool,
    /// The checked fields UIS gave at the last sync, as JSON.
    fields: String,
}

enum Work {
    New {
        uis_id: u64,
        theirs: Checked,
        json: String,
    },
    Changed {
        uis_id: u64,
        link: Link,
        theirs: Checked,
        json: String,
    },
    Gone {
        uis_id: u64,
        link: Link,
    },
}

/// Writes `contacts`, the whole address book, into the directory on `conn`.
pub(crate) fn apply(
    conn: &mut Connection,
    parser: &NumberParser,
    contacts: &[UisContact],
) -> Result<SyncReport, DirectoryError> {
    let mut report = SyncReport {
        read: contacts.len(),
        version: store::current_version(conn)?,
        ..SyncReport::default()
    };
    let known = links(conn)?;
    let mut seen = HashSet::with_capacity(contacts.len());
    let mut work = Vec::new();
    for contact in contacts {
        if !seen.insert(contact.id) {
            continue;
        }
        let theirs = match check(parser, &fields_of(contact)) {
            Ok(checked) => checked,
            Err(error) => {
                report.skipped.push((contact.id, error.to_string()));
                continue;
            }
        };
        let json = to_json(&theirs.fields)?;
        match known.get(&contact.id) {
            Some(link) if link.fields == json => {}
            Some(link) => work.push(Work::Changed {
                uis_id: contact.id,
                link: link.clone(),
                theirs,
                json,
            }),
            None => work.push(Work::New {
                uis_id: contact.id,
                theirs,
                json,
            }),
        }
    }
    for (uis_id, link) in &known {
        if !seen.contains(uis_id) {
            work.push(Work::Gone {
                uis_id: *uis_id,
                link: link.clone(),
            });
        }
    }
    let mut work = work.into_iter().peekable();
    while work.peek().is_some() {
        let mut change = Change::begin(conn, AUTHOR)?;
        for item in work.by_ref().take(BATCH) {
            apply_one(&mut change, parser, item, &mut report)?;
        }
        report.version = change.commit()?.max(report.version);
    }
    Ok(report)
}

fn apply_one(
    change: &mut Change<'_>,
    parser: &NumberParser,
    work: Work,
    report: &mut SyncReport,
) -> Result<(), DirectoryError> {
    match work {
        Work::New {
            uis_id,
            theirs,
            json,
        } => {
            let (contact_id, created) = match same_person(&change.tx, &theirs)? {
                Some(existing) => {
                    let base = ContactFields::default();
                    if merge_into(change, parser, &existing, &base, &theirs, uis_id, report)? {
                        report.updated += 1;
                    }
                    (existing.id, false)
                }
                None => {
                    let stored = change.insert(&theirs, ChangeAction::Imported)?;
                    report.added += 1;
                    (stored.id, true)
                }
            };
            let link = Link {
                contact_id,
                created,
                fields: json,
            };
            set_link(&change.tx, uis_id, &link)?;
        }
        Work::Changed {
            uis_id,
            mut link,
            theirs,
            json,
        } => {
            let current = store::contact(&change.tx, link.contact_id)?.filter(|c| !c.deleted);
            if let Some(ours) = current {
                let base: ContactFields = serde_json::from_str(&link.fields).map_err(|e| {
                    DirectoryError::Corrupt(format!("UIS contact {uis_id} as last synced: {e}"))
                })?;
                if merge_into(change, parser, &ours, &base, &theirs, uis_id, report)? {
                    report.updated += 1;
                }
            }
            link.fields = json;
            set_link(&change.tx, uis_id, &link)?;
        }
        Work::Gone { uis_id, link } => {
            let current = store::contact(&change.tx, link.contact_id)?.filter(|c| !c.deleted);
            if let Some(ours) = current
                && link.created
            {
                change.tombstone(&ours)?;
                report.deleted += 1;
            }
            change.tx.execute(
                "DELETE FROM uis_contacts WHERE uis_id = ?1",
                [uis_id as i64],
            )?;
        }
    }
    Ok(())
}

/// Lays UIS's change from `base` to `theirs` over `ours`; answers whether it changed anything.
fn merge_into(
    change: &mut Change<'_>,
    parser: &NumberParser,
    ours: &store::StoredContact,
    base: &ContactFields,
    theirs: &Checked,
    uis_id: u64,
    report: &mut SyncReport,
) -> Result<bool, DirectoryError> {
    let merged = three_way(parser, base, &ours.fields, &theirs.fields);
    let merged = match check(parser, &merged) {
        Ok(merged) => merged,
        Err(error) => {
            report.skipped.push((uis_id, error.to_string()));
            return Ok(false);
        }
    };
    if merged.fields == ours.fields {
        return Ok(false);
    }
    change.replace(ours.id, &ours.fields, &merged, ChangeAction::Imported)?;
    Ok(true)
}

fn to_json(fields: &ContactFields) -> Result<String, DirectoryError> {
    serde_json::to_string(fields).map_err(|e| DirectoryError::Corrupt(e.to_string()))
}

fn links(conn: &Connection) -> Result<HashMap<u64, Link>, DirectoryError> {
    let mut statement =
        conn.prepare("SELECT uis_id, contact_id, created, fields FROM uis_contacts")?;
    let rows = statement.query_map([], |row| {
        Ok((
            row.get::<_, i64>(0)? as u64,
            Link {
                contact_id: row.get(1)?,
                created: row.get(2)?,
                fields: row.get(3)?,
            },
        ))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn set_link(conn: &Connection, uis_id: u64, link: &Link) -> Result<(), DirectoryError> {
    conn.execute(
        "INSERT INTO uis_contacts(uis_id, contact_id, created, fields) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(uis_id) DO UPDATE SET contact_id = ?2, created = ?3, fields = ?4",
        params![uis_id as i64, link.contact_id, link.created, link.fields],
    )?;
    Ok(())
}
