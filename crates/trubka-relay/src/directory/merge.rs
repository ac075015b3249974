//! Laying new values over a team contact without losing what the team wrote: one rule for
//! the admin's imports and the UIS address book.
//!
//! [`three_way`] takes `base` (what the source said last time), `ours` (the contact today)
//! and `theirs` (what the source says now). What the source changed since `base` wins — a
//! field it set, changed or cleared, a number it added or removed — and everything else stays
//! as the team left it. An import has no last time: from an empty `base` the row's values
//! replace the ones it gives, its numbers are added and nothing is taken away (the import's
//! merge rule, `import.rs`).

use std::collections::BTreeSet;

use trubka_contacts::numbers::{NumberKeys, NumberParser};
use trubka_protocol::directory::{ContactFields, WirePhone};

/// `ours` with what changed from `base` to `theirs` (see the module's rule).
pub(crate) fn three_way(
    parser: &NumberParser,
    base: &ContactFields,
    ours: &ContactFields,
    theirs: &ContactFields,
) -> ContactFields {
    let pick = |base: &Option<String>, ours: &Option<String>, theirs: &Option<String>| {
        if theirs != base {
            theirs.clone()
        } else {
            ours.clone()
        }
    };
    let mut merged = ours.clone();
    // A name only spelt in other case or spacing is the same name: the merge rule matched it.
    let renamed = theirs.name != base.name
        && !theirs.name.trim().is_empty()
        && theirs.name.trim().to_lowercase() != ours.name.trim().to_lowercase();
    if renamed {
        merged.name = theirs.name.clone();
    }
    merged.company = pick(&base.company, &ours.company, &theirs.company);
    merged.email = pick(&base.email, &ours.email, &theirs.email);
    merged.position = pick(&base.position, &ours.position, &theirs.position);
    merged.notes = pick(&base.notes, &ours.notes, &theirs.notes);
    merged.crm_url = pick(&base.crm_url, &ours.crm_url, &theirs.crm_url);
    let keys: BTreeSet<&String> = base.fields.keys().chain(theirs.fields.keys()).collect();
    for key in keys {
        let (old, new) = (base.fields.get(key), theirs.fields.get(key));
        if old == new {
            continue;
        }
        match new {
            Some(value) => merged.fields.insert(key.clone(), value.clone()),
            None => merged.fields.remove(key),
        };
    }
    let keys_of = |phones: &[WirePhone]| -> Vec<NumberKeys> {
        phones.iter().map(|p| number_keys(parser, &p.raw)).collect()
    };
    let (base_keys, their_keys) = (keys_of(&base.phones), keys_of(&theirs.phones));
    let removed: Vec<&NumberKeys> = base_keys
        .iter()
        .filter(|k| !their_keys.iter().any(|t| same_number(k, t)))
        .collect();
    merged.phones.retain(|phone| {
        !removed
            .iter()
            .any(|k| same_number(k, &number_keys(parser, &phone.raw)))
    });
    // Only numbers new at the source are added: one the team took off stays off.
    let mut known = keys_of(&merged.phones);
    for (phone, keys) in theirs.phones.iter().zip(their_keys) {
        let new_there = !base_keys.iter().any(|k| same_number(k, &keys));
        if new_there && !known.iter().any(|k| same_number(k, &keys)) {
            merged.phones.push(phone.clone());
            known.push(keys);
        }
    }
    merged
}

/// A number's lookup keys; text that is no number keeps its digits as the national part.
fn number_keys(parser: &NumberParser, raw: &str) -> NumberKeys {
    parser.keys(raw).unwrap_or_else(|_| NumberKeys {
        raw: raw.to_owned(),
        e164: None,
        national: raw.chars().filter(char::is_ascii_digit).collect(),
    })
}

/// Whether two numbers are the same by the lookup's rules: the same E.164, or the same
/// national digits where one has no valid E.164 (a legacy entry).
fn same_number(a: &NumberKeys, b: &NumberKeys) -> bool {
    match (&a.e164, &b.e164) {
        (Some(x), Some(y)) => x == y,
        _ => a.national == b.national,
    }
}
