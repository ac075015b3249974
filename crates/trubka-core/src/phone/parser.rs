//! Turning what people type and PBXs send into a [`ParsedNumber`], with libphonenumber's
//! numbering plans (the `rlibphonenumber` port) as the judge of validity.
//!
//! The text is first read by [`super::text`]; only plain digits reach libphonenumber. The
//! rules on top of libphonenumber, all for numbers written without `+`:
//! - digits are read in the default region first (`89261234567`, `9261234567`, `74951234567`);
//! - when that reading has the wrong length for the region, they are read as international
//!   (`375291234567` is Belarus, `998901234567` Uzbekistan); a reading with the right length
//!   but no such range stays invalid, so an 11-digit `7…`/`8…` number is always Russian;
//! - a leading `00` is the international prefix most of the world uses.
//!
//! Digits written with `+` are international; only when they start with no country code at
//! all and are a valid national number (`+8 926 123-45-67`) does the national reading win.
//!
//! Only numbers libphonenumber's metadata calls valid become [`ParsedNumber::Phone`]. A number
//! that merely has the right length but is in no allocated range (`+7 100 123-45-67`) is
//! [`ParsedNumber::Invalid`]: a typo is likelier than a range newer than the metadata.

use rlibphonenumber::{
    NumberLengthType, PHONE_NUMBER_UTIL, ParseError, PhoneNumberFormat, ValidationError,
    enums::Region,
};

use super::PhoneNumber;
use super::text::{self, Scan};

/// A configured region code that libphonenumber does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("unknown region {0:?}: expected a two-letter country code such as RU")]
    UnknownRegion(String),
}

/// What a piece of text turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParsedNumber {
    /// A valid phone number, with the extension written after it (`доб. 123`), if any.
    Phone {
        number: PhoneNumber,
        extension: Option<String>,
    },
    /// A short internal number (`201`, `1001`): digits only, at most six of them.
    Internal(String),
    /// No number: caller ID withheld (`anonymous`, `скрыт`), empty, or a placeholder (`null`).
    Anonymous,
    /// Text that is not a usable number, with the reason in words for a person.
    Invalid { reason: String },
}

impl ParsedNumber {
    /// The phone number, when the text was one.
    pub fn phone(&self) -> Option<&PhoneNumber> {
        match self {
            ParsedNumber::Phone { number, .. } => Some(number),
            _ => None,
        }
    }
}

/// Parses numbers written in any common way, reading national forms in a default region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneParser {
    region: Region,
    /// The region as configured, upper case; kept to hand out as `&str`.
    code: String,
}

impl Default for PhoneParser {
    fn default() -> Self {
        PhoneParser::russia()
    }
}

impl PhoneParser {
    /// A parser reading national numbers as numbers of `default_region` (ISO 3166 code, any case).
    pub fn new(default_region: &str) -> Result<PhoneParser, PhoneError> {
        let code = default_region.trim().to_ascii_uppercase();
        let unknown = || PhoneError::UnknownRegion(default_region.to_owned());
        // `from_code` accepts any two letters (and `001`, the non-geographic pseudo-region),
        // so knowing the region means having a country calling code for it.
        let region = Region::from_code(&code).map_err(|_| unknown())?;
        if region == Region::World
            || PHONE_NUMBER_UTIL
                .get_country_code_for_region(region)
                .is_none()
        {
            return Err(unknown());
        }
        Ok(PhoneParser { region, code })
    }

    /// A parser for Russia, Trubka's default region: UIS and Sipuni customers are there.
    pub fn russia() -> PhoneParser {
        PhoneParser {
            region: Region::RU,
            code: "RU".to_owned(),
        }
    }

    /// The region national numbers are read in, upper case (`RU`).
    pub fn default_region(&self) -> &str {
        &self.code
    }

    /// Reads `raw`. Never fails: anything that is not a number comes back as
    /// [`ParsedNumber::Invalid`] with the reason.
    pub fn parse(&self, raw: &str) -> ParsedNumber {
        match text::scan(raw) {
            Scan::Anonymous => ParsedNumber::Anonymous,
            Scan::Short(digits) => ParsedNumber::Internal(digits.to_owned()),
            Scan::Unreadable(reason) => ParsedNumber::Invalid { reason },
            Scan::Candidate {
                plus,
                digits,
                extension,
            } => match self.resolve(plus, &digits) {
                Ok(number) => ParsedNumber::Phone { number, extension },
                Err(reason) => ParsedNumber::Invalid { reason },
            },
        }
    }

