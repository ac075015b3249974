//! The UIS address book in the team directory (`[directory.uis_sync]`): a call center whose
//! clients are in UIS's «Адресная книга» gets them on every desktop without exporting a file.
//!
//! Every `interval_minutes` (the first pass soon after start) the relay reads the whole
//! address book with `get.contacts` (the history client, which waits out a spent minute
//! budget rather than failing) and writes what changed since the last pass ([`apply`]: which
//! contact is which, and what wins when UIS and agents both changed one; [`merge`]: the
//! fields). A pass that cannot read the whole book writes nothing — a half-read book must not
//! delete the other half — and the next pass tries again. Passes are counted in `/metrics` and
//! logged; `trubka-relay contacts uis-sync` runs one now.

pub mod apply;
pub(crate) mod merge;

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use trubka_core::{Lang, tr};
use trubka_pbx::PbxError;
use trubka_pbx::uis::UisContact;

pub use apply::{AUTHOR, SyncReport};

use super::DirectoryError;
use super::live::Directory;
use crate::config::UisSyncConfig;
use crate::metrics::Metrics;
use crate::pbx::PbxApis;

/// The first pass, this long after start: the relay's own start-up work goes first.
const FIRST_AFTER: Duration = Duration::from_secs(10);

/// Migration 11 (`store/schema.rs`): which team contact each UIS contact is.
pub(crate) const SCHEMA: &str = r#"
    -- A UIS address-book contact and its team contact; `fields` is what UIS gave at the last
    -- sync (trubka_protocol::directory::ContactFields, JSON), the base of the next merge.
    CREATE TABLE uis_contacts(
        uis_id INTEGER PRIMARY KEY,
        contact_id INTEGER NOT NULL,    -- directory_contacts.id
        created INTEGER NOT NULL,       -- 1: made by the sync, deleted with UIS's contact
        fields TEXT NOT NULL
    );
"#;

/// Why a pass wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum UisSyncError {
    #[error("no UIS API key is configured ([uis] api_key)")]
    NoUisKey,
    #[error(transparent)]
    Setup(#[from] crate::pbx::PbxSetupError),
    #[error("cannot read the UIS address book: {}", .0.user_message())]
    Pbx(#[from] PbxError),
    #[error(transparent)]
    Directory(#[from] DirectoryError),
}

/// Reads the UIS address book into the directory: a handle for the relay and the CLI.
#[derive(Clone)]
pub struct UisSync {
    pbx: Arc<PbxApis>,
    directory: Arc<Directory>,
    metrics: Arc<Metrics>,
}

impl UisSync {
    pub(crate) fn new(
        pbx: Arc<PbxApis>,
        directory: Arc<Directory>,
        metrics: Arc<Metrics>,
    ) -> UisSync {
        UisSync {
            pbx,
            directory,
            metrics,
        }
    }

    /// Runs a pass every `config`'s interval until `stop`; without the section, or without a
    /// UIS key (said once in the log), nothing is read.
    pub(crate) async fn run(self, config: Option<UisSyncConfig>, stop: CancellationToken) {
        let Some(config) = config else { return };
        if self.pbx.uis.is_none() {
            tracing::warn!(
                "[directory.uis_sync] is set but [uis] api_key is not: the address book is not read"
            );
            return;
        }
        let every = Duration::from_secs(u64::from(config.interval_minutes) * 60);
        crate::schedule::every(every, FIRST_AFTER, &stop, || async {
            // The outcome is logged and counted inside.
            let _ = self.run_once().await;
        })
        .await;
    }

    /// One pass now: the whole address book read, then what changed written.
    pub async fn run_once(&self) -> Result<SyncReport, UisSyncError> {
        let result = self.pass().await;
        match &result {
            Ok(report) => {
                self.metrics.uis_sync_done(report);
                for (uis_id, reason) in &report.skipped {
                    tracing::warn!(uis_id, reason, "UIS address book: a contact was skipped");
                }
                tracing::info!(
                    read = report.read,
                    added = report.added,
                    updated = report.updated,
                    deleted = report.deleted,
                    skipped = report.skipped.len(),
                    version = report.version,
                    "UIS address book synced"
                );
            }
            Err(error) => {
                self.metrics.uis_sync_failed();
                tracing::warn!(%error, "UIS address book: the pass wrote nothing");
            }
        }
        result
    }

    async fn pass(&self) -> Result<SyncReport, UisSyncError> {
        let contacts = read_book(&self.pbx).await?;
        let report = self
            .directory
            .write(move |conn, parser| apply::apply(conn, parser, &contacts))
            .await?;
        Ok(report)
    }
}

/// The whole address book, or why not.
pub(crate) async fn read_book(pbx: &PbxApis) -> Result<Vec<UisContact>, UisSyncError> {
    let api = pbx.uis.as_ref().ok_or(UisSyncError::NoUisKey)?;
    Ok(api.history.contacts().await?)
}

impl UisSyncError {
    /// The message for the admin, in `lang` (the `Display` stays English, for logs).
    pub fn localized(&self, lang: Lang) -> String {
        match self {
            UisSyncError::NoUisKey => lang
                .pick(
                    "не задан ключ UIS API ([uis] api_key): адресную книгу не прочитать",
                    "no UIS API key is configured ([uis] api_key): the address book cannot be read",
                )
                .to_owned(),
            UisSyncError::Setup(e) => e.localized(lang),
            UisSyncError::Pbx(e) => {
                let reason = e.user_message_in(lang);
                tr!(
                    lang,
                    "не удаётся прочитать адресную книгу UIS: {reason}",
                    "cannot read the UIS address book: {reason}"
                )
            }
            UisSyncError::Directory(e) => e.to_string(),
        }
    }
}
