//! Reading the fields of one Sipuni event, and what its numbers are.
//!
//! Sipuni numbers come in three forms: external numbers as international digits
//! (`998948867473`), internal parties as the cabinet number followed by the extension
//! (`070196201` with `short_src_num=201`), and the dialled line with a routing suffix
//! (`998783337125_id265648`). `src_type`/`dst_type` say external (1) or internal (2) when sent.

use trubka_core::{CallId, Provider};

use crate::hook::PayloadError;
use crate::ids;
use crate::payload::Fields;

/// Longest extension: Sipuni's are three digits, some cabinets use more.
const MAX_EXTENSION_DIGITS: usize = 6;

/// One side of a Sipuni call.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Party {
    /// The number exactly as sent.
    pub(crate) raw: Option<String>,
    /// The number without a routing suffix (`_id265648`).
    pub(crate) number: Option<String>,
    /// The employee's short number, when this side is internal.
    pub(crate) extension: Option<String>,
    /// The side is an internal number (an employee), by its type or its form.
    pub(crate) internal: bool,
}

/// The fields of an event that the conversion uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SipuniEvent {
    /// `event`: 1 call, 2 hangup, 3 answer, 4 secondary hangup.
    pub(crate) code: u64,
    pub(crate) call_id: CallId,
    pub(crate) src: Party,
    pub(crate) dst: Party,
    pub(crate) timestamp: Option<u64>,
    pub(crate) call_start: Option<u64>,
    /// `0` (not answered) is read as absent.
    pub(crate) call_answer: Option<u64>,
    /// `ANSWER`, `BUSY`, `NOANSWER`, `CANCEL`, `CONGESTION`, `CHANUNAVAIL` (upper case).
    pub(crate) status: Option<String>,
    pub(crate) record_link: Option<String>,
    pub(crate) tree_name: Option<String>,
    /// The dialled number (`pbxdstnum`), the line of an incoming call.
    pub(crate) dialled: Option<String>,
    /// `last_called`, read as an extension when it is one.
    pub(crate) last_called: Option<String>,
    pub(crate) inner_call: bool,
    pub(crate) channel: Option<String>,
}

impl SipuniEvent {
    /// Reads an event; `event` and `call_id` are required.
    pub(crate) fn read(fields: &Fields<'_>) -> Result<SipuniEvent, PayloadError> {
        let code = fields
            .unsigned(&["event"])
            .ok_or_else(|| match fields.text(&["event"]) {
                Some(other) => PayloadError::new(
                    PayloadError::UNKNOWN_KIND,
                    format!("the Sipuni event `{other}` is not an event number (1–4)"),
                ),
                None => PayloadError::new(
                    PayloadError::MISSING_EVENT,
                    "the Sipuni notification has no `event` field (1 call, 2 hangup, 3 answer, \
                 4 secondary hangup); point «События на АТС» at the Sipuni hook URL",
                ),
            })?;
        let session = fields.text(&["call_id"]).ok_or_else(|| {
            PayloadError::new(
                PayloadError::MISSING_CALL_ID,
                "the Sipuni event has no `call_id`",
            )
        })?;
        let call_id = ids::call_id(Provider::Sipuni, &session)?;
        if !(1..=4).contains(&code) {
            return Err(PayloadError::new(
                PayloadError::UNKNOWN_KIND,
                format!(
                    "Sipuni event {code} is not one of 1 (call), 2 (hangup), 3 (answer), \
                     4 (secondary hangup)"
                ),
            ));
        }
        let cabinet = fields.text(&["user_id", "user"]);
        let cabinet = cabinet.as_deref();
        Ok(SipuniEvent {
            code,
            call_id,
            src: Party::read(fields, ["src_num", "short_src_num", "src_type"], cabinet),
            dst: Party::read(fields, ["dst_num", "short_dst_num", "dst_type"], cabinet),
            timestamp: fields.unsigned(&["timestamp"]),
            call_start: fields
                .unsigned(&["call_start_timestamp"])
                .filter(|t| *t > 0),
            call_answer: fields
                .unsigned(&["call_answer_timestamp"])
                .filter(|t| *t > 0),
            status: fields.text(&["status"]).map(|s| s.to_ascii_uppercase()),
            record_link: fields
                .text(&["call_record_link", "record_link"])
                .map(|link| decode_link(&link))
                .filter(|link| is_web_link(link)),
            tree_name: fields.text(&["treeName", "tree_name"]),
            dialled: fields.text(&["pbxdstnum"]),
            last_called: fields
                .text(&["last_called"])
                .and_then(|n| extension_of(strip_suffix(&n), None, cabinet)),
            inner_call: fields.flag("is_inner_call") == Some(true),
            channel: fields.text(&["channel"]),
        })
    }
}