    /// The key an employee's phone or SIP line is matched by, whichever way it was written:
    /// E.164 when the text is a phone number (`8 (926) 123-45-67` and `79261234567` are one
    /// key), else the text itself, trimmed and lower-cased (a SIP line such as
    /// `Sip_201@acme`, or a short number). `None` for empty or withheld text.
    pub fn employee_line(&self, raw: &str) -> Option<String> {
        match self.parse(raw) {
            ParsedNumber::Phone { number, .. } => Some(number.e164().to_owned()),
            ParsedNumber::Anonymous => None,
            ParsedNumber::Internal(digits) => Some(digits),
            ParsedNumber::Invalid { .. } => {
                let text = raw.trim().to_lowercase();
                (!text.is_empty()).then_some(text)
            }
        }
    }

    /// The number the digits stand for, by the rules in the module docs.
    fn resolve(&self, plus: bool, digits: &str) -> Result<PhoneNumber, String> {
        if plus {
            return match international(digits) {
                // `+8 926 …`: a plus put before a national form, a common slip in Russia.
                Reading::NoCountry(reason) => match read(digits, Some(self.region), &self.code) {
                    Reading::Valid(number) => Ok(number),
                    _ => Err(reason),
                },
                reading => reading.into_result(),
            };
        }
        if let Some(rest) = digits.strip_prefix("00") {
            return international(rest).into_result();
        }
        match read(digits, Some(self.region), &self.code) {
            Reading::WrongLength(national_reason) | Reading::NoCountry(national_reason) => {
                match international(digits) {
                    Reading::Valid(number) => Ok(number),
                    _ => Err(format!(
                        "{national_reason}, and +{digits} is not a valid international number"
                    )),
                }
            }
            reading => reading.into_result(),
        }
    }
}

/// One way of reading the digits, as libphonenumber judged it.
enum Reading {
    Valid(PhoneNumber),
    /// Too few or too many digits for this reading (or no such country code): another reading
    /// of the same digits may fit.
    WrongLength(String),
    /// The digits start with no known country calling code.
    NoCountry(String),
    /// The length fits but the number is not valid: this reading is the right one, and the
    /// number is wrong.
    NotInUse(String),
}

impl Reading {
    fn into_result(self) -> Result<PhoneNumber, String> {
        match self {
            Reading::Valid(number) => Ok(number),
            Reading::WrongLength(reason)
            | Reading::NoCountry(reason)
            | Reading::NotInUse(reason) => Err(reason),
        }
    }
}

fn international(digits: &str) -> Reading {
    read(&format!("+{digits}"), None, "its country")
}

/// Reads `text` (a `+` and digits, or digits in `region`). `place` names the region in reasons.
fn read(text: &str, region: Option<Region>, place: &str) -> Reading {
    let number = match PHONE_NUMBER_UTIL.parse(text, region) {
        Ok(number) => number,
        Err(ParseError::InvalidCountryCode) => {
            return Reading::NoCountry(format!("{text} starts with no known country code"));
        }
        Err(ParseError::TooShortNsn | ParseError::TooShortAfterIdd) => {
            return Reading::WrongLength(format!("{text} has too few digits for {place}"));
        }
        Err(ParseError::TooLongNsn) => {
            return Reading::WrongLength(format!("{text} has too many digits for {place}"));
        }
        Err(ParseError::NotANumber(_)) => {
            return Reading::WrongLength(format!("{text} is not a phone number"));
        }
    };
    let e164 = number.format_as(PhoneNumberFormat::E164);
    if number.is_valid() {
        // Only E.164's own limit can refuse a valid number (a few island nations have 7-digit
        // numbers), and Trubka stores nothing it cannot write back as E.164.
        return match PhoneNumber::from_e164(&e164) {
            Some(number) => Reading::Valid(number),
            None => Reading::WrongLength(format!("{e164} is too short to store")),
        };
    }
    match PHONE_NUMBER_UTIL.is_possible_number_with_reason(&number) {
        Ok(NumberLengthType::IsPossible) => {
            Reading::NotInUse(format!("{e164} is not a number in use in {place}"))
        }
        Ok(NumberLengthType::IsPossibleLocalOnly) => Reading::NotInUse(format!(
            "{text} looks like a local number without its area code"
        )),
        Err(ValidationError::TooShort) => {
            Reading::WrongLength(format!("{text} has too few digits for {place}"))
        }
        Err(ValidationError::TooLong) => {
            Reading::WrongLength(format!("{text} has too many digits for {place}"))
        }
        Err(ValidationError::InvalidLength) => {
            Reading::WrongLength(format!("{text} has the wrong number of digits for {place}"))
        }
        Err(ValidationError::InvalidCountryCode) => {
            Reading::NoCountry(format!("{text} starts with no known country code"))
        }
    }
}
