//! Builds of the desktop app that agents' apps update to, published through the relay.
//!
//! The admin runs `trubka-relay app publish PACKAGE --signature FILE`: the signature is the
//! `.sig` file `tauri signer sign` (or the Tauri bundler) writes next to a package, made with
//! the private half of the key pair whose public half is built into the app. The relay
//! verifies it against `[updates] public_key` before it keeps anything, so a build the apps
//! would refuse is refused here first, in the admin's words, instead of at every agent's PC.
//!
//! What is published lives under `data_dir/app/`: the package files and `releases.json`, the
//! one current release per target (`linux`, `windows`, `darwin`), architecture (`x86_64`,
//! `aarch64`, …) and bundle kind (`deb`, `rpm`, `appimage`, `msi`, `nsis`, `app`), the same
//! words tauri-plugin-updater puts into its endpoint URL. Plain files rather than rows: the
//! packages are files anyway, and a file written whole and renamed over the old one is read
//! by a running relay on its next request with nothing else to tell it.

use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::{Deserialize, Serialize};
use trubka_core::{Lang, tr};

/// The folder under `data_dir` with the packages and [`MANIFEST`].
pub const FOLDER: &str = "app";
/// The list of current releases, JSON.
pub const MANIFEST: &str = "releases.json";

/// One published build: what the updater's endpoint answers for its target, arch and bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Release {
    /// Semantic version, compared with the app's own.
    pub version: String,
    /// What the app shows under «Доступна новая версия».
    pub notes: String,
    /// When it was published, RFC 3339.
    pub pub_date: String,
    /// The package's file name under [`FOLDER`].
    pub file: String,
    /// The `.sig` file's content exactly as `tauri signer sign` wrote it (base64 text).
    pub signature: String,
    pub target: String,
    pub arch: String,
    pub bundle: String,
}

/// What `app publish` is given besides the package and its signature.
#[derive(Debug, Clone, Default)]
pub struct PublishOptions {
    pub notes: String,
    /// The version, when it cannot be read from the package (anything but a `.deb`).
    pub version: Option<String>,
    /// `linux`, `windows` or `darwin`; `linux` for a `.deb`, `.rpm` or AppImage.
    pub target: Option<String>,
    /// The updater's architecture name (`x86_64`); read from a `.deb`'s control file.
    pub arch: Option<String>,
}

/// Why a build was not published (or the releases cannot be read).
#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    #[error(
        "no [updates] public_key in the config: set it to the content of the .pub file of \
         the key pair the app is built with"
    )]
    NoPublicKey,
    #[error("[updates] public_key is not a Tauri updater public key: {0}")]
    BadPublicKey(String),
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: io::Error },
    #[error("{path} is not a Tauri updater signature (.sig): {reason}")]
    BadSignatureFile { path: PathBuf, reason: String },
    #[error("the signature does not match {package}: {reason}")]
    SignatureMismatch { package: PathBuf, reason: String },
    #[error("cannot tell what kind of package {0} is: give a .deb, .rpm, .AppImage, .msi or .exe")]
    UnknownBundle(PathBuf),
    #[error("cannot read the version and architecture of {path} with dpkg-deb: {reason}")]
    DebFields { path: PathBuf, reason: String },
    #[error("{0} needs --version and --arch: only a .deb says them itself")]
    NeedsVersion(PathBuf),
    #[error("«{0}» is not a semantic version (like 1.4.0), which the app compares its own with")]
    BadVersion(String),
    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: io::Error },
    #[error("{path} is damaged: {reason}")]
    Manifest { path: PathBuf, reason: String },
}

