//! The pieces of HTTP handling both clients share: building the reqwest client and turning
//! reqwest failures into [`PbxError`].

use std::time::Duration;

use trubka_core::Provider;

use crate::PbxError;

/// How much of an unreadable body is kept in an error, in characters.
const BODY_SNIPPET_CHARS: usize = 300;

pub(crate) fn build_client(timeout: Duration) -> Result<reqwest::Client, PbxError> {
    if timeout.is_zero() {
        return Err(PbxError::Config(
            "the request timeout must be above zero".to_owned(),
        ));
    }
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .user_agent(concat!("trubka/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|err| PbxError::Config(format!("cannot build the HTTP client: {err}")))
}

pub(crate) fn request_failed(provider: Provider, err: reqwest::Error) -> PbxError {
    if err.is_timeout() {
        PbxError::Timeout { provider }
    } else {
        PbxError::Transport {
            provider,
            source: err,
        }
    }
}

/// The start of a body as text, for error messages.
pub(crate) fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut out: String = text.chars().take(BODY_SNIPPET_CHARS).collect();
    if text.chars().count() > BODY_SNIPPET_CHARS {
        out.push('…');
    }
    out
}

/// Checks that a configured base URL is an absolute http(s) URL and drops a trailing `/`.
pub(crate) fn base_url(name: &str, url: &str) -> Result<String, PbxError> {
    let trimmed = url.trim().trim_end_matches('/');
    let scheme_ok = trimmed.starts_with("https://") || trimmed.starts_with("http://");
    let has_host = trimmed
        .split_once("://")
        .is_some_and(|(_, rest)| !rest.is_empty() && !rest.starts_with('/'));
    if scheme_ok && has_host {
        Ok(trimmed.to_owned())
    } else {
        Err(PbxError::Config(format!(
            "{name} must be an absolute http(s) URL, got {url:?}"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_drops_trailing_slash_and_rejects_garbage() {
        assert_eq!(
            base_url("api_url", "https://sipuni.com/api/").unwrap(),
            "https://sipuni.com/api"
        );
        assert!(base_url("api_url", "sipuni.com/api").is_err());
        assert!(base_url("api_url", "https:///api").is_err());
    }

    #[test]
    fn snippet_cuts_long_bodies_on_char_boundaries() {
        let body = "я".repeat(400);
        let cut = snippet(body.as_bytes());
        assert_eq!(cut.chars().count(), BODY_SNIPPET_CHARS + 1);
        assert!(cut.ends_with('…'));
    }
}
