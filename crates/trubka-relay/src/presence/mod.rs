//! Agents' presence (issue 11): the status each agent has on their PBX — available, break
//! (with a reason from the admin's list), do not disturb, offline — written to the PBX so
//! that routing follows it, and read back from it, so that a status changed in the PBX
//! cabinet shows in Trubka; with whether the agent is on a call.
//!
//! The relay keeps the last known presence of each agent in memory. `PUT /v1/presence`
//! writes the agent's status to every PBX they are mapped on (UIS `update.employees`, Sipuni
//! `workplace/setUserStatus`, see [`words`]); [`ReadBack`] reads every agent's status back
//! every `presence_interval_secs` (UIS `get.employees` with `get.statuses`, Sipuni
//! `statistic/operators`) and who is on a call (UIS `list.calls`). Between read-backs, and for
//! Sipuni, which lists no calls in progress, «on a call» follows the relay's own event log
//! ([`on_call`]): the case worker reports every call whose events were stored, and a change
//! is announced at once; the calls an agent talks on are kept in the database, so after a
//! restart the worker reports them again before anything else. A change of a presence already known is sent to every stream as a
//! `presence` frame; the first reading after start is not (a desktop reads `GET /v1/presence`
//! when it connects).

pub(crate) mod on_call;
pub(crate) mod words;

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::extract::ws::Utf8Bytes;
use chrono::Utc;
use tokio_util::sync::CancellationToken;
use trubka_core::{CallState, Provider};
use trubka_pbx::PbxError;
use trubka_pbx::uis::EmployeeStatus;
use trubka_protocol::ServerFrame;
use trubka_protocol::control::{AgentPresence, PresenceStatus, PresenceUpdate};

use crate::agents::{Agent, AgentId, AgentSet};
use crate::hub::Hub;
use crate::relay::AppState;
use crate::store::StoreError;
use on_call::CallsInProgress;
use words::{Reading, WordsError};

/// How long the account's UIS statuses are kept between reads.
const STATUSES_KEPT: Duration = Duration::from_secs(60);

/// The live UIS leg state of a party that left the call.
const DISCONNECTED: &str = "Разъединено";

/// The longest break reason kept for a PBX that has none of its own (Sipuni).
const MAX_REASON_CHARS: usize = 100;

/// Why a status was not written or read.
#[derive(Debug, thiserror::Error)]
pub(crate) enum PresenceError {
    #[error("{0}")]
    NotConfigured(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Words(WordsError),
    #[error("{0}")]
    Pbx(PbxError),
    #[error("{0}")]
    Store(StoreError),
}

impl From<PbxError> for PresenceError {
    fn from(error: PbxError) -> PresenceError {
        PresenceError::Pbx(error)
    }
}

impl From<WordsError> for PresenceError {
    fn from(error: WordsError) -> PresenceError {
        PresenceError::Words(error)
    }
}

/// What the relay knows of one agent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Known {
    status: Option<PresenceStatus>,
    reason: Option<String>,
    on_call: bool,
}

/// Every agent's last known presence, and the UIS account's statuses.
pub(crate) struct Presence {
    known: Mutex<HashMap<AgentId, Known>>,
    statuses: tokio::sync::Mutex<Option<(Instant, Vec<EmployeeStatus>)>>,
    /// Who talks on which call in progress, by the event log.
    calls: Mutex<CallsInProgress>,
    /// How often [`ReadBack`] runs; zero: never.
    every: Duration,
}

impl Presence {
    pub(crate) fn new(every: Duration) -> Presence {
        Presence {
            known: Mutex::new(HashMap::new()),
            statuses: tokio::sync::Mutex::new(None),
            calls: Mutex::new(CallsInProgress::default()),
            every,
        }
    }

    fn known(&self, agent: AgentId) -> Known {
        let known = self.known.lock().unwrap_or_else(PoisonError::into_inner);
        known.get(&agent).cloned().unwrap_or_default()
    }

