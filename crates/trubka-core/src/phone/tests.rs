//! Tests of phone number parsing: every format agents type and PBXs send, and properties over
//! arbitrary text.

use proptest::prelude::*;

use super::{ParsedNumber, PhoneError, PhoneNumber, PhoneParser};

/// What a case must parse to.
#[derive(Debug)]
enum Want {
    Phone(&'static str),
    PhoneExt(&'static str, &'static str),
    Internal(&'static str),
    Anonymous,
    /// Invalid, with a reason that mentions this text.
    Invalid(&'static str),
}

const CASES: &[(&str, Want)] = &[
    // Moscow, as agents type it.
    ("8 (495) 123-45-67", Want::Phone("+74951234567")),
    ("+7 495 123 45 67", Want::Phone("+74951234567")),
    ("+7 (495) 123-45-67", Want::Phone("+74951234567")),
    ("74951234567", Want::Phone("+74951234567")),
    ("84951234567", Want::Phone("+74951234567")),
    ("8.495.123.45.67", Want::Phone("+74951234567")),
    (
        "8\u{a0}495\u{a0}123\u{a0}45\u{a0}67",
        Want::Phone("+74951234567"),
    ),
    ("  +7 495 123–45–67  ", Want::Phone("+74951234567")),
    ("+7(495)1234567", Want::Phone("+74951234567")),
    ("[495] 123-45-67", Want::Phone("+74951234567")),
    // Mobile.
    ("7 (926) 123-45-67", Want::Phone("+79261234567")),
    ("89261234567", Want::Phone("+79261234567")),
    ("9261234567", Want::Phone("+79261234567")),
    ("+7 926 123-45-67", Want::Phone("+79261234567")),
    ("+ 7 926 123 45 67", Want::Phone("+79261234567")),
    ("(926) 123-45-67", Want::Phone("+79261234567")),
    ("+8 (926) 123-45-67", Want::Phone("+79261234567")),
    ("8 926 123 45 67 (моб.)", Want::Phone("+79261234567")),
    ("тел.: 8-926-123-45-67", Want::Phone("+79261234567")),
    // St Petersburg and toll-free, which the `phonenumber` crate corrupts.
    ("8 (812) 123-45-67", Want::Phone("+78121234567")),
    ("8-812-123-45-67", Want::Phone("+78121234567")),
    ("88121234567", Want::Phone("+78121234567")),
    ("8-800-555-35-35", Want::Phone("+78005553535")),
    ("88005553535", Want::Phone("+78005553535")),
    ("+7 800 555-35-35", Want::Phone("+78005553535")),
    // Neighbours, with and without `+`.
    ("+375 29 123-45-67", Want::Phone("+375291234567")),
    ("375291234567", Want::Phone("+375291234567")),
    ("+998 90 123 45 67", Want::Phone("+998901234567")),
    ("998901234567", Want::Phone("+998901234567")),
    ("+380 44 123 4567", Want::Phone("+380441234567")),
    ("380441234567", Want::Phone("+380441234567")),
    ("+7 701 234 56 78", Want::Phone("+77012345678")),
    ("87012345678", Want::Phone("+77012345678")),
    ("00375291234567", Want::Phone("+375291234567")),
    ("8 10 375 29 123-45-67", Want::Phone("+375291234567")),
    ("+1 202 555 0173", Want::Phone("+12025550173")),
    ("12025550173", Want::Phone("+12025550173")),
    ("+49 30 123456", Want::Phone("+4930123456")),
    // Extensions.
    (
        "8 (495) 123-45-67 доб. 123",
        Want::PhoneExt("+74951234567", "123"),
    ),
    (
        "8 (495) 123-45-67 доб 123",
        Want::PhoneExt("+74951234567", "123"),
    ),
    (
        "8 (495) 123-45-67 доб.123",
        Want::PhoneExt("+74951234567", "123"),
    ),
    (
        "+7 495 123-45-67 (доб. 1234)",
        Want::PhoneExt("+74951234567", "1234"),
    ),
    (
        "+7 495 123-45-67 Доб. 12",
        Want::PhoneExt("+74951234567", "12"),
    ),
    (
        "+7 495 123-45-67 добавочный 5",
        Want::PhoneExt("+74951234567", "5"),
    ),
    (
        "+7 495 123-45-67 вн. 201",
        Want::PhoneExt("+74951234567", "201"),
    ),
    (
        "+7 495 123-45-67 ext. 123",
        Want::PhoneExt("+74951234567", "123"),
    ),
    (
        "+7 495 123-45-67 EXT 123",
        Want::PhoneExt("+74951234567", "123"),
    ),
    ("+74951234567x123", Want::PhoneExt("+74951234567", "123")),
    (
        "+7 495 123-45-67 х 55",
        Want::PhoneExt("+74951234567", "55"),
    ),
    ("+74951234567#123", Want::PhoneExt("+74951234567", "123")),
    ("84951234567,,123", Want::PhoneExt("+74951234567", "123")),
    (
        "tel:+7-495-123-45-67;ext=12",
        Want::PhoneExt("+74951234567", "12"),
    ),
    ("79261234567#", Want::Phone("+79261234567")),
    ("+7 926 123 45 67 доб.", Want::Phone("+79261234567")),
    // URIs and SIP headers.
    ("tel:+74951234567", Want::Phone("+74951234567")),
    ("TEL:+7-926-123-45-67", Want::Phone("+79261234567")),
    (
        "sip:+79261234567@pbx.example.ru",
        Want::Phone("+79261234567"),
    ),
    (
        "sip:89261234567@10.0.0.1;user=phone",
        Want::Phone("+79261234567"),
    ),
    (
        "\"Иван\" <sip:+79261234567@pbx.example.ru>",
        Want::Phone("+79261234567"),
    ),
    ("<+79261234567>", Want::Phone("+79261234567")),
    ("callto:+79261234567", Want::Phone("+79261234567")),
    // Internal numbers.
    ("201", Want::Internal("201")),
    ("1001", Want::Internal("1001")),
    (" 100500 ", Want::Internal("100500")),
    ("sip:201@pbx.example.ru", Want::Internal("201")),
    ("0", Want::Internal("0")),
    // No number at all.
    ("", Want::Anonymous),
    ("   ", Want::Anonymous),
    ("+", Want::Anonymous),
    ("anonymous", Want::Anonymous),
    ("Anonymous", Want::Anonymous),
    ("unknown", Want::Anonymous),
    ("restricted", Want::Anonymous),
    ("Private", Want::Anonymous),
    ("скрыт", Want::Anonymous),
    ("Скрытый номер", Want::Anonymous),
    ("Номер не определён", Want::Anonymous),
    ("null", Want::Anonymous),
    ("None", Want::Anonymous),
    ("sip:anonymous@anonymous.invalid", Want::Anonymous),
    (
        "\"Anonymous\" <sip:anonymous@anonymous.invalid>",
        Want::Anonymous,
    ),
    // Not numbers.
    ("hello", Want::Invalid("no digits")),
    ("1234567", Want::Invalid("local number")),
    ("+7 926 123-45-6", Want::Invalid("too few digits")),
    ("+7 926 123-45-678", Want::Invalid("wrong number of digits")),
    ("8 926 123-45-678", Want::Invalid("wrong number of digits")),
    ("926123456", Want::Invalid("too few digits")),
    ("+7 495", Want::Invalid("too few digits")),
    ("12345678901234567890", Want::Invalid("too many digits")),
    ("+999 1234 5678", Want::Invalid("no known country code")),
    ("8 (100) 123-45-67", Want::Invalid("not a number in use")),
    ("+7 (926) 123-AB-67", Want::Invalid("inside the number")),
    // Letters after the last digit are trailing text, not a vanity number.
    ("+7 (926) 1ABCDEF", Want::Invalid("too few digits")),
    (
        "+7 495 123 45 67 wait 5",
        Want::Invalid("inside the number"),
    ),
    ("8 926 123-45-67 +7", Want::Invalid("\"+\" in the middle")),
    (
        "+7 926 123-45-67, +7 495 123-45-67",
        Want::Invalid("two numbers"),
    ),
    (
        "+7 495 123-45-67 доб. 12345678901",
        Want::Invalid("longer than 10 digits"),
    ),
    ("доб. 123", Want::Invalid("too few digits")),
];

fn check(parser: &PhoneParser, raw: &str, want: &Want) -> Result<(), String> {
    let got = parser.parse(raw);
    let ok = match (want, &got) {
        (Want::Phone(e164), ParsedNumber::Phone { number, extension }) => {
            number.e164() == *e164 && extension.is_none()
        }
        (Want::PhoneExt(e164, ext), ParsedNumber::Phone { number, extension }) => {
            number.e164() == *e164 && extension.as_deref() == Some(*ext)
        }
        (Want::Internal(want), ParsedNumber::Internal(got)) => got == want,
        (Want::Anonymous, ParsedNumber::Anonymous) => true,
        (Want::Invalid(text), ParsedNumber::Invalid { reason }) => reason.contains(text),
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!("{raw:?}: wanted {want:?}, got {got:?}"))
    }
}

#[test]
fn parses_every_format_agents_and_pbxs_use() {
    let parser = PhoneParser::russia();
    let failures: Vec<String> = CASES
        .iter()
        .filter_map(|(raw, want)| check(&parser, raw, want).err())
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn default_region_reads_national_forms() {
    let belarus = PhoneParser::new("by").expect("BY is a region");
    assert_eq!(belarus.default_region(), "BY");
    let parsed = belarus.parse("8 029 123-45-67");
    assert_eq!(parsed.phone().map(PhoneNumber::e164), Some("+375291234567"));
    // A number with its country code is read the same in any region.
    let parsed = belarus.parse("+7 926 123-45-67");
    assert_eq!(parsed.phone().map(PhoneNumber::e164), Some("+79261234567"));
}

#[test]
fn unknown_regions_are_refused() {
    for code in ["XX", "R", "RUS", "001", "", "7"] {
        assert_eq!(
            PhoneParser::new(code),
            Err(PhoneError::UnknownRegion(code.to_owned())),
            "{code:?}"
        );
    }
    assert_eq!(PhoneParser::default(), PhoneParser::russia());
    assert_eq!(PhoneParser::new(" ru "), Ok(PhoneParser::russia()));
}

#[test]
fn phone_accessor_only_answers_for_phones() {
    let parser = PhoneParser::russia();
    assert!(parser.parse("201").phone().is_none());
    assert!(parser.parse("anonymous").phone().is_none());
    assert!(parser.parse("123").phone().is_none());
    assert!(parser.parse("+79261234567").phone().is_some());
}

#[test]
fn numbers_read_in_their_countrys_international_format() {
    let cases = [
        ("+79261234567", "+7 926 123-45-67"),
        ("+78005553535", "+7 800 555-35-35"),
        ("+78121234567", "+7 812 123-45-67"),
        ("+375447001122", "+375 44 700-11-22"),
        ("+998901234567", "+998 90 123 45 67"),
        ("+77012345678", "+7 701 234 5678"),
    ];
    for (e164, want) in cases {
        let number = PhoneNumber::from_e164(e164).unwrap();
        assert_eq!(number.international(), want, "{e164}");
    }
}

#[test]
fn national_significant_drops_the_country_code() {
    let cases = [
        ("+79261234567", Some("7"), "9261234567"),
        ("+78005553535", Some("7"), "8005553535"),
        ("+375291234567", Some("375"), "291234567"),
        ("+998901234567", Some("998"), "901234567"),
        ("+12025550173", Some("1"), "2025550173"),
        ("+4930123456", Some("49"), "30123456"),
        ("+390612345678", Some("39"), "0612345678"),
        // No country has code 999: nothing to drop.
        ("+99912345678", None, "99912345678"),
    ];
    for (e164, code, national) in cases {
        let number = PhoneNumber::from_e164(e164).expect("well-formed E.164");
        assert_eq!(number.country_code(), code, "{e164}");
        assert_eq!(number.national_significant(), national, "{e164}");
    }
}

/// Text shaped like phone numbers (digits, separators, markers, letters) rather than uniform
/// noise, which would almost never reach the numbering-plan code.
fn phone_like_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => "[0-9]{1,4}",
        2 => Just(" ".to_owned()),
        1 => prop::sample::select(vec![
            "+", "+7", "8", "(", ")", "-", ".", "#", ",", "x", "доб.", "ext", "tel:", "sip:",
            "@", ";", "<", ">", "\u{a0}", "\u{200b}", "anonymous", "скрыт", "00", "810",
        ])
        .prop_map(str::to_owned),
        1 => any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..12).prop_map(|pieces| pieces.concat())
}

/// Numbers as written in the wild: a country written one of its ways, a realistic range,
/// digit groups with separators, maybe an extension. Most are valid numbers, so round-trip
/// properties get exercised on real numbers and not only on rejects.
fn written_number() -> impl Strategy<Value = String> {
    // (ways to write the country, realistic range starts, digits after the range start)
    let countries = vec![
        (
            vec!["+7 ", "8 ", "7", ""],
            vec!["926", "495", "812", "800", "903", "383"],
            7,
        ),
        (vec!["+7", "8"], vec!["701", "727"], 7),
        (
            vec!["+375 ", "375", "00375", "8 10 375 "],
            vec!["29", "33", "44"],
            7,
        ),
        (vec!["+998 ", "998"], vec!["90", "91", "93"], 7),
        (vec!["+1 ", "1"], vec!["202", "212"], 7),
    ];
    let separator = prop::sample::select(vec!["", " ", "-", ".", "\u{a0}", ") "]);
    let extension = prop::option::of(("(доб\\.|ext|x|#) ?", "[0-9]{1,4}"));
    prop::sample::select(countries)
        .prop_flat_map(move |(forms, starts, rest)| {
            (
                prop::sample::select(forms),
                prop::sample::select(starts),
                prop::collection::vec(0u8..10, rest),
                prop::collection::vec(separator.clone(), 6),
                extension.clone(),
            )
        })
        .prop_map(|(form, start, rest, separators, extension)| {
            let mut text = format!("{form}{start}{}", separators[0]);
            for (i, digit) in rest.iter().enumerate() {
                text.push(char::from(b'0' + digit));
                if i % 2 == 1 {
                    text.push_str(separators[i / 2 + 1]);
                }
            }
            if let Some((marker, digits)) = extension {
                text.push(' ');
                text.push_str(&marker);
                text.push_str(&digits);
            }
            text
        })
}

proptest! {
    #[test]
    fn parse_never_panics_on_any_text(raw in any::<String>()) {
        let _ = PhoneParser::russia().parse(&raw);
    }

    #[test]
    fn parsed_numbers_round_trip_through_e164(
        raw in prop_oneof![written_number(), phone_like_text()],
    ) {
        let parser = PhoneParser::russia();
        if let ParsedNumber::Phone { number, .. } = parser.parse(&raw) {
            let again = parser.parse(number.e164());
            prop_assert_eq!(
                again,
                ParsedNumber::Phone { number: number.clone(), extension: None }
            );
            prop_assert_eq!(PhoneNumber::from_e164(number.e164()), Some(number.clone()));
            // PBX APIs send Russian numbers as bare digits, with or without the 7.
            if number.country_code() == Some("7") {
                let from_digits = parser.parse(number.digits());
                let from_national = parser.parse(number.national_significant());
                prop_assert_eq!(from_digits.phone(), Some(&number));
                prop_assert_eq!(from_national.phone(), Some(&number));
            }
        }
    }

    #[test]
    fn russian_mobiles_parse_in_every_common_form(n in 0u32..10_000_000) {
        let parser = PhoneParser::russia();
        let want = format!("+7926{n:07}");
        let (a, b, c) = (n / 10_000, n / 100 % 100, n % 100);
        for raw in [
            format!("8 (926) {a:03}-{b:02}-{c:02}"),
            format!("+7 926 {a:03} {b:02} {c:02}"),
            format!("7926{n:07}"),
            format!("926{n:07}"),
            format!("8-926-{a:03}-{b:02}-{c:02} доб. 12"),
        ] {
            let parsed = parser.parse(&raw);
            prop_assert_eq!(parsed.phone().map(PhoneNumber::e164), Some(want.as_str()), "{}", raw);
        }
    }
}

#[test]
fn employee_lines_match_however_they_are_written() {
    let parser = PhoneParser::new("RU").expect("RU");
    let key = |raw: &str| parser.employee_line(raw);
    assert_eq!(key("8 (926) 123-45-67").as_deref(), Some("+79261234567"));
    assert_eq!(key("79261234567"), key("+7 926 123 45 67"));
    assert_eq!(key(" Sip_201@Acme ").as_deref(), Some("sip_201@acme"));
    assert_eq!(key("0201").as_deref(), Some("0201"));
    assert_eq!(key(""), None);
    assert_eq!(key("anonymous"), None);
}
