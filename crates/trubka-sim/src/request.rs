//! What a call is asked to be: the body of `POST /sim/calls` ([`CallRequest`]), and where a
//! call came from ([`CallOrigin`]) when a PBX API or the generator started it.
//!
//! [`NotificationKind`] names the notifications a call sends, by the relay's kinds, so that a
//! request can ask the simulator to lose some of them (`drop_notifications`): the call still
//! happens and still appears in the history APIs, as when a real PBX fails to deliver a
//! webhook and the relay has to reconcile.

use serde::{Deserialize, Serialize};

use crate::uis_templates::UisShape;

/// Which PBX the call happens on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// UIS (CoMagic platform): JSON notifications, one URL per event kind.
    Uis,
    /// Sipuni: «События на АТС», form-encoded events 1–4 to one URL.
    Sipuni,
}

impl Provider {
    /// `uis` or `sipuni`, as in call ids.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Uis => "uis",
            Self::Sipuni => "sipuni",
        }
    }
}

/// Who called whom.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// A contact calls a line of the call center.
    #[default]
    In,
    /// An employee calls a contact.
    Out,
}

/// How the call ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Somebody answers and talks.
    #[default]
    Answered,
    /// Nobody answers before the dial timeout.
    Missed,
    /// The rung party is busy.
    Busy,
    /// The caller hangs up while it rings.
    Cancelled,
}

/// How Sipuni delivers a call's events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HookMethod {
    /// Form-encoded POST body.
    #[default]
    Post,
    /// The same parameters in a GET query string.
    Get,
}

/// A request for one call: the body of `POST /sim/calls`.
///
/// Only `provider` is required. Numbers may be written any way people write them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallRequest {
    /// `uis` or `sipuni`.
    pub provider: Provider,
    /// `in` (default) or `out`.
    #[serde(default)]
    pub direction: Direction,
    /// The contact's number for an incoming call (default: a caller from the cast).
    #[serde(default)]
    pub from: Option<String>,
    /// The contact's number for an outgoing call (`from` is accepted too).
    #[serde(default)]
    pub to: Option<String>,
    /// The line (virtual / city number) called; default: the account's first line.
    #[serde(default)]
    pub line: Option<String>,
    /// Employee id or extension; default: the first employee.
    #[serde(default)]
    pub employee: Option<String>,
    /// `answered` (default), `missed`, `busy` or `cancelled`.
    #[serde(default)]
    pub outcome: Outcome,
    /// After answering, the employee transfers the contact to this employee (id or extension).
    #[serde(default)]
    pub transfer_to: Option<String>,
    /// The first employee does not answer in time; this one rings next.
    #[serde(default)]
    pub next_employee: Option<String>,
    /// UIS notification template family; default `nested`.
    #[serde(default)]
    pub shape: Option<UisShape>,
    /// Sipuni delivery method; default `post`.
    #[serde(default)]
    pub method: Option<HookMethod>,
    /// Sipuni: send the first event 1 twice, the copy one second later (default true).
    #[serde(default)]
    pub duplicate_event1: Option<bool>,
    /// Sipuni: never send event 2, as real Sipuni sometimes does (default false).
    #[serde(default)]
    pub missing_hangup: Option<bool>,
    /// Sipuni: event 3 carries only `call_id`, `timestamp` and `channel` (default false).
    #[serde(default)]
    pub sparse_answer: Option<bool>,
    /// Seconds in the voice menu before the first employee rings (incoming calls).
    #[serde(default)]
    pub ivr_seconds: Option<u32>,
    /// Seconds each leg rings before it is answered or given up.
    #[serde(default)]
    pub ring_seconds: Option<u32>,
    /// Seconds of each conversation.
    #[serde(default)]
    pub talk_seconds: Option<u32>,
    /// Notifications the simulator must not send (by kind); the call still happens and is
    /// still listed by the history APIs.
    #[serde(default)]
    pub drop_notifications: Vec<NotificationKind>,
}

