//! What a call does: who rings, who answers, for how long, in the real order.
//!
//! A [`CallRequest`] (the body of `POST /sim/calls`, or what the generator draws) is resolved
//! against the cast into a [`CallPlan`]: the call's legs with their times on the call's own
//! timeline (milliseconds from the start) and the provider-neutral [`Moment`]s in the order
//! they happen. The notification builders ([`crate::uis_notify`], [`crate::sipuni_notify`])
//! turn the moments into what each PBX sends.

use chrono::{DateTime, Utc};
use rand::Rng;

pub use crate::request::{
    CallOrigin, CallRequest, Direction, HookMethod, NotificationKind, Outcome, Provider, Routing,
    Source,
};
use crate::{
    address_book, cast,
    config::Employee,
    control::Control,
    error::CallRequestError,
    ids::{self, IdGen},
    uis_templates::UisShape,
};

/// The PBX's own id of a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PbxCallId {
    /// UIS `call_session_id`.
    Uis(u64),
    /// Sipuni `call_id`.
    Sipuni(String),
}

impl std::fmt::Display for PbxCallId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Uis(id) => write!(f, "uis:{id}"),
            Self::Sipuni(id) => write!(f, "sipuni:{id}"),
        }
    }
}

/// The external party of a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    /// The number as requested.
    pub raw: String,
    /// `contact_phone_number` as UIS writes it; `None` for a hidden number.
    pub uis: Option<String>,
    /// `src_num`/`dst_num` as Sipuni writes it.
    pub sipuni: String,
    /// Address-book name (UIS `contact_full_name`).
    pub name: Option<String>,
    /// Address-book id (UIS `contact_id`).
    pub contact_id: Option<u64>,
    /// The address-book contact's groups (UIS `contact_group_ids`).
    pub group_ids: Vec<u64>,
    /// Set when the "contact" is another employee's extension (an internal call).
    pub internal: Option<Employee>,
}

/// One employee's part in a call: ringing, maybe a conversation.
///
/// For an incoming call the leg rings the employee; for an outgoing call it is the employee's
/// call to the contact, and `ring_ms` is when the contact's phone starts to ring.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leg {
    /// The employee.
    pub employee: Employee,
    /// UIS `leg_id` of the dialled leg.
    pub leg_id: u64,
    /// When it starts to ring.
    pub ring_ms: u64,
    /// When it is answered, if it is.
    pub answer_ms: Option<u64>,
    /// When it ends (hang-up, transfer away, or giving up).
    pub end_ms: u64,
    /// How the leg ended when nobody talked on it.
    pub unanswered: Option<Outcome>,
    /// Index of the leg that transferred the contact to this one.
    pub transferred_from: Option<usize>,
    /// A consultation call (UIS `make.call`) that has not become a transfer: the employee
    /// talked with the colleague who put the contact on hold, not with the contact.
    pub consult: bool,
}

impl Leg {
    /// Seconds of conversation on this leg.
    pub fn talk_seconds(&self) -> u64 {
        self.answer_ms
            .map_or(0, |answer| secs(self.end_ms.saturating_sub(answer)))
    }
}

/// A step of a call, provider-neutral; the index is into [`CallPlan::legs`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moment {
    /// The call appears: an incoming call hits a line, or an employee dials out.
    Started,
    /// A leg starts to ring.
    Ringing(usize),
    /// A leg is answered: conversation starts.
    Answered(usize),
    /// A conversation on a leg ends.
    TalkEnded(usize),
    /// The whole call ends.
    Ended,
    /// A leg's recording is ready.
    Recorded(usize),
}

/// How the notifications of a call are to be shaped and delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    /// UIS template family.
    pub shape: UisShape,
    /// Sipuni method.
    pub method: HookMethod,
    /// Sipuni: duplicate the first event 1.
    pub duplicate_event1: bool,
    /// Sipuni: drop event 2.
    pub missing_hangup: bool,
    /// Sipuni: minimal event 3.
    pub sparse_answer: bool,
}

