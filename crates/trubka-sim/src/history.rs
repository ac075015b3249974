//! The simulator's record of calls: every call it plays (started by `POST /sim/calls`, the
//! generator or a PBX API) and every call of the back-filled history, whatever became of its
//! notifications. The history APIs (UIS `get.calls_report` and `list.calls`, Sipuni
//! `statistic/export`) read it, so a call whose webhooks were lost still shows up there, as
//! on a real PBX.
//!
//! A [`CallEntry`] knows where its call is on its own timeline: a played call started at a
//! wall-clock instant and runs at the simulator's `speed`, so it is active until its end
//! moment has passed (never, at speed 0, where every call ends at once). `release.call` cuts an
//! active call short ([`CallEntry::release`]); the task playing it is woken to send what the
//! shortened call still has to send. The other control methods change the plan the same way
//! ([`CallEntry::control`]).

use std::{
    collections::{HashMap, HashSet, VecDeque},
    sync::{Arc, Mutex, MutexGuard},
    time::Duration,
};

use tokio::{sync::Notify, time::Instant};

use crate::{
    control::Refusal,
    hangup,
    scenario::{CallPlan, Provider},
};

/// How many calls the history keeps; the oldest are forgotten beyond it.
pub const CAPACITY: usize = 200_000;

/// How far back [`History::numbers_on_a_call`] looks: longer than any call the scenarios
/// plan, so the scan stops long before the history's far end.
const LONGEST_CALL: Duration = Duration::from_secs(2 * 3600);

/// One call in the history.
#[derive(Debug)]
pub struct CallEntry {
    /// `uis:…` or `sipuni:…`.
    pub call_id: String,
    /// Which PBX.
    pub provider: Provider,
    /// How many calls the contact has had, this one included (UIS `communication_number`).
    pub communication_number: u32,
    /// When the call started playing; `None` for a back-filled call, which is over.
    started: Option<Instant>,
    speed: f64,
    state: Mutex<EntryState>,
    released: Notify,
}

#[derive(Debug)]
struct EntryState {
    plan: CallPlan,
    /// Timeline offset just after the last notification sent (or being sent).
    sent_until: u64,
    /// Where `release.call` cut the call.
    cut: Option<u64>,
}

/// Why a call cannot be released.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReleaseError {
    /// The call is over (or was never live).
    NotActive,
}

impl CallEntry {
    /// A call that starts playing at `started`.
    pub fn live(plan: CallPlan, communication_number: u32, speed: f64, started: Instant) -> Self {
        Self::new(plan, communication_number, Some(started), speed)
    }

    /// A call of the past (back-filled): over, never played.
    pub fn past(plan: CallPlan, communication_number: u32) -> Self {
        Self::new(plan, communication_number, None, 0.0)
    }

