//! Counters and their Prometheus text rendering, written by hand: a dozen atomics do not
//! need a metrics framework. [`actions`]: what the relay asks the PBX for agents (call
//! control, presence, tags of notes).

pub mod actions;

use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

use trubka_core::Provider;

/// What became of one webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HookOutcome {
    /// At least one of its events was new.
    Stored,
    /// Every event in it was already stored (a PBX retry, Sipuni's doubled event 1).
    Duplicate,
    /// The payload could not be understood (HTTP 400).
    Rejected,
    /// Storage failed (HTTP 503; the PBX will retry).
    Failed,
}

impl HookOutcome {
    const ALL: [HookOutcome; 4] = [
        HookOutcome::Stored,
        HookOutcome::Duplicate,
        HookOutcome::Rejected,
        HookOutcome::Failed,
    ];

    fn as_str(self) -> &'static str {
        match self {
            HookOutcome::Stored => "stored",
            HookOutcome::Duplicate => "duplicate",
            HookOutcome::Rejected => "rejected",
            HookOutcome::Failed => "failed",
        }
    }
}

/// What became of one CRM lookup (`crate::directory::crm`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrmOutcome {
    /// The CRM named someone.
    Found,
    /// The CRM knows nobody with the number (404, 204, an empty list).
    NotFound,
    /// No answer within `[directory.lookup] timeout_ms`.
    Timeout,
    /// The CRM was unreachable or answered an error status (or the relay could not read
    /// its own directory).
    Error,
    /// The answer was not JSON or not in the configured shape.
    Garbage,
    /// Not asked: too many requests to the CRM were waiting already.
    Skipped,
}

impl CrmOutcome {
    const ALL: [CrmOutcome; 6] = [
        CrmOutcome::Found,
        CrmOutcome::NotFound,
        CrmOutcome::Timeout,
        CrmOutcome::Error,
        CrmOutcome::Garbage,
        CrmOutcome::Skipped,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CrmOutcome::Found => "found",
            CrmOutcome::NotFound => "not_found",
            CrmOutcome::Timeout => "timeout",
            CrmOutcome::Error => "error",
            CrmOutcome::Garbage => "garbage",
            CrmOutcome::Skipped => "skipped",
        }
    }
}

fn provider_index(provider: Provider) -> usize {
    match provider {
        Provider::Uis => 0,
        Provider::Sipuni => 1,
    }
}

/// All counters of one relay. Relaxed atomics: each value is independent and read only for
/// reporting.
#[derive(Debug, Default)]
pub struct Metrics {
    webhooks_received: [AtomicU64; 2],
    webhooks: [[AtomicU64; 4]; 2],
    /// Requests to a hook URL with the wrong token (an old or mistyped URL in a cabinet).
    webhooks_wrong_token: [AtomicU64; 2],
    pub events_stored: AtomicU64,
    pub events_duplicate: AtomicU64,
    pub streams_open: AtomicI64,
    pub streams_opened: AtomicU64,
    pub frames_sent: AtomicU64,
    pub slow_consumer_disconnects: AtomicU64,
    pub acks_received: AtomicU64,
    pub write_batches: AtomicU64,
    /// Requests committed, summed over batches: `sum / count` is the mean group size.
    pub write_batch_requests: AtomicU64,
    pub write_failures: AtomicU64,
    /// Click-to-call requests the PBX accepted / refused or failed, by provider.
    calls_placed: [AtomicU64; 2],
    calls_failed: [AtomicU64; 2],
    /// Reconciliation runs, events they stored, and PBX or storage failures in them.
    pub reconcile_runs: AtomicU64,
    pub reconcile_events: AtomicU64,
    pub reconcile_failures: AtomicU64,
    /// Invite codes exchanged for a token, and exchanges refused (used, expired, revoked,
    /// unknown).
    pub invites_redeemed: AtomicU64,
    pub invites_refused: AtomicU64,
    /// Retention (`crate::retention`): events deleted, raw payloads erased, refused requests
    /// deleted, bytes of pages freed, and its batches with their time in the writer.
    pub retention_events_deleted: AtomicU64,
    pub retention_raw_erased: AtomicU64,
    pub retention_rejected_deleted: AtomicU64,
    pub retention_bytes_freed: AtomicU64,
    pub retention_batches: AtomicU64,
    pub retention_batch_micros_sum: AtomicU64,
    ingest_latency_micros_sum: AtomicU64,
    ingest_latency_count: AtomicU64,
    /// CRM lookups by [`CrmOutcome`], and answers taken from the cache instead.
    crm_lookups: [AtomicU64; 6],
    crm_cache_hits: AtomicU64,
    /// The UIS address book's passes (`crate::directory::uis_sync`): done, failed, and the
    /// team contacts they added, updated, deleted and the UIS contacts they skipped.
    uis_sync_passes: [AtomicU64; 2],
    uis_sync_contacts: [AtomicU64; 4],
    /// Call control, presence and tags of notes at the PBX.
    pub actions: actions::ActionMetrics,
}