impl UpdateError {
    /// The message for the admin, in `lang`.
    pub fn localized(&self, lang: Lang) -> String {
        match self {
            UpdateError::NoPublicKey => tr!(
                lang,
                "в настройках нет [updates] public_key: впишите туда содержимое файла .pub той \
                 пары ключей, с которой собрано приложение",
                "no [updates] public_key in the config: set it to the content of the .pub file \
                 of the key pair the app is built with"
            ),
            UpdateError::BadPublicKey(reason) => tr!(
                lang,
                "[updates] public_key — не открытый ключ обновлений Tauri: «{reason}»",
                "[updates] public_key is not a Tauri updater public key: \"{reason}\""
            ),
            UpdateError::Read { path, source } => {
                let path = path.display();
                tr!(
                    lang,
                    "не удаётся прочитать {path}: «{source}»",
                    "cannot read {path}: \"{source}\""
                )
            }
            UpdateError::BadSignatureFile { path, reason } => {
                let path = path.display();
                tr!(
                    lang,
                    "{path} — не подпись обновления Tauri (файл .sig): «{reason}»",
                    "{path} is not a Tauri updater signature (.sig): \"{reason}\""
                )
            }
            UpdateError::SignatureMismatch { package, reason } => {
                let package = package.display();
                tr!(
                    lang,
                    "подпись не подходит к {package}: сборка подписана другим ключом, чем \
                     [updates] public_key, или файл изменён после подписи. Приложения такую \
                     сборку не установят, поэтому она не опубликована («{reason}»)",
                    "the signature does not match {package}: the build was signed with another \
                     key than [updates] public_key, or the file changed after it was signed. The \
                     apps would not install it, so it is not published (\"{reason}\")"
                )
            }
            UpdateError::UnknownBundle(path) => {
                let path = path.display();
                tr!(
                    lang,
                    "непонятно, что за пакет {path}: нужен .deb, .rpm, .AppImage, .msi или .exe",
                    "cannot tell what kind of package {path} is: give a .deb, .rpm, .AppImage, \
                     .msi or .exe"
                )
            }
            UpdateError::DebFields { path, reason } => {
                let path = path.display();
                tr!(
                    lang,
                    "не удаётся прочитать версию и архитектуру {path} через dpkg-deb \
                     («{reason}»); укажите --version и --arch",
                    "cannot read the version and architecture of {path} with dpkg-deb \
                     (\"{reason}\"); give --version and --arch"
                )
            }
            UpdateError::NeedsVersion(path) => {
                let path = path.display();
                tr!(
                    lang,
                    "для {path} укажите --version и --arch: сам их называет только пакет .deb",
                    "{path} needs --version and --arch: only a .deb says them itself"
                )
            }
            UpdateError::BadVersion(version) => tr!(
                lang,
                "«{version}» — не номер версии вида 1.4.0, а приложение сравнивает свою версию \
                 именно с таким",
                "\"{version}\" is not a semantic version (like 1.4.0), which the app compares \
                 its own with"
            ),
            UpdateError::Write { path, source } => {
                let path = path.display();
                tr!(
                    lang,
                    "не удаётся записать {path}: «{source}»",
                    "cannot write {path}: \"{source}\""
                )
            }
            UpdateError::Manifest { path, reason } => {
                let path = path.display();
                tr!(
                    lang,
                    "файл {path} повреждён («{reason}»); опубликуйте сборку заново",
                    "{path} is damaged (\"{reason}\"); publish the build again"
                )
            }
        }
    }
}

/// Checks a Tauri updater signature: both the key and the signature are base64 of minisign's
/// text files, exactly what `tauri signer generate` and `tauri signer sign` write and what
/// tauri-plugin-updater checks before it installs. `Err` carries minisign's reason.
pub fn verify(public_key: &str, signature: &str, data: &[u8]) -> Result<(), VerifyError> {
    let key_text = decode_text(public_key).map_err(VerifyError::Key)?;
    let key = minisign_verify::PublicKey::decode(&key_text)
        .map_err(|e| VerifyError::Key(e.to_string()))?;
    let signature_text = decode_text(signature).map_err(VerifyError::Signature)?;
    let signature = minisign_verify::Signature::decode(&signature_text)
        .map_err(|e| VerifyError::Signature(e.to_string()))?;
    // Legacy (non-prehashed) signatures allowed, as the app's updater allows them: refusing
    // here what the app accepts would only stop a build that works.
    key.verify(data, &signature, true)
        .map_err(|e| VerifyError::Mismatch(e.to_string()))
}

/// Why [`verify`] failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("bad public key: {0}")]
    Key(String),
    #[error("bad signature: {0}")]
    Signature(String),
    #[error("{0}")]
    Mismatch(String),
}

fn decode_text(base64: &str) -> Result<String, String> {
    let bytes = BASE64.decode(base64.trim()).map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|_| "not UTF-8 text once decoded".to_owned())
}

/// The updater's bundle word for a package file, by its name.
pub fn bundle_of(file: &str) -> Option<&'static str> {
    let lower = file.to_ascii_lowercase();
    [
        (".deb", "deb"),
        (".rpm", "rpm"),
        (".appimage", "appimage"),
        (".appimage.tar.gz", "appimage"),
        (".msi", "msi"),
        (".exe", "nsis"),
        (".app.tar.gz", "app"),
    ]
    .into_iter()
    .find(|(suffix, _)| lower.ends_with(suffix))
    .map(|(_, bundle)| bundle)
}

/// A Debian architecture as the updater names it (`{{arch}}`).
fn updater_arch(debian: &str) -> String {
    match debian {
        "amd64" => "x86_64",
        "arm64" => "aarch64",
        "i386" => "i686",
        "armhf" => "armv7",
        other => other,
    }
    .to_owned()
}

