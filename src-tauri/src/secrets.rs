//! Where the agent token is kept: the OS keyring (Secret Service on Linux, Keychain on macOS,
//! Credential Manager on Windows); where none answers, a 0600 file in the profile folder and
//! a [`Notice::KeyringFallback`] on the status line.
//!
//! The keyring entry is per profile folder, so two profiles never share a token. Keyring
//! calls may block on D-Bus: call these from a blocking thread.

use std::path::PathBuf;

use trubka_agent::profile::Profile;

use crate::dto::Notice;

const SERVICE: &str = "Trubka";

/// Where the token lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenStore {
    Keyring,
    File,
}

impl TokenStore {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenStore::Keyring => "keyring",
            TokenStore::File => "file",
        }
    }
}

/// The token's home for one profile.
#[derive(Debug, Clone)]
pub struct Secrets {
    profile: Profile,
    store: TokenStore,
    /// Why the keyring is not used, when it is not.
    fallback_reason: Option<String>,
}

/// Errors of the token store.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("the OS keyring refused the token: {0}")]
    Keyring(#[from] keyring::Error),
    #[error(transparent)]
    Profile(#[from] trubka_agent::profile::ProfileError),
}

fn account(profile: &Profile) -> String {
    format!("agent-token:{}", profile.dir().display())
}

fn entry(profile: &Profile) -> Result<keyring::Entry, keyring::Error> {
    keyring::Entry::new(SERVICE, &account(profile))
}

impl Secrets {
    /// Finds out whether a keyring answers (a read that finds no entry counts as working).
    pub fn probe(profile: Profile) -> Secrets {
        let outcome = entry(&profile).and_then(|e| e.get_password().map(|_| ()));
        match outcome {
            Ok(()) | Err(keyring::Error::NoEntry) => Secrets {
                profile,
                store: TokenStore::Keyring,
                fallback_reason: None,
            },
            Err(e) => {
                tracing::warn!(error = %e, "no OS keyring; the agent token goes to a 0600 file");
                Secrets {
                    profile,
                    store: TokenStore::File,
                    fallback_reason: Some(e.to_string()),
                }
            }
        }
    }

    pub fn store(&self) -> TokenStore {
        self.store
    }

    /// The file that holds the token when there is no keyring.
    pub fn file_path(&self) -> PathBuf {
        self.profile.dir().join("token")
    }

    /// The status-line notice for the file fallback.
    pub fn notice(&self) -> Option<Notice> {
        self.fallback_reason
            .as_ref()
            .map(|detail| Notice::KeyringFallback {
                path: self.file_path().display().to_string(),
                detail: detail.clone(),
            })
    }

    /// The stored token, if any.
    pub fn load(&self) -> Result<Option<String>, SecretError> {
        match self.store {
            TokenStore::Keyring => match entry(&self.profile)?.get_password() {
                Ok(token) => Ok(Some(token)),
                Err(keyring::Error::NoEntry) => Ok(None),
                Err(e) => Err(e.into()),
            },
            TokenStore::File => Ok(self.profile.read_token()?),
        }
    }

    /// Keeps `token`.
    pub fn save(&self, token: &str) -> Result<(), SecretError> {
        match self.store {
            TokenStore::Keyring => Ok(entry(&self.profile)?.set_password(token)?),
            TokenStore::File => Ok(self.profile.write_token(token)?),
        }
    }

    /// Forgets the token wherever it is.
    pub fn remove(&self) -> Result<(), SecretError> {
        if self.store == TokenStore::Keyring {
            match entry(&self.profile)?.delete_credential() {
                Ok(()) | Err(keyring::Error::NoEntry) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(self.profile.remove_token()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_fallback_is_private() {
        let dir = tempfile::tempdir().expect("tempdir");
        let profile = Profile::at(dir.path()).expect("profile");
        let secrets = Secrets {
            profile,
            store: TokenStore::File,
            fallback_reason: Some("no keyring".into()),
        };
        secrets.save("t0k3n").expect("save");
        assert_eq!(secrets.load().expect("load").as_deref(), Some("t0k3n"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(secrets.file_path())
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(matches!(
            secrets.notice(),
            Some(Notice::KeyringFallback { .. })
        ));
        secrets.remove().expect("remove");
        assert_eq!(secrets.load().expect("load"), None);
    }
}
