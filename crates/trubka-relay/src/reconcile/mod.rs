//! Reconciliation: a background job that pulls recent call history from the PBX APIs (UIS
//! `get.calls_report`, Sipuni `statistic/export`) and stores what the webhooks missed — a call
//! that never got its end, a missed call nobody was notified of, a recording link that never
//! arrived — as ordinary events.
//!
//! - [`uis`], [`sipuni`]: fetching the window and reading rows into the protocol's row types.
//! - [`known`]: what the event log already holds about a call.
//! - [`coverage`]: how far back a run looks, so that an outage loses nothing.
//!
//! A row becomes events through `trubka_protocol::history`, whose ids are the webhook
//! parsers' ids (`uis:{session}:ended:call`, `…:recording:h{fnv}`, …). The events go through
//! the same writer as webhooks: deduplicated by id, routed to their audience, streamed. So a
//! fact reported by both a webhook and the history is stored once, in either order. On top of
//! the id, a `started` is only stored for a call the relay never heard of, and a `leg_ended`
//! only for an employee no stored event names.
//!
//! Schedule: first run [`FIRST_RUN_AFTER`] after start, then every `interval_secs`; each run
//! looks `window_secs` back — further after an outage: `window_secs` before the point its
//! PBX's history was last reconciled to, or before the last event the relay heard before it
//! stopped, at most `catch_up_secs` ([`coverage`]) — and leaves calls that ended less than
//! `grace_secs` ago for the next run (their webhooks may still be coming); `grace_secs = 0`
//! takes every finished call the history lists, whatever its end time says. `interval_secs = 0` turns it off. Runs never
//! overlap. A PBX failing does not stop the other.

mod coverage;
mod known;
mod sipuni;
mod uis;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use tokio::sync::Mutex;
use tokio_util::sync::CancellationToken;
use trubka_core::{CallEvent, Provider};
use trubka_pbx::PbxError;
use trubka_protocol::event_to_json;
use trubka_protocol::history::{sipuni_export_row_events, uis_report_row_events};

use crate::config::ReconcileConfig;
use crate::relay::AppState;
use crate::store::StoreError;
use crate::store::writer::PreparedEvent;
use coverage::{Coverage, window_start};

/// Delay of the first run after the relay starts.
pub const FIRST_RUN_AFTER: Duration = Duration::from_secs(10);
/// How many seconds around a Sipuni row's start its call id may begin with.
const SIPUNI_START_SLACK: i64 = 3;

/// What went wrong in a run, per PBX.
#[derive(Debug, thiserror::Error)]
pub enum ReconcileError {
    #[error("{provider} history: {source}")]
    Pbx {
        provider: Provider,
        #[source]
        source: PbxError,
    },
    #[error("storing synthesised events failed: {0}")]
    Store(#[from] StoreError),
}

/// The outcome of one run.
#[derive(Debug, Default)]
pub struct ReconcileReport {
    /// History rows looked at (within the window, past the grace period).
    pub rows: usize,
    /// Events stored that the webhooks had not delivered.
    pub synthesised: usize,
    /// Their ids, in the order stored.
    pub ids: Vec<String>,
    /// Rows that could not be turned into events (logged).
    pub skipped: usize,
    pub errors: Vec<ReconcileError>,
}

/// Runs reconciliation for one relay; cheap to clone.
#[derive(Clone)]
pub struct Reconciler {
    state: AppState,
    config: ReconcileConfig,
    /// Held for a whole run, so runs never overlap; what each history is reconciled up to.
    running: Arc<Mutex<Coverage>>,
}

impl Reconciler {
    pub(crate) fn new(state: AppState, config: ReconcileConfig) -> Reconciler {
        Reconciler {
            state,
            config,
            running: Arc::new(Mutex::new(Coverage::default())),
        }
    }

    /// One run now, over every configured PBX; waits for a run in progress to finish first.
    pub async fn run_once(&self) -> ReconcileReport {
        let mut coverage = self.running.lock().await;
        let mut report = ReconcileReport::default();
        if coverage.needs_loading() {
            match self.state.reads.run(coverage::last_heard).await {
                Ok(last_heard) => coverage.start_from(last_heard),
                Err(error) => {
                    report.errors.push(error.into());
                    return self.finish(report);
                }
            }
        }
        let now = Utc::now();
        let seconds = |s: u64| TimeDelta::seconds(i64::try_from(s).unwrap_or(i64::MAX / 1000));
        let (window, catch_up) = (
            seconds(self.config.window_secs),
            seconds(self.config.catch_up_secs),
        );
        let grace = seconds(self.config.grace_secs);
        let settled = now.checked_sub_signed(grace).unwrap_or(now);
        // With no grace, every call the history lists as finished is taken, even one whose end
        // the PBX's clock puts a little ahead of ours.
        let settled = if grace.is_zero() {
            DateTime::<Utc>::MAX_UTC
        } else {
            settled
        };
        // A minute past now: the report's times have whole seconds, and clocks differ.
        let till = now + TimeDelta::seconds(60);
        // Everything that ended before `settled` is in; calls still going on start after
        // `settled - window` unless they last longer than the window.
        let reached = if grace.is_zero() { now } else { settled };
        for provider in [Provider::Uis, Provider::Sipuni] {
            let from = window_start(now, window, coverage.get(provider), catch_up);
            let result = match provider {
                Provider::Uis if self.state.pbx.uis.is_some() => {
                    self.uis(from, till, settled, &mut report).await
                }
                Provider::Sipuni if self.state.pbx.sipuni.is_some() => {
                    self.sipuni(from, till, settled, &mut report).await
                }
                _ => continue,
            };
            match result {
                Ok(()) => coverage.reached(provider, reached),
                Err(error) => report.errors.push(error),
            }
            if now - from > window {
                tracing::info!(%provider, %from, "reconciled the history of an outage");
            }
        }
        self.finish(report)
    }

