//! Certificates and keys on disk: read as PEM and checked the way a handshake would find
//! out too late (no certificate in the file, a key of another certificate), and written
//! private to the relay's user.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::sign::CertifiedKey;
use trubka_core::Lang;

/// Why a certificate or key file cannot be used; each names the file.
#[derive(Debug, thiserror::Error)]
pub enum CertFileError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} holds no PEM certificate (-----BEGIN CERTIFICATE-----)", path.display())]
    NoCertificate { path: PathBuf },
    #[error("{} is not PEM: {reason}", path.display())]
    NotPem { path: PathBuf, reason: String },
    #[error(
        "{} holds no PEM private key (-----BEGIN PRIVATE KEY-----, RSA or EC PRIVATE KEY)",
        path.display()
    )]
    NoKey { path: PathBuf },
    #[error("the key {} cannot be used: {reason}", path.display())]
    BadKey { path: PathBuf, reason: String },
    #[error(
        "the key {} is not the key of the certificate {}: give the pair issued together",
        key.display(),
        cert.display()
    )]
    KeyMismatch { cert: PathBuf, key: PathBuf },
    #[error("the certificate in {} cannot be read: {reason}", path.display())]
    BadCertificate { path: PathBuf, reason: String },
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl CertFileError {
    /// The message for the admin in `lang` (`serve`'s error and `check`'s line); the
    /// `Display` stays English, for the log.
    pub fn localized(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            CertFileError::Read { path, source } => {
                format!("не удаётся прочитать {}: {source}", path.display())
            }
            CertFileError::NoCertificate { path } => format!(
                "в {} нет сертификата PEM (-----BEGIN CERTIFICATE-----)",
                path.display()
            ),
            CertFileError::NotPem { path, reason } => {
                format!("файл {} не в формате PEM: {reason}", path.display())
            }
            CertFileError::NoKey { path } => format!(
                "в {} нет закрытого ключа PEM (-----BEGIN PRIVATE KEY-----, RSA или EC PRIVATE KEY)",
                path.display()
            ),
            CertFileError::BadKey { path, reason } => {
                format!("ключ {} непригоден: {reason}", path.display())
            }
            CertFileError::KeyMismatch { cert, key } => format!(
                "ключ {} не от сертификата {}: нужна пара, выпущенная вместе",
                key.display(),
                cert.display()
            ),
            CertFileError::BadCertificate { path, reason } => {
                format!("сертификат в {} не читается: {reason}", path.display())
            }
            CertFileError::Write { path, source } => {
                format!("не удаётся записать {}: {source}", path.display())
            }
        }
    }
}

/// A certificate chain with its key, ready for rustls, and what `check` and renewal read.
#[derive(Debug, Clone)]
pub struct LoadedCert {
    pub key: Arc<CertifiedKey>,
    pub not_after: DateTime<Utc>,
    /// The DNS names the certificate is valid for (subject alternative names), lower-case.
    pub names: Vec<String>,
}

/// Reads a PEM chain and its key and checks that they belong together.
pub fn load(cert_path: &Path, key_path: &Path) -> Result<LoadedCert, CertFileError> {
    let cert_pem = read(cert_path)?;
    let key_pem = read(key_path)?;
    from_pem(&cert_pem, cert_path, &key_pem, key_path)
}

/// [`load`] on text already read; the paths are for the messages.
pub fn from_pem(
    cert_pem: &[u8],
    cert_path: &Path,
    key_pem: &[u8],
    key_path: &Path,
) -> Result<LoadedCert, CertFileError> {
    let chain = CertificateDer::pem_slice_iter(cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| not_pem(cert_path, e))?;
    let Some(leaf) = chain.first() else {
        return Err(CertFileError::NoCertificate {
            path: cert_path.to_owned(),
        });
    };
    let (not_after, names) = describe(leaf).map_err(|reason| CertFileError::BadCertificate {
        path: cert_path.to_owned(),
        reason,
    })?;
    let key = match PrivateKeyDer::from_pem_slice(key_pem) {
        Ok(key) => key,
        Err(pem::Error::NoItemsFound) => {
            return Err(CertFileError::NoKey {
                path: key_path.to_owned(),
            });
        }
        Err(e) => return Err(not_pem(key_path, e)),
    };
    let provider = provider();
    let signing =
        provider
            .key_provider
            .load_private_key(key)
            .map_err(|e| CertFileError::BadKey {
                path: key_path.to_owned(),
                reason: e.to_string(),
            })?;
    let certified = CertifiedKey::new(chain, signing);
    match certified.keys_match() {
        Ok(()) => {}
        // A key type whose public half rustls cannot derive: the handshake will tell.
        Err(rustls::Error::InconsistentKeys(rustls::InconsistentKeys::Unknown)) => {}
        Err(_) => {
            return Err(CertFileError::KeyMismatch {
                cert: cert_path.to_owned(),
                key: key_path.to_owned(),
            });
        }
    }
    Ok(LoadedCert {
        key: Arc::new(certified),
        not_after,
        names,
    })
}

/// The one crypto provider the relay's TLS uses (ring, as the rest of the workspace).
pub(crate) fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The leaf's expiry and DNS names.
fn describe(leaf: &CertificateDer<'_>) -> Result<(DateTime<Utc>, Vec<String>), String> {
    use x509_parser::prelude::{FromDer, GeneralName, X509Certificate};
    let (_, cert) = X509Certificate::from_der(leaf.as_ref()).map_err(|e| e.to_string())?;
    let seconds = cert.validity().not_after.timestamp();
    let not_after = DateTime::from_timestamp(seconds, 0)
        .ok_or_else(|| format!("expiry {seconds} is out of range"))?;
    let mut names = Vec::new();
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        for name in &san.value.general_names {
            if let GeneralName::DNSName(dns) = name {
                names.push(dns.to_ascii_lowercase());
            }
        }
    }
    Ok((not_after, names))
}

fn read(path: &Path) -> Result<Vec<u8>, CertFileError> {
    std::fs::read(path).map_err(|source| CertFileError::Read {
        path: path.to_owned(),
        source,
    })
}

fn not_pem(path: &Path, error: pem::Error) -> CertFileError {
    CertFileError::NotPem {
        path: path.to_owned(),
        reason: error.to_string(),
    }
}

/// Writes `contents` to `path` readable by the owner only (0600 on Unix), through a
/// temporary file renamed over it, so a crash never leaves half a key or half a chain.
pub(crate) fn write_private(path: &Path, contents: &[u8]) -> Result<(), CertFileError> {
    let failed = |source| CertFileError::Write {
        path: path.to_owned(),
        source,
    };
    let temporary = path.with_extension("tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&temporary).map_err(failed)?;
    // The mode applies only to a new file: one left by an earlier crash keeps its own.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(failed)?;
    }
    file.write_all(contents).map_err(failed)?;
    file.sync_all().map_err(failed)?;
    drop(file);
    std::fs::rename(&temporary, path).map_err(failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreadable_and_non_pem_files_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.pem");
        let err = load(&missing, &missing).unwrap_err();
        assert!(matches!(err, CertFileError::Read { .. }), "{err}");
        assert!(err.to_string().contains("missing.pem"), "{err}");

        let text = dir.path().join("notes.txt");
        std::fs::write(&text, "not a certificate\n").unwrap();
        let err = load(&text, &text).unwrap_err();
        assert!(matches!(err, CertFileError::NoCertificate { .. }), "{err}");
    }

    #[test]
    fn written_files_are_private_and_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key.pem");
        write_private(&path, b"one").unwrap();
        write_private(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(!path.with_extension("tmp").exists());
    }
}
