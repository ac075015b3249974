//! The running simulator: shared state, and starting and playing calls.
//!
//! [`Sim::start_call`] (and [`Sim::start_call_as`] for the PBX APIs and the generator)
//! resolves a request into a plan (a UIS caller named by the address book as it is at that
//! moment), records the call in the [`History`], registers its recordings, builds its
//! notifications and spawns one task that plays them: it waits for each notification's
//! moment (scaled by `speed`) and delivers it before the next, so the relay receives a
//! call's notifications in the real order. Notifications the call asked to
//! lose are logged instead of sent. A `release.call` wakes the task, which goes on with what
//! the shortened call still sends. Calls run concurrently with each other. Every task stops at
//! shutdown.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use chrono::{DateTime, Utc};
use rand::{SeedableRng, rngs::StdRng};
use tokio_util::{sync::CancellationToken, task::TaskTracker};
use url::Url;

use crate::{
    address_book::AddressBook,
    api::limits::Budgets,
    config::SimConfig,
    error::{CallRequestError, SimError},
    history::{CallEntry, History},
    ids::{self, IdGen},
    mp3::Voice,
    presence::Presence,
    recordings::{self, Recording, Recordings},
    request_log::RequestLog,
    scenario::{
        self, CallOrigin, CallPlan, CallRequest, Direction, NotificationKind, Outcome, PbxCallId,
        PlanContext, Provider, secs,
    },
    sender::{Hook, Outgoing, Sender},
    sipuni_notify::{self, SipuniContext},
    tags::Tags,
    uis_notify::{self, UisContext},
};

/// First id of Sipuni lines (`_id265648`); the n-th configured line gets this plus n.
const SIPUNI_LINE_ID_BASE: u64 = 265_648;

/// How many contacts' communication counts are remembered before starting over.
const CONTACTS_CAPACITY: usize = 10_000;

/// The simulator's shared state.
#[derive(Debug)]
pub struct Sim {
    /// The configuration it runs with.
    pub config: SimConfig,
    /// Base URL of the simulator itself (ends with `/`), used in recording links.
    pub public_url: Url,
    /// Recordings served at `/recordings/…` and `/sipuni/api/crm/record`.
    pub recordings: Arc<Recordings>,
    /// Requests the APIs received.
    pub requests: Arc<RequestLog>,
    /// Delivery to the relay.
    pub sender: Sender,
    /// Every call the simulator knows, for the history APIs.
    pub history: History,
    /// The UIS Call API's and Data API's points budgets.
    pub budgets: Budgets,
    /// Employees' statuses on each PBX, which decide who incoming calls ring.
    pub presence: Presence,
    /// The UIS account's tags and the tags set on calls.
    pub tags: Tags,
    /// The UIS address book, which names UIS callers (`contact_full_name`, `contact_id`).
    pub address_book: AddressBook,
    ids: IdGen,
    /// Randomness for what `POST /sim/calls` leaves open (durations, a caller).
    /// A `std` mutex: drawn from without any `.await` while locked.
    rng: Mutex<StdRng>,
    /// How many calls each contact has had (UIS `communication_number`).
    contacts: Mutex<HashMap<String, u32>>,
    cancel: CancellationToken,
    tasks: TaskTracker,
}

impl Sim {
    /// Builds the state; calls are spawned on `tasks` and stop when `cancel` fires.
    pub fn new(
        config: SimConfig,
        mut public_url: Url,
        cancel: CancellationToken,
        tasks: TaskTracker,
    ) -> Result<Arc<Self>, SimError> {
        if !public_url.path().ends_with('/') {
            let path = format!("{}/", public_url.path());
            public_url.set_path(&path);
        }
        let sender = Sender::new(
            config.relay_url.clone(),
            config.uis.hook_token.clone(),
            config.sipuni.hook_token.clone(),
            config.delivery.clone(),
        )?
        .with_uis_base(config.uis.notification_base.clone());
        let rng = match config.seed {
            Some(seed) => StdRng::seed_from_u64(seed),
            None => StdRng::from_os_rng(),
        };
        let budgets = Budgets::new(
            config.uis.minute_limit,
            config.uis.day_limit,
            config.uis.utc_offset,
        );
        Ok(Arc::new(Self {
            config,
            public_url,
            recordings: Arc::default(),
            requests: Arc::default(),
            sender,
            history: History::default(),
            budgets,
            presence: Presence::default(),
            tags: Tags::default(),
            address_book: AddressBook::default(),
            ids: IdGen::new(Utc::now()),
            rng: Mutex::new(rng),
            contacts: Mutex::default(),
            cancel,
            tasks,
        }))
    }

