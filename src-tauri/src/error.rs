//! The one error type of the IPC edge: every command fails with a [`CommandError`], which
//! reaches the UI as `{kind, message}`. The UI translates `kind`; `message` is the engine's
//! own words, shown as detail.

use serde::Serialize;
use trubka_agent::dial::DialError;
use trubka_agent::engine::EngineError;
use trubka_agent::relay_api::ApiError;
use ts_rs::TS;

/// What class of failure a command met; the UI has a translated sentence for each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    NotSignedIn,
    Unauthorized,
    Network,
    Relay,
    DialNotSupported,
    BadNumber,
    BadUrl,
    Invalid,
    NotFound,
    Storage,
    Io,
    Keyring,
    Internal,
    /// A team contact changed on the relay after the edit started: refresh and retry.
    Conflict,
    /// The relay refused: only supervisors may (delete a team contact).
    Forbidden,
    /// Invite links the relay refused: already used, past their time, revoked, unknown.
    InviteUsed,
    InviteExpired,
    InviteRevoked,
    InviteUnknown,
}

/// A failed command, as the UI receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, thiserror::Error)]
#[error("{message}")]
pub struct CommandError {
    pub kind: ErrorKind,
    pub message: String,
}

impl CommandError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> CommandError {
        CommandError {
            kind,
            message: message.into(),
        }
    }
}

fn api_kind(e: &ApiError) -> ErrorKind {
    match e {
        ApiError::BadUrl(_) => ErrorKind::BadUrl,
        ApiError::Network(_) => ErrorKind::Network,
        ApiError::Unauthorized => ErrorKind::Unauthorized,
        ApiError::DialNotSupported => ErrorKind::DialNotSupported,
        // The message names what the relay lacks (scenarios, offline requests).
        ApiError::Relay { code, .. } => {
            crate::invite::refusal_kind(code).unwrap_or(ErrorKind::Relay)
        }
        ApiError::NotSupported(_) | ApiError::BadResponse { .. } => ErrorKind::Relay,
    }
}

impl From<EngineError> for CommandError {
    fn from(e: EngineError) -> CommandError {
        let kind = match &e {
            EngineError::Profile(_) | EngineError::Io { .. } | EngineError::Export(_) => {
                ErrorKind::Io
            }
            EngineError::Store(_) => ErrorKind::Storage,
            EngineError::Api(api) => api_kind(api),
            EngineError::Dial(DialError::BadNumber(_)) | EngineError::Number(_) => {
                ErrorKind::BadNumber
            }
            EngineError::Dial(DialError::NotSignedIn) | EngineError::NotSignedIn => {
                ErrorKind::NotSignedIn
            }
            EngineError::Dial(DialError::Relay(api)) => api_kind(api),
            EngineError::Contact(_) | EngineError::Csv(_) => ErrorKind::Invalid,
            EngineError::NoOpenFollowUp(_)
            | EngineError::NoSuchCall(_)
            | EngineError::NoSuchTeamContact(_) => ErrorKind::NotFound,
            EngineError::NotTeamContact(_) => ErrorKind::Invalid,
            EngineError::EditConflict { .. } => ErrorKind::Conflict,
            EngineError::NotSupervisor => ErrorKind::Forbidden,
            EngineError::DirectoryStalled(_) => ErrorKind::Relay,
            EngineError::Token(_) => ErrorKind::Keyring,
        };
        CommandError::new(kind, e.to_string())
    }
}

impl From<tauri::Error> for CommandError {
    fn from(e: tauri::Error) -> CommandError {
        CommandError::new(ErrorKind::Internal, e.to_string())
    }
}

/// What every command returns.
pub type CommandResult<T> = Result<T, CommandError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_errors_keep_their_words_and_get_a_kind() {
        let e = CommandError::from(EngineError::Api(ApiError::Unauthorized));
        assert_eq!(e.kind, ErrorKind::Unauthorized);
        assert!(e.message.contains("token"));
        let json = serde_json::to_value(&e).expect("serialises");
        assert_eq!(json["kind"], "unauthorized");
        let e = CommandError::from(EngineError::NotSignedIn);
        assert_eq!(e.kind, ErrorKind::NotSignedIn);
    }
}