    /// The agents on a call by the event log.
    fn on_call_by_log(&self) -> HashSet<AgentId> {
        let mut calls = self.calls.lock().unwrap_or_else(PoisonError::into_inner);
        calls.agents(Utc::now())
    }

    /// The case worker's report of a call whose events were stored (or read again, as when
    /// the relay starts): who talks on it now. The agents whose «on a call» this changes are
    /// announced on `hub`. Returns whether an agent talks on the call, for the worker to
    /// keep it in `calls_talking` ([`on_call::keep`]).
    pub(crate) fn call_seen(&self, state: &CallState, agents: &AgentSet, hub: &Hub) -> bool {
        let now = Utc::now();
        let talking = on_call::talking(state, agents);
        let (before, after, going_on) = {
            let mut calls = self.calls.lock().unwrap_or_else(PoisonError::into_inner);
            let before = calls.agents(now);
            let last = state.last_event_at().unwrap_or(now);
            let going_on = calls.observe(&state.call_id().0, talking, last, now);
            (before, calls.agents(now), going_on)
        };
        for id in before.symmetric_difference(&after) {
            let Some(agent) = agents.get(*id) else {
                continue;
            };
            let mut known = self.known.lock().unwrap_or_else(PoisonError::into_inner);
            let was = known.get(id).cloned().unwrap_or_default();
            let now = Known {
                on_call: after.contains(id),
                ..was.clone()
            };
            if was != now {
                known.insert(*id, now.clone());
                drop(known);
                announce(hub, agent, now);
            }
        }
        going_on
    }

    /// Records `now` for `agent`; true when it changes a presence known before.
    fn record(&self, agent: AgentId, now: Known) -> bool {
        let mut known = self.known.lock().unwrap_or_else(PoisonError::into_inner);
        match known.insert(agent, now.clone()) {
            Some(before) => before != now,
            None => false,
        }
    }
}

fn view(agent: &Agent, known: Known) -> AgentPresence {
    AgentPresence {
        agent: agent.name.clone(),
        status: known.status,
        reason: known.reason,
        on_call: known.on_call,
        supervisor: agent.supervisor,
    }
}

/// Tells every stream about `agent`'s presence.
fn announce(hub: &Hub, agent: &Agent, known: Known) {
    let frame = ServerFrame::Presence {
        presence: Box::new(view(agent, known)),
    };
    hub.broadcast(&Utf8Bytes::from(frame.to_json()));
}

async fn active_agents(state: &AppState) -> Result<Vec<Agent>, StoreError> {
    let mut agents = state.reads.run(crate::store::agents::list).await?;
    agents.retain(Agent::is_active);
    agents.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(agents)
}

fn uis_employee(agent: &Agent) -> Option<u64> {
    agent.uis_employee.as_deref()?.trim().parse().ok()
}

/// The account's UIS statuses, read again when older than [`STATUSES_KEPT`] or `fresh`.
async fn uis_statuses(state: &AppState, fresh: bool) -> Result<Vec<EmployeeStatus>, PresenceError> {
    let api = state.pbx.uis.as_ref().ok_or_else(|| {
        PresenceError::NotConfigured(
            "Статусы UIS недоступны: в настройках релея не задан ключ API UIS ([uis] api_key)"
                .to_owned(),
        )
    })?;
    let mut kept = state.presence.statuses.lock().await;
    if let Some((at, statuses)) = kept.as_ref()
        && !fresh
        && at.elapsed() < STATUSES_KEPT
    {
        return Ok(statuses.clone());
    }
    let statuses = api.client.statuses().await?;
    *kept = Some((Instant::now(), statuses.clone()));
    Ok(statuses)
}

/// Every active agent's presence, by name.
pub(crate) async fn list(state: &AppState) -> Result<Vec<AgentPresence>, PresenceError> {
    let agents = active_agents(state).await.map_err(PresenceError::Store)?;
    Ok(agents
        .iter()
        .map(|agent| view(agent, state.presence.known(agent.id)))
        .collect())
}

