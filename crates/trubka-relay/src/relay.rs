//! The running relay: shared state, the router, and `run(listener, config, shutdown)`.
//!
//! Shape borrowed from mini-redis: the caller binds the listener and supplies the shutdown
//! signal, so the binary passes Ctrl-C and tests pass whatever they like, on port 0.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::connect_info::Connected;
use axum::serve::IncomingStream;
use chrono::FixedOffset;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use trubka_core::phone::{PhoneError, PhoneParser};

use crate::cases::{CaseFeed, CaseQueue, CaseThread, Cases};
use crate::choices::Choices;
use crate::config::{ConfigError, RelayConfig};
use crate::directory::DirectoryError;
use crate::directory::crm::CrmLookup;
use crate::directory::live::Directory;
use crate::directory::uis_sync::UisSync;
use crate::hub::Hub;
use crate::invites::InviteDesk;
use crate::metrics::Metrics;
use crate::pbx::{PbxApis, PbxSetupError};
use crate::placed::PlacedCalls;
use crate::presence::{Presence, ReadBack};
use crate::reconcile::Reconciler;
use crate::retention::Retention;
use crate::store::read::ReadPool;
use crate::store::writer::{self, WriterHandle, WriterThread};
use crate::store::{HookTokens, Store, StoreError, prepare_data_dir};
use crate::tls::Peer;
use crate::uis_tags::Tagger;