impl Metrics {
    pub fn webhook_received(&self, provider: Provider) {
        self.webhooks_received[provider_index(provider)].fetch_add(1, Ordering::Relaxed);
    }

    /// Records the outcome of a webhook and, for stored ones, how long it took from arrival
    /// to acknowledgement.
    pub fn webhook_done(&self, provider: Provider, outcome: HookOutcome, micros: u64) {
        let index = HookOutcome::ALL
            .iter()
            .position(|o| *o == outcome)
            .unwrap_or(0);
        self.webhooks[provider_index(provider)][index].fetch_add(1, Ordering::Relaxed);
        if matches!(outcome, HookOutcome::Stored | HookOutcome::Duplicate) {
            self.ingest_latency_micros_sum
                .fetch_add(micros, Ordering::Relaxed);
            self.ingest_latency_count.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Records a click-to-call: placed (`true`) or refused/failed.
    pub fn call_placed(&self, provider: Provider, placed: bool) {
        let counters = if placed {
            &self.calls_placed
        } else {
            &self.calls_failed
        };
        counters[provider_index(provider)].fetch_add(1, Ordering::Relaxed);
    }

    /// Click-to-calls of `provider`: (placed, failed).
    pub fn calls(&self, provider: Provider) -> (u64, u64) {
        let index = provider_index(provider);
        (
            self.calls_placed[index].load(Ordering::Relaxed),
            self.calls_failed[index].load(Ordering::Relaxed),
        )
    }

    /// A request to `provider`'s hook URL whose token is not this relay's.
    pub fn webhook_wrong_token(&self, provider: Provider) {
        self.webhooks_wrong_token[provider_index(provider)].fetch_add(1, Ordering::Relaxed);
    }

    pub fn webhooks(&self, provider: Provider, outcome: HookOutcome) -> u64 {
        let index = HookOutcome::ALL
            .iter()
            .position(|o| *o == outcome)
            .unwrap_or(0);
        self.webhooks[provider_index(provider)][index].load(Ordering::Relaxed)
    }

    pub fn crm_lookup(&self, outcome: CrmOutcome) {
        self.crm_lookups[outcome as usize].fetch_add(1, Ordering::Relaxed);
    }

    pub fn crm_cache_hit(&self) {
        self.crm_cache_hits.fetch_add(1, Ordering::Relaxed);
    }

    /// A UIS address-book pass that wrote what changed.
    pub fn uis_sync_done(&self, report: &crate::directory::uis_sync::SyncReport) {
        self.uis_sync_passes[0].fetch_add(1, Ordering::Relaxed);
        let counts = [
            report.added,
            report.updated,
            report.deleted,
            report.skipped.len(),
        ];
        for (counter, count) in self.uis_sync_contacts.iter().zip(counts) {
            counter.fetch_add(count as u64, Ordering::Relaxed);
        }
    }

    /// A UIS address-book pass that could not read the book or write it.
    pub fn uis_sync_failed(&self) {
        self.uis_sync_passes[1].fetch_add(1, Ordering::Relaxed);
    }

    /// UIS address-book passes: (done, failed).
    pub fn uis_sync_passes(&self) -> (u64, u64) {
        (
            self.uis_sync_passes[0].load(Ordering::Relaxed),
            self.uis_sync_passes[1].load(Ordering::Relaxed),
        )
    }

    /// CRM lookups that ended with `outcome`.
    pub fn crm_lookups(&self, outcome: CrmOutcome) -> u64 {
        self.crm_lookups[outcome as usize].load(Ordering::Relaxed)
    }

    /// The Prometheus text exposition format, version 0.0.4.
    pub fn render(&self) -> String {
        let get = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        let mut out = String::with_capacity(4096);
        header(
            &mut out,
            "trubka_relay_webhooks_received_total",
            "counter",
            "Webhooks received.",
        );
        for provider in Provider::ALL {
            let value = get(&self.webhooks_received[provider_index(provider)]);
            let _ = writeln!(
                out,
                "trubka_relay_webhooks_received_total{{provider=\"{provider}\"}} {value}"
            );
        }
        header(
            &mut out,
            "trubka_relay_webhooks_total",
            "counter",
            "Webhooks answered, by outcome.",
        );
        for provider in Provider::ALL {
            for outcome in HookOutcome::ALL {
                let value = self.webhooks(provider, outcome);
                let _ = writeln!(
                    out,
                    "trubka_relay_webhooks_total{{provider=\"{provider}\",outcome=\"{}\"}} {value}",
                    outcome.as_str()
                );
            }
        }
        header(
            &mut out,
            "trubka_relay_webhooks_wrong_token_total",
            "counter",
            "Requests to a hook URL whose token is not this relay's (404).",
        );
        for provider in Provider::ALL {
            let value = get(&self.webhooks_wrong_token[provider_index(provider)]);
            let _ = writeln!(
                out,
                "trubka_relay_webhooks_wrong_token_total{{provider=\"{provider}\"}} {value}"
            );
        }
        header(
            &mut out,
            "trubka_relay_calls_total",
            "counter",
            "Click-to-call requests sent to a PBX, by outcome.",
        );
        for provider in Provider::ALL {
            let (placed, failed) = self.calls(provider);
            let _ = writeln!(
                out,
                "trubka_relay_calls_total{{provider=\"{provider}\",outcome=\"placed\"}} {placed}"
            );
            let _ = writeln!(
                out,
                "trubka_relay_calls_total{{provider=\"{provider}\",outcome=\"failed\"}} {failed}"
            );
        }
        let simple = [
            (
                "trubka_relay_events_stored_total",
                "counter",
                "Events appended to the log.",
                get(&self.events_stored),
            ),
            (
                "trubka_relay_events_duplicate_total",
                "counter",
                "Events already stored, not delivered again.",
                get(&self.events_duplicate),
            ),
            (
                "trubka_relay_streams_opened_total",
                "counter",
                "Agent streams accepted.",
                get(&self.streams_opened),
            ),
            (
                "trubka_relay_frames_sent_total",
                "counter",
                "Event frames written to agent streams.",
                get(&self.frames_sent),
            ),
            (
                "trubka_relay_slow_consumer_disconnects_total",
                "counter",
                "Streams closed because their queue was full.",
                get(&self.slow_consumer_disconnects),
            ),
            (
                "trubka_relay_acks_received_total",
                "counter",
                "Ack frames received from agents.",
                get(&self.acks_received),
            ),
            (
                "trubka_relay_write_failures_total",
                "counter",
                "Write transactions that failed.",
                get(&self.write_failures),
            ),
            (
                "trubka_relay_reconcile_runs_total",
                "counter",
                "Reconciliation runs against the PBX call history.",
                get(&self.reconcile_runs),
            ),
            (
                "trubka_relay_reconcile_events_total",
                "counter",
                "Events reconciliation stored because the webhooks missed them.",
                get(&self.reconcile_events),
            ),
            (
                "trubka_relay_reconcile_failures_total",
                "counter",
                "PBX history requests or stores that failed during reconciliation.",
                get(&self.reconcile_failures),
            ),
            (
                "trubka_relay_invites_redeemed_total",
                "counter",
                "Invite codes exchanged for an agent token.",
                get(&self.invites_redeemed),
            ),
            (
                "trubka_relay_invites_refused_total",
                "counter",
                "Invite exchanges refused (used, expired, revoked or unknown code).",
                get(&self.invites_refused),
            ),
        ];
        let retention = [
            (
                "trubka_relay_retention_events_deleted_total",
                "counter",
                "Events deleted by retention ([retention] events_days).",
                get(&self.retention_events_deleted),
            ),
            (
                "trubka_relay_retention_raw_erased_total",
                "counter",
                "Raw notifications erased from stored events ([retention] raw_payload_days).",
                get(&self.retention_raw_erased),
            ),
            (
                "trubka_relay_retention_rejected_deleted_total",
                "counter",
                "Refused requests deleted by retention.",
                get(&self.retention_rejected_deleted),
            ),
            (
                "trubka_relay_retention_freed_bytes_total",
                "counter",
                "Database bytes retention freed (pages made free or cut from the file).",
                get(&self.retention_bytes_freed),
            ),
        ];
        header(
            &mut out,
            "trubka_relay_crm_lookups_total",
            "counter",
            "Requests to the CRM ([directory.lookup]) about unknown callers, by outcome.",
        );
        for outcome in CrmOutcome::ALL {
            let _ = writeln!(
                out,
                "trubka_relay_crm_lookups_total{{outcome=\"{}\"}} {}",
                outcome.as_str(),
                self.crm_lookups(outcome)
            );
        }
        let crm = [(
            "trubka_relay_crm_cache_hits_total",
            "counter",
            "Unknown callers whose CRM answer was still cached (no request made).",
            get(&self.crm_cache_hits),
        )];
        header(
            &mut out,
            "trubka_relay_uis_sync_passes_total",
            "counter",
            "Reads of the UIS address book ([directory.uis_sync]), by outcome.",
        );
        for (outcome, counter) in ["done", "failed"].iter().zip(&self.uis_sync_passes) {
            let _ = writeln!(
                out,
                "trubka_relay_uis_sync_passes_total{{outcome=\"{outcome}\"}} {}",
                get(counter)
            );
        }
        header(
            &mut out,
            "trubka_relay_uis_sync_contacts_total",
            "counter",
            "Team contacts the UIS address book added, updated, deleted, and UIS contacts skipped.",
        );
        let changes = ["added", "updated", "deleted", "skipped"];
        for (change, counter) in changes.iter().zip(&self.uis_sync_contacts) {
            let _ = writeln!(
                out,
                "trubka_relay_uis_sync_contacts_total{{change=\"{change}\"}} {}",
                get(counter)
            );
        }
        for (name, kind, help, value) in simple.into_iter().chain(retention).chain(crm) {
            header(&mut out, name, kind, help);
            let _ = writeln!(out, "{name} {value}");
        }
        header(
            &mut out,
            "trubka_relay_streams_open",
            "gauge",
            "Agent streams open now.",
        );
        let _ = writeln!(
            out,
            "trubka_relay_streams_open {}",
            self.streams_open.load(Ordering::Relaxed)
        );
        header(
            &mut out,
            "trubka_relay_write_batch_size",
            "summary",
            "Requests per group-committed transaction.",
        );
        let _ = writeln!(
            out,
            "trubka_relay_write_batch_size_sum {}",
            get(&self.write_batch_requests)
        );
        let _ = writeln!(
            out,
            "trubka_relay_write_batch_size_count {}",
            get(&self.write_batches)
        );
        header(
            &mut out,
            "trubka_relay_retention_batch_seconds",
            "summary",
            "Time of one retention batch in the writer (webhooks wait meanwhile).",
        );
        let seconds = get(&self.retention_batch_micros_sum) as f64 / 1e6;
        let _ = writeln!(out, "trubka_relay_retention_batch_seconds_sum {seconds}");
        let _ = writeln!(
            out,
            "trubka_relay_retention_batch_seconds_count {}",
            get(&self.retention_batches)
        );
        header(
            &mut out,
            "trubka_relay_ingest_latency_seconds",
            "summary",
            "Webhook arrival to durable acknowledgement.",
        );
        let seconds = get(&self.ingest_latency_micros_sum) as f64 / 1e6;
        let _ = writeln!(out, "trubka_relay_ingest_latency_seconds_sum {seconds}");
        let _ = writeln!(
            out,
            "trubka_relay_ingest_latency_seconds_count {}",
            get(&self.ingest_latency_count)
        );
        self.actions.render(&mut out);
        out
    }
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rendering_shows_every_counter_with_its_labels() {
        let metrics = Metrics::default();
        metrics.webhook_received(Provider::Sipuni);
        metrics.webhook_done(Provider::Sipuni, HookOutcome::Duplicate, 1_500);
        metrics.webhook_done(Provider::Uis, HookOutcome::Rejected, 10);
        metrics.events_stored.fetch_add(3, Ordering::Relaxed);
        metrics.call_placed(Provider::Uis, true);
        metrics.call_placed(Provider::Sipuni, false);
        metrics.crm_lookup(CrmOutcome::Timeout);
        metrics.crm_cache_hit();
        let text = metrics.render();
        assert!(text.contains("trubka_relay_crm_lookups_total{outcome=\"timeout\"} 1\n"));
        assert!(text.contains("trubka_relay_crm_lookups_total{outcome=\"skipped\"} 0\n"));
        assert!(text.contains("trubka_relay_crm_cache_hits_total 1\n"));
        assert!(text.contains("trubka_relay_webhooks_received_total{provider=\"sipuni\"} 1\n"));
        assert!(text.contains(
            "trubka_relay_webhooks_total{provider=\"sipuni\",outcome=\"duplicate\"} 1\n"
        ));
        assert!(
            text.contains("trubka_relay_webhooks_total{provider=\"uis\",outcome=\"rejected\"} 1\n")
        );
        assert!(text.contains("trubka_relay_events_stored_total 3\n"));
        assert!(text.contains("trubka_relay_calls_total{provider=\"uis\",outcome=\"placed\"} 1\n"));
        assert!(
            text.contains("trubka_relay_calls_total{provider=\"sipuni\",outcome=\"failed\"} 1\n")
        );
        // Rejections are not acknowledgements and stay out of the latency.
        assert!(text.contains("trubka_relay_ingest_latency_seconds_sum 0.0015\n"));
        assert!(text.contains("trubka_relay_ingest_latency_seconds_count 1\n"));
        assert!(
            text.lines()
                .all(|line| line.starts_with('#') || line.split(' ').count() == 2)
        );
    }
}
