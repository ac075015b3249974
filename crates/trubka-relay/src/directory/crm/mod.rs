//! CRM lookup (`[directory.lookup]`): what the company's CRM knows about a caller the team
//! directory does not.
//!
//! When a call's first event is stored, the webhook handler hands the call here and answers
//! the PBX; the event's frame has already gone to the agents. A task of its own then checks
//! the directory (a number it knows is never sent to the CRM), then the cached answer
//! (`crm_answers`), and only then asks the CRM. A non-empty answer goes to the call's
//! audience as a `call_contact` frame, after the event frame in every stream's queue. So a
//! slow, down or confused CRM delays nothing and loses nothing: the card pops with the
//! number, and the name follows when (if) the CRM gives it.
//!
//! - One request per number: calls from a number being asked about wait for that answer.
//! - At most [`MAX_IN_FLIGHT`] requests at once; a call beyond that is not looked up
//!   (`skipped` in /metrics), so a CRM that hangs cannot pile up tasks and sockets.
//! - Answers naming someone are kept `cache_secs`, «nobody» (404, 204, an empty list)
//!   `negative_cache_secs`. Timeouts, errors and garbage are not kept: they say nothing
//!   about the number, and the next call from it asks again. Expired answers are deleted
//!   (at most hourly, with the next answer stored): they are personal data.

mod answer;
mod cache;
mod request;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::extract::ws::Utf8Bytes;
use chrono::Utc;
use rusqlite::Connection;
use tokio::sync::Semaphore;
use trubka_core::PhoneNumber;
use trubka_protocol::ServerFrame;
use trubka_protocol::directory::CrmContact;

pub(crate) use self::request::{CrmClient, Outcome};
use crate::agents::AgentId;
use crate::config::LookupConfig;
use crate::hub::Hub;
use crate::metrics::{CrmOutcome, Metrics};
use crate::store::StoreError;
use crate::store::read::ReadPool;
use crate::store::writer::WriterHandle;

pub use cache::cached_at;

/// CRM requests in flight at once. At the default 800 ms timeout that is 40 new unknown
/// callers a second even when the CRM always times out; a call center's peak is far below.
pub const MAX_IN_FLIGHT: usize = 32;

/// How often expired answers are deleted: with the next answer stored after this long.
pub(crate) const SWEEP_EVERY: Duration = Duration::from_secs(3600);

/// What the CRM said about `e164` (E.164 with its `+`), while the answer is fresh:
/// `Some(vec![])` is «nobody», `None` is «not asked lately». For `GET /v1/directory/lookup`.
pub fn cached(conn: &Connection, e164: &str) -> Result<Option<Vec<CrmContact>>, StoreError> {
    cached_at(conn, e164, Utc::now().timestamp_millis())
}

/// A call whose first event has just been stored and published.
#[derive(Debug, Clone)]
pub(crate) struct NewCall {
    pub(crate) call_id: String,
    /// The client's number (a valid phone number).
    pub(crate) number: PhoneNumber,
    /// Who the first event went to, supervisors included.
    pub(crate) audience: Vec<AgentId>,
}

/// The lookup service; one per relay, when `[directory.lookup]` is set.
pub(crate) struct CrmLookup {
    client: CrmClient,
    /// The CRM's origin (`https://crm.example.com`) for the log: never the path or query,
    /// which may carry a key.
    origin: String,
    /// Numbers being asked about now, with the calls waiting for the answer.
    asking: Mutex<HashMap<String, Vec<NewCall>>>,
    slots: Arc<Semaphore>,
    /// When expired answers were last deleted (`None`: not yet).
    swept: Mutex<Option<Instant>>,
    reads: Arc<ReadPool>,
    writer: WriterHandle,
    hub: Arc<Hub>,
    metrics: Arc<Metrics>,
}

impl CrmLookup {
    pub(crate) fn new(
        config: LookupConfig,
        reads: Arc<ReadPool>,
        writer: WriterHandle,
        hub: Arc<Hub>,
        metrics: Arc<Metrics>,
    ) -> Result<CrmLookup, reqwest::Error> {
        let origin = config
            .url_for("+1", "1")
            .ok()
            .and_then(|url| url::Url::parse(&url).ok())
            .map(|url| url.origin().ascii_serialization())
            .unwrap_or_default();
        Ok(CrmLookup {
            client: CrmClient::new(config)?,
            origin,
            asking: Mutex::new(HashMap::new()),
            slots: Arc::new(Semaphore::new(MAX_IN_FLIGHT)),
            swept: Mutex::new(None),
            reads,
            writer,
            hub,
            metrics,
        })
    }

    /// Looks up the caller of a new call in a task of its own; returns at once.
    pub(crate) fn call_opened(self: &Arc<Self>, call: NewCall) {
        let lookup = Arc::clone(self);
        tokio::spawn(async move { lookup.look_up(call).await });
    }