/// How often the writer is woken to notice agent changes (revocations) when idle.
const AGENT_CHECK_EVERY: Duration = Duration::from_secs(1);
/// How long shutdown waits for streams to say goodbye before giving up on them.
const STREAM_GOODBYE: Duration = Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("default_region: {0}")]
    Region(#[from] PhoneError),
    #[error(transparent)]
    Pbx(#[from] PbxSetupError),
    #[error(transparent)]
    Directory(#[from] DirectoryError),
    #[error("cannot set up the CRM's HTTP client ([directory.lookup]): {0}")]
    Crm(String),
    #[error("server error: {0}")]
    Io(#[from] io::Error),
}

/// Everything request handlers share. Cloning is one reference-count increment.
#[derive(Clone)]
pub(crate) struct AppState(Arc<Shared>);

pub(crate) struct Shared {
    pub(crate) epoch: String,
    pub(crate) hook_tokens: HookTokens,
    pub(crate) phones: PhoneParser,
    /// The accounts' time zones (`[uis]`/`[sipuni] utc_offset`), for payload times written
    /// in local time without an offset.
    pub(crate) uis_utc_offset: FixedOffset,
    pub(crate) sipuni_utc_offset: FixedOffset,
    pub(crate) writer: WriterHandle,
    pub(crate) reads: Arc<ReadPool>,
    pub(crate) hub: Arc<Hub>,
    pub(crate) metrics: Arc<Metrics>,
    /// The PBX API clients (click-to-call, reconciliation), when configured.
    pub(crate) pbx: Arc<PbxApis>,
    /// Scenarios, schemes, sites and campaigns by name (`crate::choices`).
    pub(crate) choices: Choices,
    /// Who placed which call from Trubka (`crate::placed`).
    pub(crate) placed: PlacedCalls,
    /// The team directory: its writes and the version every stream is told.
    pub(crate) directory: Arc<Directory>,
    /// The CRM asked about new calls' unknown callers (`[directory.lookup]`), when set.
    pub(crate) crm: Option<Arc<CrmLookup>>,
    /// The team's cases: jobs on the case worker's thread (`crate::cases`).
    pub(crate) cases: Cases,
    /// Agents' statuses on their PBX (`crate::presence`), also told by the case worker who is
    /// on a call.
    pub(crate) presence: Arc<Presence>,
    /// Wakes the tagger when a note with tags is stored (`crate::uis_tags`).
    pub(crate) uis_tags: Arc<tokio::sync::Notify>,
    /// Sign-in links: looked up by the join page, exchanged by `POST /v1/join`.
    pub(crate) invites: InviteDesk,
    /// App builds published by `app publish`, offered by `/v1/app/update/…`.
    pub(crate) updates: crate::updates::Releases,
    /// Cancelled when the relay shuts down; streams then close with 1012.
    pub(crate) shutdown: CancellationToken,
    /// The stream tasks, which outlive their HTTP connection once upgraded; shutdown waits
    /// for them.
    pub(crate) streams: TaskTracker,
}

impl Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// An opened relay: database migrated, hook tokens settled, writer thread running.
pub struct Relay {
    state: AppState,
    config: RelayConfig,
    writer: WriterThread,
    cases: CaseThread,
}

/// The webhook URLs to configure in the PBX cabinets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrls {
    pub uis: String,
    pub sipuni: String,
}

impl Relay {
    /// Opens the database under `config.data_dir` and starts the writer thread. Needs no
    /// async runtime; [`Relay::serve`] does.
    pub fn open(config: RelayConfig) -> Result<Relay, RelayError> {
        config
            .retention
            .validate(&config.reconcile)
            .map_err(ConfigError::from)?;
        if let Some(lookup) = &config.directory.lookup {
            lookup.validate().map_err(ConfigError::from)?;
        }
        let phones = PhoneParser::new(&config.default_region)?;
        let pbx = Arc::new(PbxApis::from_config(&config)?);
        let path = prepare_data_dir(&config.data_dir)?;
        let (epoch, hook_tokens) = {
            let store = Store::open(&config.data_dir)?;
            (store.epoch()?, store.hook_tokens(&config)?)
        };
        let metrics = Arc::new(Metrics::default());
        let hub = Arc::new(Hub::new(Arc::clone(&metrics)));
        let case_queue = Arc::new(CaseQueue::default());
        let (writer, writer_thread) = writer::start(
            &path,
            Arc::clone(&hub),
            Arc::clone(&metrics),
            CaseFeed(Arc::clone(&case_queue)),
        )?;
        let presence = Arc::new(Presence::new(Duration::from_secs(
            config.presence_interval_secs,
        )));
        let (cases, case_thread) = crate::cases::start(
            &path,
            config.cases,
            Arc::clone(&hub),
            Arc::clone(&presence),
            case_queue,
        )?;
        let reads = Arc::new(ReadPool::new(path.clone()));
        let crm = match &config.directory.lookup {
            Some(lookup) => Some(Arc::new(
                CrmLookup::new(
                    lookup.clone(),
                    Arc::clone(&reads),
                    writer.clone(),
                    Arc::clone(&hub),
                    Arc::clone(&metrics),
                )
                .map_err(|e| RelayError::Crm(e.to_string()))?,
            )),
            None => None,
        };
        let numbers = trubka_contacts::numbers::NumberParser::new(&config.default_region)
            .map_err(|e| DirectoryError::Region(e.to_string()))?;
        let directory = Arc::new(Directory::open(path.clone(), numbers, Arc::clone(&hub))?);
        let state = AppState(Arc::new(Shared {
            epoch,
            hook_tokens,
            phones,
            uis_utc_offset: config.uis.utc_offset,
            sipuni_utc_offset: config.sipuni.utc_offset,
            writer,
            reads,
            crm,
            cases,
            presence,
            uis_tags: Arc::new(tokio::sync::Notify::new()),
            invites: InviteDesk::new(path.clone(), config.public_url.clone()),
            updates: crate::updates::Releases::new(&config.data_dir),
            placed: PlacedCalls::new(path),
            directory,
            choices: Choices::new(config.sipuni.trees.clone()),
            hub,
            metrics,
            pbx,
            shutdown: CancellationToken::new(),
            streams: TaskTracker::new(),
        }));
        Ok(Relay {
            state,
            config,
            writer: writer_thread,
            cases: case_thread,
        })
    }

    /// The HTTP routes (see [`crate::http`]), for serving or for `tower::ServiceExt::oneshot`.
    pub fn router(&self) -> Router {
        crate::http::router(self.state.clone())
    }

    /// The id of this relay's event log.
    pub fn epoch(&self) -> &str {
        &self.state.epoch
    }

    pub fn hook_tokens(&self) -> &HookTokens {
        &self.state.hook_tokens
    }

    pub fn metrics(&self) -> Arc<Metrics> {
        Arc::clone(&self.state.metrics)
    }

    /// Reconciliation against the PBX call history (see [`crate::reconcile`]); `serve` runs it
    /// on its schedule, and [`Reconciler::run_once`] runs it now.
    pub fn reconciler(&self) -> Reconciler {
        Reconciler::new(self.state.clone(), self.config.reconcile.clone())
    }

    /// Reading agents' statuses back from the PBXs (see [`crate::presence`]); `serve` runs it
    /// every `presence_interval_secs`, and [`ReadBack::run_once`] runs it now.
    pub fn presence(&self) -> ReadBack {
        ReadBack::new(self.state.clone())
    }

    /// Setting the tags of notes on their UIS calls (see [`crate::uis_tags`]); `serve` runs
    /// it, and [`Tagger::run_once`] runs a pass now.
    pub fn tagger(&self) -> Tagger {
        Tagger::new(
            self.state.clone(),
            self.config.cases.uis_tags,
            Duration::from_secs(u64::from(self.config.cases.uis_tag_retry_secs)),
        )
    }

    /// The UIS address book read into the team directory (see
    /// [`crate::directory::uis_sync`]); `serve` runs it with `[directory.uis_sync]`, and
    /// [`UisSync::run_once`] runs a pass now.
    pub fn uis_sync(&self) -> UisSync {
        UisSync::new(
            Arc::clone(&self.state.pbx),
            Arc::clone(&self.state.directory),
            Arc::clone(&self.state.metrics),
        )
    }

    /// Retention of raw notifications and events (see [`crate::retention`]); `serve` runs it
    /// on its schedule, and [`Retention::run_once`] runs it now.
    pub fn retention(&self) -> Retention {
        Retention::new(
            self.state.writer.clone(),
            self.config.retention.clone(),
            Arc::clone(&self.state.metrics),
        )
    }

    /// The webhook URLs, on `public_url` when configured, else on `local` (the address the
    /// listener is bound to).
    pub fn webhook_urls(&self, local: SocketAddr) -> WebhookUrls {
        let base = match &self.config.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None if self.config.tls.is_some() => format!("https://{local}"),
            None => format!("http://{local}"),
        };
        WebhookUrls {
            uis: format!("{base}/hooks/uis/{}", self.state.hook_tokens.uis),
            sipuni: format!("{base}/hooks/sipuni/{}", self.state.hook_tokens.sipuni),
        }
    }

    /// Serves on `listener` until `shutdown` completes; then stops accepting, closes the
    /// streams with 1012 (restarting), lets in-flight webhooks finish, and flushes the writer.
    /// The listener is plain TCP, or `crate::tls::TlsListener` for the relay's own HTTPS;
    /// with `[tls]`, `/metrics` answers only the machine itself (no proxy hides it).
    pub async fn serve<L>(
        self,
        listener: L,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), RelayError>
    where
        L: axum::serve::Listener<Addr = SocketAddr>,
        Peer: for<'a> Connected<IncomingStream<'a, L>>,
    {
        let reconciler = self.reconciler();
        let retention = self.retention();
        let presence = self.presence();
        let tagger = self.tagger();
        let uis_sync = self.uis_sync();
        let uis_sync_config = self.config.directory.uis_sync.clone();
        let own_https = self.config.tls.is_some();
        let Relay {
            state,
            writer,
            cases,
            ..
        } = self;
        let stop = state.shutdown.clone();
        let reconciling = tokio::spawn(reconciler.run(stop.clone()));
        let retaining = tokio::spawn(retention.run(stop.clone()));
        let reading_presence = tokio::spawn(presence.run(stop.clone()));
        let tagging = tokio::spawn(tagger.run(Arc::clone(&state.uis_tags), stop.clone()));
        let syncing_uis = tokio::spawn(uis_sync.run(uis_sync_config, stop.clone()));
        let directory_watch = tokio::spawn(
            Arc::clone(&state.directory).watch(Arc::clone(&state.reads), stop.clone()),
        );
        let ticker = tokio::spawn({
            let writer = state.writer.clone();
            let stop = stop.clone();
            async move {
                let mut every = tokio::time::interval(AGENT_CHECK_EVERY);
                // Ends with the relay.
                loop {
                    tokio::select! {
                        () = stop.cancelled() => break,
                        _ = every.tick() => writer.tick(),
                    }
                }
            }
        });
        let mut app = crate::http::router(state.clone());
        if own_https {
            app = app.layer(axum::middleware::from_fn(crate::tls::loopback_metrics));
        }
        let app = app.into_make_service_with_connect_info::<Peer>();
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                shutdown.await;
                stop.cancel();
            })
            .await;
        // `serve` can also return with an error, without the signal: stop everything anyway.
        state.shutdown.cancel();
        state.streams.close();
        if tokio::time::timeout(STREAM_GOODBYE, state.streams.wait())
            .await
            .is_err()
        {
            tracing::warn!("some streams did not close in time");
        }
        let _ = ticker.await;
        let _ = reconciling.await;
        let _ = retaining.await;
        let _ = reading_presence.await;
        let _ = tagging.await;
        let _ = syncing_uis.await;
        let _ = directory_watch.await;
        drop(state);
        writer.shutdown().await;
        // After the writer: the calls of its last commit are still marked.
        cases.shutdown().await;
        Ok(served?)
    }
}

/// Opens the relay described by `config` and serves on `listener` until `shutdown`.
pub async fn run(
    listener: TcpListener,
    config: RelayConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), RelayError> {
    Relay::open(config)?.serve(listener, shutdown).await
}
