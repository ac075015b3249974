//! `tel:` and `callto:` links, and `trubka:` invite links. The app registers as their
//! handler (when bundled, by the package; at run time through [`SchemeHandlers`]); a link
//! opened while the app runs reaches it through the single-instance plugin,
//! which hands over the second launch's arguments (`trubka tel:+7…`): the number is dialled,
//! an invite link asks for confirmation ([`crate::invite`]).

use tauri::AppHandle;

use crate::actions::{DialSource, dial};
use crate::platform::{Os, SchemeHandlers};

/// The schemes handled.
pub const SCHEMES: [&str; 2] = ["tel", "callto"];

/// The number in a `tel:`/`callto:` link (`tel:+7-926-123-45-67`, `callto://+79261234567`,
/// `tel:%2B7%20926…;ext=1`), as text for the engine to parse; `None` for anything else.
pub fn number_of(link: &str) -> Option<String> {
    let link = link.trim();
    let (scheme, rest) = link.split_once(':')?;
    if !SCHEMES.iter().any(|s| s.eq_ignore_ascii_case(scheme)) {
        return None;
    }
    let rest = rest.trim_start_matches('/');
    let rest = rest.split([';', '?', '#']).next().unwrap_or_default();
    let number = percent_encoding::percent_decode_str(rest)
        .decode_utf8_lossy()
        .trim()
        .to_owned();
    (!number.is_empty()).then_some(number)
}

/// Dials every number link among `args` (the command line of the first or a second launch)
/// and takes the last invite link.
pub fn handle_args(app: &AppHandle, args: &[String]) {
    if let Some(link) = args.iter().rev().find(|a| crate::invite::is_invite_link(a)) {
        crate::invite::handle(app, link);
    }
    for number in args.iter().filter_map(|a| number_of(a)) {
        tracing::info!(%number, "dialling a link");
        dial(app, number, DialSource::Link);
    }
}

/// Registers the app as the handler of its schemes ([`SchemeHandlers`]).
pub fn register(app: &AppHandle) {
    if let Err(e) = Os::register_schemes(app) {
        tracing::warn!(error = %e, "cannot register as the tel:/callto:/trubka: handler");
    }
}

#[cfg(test)]
mod tests {
    use super::number_of;

    #[test]
    fn links() {
        assert_eq!(
            number_of("tel:+7-926-123-45-67").as_deref(),
            Some("+7-926-123-45-67")
        );
        assert_eq!(
            number_of("callto://+79261234567").as_deref(),
            Some("+79261234567")
        );
        assert_eq!(
            number_of("TEL:%2B7%20926%20123%2045%2067;ext=12").as_deref(),
            Some("+7 926 123 45 67")
        );
        assert_eq!(number_of("tel:"), None);
        assert_eq!(number_of("https://example.com"), None);
        assert_eq!(number_of("--home"), None);
    }
}
