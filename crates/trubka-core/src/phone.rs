//! Phone numbers as people type them, normalised to E.164.
//!
//! [`PhoneNumber`] is the type every other crate stores and compares. [`PhoneParser`] turns
//! text into a [`ParsedNumber`]: a phone number (with its extension), a short internal number,
//! "anonymous", or an invalid text with the reason. Short internal numbers and `anonymous` are
//! deliberately not phone numbers.

mod parser;
mod text;

#[cfg(test)]
mod tests;

use std::fmt;

use rlibphonenumber::{PHONE_NUMBER_UTIL, PhoneNumberFormat};

pub use parser::{ParsedNumber, PhoneError, PhoneParser};

/// A phone number in E.164 form (`+79261234567`). Only valid numbers are ever constructed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PhoneNumber {
    e164: String,
}

impl PhoneNumber {
    /// The number as `+` followed by digits.
    pub fn e164(&self) -> &str {
        &self.e164
    }

    /// Accepts text that is already E.164 (`+` and 8 to 15 digits), as stored by Trubka itself.
    pub fn from_e164(text: &str) -> Option<PhoneNumber> {
        let digits = text.strip_prefix('+')?;
        let ok = (8..=15).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0');
        ok.then(|| PhoneNumber {
            e164: text.to_owned(),
        })
    }

    /// The digits without `+`, as UIS and Sipuni APIs expect them (`79261234567`).
    pub fn digits(&self) -> &str {
        &self.e164[1..]
    }

    /// The country calling code (`7`, `375`, `998`), when libphonenumber knows it.
    pub fn country_code(&self) -> Option<&str> {
        let digits = self.digits();
        // Calling codes are a prefix code (no code starts another), so at most one of the
        // one- to three-digit prefixes is a code.
        (1..=3).map(|len| &digits[..len]).find(|prefix| {
            prefix.parse().is_ok_and(|code| {
                PHONE_NUMBER_UTIL
                    .get_region_for_country_code(code)
                    .is_some()
            })
        })
    }

    /// The number as people read it: the international format of its country's numbering
    /// plan (`+7 926 123-45-67`, `+375 44 700-11-22`, `+998 90 123 45 67`).
    pub fn international(&self) -> String {
        match PHONE_NUMBER_UTIL.parse(&self.e164, None) {
            Ok(number) => number
                .format_as(PhoneNumberFormat::International)
                .to_string(),
            // Only valid numbers are constructed, so this is not expected; E.164 still reads.
            Err(_) => self.e164.clone(),
        }
    }

    /// The number without its country code (`9261234567` for `+79261234567`): what address
    /// books and CRMs often store, and what matching a number against them compares.
    /// All digits when the country code is unknown.
    pub fn national_significant(&self) -> &str {
        let digits = self.digits();
        &digits[self.country_code().map_or(0, str::len)..]
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.e164)
    }
}
