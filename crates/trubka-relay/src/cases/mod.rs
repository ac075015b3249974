//! The team's cases on the relay (issue 13): kept up to date from the event log by
//! `trubka_core::cases`, with what people add by hand (claims, closes, notes on calls).
//!
//! - [`worker`]: the case worker's thread, which owns the case tables' writes: the event
//!   writer hands it the ids of the calls each committed batch stored ([`CaseFeed::touch`]),
//!   it coalesces them, recomputes the cases of each affected client number and sends the
//!   `case` frame to each changed case's audience. HTTP writes (claims, closes, notes) run on
//!   the same thread as jobs ([`Cases::run`]), so one connection writes these tables.
//! - [`derive`]: the SQL of one number's recomputation: its calls, closes and notes in, its
//!   case rows out.
//! - [`owed`]: the calls the worker still owes a fold, kept across a crash.
//! - [`claims`]: «Перезваниваю» — who calls the client back, and when that lapses.
//! - [`notes`]: notes on calls and the admin's tags.
//! - [`read`]: what `GET /v1/cases` and `GET /v1/calls/{id}/notes` read, through the pool.
//!
//! Ingest never waits for cases: the writer only adds call ids to a set and wakes the thread.

pub(crate) mod claims;
pub(crate) mod derive;
pub(crate) mod notes;
pub(crate) mod owed;
pub(crate) mod read;
pub(crate) mod worker;

use std::collections::{BTreeSet, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::sync::oneshot;
use trubka_core::Employee;

use crate::agents::{Agent, AgentId, AgentSet};
use crate::store::StoreError;
pub(crate) use worker::{CaseThread, CaseWorker, start};

/// Schema 8: the tables behind the cases (see `store::schema`).
pub(crate) const SCHEMA: &str = r#"
    -- The client number each call is grouped by: E.164, or `call:{id}` for a call whose
    -- number groups with nothing (hidden, internal). Written by the case worker.
    CREATE TABLE call_clients(
        call_id TEXT PRIMARY KEY,
        number TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX call_clients_number ON call_clients(number);

    -- The cases as last derived: the wire view without its claim (JSON), and who may see
    -- them (agent ids joined by commas, supervisors left out as in `calls`).
    CREATE TABLE cases(
        key TEXT PRIMARY KEY,
        number TEXT NOT NULL,
        status TEXT NOT NULL,
        audience TEXT NOT NULL,
        responsible INTEGER,            -- the agent mapped to the responsible employee
        json TEXT NOT NULL,
        updated_at INTEGER NOT NULL,    -- unix milliseconds
        version INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX cases_number ON cases(number);
    CREATE INDEX cases_version ON cases(version);

    -- Cases closed by hand; the first closure of a case stands.
    CREATE TABLE case_closes(
        id INTEGER PRIMARY KEY,
        case_key TEXT NOT NULL,
        at INTEGER NOT NULL,            -- unix milliseconds
        agent_id INTEGER NOT NULL,
        reason TEXT
    );
    CREATE INDEX case_closes_key ON case_closes(case_key);

    -- What agents wrote on calls: the gist, tags (a JSON array) and whether the call makes
    -- a new case.
    CREATE TABLE call_notes(
        id INTEGER PRIMARY KEY,
        call_id TEXT NOT NULL,
        agent_id INTEGER NOT NULL,
        at INTEGER NOT NULL,            -- unix milliseconds
        text TEXT NOT NULL,
        tags TEXT NOT NULL,
        new_case INTEGER NOT NULL
    );
    CREATE INDEX call_notes_call ON call_notes(call_id);

    -- «Перезваниваю»: one live claim per case.
    CREATE TABLE case_claims(
        case_key TEXT PRIMARY KEY,
        agent_id INTEGER NOT NULL,
        at INTEGER NOT NULL,            -- unix milliseconds
        expires_at INTEGER NOT NULL
    ) WITHOUT ROWID;

    -- The admin's tags, in the order `tags set` gave them.
    CREATE TABLE tags(
        name TEXT PRIMARY KEY,
        position INTEGER NOT NULL
    ) WITHOUT ROWID;
"#;

#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    /// No such case or call, or one the agent may not see (the same answer, so nobody learns
    /// what exists).
    #[error("{0}")]
    NotFound(String),
    /// Another agent holds the case's claim.
    #[error("{0}")]
    Claimed(String),
    #[error("{0}")]
    Forbidden(String),
    /// A tag that is not on the admin's list.
    #[error("{0}")]
    UnknownTag(String),
    #[error("{0}")]
    BadNote(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the case worker has stopped")]
    Stopped,
}

impl From<rusqlite::Error> for CaseError {
    fn from(error: rusqlite::Error) -> CaseError {
        CaseError::Store(StoreError::Sqlite(error))
    }
}

/// A job on the case worker's thread.
pub(crate) type Job = Box<dyn FnOnce(&mut CaseWorker) + Send>;

/// What waits for the case worker; coalesced: a call touched twice is recomputed once.
#[derive(Default)]
pub(crate) struct Pending {
    pub(crate) calls: BTreeSet<String>,
    pub(crate) jobs: VecDeque<Job>,
    pub(crate) stop: bool,
}

/// The queue between the relay and the case worker.
#[derive(Default)]
pub(crate) struct CaseQueue {
    pending: Mutex<Pending>,
    wake: Condvar,
}

impl CaseQueue {
    pub(crate) fn lock(&self) -> MutexGuard<'_, Pending> {
        // Each change is one insert or push, so a panic elsewhere leaves it whole.
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits up to `timeout` for work, and takes it all.
    pub(crate) fn take(&self, timeout: Duration) -> Pending {
        let guard = self.lock();
        let (mut guard, _) = self
            .wake
            .wait_timeout_while(guard, timeout, |p| {
                p.calls.is_empty() && p.jobs.is_empty() && !p.stop
            })
            .unwrap_or_else(PoisonError::into_inner);
        Pending {
            calls: std::mem::take(&mut guard.calls),
            jobs: std::mem::take(&mut guard.jobs),
            stop: guard.stop,
        }
    }

    fn push_job(&self, job: Job) {
        self.lock().jobs.push_back(job);
        self.wake.notify_one();
    }

    pub(crate) fn stop(&self) {
        self.lock().stop = true;
        self.wake.notify_one();
    }
}

/// The event writer's side: calls whose events were stored.
#[derive(Clone)]
pub(crate) struct CaseFeed(pub(crate) Arc<CaseQueue>);

impl CaseFeed {
    /// Marks calls for recomputation; never blocks on the worker.
    pub(crate) fn touch<'a>(&self, calls: impl IntoIterator<Item = &'a str>) {
        let mut pending = self.0.lock();
        let before = pending.calls.len();
        pending.calls.extend(calls.into_iter().map(str::to_owned));
        let grew = pending.calls.len() > before;
        drop(pending);
        if grew {
            self.0.wake.notify_one();
        }
    }
}

/// The HTTP side's handle: jobs on the worker's thread, and the newest case version.
#[derive(Clone)]
pub(crate) struct Cases {
    queue: Arc<CaseQueue>,
    version: Arc<AtomicU64>,
}

impl Cases {
    /// Runs `job` on the case worker's thread and waits for its answer.
    pub(crate) async fn run<R, F>(&self, job: F) -> Result<R, CaseError>
    where
        R: Send + 'static,
        F: FnOnce(&mut CaseWorker) -> Result<R, CaseError> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move |worker| {
            let _ = reply.send(job(worker));
        });
        if self.queue.lock().stop {
            return Err(CaseError::Stopped);
        }
        self.queue.push_job(job);
        answer.await.map_err(|_| CaseError::Stopped)?
    }

    /// The newest case version written.
    pub(crate) fn version(&self) -> u64 {
        self.version.load(Ordering::Acquire)
    }
}

