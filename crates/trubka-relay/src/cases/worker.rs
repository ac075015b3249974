//! The case worker's thread: takes the touched calls and the HTTP jobs, recomputes the cases
//! of each touched client number, lapses claims on time, and publishes the `case` frames.
//!
//! It has its own write connection (`busy_timeout` makes it wait for the event writer's
//! commit), so the event writer's group commit never waits for a recomputation.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use axum::extract::ws::Utf8Bytes;
use chrono::{DateTime, Utc};
use rusqlite::Connection;
use trubka_core::RecordingRule;
use trubka_protocol::ServerFrame;
use trubka_protocol::cases::CaseView;

use super::{CaseError, CaseQueue, Cases, claims, derive, owed};
use crate::agents::{AgentId, AgentSet};
use crate::config::CasesConfig;
use crate::hub::Hub;
use crate::presence::{Presence, on_call};
use crate::store::{Role, StoreError, agents, open_connection};

/// How long the thread sleeps when idle; claims lapse on this beat.
const BEAT: Duration = Duration::from_secs(1);
/// Calls of an older database given their client number per pass when idle (see
/// [`CaseWorker::backfill`]); new calls' work is taken between two passes.
const BACKFILL_BATCH: usize = 500;
/// Client numbers whose cases the backfill derives per pass, once every call has its number.
const BACKFILL_NUMBERS: usize = 200;

/// The worker's state, lent to every job.
pub(crate) struct CaseWorker {
    pub(crate) conn: Connection,
    pub(crate) agents: AgentSet,
    data_version: i64,
    pub(crate) rule: RecordingRule,
    pub(crate) claim_minutes: u32,
    version: Arc<AtomicU64>,
    hub: Arc<Hub>,
    /// Agents' presence, told who is on a call by each call folded here.
    presence: Arc<Presence>,
    /// Where the first pass over calls without a client number has reached; `None` once the
    /// backfill is done, its second pass too (see [`CaseWorker::backfill`]).
    backfill_after: Option<String>,
}

/// Owns the thread; dropping it asks the thread to stop.
pub(crate) struct CaseThread {
    queue: Arc<CaseQueue>,
    thread: Option<JoinHandle<()>>,
}

/// Opens the worker's connection (the schema is the writer's to migrate, which ran before)
/// and starts the thread, which takes its work from `queue`.
pub(crate) fn start(
    path: &Path,
    config: CasesConfig,
    hub: Arc<Hub>,
    presence: Arc<Presence>,
    queue: Arc<CaseQueue>,
) -> Result<(Cases, CaseThread), StoreError> {
    let conn = open_connection(path, Role::Writer)?;
    // Cases derived from stored events can be derived again: their commits need not wait for
    // an fsync of their own (the event writer's next commit syncs the log). What people write
    // (jobs) is synced before it is answered, see `run`.
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    let version: i64 = conn.query_row("SELECT COALESCE(MAX(version), 0) FROM cases", [], |r| {
        r.get(0)
    })?;
    let version = Arc::new(AtomicU64::new(version as u64));
    let mut worker = CaseWorker {
        conn,
        agents: AgentSet::default(),
        data_version: -1,
        rule: config.callback_rule,
        claim_minutes: config.claim_minutes,
        version: Arc::clone(&version),
        hub,
        presence,
        backfill_after: Some(String::new()),
    };
    let thread_queue = Arc::clone(&queue);
    let thread = std::thread::Builder::new()
        .name("trubka-cases".to_owned())
        .spawn(move || worker.run(&thread_queue))
        .map_err(|e| StoreError::WriteFailed(format!("cannot start the case worker: {e}")))?;
    Ok((
        Cases {
            queue: Arc::clone(&queue),
            version,
        },
        CaseThread {
            queue,
            thread: Some(thread),
        },
    ))
}

impl CaseThread {
    /// Stops the thread after the work it holds, and waits for it.
    pub(crate) async fn shutdown(mut self) {
        self.queue.stop();
        if let Some(thread) = self.thread.take()
            && let Ok(Err(_)) = tokio::task::spawn_blocking(move || thread.join()).await
        {
            tracing::error!("the case worker panicked");
        }
    }
}

