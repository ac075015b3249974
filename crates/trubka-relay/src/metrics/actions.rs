//! Counters of what the relay asks the PBX on people's behalf: call control actions by action
//! and outcome, presence writes by outcome, presence read-backs by PBX and outcome, and the
//! tags of notes set at UIS. Rendered into `/metrics` by [`super::Metrics::render`].

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};

use trubka_core::Provider;
use trubka_pbx::PbxError;
use trubka_protocol::control::ControlAction;

use super::{header, provider_index};

/// Every control action, in the order they are rendered.
const ACTIONS: [ControlAction; 7] = [
    ControlAction::Hold,
    ControlAction::Resume,
    ControlAction::Hangup,
    ControlAction::Transfer,
    ControlAction::TransferComplete,
    ControlAction::TransferCancel,
    ControlAction::Coach,
];

/// What became of a request to the PBX made for an agent (a control action, a status).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PbxOutcome {
    /// The PBX accepted it.
    Done,
    /// The PBX answered with a refusal (a UIS mnemonic, Sipuni's `success: false`, an HTTP
    /// error status, a spent budget).
    Refused,
    /// The PBX did not answer within `pbx_timeout_secs` (the agent got 504).
    Timeout,
    /// The PBX could not be reached or answered nonsense, or the relay failed itself.
    Error,
    /// The relay refused before asking the PBX (not the agent's call, ended, not offered,
    /// not configured, a bad request).
    NotAllowed,
}

impl PbxOutcome {
    const ALL: [PbxOutcome; 5] = [
        PbxOutcome::Done,
        PbxOutcome::Refused,
        PbxOutcome::Timeout,
        PbxOutcome::Error,
        PbxOutcome::NotAllowed,
    ];

    fn as_str(self) -> &'static str {
        match self {
            PbxOutcome::Done => "done",
            PbxOutcome::Refused => "refused",
            PbxOutcome::Timeout => "timeout",
            PbxOutcome::Error => "error",
            PbxOutcome::NotAllowed => "not_allowed",
        }
    }

    /// The outcome of a request the PBX failed.
    pub fn of_pbx_error(error: &PbxError) -> PbxOutcome {
        match error {
            PbxError::Timeout { .. } => PbxOutcome::Timeout,
            PbxError::Uis { .. }
            | PbxError::Sipuni { .. }
            | PbxError::Http { .. }
            | PbxError::LimitExhausted { .. } => PbxOutcome::Refused,
            // Unreachable, nonsense, or a request never sent; `PbxError` is non-exhaustive.
            _ => PbxOutcome::Error,
        }
    }
}

/// What became of one attempt to set a note's tag on a UIS call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagOutcome {
    /// UIS has the tag on the call.
    Tagged,
    /// Not now (UIS unreachable, the call not in its reports yet, …): tried again later.
    Retried,
    /// Given up: refused for good, or still failing after the longest wait.
    Failed,
}

impl TagOutcome {
    const ALL: [TagOutcome; 3] = [TagOutcome::Tagged, TagOutcome::Retried, TagOutcome::Failed];

    fn as_str(self) -> &'static str {
        match self {
            TagOutcome::Tagged => "tagged",
            TagOutcome::Retried => "retried",
            TagOutcome::Failed => "failed",
        }
    }
}

/// The counters.
#[derive(Debug, Default)]
pub struct ActionMetrics {
    control: [[AtomicU64; 5]; 7],
    presence_writes: [AtomicU64; 5],
    /// Read-backs by provider: succeeded, failed.
    presence_reads: [[AtomicU64; 2]; 2],
    /// `presence` frames the read-back sent (a change seen in the PBX).
    presence_changes: AtomicU64,
    uis_tags: [AtomicU64; 3],
}

fn index<T: PartialEq>(all: &[T], item: &T) -> usize {
    all.iter().position(|i| i == item).unwrap_or(0)
}

impl ActionMetrics {
    pub fn control(&self, action: ControlAction, outcome: PbxOutcome) {
        self.control[index(&ACTIONS, &action)][index(&PbxOutcome::ALL, &outcome)]
            .fetch_add(1, Ordering::Relaxed);
    }

    /// Control actions of `action` that ended with `outcome`.
    pub fn controls(&self, action: ControlAction, outcome: PbxOutcome) -> u64 {
        self.control[index(&ACTIONS, &action)][index(&PbxOutcome::ALL, &outcome)]
            .load(Ordering::Relaxed)
    }

    pub fn presence_write(&self, outcome: PbxOutcome) {
        self.presence_writes[index(&PbxOutcome::ALL, &outcome)].fetch_add(1, Ordering::Relaxed);
    }

    pub fn presence_writes(&self, outcome: PbxOutcome) -> u64 {
        self.presence_writes[index(&PbxOutcome::ALL, &outcome)].load(Ordering::Relaxed)
    }

    /// One read-back of `provider`'s statuses, which succeeded or not.
    pub fn presence_read(&self, provider: Provider, ok: bool) {
        self.presence_reads[provider_index(provider)][usize::from(!ok)]
            .fetch_add(1, Ordering::Relaxed);
    }

