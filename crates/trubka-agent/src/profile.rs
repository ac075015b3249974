//! The profile folder: where one agent's settings, token and SQLite cache live.
//!
//! Chosen by `--home DIR`, else env `TRUBKA_HOME`, else the OS data dir
//! (`~/.local/share/trubka` on Linux, `%APPDATA%\trubka` on Windows,
//! `~/Library/Application Support/trubka` on macOS). The CLI keeps the agent token in a 0600
//! file `token` here; the desktop app keeps it in the OS keyring instead.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The environment variable that selects the profile folder.
pub const HOME_ENV: &str = "TRUBKA_HOME";

/// Errors around the profile folder.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("no profile folder: pass --home DIR or set {HOME_ENV} (the OS has no data folder)")]
    NoDataDir,
    #[error("cannot use the profile folder {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// One agent's profile folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    dir: PathBuf,
}

impl Profile {
    /// Picks the folder (`home`, then `TRUBKA_HOME`, then the OS data dir) and creates it.
    pub fn resolve(home: Option<PathBuf>) -> Result<Profile, ProfileError> {
        let dir = match home {
            Some(dir) => dir,
            None => match std::env::var_os(HOME_ENV).filter(|v| !v.is_empty()) {
                Some(dir) => PathBuf::from(dir),
                None => dirs::data_dir()
                    .ok_or(ProfileError::NoDataDir)?
                    .join("trubka"),
            },
        };
        Profile::at(dir)
    }

    /// The profile in `dir`, created if missing.
    pub fn at(dir: impl Into<PathBuf>) -> Result<Profile, ProfileError> {
        let dir = dir.into();
        fs::create_dir_all(&dir).map_err(|source| ProfileError::Io {
            path: dir.clone(),
            source,
        })?;
        Ok(Profile { dir })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The SQLite cache.
    pub fn database_path(&self) -> PathBuf {
        self.dir.join("trubka.sqlite3")
    }

    fn token_path(&self) -> PathBuf {
        self.dir.join("token")
    }

    /// The stored agent token, if any.
    pub fn read_token(&self) -> Result<Option<String>, ProfileError> {
        let path = self.token_path();
        match fs::read_to_string(&path) {
            Ok(text) => Ok(Some(text.trim().to_owned()).filter(|t| !t.is_empty())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(ProfileError::Io { path, source }),
        }
    }

    /// Stores the agent token in a file only the user can read (0600 on Unix).
    pub fn write_token(&self, token: &str) -> Result<(), ProfileError> {
        let path = self.token_path();
        let io = |source| ProfileError::Io {
            path: path.clone(),
            source,
        };
        let mut options = fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
            options.mode(0o600);
            let mut file = options.open(&path).map_err(io)?;
            file.set_permissions(fs::Permissions::from_mode(0o600))
                .map_err(io)?;
            file.write_all(token.as_bytes()).map_err(io)?;
        }
        #[cfg(not(unix))]
        {
            let mut file = options.open(&path).map_err(io)?;
            file.write_all(token.as_bytes()).map_err(io)?;
        }
        Ok(())
    }

    /// Forgets the stored token (sign out).
    pub fn remove_token(&self) -> Result<(), ProfileError> {
        let path = self.token_path();
        match fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(source) => Err(ProfileError::Io { path, source }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_file_is_private_and_removable() {
        let dir = tempfile::tempdir().expect("tempdir");
        let profile = Profile::resolve(Some(dir.path().join("p"))).expect("profile");
        assert_eq!(profile.read_token().expect("read"), None);
        profile.write_token("secret").expect("write");
        assert_eq!(
            profile.read_token().expect("read").as_deref(),
            Some("secret")
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(profile.token_path())
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        profile.remove_token().expect("remove");
        assert_eq!(profile.read_token().expect("read"), None);
    }
}