impl Drop for CaseThread {
    fn drop(&mut self) {
        self.queue.stop();
    }
}

impl CaseWorker {
    fn run(&mut self, queue: &CaseQueue) {
        self.resume();
        // Ends when stopped; each pass is bounded by what was queued before it.
        loop {
            // While older calls wait for their cases, idle time goes to them at once.
            let wait = if self.backfill_after.is_some() {
                Duration::ZERO
            } else {
                BEAT
            };
            let pending = queue.take(wait);
            if let Err(e) = self.refresh_agents() {
                tracing::error!(error = %e, "case worker cannot reload agents");
            }
            if !pending.jobs.is_empty() {
                if let Err(e) = self.conn.pragma_update(None, "synchronous", "FULL") {
                    tracing::error!(error = %e, "case worker cannot sync its writes");
                }
                for job in pending.jobs {
                    job(self);
                }
                if let Err(e) = self.conn.pragma_update(None, "synchronous", "NORMAL") {
                    tracing::error!(error = %e, "case worker cannot relax its syncs");
                }
            }
            let idle = pending.calls.is_empty();
            if let Err(e) = self.touched(&pending.calls) {
                tracing::error!(error = %e, "cannot update the cases of stored calls");
            }
            if let Err(e) = self.lapse_claims(Utc::now()) {
                tracing::error!(error = %e, "cannot lapse claims");
            }
            if pending.stop {
                break;
            }
            if idle && let Err(e) = self.backfill() {
                tracing::error!(error = %e, "cannot derive the cases of older calls");
                self.backfill_after = None;
            }
        }
    }

    /// Folds again, as the live path folds a touched call, the calls an agent was talking on
    /// when the relay last stopped (kept in `calls_talking`) and those whose stored events
    /// were never folded (`owed`: the relay died first): presence knows who is on a call at
    /// once, not from the call's next event, a call that ended or fell silent meanwhile
    /// leaves the table, and a call whose last events came just before a crash gets its
    /// cases.
    fn resume(&mut self) {
        let calls = match self.refresh_agents() {
            Ok(()) => on_call::kept(&self.conn).and_then(|mut calls| {
                calls.extend(owed::owed(&self.conn)?);
                Ok(calls)
            }),
            Err(e) => Err(e),
        };
        match calls {
            Ok(calls) => {
                if let Err(e) = self.touched(&calls) {
                    tracing::error!(error = %e, "cannot fold the calls in progress at start");
                }
            }
            Err(e) => tracing::error!(error = %e, "cannot read the calls in progress at start"),
        }
    }

    fn refresh_agents(&mut self) -> Result<(), StoreError> {
        let version: i64 = self
            .conn
            .query_row("PRAGMA data_version", [], |row| row.get(0))?;
        if version != self.data_version {
            self.agents = AgentSet::new(agents::list(&self.conn)?);
            self.data_version = version;
        }
        Ok(())
    }

    /// Recomputes the cases of the numbers of `calls` and publishes what changed.
    pub(crate) fn touched(&mut self, calls: &BTreeSet<String>) -> Result<(), CaseError> {
        if calls.is_empty() {
            return Ok(());
        }
        self.update(calls, BTreeSet::new()).map(drop)
    }