impl Party {
    fn read(fields: &Fields<'_>, [num, short, kind]: [&str; 3], cabinet: Option<&str>) -> Party {
        let raw = fields.text(&[num]);
        let number = raw.as_deref().map(strip_suffix).map(str::to_owned);
        let short = fields.text(&[short]);
        let short = short.as_deref().map(strip_suffix);
        let derived = number
            .as_deref()
            .and_then(|n| extension_of(n, short, cabinet));
        let (internal, extension) = match fields.unsigned(&[kind]) {
            Some(1) => (false, None),
            Some(2) => {
                let given = short.filter(|s| is_extension(s)).map(str::to_owned);
                (true, given.or(derived))
            }
            _ => (derived.is_some(), derived),
        };
        Party {
            raw,
            number,
            extension,
            internal,
        }
    }
}

/// The number without Sipuni's routing suffix: `998783337125_id265648` → `998783337125`.
fn strip_suffix(number: &str) -> &str {
    number
        .split_once('_')
        .map_or(number, |(head, _)| head)
        .trim()
}

fn is_extension(text: &str) -> bool {
    (1..=MAX_EXTENSION_DIGITS).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit())
}

/// The extension an internal number stands for: the short number itself, or the cabinet
/// number followed by the short number (`070196201` → `201`).
fn extension_of(number: &str, short: Option<&str>, cabinet: Option<&str>) -> Option<String> {
    if is_extension(number) {
        return Some(number.to_owned());
    }
    let short = short.filter(|s| is_extension(s));
    let prefix = match short {
        Some(short) => number.strip_suffix(short)?,
        None => {
            let rest = number.strip_prefix(cabinet?)?;
            return is_extension(rest).then(|| rest.to_owned());
        }
    };
    // Without a cabinet number to compare with, a six-digit prefix of digits is the cabinet's
    // (they are written with leading zeros, `070196`).
    let is_cabinet = match cabinet {
        Some(cabinet) => prefix == cabinet,
        None => prefix.len() == 6 && prefix.bytes().all(|b| b.is_ascii_digit()),
    };
    is_cabinet.then(|| short.unwrap_or_default().to_owned())
}

/// Only a web link is a recording a player can open.
fn is_web_link(link: &str) -> bool {
    let lower = link.to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

/// The recording link, decoded once more if it is still percent-encoded: some Sipuni set-ups
/// encode it twice, and receivers in the wild `urldecode` it.
fn decode_link(link: &str) -> String {
    let lower = link.to_ascii_lowercase();
    if lower.starts_with("http%3a") || lower.starts_with("https%3a") {
        percent_decode(link)
    } else {
        link.to_owned()
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        let decoded = match (bytes[at], bytes.get(at + 1), bytes.get(at + 2)) {
            (b'%', Some(hi), Some(lo)) => hex(*hi).zip(hex(*lo)).map(|(hi, lo)| hi * 16 + lo),
            _ => None,
        };
        match decoded {
            Some(byte) => {
                out.push(byte);
                at += 3;
            }
            None => {
                out.push(bytes[at]);
                at += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(digit: u8) -> Option<u8> {
    char::from(digit)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_in_every_form() {
        assert_eq!(extension_of("201", None, None), Some("201".into()));
        assert_eq!(
            extension_of("070196201", Some("201"), Some("070196")),
            Some("201".into())
        );
        assert_eq!(
            extension_of("070196201", Some("201"), None),
            Some("201".into())
        );
        assert_eq!(
            extension_of("070196201", None, Some("070196")),
            Some("201".into())
        );
        assert_eq!(
            extension_of("998948867473", Some("998948867473"), Some("070196")),
            None
        );
        assert_eq!(extension_of("79261234201", Some("201"), None), None);
    }

    #[test]
    fn suffixes_and_links() {
        assert_eq!(strip_suffix("998783337125_id265648"), "998783337125");
        assert_eq!(
            decode_link("https%3A%2F%2Fsipuni.com%2Fapi%2Fcrm%2Frecord%3Fid%3D1.2%26hash%3Dab"),
            "https://sipuni.com/api/crm/record?id=1.2&hash=ab"
        );
        assert_eq!(
            decode_link("https://sipuni.com/x?a=%41"),
            "https://sipuni.com/x?a=%41"
        );
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }
}
