//! What an HTTP notification carries, independent of the HTTP server that received it, and
//! the error a payload that cannot be understood turns into.

/// One received notification: the query string, the declared content type and the body.
#[derive(Debug, Clone, Copy)]
pub struct HookRequest<'a> {
    /// The raw query string without `?` (may be empty).
    pub query: &'a str,
    pub content_type: Option<&'a str>,
    pub body: &'a [u8],
}

/// Why a payload could not be turned into events. `code` is a stable machine word for the
/// HTTP error body; `message` says in plain words what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct PayloadError {
    pub code: &'static str,
    pub message: String,
}

impl PayloadError {
    pub fn new(code: &'static str, message: impl Into<String>) -> PayloadError {
        PayloadError { code, message: message.into() }
    }
}
