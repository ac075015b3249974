//! Where the agent token is kept. The engine reads it for every relay request and writes it
//! on sign-in; by default it lives in the profile's 0600 file ([`FileTokens`], what the CLI
//! uses). The desktop app passes its own [`TokenStore`] (the OS keyring) to
//! [`crate::engine::Engine::open_with_tokens`].

use crate::profile::{Profile, ProfileError};

/// Why the token could not be read, kept or forgotten.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TokenError(pub String);

impl From<ProfileError> for TokenError {
    fn from(e: ProfileError) -> TokenError {
        TokenError(e.to_string())
    }
}

/// A place for one agent token.
pub trait TokenStore: Send + Sync + 'static {
    /// The stored token, if any.
    fn read(&self) -> Result<Option<String>, TokenError>;
    /// Keeps `token`, replacing any other.
    fn write(&self, token: &str) -> Result<(), TokenError>;
    /// Forgets the token (sign out).
    fn remove(&self) -> Result<(), TokenError>;
}

/// The profile's 0600 `token` file.
#[derive(Debug, Clone)]
pub struct FileTokens(pub Profile);

impl TokenStore for FileTokens {
    fn read(&self) -> Result<Option<String>, TokenError> {
        Ok(self.0.read_token()?)
    }

    fn write(&self, token: &str) -> Result<(), TokenError> {
        Ok(self.0.write_token(token)?)
    }

    fn remove(&self) -> Result<(), TokenError> {
        Ok(self.0.remove_token()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_tokens_round_trip() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = FileTokens(Profile::at(dir.path()).expect("profile"));
        assert_eq!(store.read(), Ok(None));
        store.write("t0k3n").expect("write");
        assert_eq!(store.read(), Ok(Some("t0k3n".to_owned())));
        store.remove().expect("remove");
        assert_eq!(store.read(), Ok(None));
    }
}