    /// Gives `calls` their client numbers and recomputes those numbers and `numbers`: reads
    /// first, then one write transaction for all of them, then the frames. Returns the
    /// changed cases as sent.
    pub(crate) fn update(
        &mut self,
        calls: &BTreeSet<String>,
        mut numbers: BTreeSet<String>,
    ) -> Result<Vec<CaseView>, CaseError> {
        let now = Utc::now();
        // Read before the fold: the marks it settles are the ones it covers (`owed`).
        let read_head = owed::head(&self.conn)?;
        let mut assigned = HashMap::new();
        // Whether an agent talks on each call, kept with the cases (`presence::on_call`).
        let mut talking = Vec::with_capacity(calls.len());
        for call in calls {
            let Some((number, before, state)) = derive::client_number(&self.conn, call)? else {
                // No events (retention deleted the call): nobody talks on it.
                talking.push((call.clone(), false));
                continue;
            };
            // The same fold tells presence who talks on the call.
            let on = self.presence.call_seen(&state, &self.agents, &self.hub);
            talking.push((call.clone(), on));
            match before {
                Some(before) if before == number => {}
                Some(before) => {
                    numbers.insert(before);
                    assigned.insert(call.clone(), number.clone());
                }
                None => {
                    assigned.insert(call.clone(), number.clone());
                }
            }
            numbers.insert(number);
        }
        let mut plans = Vec::with_capacity(numbers.len());
        for number in &numbers {
            plans.push(derive::plan(self, number, &assigned, now)?);
        }
        let folded = derive::Folded { calls, read_head };
        derive::write(&self.conn, &assigned, &plans, &talking, Some(folded), now)?;
        let mut sent = Vec::new();
        for plan in plans {
            for (view, audience) in plan.into_changed() {
                sent.push(self.publish(view, &audience)?);
            }
        }
        Ok(sent)
    }

    /// The next case version.
    pub(crate) fn next_version(&self) -> u64 {
        self.version.fetch_add(1, Ordering::AcqRel) + 1
    }

    /// Attaches the live claim and sends the `case` frame to the case's audience and the
    /// supervisors; returns the view sent.
    pub(crate) fn publish(
        &self,
        mut view: CaseView,
        audience: &[AgentId],
    ) -> Result<CaseView, CaseError> {
        view.claim = claims::live(&self.conn, &self.agents, &view.key, Utc::now())?;
        let mut who: Vec<AgentId> = audience
            .iter()
            .copied()
            .filter(|id| self.agents.is_active(*id))
            .chain(self.agents.supervisors().iter().copied())
            .collect();
        who.sort_unstable();
        who.dedup();
        let frame = ServerFrame::Case {
            case: Box::new(view.clone()),
        };
        self.hub.notify(&Utf8Bytes::from(frame.to_json()), &who);
        Ok(view)
    }

    /// Deletes claims past their time and publishes their cases.
    fn lapse_claims(&mut self, now: DateTime<Utc>) -> Result<(), CaseError> {
        for key in claims::expired(&self.conn, now)? {
            claims::drop_claim(self, &key, now)?;
        }
        Ok(())
    }

    /// Gives the calls stored before cases existed (or that the worker never got to) their
    /// client number and cases, a batch per idle beat, in two passes, so that each number's
    /// cases are derived once however many calls it has: first every such call gets its
    /// number, in call id order; then the cases of every number are derived, in number
    /// order. The second pass is owed (`derive::backfill_owed`, kept in the database) from
    /// before the first writes a number until it ends, so a restart goes on with it.
    /// Deriving each batch of calls' numbers at once instead made a number with thousands of
    /// calls be derived again in every batch that held one of them.
    fn backfill(&mut self) -> Result<(), CaseError> {
        let Some(after) = self.backfill_after.take() else {
            return Ok(());
        };
        let calls = derive::calls_without_number(&self.conn, &after, BACKFILL_BATCH)?;
        if let Some(last) = calls.last() {
            if derive::backfill_owed(&self.conn)?.is_none() {
                derive::owe_backfill(&self.conn, Some(""))?;
            }
            let mut assigned = HashMap::new();
            for call in &calls {
                if let Some(number) = derive::number_of_call(&self.conn, call)? {
                    assigned.insert(call.clone(), number);
                }
            }
            derive::write(&self.conn, &assigned, &[], &[], None, Utc::now())?;
            self.backfill_after = Some(last.clone());
            return Ok(());
        }
        let Some(from) = derive::backfill_owed(&self.conn)? else {
            return Ok(());
        };
        let numbers = derive::numbers_after(&self.conn, &from, BACKFILL_NUMBERS)?;
        match numbers.last().cloned() {
            Some(last) => {
                self.update(&BTreeSet::new(), numbers.into_iter().collect())?;
                derive::owe_backfill(&self.conn, Some(&last))?;
                self.backfill_after = Some(after);
            }
            None => derive::owe_backfill(&self.conn, None)?,
        }
        Ok(())
    }
}
