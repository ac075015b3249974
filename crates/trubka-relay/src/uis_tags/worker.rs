//! The tagger: a task that sets the queued tags of notes on their UIS calls, one at a time
//! (UIS's minute budget is shared with agents' requests), woken by a new note and every
//! second for what is due again.
//!
//! One attempt: the call's `communication_id` as UIS's calls report gives it (the report is
//! searched around the call's time; a row without one is its session id, as recording links
//! read it — the docs name both and show no call where they differ, so the report decides
//! rather than an assumption; a call the report does not list yet is tried later), the tag's
//! UIS id (known, else found by exact name with `get.tags`, else made with `create.tags`; a
//! `duplicate_entity` from a create made at the same moment elsewhere is answered by looking
//! again), then `set.tag_communications`. What comes of it is a [`Verdict`].

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeDelta, Utc};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use trubka_pbx::uis::CallReportRow;
use trubka_pbx::{PbxError, UisMnemonic};

use super::{JobState, TagJob};
use crate::metrics::actions::TagOutcome;
use crate::pbx::UisApi;
use crate::relay::AppState;

/// How often due retries are looked for when nothing wakes the tagger.
const POLL: Duration = Duration::from_secs(1);
/// Rows taken per look.
const BATCH: u32 = 20;
/// The longest wait between two attempts.
const MAX_DELAY_MS: i64 = 30 * 60 * 1000;
/// Attempts after which a tag whose id keeps vanishing waits its backoff like any other.
const AGAIN_AT_ONCE: u32 = 2;
/// How far before and after the call's own time the calls report is searched for it (the
/// clocks of the PBX and the event differ by seconds; the report lists a call by its start).
const REPORT_WINDOW: TimeDelta = TimeDelta::minutes(10);
/// After this long since the note, a tag still failing is given up.
const GIVE_UP_AFTER_MS: i64 = 3 * 24 * 3600 * 1000;

/// What one attempt says to do with the row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// UIS has the tag on the call (set now, or already: `duplicate_entity`).
    Tagged,
    /// Try again after the backoff: UIS unreachable, silent or out of budget; the call not
    /// yet a communication of the reports (`entity_not_found` on `communication_id`); or a
    /// refusal the admin can mend in the cabinet (the relay's address not allowed, the key
    /// without the right or component, the key invalid).
    Later(String),
    /// Try again at once: the UIS tag id known for the name is gone (`entity_not_found` on
    /// `tag_id`), so the name is looked up anew.
    Again(String),
    /// Refused for good (a request UIS will never take).
    Never(String),
}

/// The communication of session `session` among the report's `rows`: its `communication_id`,
/// or the session id where the row gives none.
pub(crate) fn communication_of(rows: &[CallReportRow], session: u64) -> Option<u64> {
    rows.iter()
        .find(|row| row.id == session)
        .map(|row| row.communication_id.unwrap_or(row.id))
}

/// Sorts a failure of the lookup or of the tagging.
pub(crate) fn verdict(error: &PbxError) -> Verdict {
    let text = format!("{}: {error}", error.code());
    if error.is_transient() {
        return Verdict::Later(text);
    }
    let PbxError::Uis {
        mnemonic, field, ..
    } = error
    else {
        return Verdict::Never(text);
    };
    match mnemonic {
        UisMnemonic::DuplicateEntity => Verdict::Tagged,
        UisMnemonic::EntityNotFound if field.as_deref() == Some("tag_id") => Verdict::Again(text),
        UisMnemonic::EntityNotFound
        | UisMnemonic::IpNotWhitelisted
        | UisMnemonic::Forbidden
        | UisMnemonic::MethodComponentDisabled
        | UisMnemonic::ComponentDisabled
        | UisMnemonic::AccessTokenInvalid
        | UisMnemonic::AccessTokenExpired
        | UisMnemonic::AccessTokenBlocked
        | UisMnemonic::AccountInactive => Verdict::Later(text),
        _ => Verdict::Never(text),
    }
}

/// The wait before attempt `attempts + 1`: `first` doubled per failed attempt, at most
/// [`MAX_DELAY_MS`].
pub(crate) fn backoff_ms(first: Duration, attempts: u32) -> i64 {
    let first = i64::try_from(first.as_millis()).unwrap_or(MAX_DELAY_MS);
    first
        .saturating_mul(1_i64 << attempts.min(20))
        .min(MAX_DELAY_MS)
}

