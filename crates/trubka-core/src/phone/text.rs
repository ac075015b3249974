//! Reading the text of a phone number before any numbering plan is consulted.
//!
//! People and PBXs wrap numbers in all sorts of things: `tel:` and `sip:` URIs, display names,
//! brackets, dashes, NBSP, `доб. 123`. This module peels those off and says what the text is:
//! a "no number" marker, a short extension, or the digits of a candidate number plus its
//! extension. Deciding whether the digits form a real number is the parser's job.
//!
//! The digits are handed to libphonenumber as plain ASCII on purpose: given the raw text it
//! would read letters as a vanity number (`+7 495 123 45 67 wait` becomes `…679248`).

/// Longest internal extension, in digits. UIS and Sipuni extensions are 3–4 digits; six leaves
/// room for cabinets that prefix a department code, and stays below the 7-digit local numbers.
const MAX_INTERNAL_DIGITS: usize = 6;

/// Longest extension accepted after a number (`доб. 123`). PBX extensions are short; a longer
/// run of digits after a marker is more likely a second number glued on.
const MAX_EXTENSION_DIGITS: usize = 10;

/// Words that introduce an extension, matched as whole words in any case. `х` is the Cyrillic
/// letter, which Russian keyboards produce where an English writer would type `x`.
const EXTENSION_WORDS: [&str; 10] = [
    "добавочный",
    "доб",
    "доп",
    "внутренний",
    "внутр",
    "вн",
    "extension",
    "ext",
    "x",
    "х",
];

/// Characters that introduce an extension on their own: `#` (dialled after the number) and
/// `,` (the dialler's pause, `84951234567,,123`).
const EXTENSION_SIGNS: [char; 2] = ['#', ','];

/// Word beginnings that PBXs and people use for "there is no number": caller ID withheld,
/// not delivered, or a placeholder written by some integration.
const ANONYMOUS_STEMS: [&str; 17] = [
    "anonym",
    "unknown",
    "restricted",
    "private",
    "withheld",
    "unavailable",
    "hidden",
    "blocked",
    "null",
    "none",
    "nil",
    "undefined",
    "скрыт",
    "аноним",
    "неизвест",
    "определ",
    "нет",
];

/// What a text turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Scan<'a> {
    /// Empty, punctuation only, or a "no number" word.
    Anonymous,
    /// Nothing but a few digits: an internal extension such as `201`.
    Short(&'a str),
    /// The digits of a number that the numbering plan has to judge.
    Candidate {
        /// Written with a leading `+`, so the digits start with a country code.
        plus: bool,
        digits: String,
        extension: Option<String>,
    },
    /// Not readable as a number; the reason says why, in words for a person.
    Unreadable(String),
}

/// Reads `raw` as far as text alone allows.
pub(super) fn scan(raw: &str) -> Scan<'_> {
    let text = unwrap_uri(trim(raw));
    if !text.is_empty() && text.len() <= MAX_INTERNAL_DIGITS && is_ascii_digits(text) {
        return Scan::Short(text);
    }
    let Some(first_digit) = text.find(|c: char| c.is_ascii_digit()) else {
        return if is_anonymous(text) {
            Scan::Anonymous
        } else {
            Scan::Unreadable(format!("{text:?} has no digits"))
        };
    };
    // Whatever precedes the number (`тел.:`, `моб.`, a name) is dropped; a `+` separated from
    // the digits by nothing but separators (`+ 7 (926)`) belongs to the number.
    let start = text[..first_digit]
        .rfind('+')
        .filter(|&plus| text[plus + 1..first_digit].chars().all(is_separator))
        .unwrap_or(first_digit);
    let rest = &text[start..];
    let (number, extension) = match find_extension(rest) {
        Some((marker_at, after_marker)) => (&rest[..marker_at], Some(&rest[after_marker..])),
        None => (rest, None),
    };
    let (plus, digits) = match number_digits(number) {
        Ok(found) => found,
        Err(reason) => return Scan::Unreadable(reason),
    };
    let extension = match extension.map(extension_digits).transpose() {
        Ok(extension) => extension.flatten(),
        Err(reason) => return Scan::Unreadable(reason),
    };
    Scan::Candidate {
        plus,
        digits,
        extension,
    }
}

/// Characters that separate digit groups, or that copy-paste leaves invisibly in between.
fn is_separator(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '-' | '‐' | '‑' | '‒' | '–' | '—' | '−' | '.' | '(' | ')' | '[' | ']'
        )
        || is_invisible(c)
}

fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{2060}' | '\u{FEFF}')
}

fn trim(text: &str) -> &str {
    text.trim_matches(|c: char| c.is_whitespace() || is_invisible(c))
}

fn is_ascii_digits(text: &str) -> bool {
    text.bytes().all(|b| b.is_ascii_digit())
}

/// Takes the user part out of `Name <sip:201@pbx>`, `sip:+7926…@host;user=phone` and
/// `tel:+7-926-…`, which is how SIP headers and web links carry numbers.
fn unwrap_uri(text: &str) -> &str {
    let text = match text.split_once('<') {
        Some((_, inner)) => inner.split_once('>').map_or(inner, |(inside, _)| inside),
        None => text,
    };
    let text = trim(text);
    for scheme in ["sips:", "sip:"] {
        if let Some(rest) = strip_prefix_ci(text, scheme) {
            let user = rest.split(['@', ';']).next().unwrap_or(rest);
            return trim(user);
        }
    }
    for scheme in ["tel:", "callto:"] {
        if let Some(rest) = strip_prefix_ci(text, scheme) {
            return trim(rest);
        }
    }
    text
}

/// `text` without `prefix`, comparing ASCII letters in any case.
fn strip_prefix_ci<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// Whether a text without digits says "no number" rather than being something else entirely.
fn is_anonymous(text: &str) -> bool {
    let lower = text.to_lowercase();
    let mut words = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty());
    let first = words.next();
    first.is_none()
        || first
            .into_iter()
            .chain(words)
            .any(|word| ANONYMOUS_STEMS.iter().any(|stem| word.starts_with(stem)))
}

/// Where an extension marker begins in `text`, and where the extension after it begins. Only
/// markers after the first digit count: a marker is a suffix of a number.
fn find_extension(text: &str) -> Option<(usize, usize)> {
    let first_digit = text.find(|c: char| c.is_ascii_digit())?;
    let mut previous_is_letter = false;
    for (at, c) in text.char_indices().skip_while(|&(at, _)| at <= first_digit) {
        if EXTENSION_SIGNS.contains(&c) {
            return Some((at, at + c.len_utf8()));
        }
        if c.is_alphabetic() && !previous_is_letter {
            let word_end = text[at..]
                .find(|c: char| !c.is_alphabetic())
                .map_or(text.len(), |len| at + len);
            let word = &text[at..word_end];
            if EXTENSION_WORDS.iter().any(|marker| eq_ci(word, marker)) {
                return Some((at, word_end));
            }
        }
        previous_is_letter = c.is_alphabetic();
    }
    None
}

/// Case-insensitive equality for a lowercase `marker`, Cyrillic included.
fn eq_ci(word: &str, marker: &str) -> bool {
    word.chars().flat_map(char::to_lowercase).eq(marker.chars())
}

/// The digits of the number part, and whether it started with `+`. Text after the last digit
/// (`(моб.)`, a closing bracket) is ignored; anything but separators between digits is not.
fn number_digits(number: &str) -> Result<(bool, String), String> {
    let plus = number.starts_with('+');
    let body = number.strip_prefix('+').unwrap_or(number);
    let last_digit = body.rfind(|c: char| c.is_ascii_digit());
    let body = last_digit.map_or("", |at| &body[..=at]);
    let mut digits = String::with_capacity(body.len());
    for c in body.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else if c == '+' {
            return Err("a \"+\" in the middle of the number".to_owned());
        } else if !is_separator(c) {
            return Err(format!("unexpected {c:?} inside the number"));
        }
    }
    if digits.is_empty() {
        return Err("no digits before the extension".to_owned());
    }
    Ok((plus, digits))
}

/// The digits of an extension. `Ok(None)` for a marker with nothing after it (`79261234567#`).
fn extension_digits(text: &str) -> Result<Option<String>, String> {
    let text =
        text.trim_start_matches(|c: char| is_separator(c) || matches!(c, ':' | '=' | '№' | ','));
    let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
    let rest = &text[digits.len()..];
    if rest.contains(|c: char| c.is_ascii_digit()) {
        return Err("more digits after the extension: two numbers in one?".to_owned());
    }
    if digits.len() > MAX_EXTENSION_DIGITS {
        return Err(format!(
            "extension {digits} is longer than {MAX_EXTENSION_DIGITS} digits"
        ));
    }
    Ok((!digits.is_empty()).then_some(digits))
}
