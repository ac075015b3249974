//! Who is calling: finds every contact a number belongs to, ranked, each with the reason.
//!
//! Order (phone entries before anything else, as telephony clients come first in Salebot):
//! 1. a phone entry with the same E.164;
//! 2. a legacy phone entry stored without a country code whose national digits are equal;
//! 3. an extra field holding the same E.164;
//! 4. an extra field holding a legacy number with equal national digits.
//!
//! A contact appears once, with its best reason. Ties keep the older contact first.

use std::collections::HashMap;

use rusqlite::Connection;
use serde::Serialize;

use super::{Contact, ContactId};
use crate::numbers::NumberKeys;
use crate::store::{StoreError, contacts as sql};

/// How a stored number matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchRule {
    /// A phone entry with the same E.164.
    E164Equal,
    /// A phone entry stored without a country code, same national significant number.
    NationalEqual,
    /// An extra field holding the same E.164.
    FieldE164Equal,
    /// An extra field holding a number without a country code, same national digits.
    FieldNationalEqual,
}

impl MatchRule {
    /// Words for the explanation.
    pub fn describe(self) -> &'static str {
        match self {
            MatchRule::E164Equal => "E.164 equal",
            MatchRule::NationalEqual => "national number equal; stored without a country code",
            MatchRule::FieldE164Equal => "E.164 equal, in an extra field",
            MatchRule::FieldNationalEqual => {
                "national number equal, in an extra field; stored without a country code"
            }
        }
    }
}

/// One contact a number belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContactMatch {
    pub contact: Contact,
    pub rule: MatchRule,
    /// The stored text that matched.
    pub matched_raw: String,
    /// The extra field it was found in, if any.
    pub field: Option<String>,
    /// «+78121234567 matched stored "8 (812) 123-45-67" of Иван Петров (E.164 equal)».
    pub explanation: String,
}

/// Every contact `query` belongs to, best first.
pub fn find(conn: &Connection, query: &NumberKeys) -> Result<Vec<ContactMatch>, StoreError> {
    let mut best: HashMap<ContactId, (MatchRule, sql::NumberHit)> = HashMap::new();
    let mut consider = |rule: MatchRule, hit: sql::NumberHit| {
        let rule = match (rule, hit.number.field.is_some()) {
            (MatchRule::E164Equal, true) => MatchRule::FieldE164Equal,
            (MatchRule::NationalEqual, true) => MatchRule::FieldNationalEqual,
            (rule, _) => rule,
        };
        let entry = best.entry(hit.contact_id).or_insert((rule, hit.clone()));
        if rule < entry.0 {
            *entry = (rule, hit);
        }
    };
    if let Some(e164) = &query.e164 {
        for hit in sql::numbers_by_e164(conn, e164)? {
            consider(MatchRule::E164Equal, hit);
        }
    }
    for hit in sql::legacy_numbers_by_national(conn, &query.national)? {
        consider(MatchRule::NationalEqual, hit);
    }
    let mut ranked: Vec<_> = best.into_iter().collect();
    ranked.sort_by_key(|(id, (rule, _))| (*rule, *id));
    let shown = query.e164.as_deref().unwrap_or(&query.raw);
    let mut out = Vec::with_capacity(ranked.len());
    for (id, (rule, hit)) in ranked {
        let Some(contact) = sql::get(conn, id)? else {
            continue;
        };
        let place = match &hit.number.field {
            Some(field) => format!("field «{field}» "),
            None => String::new(),
        };
        let explanation = format!(
            "{shown} matched stored {place}\"{}\" of {} ({})",
            hit.number.raw,
            contact.display_name(),
            rule.describe()
        );
        out.push(ContactMatch {
            contact,
            rule,
            matched_raw: hit.number.raw,
            field: hit.number.field,
            explanation,
        });
    }
    Ok(out)
}

/// The display name of the best match only (history lists, follow-ups): cheaper than
/// [`find`], which loads every matching contact.
pub fn best_name(conn: &Connection, query: &NumberKeys) -> Result<Option<String>, StoreError> {
    let mut best: Option<(MatchRule, ContactId)> = None;
    if let Some(e164) = &query.e164 {
        for hit in sql::numbers_by_e164(conn, e164)? {
            let rule = if hit.number.field.is_some() {
                MatchRule::FieldE164Equal
            } else {
                MatchRule::E164Equal
            };
            if best.is_none_or(|b| (rule, hit.contact_id) < b) {
                best = Some((rule, hit.contact_id));
            }
        }
    }
    for hit in sql::legacy_numbers_by_national(conn, &query.national)? {
        let rule = if hit.number.field.is_some() {
            MatchRule::FieldNationalEqual
        } else {
            MatchRule::NationalEqual
        };
        if best.is_none_or(|b| (rule, hit.contact_id) < b) {
            best = Some((rule, hit.contact_id));
        }
    }
    match best {
        Some((_, id)) => Ok(sql::get(conn, id)?.map(|c| c.display_name().to_owned())),
        None => Ok(None),
    }
}

/// Why nothing matched, in the same words as a match explanation.
pub fn explain_no_match(query: &NumberKeys) -> String {
    match &query.e164 {
        Some(e164) => format!(
            "{e164} matched no contact: no stored number has this E.164, and no number stored \
             without a country code has the national digits {}",
            query.national
        ),
        None => format!(
            "«{}» is not a valid number in the default region; no number stored without a \
             country code has the national digits {}",
            query.raw, query.national
        ),
    }
}
