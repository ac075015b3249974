//! The call event model: one [`CallEvent`] per thing a PBX reported about a call.
//!
//! Every PBX notification shape (UIS templates, Sipuni events, reconciled history rows) is
//! turned into this one model by the protocol crate. Its field set mirrors the `CallEvent` of
//! docs/protocol.md; the JSON form lives in `trubka-protocol`, not here.

use std::fmt;

use chrono::{DateTime, Utc};

use crate::phone::PhoneNumber;

/// Which PBX a call came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Provider {
    Uis,
    Sipuni,
}

impl Provider {
    pub const ALL: [Provider; 2] = [Provider::Uis, Provider::Sipuni];

    /// The lowercase name used in ids, URLs and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Uis => "uis",
            Provider::Sipuni => "sipuni",
        }
    }

    pub fn parse(text: &str) -> Option<Provider> {
        Provider::ALL.into_iter().find(|p| p.as_str() == text)
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What happened. The order of the variants is the order they happen in a normal call, which
/// the state machine uses to break ties between events with the same timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventKind {
    /// A call appeared: incoming on a line, or an outgoing call began.
    Started,
    /// An employee's leg rings.
    Ringing,
    /// An employee (or the contact, for outgoing calls) answered.
    Answered,
    /// One leg finished (a transfer, an employee who did not pick up).
    LegEnded,
    /// The whole call finished.
    Ended,
    /// A recording became available.
    Recording,
    /// The PBX reported something about the call, but not which event: a notification whose
    /// event type cannot be told for certain. It tells who the contact is, the line and the
    /// employee it names, and nothing else: it never moves the status, sets an outcome or
    /// ends the call (docs/protocol.md, «Notifications of an unknown event type»).
    Update,
}

impl EventKind {
    pub const ALL: [EventKind; 7] = [
        EventKind::Started,
        EventKind::Ringing,
        EventKind::Answered,
        EventKind::LegEnded,
        EventKind::Ended,
        EventKind::Recording,
        EventKind::Update,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Started => "started",
            EventKind::Ringing => "ringing",
            EventKind::Answered => "answered",
            EventKind::LegEnded => "leg_ended",
            EventKind::Ended => "ended",
            EventKind::Recording => "recording",
            EventKind::Update => "update",
        }
    }

    pub fn parse(text: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    In,
    Out,
    Internal,
}

impl Direction {
    pub const ALL: [Direction; 3] = [Direction::In, Direction::Out, Direction::Internal];

    pub fn as_str(self) -> &'static str {
        match self {
            Direction::In => "in",
            Direction::Out => "out",
            Direction::Internal => "internal",
        }
    }

    pub fn parse(text: &str) -> Option<Direction> {
        Direction::ALL.into_iter().find(|d| d.as_str() == text)
    }
}

/// How a call (or a leg) ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    Answered,
    Missed,
    Busy,
    NoAnswer,
    Cancelled,
    Failed,
    Unavailable,
}

impl Outcome {
    pub const ALL: [Outcome; 7] = [
        Outcome::Answered,
        Outcome::Missed,
        Outcome::Busy,
        Outcome::NoAnswer,
        Outcome::Cancelled,
        Outcome::Failed,
        Outcome::Unavailable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Answered => "answered",
            Outcome::Missed => "missed",
            Outcome::Busy => "busy",
            Outcome::NoAnswer => "no_answer",
            Outcome::Cancelled => "cancelled",
            Outcome::Failed => "failed",
            Outcome::Unavailable => "unavailable",
        }
    }

    pub fn parse(text: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == text)
    }

    /// Whether a conversation took place.
    pub fn is_talk(self) -> bool {
        self == Outcome::Answered
    }
}

/// A stable, unique id of one PBX event, e.g. `uis:1197843161:answered:287866221`.
/// Applying two events with the same id is applying one event.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EventId(pub String);

/// Provider plus the PBX's call session id, e.g. `uis:1197843161`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CallId(pub String);

impl CallId {
    pub fn new(provider: Provider, session: &str) -> CallId {
        CallId(format!("{}:{}", provider.as_str(), session))
    }

    /// The PBX's own session id (the part after the provider prefix).
    pub fn session(&self) -> &str {
        self.0.split_once(':').map_or(self.0.as_str(), |(_, s)| s)
    }

    /// The id of an event of this call: `{call_id}:{kind}:{discriminator}`.
    pub fn event_id(&self, kind: EventKind, discriminator: &str) -> EventId {
        EventId(format!("{}:{}:{}", self.0, kind.as_str(), discriminator))
    }
}

impl fmt::Display for CallId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The other party of the call: the customer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Contact {
    /// The number in E.164 when it is a phone number at all (not `anonymous`, not an extension).
    pub phone: Option<PhoneNumber>,
    /// The number exactly as the PBX wrote it.
    pub raw: String,
    /// The name the PBX knows for this contact (its address book), if any.
    pub name: Option<String>,
}

/// The employee (agent) a leg of the call belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Default, Hash)]
pub struct Employee {
    /// UIS employee id.
    pub id: Option<String>,
    pub name: Option<String>,
    /// Short internal number (Sipuni `short_dst_num`, UIS extension).
    pub extension: Option<String>,
    /// The employee's phone or SIP line as UIS reports it (`{{employee_phone_number}}`), in
    /// the form [`PhoneParser::employee_line`](crate::PhoneParser::employee_line) gives:
    /// E.164 for a phone number, else the SIP line's name.
    pub phone: Option<String>,
}

impl Employee {
    pub fn is_empty(&self) -> bool {
        self.id.is_none() && self.name.is_none() && self.extension.is_none() && self.phone.is_none()
    }

    /// Whether two descriptions name the same person: same id, else same extension, else
    /// same phone or SIP line.
    pub fn same_person(&self, other: &Employee) -> bool {
        let same =
            |a: &Option<String>, b: &Option<String>| matches!((a, b), (Some(a), Some(b)) if a == b);
        match (&self.id, &other.id) {
            (Some(a), Some(b)) => a == b,
            _ => same(&self.extension, &other.extension) || same(&self.phone, &other.phone),
        }
    }
}

/// Durations in whole seconds, each when known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Durations {
    pub wait: Option<u32>,
    pub talk: Option<u32>,
    pub total: Option<u32>,
}

impl Durations {
    pub fn is_empty(&self) -> bool {
        self.wait.is_none() && self.talk.is_none() && self.total.is_none()
    }
}

/// One thing a PBX reported about a call, in Trubka's own terms.
#[derive(Debug, Clone, PartialEq)]
pub struct CallEvent {
    pub id: EventId,
    pub call_id: CallId,
    pub provider: Provider,
    pub kind: EventKind,
    pub direction: Direction,
    pub at: DateTime<Utc>,
    pub contact: Contact,
    /// The virtual or city number the call came in on (or goes out from), E.164 when known.
    pub line: Option<String>,
    pub employee: Option<Employee>,
    /// Set on `ended` and `leg_ended`.
    pub outcome: Option<Outcome>,
    pub durations: Durations,
    pub recordings: Vec<String>,
    pub scenario: Option<String>,
    pub tags: Vec<String>,
    /// The notification exactly as received, as JSON text (an object). Opaque to the domain.
    pub raw: String,
}