    async fn look_up(&self, call: NewCall) {
        let e164 = call.number.e164().to_owned();
        let national = call.number.national_significant().to_owned();
        let (number, digits) = (e164.clone(), national.clone());
        let known = self
            .reads
            .run(move |conn| {
                if cache::directory_knows(conn, &number, &digits)? {
                    return Ok(None);
                }
                cached(conn, &number).map(Some)
            })
            .await;
        match known {
            // The directory knows the number: the desktops match it themselves.
            Ok(None) => return,
            Ok(Some(Some(contacts))) => {
                self.metrics.crm_cache_hit();
                self.send(&[call], &e164, &contacts).await;
                return;
            }
            Ok(Some(None)) => {}
            Err(e) => {
                self.metrics.crm_lookup(CrmOutcome::Error);
                tracing::warn!(call_id = %call.call_id, error = %e, "CRM lookup failed: cannot read the directory");
                return;
            }
        }
        let slot = {
            let mut asking = self.asking.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(waiting) = asking.get_mut(&e164) {
                waiting.push(call);
                return;
            }
            let Ok(slot) = Arc::clone(&self.slots).try_acquire_owned() else {
                drop(asking);
                self.metrics.crm_lookup(CrmOutcome::Skipped);
                tracing::warn!(
                    call_id = %call.call_id,
                    "CRM lookup skipped: {MAX_IN_FLIGHT} requests to the CRM are already waiting"
                );
                return;
            };
            asking.insert(e164.clone(), vec![call]);
            slot
        };
        let outcome = self.client.ask(&e164, &national).await;
        drop(slot);
        let config = self.client.config();
        let kept = match &outcome {
            Outcome::Found(contacts) => Some((contacts.clone(), config.cache_secs)),
            Outcome::NotFound => Some((Vec::new(), config.negative_cache_secs)),
            Outcome::Timeout | Outcome::Error(_) | Outcome::Garbage(_) => None,
        };
        self.record(&outcome);
        if let Some((contacts, secs)) = kept.clone().filter(|(_, secs)| *secs > 0) {
            let number = e164.clone();
            let ttl_ms = i64::try_from(secs.saturating_mul(1000)).unwrap_or(i64::MAX);
            let sweep = self.sweep_due();
            let stored = self
                .writer
                .chore(move |conn| {
                    let now_ms = Utc::now().timestamp_millis();
                    if sweep {
                        cache::delete_expired(conn, now_ms)?;
                    }
                    cache::store(conn, &number, &contacts, now_ms, ttl_ms)
                })
                .await;
            if let Err(e) = stored {
                tracing::warn!(error = %e, "cannot keep the CRM's answer; the next call asks again");
            }
        }
        let calls = self
            .asking
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&e164)
            .unwrap_or_default();
        if let Some((contacts, _)) = kept {
            self.send(&calls, &e164, &contacts).await;
        }
    }

    /// Whether this store should delete the expired answers too; marks the sweep as done.
    fn sweep_due(&self) -> bool {
        let mut swept = self.swept.lock().unwrap_or_else(PoisonError::into_inner);
        if swept.is_some_and(|at| at.elapsed() < SWEEP_EVERY) {
            return false;
        }
        *swept = Some(Instant::now());
        true
    }

    fn record(&self, outcome: &Outcome) {
        let (kind, reason) = match outcome {
            Outcome::Found(_) => (CrmOutcome::Found, None),
            Outcome::NotFound => (CrmOutcome::NotFound, None),
            Outcome::Timeout => (
                CrmOutcome::Timeout,
                Some(format!(
                    "no answer within {} ms",
                    self.client.config().timeout_ms
                )),
            ),
            Outcome::Error(reason) => (CrmOutcome::Error, Some(reason.clone())),
            Outcome::Garbage(reason) => (CrmOutcome::Garbage, Some(reason.clone())),
        };
        self.metrics.crm_lookup(kind);
        if let Some(reason) = reason {
            tracing::warn!(crm = %self.origin, outcome = kind.as_str(), "CRM lookup failed: {reason}");
        }
    }

    /// Sends `contacts` (when there are any) to each call's audience: who got its first
    /// event, and whoever follows the call now.
    async fn send(&self, calls: &[NewCall], e164: &str, contacts: &[CrmContact]) {
        if contacts.is_empty() || calls.is_empty() {
            return;
        }
        let ids: Vec<String> = calls.iter().map(|c| c.call_id.clone()).collect();
        let followers = self
            .reads
            .run(move |conn| {
                ids.iter()
                    .map(|id| cache::call_audience(conn, id))
                    .collect::<Result<Vec<_>, _>>()
            })
            .await;
        let followers = followers.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "cannot read who follows the call; sending to its first audience");
            Vec::new()
        });
        for (index, call) in calls.iter().enumerate() {
            let mut audience = call.audience.clone();
            audience.extend(followers.get(index).into_iter().flatten());
            audience.sort_unstable();
            audience.dedup();
            let frame = ServerFrame::CallContact {
                call_id: call.call_id.clone(),
                number: e164.to_owned(),
                contacts: contacts.to_vec(),
            };
            self.hub
                .notify(&Utf8Bytes::from(frame.to_json()), &audience);
        }
    }
}
