//! Where the agent token is kept: the OS keyring (Secret Service on Linux, Keychain on macOS,
//! Credential Manager on Windows); where none answers, a file in the profile folder (0600 on
//! Unix) and a [`Notice::KeyringFallback`] on the status line.
//!
//! The keyring entry is per profile folder, so two profiles never share a token. [`Secrets`]
//! is the engine's [`TokenStore`]: the engine reads the token for every relay request and
//! writes it on sign-in. Keyring calls block (on Linux they are D-Bus calls, and any keyring
//! may ask for a password), so they run on a thread of their own (never on an async worker),
//! and the token is cached after the first read. The backend for each system is a feature
//! of the keyring crate (Cargo.toml), so a port of this piece is a test on that system
//! (ARCHITECTURE.md, «Platforms»).

use std::path::PathBuf;
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use trubka_agent::profile::Profile;
use trubka_agent::tokens::{TokenError, TokenStore};

use crate::dto::Notice;

const SERVICE: &str = "Trubka";

/// How long the start-up probe waits for the keyring. A locked keyring may put up an unlock
/// prompt, which deserves time for a password; a Secret Service that never answers must not
/// keep the app from starting, so after this the token goes to the file instead.
const PROBE_LIMIT: Duration = Duration::from_secs(15);

/// Where the token lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Keyring,
    File,
}

impl Place {
    pub fn as_str(self) -> &'static str {
        match self {
            Place::Keyring => "keyring",
            Place::File => "file",
        }
    }
}

/// The token's home for one profile.
#[derive(Debug, Clone)]
pub struct Secrets {
    profile: Profile,
    store: Place,
    /// Why the keyring is not used, when it is not.
    fallback_reason: Option<String>,
    /// The token as last read or written (`None`: not read yet).
    cache: Arc<Mutex<Option<Option<String>>>>,
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
    /// Finds out whether a keyring answers (a read that finds no entry counts as working),
    /// waiting at most [`PROBE_LIMIT`].
    pub fn probe(profile: Profile) -> Secrets {
        Secrets::probe_within(profile, PROBE_LIMIT)
    }

    fn probe_within(profile: Profile, limit: Duration) -> Secrets {
        let (answer, outcome) = mpsc::channel();
        let probed = profile.clone();
        // A thread of its own: a keyring that does not answer is left behind, not waited for.
        std::thread::spawn(move || {
            let read = entry(&probed).and_then(|e| e.get_password().map(|_| ()));
            let _ = answer.send(match read {
                Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
                Err(e) => Err(e.to_string()),
            });
        });
        let outcome = outcome.recv_timeout(limit).unwrap_or_else(|_| {
            Err(format!(
                "the keyring did not answer within {} s",
                limit.as_secs()
            ))
        });
        match outcome {
            Ok(()) => Secrets {
                profile,
                store: Place::Keyring,
                fallback_reason: None,
                cache: Arc::default(),
            },
            Err(reason) => {
                tracing::warn!(error = %reason, "no OS keyring; the agent token goes to a 0600 file");
                Secrets {
                    profile,
                    store: Place::File,
                    fallback_reason: Some(reason),
                    cache: Arc::default(),
                }
            }
        }
    }

    pub fn store(&self) -> Place {
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
    fn load(&self) -> Result<Option<String>, SecretError> {
        match self.store {
            Place::Keyring => match entry(&self.profile)?.get_password() {
                Ok(token) => Ok(Some(token)),
                Err(keyring::Error::NoEntry) => Ok(None),
                Err(e) => Err(e.into()),
            },
            Place::File => Ok(self.profile.read_token()?),
        }
    }

    /// Keeps `token`.
    fn save(&self, token: &str) -> Result<(), SecretError> {
        match self.store {
            Place::Keyring => Ok(entry(&self.profile)?.set_password(token)?),
            Place::File => Ok(self.profile.write_token(token)?),
        }
    }

    /// Forgets the token wherever it is.
    fn forget(&self) -> Result<(), SecretError> {
        if self.store == Place::Keyring {
            match entry(&self.profile)?.delete_credential() {
                Ok(()) | Err(keyring::Error::NoEntry) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(self.profile.remove_token()?)
    }
}

/// Runs a keyring call on a thread of its own: a blocking client (the Secret Service's on
/// Linux) must not run on an async worker.
fn on_own_thread<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, SecretError> + Send + 'static,
) -> Result<T, TokenError> {
    std::thread::spawn(f)
        .join()
        .map_err(|_| TokenError("the keyring call failed unexpectedly".to_owned()))?
        .map_err(|e| TokenError(e.to_string()))
}

impl TokenStore for Secrets {
    fn read(&self) -> Result<Option<String>, TokenError> {
        if let Some(token) = self.cache.lock().unwrap_or_else(|e| e.into_inner()).clone() {
            return Ok(token);
        }
        let me = self.clone();
        let token = on_own_thread(move || me.load())?;
        *self.cache.lock().unwrap_or_else(|e| e.into_inner()) = Some(token.clone());
        Ok(token)
    }

    fn write(&self, token: &str) -> Result<(), TokenError> {
        let (me, owned) = (self.clone(), token.to_owned());
        on_own_thread(move || me.save(&owned))?;
        *self.cache.lock().unwrap_or_else(|e| e.into_inner()) = Some(Some(token.to_owned()));
        Ok(())
    }

    fn remove(&self) -> Result<(), TokenError> {
        let me = self.clone();
        on_own_thread(move || me.forget())?;
        *self.cache.lock().unwrap_or_else(|e| e.into_inner()) = Some(None);
        Ok(())
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
            store: Place::File,
            fallback_reason: Some("no keyring".into()),
            cache: Arc::default(),
        };
        secrets.write("t0k3n").expect("save");
        assert_eq!(secrets.read().expect("load").as_deref(), Some("t0k3n"));
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
        assert_eq!(secrets.read().expect("load"), None);
    }
}
