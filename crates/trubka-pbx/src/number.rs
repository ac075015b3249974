//! [`DialNumber`]: a phone number in the form UIS and Sipuni take it (digits, no `+`).

use std::fmt;

use trubka_core::PhoneNumber;

use crate::PbxError;

/// A number to dial as the PBX APIs want it: 1 to 15 ASCII digits without `+`
/// (`79260000000`). Built from a [`PhoneNumber`] (E.164) or from digits the caller already has
/// (an employee's SIP number for UIS, for example).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DialNumber(String);

impl DialNumber {
    /// Accepts digits with an optional leading `+`; anything else is rejected.
    pub fn parse(text: &str) -> Result<DialNumber, PbxError> {
        let digits = text.trim();
        let digits = digits.strip_prefix('+').unwrap_or(digits);
        if (1..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
            Ok(DialNumber(digits.to_owned()))
        } else {
            Err(PbxError::InvalidArgument(format!(
                "{text:?} is not a phone number in digits"
            )))
        }
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&PhoneNumber> for DialNumber {
    fn from(phone: &PhoneNumber) -> DialNumber {
        DialNumber(phone.digits().to_owned())
    }
}

impl From<PhoneNumber> for DialNumber {
    fn from(phone: PhoneNumber) -> DialNumber {
        DialNumber::from(&phone)
    }
}

impl fmt::Display for DialNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plus_is_dropped_and_non_digits_rejected() {
        assert_eq!(
            DialNumber::parse("+79260000000").unwrap().as_str(),
            "79260000000"
        );
        assert_eq!(DialNumber::parse("201").unwrap().as_str(), "201");
        assert!(DialNumber::parse("8 (926) 000-00-00").is_err());
        assert!(DialNumber::parse("").is_err());
        assert!(DialNumber::parse("+").is_err());
        assert!(DialNumber::parse("1234567890123456").is_err());
    }

    #[test]
    fn e164_becomes_digits() {
        let phone = PhoneNumber::from_e164("+74993720692").unwrap();
        assert_eq!(DialNumber::from(&phone).as_str(), "74993720692");
    }
}