/// The break reasons agents may pick: the admin's own statuses in the UIS cabinet.
pub(crate) async fn reasons(state: &AppState) -> Result<Vec<String>, PresenceError> {
    if state.pbx.uis.is_none() {
        return Ok(Vec::new());
    }
    Ok(words::break_reasons(&uis_statuses(state, false).await?))
}

/// Writes `update` as `agent`'s status to every PBX the agent is mapped on.
pub(crate) async fn set(
    state: &AppState,
    agent: &Agent,
    update: &PresenceUpdate,
) -> Result<AgentPresence, PresenceError> {
    let reason = update
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    if reason.is_some() && update.status != PresenceStatus::Break {
        return Err(PresenceError::BadRequest(
            "a reason goes with \"status\": \"break\" only".to_owned(),
        ));
    }
    if reason.is_some_and(|r| r.chars().count() > MAX_REASON_CHARS) {
        return Err(PresenceError::BadRequest(format!(
            "the reason is longer than {MAX_REASON_CHARS} characters"
        )));
    }
    let uis = uis_employee(agent).filter(|_| state.pbx.uis.is_some());
    let sipuni = agent.sipuni_ext.as_deref().zip(state.pbx.sipuni.as_ref());
    if uis.is_none() && sipuni.is_none() {
        return Err(PresenceError::NotConfigured(format!(
            "Статус оператора «{}» нельзя записать в АТС: у него нет ID сотрудника UIS или \
             внутреннего номера Sipuni, с ключами которых работает релей. Обратитесь к \
             администратору релея.",
            agent.name
        )));
    }
    if let (Some(employee), Some(api)) = (uis, state.pbx.uis.as_ref()) {
        let status_id = words::to_uis(&uis_statuses(state, false).await?, update.status, reason)?;
        api.client.set_employee_status(employee, status_id).await?;
    }
    if let Some((extension, api)) = sipuni {
        // Sipuni has no "do not disturb"; for an agent on UIS as well, a Sipuni break keeps
        // its calls away just the same.
        let code = match words::to_sipuni(update.status) {
            Err(_) if uis.is_some() => trubka_pbx::sipuni::SipuniStatus::Break,
            other => other?,
        };
        api.client.set_user_status(extension, code).await?;
    }
    let before = state.presence.known(agent.id);
    let now = Known {
        status: Some(update.status),
        reason: reason.map(str::to_owned),
        on_call: before.on_call,
    };
    state.presence.record(agent.id, now.clone());
    // Set by the agent: colleagues hear of it even when the relay had not read it before.
    if before != now {
        announce(&state.hub, agent, now.clone());
    }
    Ok(view(agent, now))
}

/// Reads every agent's status and calls back from the PBXs: a handle for the schedule (and
/// for tests, [`ReadBack::run_once`]).
#[derive(Clone)]
pub struct ReadBack {
    state: AppState,
}

impl ReadBack {
    pub(crate) fn new(state: AppState) -> ReadBack {
        ReadBack { state }
    }

    /// Runs a pass every `presence_interval_secs` until `stop` (never when it is zero).
    pub(crate) async fn run(self, stop: CancellationToken) {
        let every = self.state.presence.every;
        if every.is_zero() {
            return;
        }
        crate::schedule::every(every, Duration::from_secs(1), &stop, || self.run_once()).await;
    }