    /// The token that stops the simulator's tasks.
    pub fn cancel_token(&self) -> &CancellationToken {
        &self.cancel
    }

    /// Starts a call: validates the request, then plays it in the background.
    /// Returns the call id (`uis:…` or `sipuni:…`) at once.
    pub fn start_call(self: &Arc<Self>, request: &CallRequest) -> Result<String, CallRequestError> {
        self.start_call_as(request, CallOrigin::default())
            .map(|plan| plan.call_id())
    }

    /// Starts a call on behalf of `origin` (a PBX API, the generator): like
    /// [`Sim::start_call`], and returns the plan the call follows.
    pub fn start_call_as(
        self: &Arc<Self>,
        request: &CallRequest,
        origin: CallOrigin,
    ) -> Result<CallPlan, CallRequestError> {
        let mut plan = match self.route(request) {
            Routed::AsAsked => self.plan_at(request, Utc::now())?,
            Routed::Instead(routed) => self.plan_at(&routed, Utc::now())?,
            Routed::Nobody => nobody_takes(self.plan_at(request, Utc::now())?),
        };
        plan.origin = origin;
        for kind in &self.config.drop_notifications {
            if !plan.drops.contains(kind) {
                plan.drops.push(*kind);
            }
        }
        let communication_number = self.communication_number(&plan);
        let entry = Arc::new(CallEntry::live(
            plan.clone(),
            communication_number,
            self.config.speed,
            tokio::time::Instant::now(),
        ));
        self.history.insert(Arc::clone(&entry));
        tracing::info!(
            call_id = %entry.call_id,
            source = ?plan.origin.source,
            direction = ?plan.direction,
            outcome = ?plan.outcome,
            contact = %plan.contact.raw,
            line = %plan.line,
            employees = %plan.legs.iter().map(|l| l.employee.to_string()).collect::<Vec<_>>().join(" → "),
            transfer = plan.transferred(),
            dropped = ?plan.drops,
            "call started"
        );
        let sim = Arc::clone(self);
        self.tasks.spawn(async move { sim.play(entry).await });
        Ok(plan)
    }

    /// Who an incoming call rings, by the employees' presence: the employee asked for if
    /// their status takes calls, else the first colleague whose status does (the account's
    /// one group hunts through everybody), else nobody. A second employee or a transfer
    /// target whose status takes no calls is left out.
    fn route(&self, request: &CallRequest) -> Routed {
        if request.direction != Direction::In {
            return Routed::AsAsked;
        }
        let employees = &self.config.employees;
        let takes = |key: &Option<String>| {
            key.as_deref()
                .and_then(|k| scenario::find_employee(employees, k).ok())
                .is_none_or(|e| self.presence.takes_calls(request.provider, e))
        };
        let first = match &request.employee {
            Some(key) => scenario::find_employee(employees, key).ok(),
            None => employees.first(),
        };
        let first_takes = first.is_none_or(|e| self.presence.takes_calls(request.provider, e));
        if first_takes && takes(&request.next_employee) && takes(&request.transfer_to) {
            return Routed::AsAsked;
        }
        let mut routed = request.clone();
        if !takes(&routed.next_employee) {
            routed.next_employee = None;
        }
        if !takes(&routed.transfer_to) {
            routed.transfer_to = None;
        }
        if !first_takes {
            let others = [&routed.next_employee, &routed.transfer_to];
            let free = employees.iter().find(|e| {
                self.presence.takes_calls(request.provider, e)
                    && others.iter().all(|k| {
                        k.as_deref()
                            .is_none_or(|k| k != e.extension && k != e.id.to_string())
                    })
            });
            match free {
                Some(e) => routed.employee = Some(e.extension.clone()),
                None => return Routed::Nobody,
            }
        }
        Routed::Instead(routed)
    }

