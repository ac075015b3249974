//! The synced copy of the team directory in the local store: team contacts are rows of
//! `contacts` with the relay's id (`team_id`), written only from what the relay sent; the
//! directory version this copy holds; and the CRM answers the relay sent for numbers no
//! contact knows.
//!
//! A page of changes is applied in one transaction, so the stored version never runs ahead
//! of the contacts stored. Private contacts (`team_id` NULL) are never touched here.

use rusqlite::{Connection, OptionalExtension, params};
use trubka_protocol::directory::{
    ContactFields, CrmContact, DirectoryContact, DirectoryId, DirectoryPage,
};

use super::{StoreError, contacts, from_millis, settings};
use crate::contacts::team::{ContactMeta, TeamStamp};
use crate::contacts::{ContactDraft, ContactId};
use crate::numbers::NumberParser;

/// The settings key of the directory version this copy holds.
const VERSION_KEY: &str = "directory_version";

/// How long a CRM answer is used for cards: the relay's default cache time.
pub const CRM_KEEP_MS: i64 = 86_400_000;

/// What applying one contact did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// Inserted or replaced.
    Stored,
    /// A tombstone removed the local copy (or there was none to remove).
    Deleted,
    /// The local copy is as new or newer (a write's answer applied before the sync).
    Older,
    /// The relay sent fields this desktop cannot store (no name and no number); the local
    /// copy is dropped rather than kept stale.
    Unreadable,
}

/// What applying a page did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PageApplied {
    /// The directory version stored after the page.
    pub version: u64,
    pub stored: usize,
    pub deleted: usize,
    pub unreadable: usize,
}

/// The directory version this copy holds (0: nothing synced yet).
pub fn version(conn: &Connection) -> Result<u64, StoreError> {
    match settings::get(conn, VERSION_KEY)? {
        None => Ok(0),
        Some(text) => text
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("{VERSION_KEY} = «{text}»"))),
    }
}

fn set_version(conn: &Connection, version: u64) -> Result<(), StoreError> {
    settings::set(conn, VERSION_KEY, Some(&version.to_string()))
}

/// How many team contacts are stored.
pub fn team_count(conn: &Connection) -> Result<u64, StoreError> {
    Ok(conn.query_row(
        "SELECT count(*) FROM contacts WHERE team_id IS NOT NULL",
        [],
        |row| row.get::<_, i64>(0),
    )? as u64)
}

/// The local id of team contact `team_id`.
pub fn local_id(conn: &Connection, team_id: DirectoryId) -> Result<Option<ContactId>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT id FROM contacts WHERE team_id = ?1")?
        .query_row([team_id], |row| row.get(0))
        .optional()?)
}

/// Whose contact `id` is, and its CRM link.
pub fn meta(conn: &Connection, id: ContactId) -> Result<ContactMeta, StoreError> {
    let row = conn
        .prepare_cached(
            "SELECT team_id, team_version, updated_by, updated_at, crm_url FROM contacts
             WHERE id = ?1",
        )?
        .query_row([id], |row| {
            let team_id: Option<DirectoryId> = row.get(0)?;
            let team = match team_id {
                Some(team_id) => Some(TeamStamp {
                    id: team_id,
                    version: row.get::<_, Option<i64>>(1)?.unwrap_or(0) as u64,
                    updated_by: row.get(2)?,
                    updated_at: from_millis(row.get(3)?),
                }),
                None => None,
            };
            Ok(ContactMeta {
                team,
                crm_url: row.get(4)?,
            })
        })
        .optional()?;
    row.ok_or(StoreError::NoSuchContact(id))
}

/// Milliseconds of the relay's RFC 3339 time, or `fallback` when it sent none or garbage.
fn relay_millis(at: Option<&str>, fallback: i64) -> i64 {
    at.and_then(|at| chrono::DateTime::parse_from_rfc3339(at).ok())
        .map_or(fallback, |at| at.timestamp_millis())
}

