//! Who is calling: ranks the stored numbers a lookup found into every contact a number belongs
//! to, best first, each with the reason. Pure: whoever keeps the contacts fetches the candidate
//! numbers (the agent from SQLite, by index) and loads the ranked contacts.
//!
//! Order (phone entries before anything else, as telephony clients come first in Salebot):
//! 1. a phone entry with the same E.164;
//! 2. a legacy phone entry stored without a country code whose national digits are equal;
//! 3. an extra field holding the same E.164;
//! 4. an extra field holding a legacy number with equal national digits.
//!
//! A contact appears once, with its best reason. Ties keep the older contact first.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use serde::Serialize;

use crate::numbers::NumberKeys;
use crate::{Contact, ContactId, StoredNumber};

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

    /// How `number` matches `query`, or `None` when it does not: the same E.164, or, for a
    /// number stored without one (legacy), the same national digits.
    pub fn of(query: &NumberKeys, number: &StoredNumber) -> Option<MatchRule> {
        let in_field = number.field.is_some();
        match (&number.e164, &query.e164) {
            (Some(stored), Some(asked)) if stored == asked => Some(if in_field {
                MatchRule::FieldE164Equal
            } else {
                MatchRule::E164Equal
            }),
            (None, _) if number.national == query.national => Some(if in_field {
                MatchRule::FieldNationalEqual
            } else {
                MatchRule::NationalEqual
            }),
            _ => None,
        }
    }
}

/// A stored number a lookup found, with the contact it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberHit {
    pub contact_id: ContactId,
    pub number: StoredNumber,
}

/// A contact's best match for a query: the rule and the stored number that gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RankedHit {
    pub contact_id: ContactId,
    pub rule: MatchRule,
    pub number: StoredNumber,
}