/// Everything about one call, on its own timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallPlan {
    /// The PBX's id.
    pub pbx_id: PbxCallId,
    /// Who called whom.
    pub direction: Direction,
    /// How it ends.
    pub outcome: Outcome,
    /// The external party.
    pub contact: Contact,
    /// The line, digits only.
    pub line: String,
    /// Wall-clock start; every timestamp is this plus a moment's offset.
    pub started_at: DateTime<Utc>,
    /// UIS id of the session's first leg (the contact's incoming leg, or the employee's
    /// outgoing one).
    pub session_leg_id: u64,
    /// The employees' legs in the order they ring.
    pub legs: Vec<Leg>,
    /// When the whole call ends.
    pub end_ms: u64,
    /// Moments in the order they happen, with their offsets.
    pub moments: Vec<(u64, Moment)>,
    /// Shape and quirks of delivery.
    pub delivery: Delivery,
    /// What started the call, and what the API that started it asked for.
    pub origin: CallOrigin,
    /// Notifications not to send.
    pub drops: Vec<NotificationKind>,
    /// What the Call API's control methods did to the call (holds, coaches).
    pub control: Control,
}

/// Milliseconds to whole seconds, rounded to nearest.
pub fn secs(ms: u64) -> u64 {
    (ms + 500) / 1000
}

impl CallPlan {
    /// `uis:…` or `sipuni:…`.
    pub fn call_id(&self) -> String {
        self.pbx_id.to_string()
    }

    /// Which PBX.
    pub fn provider(&self) -> Provider {
        match self.pbx_id {
            PbxCallId::Uis(_) => Provider::Uis,
            PbxCallId::Sipuni(_) => Provider::Sipuni,
        }
    }

    /// The UIS `call_session_id` (0 for a Sipuni call).
    pub fn session_id(&self) -> u64 {
        match self.pbx_id {
            PbxCallId::Uis(id) => id,
            PbxCallId::Sipuni(_) => 0,
        }
    }

    /// Wall-clock time of an offset on the call's timeline.
    pub fn at(&self, ms: u64) -> DateTime<Utc> {
        self.started_at + chrono::Duration::milliseconds(i64::try_from(ms).unwrap_or(i64::MAX))
    }

    /// Index of the first leg that was answered.
    pub fn first_answered(&self) -> Option<usize> {
        self.legs.iter().position(|l| l.answer_ms.is_some())
    }

    /// Index of the last leg that was answered (consultations aside: the contact did not
    /// talk on them).
    pub fn last_answered(&self) -> Option<usize> {
        self.legs
            .iter()
            .rposition(|l| l.answer_ms.is_some() && !l.consult)
    }

    /// Whether the contact talked to anybody.
    pub fn answered(&self) -> bool {
        self.first_answered().is_some()
    }

    /// Whether the contact was transferred.
    pub fn transferred(&self) -> bool {
        self.legs.iter().any(|l| l.transferred_from.is_some())
    }

    /// Milliseconds the contact waited for an answer.
    pub fn wait_ms(&self) -> u64 {
        self.first_answered()
            .and_then(|i| self.legs[i].answer_ms)
            .unwrap_or(self.end_ms)
    }

    /// Seconds of conversation, from the first answer to the end (holds included).
    pub fn talk_seconds(&self) -> u64 {
        self.first_answered()
            .and_then(|i| self.legs[i].answer_ms)
            .map_or(0, |answer| {
                secs(self.legs.iter().map(|l| l.end_ms).max().unwrap_or(answer) - answer)
            })
    }

    /// Seconds from start to end.
    pub fn total_seconds(&self) -> u64 {
        secs(self.end_ms)
    }

    /// UIS record id of a leg, if it was recorded (answered legs are).
    pub fn uis_record_id(&self, leg: usize) -> Option<String> {
        let l = self.legs.get(leg)?;
        l.answer_ms?;
        Some(ids::record_hash(self.session_id(), l.leg_id))
    }

    /// The employee the call belongs to in the end: the last one who talked, else the last
    /// one rung.
    pub fn final_leg(&self) -> Option<usize> {
        self.last_answered()
            .or_else(|| self.legs.iter().rposition(|l| !l.consult))
    }
}

/// Finds an employee by id or extension.
pub fn find_employee<'a>(
    employees: &'a [Employee],
    key: &str,
) -> Result<&'a Employee, CallRequestError> {
    let key = key.trim();
    employees
        .iter()
        .find(|e| e.extension == key || e.id.to_string() == key)
        .ok_or_else(|| CallRequestError::UnknownEmployee(key.to_owned()))
}

/// What [`plan`] needs besides the request.
pub struct PlanContext<'a> {
    /// The cast's employees.
    pub employees: &'a [Employee],
    /// The provider's lines (non-empty).
    pub lines: &'a [String],
    /// Id allocation.
    pub ids: &'a IdGen,
    /// The call's wall-clock start.
    pub now: DateTime<Utc>,
}

