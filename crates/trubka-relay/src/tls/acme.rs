//! Certificates from an ACME CA (Let's Encrypt by default) with the http-01 challenge,
//! kept under the data folder and renewed in the background.
//!
//! Everything lives in `{data_dir}/acme/{directory}/` (one folder per CA directory URL, so
//! moving from a test CA to Let's Encrypt never reuses the test account or certificate):
//! `account.json` (the account key), `cert.pem` (the chain) and `key.pem`, each 0600. A
//! restart reuses all three. A certificate is renewed when fewer than `acme_renew_days`
//! are left; a failed attempt is logged and retried with a growing pause, and the relay
//! keeps serving the certificate it has.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use instant_acme::{
    Account, AccountCredentials, AuthorizationStatus, ChallengeType, Identifier, NewAccount,
    NewOrder, OrderStatus, RetryPolicy,
};
use sha2::{Digest, Sha256};
use tokio_util::sync::CancellationToken;

use crate::config::AcmeSettings;
use crate::tls::CertSlot;
use crate::tls::files::{self, CertFileError, LoadedCert};
use crate::tls::redirect::Challenges;

/// How long one order may take from the challenges to the certificate.
const ORDER_WITHIN: Duration = Duration::from_secs(120);
/// How long one whole attempt may take (account, order, certificate): the CA's HTTP
/// client has no timeout of its own, and a CA that stops answering must not stop renewals.
const ATTEMPT_WITHIN: Duration = Duration::from_secs(300);
/// The first pause after a failed attempt; it doubles up to [`RETRY_AT_MOST`].
const RETRY_FIRST: Duration = Duration::from_secs(60);
const RETRY_AT_MOST: Duration = Duration::from_secs(6 * 3600);
/// The least time between two certificates: with `acme_renew_days` longer than the CA's
/// certificates live, each new one would be due at once, and the CA would be asked again
/// and again until it refuses the account.
const RENEW_GAP: Duration = Duration::from_secs(24 * 3600);
/// Sleeps towards the renewal date are cut into pieces this long, so a wall clock that
/// jumps (a VM resumed after days) is noticed.
const RECHECK_EVERY: Duration = Duration::from_secs(3600);

