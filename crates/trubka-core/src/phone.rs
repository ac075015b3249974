//! Phone numbers as people type them, normalised to E.164.
//!
//! The parser itself (`PhoneParser`) is written by the phone-number work; this file fixes the
//! type every other crate uses.

use std::fmt;

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
        ok.then(|| PhoneNumber { e164: text.to_owned() })
    }

    /// The digits without `+`, as UIS and Sipuni APIs expect them (`79261234567`).
    pub fn digits(&self) -> &str {
        &self.e164[1..]
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.e164)
    }
}