    fn new(
        plan: CallPlan,
        communication_number: u32,
        started: Option<Instant>,
        speed: f64,
    ) -> Self {
        Self {
            call_id: plan.call_id(),
            provider: plan.provider(),
            communication_number,
            started,
            speed,
            state: Mutex::new(EntryState {
                plan,
                sent_until: 0,
                cut: None,
            }),
            released: Notify::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, EntryState> {
        // Plain data replaced whole; a poisoned lock still holds a consistent value.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The wall-clock instant the call started playing.
    pub fn started(&self) -> Option<Instant> {
        self.started
    }

    /// A copy of the call's current plan.
    pub fn plan(&self) -> CallPlan {
        self.lock().plan.clone()
    }

    /// Reads the plan without copying it.
    pub fn with_plan<R>(&self, f: impl FnOnce(&CallPlan) -> R) -> R {
        f(&self.lock().plan)
    }

    /// Where the call is on its timeline at `now`, in ms; `u64::MAX` for a call that is
    /// over by construction (back-filled, or played at speed 0).
    pub fn timeline_ms(&self, now: Instant) -> u64 {
        match self.started {
            Some(started) if self.speed > 0.0 => {
                let ms = now.saturating_duration_since(started).as_secs_f64() * 1000.0 * self.speed;
                if ms >= u64::MAX as f64 {
                    u64::MAX
                } else {
                    ms as u64
                }
            }
            _ => u64::MAX,
        }
    }

    /// Whether the call is still going on at `now` (its end moment has not come yet).
    pub fn is_active(&self, now: Instant) -> bool {
        let position = self.timeline_ms(now);
        self.with_plan(|plan| position < plan.end_ms)
    }

    /// Notes that the notification due at `at_ms` is being sent.
    pub fn sending(&self, at_ms: u64) {
        let mut state = self.lock();
        state.sent_until = state.sent_until.max(at_ms.saturating_add(1));
    }

    /// Ends an active call now: the plan is cut where the call is ([`hangup::truncate`]),
    /// after every notification already sent, and the task playing it is woken.
    /// Returns the offset of the cut.
    pub fn release(&self, now: Instant) -> Result<u64, ReleaseError> {
        let position = self.timeline_ms(now);
        let cut = {
            let mut state = self.lock();
            if position >= state.plan.end_ms {
                return Err(ReleaseError::NotActive);
            }
            let cut = position.saturating_add(1).max(state.sent_until);
            state.plan = hangup::truncate(&state.plan, cut);
            state.cut = Some(cut);
            cut
        };
        self.released.notify_one();
        Ok(cut)
    }

    /// Applies a Call API control method ([`crate::control`]) to the call where it is now:
    /// `edit` gets the plan and the moment to act at (after every notification already sent)
    /// and returns the new plan. `wake` wakes the task playing the call to send what the new
    /// plan sends from then on (edits that change no notification leave it asleep).
    /// Returns the moment acted at.
    pub fn control(
        &self,
        now: Instant,
        wake: bool,
        edit: impl FnOnce(&CallPlan, u64) -> Result<CallPlan, Refusal>,
    ) -> Result<u64, Refusal> {
        let position = self.timeline_ms(now);
        let cut = {
            let mut state = self.lock();
            if position >= state.plan.end_ms {
                return Err(Refusal::Ended);
            }
            let cut = position.saturating_add(1).max(state.sent_until);
            state.plan = edit(&state.plan, cut)?;
            if wake {
                state.cut = Some(cut);
            }
            cut
        };
        if wake {
            self.released.notify_one();
        }
        Ok(cut)
    }

    /// Completes when [`CallEntry::release`] (or a waking [`CallEntry::control`]) was called (at once if it was called while
    /// nobody waited).
    pub async fn released(&self) {
        self.released.notified().await;
    }

    /// Where the call was cut, if it was.
    pub fn cut(&self) -> Option<u64> {
        self.lock().cut
    }
}

#[derive(Debug, Default)]
struct Inner {
    order: VecDeque<Arc<CallEntry>>,
    by_id: HashMap<String, Arc<CallEntry>>,
}

/// Every call the simulator knows, oldest first, bounded by [`CAPACITY`].
#[derive(Debug, Default)]
pub struct History {
    inner: Mutex<Inner>,
}

impl History {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds a call, forgetting the oldest beyond [`CAPACITY`].
    pub fn insert(&self, entry: Arc<CallEntry>) {
        let mut inner = self.lock();
        inner
            .by_id
            .insert(entry.call_id.clone(), Arc::clone(&entry));
        inner.order.push_back(entry);
        while inner.order.len() > CAPACITY {
            if let Some(old) = inner.order.pop_front() {
                inner.by_id.remove(&old.call_id);
            }
        }
    }

    /// A call by id (`uis:…`, `sipuni:…`).
    pub fn get(&self, call_id: &str) -> Option<Arc<CallEntry>> {
        self.lock().by_id.get(call_id).cloned()
    }

    /// The calls of one PBX, in the order they were added.
    pub fn list(&self, provider: Provider) -> Vec<Arc<CallEntry>> {
        self.lock()
            .order
            .iter()
            .filter(|e| e.provider == provider)
            .cloned()
            .collect()
    }

    /// The external numbers (as requested) of the calls still going on at `now`.
    pub fn numbers_on_a_call(&self, now: Instant) -> HashSet<String> {
        self.lock()
            .order
            .iter()
            .rev()
            .take_while(|e| {
                e.started()
                    .is_some_and(|t| now.saturating_duration_since(t) < LONGEST_CALL)
            })
            .filter(|e| e.is_active(now))
            .map(|e| e.with_plan(|plan| plan.contact.raw.clone()))
            .collect()
    }

    /// How many calls the history holds.
    pub fn len(&self) -> usize {
        self.lock().order.len()
    }

    /// Whether the history is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
