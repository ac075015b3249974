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
        PayloadError {
            code,
            message: message.into(),
        }
    }
}

/// The stable `code` words of [`PayloadError`], for the relay's HTTP error bodies and tests.
impl PayloadError {
    /// The body is neither a JSON object nor form parameters.
    pub const MALFORMED_BODY: &'static str = "malformed_body";
    /// The notification carries no call id (`call_session_id`, Sipuni `call_id`, …).
    pub const MISSING_CALL_ID: &'static str = "missing_call_id";
    /// The call id is there but cannot be one (too long, spaces, control characters).
    pub const BAD_CALL_ID: &'static str = "bad_call_id";
    /// Nothing tells which event this is (no kind in the URL, no known name, no telling fields).
    pub const UNKNOWN_KIND: &'static str = "unknown_kind";
    /// A Sipuni event without its `event` number.
    pub const MISSING_EVENT: &'static str = "missing_event";
    /// An interactive call processing request without the caller's number `numa`.
    pub const MISSING_NUMA: &'static str = "missing_numa";
}
