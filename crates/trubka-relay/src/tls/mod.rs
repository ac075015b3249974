//! The relay's own HTTPS (`[tls]`, see `config/tls.rs`), for sites without a proxy that
//! terminates TLS.
//!
//! - `files`: PEM certificates and keys, read and checked; written 0600.
//! - `listener`: the TLS listener `axum::serve` takes (handshakes off the accept loop).
//! - `redirect`: the plain-HTTP listener: 308 to HTTPS, and the ACME http-01 answers.
//! - `acme`: certificates from an ACME CA, stored under the data folder, renewed.
//!
//! The certificate sits in a [`CertSlot`] every handshake reads, so a renewed certificate or
//! certificate files replaced on disk (noticed within seconds, or at once on SIGHUP) are
//! served from the next connection on, without a restart and without closing the agents'
//! open streams.

mod acme;
pub mod files;
mod listener;
pub mod redirect;

use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use rustls::ServerConfig;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;
use trubka_core::{Lang, tr};

pub use acme::AcmeError;
pub use acme::folder as acme_folder;
pub(crate) use acme::stored_certificate_for;
pub use files::{CertFileError, LoadedCert};
pub(crate) use listener::loopback_metrics;
pub use listener::{Peer, TlsListener};

use crate::config::{RelayConfig, TlsConfigError, TlsSource};
use crate::relay::{Relay, RelayError};
use acme::Acme;
use redirect::Challenges;

/// How often replaced certificate files are looked for (two `stat` calls).
const WATCH_FILES_EVERY: Duration = Duration::from_secs(2);
/// How long the redirect listener may take to close its connections at shutdown.
const REDIRECT_GOODBYE: Duration = Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error(transparent)]
    Config(#[from] TlsConfigError),
    #[error(transparent)]
    File(#[from] CertFileError),
    #[error(
        "the certificate {} expired on {not_after}: every client would refuse it; put the \
         renewed one there",
        path.display()
    )]
    Expired {
        path: PathBuf,
        not_after: DateTime<Utc>,
    },
    #[error("cannot listen on {addr} (redirect_listen): {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("TLS setup: {0}")]
    Rustls(#[from] rustls::Error),
}

/// The certificate every handshake gets; empty until an ACME certificate is first issued
/// (handshakes fail meanwhile, and nothing else does).
#[derive(Debug, Default)]
pub struct CertSlot(RwLock<Option<Arc<CertifiedKey>>>);

impl CertSlot {
    fn set(&self, key: Arc<CertifiedKey>) {
        // A poisoned lock still holds a whole `Option`: take it over.
        *self.0.write().unwrap_or_else(|p| p.into_inner()) = Some(key);
    }
}

impl ResolvesServerCert for CertSlot {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        self.0.read().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// Where the certificate comes from and until when it is valid, for `serve`'s banner.
enum Summary {
    Files {
        cert: PathBuf,
        names: Vec<String>,
        not_after: DateTime<Utc>,
    },
    Stored {
        names: Vec<String>,
        not_after: DateTime<Utc>,
    },
    Requested {
        domains: Vec<String>,
        directory: String,
    },
}

/// The HTTPS side of `serve`, prepared: certificates read, the redirect listener bound.
pub struct Tls {
    server: Arc<ServerConfig>,
    redirect: Option<TcpListener>,
    redirect_router: Option<axum::Router>,
    acme: Option<(Acme, Option<DateTime<Utc>>)>,
    watch: Option<FileWatch>,
    summary: Summary,
}

impl Tls {
    /// Reads `config.tls` (which must be set): loads the certificate files, or the stored
    /// ACME certificate, and binds `redirect_listen`. `https` is the bound HTTPS address.
    pub async fn prepare(config: &RelayConfig, https: SocketAddr) -> Result<Tls, TlsError> {
        let Some(tls) = &config.tls else {
            return Err(TlsConfigError::Empty.into());
        };
        let source = tls.source(config.listen)?;
        let slot = Arc::new(CertSlot::default());
        let challenges = Challenges::default();
        let (acme, watch, summary) = match &source {
            TlsSource::Files { cert, key } => {
                let loaded = load_current(cert, key)?;
                let summary = Summary::Files {
                    cert: cert.to_path_buf(),
                    names: loaded.names.clone(),
                    not_after: loaded.not_after,
                };
                slot.set(loaded.key);
                let watch = FileWatch::new(cert, key, Arc::clone(&slot));
                (None, Some(watch), summary)
            }
            TlsSource::Acme(settings) => {
                let acme = Acme::new(settings, &config.data_dir, challenges.clone(), slot.clone());
                let stored = acme.stored().filter(|c| c.not_after > Utc::now());
                let summary = match &stored {
                    Some(c) => Summary::Stored {
                        names: c.names.clone(),
                        not_after: c.not_after,
                    },
                    None => Summary::Requested {
                        domains: settings.domains.clone(),
                        directory: settings.directory.to_owned(),
                    },
                };
                let current = stored.map(|c| {
                    slot.set(c.key);
                    c.not_after
                });
                (Some((acme, current)), None, summary)
            }
        };
        let redirect = match tls.redirect_listen {
            Some(addr) => Some(
                TcpListener::bind(addr)
                    .await
                    .map_err(|source| TlsError::Bind { addr, source })?,
            ),
            None => None,
        };
        let target = redirect::Target {
            public_origin: redirect::public_origin(config.public_url.as_deref()),
            https_port: https.port(),
        };
        let mut server = ServerConfig::builder_with_provider(files::provider())
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_cert_resolver(slot.clone());
        server.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(Tls {
            server: Arc::new(server),
            redirect_router: redirect
                .as_ref()
                .map(|_| redirect::router(challenges, target)),
            redirect,
            acme,
            watch,
            summary,
        })
    }