impl CallRequest {
    /// A request with every option at its default.
    pub fn new(provider: Provider) -> Self {
        Self {
            provider,
            direction: Direction::In,
            from: None,
            to: None,
            line: None,
            employee: None,
            outcome: Outcome::Answered,
            transfer_to: None,
            next_employee: None,
            shape: None,
            method: None,
            duplicate_event1: None,
            missing_hangup: None,
            sparse_answer: None,
            ivr_seconds: None,
            ring_seconds: None,
            talk_seconds: None,
            drop_notifications: Vec::new(),
        }
    }
}

/// A notification of a call, by the relay's kind (the last segment of its UIS hook URLs).
///
/// Sipuni events map to kinds like this: event 1 is `ringing` (and `started` drops it too,
/// since it is also how a Sipuni call appears), event 3 `answered`, event 4 `leg_ended`,
/// event 2 `ended`; Sipuni has no `recording` event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// A call appears.
    Started,
    /// A leg rings.
    Ringing,
    /// A leg is answered.
    Answered,
    /// A conversation ends.
    LegEnded,
    /// The call ends (UIS «Завершение звонка» and «Потерянный звонок»).
    Ended,
    /// A recording is ready.
    Recording,
}

impl NotificationKind {
    /// Every kind.
    pub const ALL: [Self; 6] = [
        Self::Started,
        Self::Ringing,
        Self::Answered,
        Self::LegEnded,
        Self::Ended,
        Self::Recording,
    ];

    /// The kind as the relay's URLs and the request field spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Started => "started",
            Self::Ringing => "ringing",
            Self::Answered => "answered",
            Self::LegEnded => "leg_ended",
            Self::Ended => "ended",
            Self::Recording => "recording",
        }
    }
}

impl std::str::FromStr for NotificationKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim())
            .ok_or_else(|| {
                format!(
                    "unknown notification kind {s:?}; expected one of started, ringing, \
                     answered, leg_ended, ended, recording"
                )
            })
    }
}

/// What started a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Source {
    /// `POST /sim/calls`.
    #[default]
    Sim,
    /// The `--generate` stream.
    Generator,
    /// The history filled at start-up (`--backfill-*`); never played.
    Backfill,
    /// UIS Call API `start.employee_call`.
    UisEmployeeCall,
    /// UIS Call API `start.scenario_call`.
    UisScenarioCall,
    /// Sipuni `callback/call_number`.
    SipuniCallNumber,
    /// Sipuni `callback/call_tree`.
    SipuniCallTree,
}

impl Source {
    /// Whether a PBX API started the call.
    pub fn is_api(self) -> bool {
        matches!(
            self,
            Self::UisEmployeeCall
                | Self::UisScenarioCall
                | Self::SipuniCallNumber
                | Self::SipuniCallTree
        )
    }

    /// UIS `call_source` / Data API `source`: `callapi` and `callapi_scenario_call` for Call
    /// API calls, `va` (virtual PBX) for incoming and `sip` for outgoing calls otherwise.
    pub fn uis_source(self, direction: Direction) -> &'static str {
        match (self, direction) {
            (Self::UisEmployeeCall, _) => "callapi",
            (Self::UisScenarioCall, _) => "callapi_scenario_call",
            (_, Direction::In) => "va",
            (_, Direction::Out) => "sip",
        }
    }
}

/// The routing a call went through: a UIS scenario or a Sipuni scheme («схема»).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Routing {
    /// A UIS scenario (`scenario_id`, `scenario_name`).
    Uis {
        /// `scenario_id`.
        id: u64,
        /// `scenario_name`.
        name: String,
    },
    /// A Sipuni scheme (`treeNumber`, `treeName`).
    Sipuni {
        /// `treeNumber`, e.g. `000-1734445`.
        number: String,
        /// `treeName`.
        name: String,
    },
}

/// Where a call came from and what the API that started it asked for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CallOrigin {
    /// What started it.
    pub source: Source,
    /// UIS `external_id` given to the Call API.
    pub external_id: Option<String>,
    /// The scenario or scheme the API asked for; `None` uses the account's default.
    pub routing: Option<Routing>,
    /// Sipuni `callbackId` of a `callback/call_tree` order.
    pub callback_id: Option<String>,
}