#[derive(Debug, thiserror::Error)]
pub enum AcmeError {
    #[error("ACME: {0}")]
    Protocol(#[from] instant_acme::Error),
    #[error(transparent)]
    File(#[from] CertFileError),
    #[error("cannot read the stored ACME account {}: {reason}", path.display())]
    Account { path: PathBuf, reason: String },
    #[error("the CA offers no http-01 challenge for {0}")]
    NoHttp01(String),
    #[error("the CA refused {domain}: authorization {status:?}")]
    Refused {
        domain: String,
        status: AuthorizationStatus,
    },
    #[error("the order ended {0:?}: the CA could not fetch the challenge over HTTP on port 80")]
    NotReady(OrderStatus),
    #[error("the CA did not finish within {0:?}")]
    TimedOut(Duration),
}

/// One relay's ACME certificates.
pub(crate) struct Acme {
    domains: Vec<String>,
    contact: String,
    directory: String,
    ca_file: Option<PathBuf>,
    renew_before: TimeDelta,
    folder: PathBuf,
    challenges: Challenges,
    slot: Arc<CertSlot>,
}

impl Acme {
    pub(crate) fn new(
        settings: &AcmeSettings<'_>,
        data_dir: &Path,
        challenges: Challenges,
        slot: Arc<CertSlot>,
    ) -> Acme {
        let days = i64::try_from(settings.renew_days).unwrap_or(i64::MAX);
        Acme {
            domains: settings.domains.clone(),
            contact: settings.contact.clone(),
            directory: settings.directory.to_owned(),
            ca_file: settings.ca_file.map(Path::to_owned),
            renew_before: TimeDelta::try_days(days).unwrap_or(TimeDelta::MAX),
            folder: folder(data_dir, settings.directory),
            challenges,
            slot,
        }
    }

    // The same names as `stored_certificate` reads.
    fn cert_path(&self) -> PathBuf {
        self.folder.join("cert.pem")
    }

    fn key_path(&self) -> PathBuf {
        self.folder.join("key.pem")
    }

    /// The stored certificate, when it is for exactly these domains; expired or not (the
    /// caller decides). Any other state is logged and means «get a new one».
    pub(crate) fn stored(&self) -> Option<LoadedCert> {
        match stored_certificate(&self.folder)? {
            Ok(loaded) if same_names(&loaded.names, &self.domains) => Some(loaded),
            Ok(loaded) => {
                tracing::info!(stored = ?loaded.names, wanted = ?self.domains,
                    "the stored certificate is for other domains; getting a new one");
                None
            }
            Err(error) => {
                tracing::warn!(%error, "cannot use the stored certificate; getting a new one");
                None
            }
        }
    }

    /// When a certificate valid until `not_after` is due for renewal.
    fn renew_at(&self, not_after: DateTime<Utc>) -> DateTime<Utc> {
        not_after
            .checked_sub_signed(self.renew_before)
            .unwrap_or(DateTime::<Utc>::MIN_UTC)
    }

    /// Keeps a certificate in the slot until `stop`: gets one now when `current` is `None`,
    /// else renews it when due; failures are retried with a growing pause.
    pub(crate) async fn run(self, mut current: Option<DateTime<Utc>>, stop: CancellationToken) {
        let mut pause = RETRY_FIRST;
        let mut issued: Option<tokio::time::Instant> = None;
        loop {
            if let Some(not_after) = current {
                let due = self.renew_at(not_after);
                let until_due = (due - Utc::now()).to_std().unwrap_or(Duration::ZERO);
                let gap =
                    issued.map_or(Duration::ZERO, |at| RENEW_GAP.saturating_sub(at.elapsed()));
                let wait = until_due.max(gap);
                if !wait.is_zero() {
                    tracing::info!(%not_after, renew_at = %due, "ACME certificate valid");
                    tokio::select! {
                        () = stop.cancelled() => return,
                        () = tokio::time::sleep(wait.min(RECHECK_EVERY)) => continue,
                    }
                }
            }
            let attempt = tokio::select! {
                () = stop.cancelled() => return,
                attempt = tokio::time::timeout(ATTEMPT_WITHIN, self.issue()) => {
                    attempt.unwrap_or(Err(AcmeError::TimedOut(ATTEMPT_WITHIN)))
                }
            };
            match attempt {
                Ok(loaded) => {
                    tracing::info!(domains = ?self.domains, not_after = %loaded.not_after,
                        "ACME certificate issued");
                    if self.renew_at(loaded.not_after) <= Utc::now() {
                        tracing::warn!(renew_days = self.renew_before.num_days(),
                            not_after = %loaded.not_after, "acme_renew_days is longer than the \
                            CA's certificates live; renewing once a day instead");
                    }
                    current = Some(loaded.not_after);
                    issued = Some(tokio::time::Instant::now());
                    self.slot.set(loaded.key);
                    pause = RETRY_FIRST;
                }
                Err(error) => {
                    tracing::warn!(%error, retry_in_secs = pause.as_secs(), has_certificate =
                        current.is_some_and(|t| t > Utc::now()), "cannot get an ACME certificate");
                    tokio::select! {
                        () = stop.cancelled() => return,
                        () = tokio::time::sleep(pause) => {}
                    }
                    pause = (pause * 2).min(RETRY_AT_MOST);
                }
            }
        }
    }

    /// One order: challenges answered on the redirect listener, the certificate fetched,
    /// stored and returned.
    async fn issue(&self) -> Result<LoadedCert, AcmeError> {
        let account = self.account().await?;
        let identifiers: Vec<Identifier> = self
            .domains
            .iter()
            .map(|domain| Identifier::Dns(domain.clone()))
            .collect();
        let mut order = account.new_order(&NewOrder::new(&identifiers)).await?;
        let mut tokens = Vec::new();
        let answered = self.answer(&mut order, &mut tokens).await;
        let finished = match answered {
            Ok(()) => finish(&mut order).await,
            Err(error) => Err(error),
        };
        // Answers are for this order only.
        for token in &tokens {
            self.challenges.remove(token);
        }
        let (chain, key) = finished?;
        let loaded = files::from_pem(
            chain.as_bytes(),
            &self.cert_path(),
            key.as_bytes(),
            &self.key_path(),
        )?;
        // The key first: a chain next to an old key would not load after a crash.
        files::write_private(&self.key_path(), key.as_bytes())?;
        files::write_private(&self.cert_path(), chain.as_bytes())?;
        Ok(loaded)
    }

    /// Publishes the http-01 answer of every pending authorization and tells the CA.
    async fn answer(
        &self,
        order: &mut instant_acme::Order,
        tokens: &mut Vec<String>,
    ) -> Result<(), AcmeError> {
        let mut authorizations = order.authorizations();
        while let Some(authorization) = authorizations.next().await {
            let mut authorization = authorization?;
            let domain = authorization.identifier().to_string();
            match authorization.status {
                AuthorizationStatus::Pending => {}
                AuthorizationStatus::Valid => continue,
                status => return Err(AcmeError::Refused { domain, status }),
            }
            let mut challenge = authorization
                .challenge(ChallengeType::Http01)
                .ok_or_else(|| AcmeError::NoHttp01(domain))?;
            let answer = challenge.key_authorization().as_str().to_owned();
            self.challenges.insert(challenge.token.clone(), answer);
            tokens.push(challenge.token.clone());
            challenge.set_ready().await?;
        }
        Ok(())
    }

    /// The stored account, or a new one (stored before use).
    async fn account(&self) -> Result<Account, AcmeError> {
        let builder = match &self.ca_file {
            Some(root) => Account::builder_with_root(root)?,
            None => Account::builder()?,
        };
        let path = self.folder.join("account.json");
        if path.exists() {
            let stored = |reason: String| AcmeError::Account {
                path: path.clone(),
                reason,
            };
            let text = std::fs::read(&path).map_err(|e| stored(e.to_string()))?;
            let credentials: AccountCredentials =
                serde_json::from_slice(&text).map_err(|e| stored(e.to_string()))?;
            return Ok(builder.from_credentials(credentials).await?);
        }
        std::fs::create_dir_all(&self.folder).map_err(|source| CertFileError::Write {
            path: self.folder.clone(),
            source,
        })?;
        let contact = [self.contact.as_str()];
        let new = NewAccount {
            contact: &contact,
            terms_of_service_agreed: true,
            only_return_existing: false,
        };
        let (account, credentials) = builder.create(&new, self.directory.clone(), None).await?;
        let json = serde_json::to_vec(&credentials).map_err(|e| AcmeError::Account {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        files::write_private(&path, &json)?;
        tracing::info!(directory = %self.directory, "ACME account created");
        Ok(account)
    }
}

/// The certificate stored for the CA directory of `settings`, if any, read and checked.
pub(crate) fn stored_certificate_for(
    settings: &AcmeSettings<'_>,
    data_dir: &Path,
) -> Option<Result<LoadedCert, CertFileError>> {
    stored_certificate(&folder(data_dir, settings.directory))
}

fn stored_certificate(folder: &Path) -> Option<Result<LoadedCert, CertFileError>> {
    let cert = folder.join("cert.pem");
    if !cert.exists() {
        return None;
    }
    Some(files::load(&cert, &folder.join("key.pem")))
}

/// Waits for the CA to validate, then finalizes with a fresh key: (chain PEM, key PEM).
async fn finish(order: &mut instant_acme::Order) -> Result<(String, String), AcmeError> {
    let retry = RetryPolicy::new().timeout(ORDER_WITHIN);
    let status = order.poll_ready(&retry).await?;
    if status != OrderStatus::Ready {
        return Err(AcmeError::NotReady(status));
    }
    let key = order.finalize().await?;
    let chain = order.poll_certificate(&retry).await?;
    Ok((chain, key))
}

/// Where the account and certificates of the ACME `directory` are kept:
/// `{data_dir}/acme/{host}-{hash}`, readable, and distinct for every directory URL.
pub fn folder(data_dir: &Path, directory: &str) -> PathBuf {
    let host = url::Url::parse(directory)
        .ok()
        .and_then(|url| url.host_str().map(str::to_owned))
        .unwrap_or_default();
    let host: String = host
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let hash = hex::encode(&Sha256::digest(directory.as_bytes())[..4]);
    data_dir.join("acme").join(format!("{host}-{hash}"))
}

fn same_names(have: &[String], want: &[String]) -> bool {
    have.len() == want.len() && want.iter().all(|name| have.contains(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acme(renew_days: u64) -> Acme {
        let settings = AcmeSettings {
            domains: vec!["relay.example.com".into()],
            contact: "mailto:a@example.com".into(),
            directory: crate::config::LETS_ENCRYPT,
            ca_file: None,
            renew_days,
        };
        Acme::new(
            &settings,
            Path::new("/var/lib/trubka"),
            Challenges::default(),
            Arc::default(),
        )
    }

    #[test]
    fn renewal_is_due_the_configured_days_before_expiry() {
        let not_after = DateTime::parse_from_rfc3339("2027-03-01T00:00:00Z")
            .unwrap()
            .to_utc();
        let expected = DateTime::parse_from_rfc3339("2027-01-30T00:00:00Z")
            .unwrap()
            .to_utc();
        assert_eq!(acme(30).renew_at(not_after), expected);
        assert_eq!(acme(u64::MAX).renew_at(not_after), DateTime::<Utc>::MIN_UTC);
    }

    #[test]
    fn each_directory_has_its_own_folder() {
        let name = |path: PathBuf| path.file_name().unwrap().to_string_lossy().into_owned();
        let production = acme(30).folder;
        assert_eq!(production.parent(), Some(Path::new("/var/lib/trubka/acme")));
        let production = name(production);
        assert!(
            production.starts_with("acme-v02.api.letsencrypt.org-"),
            "{production}"
        );
        let data = Path::new("/var/lib/trubka");
        let staging = name(folder(
            data,
            "https://acme-staging-v02.api.letsencrypt.org/directory",
        ));
        assert!(staging.starts_with("acme-staging-v02.api.letsencrypt.org-"));
        let pebble = name(folder(data, "https://127.0.0.1:14000/dir"));
        let other_path = name(folder(data, "https://127.0.0.1:14000/other"));
        assert!(pebble.starts_with("127.0.0.1-"), "{pebble}");
        assert_ne!(pebble, other_path, "the whole URL tells directories apart");
    }

    #[test]
    fn the_stored_certificate_must_name_exactly_the_domains() {
        let want = vec!["a.ru".to_owned(), "b.ru".to_owned()];
        assert!(same_names(&["b.ru".into(), "a.ru".into()], &want));
        assert!(!same_names(&["a.ru".into()], &want));
        assert!(!same_names(&["a.ru".into(), "c.ru".into()], &want));
    }
}