fn resolve_contact(
    raw: String,
    field: &'static str,
    employees: &[Employee],
) -> Result<Contact, CallRequestError> {
    if !cast::is_dialable(&raw) {
        return Err(CallRequestError::InvalidNumber { field, value: raw });
    }
    let known = cast::known_caller(&raw);
    let internal = if cast::is_extension(&raw) {
        let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
        employees.iter().find(|e| e.extension == digits).cloned()
    } else {
        None
    };
    Ok(Contact {
        uis: cast::uis_number(&raw),
        sipuni: cast::sipuni_number(&raw),
        name: known.and_then(|c| c.name).map(str::to_owned),
        contact_id: known.and_then(|c| c.contact_id),
        group_ids: known
            .map(|_| vec![address_book::CLIENTS_GROUP.0])
            .unwrap_or_default(),
        internal,
        raw,
    })
}

/// Resolves a request into a plan: checks it against the cast and draws the durations it
/// leaves open from `rng`.
pub fn plan(
    request: &CallRequest,
    ctx: &PlanContext<'_>,
    rng: &mut impl Rng,
) -> Result<CallPlan, CallRequestError> {
    let first = match &request.employee {
        Some(key) => find_employee(ctx.employees, key)?.clone(),
        None => ctx
            .employees
            .first()
            .cloned()
            .ok_or(CallRequestError::NoEmployees)?,
    };
    let next = request
        .next_employee
        .as_deref()
        .map(|k| find_employee(ctx.employees, k).cloned())
        .transpose()?;
    let transfer = request
        .transfer_to
        .as_deref()
        .map(|k| find_employee(ctx.employees, k).cloned())
        .transpose()?;
    if request.direction == Direction::Out && (next.is_some() || transfer.is_some()) {
        return Err(CallRequestError::Unsupported(
            "transfer_to and next_employee are for incoming calls",
        ));
    }
    if transfer.is_some() && request.outcome != Outcome::Answered {
        return Err(CallRequestError::Unsupported(
            "transfer_to needs an answered call",
        ));
    }
    let answering = next.as_ref().unwrap_or(&first);
    if transfer.as_ref().is_some_and(|t| t == answering) || next.as_ref() == Some(&first) {
        return Err(CallRequestError::Unsupported(
            "an employee cannot be rung again in the same call",
        ));
    }

    let (raw, field) = match request.direction {
        Direction::In => (request.from.clone(), "from"),
        Direction::Out => (request.to.clone().or_else(|| request.from.clone()), "to"),
    };
    let raw = match raw {
        Some(raw) => raw,
        None => {
            let pool: Vec<_> = cast::CALLERS
                .iter()
                .filter(|c| request.direction == Direction::In || !cast::is_anonymous(c.typed))
                .collect();
            pool[rng.random_range(0..pool.len())].typed.to_owned()
        }
    };
    let contact = resolve_contact(raw, field, ctx.employees)?;
    if request.direction == Direction::Out && cast::is_anonymous(&contact.raw) {
        return Err(CallRequestError::InvalidNumber {
            field,
            value: contact.raw,
        });
    }
    let line = match &request.line {
        Some(line) => cast::uis_number(line).ok_or_else(|| CallRequestError::InvalidNumber {
            field: "line",
            value: line.clone(),
        })?,
        None => ctx.lines[0].clone(),
    };

    let ms = |s: u32| u64::from(s) * 1000;
    let talk = |rng: &mut dyn FnMut(u64, u64) -> u64, lo, hi| {
        request.talk_seconds.map_or_else(|| rng(lo, hi), ms)
    };
    let mut draw = |lo: u64, hi: u64| rng.random_range(lo..=hi);

    // Who rings, in order, and how each leg ends.
    let mut attempts: Vec<(Employee, Option<Outcome>)> = Vec::new();
    let unanswered = |o: Outcome| {
        if o == Outcome::Answered {
            None
        } else {
            Some(o)
        }
    };
    match &next {
        Some(next) => {
            let first_result = if request.outcome == Outcome::Busy {
                Outcome::Busy
            } else {
                Outcome::Missed
            };
            attempts.push((first, Some(first_result)));
            attempts.push((next.clone(), unanswered(request.outcome)));
        }
        None => attempts.push((first, unanswered(request.outcome))),
    }

    let mut legs: Vec<Leg> = Vec::new();
    let mut cursor = match request.direction {
        Direction::In => request.ivr_seconds.map_or_else(|| draw(2000, 6000), ms),
        Direction::Out => draw(800, 2000),
    };
    for (employee, result) in attempts {
        let ring = match result {
            None => request.ring_seconds.map_or_else(|| draw(3000, 15000), ms),
            Some(Outcome::Missed) => request.ring_seconds.map_or_else(|| draw(20000, 25000), ms),
            Some(Outcome::Busy) => draw(300, 1500),
            Some(_) => request.ring_seconds.map_or_else(|| draw(4000, 12000), ms),
        };
        let (answer_ms, end_ms) = match result {
            None => {
                let answer = cursor + ring;
                (Some(answer), answer + talk(&mut draw, 20_000, 240_000))
            }
            Some(_) => (None, cursor + ring),
        };
        legs.push(Leg {
            employee,
            leg_id: ctx.ids.uis_leg(),
            ring_ms: cursor,
            answer_ms,
            end_ms,
            unanswered: result,
            transferred_from: None,
            consult: false,
        });
        cursor = end_ms + 300;
    }
    if let Some(target) = transfer {
        // A blind transfer: the first conversation is shorter, then the target rings.
        let from = legs.len() - 1;
        let answered_at = legs[from].answer_ms.unwrap_or(legs[from].ring_ms);
        legs[from].end_ms = answered_at + talk(&mut draw, 10_000, 60_000);
        let ring_ms = legs[from].end_ms + 500;
        let answer = ring_ms + request.ring_seconds.map_or_else(|| draw(3000, 10000), ms);
        let end_ms = answer + talk(&mut draw, 20_000, 180_000);
        legs.push(Leg {
            employee: target,
            leg_id: ctx.ids.uis_leg(),
            ring_ms,
            answer_ms: Some(answer),
            end_ms,
            unanswered: None,
            transferred_from: Some(from),
            consult: false,
        });
    }

    let last_end = legs.iter().map(|l| l.end_ms).max().unwrap_or(cursor);
    let end_ms = if legs.iter().any(|l| l.answer_ms.is_some()) {
        last_end + 200
    } else {
        last_end
    };
    let recordings_ready = end_ms + draw(3000, 8000);
    let moments = moments(&legs, end_ms, recordings_ready);

    let pbx_id = match request.provider {
        Provider::Uis => PbxCallId::Uis(ctx.ids.uis_session()),
        Provider::Sipuni => PbxCallId::Sipuni(ctx.ids.sipuni_call(ctx.now)),
    };
    Ok(CallPlan {
        pbx_id,
        direction: request.direction,
        outcome: request.outcome,
        contact,
        line,
        started_at: ctx.now,
        session_leg_id: ctx.ids.uis_leg(),
        legs,
        end_ms,
        moments,
        delivery: Delivery {
            shape: request.shape.unwrap_or_default(),
            method: request.method.unwrap_or_default(),
            duplicate_event1: request.duplicate_event1.unwrap_or(true),
            missing_hangup: request.missing_hangup.unwrap_or(false),
            sparse_answer: request.sparse_answer.unwrap_or(false),
        },
        origin: CallOrigin::default(),
        drops: request.drop_notifications.clone(),
        control: Control::default(),
    })
}

/// The moments of a call with these legs, in order: the start, each leg's ringing, answer
/// and end of talk, the end at `end_ms`, then the answered legs' recordings from
/// `recordings_ready` on, half a second apart.
pub fn moments(legs: &[Leg], end_ms: u64, recordings_ready: u64) -> Vec<(u64, Moment)> {
    let mut moments = vec![(0, Moment::Started)];
    for (i, leg) in legs.iter().enumerate() {
        moments.push((leg.ring_ms, Moment::Ringing(i)));
        if let Some(answer) = leg.answer_ms {
            moments.push((answer, Moment::Answered(i)));
            moments.push((leg.end_ms, Moment::TalkEnded(i)));
        }
    }
    moments.push((end_ms, Moment::Ended));
    let mut ready = recordings_ready;
    for (i, leg) in legs.iter().enumerate() {
        if leg.answer_ms.is_some() {
            moments.push((ready, Moment::Recorded(i)));
            ready += 500;
        }
    }
    moments.sort_by_key(|(at, _)| *at);
    moments
}

#[cfg(test)]
mod tests;