    /// Resolves a request into a plan starting at `now`, drawing what it leaves open.
    pub fn plan_at(
        &self,
        request: &CallRequest,
        now: DateTime<Utc>,
    ) -> Result<CallPlan, CallRequestError> {
        let lines = match request.provider {
            Provider::Uis => &self.config.uis.lines,
            Provider::Sipuni => &self.config.sipuni.lines,
        };
        let ctx = PlanContext {
            employees: &self.config.employees,
            lines,
            ids: &self.ids,
            now,
        };
        let mut plan = {
            let mut rng = self.rng.lock().unwrap_or_else(|e| e.into_inner());
            scenario::plan(request, &ctx, &mut *rng)?
        };
        // UIS names a caller from the address book as it is when the call comes, so a
        // contact changed or deleted in the cabinet shows in the calls after it.
        if request.provider == Provider::Uis && plan.contact.internal.is_none() {
            let known = plan
                .contact
                .uis
                .as_deref()
                .and_then(|n| self.address_book.lookup(n));
            plan.contact.contact_id = known.as_ref().map(|k| k.contact_id);
            plan.contact.group_ids = known
                .as_ref()
                .map(|k| k.group_ids.clone())
                .unwrap_or_default();
            plan.contact.name = known.and_then(|k| k.full_name);
        }
        Ok(plan)
    }

    /// Adds a call of the past to the history without playing it (back-fill); its
    /// recordings are served like any other.
    pub fn record_past(&self, plan: CallPlan) {
        let communication_number = self.communication_number(&plan);
        self.register_recordings(&plan);
        self.history
            .insert(Arc::new(CallEntry::past(plan, communication_number)));
    }

    fn communication_number(&self, plan: &CallPlan) -> u32 {
        let key = plan
            .contact
            .uis
            .clone()
            .unwrap_or_else(|| "anonymous".to_owned());
        let mut contacts = self.contacts.lock().unwrap_or_else(|e| e.into_inner());
        if contacts.len() >= CONTACTS_CAPACITY {
            contacts.clear();
        }
        let count = contacts.entry(key).or_insert(0);
        *count += 1;
        *count
    }

    /// A new UIS `leg_id` (a consultation call's or a coach's leg).
    pub fn next_leg_id(&self) -> u64 {
        self.ids.uis_leg()
    }

    /// A new Sipuni `callbackId`.
    pub fn next_callback_id(&self) -> u64 {
        self.ids.sipuni_callback()
    }

    /// The hash of a Sipuni call's recording link (and of `statistic/record`).
    pub fn sipuni_record_hash(&self, call_id: &str) -> String {
        let sipuni = &self.config.sipuni;
        ids::sipuni_record_hash(
            call_id,
            &sipuni.user,
            sipuni.secret.as_deref().unwrap_or_default(),
        )
    }

    /// Registers (or, after a release, replaces) the recordings of a call.
    fn register_recordings(&self, plan: &CallPlan) {
        match &plan.pbx_id {
            PbxCallId::Uis(session) => {
                for (i, leg) in plan.legs.iter().enumerate() {
                    if let Some(id) = plan.uis_record_id(i) {
                        self.recordings.insert(
                            id,
                            Recording {
                                seconds: u32::try_from(leg.talk_seconds()).unwrap_or(u32::MAX),
                                voice: Voice::Conversation { seed: leg.leg_id },
                                sipuni_hash: None,
                                uis_session: Some(*session),
                            },
                        );
                    }
                }
            }
            PbxCallId::Sipuni(call_id) => {
                let (seconds, voice) = if plan.answered() {
                    (
                        plan.talk_seconds(),
                        Voice::Conversation {
                            seed: plan.session_leg_id,
                        },
                    )
                } else {
                    (secs(plan.end_ms), Voice::Ringback)
                };
                self.recordings.insert(
                    call_id.clone(),
                    Recording {
                        seconds: u32::try_from(seconds).unwrap_or(u32::MAX),
                        voice,
                        sipuni_hash: Some(self.sipuni_record_hash(call_id)),
                        uis_session: None,
                    },
                );
            }
        }
    }

    /// Every notification of a call, its recordings registered.
    fn notifications(&self, plan: &CallPlan, communication_number: u32) -> Vec<Outgoing> {
        self.register_recordings(plan);
        match &plan.pbx_id {
            PbxCallId::Uis(_) => {
                let ctx = UisContext {
                    app_id: self.config.uis.app_id,
                    public_url: &self.public_url,
                    setup: self.config.uis.setup,
                    lost_call_notification: self.config.uis.lost_call_notification,
                    communication_number,
                    utc_offset: self.config.uis.utc_offset,
                };
                uis_notify::notifications(plan, &ctx)
            }
            PbxCallId::Sipuni(call_id) => {
                let sipuni = &self.config.sipuni;
                let line_id = sipuni
                    .lines
                    .iter()
                    .position(|l| *l == plan.line)
                    .map_or_else(
                        || {
                            SIPUNI_LINE_ID_BASE
                                + 1000
                                + plan.line.bytes().map(u64::from).sum::<u64>()
                        },
                        |i| SIPUNI_LINE_ID_BASE + i as u64,
                    );
                let hash = self.sipuni_record_hash(call_id);
                let ctx = SipuniContext {
                    user: sipuni.user.clone(),
                    line_id,
                    record_link: recordings::sipuni_link(&self.public_url, call_id, &hash),
                };
                sipuni_notify::notifications(plan, &ctx)
            }
        }
    }

