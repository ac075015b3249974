//! The parts of event ids: the PBX's call id and the discriminator.
//!
//! An event id is `{provider}:{session}:{kind}:{discriminator}` ([`CallId::event_id`]). A
//! discriminator is built only from what the PBX says about the event itself (a leg id, an
//! extension, a recording link), never from the time of the notification, so a retried
//! notification gets the same id. Values that are not short, plain tokens (names, URLs,
//! Asterisk channels) are replaced by a fixed 64-bit FNV-1a digest: stable across builds,
//! platforms and Rust versions, unlike `std`'s hasher, which is why it is written out here.

use trubka_core::{CallId, Provider};

use crate::hook::PayloadError;

/// Longest call id accepted from a PBX; real ones are 10–20 characters.
const MAX_SESSION_LEN: usize = 64;

/// The call id of a PBX session id, refusing text that cannot be one (it becomes part of
/// every event id and of URLs).
pub(crate) fn call_id(provider: Provider, session: &str) -> Result<CallId, PayloadError> {
    let ok = session.len() <= MAX_SESSION_LEN && session.chars().all(|c| c.is_ascii_graphic());
    if ok {
        Ok(CallId::new(provider, session))
    } else {
        let shown: String = session.chars().take(MAX_SESSION_LEN).collect();
        Err(PayloadError::new(
            PayloadError::BAD_CALL_ID,
            format!(
                "the {provider} call id `{shown}` is not a call id: expected up to \
                 {MAX_SESSION_LEN} visible ASCII characters"
            ),
        ))
    }
}

/// Longest value used verbatim; longer ones are digested so ids stay short.
const MAX_VERBATIM: usize = 48;

/// The discriminator of an event that happens once per call (`started`, `ended`).
pub(crate) const ONCE_PER_CALL: &str = "call";

/// `value` itself when it is a short token of letters, digits, `-`, `_` and `.`; otherwise
/// `h` followed by its digest.
pub(crate) fn token(value: &str) -> String {
    let plain = !value.is_empty()
        && value.len() <= MAX_VERBATIM
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if plain {
        value.to_owned()
    } else {
        format!("h{}", digest(value))
    }
}

/// 16 lowercase hex digits of the FNV-1a 64 digest of `value`.
pub(crate) fn digest(value: &str) -> String {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let hash = value.bytes().fold(OFFSET_BASIS, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(PRIME)
    });
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_is_the_published_fnv1a() {
        // Reference values of FNV-1a 64.
        assert_eq!(digest(""), "cbf29ce484222325");
        assert_eq!(digest("a"), "af63dc4c8601ec8c");
    }

    #[test]
    fn tokens_stay_readable_when_they_can() {
        assert_eq!(token("287866221"), "287866221");
        assert_eq!(token("287866221-287866222"), "287866221-287866222");
        assert_eq!(token("Анна"), format!("h{}", digest("Анна")));
        assert_eq!(token("SIP/070196201-000471d3").len(), 17);
    }
}