    /// Counts and logs a finished run.
    fn finish(&self, report: ReconcileReport) -> ReconcileReport {
        let metrics = &self.state.metrics;
        metrics.reconcile_runs.fetch_add(1, Ordering::Relaxed);
        metrics
            .reconcile_events
            .fetch_add(report.synthesised as u64, Ordering::Relaxed);
        metrics
            .reconcile_failures
            .fetch_add(report.errors.len() as u64, Ordering::Relaxed);
        for error in &report.errors {
            tracing::warn!(%error, "reconciliation failed");
        }
        tracing::info!(
            rows = report.rows,
            synthesised = report.synthesised,
            skipped = report.skipped,
            "reconciliation run finished"
        );
        report
    }

    /// Runs on the schedule until `stop`.
    pub(crate) async fn run(self, stop: CancellationToken) {
        if self.config.interval_secs == 0 {
            return;
        }
        if self.state.pbx.uis.is_none() && self.state.pbx.sipuni.is_none() {
            tracing::info!("no PBX API configured: reconciliation is off");
            return;
        }
        let every = Duration::from_secs(self.config.interval_secs);
        crate::schedule::every(every, FIRST_RUN_AFTER, &stop, || async {
            self.run_once().await;
        })
        .await;
    }

    async fn uis(
        &self,
        from: DateTime<Utc>,
        till: DateTime<Utc>,
        settled: DateTime<Utc>,
        report: &mut ReconcileReport,
    ) -> Result<(), ReconcileError> {
        let Some(api) = &self.state.pbx.uis else {
            return Ok(());
        };
        let rows = uis::rows(&api.history, from, till)
            .await
            .map_err(|source| ReconcileError::Pbx {
                provider: Provider::Uis,
                source,
            })?;
        for (ended, row) in rows {
            if ended > settled {
                continue;
            }
            report.rows += 1;
            match uis_report_row_events(&row, &self.state.phones) {
                Ok(events) => self.store_missing(events, report).await?,
                Err(error) => {
                    report.skipped += 1;
                    tracing::warn!(call = %row.call_session_id, %error, "skipping a UIS report row");
                }
            }
        }
        Ok(())
    }

    async fn sipuni(
        &self,
        from: DateTime<Utc>,
        till: DateTime<Utc>,
        settled: DateTime<Utc>,
        report: &mut ReconcileReport,
    ) -> Result<(), ReconcileError> {
        let Some(api) = &self.state.pbx.sipuni else {
            return Ok(());
        };
        let calls = sipuni::rows(api, &self.state.phones, from, till)
            .await
            .map_err(|source| ReconcileError::Pbx {
                provider: Provider::Sipuni,
                source,
            })?;
        for call in calls {
            if call.ended > settled {
                continue;
            }
            report.rows += 1;
            let call = if call.row.call_id.is_empty() {
                let (id, real) = self.match_sipuni(&call).await?;
                call.with_call_id(id, real, api)
            } else {
                let id = call.row.call_id.clone();
                call.with_call_id(id, true, api)
            };
            match sipuni_export_row_events(&call.row, &self.state.phones) {
                Ok(events) => self.store_missing(events, report).await?,
                Err(error) => {
                    report.skipped += 1;
                    tracing::warn!(call = %call.row.call_id, %error, "skipping a Sipuni export row");
                }
            }
        }
        Ok(())
    }

    /// The stored Sipuni call an export row without `ID записи` is, by start and contact;
    /// `(id, true)` when found, else the row's own made-up id and `false`.
    async fn match_sipuni(
        &self,
        call: &sipuni::ExportedCall,
    ) -> Result<(String, bool), StoreError> {
        let start = call.row.start.timestamp();
        let from = format!("sipuni:{}", start - SIPUNI_START_SLACK);
        let until = format!("sipuni:{}", start + SIPUNI_START_SLACK + 1);
        let candidates = self
            .state
            .reads
            .run(move |conn| known::calls_between(conn, &from, &until))
            .await?;
        let contact = call.contact.clone();
        let found = candidates.into_iter().find(|(_, known)| match &contact {
            Some(phone) => known.contacts.contains(phone),
            None => known.contacts.is_empty(),
        });
        Ok(match found {
            Some((call_id, _)) => {
                let session = call_id.split_once(':').map_or(call_id.as_str(), |(_, s)| s);
                let real = !session.contains(".trubka-");
                (session.to_owned(), real)
            }
            None => (call.made_up_id(), false),
        })
    }

    /// Stores the events of one call the log does not hold yet.
    async fn store_missing(
        &self,
        events: Vec<CallEvent>,
        report: &mut ReconcileReport,
    ) -> Result<(), ReconcileError> {
        let Some(first) = events.first() else {
            return Ok(());
        };
        let call_id = first.call_id.0.clone();
        let known = self
            .state
            .reads
            .run(move |conn| known::call(conn, &call_id))
            .await?;
        let missing = known.missing(events);
        if missing.is_empty() {
            return Ok(());
        }
        let prepared = missing
            .into_iter()
            .map(|event| PreparedEvent {
                json: event_to_json(&event),
                event,
            })
            .collect();
        for stored in self.state.writer.ingest(prepared, false).await? {
            if !stored.duplicate {
                report.synthesised += 1;
                tracing::info!(id = %stored.id, seq = stored.seq, "stored an event the webhooks missed");
                report.ids.push(stored.id);
            }
        }
        Ok(())
    }
}