/// Every contact among `candidates` that `query` belongs to, once, with its best rule, ordered
/// by rule and then by id (the older contact first). `candidates` may hold numbers that do not
/// match (they are left out), so a store can hand over whatever its indexes found: for the
/// agent, the numbers with the query's E.164 and the legacy ones with its national digits.
/// Between two numbers of one contact with the same rule, the first candidate wins, so a store
/// that gives them in entry order explains the match by the first entry.
pub fn rank(query: &NumberKeys, candidates: impl IntoIterator<Item = NumberHit>) -> Vec<RankedHit> {
    let mut best: HashMap<ContactId, RankedHit> = HashMap::new();
    for hit in candidates {
        let Some(rule) = MatchRule::of(query, &hit.number) else {
            continue;
        };
        let ranked = RankedHit {
            contact_id: hit.contact_id,
            rule,
            number: hit.number,
        };
        match best.entry(hit.contact_id) {
            Entry::Vacant(slot) => {
                slot.insert(ranked);
            }
            Entry::Occupied(mut slot) => {
                if rule < slot.get().rule {
                    slot.insert(ranked);
                }
            }
        }
    }
    let mut ranked: Vec<RankedHit> = best.into_values().collect();
    ranked.sort_by_key(|hit| (hit.rule, hit.contact_id));
    ranked
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

impl RankedHit {
    /// The match as shown, with `contact` (the one with this hit's `contact_id`) loaded and the
    /// explanation written.
    pub fn into_match(self, query: &NumberKeys, contact: Contact) -> ContactMatch {
        let shown = query.e164.as_deref().unwrap_or(&query.raw);
        let place = match &self.number.field {
            Some(field) => format!("field «{field}» "),
            None => String::new(),
        };
        let explanation = format!(
            "{shown} matched stored {place}\"{}\" of {} ({})",
            self.number.raw,
            contact.display_name(),
            self.rule.describe()
        );
        ContactMatch {
            contact,
            rule: self.rule,
            matched_raw: self.number.raw,
            field: self.number.field,
            explanation,
        }
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::numbers::NumberParser;

    /// The keys of `text` for a profile in `region`: a Russian mobile written without `+7` is
    /// a legacy number (national digits only) in Ukraine, a valid one in Russia.
    fn keys_in(region: &str, text: &str) -> NumberKeys {
        NumberParser::new(region)
            .expect("a region")
            .keys(text)
            .expect("a number")
    }

    fn keys(text: &str) -> NumberKeys {
        keys_in("RU", text)
    }

    fn hit(contact_id: ContactId, region: &str, raw: &str, field: Option<&str>) -> NumberHit {
        let keys = keys_in(region, raw);
        NumberHit {
            contact_id,
            number: StoredNumber {
                raw: keys.raw,
                label: None,
                field: field.map(str::to_owned),
                e164: keys.e164,
                national: keys.national,
            },
        }
    }

    fn contact(id: ContactId, name: &str, numbers: Vec<StoredNumber>) -> Contact {
        Contact {
            id,
            name: name.to_owned(),
            company: None,
            email: None,
            position: None,
            notes: None,
            numbers,
            fields: BTreeMap::new(),
        }
    }

    #[test]
    fn each_contact_once_with_its_best_rule_phone_entries_first_then_older_contacts() {
        let query = keys("+7 926 123-45-67");
        let ranked = rank(
            &query,
            [
                hit(1, "RU", "8 (926) 123-45-67", Some("Доп. телефон")),
                hit(3, "RU", "+79261234567", None),
                hit(2, "UA", "926 123-45-67", None),
                hit(4, "UA", "926 1234567", Some("Старый номер")),
                hit(5, "RU", "+79261234568", None),
                hit(1, "RU", "+7 (926) 123-45-67", None),
            ],
        );
        let order: Vec<_> = ranked.iter().map(|h| (h.contact_id, h.rule)).collect();
        assert_eq!(
            order,
            [
                (1, MatchRule::E164Equal),
                (3, MatchRule::E164Equal),
                (2, MatchRule::NationalEqual),
                (4, MatchRule::FieldNationalEqual),
            ]
        );
        assert_eq!(ranked[0].number.raw, "+7 (926) 123-45-67");
        assert_eq!(ranked[0].number.field, None);
        assert_eq!(ranked[3].number.field.as_deref(), Some("Старый номер"));
    }

    #[test]
    fn a_number_stored_with_an_e164_never_matches_by_national_digits_alone() {
        let query = keys_in("UA", "926 123-45-67");
        assert_eq!(query.e164, None);
        let stored = hit(1, "RU", "+7 926 123-45-67", None).number;
        assert_eq!(stored.national, query.national);
        assert_eq!(MatchRule::of(&query, &stored), None);
        let legacy = hit(2, "UA", "(926) 1234567", None).number;
        assert_eq!(
            MatchRule::of(&query, &legacy),
            Some(MatchRule::NationalEqual)
        );
        assert!(rank(&query, [hit(1, "RU", "+7 926 123-45-67", None)]).is_empty());
    }

    #[test]
    fn a_better_rule_replaces_a_contacts_hit_and_the_first_of_equal_ones_stays() {
        let query = keys("+79261234567");
        let ranked = rank(
            &query,
            [
                hit(7, "UA", "926 123-45-67", Some("Факс")),
                hit(7, "RU", "+7 926 1234567", Some("Офис")),
                hit(7, "RU", "8 926 123 45 67", Some("Склад")),
            ],
        );
        assert_eq!(ranked.len(), 1);
        assert_eq!(ranked[0].rule, MatchRule::FieldE164Equal);
        assert_eq!(ranked[0].number.field.as_deref(), Some("Офис"));
    }

    #[test]
    fn the_explanation_names_the_query_the_stored_text_its_field_and_the_rule() {
        let query = keys("8 (812) 123-45-67");
        let ranked = rank(&query, [hit(9, "RU", "8 812 123 45 67", Some("Офис"))]);
        let found = ranked[0].number.clone();
        let matched = ranked
            .into_iter()
            .next()
            .expect("one hit")
            .into_match(&query, contact(9, "Иван Петров", vec![found]));
        assert_eq!(
            matched.explanation,
            "+78121234567 matched stored field «Офис» \"8 812 123 45 67\" of Иван Петров \
             (E.164 equal, in an extra field)"
        );
        assert_eq!(matched.matched_raw, "8 812 123 45 67");
        assert_eq!(matched.field.as_deref(), Some("Офис"));
        assert_eq!(matched.contact.id, 9);

        let legacy = keys("123-45-67");
        let ranked = rank(&legacy, [hit(2, "RU", "1234567", None)]);
        let found = ranked[0].number.clone();
        let matched = ranked
            .into_iter()
            .next()
            .expect("one hit")
            .into_match(&legacy, contact(2, "", vec![found]));
        assert_eq!(
            matched.explanation,
            "123-45-67 matched stored \"1234567\" of 1234567 \
             (national number equal; stored without a country code)"
        );
    }

    #[test]
    fn no_match_says_what_was_looked_for() {
        let valid = explain_no_match(&keys("+7 812 123-45-67"));
        assert!(
            valid.starts_with("+78121234567 matched no contact"),
            "{valid}"
        );
        assert!(valid.contains("national digits 8121234567"), "{valid}");
        let legacy = explain_no_match(&keys("123-45-67"));
        assert!(
            legacy.starts_with("«123-45-67» is not a valid number"),
            "{legacy}"
        );
        assert!(legacy.contains("national digits 1234567"), "{legacy}");
    }
}