/// A `.deb`'s Version and Architecture, read by `dpkg-deb` (on every Debian-family machine,
/// where the relay is packaged for; elsewhere the admin gives `--version` and `--arch`).
fn deb_fields(path: &Path) -> Result<(String, String), UpdateError> {
    let failed = |reason: String| UpdateError::DebFields {
        path: path.to_owned(),
        reason,
    };
    let output = Command::new("dpkg-deb")
        .arg("--field")
        .arg(path)
        .args(["Version", "Architecture"])
        .output()
        .map_err(|e| failed(e.to_string()))?;
    if !output.status.success() {
        return Err(failed(
            String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        ));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let field = |name: &str| {
        text.lines()
            .find_map(|line| line.strip_prefix(name)?.strip_prefix(':'))
            .map(|value| value.trim().to_owned())
            .filter(|value| !value.is_empty())
    };
    match (field("Version"), field("Architecture")) {
        (Some(version), Some(arch)) => Ok((version, updater_arch(&arch))),
        _ => Err(failed(format!("no Version or Architecture in «{text}»"))),
    }
}

/// The published releases under one data folder.
#[derive(Debug, Clone)]
pub struct Releases {
    dir: PathBuf,
}

impl Releases {
    pub fn new(data_dir: &Path) -> Releases {
        Releases {
            dir: data_dir.join(FOLDER),
        }
    }

    fn manifest(&self) -> PathBuf {
        self.dir.join(MANIFEST)
    }

    /// Every current release; none before the first `app publish`.
    pub fn load(&self) -> Result<Vec<Release>, UpdateError> {
        let path = self.manifest();
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => return Err(UpdateError::Read { path, source }),
        };
        serde_json::from_str(&text).map_err(|e| UpdateError::Manifest {
            path,
            reason: e.to_string(),
        })
    }

    /// The release for an app of `target`/`arch` installed as `bundle`. An app that does not
    /// know its bundle (run from a build folder: tauri-plugin-updater says `unknown`) gets the
    /// target's and arch's release of any kind, so it can at least say a newer one exists.
    pub fn find(
        &self,
        target: &str,
        arch: &str,
        bundle: Option<&str>,
    ) -> Result<Option<Release>, UpdateError> {
        let releases = self.load()?;
        let fits = |r: &&Release| r.target == target && r.arch == arch;
        let exact = bundle.and_then(|b| releases.iter().filter(fits).find(|r| r.bundle == b));
        let any = || match bundle {
            None | Some("unknown") => releases.iter().find(fits),
            Some(_) => None,
        };
        Ok(exact.or_else(any).cloned())
    }

    /// The file of a current release named `file`; `None` for any other name, so nothing
    /// but a published package is ever served from the folder.
    pub fn package(&self, file: &str) -> Result<Option<PathBuf>, UpdateError> {
        let known = self.load()?.into_iter().any(|r| r.file == file);
        Ok(known.then(|| self.dir.join(file)))
    }

    /// Verifies `package` against `public_key` with the signature in `signature_file`, then
    /// keeps it as the current release of its target, arch and bundle. Nothing is written
    /// unless the signature holds.
    pub fn publish(
        &self,
        public_key: Option<&str>,
        package: &Path,
        signature_file: &Path,
        options: PublishOptions,
    ) -> Result<Release, UpdateError> {
        let public_key = public_key
            .filter(|k| !k.trim().is_empty())
            .ok_or(UpdateError::NoPublicKey)?;
        let read = |path: &Path| {
            std::fs::read(path).map_err(|source| UpdateError::Read {
                path: path.to_owned(),
                source,
            })
        };
        let data = read(package)?;
        let signature = String::from_utf8_lossy(&read(signature_file)?)
            .trim()
            .to_owned();
        match verify(public_key, &signature, &data) {
            Ok(()) => {}
            Err(VerifyError::Key(reason)) => return Err(UpdateError::BadPublicKey(reason)),
            Err(VerifyError::Signature(reason)) => {
                return Err(UpdateError::BadSignatureFile {
                    path: signature_file.to_owned(),
                    reason,
                });
            }
            Err(VerifyError::Mismatch(reason)) => {
                return Err(UpdateError::SignatureMismatch {
                    package: package.to_owned(),
                    reason,
                });
            }
        }
        let name = package
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let bundle = bundle_of(&name).ok_or_else(|| UpdateError::UnknownBundle(package.into()))?;
        let (version, arch) = match (options.version, options.arch) {
            (Some(version), Some(arch)) => (version, arch),
            (version, arch) if bundle == "deb" => {
                let (deb_version, deb_arch) = deb_fields(package)?;
                (version.unwrap_or(deb_version), arch.unwrap_or(deb_arch))
            }
            _ => return Err(UpdateError::NeedsVersion(package.to_owned())),
        };
        if semver::Version::parse(version.trim_start_matches('v')).is_err() {
            return Err(UpdateError::BadVersion(version));
        }
        let target = options.target.unwrap_or_else(|| {
            match bundle {
                "msi" | "nsis" => "windows",
                "app" => "darwin",
                _ => "linux",
            }
            .to_owned()
        });
        // The stored name says what it is, and cannot climb out of the folder.
        let file = format!("trubka_{version}_{target}_{arch}.{}", extension(&name));
        if !file
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-+".contains(&b))
        {
            return Err(UpdateError::BadVersion(version));
        }
        let release = Release {
            version,
            notes: options.notes,
            pub_date: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            file,
            signature,
            target,
            arch,
            bundle: bundle.to_owned(),
        };
        self.write(&release, &data)?;
        Ok(release)
    }

    /// The package, then the manifest naming it, each written whole and renamed into place;
    /// the package it replaces is removed once nothing names it.
    fn write(&self, release: &Release, data: &[u8]) -> Result<(), UpdateError> {
        let failed = |path: &Path| {
            let path = path.to_owned();
            move |source| UpdateError::Write { path, source }
        };
        std::fs::create_dir_all(&self.dir).map_err(failed(&self.dir))?;
        let package = self.dir.join(&release.file);
        write_whole(&package, data).map_err(failed(&package))?;
        let mut releases = self.load()?;
        let same = |r: &Release| {
            r.target == release.target && r.arch == release.arch && r.bundle == release.bundle
        };
        let replaced: Vec<String> = releases
            .iter()
            .filter(|r| same(r) && r.file != release.file)
            .map(|r| r.file.clone())
            .collect();
        releases.retain(|r| !same(r));
        releases.push(release.clone());
        let json = serde_json::to_vec_pretty(&releases).map_err(io::Error::other);
        let manifest = self.manifest();
        write_whole(&manifest, &json.map_err(failed(&manifest))?).map_err(failed(&manifest))?;
        for file in replaced {
            if !releases.iter().any(|r| r.file == file) {
                // A leftover file costs only space; the release is published either way.
                if let Err(error) = std::fs::remove_file(self.dir.join(&file)) {
                    tracing::warn!(%error, %file, "cannot remove a replaced app package");
                }
            }
        }
        Ok(())
    }
}