/// Sets the queued tags at UIS: a handle for the relay (and for tests, [`Tagger::run_once`]).
#[derive(Clone)]
pub struct Tagger {
    state: AppState,
    /// The first retry's wait (`[cases] uis_tag_retry_secs`).
    first_retry: Duration,
    enabled: bool,
}

impl Tagger {
    pub(crate) fn new(state: AppState, enabled: bool, first_retry: Duration) -> Tagger {
        Tagger {
            state,
            first_retry,
            enabled,
        }
    }

    /// Runs until `stop`: a pass when woken (a note with tags was stored) or every [`POLL`].
    /// Without a UIS API key, or with `[cases] uis_tags = false`, nothing is sent and the
    /// queue waits.
    pub(crate) async fn run(self, wake: Arc<Notify>, stop: CancellationToken) {
        if !self.enabled || self.state.pbx.uis.is_none() {
            return;
        }
        loop {
            tokio::select! {
                () = stop.cancelled() => return,
                () = wake.notified() => {}
                () = tokio::time::sleep(POLL) => {}
            }
            tokio::select! {
                () = stop.cancelled() => return,
                _ = self.run_once() => {}
            }
        }
    }

    /// One pass over what is due now; answers how many attempts were made.
    pub async fn run_once(&self) -> usize {
        let Some(api) = self.state.pbx.uis.as_ref() else {
            return 0;
        };
        let now = Utc::now().timestamp_millis();
        let due = match self
            .state
            .reads
            .run(move |conn| super::due(conn, now, BATCH))
            .await
        {
            Ok(due) => due,
            Err(error) => {
                tracing::warn!(%error, "UIS tags: cannot read the queue");
                return 0;
            }
        };
        for job in &due {
            let verdict = self.attempt(api, job).await;
            self.settle(job, verdict).await;
        }
        due.len()
    }

    /// How many queued tags are (pending, done, failed).
    pub async fn counts(&self) -> Result<(u64, u64, u64), crate::store::StoreError> {
        self.state.reads.run(super::counts).await
    }

    async fn attempt(&self, api: &UisApi, job: &TagJob) -> Verdict {
        let Some(session) = job
            .call_id
            .strip_prefix("uis:")
            .and_then(|id| id.parse::<u64>().ok())
        else {
            return Verdict::Never(format!("«{}» is no UIS call session", job.call_id));
        };
        let communication = match self.communication_id(api, job, session).await {
            Ok(Some(id)) => id,
            Ok(None) => return Verdict::Later("the call is not in UIS's calls report yet".into()),
            Err(error) => return verdict(&error),
        };
        let tag_id = match self.tag_id(api, &job.tag).await {
            Ok(id) => id,
            Err(error) => return verdict(&error),
        };
        match api.client.tag_call(communication, tag_id).await {
            Ok(()) => Verdict::Tagged,
            Err(error) => {
                let verdict = verdict(&error);
                if matches!(verdict, Verdict::Again(_)) {
                    self.remember(&job.tag, None).await;
                }
                verdict
            }
        }
    }

    /// The call's `communication_id` from the calls report around the call's own time;
    /// `None` while the report does not list it (or no event of the call is kept).
    async fn communication_id(
        &self,
        api: &UisApi,
        job: &TagJob,
        session: u64,
    ) -> Result<Option<u64>, PbxError> {
        let call_id = job.call_id.clone();
        let at = match self
            .state
            .reads
            .run(move |conn| super::call_time(conn, &call_id))
            .await
        {
            Ok(Some(at)) => at,
            Ok(None) => return Ok(None),
            Err(error) => {
                tracing::warn!(%error, "UIS tags: cannot read the call's time");
                return Ok(None);
            }
        };
        let till = (at + REPORT_WINDOW).min(Utc::now());
        let rows = api
            .history
            .calls_report_all(at - REPORT_WINDOW, till)
            .await?;
        Ok(communication_of(&rows, session))
    }

    /// The UIS id of the admin's tag `name`: known, found by name, or made.
    async fn tag_id(&self, api: &UisApi, name: &str) -> Result<u64, PbxError> {
        let owned = name.to_owned();
        if let Ok(Some(id)) = self
            .state
            .reads
            .run(move |conn| super::known_id(conn, &owned))
            .await
        {
            return Ok(id);
        }
        let id = match api.client.tag_named(name).await? {
            Some(tag) => tag.id,
            None => match api.client.create_tag(name).await {
                Ok(id) => {
                    tracing::info!(tag = name, id, "UIS tag created");
                    id
                }
                Err(error) if matches!(verdict(&error), Verdict::Tagged) => {
                    // Made by someone else meanwhile: it is there now.
                    let again = api.client.tag_named(name).await?;
                    again.map(|tag| tag.id).ok_or(error)?
                }
                Err(error) => return Err(error),
            },
        };
        self.remember(name, Some(id)).await;
        Ok(id)
    }