/// The employee a Trubka agent is, for what that agent did by hand (a close, a note).
pub(crate) fn employee_of(agent: &Agent) -> Employee {
    Employee {
        id: agent.uis_employee.clone(),
        name: Some(agent.name.clone()),
        extension: agent.sipuni_ext.clone(),
        phone: None,
    }
}

/// The name of the agent an employee is, when one is mapped to it.
pub(crate) fn agent_name(agents: &AgentSet, employee: &Employee) -> Option<String> {
    agent_of(agents, employee)
        .and_then(|id| agents.get(id))
        .map(|a| a.name.clone())
}

/// The agent an employee is: by UIS employee id, Sipuni extension or employee phone.
pub(crate) fn agent_of(agents: &AgentSet, employee: &Employee) -> Option<AgentId> {
    let by_id = employee.id.as_deref().map(|id| agents.by_uis_employee(id));
    let by_ext = employee
        .extension
        .as_deref()
        .map(|ext| agents.by_sipuni_ext(ext));
    let by_phone = employee
        .phone
        .as_deref()
        .map(|phone| agents.by_employee_phone(phone));
    [by_id, by_ext, by_phone]
        .into_iter()
        .flatten()
        .find_map(|ids| ids.first().copied())
}

/// Deletes what the cases keep of a call retention deletes: its client number, the notes on
/// it (and their tags still to set at UIS), and the case it opened with that case's closes and claim (they hold the caller's
/// number and what was said, kept no longer than the call). A case a later call of the
/// number still holds is made again, under that call's key, when the number is next touched.
pub(crate) fn forget_call(conn: &rusqlite::Connection, call_id: &str) -> Result<(), StoreError> {
    for sql in [
        "DELETE FROM call_clients WHERE call_id = ?1",
        "DELETE FROM call_notes WHERE call_id = ?1",
        "DELETE FROM cases WHERE key = ?1",
        "DELETE FROM case_closes WHERE case_key = ?1",
        "DELETE FROM case_claims WHERE case_key = ?1",
        "DELETE FROM uis_tag_jobs WHERE call_id = ?1",
    ] {
        conn.prepare_cached(sql)?.execute([call_id])?;
    }
    Ok(())
}

/// Agent ids as stored in `cases.audience`: joined by commas.
pub(crate) fn encode_ids(ids: &[AgentId]) -> String {
    let ids: Vec<String> = ids.iter().map(AgentId::to_string).collect();
    ids.join(",")
}
