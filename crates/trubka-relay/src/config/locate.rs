//! Which configuration file every subcommand reads, found the same way each time.
//!
//! An admin who ran `serve --config /etc/trubka/relay.toml` and then `agent add` without it
//! used to get a second, empty database under `./relay-data`: the agent's login then failed
//! with the wrong diagnosis. So the file is looked for in one order by every subcommand:
//! `--config`, then `TRUBKA_RELAY_CONFIG`, then the installed default
//! ([`INSTALLED_CONFIG`]), then `./relay.toml`; and each subcommand says which one it read.

use std::fmt;
use std::path::{Path, PathBuf};

use trubka_core::{Lang, tr};

/// Where a package installs the relay's configuration.
pub const INSTALLED_CONFIG: &str = "/etc/trubka/relay.toml";
/// The configuration next to where the relay is started.
pub const LOCAL_CONFIG: &str = "relay.toml";
/// The environment variable that names the configuration file.
pub const CONFIG_ENV: &str = "TRUBKA_RELAY_CONFIG";

/// The configuration file in use, and why that one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigSource {
    /// `--config FILE`.
    Flag(PathBuf),
    /// `TRUBKA_RELAY_CONFIG=FILE`.
    Env(PathBuf),
    /// The installed default, which exists.
    Installed(PathBuf),
    /// `./relay.toml`, which exists.
    Local(PathBuf),
    /// No file: defaults, environment and flags only. `looked` lists where it was looked for.
    None { looked: Vec<PathBuf> },
}

impl ConfigSource {
    /// The file to read, if any.
    pub fn path(&self) -> Option<&Path> {
        match self {
            ConfigSource::Flag(path)
            | ConfigSource::Env(path)
            | ConfigSource::Installed(path)
            | ConfigSource::Local(path) => Some(path),
            ConfigSource::None { .. } => None,
        }
    }
}

impl ConfigSource {
    /// Which file, and why that one, in `lang`: what every subcommand says on stderr.
    pub fn describe(&self, lang: Lang) -> String {
        match self {
            ConfigSource::Flag(path) => format!("{} (--config)", path.display()),
            ConfigSource::Env(path) => format!("{} ({CONFIG_ENV})", path.display()),
            ConfigSource::Installed(path) => {
                let path = path.display();
                tr!(
                    lang,
                    "{path} (установленный по умолчанию)",
                    "{path} (installed default)"
                )
            }
            ConfigSource::Local(path) => {
                let path = path.display();
                tr!(
                    lang,
                    "{path} (в текущей папке)",
                    "{path} (in the current folder)"
                )
            }
            ConfigSource::None { looked } => {
                let looked: Vec<String> = looked.iter().map(|p| p.display().to_string()).collect();
                match lang {
                    Lang::Ru => format!(
                        "нет (ни --config, ни {CONFIG_ENV}, ни {}): только значения по умолчанию",
                        looked.join(", ни ")
                    ),
                    Lang::En => format!(
                        "none (no --config, no {CONFIG_ENV}, no {}): defaults only",
                        looked.join(", no ")
                    ),
                }
            }
        }
    }
}

/// English, as log lines carry it.
impl fmt::Display for ConfigSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe(Lang::En))
    }
}

/// Finds the configuration: `flag`, else `env` (the value of [`CONFIG_ENV`]), else
/// `installed` if it exists, else `local` if it exists. A file named by the flag or the
/// environment is used even if missing, so that reading it fails with its name.
pub fn locate(
    flag: Option<&Path>,
    env: Option<&str>,
    installed: &Path,
    local: &Path,
) -> ConfigSource {
    if let Some(path) = flag {
        return ConfigSource::Flag(path.to_owned());
    }
    if let Some(path) = env.map(str::trim).filter(|p| !p.is_empty()) {
        return ConfigSource::Env(PathBuf::from(path));
    }
    if installed.is_file() {
        return ConfigSource::Installed(installed.to_owned());
    }
    if local.is_file() {
        return ConfigSource::Local(local.to_owned());
    }
    ConfigSource::None {
        looked: vec![installed.to_owned(), local.to_owned()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_then_env_then_installed_then_local() {
        let dir = tempfile::tempdir().unwrap();
        let installed = dir.path().join("etc-relay.toml");
        let local = dir.path().join("relay.toml");
        let flag = Path::new("/tmp/other.toml");
        let find = |flag, env| locate(flag, env, &installed, &local);

        assert_eq!(
            find(None, None),
            ConfigSource::None {
                looked: vec![installed.clone(), local.clone()]
            }
        );
        std::fs::write(&local, "").unwrap();
        assert_eq!(find(None, None), ConfigSource::Local(local.clone()));
        std::fs::write(&installed, "").unwrap();
        assert_eq!(find(None, None), ConfigSource::Installed(installed.clone()));
        assert_eq!(
            find(None, Some(" ")),
            ConfigSource::Installed(installed.clone())
        );
        assert_eq!(
            find(None, Some("/srv/relay.toml")),
            ConfigSource::Env("/srv/relay.toml".into())
        );
        assert_eq!(
            find(Some(flag), Some("/srv/relay.toml")),
            ConfigSource::Flag(flag.to_owned())
        );
    }

    #[test]
    fn every_source_says_where_it_came_from() {
        let none = ConfigSource::None {
            looked: vec!["/etc/trubka/relay.toml".into(), "relay.toml".into()],
        };
        assert_eq!(
            none.to_string(),
            "none (no --config, no TRUBKA_RELAY_CONFIG, no /etc/trubka/relay.toml, no \
             relay.toml): defaults only"
        );
        assert_eq!(
            ConfigSource::Env("/srv/r.toml".into()).to_string(),
            "/srv/r.toml (TRUBKA_RELAY_CONFIG)"
        );
    }
}