/// Applies one team contact as the relay sent it: inserted, replaced (numbers re-indexed the
/// way a private contact's are) or, for a tombstone, deleted; unless the local copy is as
/// new already. Runs inside the caller's transaction.
pub fn apply_contact(
    conn: &Connection,
    parser: &NumberParser,
    contact: &DirectoryContact,
    now_ms: i64,
) -> Result<Applied, StoreError> {
    let local: Option<(ContactId, Option<i64>)> = conn
        .prepare_cached("SELECT id, team_version FROM contacts WHERE team_id = ?1")?
        .query_row([contact.id], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    if let Some((_, Some(held))) = local
        && held as u64 >= contact.version
    {
        return Ok(Applied::Older);
    }
    if contact.deleted {
        if let Some((id, _)) = local {
            contacts::delete(conn, id)?;
        }
        return Ok(Applied::Deleted);
    }
    let Ok(prepared) = ContactDraft::from(&contact.fields).prepare(parser) else {
        tracing::warn!(
            team_id = contact.id,
            "a team contact with neither a name nor a readable number was left out"
        );
        if let Some((id, _)) = local {
            contacts::delete(conn, id)?;
        }
        return Ok(Applied::Unreadable);
    };
    let id = match local {
        Some((id, _)) => {
            contacts::update(conn, id, &prepared, now_ms)?;
            id
        }
        None => contacts::insert(conn, &prepared, now_ms)?,
    };
    stamp(conn, id, contact, now_ms)?;
    Ok(Applied::Stored)
}

fn stamp(
    conn: &Connection,
    id: ContactId,
    contact: &DirectoryContact,
    now_ms: i64,
) -> Result<(), StoreError> {
    let ContactFields { crm_url, .. } = &contact.fields;
    conn.prepare_cached(
        "UPDATE contacts SET team_id = ?2, team_version = ?3, crm_url = ?4, updated_by = ?5,
         updated_at = ?6 WHERE id = ?1",
    )?
    .execute(params![
        id,
        contact.id,
        contact.version as i64,
        crm_url,
        contact.updated_by,
        relay_millis(contact.updated_at.as_deref(), now_ms),
    ])?;
    Ok(())
}

/// Applies a page of changes and the version it brings, in one transaction. With `more`,
/// the version is the last contact's (later changes are yet to come); on the last page it is
/// the directory's version when the relay read the page.
pub fn apply_page(
    conn: &mut Connection,
    parser: &NumberParser,
    page: &DirectoryPage,
    now_ms: i64,
) -> Result<PageApplied, StoreError> {
    let tx = conn.transaction()?;
    let mut applied = PageApplied::default();
    for contact in &page.contacts {
        match apply_contact(&tx, parser, contact, now_ms)? {
            Applied::Stored => applied.stored += 1,
            Applied::Deleted => applied.deleted += 1,
            Applied::Unreadable => applied.unreadable += 1,
            Applied::Older => {}
        }
    }
    let reached = if page.more {
        page.contacts.iter().map(|c| c.version).max().unwrap_or(0)
    } else {
        page.version
    };
    applied.version = version(&tx)?.max(reached);
    set_version(&tx, applied.version)?;
    tx.commit()?;
    Ok(applied)
}

/// Drops the whole copy (team contacts, the version held, CRM answers): it belongs to
/// another relay's directory. Private contacts stay.
pub fn forget(conn: &mut Connection) -> Result<(), StoreError> {
    let tx = conn.transaction()?;
    let ids: Vec<ContactId> = tx
        .prepare("SELECT id FROM contacts WHERE team_id IS NOT NULL")?
        .query_map([], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    for id in ids {
        contacts::delete(&tx, id)?;
    }
    tx.execute("DELETE FROM crm_contacts", [])?;
    settings::set(&tx, VERSION_KEY, None)?;
    tx.commit()?;
    Ok(())
}

/// Keeps the CRM's answer for `number` (E.164, or the text the call carried).
pub fn remember_crm(
    conn: &Connection,
    number: &str,
    answer: &[CrmContact],
    now_ms: i64,
) -> Result<(), StoreError> {
    let json = serde_json::to_string(answer)
        .map_err(|e| StoreError::Corrupt(format!("a CRM answer does not serialise: {e}")))?;
    conn.prepare_cached(
        "INSERT INTO crm_contacts (number, contacts, received_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (number) DO UPDATE SET contacts = excluded.contacts,
         received_at = excluded.received_at",
    )?
    .execute(params![number, json, now_ms])?;
    conn.prepare_cached("DELETE FROM crm_contacts WHERE received_at < ?1")?
        .execute([now_ms - CRM_KEEP_MS])?;
    Ok(())
}

/// What the CRM said about `number` within [`CRM_KEEP_MS`]; empty when nothing is known.
pub fn crm_for(
    conn: &Connection,
    number: &str,
    now_ms: i64,
) -> Result<Vec<CrmContact>, StoreError> {
    let json: Option<String> = conn
        .prepare_cached(
            "SELECT contacts FROM crm_contacts WHERE number = ?1 AND received_at >= ?2",
        )?
        .query_row(params![number, now_ms - CRM_KEEP_MS], |row| row.get(0))
        .optional()?;
    match json {
        None => Ok(Vec::new()),
        Some(json) => serde_json::from_str(&json)
            .map_err(|e| StoreError::Corrupt(format!("a stored CRM answer: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use trubka_protocol::directory::WirePhone;

    use super::*;
    use crate::contacts::matching;
    use crate::store::open_connection;

    fn team(id: DirectoryId, version: u64, name: &str, phone: &str) -> DirectoryContact {
        DirectoryContact {
            id,
            version,
            deleted: false,
            fields: ContactFields {
                name: name.to_owned(),
                phones: vec![WirePhone {
                    raw: phone.to_owned(),
                    label: None,
                }],
                crm_url: Some(format!("https://crm.example.com/c/{id}")),
                ..ContactFields::default()
            },
            updated_by: Some("Борис".to_owned()),
            updated_at: Some("2026-05-12T10:00:00Z".to_owned()),
        }
    }

    fn tombstone(id: DirectoryId, version: u64) -> DirectoryContact {
        DirectoryContact {
            deleted: true,
            fields: ContactFields::default(),
            ..team(id, version, "", "")
        }
    }

    fn page(version: u64, contacts: Vec<DirectoryContact>, more: bool) -> DirectoryPage {
        DirectoryPage {
            version,
            contacts,
            more,
        }
    }

    fn fixture() -> (tempfile::TempDir, Connection, NumberParser) {
        let dir = tempfile::tempdir().unwrap();
        let conn = open_connection(&dir.path().join("agent.sqlite")).unwrap();
        (dir, conn, NumberParser::new("RU").unwrap())
    }

    fn who(conn: &Connection, parser: &NumberParser, number: &str) -> Vec<(String, bool)> {
        let keys = parser.keys(number).unwrap();
        matching::find(conn, &keys)
            .unwrap()
            .into_iter()
            .map(|m| (m.contact().name.clone(), m.meta.is_team()))
            .collect()
    }

    #[test]
    fn pages_insert_replace_and_delete_by_team_id_and_keep_the_version() {
        let (_dir, mut conn, parser) = fixture();
        let first = page(
            3,
            vec![
                team(1, 1, "Иван Петров", "8 (926) 123-45-67"),
                team(2, 2, "Ольга Ким", "+7 495 111-22-33"),
            ],
            true,
        );
        let applied = apply_page(&mut conn, &parser, &first, 0).unwrap();
        // With more to come, the version is the last contact's, not the directory's.
        assert_eq!(applied.version, 2);
        assert_eq!(applied.stored, 2);
        let second = page(
            3,
            vec![team(1, 3, "Иван Петров-Водкин", "+7 926 765-43-21")],
            false,
        );
        assert_eq!(
            apply_page(&mut conn, &parser, &second, 0).unwrap().version,
            3
        );
        assert_eq!(version(&conn).unwrap(), 3);
        assert_eq!(team_count(&conn).unwrap(), 2);
        // The replaced contact is found by its new number only, re-indexed.
        assert!(who(&conn, &parser, "+79261234567").is_empty());
        assert_eq!(
            who(&conn, &parser, "89267654321"),
            vec![("Иван Петров-Водкин".to_owned(), true)]
        );
        let id = local_id(&conn, 1).unwrap().unwrap();
        let meta = meta(&conn, id).unwrap();
        let stamp = meta.team.unwrap();
        assert_eq!((stamp.id, stamp.version), (1, 3));
        assert_eq!(stamp.updated_by.as_deref(), Some("Борис"));
        assert_eq!(stamp.updated_at.to_rfc3339(), "2026-05-12T10:00:00+00:00");
        assert_eq!(meta.crm_url.as_deref(), Some("https://crm.example.com/c/1"));

        let gone = page(4, vec![tombstone(2, 4)], false);
        let applied = apply_page(&mut conn, &parser, &gone, 0).unwrap();
        assert_eq!((applied.deleted, applied.version), (1, 4));
        assert!(who(&conn, &parser, "+74951112233").is_empty());
        assert_eq!(team_count(&conn).unwrap(), 1);
    }

    #[test]
    fn private_contacts_survive_and_rank_beside_team_ones() {
        let (_dir, mut conn, parser) = fixture();
        let private = ContactDraft {
            name: "Соседка".to_owned(),
            phones: vec![crate::contacts::PhoneEntry::new("+7 926 123-45-67")],
            ..ContactDraft::default()
        }
        .prepare(&parser)
        .unwrap();
        let private_id = contacts::insert(&conn, &private, 0).unwrap();
        let sync = page(2, vec![team(7, 2, "Иван Петров", "89261234567")], false);
        apply_page(&mut conn, &parser, &sync, 0).unwrap();
        let found = who(&conn, &parser, "+79261234567");
        assert_eq!(found.len(), 2);
        assert!(found.contains(&("Соседка".to_owned(), false)));
        assert!(found.contains(&("Иван Петров".to_owned(), true)));
        // A tombstone for the team contact leaves the private one alone.
        apply_page(
            &mut conn,
            &parser,
            &page(3, vec![tombstone(7, 3)], false),
            0,
        )
        .unwrap();
        assert_eq!(
            who(&conn, &parser, "+79261234567"),
            vec![("Соседка".to_owned(), false)]
        );
        assert!(meta(&conn, private_id).unwrap().team.is_none());
    }

    #[test]
    fn an_older_copy_never_replaces_a_newer_one() {
        let (_dir, mut conn, parser) = fixture();
        let tx = conn.transaction().unwrap();
        let newer = team(5, 9, "Новое имя", "+74951234567");
        assert_eq!(
            apply_contact(&tx, &parser, &newer, 0).unwrap(),
            Applied::Stored
        );
        tx.commit().unwrap();
        let stale = page(9, vec![team(5, 8, "Старое имя", "+74951234567")], false);
        apply_page(&mut conn, &parser, &stale, 0).unwrap();
        assert_eq!(
            who(&conn, &parser, "+74951234567"),
            vec![("Новое имя".to_owned(), true)]
        );
    }

    #[test]
    fn unreadable_contacts_are_dropped_and_counted() {
        let (_dir, mut conn, parser) = fixture();
        apply_page(
            &mut conn,
            &parser,
            &page(1, vec![team(3, 1, "Анна", "+74951234567")], false),
            0,
        )
        .unwrap();
        let empty = page(2, vec![team(3, 2, "", "")], false);
        let applied = apply_page(&mut conn, &parser, &empty, 0).unwrap();
        assert_eq!((applied.unreadable, applied.version), (1, 2));
        assert_eq!(team_count(&conn).unwrap(), 0);
    }

    #[test]
    fn crm_answers_are_kept_for_a_day() {
        let (_dir, conn, _parser) = fixture();
        let answer = vec![CrmContact {
            name: "ООО Вектор".to_owned(),
            url: Some("https://crm.example.com/v".to_owned()),
            ..CrmContact::default()
        }];
        remember_crm(&conn, "+74951234567", &answer, 1_000).unwrap();
        assert_eq!(
            crm_for(&conn, "+74951234567", 1_000 + CRM_KEEP_MS).unwrap(),
            answer
        );
        assert!(
            crm_for(&conn, "+74951234567", 1_001 + CRM_KEEP_MS)
                .unwrap()
                .is_empty()
        );
        assert!(crm_for(&conn, "+74950000000", 1_000).unwrap().is_empty());
    }
}