    /// One pass: each PBX's statuses, then the changes announced. A PBX that fails leaves
    /// its agents as they were known (the log says why).
    pub async fn run_once(&self) {
        let state = &self.state;
        let agents = match active_agents(state).await {
            Ok(agents) => agents,
            Err(error) => {
                tracing::warn!(%error, "presence read-back: cannot list the agents");
                return;
            }
        };
        let mut read: HashMap<AgentId, Reading> = HashMap::new();
        let mut on_call: Option<HashSet<u64>> = None;
        if state.pbx.uis.is_some() && agents.iter().any(|a| uis_employee(a).is_some()) {
            let uis = read_uis(state, &agents).await;
            state
                .metrics
                .actions
                .presence_read(Provider::Uis, uis.is_ok());
            match uis {
                Ok((statuses, talking)) => {
                    read.extend(statuses);
                    on_call = Some(talking);
                }
                Err(error) => tracing::warn!(%error, "presence read-back from UIS failed"),
            }
        }
        if state.pbx.sipuni.is_some() && agents.iter().any(|a| a.sipuni_ext.is_some()) {
            let sipuni = read_sipuni(state, &agents, &read).await;
            state
                .metrics
                .actions
                .presence_read(Provider::Sipuni, sipuni.is_ok());
            match sipuni {
                Ok(statuses) => read.extend(statuses),
                Err(error) => tracing::warn!(%error, "presence read-back from Sipuni failed"),
            }
        }
        let by_log = state.presence.on_call_by_log();
        for agent in &agents {
            let before = state.presence.known(agent.id);
            let mut now = before.clone();
            if let Some((status, reason)) = read.get(&agent.id).cloned() {
                // A PBX without reasons (Sipuni) reads a break as a bare break: the reason
                // the agent gave stays.
                let keep_reason = reason.is_none() && before.status == Some(status);
                now.status = Some(status);
                now.reason = if keep_reason {
                    before.reason.clone()
                } else {
                    reason
                };
            }
            // UIS's list of calls as of now, or the event log, which also covers agents UIS
            // did not answer for.
            let by_uis = on_call
                .as_ref()
                .zip(uis_employee(agent))
                .is_some_and(|(talking, employee)| talking.contains(&employee));
            now.on_call = by_uis || by_log.contains(&agent.id);
            if state.presence.record(agent.id, now.clone()) {
                state.metrics.actions.presence_change();
                announce(&state.hub, agent, now);
            }
        }
    }
}

/// UIS: each mapped agent's status (`get.employees`' `status_id` read by `get.statuses`), and
/// the employees on a call in progress (`list.calls`).
async fn read_uis(
    state: &AppState,
    agents: &[Agent],
) -> Result<(HashMap<AgentId, Reading>, HashSet<u64>), PresenceError> {
    let api = state
        .pbx
        .uis
        .as_ref()
        .ok_or_else(|| PresenceError::NotConfigured("[uis] api_key".to_owned()))?;
    let statuses = uis_statuses(state, true).await?;
    let employees = api.client.employees().await?;
    let mut read = HashMap::new();
    for agent in agents {
        let Some(id) = uis_employee(agent) else {
            continue;
        };
        let status = employees
            .iter()
            .find(|e| e.id == id)
            .and_then(|e| e.status_id)
            .and_then(|status_id| statuses.iter().find(|s| s.id == status_id));
        if let Some(status) = status {
            read.insert(agent.id, words::from_uis(status));
        }
    }
    let calls = api.client.list_calls(&Default::default()).await?;
    let talking = calls
        .iter()
        .flat_map(|call| &call.legs)
        .filter(|leg| leg.is_operator && leg.state.as_deref() != Some(DISCONNECTED))
        .filter_map(|leg| leg.employee_id)
        .collect();
    Ok((read, talking))
}

/// Sipuni: the status words of `statistic/operators`, for agents UIS did not answer for.
async fn read_sipuni(
    state: &AppState,
    agents: &[Agent],
    from_uis: &HashMap<AgentId, Reading>,
) -> Result<HashMap<AgentId, Reading>, PresenceError> {
    let api = state
        .pbx
        .sipuni
        .as_ref()
        .ok_or_else(|| PresenceError::NotConfigured("[sipuni] user, secret".to_owned()))?;
    let operators = api.client.operators().await?;
    let mut read = HashMap::new();
    for agent in agents.iter().filter(|a| !from_uis.contains_key(&a.id)) {
        let Some(extension) = agent.sipuni_ext.as_deref() else {
            continue;
        };
        let word = operators
            .iter()
            .find(|o| o.is_extension(api.cabinet(), extension))
            .and_then(|o| o.status.as_deref());
        if let Some(reading) = word.and_then(words::from_sipuni) {
            read.insert(agent.id, reading);
        }
    }
    Ok(read)
}