    /// The bound plain-HTTP address, when `redirect_listen` is set.
    pub fn redirect_addr(&self) -> Option<SocketAddr> {
        self.redirect.as_ref().and_then(|l| l.local_addr().ok())
    }

    /// `serve`'s lines about HTTPS, after the listening address, in `lang`.
    pub fn write_banner(&self, out: &mut impl std::io::Write, lang: Lang) -> std::io::Result<()> {
        let date = |t: &DateTime<Utc>| t.format("%Y-%m-%d %H:%M UTC").to_string();
        let line = match &self.summary {
            Summary::Files {
                cert,
                names,
                not_after,
            } => {
                let (cert, names, date) = (cert.display(), names.join(", "), date(not_after));
                tr!(
                    lang,
                    "Сертификат HTTPS: {cert} ({names}), действует до {date}",
                    "HTTPS certificate: {cert} ({names}), valid until {date}"
                )
            }
            Summary::Stored { names, not_after } => {
                let (names, date) = (names.join(", "), date(not_after));
                tr!(
                    lang,
                    "Сертификат HTTPS от ACME для {names}, действует до {date}",
                    "HTTPS certificate from ACME for {names}, valid until {date}"
                )
            }
            Summary::Requested { domains, directory } => {
                let domains = domains.join(", ");
                tr!(
                    lang,
                    "Сертификат HTTPS для {domains} запрашивается у {directory}; пока его нет, \
                     HTTPS-соединения не устанавливаются",
                    "HTTPS certificate for {domains} being requested from {directory}; HTTPS \
                     connections fail until it comes"
                )
            }
        };
        writeln!(out, "{line}")?;
        if let Some(addr) = self.redirect_addr() {
            let line = if self.acme.is_some() {
                tr!(
                    lang,
                    "HTTP на http://{addr} перенаправляет на HTTPS и отвечает на проверки ACME",
                    "Plain HTTP on http://{addr} redirects to HTTPS and answers the ACME \
                     challenges"
                )
            } else {
                tr!(
                    lang,
                    "HTTP на http://{addr} перенаправляет на HTTPS",
                    "Plain HTTP on http://{addr} redirects to HTTPS"
                )
            };
            writeln!(out, "{line}")?;
        }
        Ok(())
    }

