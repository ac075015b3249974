//! Phone numbers as PBXs write them, through trubka-core's [`PhoneParser`].
//!
//! Both PBXs write external numbers as international digits without `+` (`79261234567`,
//! `998948867473`); the core parser reads such digits in the default region first and as
//! international when they do not fit it, so they are handed over unchanged. What is not a
//! phone number (anonymous, an extension, garbage) keeps only its raw text.

use trubka_core::{Contact, PhoneNumber, PhoneParser};

/// The contact of a call: E.164 when the number is a phone number, the PBX's text kept as is.
pub(crate) fn contact(phones: &PhoneParser, raw: Option<String>, name: Option<String>) -> Contact {
    let raw = raw.unwrap_or_default();
    let phone = if raw.is_empty() {
        None
    } else {
        phone(phones, &raw)
    };
    Contact { phone, raw, name }
}

/// A line (virtual or city number): E.164 when it parses, otherwise the PBX's own text, so a
/// line the parser does not know is still shown and can still be matched literally.
pub(crate) fn line(phones: &PhoneParser, raw: Option<String>) -> Option<String> {
    let raw = raw?;
    match phones.parse(&raw).phone() {
        Some(phone) => Some(phone.e164().to_owned()),
        None => Some(raw),
    }
}

/// The E.164 number `text` stands for, when it is a phone number at all.
pub(crate) fn phone(phones: &PhoneParser, text: &str) -> Option<PhoneNumber> {
    phones.parse(text).phone().cloned()
}
