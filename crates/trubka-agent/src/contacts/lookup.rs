//! Who is calling, from the local store: the indexed SQL fetches the candidate numbers,
//! trubka-contacts' [`rank`] orders them, and the ranked contacts are loaded with whether
//! each is the team's or private. Team and private contacts are ranked together.

use rusqlite::Connection;
use trubka_contacts::matching::{NumberHit, RankedHit, rank};

use super::team::FoundContact;

use crate::numbers::NumberKeys;
use crate::store::{StoreError, contacts as sql, directory};

/// The contacts `query` may belong to, ranked: numbers with its E.164, then legacy numbers
/// (stored without one) with its national digits, each in entry order.
fn ranked(conn: &Connection, query: &NumberKeys) -> Result<Vec<RankedHit>, StoreError> {
    let mut candidates: Vec<NumberHit> = match &query.e164 {
        Some(e164) => sql::numbers_by_e164(conn, e164)?,
        None => Vec::new(),
    };
    candidates.extend(sql::legacy_numbers_by_national(conn, &query.national)?);
    Ok(rank(query, candidates))
}

/// Every contact `query` belongs to, best first.
pub fn find(conn: &Connection, query: &NumberKeys) -> Result<Vec<FoundContact>, StoreError> {
    let hits = ranked(conn, query)?;
    let mut out = Vec::with_capacity(hits.len());
    for hit in hits {
        if let Some(contact) = sql::get(conn, hit.contact_id)? {
            let meta = directory::meta(conn, contact.id)?;
            out.push(FoundContact {
                matched: hit.into_match(query, contact),
                meta,
            });
        }
    }
    Ok(out)
}

/// The display name of the best match only (history lists, follow-ups): cheaper than
/// [`find`], which loads every matching contact.
pub fn best_name(conn: &Connection, query: &NumberKeys) -> Result<Option<String>, StoreError> {
    match ranked(conn, query)?.first() {
        Some(best) => Ok(sql::get(conn, best.contact_id)?.map(|c| c.display_name().to_owned())),
        None => Ok(None),
    }
}