    async fn remember(&self, name: &str, id: Option<u64>) {
        let name = name.to_owned();
        let stored = self
            .state
            .cases
            .run(move |worker| Ok(super::set_known_id(&worker.conn, &name, id)?))
            .await;
        if let Err(error) = stored {
            tracing::warn!(%error, "UIS tags: cannot keep a tag id");
        }
    }

    async fn settle(&self, job: &TagJob, verdict: Verdict) {
        let now = Utc::now().timestamp_millis();
        let too_old = now.saturating_sub(job.created_at) > GIVE_UP_AFTER_MS;
        let (state, next_at, error, outcome) = match verdict {
            Verdict::Tagged => (JobState::Done, now, None, TagOutcome::Tagged),
            Verdict::Never(text) => (JobState::Failed, now, Some(text), TagOutcome::Failed),
            Verdict::Later(text) | Verdict::Again(text) if too_old => {
                (JobState::Failed, now, Some(text), TagOutcome::Failed)
            }
            Verdict::Again(text) if job.attempts < AGAIN_AT_ONCE => {
                (JobState::Pending, now, Some(text), TagOutcome::Retried)
            }
            Verdict::Later(text) | Verdict::Again(text) => {
                let next = now.saturating_add(backoff_ms(self.first_retry, job.attempts));
                (JobState::Pending, next, Some(text), TagOutcome::Retried)
            }
        };
        match (&outcome, &error) {
            (TagOutcome::Tagged, _) => {
                tracing::info!(call_id = %job.call_id, tag = %job.tag, "tagged at UIS")
            }
            (TagOutcome::Retried, Some(error)) => {
                tracing::info!(call_id = %job.call_id, tag = %job.tag, %error, "UIS tag: later")
            }
            (_, error) => {
                tracing::warn!(call_id = %job.call_id, tag = %job.tag, ?error, "UIS tag given up")
            }
        }
        self.state.metrics.actions.uis_tag(outcome);
        let job = job.clone();
        let recorded = self
            .state
            .cases
            .run(move |worker| {
                Ok(super::record(
                    &worker.conn,
                    &job,
                    state,
                    next_at,
                    error.as_deref(),
                )?)
            })
            .await;
        if let Err(error) = recorded {
            tracing::warn!(%error, "UIS tags: cannot record an attempt");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trubka_core::Provider;

    fn uis(mnemonic: &str, field: Option<&str>) -> PbxError {
        PbxError::Uis {
            code: -32602,
            mnemonic: UisMnemonic::parse(mnemonic),
            message: String::new(),
            field: field.map(str::to_owned),
        }
    }

    #[test]
    fn refusals_are_sorted_into_done_later_again_and_never() {
        assert_eq!(
            verdict(&uis("duplicate_entity", Some("tag_id"))),
            Verdict::Tagged
        );
        assert!(matches!(
            verdict(&uis("entity_not_found", Some("tag_id"))),
            Verdict::Again(_)
        ));
        for later in [
            uis("entity_not_found", Some("communication_id")),
            uis("forbidden", None),
            uis("ip_not_whitelisted", Some("ip")),
            uis("limit_exceeded", None),
            PbxError::Timeout {
                provider: Provider::Uis,
            },
        ] {
            assert!(matches!(verdict(&later), Verdict::Later(_)), "{later}");
        }
        assert!(matches!(
            verdict(&uis("invalid_parameter_value", Some("name"))),
            Verdict::Never(_)
        ));
    }

    #[test]
    fn the_report_names_the_communication_and_a_row_without_one_is_its_session() {
        let row = |id: u64, communication_id: Option<u64>| CallReportRow {
            id,
            communication_id,
            ..CallReportRow::default()
        };
        let rows = [row(7001, Some(915_201)), row(7002, None)];
        assert_eq!(communication_of(&rows, 7001), Some(915_201));
        assert_eq!(communication_of(&rows, 7002), Some(7002));
        assert_eq!(communication_of(&rows, 7003), None);
    }

    #[test]
    fn the_wait_doubles_up_to_half_an_hour() {
        let first = Duration::from_secs(5);
        assert_eq!(backoff_ms(first, 0), 5_000);
        assert_eq!(backoff_ms(first, 3), 40_000);
        assert_eq!(backoff_ms(first, 40), MAX_DELAY_MS);
    }
}