/// The package's extension, kept as given (`deb`, `AppImage.tar.gz`, …).
fn extension(name: &str) -> &str {
    let lower = name.to_ascii_lowercase();
    for double in [".appimage.tar.gz", ".app.tar.gz"] {
        if lower.ends_with(double) {
            return &name[name.len() - double.len() + 1..];
        }
    }
    name.rsplit_once('.').map_or("", |(_, ext)| ext)
}

/// Writes `path` through a temporary file in the same folder and a rename, so a reader sees
/// the old file or the new one, never half of one.
fn write_whole(path: &Path, data: &[u8]) -> io::Result<()> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".partial");
    let temporary = PathBuf::from(temporary);
    std::fs::write(&temporary, data)?;
    std::fs::rename(&temporary, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundles_and_extensions_are_told_by_the_file_name() {
        assert_eq!(bundle_of("Trubka_0.2.0_amd64.deb"), Some("deb"));
        assert_eq!(bundle_of("Trubka-0.2.0-1.x86_64.rpm"), Some("rpm"));
        assert_eq!(
            bundle_of("Trubka_0.2.0_amd64.AppImage.tar.gz"),
            Some("appimage")
        );
        assert_eq!(bundle_of("Trubka_0.2.0_x64-setup.exe"), Some("nsis"));
        assert_eq!(bundle_of("notes.txt"), None);
        assert_eq!(
            extension("Trubka_0.2.0_amd64.AppImage.tar.gz"),
            "AppImage.tar.gz"
        );
        assert_eq!(extension("Trubka_0.2.0_amd64.deb"), "deb");
        assert_eq!(updater_arch("amd64"), "x86_64");
    }

    #[test]
    fn garbage_keys_and_signatures_are_told_apart_from_a_mismatch() {
        assert!(matches!(
            verify("not base64!", "", b"x"),
            Err(VerifyError::Key(_))
        ));
        let key = BASE64.encode("untrusted comment: x\nRWQ=\n");
        assert!(matches!(verify(&key, "", b"x"), Err(VerifyError::Key(_))));
    }
}