    /// Plays a call's notifications on its timeline. A release ([`CallEntry::release`])
    /// replaces what is left with what the shortened call still sends.
    async fn play(self: Arc<Self>, entry: Arc<CallEntry>) {
        let start = entry.started().unwrap_or_else(tokio::time::Instant::now);
        let speed = self.config.speed;
        let mut pending = self.notifications(&entry.plan(), entry.communication_number);
        let mut next = 0;
        while next < pending.len() {
            let at_ms = pending[next].at_ms;
            if speed > 0.0 {
                let delay = Duration::from_secs_f64(at_ms as f64 / 1000.0 / speed);
                // Biased: a release seen together with a due notification wins, so nothing
                // of the plan before the release is sent after it.
                tokio::select! {
                    biased;
                    () = entry.released() => {
                        let cut = entry.cut().unwrap_or(at_ms);
                        pending = self.notifications(&entry.plan(), entry.communication_number);
                        pending.retain(|o| o.at_ms >= cut);
                        next = 0;
                        tracing::info!(call_id = %entry.call_id, cut_ms = cut, "call released");
                        continue;
                    }
                    () = self.cancel.cancelled() => return,
                    () = tokio::time::sleep_until(start + delay) => {}
                }
            }
            entry.sending(at_ms);
            let outgoing = &pending[next];
            let plan_drops = entry.with_plan(|plan| dropped(plan, outgoing));
            if plan_drops {
                self.sender.record_dropped(&entry.call_id, outgoing);
            } else {
                tokio::select! {
                    () = self.sender.deliver(&entry.call_id, outgoing, &self.cancel) => {}
                    () = self.cancel.cancelled() => return,
                }
            }
            next += 1;
        }
        tracing::debug!(call_id = %entry.call_id, "call finished");
    }
}

/// How presence routes an incoming call.
enum Routed {
    AsAsked,
    Instead(CallRequest),
    Nobody,
}

/// How long a caller waits in the scenario before a call nobody can take ends as missed.
const NOBODY_WAIT_MS: u64 = 15_000;

/// The plan of a call no employee could take: it rings nobody and ends missed after the
/// caller waited in the scenario.
fn nobody_takes(mut plan: CallPlan) -> CallPlan {
    let queued = plan.legs.first().map_or(0, |l| l.ring_ms);
    plan.legs.clear();
    plan.outcome = Outcome::Missed;
    plan.end_ms = queued + NOBODY_WAIT_MS;
    plan.moments = scenario::moments(&[], plan.end_ms, plan.end_ms);
    plan
}

/// Whether a call asked for this notification to be lost. Sipuni's event 1 is also how a
/// call appears, so `started` drops it as well as `ringing`.
fn dropped(plan: &CallPlan, outgoing: &Outgoing) -> bool {
    plan.drops.contains(&outgoing.kind)
        || (outgoing.hook == Hook::Sipuni
            && outgoing.kind == NotificationKind::Ringing
            && plan.drops.contains(&NotificationKind::Started))
}

/// The default public URL for a listener: its address, `0.0.0.0`/`::` replaced by loopback.
pub fn default_public_url(addr: std::net::SocketAddr) -> Url {
    let ip = match addr.ip() {
        ip if ip.is_unspecified() && ip.is_ipv4() => std::net::Ipv4Addr::LOCALHOST.into(),
        ip if ip.is_unspecified() => std::net::Ipv6Addr::LOCALHOST.into(),
        ip => ip,
    };
    let host = std::net::SocketAddr::new(ip, addr.port());
    Url::parse(&format!("http://{host}/"))
        .unwrap_or_else(|_| Url::parse("http://127.0.0.1/").expect("a literal URL parses"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_url_defaults_to_loopback() {
        let url = default_public_url("0.0.0.0:8766".parse().unwrap());
        assert_eq!(url.as_str(), "http://127.0.0.1:8766/");
        let url = default_public_url("[::]:8766".parse().unwrap());
        assert_eq!(url.as_str(), "http://[::1]:8766/");
    }
}