    /// Serves `relay` over HTTPS on `listener`, with the redirect listener and the
    /// certificate upkeep beside it, until `shutdown`.
    pub async fn serve(
        self,
        relay: Relay,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), RelayError> {
        // ACME's HTTP client builds its rustls configuration with the process default;
        // ring is the one compiled in. Already installed is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let stop = CancellationToken::new();
        let mut tasks = Vec::new();
        if let (Some(tcp), Some(router)) = (self.redirect, self.redirect_router) {
            let stop = stop.clone();
            tasks.push(tokio::spawn(async move {
                let served = axum::serve(tcp, router)
                    .with_graceful_shutdown(stop.cancelled_owned())
                    .await;
                if let Err(error) = served {
                    tracing::error!(%error, "the HTTP redirect listener stopped");
                }
            }));
        }
        if let Some((acme, current)) = self.acme {
            tasks.push(tokio::spawn(acme.run(current, stop.clone())));
        }
        let hangup = Arc::new(Notify::new());
        if let Some(listening) = on_hangup(Arc::clone(&hangup), self.watch.is_some(), stop.clone())
        {
            tasks.push(tokio::spawn(listening));
        }
        if let Some(watch) = self.watch {
            tasks.push(tokio::spawn(watch.run(hangup, stop.clone())));
        }
        let listener = TlsListener::new(listener, TlsAcceptor::from(self.server))?;
        let stop_on_signal = stop.clone();
        let served = relay
            .serve(listener, async move {
                shutdown.await;
                stop_on_signal.cancel();
            })
            .await;
        stop.cancel();
        for task in tasks {
            if tokio::time::timeout(REDIRECT_GOODBYE, task).await.is_err() {
                tracing::warn!("a TLS task did not stop in time");
            }
        }
        served
    }
}

/// SIGHUP, the usual «read your files again», reloads certificate files at once; with ACME
/// there is nothing to read. Either way the relay goes on (without a handler, SIGHUP would
/// end the process). Listening starts before this returns, so a SIGHUP sent once the relay
/// answers is never the default one.
#[cfg(unix)]
fn on_hangup(
    hangup: Arc<Notify>,
    files: bool,
    stop: CancellationToken,
) -> Option<impl Future<Output = ()> + Send + 'static> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut signals = match signal(SignalKind::hangup()) {
        Ok(signals) => signals,
        Err(error) => {
            tracing::warn!(%error, "cannot listen for SIGHUP; certificate files are still \
                looked at every few seconds");
            return None;
        }
    };
    Some(async move {
        loop {
            tokio::select! {
                () = stop.cancelled() => return,
                received = signals.recv() => {
                    if received.is_none() {
                        return;
                    }
                    if files {
                        tracing::info!("SIGHUP: reading the certificate files again");
                        hangup.notify_one();
                    } else {
                        tracing::info!("SIGHUP: certificates come from ACME; nothing to read");
                    }
                }
            }
        }
    })
}

#[cfg(not(unix))]
fn on_hangup(
    _hangup: Arc<Notify>,
    _files: bool,
    _stop: CancellationToken,
) -> Option<std::future::Ready<()>> {
    None
}

/// Certificate files that must be usable now (not expired).
fn load_current(cert: &Path, key: &Path) -> Result<LoadedCert, TlsError> {
    let loaded = files::load(cert, key)?;
    if loaded.not_after <= Utc::now() {
        return Err(TlsError::Expired {
            path: cert.to_owned(),
            not_after: loaded.not_after,
        });
    }
    Ok(loaded)
}

/// Certificate files replaced on disk (certbot's renewal, an admin's copy) are served
/// from the next handshake on; a pair that does not load yet (the key written, the chain
/// not) is tried again at the next look, and the one in use stays meanwhile.
struct FileWatch {
    cert: PathBuf,
    key: PathBuf,
    slot: Arc<CertSlot>,
    seen: Option<(Stamp, Stamp)>,
}

/// What tells a replaced file: its modification time and length.
type Stamp = Option<(SystemTime, u64)>;

impl FileWatch {
    fn new(cert: &Path, key: &Path, slot: Arc<CertSlot>) -> FileWatch {
        let mut watch = FileWatch {
            cert: cert.to_owned(),
            key: key.to_owned(),
            slot,
            seen: None,
        };
        watch.seen = Some(watch.stamps());
        watch
    }

    fn stamps(&self) -> (Stamp, Stamp) {
        let stamp = |path: &Path| {
            let meta = std::fs::metadata(path).ok()?;
            Some((meta.modified().ok()?, meta.len()))
        };
        (stamp(&self.cert), stamp(&self.key))
    }

    /// Looks every [`WATCH_FILES_EVERY`], and at once when `hangup` is notified (SIGHUP:
    /// the files are read then even if they look unchanged).
    async fn run(mut self, hangup: Arc<Notify>, stop: CancellationToken) {
        let mut failed_once = false;
        loop {
            let asked = tokio::select! {
                () = stop.cancelled() => return,
                () = tokio::time::sleep(WATCH_FILES_EVERY) => false,
                () = hangup.notified() => true,
            };
            let now = self.stamps();
            if self.seen == Some(now) && !asked {
                continue;
            }
            match load_current(&self.cert, &self.key) {
                Ok(loaded) => {
                    tracing::info!(cert = %self.cert.display(), not_after = %loaded.not_after,
                        "certificate files read; serving the certificate in them");
                    self.slot.set(loaded.key);
                    self.seen = Some(now);
                    failed_once = false;
                }
                // Half-replaced files: give the writer one more look before saying so (an
                // admin's SIGHUP says the files are ready: no second look then).
                Err(error) if failed_once || asked => {
                    tracing::warn!(%error, "the changed certificate files cannot be used; \
                        still serving the previous certificate");
                    self.seen = Some(now);
                    failed_once = false;
                }
                Err(_) => failed_once = true,
            }
        }
    }
}