    /// Read-backs of `provider`: (succeeded, failed).
    pub fn presence_reads(&self, provider: Provider) -> (u64, u64) {
        let [ok, failed] = &self.presence_reads[provider_index(provider)];
        (ok.load(Ordering::Relaxed), failed.load(Ordering::Relaxed))
    }

    pub fn presence_change(&self) {
        self.presence_changes.fetch_add(1, Ordering::Relaxed);
    }

    pub fn uis_tag(&self, outcome: TagOutcome) {
        self.uis_tags[index(&TagOutcome::ALL, &outcome)].fetch_add(1, Ordering::Relaxed);
    }

    pub fn uis_tags(&self, outcome: TagOutcome) -> u64 {
        self.uis_tags[index(&TagOutcome::ALL, &outcome)].load(Ordering::Relaxed)
    }

    /// Appends the Prometheus text of these counters to `out`.
    pub(super) fn render(&self, out: &mut String) {
        header(
            out,
            "trubka_relay_control_actions_total",
            "counter",
            "Call control actions agents asked for, by action and outcome.",
        );
        for action in ACTIONS {
            for outcome in PbxOutcome::ALL {
                let _ = writeln!(
                    out,
                    "trubka_relay_control_actions_total{{action=\"{}\",outcome=\"{}\"}} {}",
                    action.as_str(),
                    outcome.as_str(),
                    self.controls(action, outcome)
                );
            }
        }
        header(
            out,
            "trubka_relay_presence_writes_total",
            "counter",
            "Statuses agents set (PUT /v1/presence), by outcome.",
        );
        for outcome in PbxOutcome::ALL {
            let _ = writeln!(
                out,
                "trubka_relay_presence_writes_total{{outcome=\"{}\"}} {}",
                outcome.as_str(),
                self.presence_writes(outcome)
            );
        }
        header(
            out,
            "trubka_relay_presence_readbacks_total",
            "counter",
            "Reads of agents' statuses from a PBX, by outcome.",
        );
        for provider in Provider::ALL {
            let (ok, failed) = self.presence_reads(provider);
            let _ = writeln!(
                out,
                "trubka_relay_presence_readbacks_total{{provider=\"{provider}\",outcome=\"ok\"}} {ok}"
            );
            let _ = writeln!(
                out,
                "trubka_relay_presence_readbacks_total{{provider=\"{provider}\",outcome=\"failed\"}} {failed}"
            );
        }
        header(
            out,
            "trubka_relay_presence_changes_total",
            "counter",
            "Presence changes the read-back found and announced.",
        );
        let _ = writeln!(
            out,
            "trubka_relay_presence_changes_total {}",
            self.presence_changes.load(Ordering::Relaxed)
        );
        header(
            out,
            "trubka_relay_uis_tags_total",
            "counter",
            "Attempts to set a note's tag on its UIS call, by outcome.",
        );
        for outcome in TagOutcome::ALL {
            let _ = writeln!(
                out,
                "trubka_relay_uis_tags_total{{outcome=\"{}\"}} {}",
                outcome.as_str(),
                self.uis_tags(outcome)
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_counter_is_rendered_with_its_labels() {
        let metrics = ActionMetrics::default();
        metrics.control(ControlAction::Hold, PbxOutcome::Done);
        metrics.control(ControlAction::Hold, PbxOutcome::Done);
        metrics.control(ControlAction::Coach, PbxOutcome::Timeout);
        metrics.presence_write(PbxOutcome::Refused);
        metrics.presence_read(Provider::Sipuni, false);
        metrics.presence_change();
        metrics.uis_tag(TagOutcome::Retried);
        let mut text = String::new();
        metrics.render(&mut text);
        for line in [
            "trubka_relay_control_actions_total{action=\"hold\",outcome=\"done\"} 2\n",
            "trubka_relay_control_actions_total{action=\"coach\",outcome=\"timeout\"} 1\n",
            "trubka_relay_control_actions_total{action=\"hangup\",outcome=\"refused\"} 0\n",
            "trubka_relay_presence_writes_total{outcome=\"refused\"} 1\n",
            "trubka_relay_presence_readbacks_total{provider=\"sipuni\",outcome=\"failed\"} 1\n",
            "trubka_relay_presence_readbacks_total{provider=\"uis\",outcome=\"ok\"} 0\n",
            "trubka_relay_presence_changes_total 1\n",
            "trubka_relay_uis_tags_total{outcome=\"retried\"} 1\n",
        ] {
            assert!(text.contains(line), "{line} in\n{text}");
        }
    }

    #[test]
    fn pbx_failures_are_told_apart() {
        let timeout = PbxError::Timeout {
            provider: Provider::Uis,
        };
        assert_eq!(PbxOutcome::of_pbx_error(&timeout), PbxOutcome::Timeout);
        let refused = PbxError::Sipuni {
            message: "Звонок не найден".to_owned(),
        };
        assert_eq!(PbxOutcome::of_pbx_error(&refused), PbxOutcome::Refused);
        let garbage = PbxError::BadResponse {
            provider: Provider::Uis,
            reason: "not JSON".to_owned(),
        };
        assert_eq!(PbxOutcome::of_pbx_error(&garbage), PbxOutcome::Error);
    }
}
