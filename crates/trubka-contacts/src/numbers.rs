//! Phone numbers as contacts store and look them up: raw text + E.164 + national digits.
//!
//! Every number the agent or the relay's directory keeps (a contact's phone, a caller, a typed
//! search or dial target) goes through [`NumberParser`], so that the same text always yields
//! the same keys. A number that is valid for the default region (or carries a country code)
//! gets its E.164 form; one that is not valid but still looks like a phone number (7 to 15
//! digits) is kept as a *legacy* entry with national digits only, so that it can still be
//! matched by its national significant number.

use trubka_core::PhoneNumber;
use trubka_core::phone::{ParsedNumber, PhoneParser};

/// Why a text is not a phone number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumberError {
    #[error("«{0}» is not a phone number: {1}")]
    NotANumber(String, String),
    #[error("«{0}» is a short internal number, not a phone number")]
    Internal(String),
    #[error("no number: the caller ID is hidden")]
    Anonymous,
    #[error("{0}")]
    UnknownRegion(String),
}

/// The keys one stored number is indexed by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberKeys {
    /// The text exactly as typed or imported.
    pub raw: String,
    /// E.164 when the text is a valid phone number.
    pub e164: Option<String>,
    /// The national significant number (digits without country code and trunk prefix).
    pub national: String,
}

/// Parses phone numbers with a default region (RU unless configured otherwise), on top of
/// [`trubka_core::phone::PhoneParser`].
#[derive(Debug, Clone)]
pub struct NumberParser {
    inner: PhoneParser,
}

impl Default for NumberParser {
    fn default() -> Self {
        NumberParser {
            inner: PhoneParser::russia(),
        }
    }
}

impl NumberParser {
    /// A parser for numbers written without a country code in `region` (ISO code, e.g. `RU`).
    pub fn new(region: &str) -> Result<NumberParser, NumberError> {
        PhoneParser::new(region)
            .map(|inner| NumberParser { inner })
            .map_err(|e| NumberError::UnknownRegion(e.to_string()))
    }

    /// The default region, upper case.
    pub fn region(&self) -> &str {
        self.inner.default_region()
    }

    /// A valid phone number in E.164, or why `text` is not one.
    pub fn parse(&self, text: &str) -> Result<PhoneNumber, NumberError> {
        match self.inner.parse(text) {
            ParsedNumber::Phone { number, .. } => Ok(number),
            ParsedNumber::Internal(digits) => Err(NumberError::Internal(digits)),
            ParsedNumber::Anonymous => Err(NumberError::Anonymous),
            ParsedNumber::Invalid { reason } => {
                Err(NumberError::NotANumber(text.trim().to_owned(), reason))
            }
        }
    }

    /// The keys of `raw`: E.164 and national digits when valid; national digits only for a
    /// legacy entry (7–15 digits that do not form a valid number in the default region).
    pub fn keys(&self, raw: &str) -> Result<NumberKeys, NumberError> {
        let raw = raw.trim();
        match self.parse(raw) {
            Ok(number) => Ok(NumberKeys {
                raw: raw.to_owned(),
                national: number.national_significant().to_owned(),
                e164: Some(number.e164().to_owned()),
            }),
            Err(NumberError::NotANumber(text, reason)) => {
                let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
                if (7..=15).contains(&digits.len()) {
                    Ok(NumberKeys {
                        raw: raw.to_owned(),
                        e164: None,
                        national: legacy_national(&digits),
                    })
                } else {
                    Err(NumberError::NotANumber(text, reason))
                }
            }
            Err(other) => Err(other),
        }
    }

    /// The keys of a number the PBX already gave in E.164.
    pub fn keys_of(&self, number: &PhoneNumber) -> NumberKeys {
        NumberKeys {
            raw: number.e164().to_owned(),
            e164: Some(number.e164().to_owned()),
            national: number.national_significant().to_owned(),
        }
    }
}

/// National digits of a number that did not parse as valid: an 11-digit `8…`/`7…` (the
/// Russian/Kazakh trunk or country prefix) loses its first digit, everything else stays.
fn legacy_national(digits: &str) -> String {
    if digits.len() == 11 && (digits.starts_with('8') || digits.starts_with('7')) {
        digits[1..].to_owned()
    } else {
        digits.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ru() -> NumberParser {
        NumberParser::new("RU").expect("RU is a region")
    }

    #[test]
    fn russian_formats_share_e164_and_national_digits() {
        for text in [
            "8 (812) 123-45-67",
            "+7 812 123 45 67",
            "78121234567",
            "8-812-123-45-67",
        ] {
            let keys = ru().keys(text).expect("valid");
            assert_eq!(keys.e164.as_deref(), Some("+78121234567"), "{text}");
            assert_eq!(keys.national, "8121234567", "{text}");
        }
        let free = ru().keys("8-800-555-35-35").expect("valid");
        assert_eq!(free.e164.as_deref(), Some("+78005553535"));
    }

    #[test]
    fn legacy_and_garbage() {
        let short = ru().keys("123-45-67").expect("legacy digits");
        assert_eq!(
            ru().parse("89261234567").expect("valid").international(),
            "+7 926 123-45-67"
        );
        assert_eq!(short.e164, None);
        assert_eq!(short.national, "1234567");
        assert!(ru().keys("звоните").is_err());
        assert!(matches!(ru().keys("201"), Err(NumberError::Internal(_))));
        assert!(matches!(
            ru().keys("anonymous"),
            Err(NumberError::Anonymous)
        ));
        assert!(ru().parse("123").is_err());
        assert!(NumberParser::new("ZZ").is_err());
    }
}
