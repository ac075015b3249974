//! Retention: the relay keeps raw notifications `[retention] raw_payload_days` and events
//! `events_days`, then removes them, so a relay can run for years and keeps callers' personal
//! data no longer than configured (152-ФЗ).
//!
//! A background task runs a pass [`FIRST_PASS_AFTER`] after start and then every
//! `interval_secs`. A pass is a series of small batches (`batch_rows` rows, one transaction
//! each) handed to the writer thread ([`crate::store::writer`]) between its group commits,
//! with a pause after each so queued webhooks go first; what a batch does is in
//! [`crate::store::retention`]. After the batches, free pages are given back to the file
//! system in steps of [`VACUUM_PAGES`] (new databases, `auto_vacuum = INCREMENTAL`), and the
//! WAL is cut back at its next restart (`journal_size_limit`, see [`crate::store`]).

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use tokio_util::sync::CancellationToken;

use crate::config::RetentionConfig;
use crate::metrics::Metrics;
use crate::store::StoreError;
use crate::store::retention::{self, Cutoffs, Step};
use crate::store::writer::WriterHandle;

/// Delay of the first pass after the relay starts: after start-up's reconciliation run.
pub const FIRST_PASS_AFTER: Duration = Duration::from_secs(60);
/// Pause after each batch: webhooks queued meanwhile are committed before the next one.
const BATCH_PAUSE: Duration = Duration::from_millis(20);
/// Pages (4 KiB) given back to the file system per step, about 1 MiB: measured, a step of
/// 4 MiB held the writer 42 ms (docs/benchmarks.md).
const VACUUM_PAGES: u32 = 256;

/// What one pass removed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RetentionReport {
    pub batches: u64,
    pub events_deleted: u64,
    pub raw_erased: u64,
    pub rejected_deleted: u64,
    /// Pages no longer in use, in bytes (free for reuse, or cut from the file).
    pub bytes_freed: u64,
    /// How much the database file shrank (only a database with incremental auto-vacuum).
    pub file_shrunk: u64,
    /// The longest batch, as the writer spent it.
    pub longest_batch: Duration,
    /// All batches together.
    pub batch_time: Duration,
    /// The longest step giving pages back to the file system.
    pub longest_vacuum_step: Duration,
}

/// Runs retention for one relay; cheap to clone.
#[derive(Clone)]
pub struct Retention {
    writer: WriterHandle,
    config: RetentionConfig,
    metrics: Arc<Metrics>,
}

impl Retention {
    pub(crate) fn new(
        writer: WriterHandle,
        config: RetentionConfig,
        metrics: Arc<Metrics>,
    ) -> Retention {
        Retention {
            writer,
            config,
            metrics,
        }
    }

    /// One whole pass as if the time were `now` (tests pass a later day; `serve` the clock).
    pub async fn run_once(&self, now: DateTime<Utc>) -> Result<RetentionReport, StoreError> {
        let cutoffs = cutoffs(&self.config, now);
        let mut report = RetentionReport::default();
        loop {
            let (batch, took) = self
                .writer
                .chore(move |conn| {
                    let started = Instant::now();
                    let batch = retention::batch(conn, cutoffs)?;
                    Ok((batch, started.elapsed()))
                })
                .await?;
            report.batches += 1;
            report.events_deleted += batch.events_deleted;
            report.raw_erased += batch.raw_erased;
            report.rejected_deleted += batch.rejected_deleted;
            report.bytes_freed += batch.bytes_freed;
            report.longest_batch = report.longest_batch.max(took);
            report.batch_time += took;
            self.count(&batch, took);
            if batch.step == Step::Done {
                break;
            }
            tokio::time::sleep(BATCH_PAUSE).await;
        }
        // Also after a pass that freed nothing: an earlier one may have stopped midway.
        loop {
            let (shrunk, took) = self
                .writer
                .chore(|conn| {
                    let started = Instant::now();
                    let shrunk = retention::vacuum_step(conn, VACUUM_PAGES)?;
                    Ok((shrunk, started.elapsed()))
                })
                .await?;
            report.file_shrunk += shrunk;
            report.longest_vacuum_step = report.longest_vacuum_step.max(took);
            if shrunk == 0 {
                break;
            }
            tokio::time::sleep(BATCH_PAUSE).await;
        }
        Ok(report)
    }

    fn count(&self, batch: &retention::Batch, took: Duration) {
        let m = &self.metrics;
        m.retention_batches.fetch_add(1, Ordering::Relaxed);
        m.retention_batch_micros_sum.fetch_add(
            u64::try_from(took.as_micros()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
        m.retention_events_deleted
            .fetch_add(batch.events_deleted, Ordering::Relaxed);
        m.retention_raw_erased
            .fetch_add(batch.raw_erased, Ordering::Relaxed);
        m.retention_rejected_deleted
            .fetch_add(batch.rejected_deleted, Ordering::Relaxed);
        m.retention_bytes_freed
            .fetch_add(batch.bytes_freed, Ordering::Relaxed);
    }

    /// Runs passes on the schedule until `stop`; a pass in progress stops between batches.
    pub(crate) async fn run(self, stop: CancellationToken) {
        let every = Duration::from_secs(self.config.interval_secs);
        crate::schedule::every(every, FIRST_PASS_AFTER, &stop, || async {
            match self.run_once(Utc::now()).await {
                Ok(report) => tracing::info!(
                    events = report.events_deleted,
                    raw = report.raw_erased,
                    refused = report.rejected_deleted,
                    freed_bytes = report.bytes_freed,
                    file_shrunk_bytes = report.file_shrunk,
                    batches = report.batches,
                    longest_batch_ms = report.longest_batch.as_millis() as u64,
                    longest_vacuum_step_ms = report.longest_vacuum_step.as_millis() as u64,
                    "retention pass finished"
                ),
                Err(error) => {
                    tracing::warn!(%error, "retention pass failed; retrying at the next one")
                }
            }
        })
        .await;
    }
}

/// The instants before which events and raw payloads go, at `now`.
fn cutoffs(config: &RetentionConfig, now: DateTime<Utc>) -> Cutoffs {
    let before = |days: u32| {
        now.checked_sub_signed(TimeDelta::days(i64::from(days)))
            .unwrap_or(DateTime::<Utc>::MIN_UTC)
            .timestamp_millis()
    };
    Cutoffs {
        events_before_ms: before(config.events_days),
        raw_before_ms: before(config.raw_payload_days),
        rows: config.batch_rows as usize,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cutoffs_count_whole_days_back_from_now() {
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let cut = cutoffs(&RetentionConfig::default(), now);
        assert_eq!(cut.events_before_ms, (1_800_000_000 - 90 * 86_400) * 1000);
        assert_eq!(cut.raw_before_ms, (1_800_000_000 - 30 * 86_400) * 1000);
        assert_eq!(cut.rows, 500);
    }
}
