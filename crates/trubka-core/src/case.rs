//! The team's cases («обращения»), derived from calls and from what people did by hand.
//!
//! A case is what the team works on: a missed call to call back, a conversation to follow up.
//! Cases are never stored as such: [`cases`] recomputes them from the calls (each a
//! [`CallState`]) and the manual facts ([`ManualClose`], [`CallNote`]), so the relay, the
//! tests and statistics share one implementation, and the order inputs arrive in (or a call
//! reconciliation fills in later) does not change the result.
//!
//! The rules follow the Omnidesk guide in seed 003, points 8–19; each rule in [`rules`] names
//! its point, and docs/protocol.md («Cases (issue 13): rules from seed 003») lists them.
//! In short:
//! - a missed incoming call opens a case «Пропущенный звонок с [номер]», open, with the
//!   employee the call was routed to last as responsible, or nobody (11, 16);
//! - further missed calls from the same number join it until a conversation takes place (12);
//! - an outgoing call to that number is a call-back of the case: unanswered, the case stays
//!   open (9, 17); answered (and recorded, by [`RecordingRule`]), it turns green (13) and
//!   waits (18 в, д); an incoming conversation with that number makes it wait too (15, 18 б);
//! - a conversation the agent files as a new case closes the missed one (18 а, г);
//! - a call nobody worked on and that joins no case is a closed case with its responsible
//!   (10, 19); one the agent wrote a gist for (8) waits after the conversation (15).

mod rules;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod testkit;
#[cfg(test)]
mod tests;

use std::fmt;

use chrono::{DateTime, Utc};

use crate::call::CallState;
use crate::event::{CallId, Contact, Employee};
use crate::lang::Lang;
use crate::tr;

/// Where a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CaseStatus {
    /// «открытое»: someone has to act (a missed call nobody has reached yet).
    Open,
    /// «в ожидании»: a conversation took place; the team waits for what follows.
    Waiting,
    /// «закрытое».
    Closed,
}

impl CaseStatus {
    pub const ALL: [CaseStatus; 3] = [CaseStatus::Open, CaseStatus::Waiting, CaseStatus::Closed];

    /// The lowercase name used in JSON and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Open => "open",
            CaseStatus::Waiting => "waiting",
            CaseStatus::Closed => "closed",
        }
    }

    pub fn parse(text: &str) -> Option<CaseStatus> {
        CaseStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// The status as people read it.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            CaseStatus::Open => lang.pick("открытое", "open"),
            CaseStatus::Waiting => lang.pick("в ожидании", "waiting"),
            CaseStatus::Closed => lang.pick("закрытое", "closed"),
        }
    }
}

/// When a call-back counts as having reached the client (seed 003, point 13).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum RecordingRule {
    /// The client answered.
    Answered,
    /// The client answered and the conversation was recorded, as the seed says: an answer
    /// without a recording can be the client's voicemail picking up.
    #[default]
    AnsweredAndRecorded,
}

impl RecordingRule {
    pub const ALL: [RecordingRule; 2] =
        [RecordingRule::Answered, RecordingRule::AnsweredAndRecorded];

    /// The name used in configuration: `answered` or `answered_and_recorded`.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordingRule::Answered => "answered",
            RecordingRule::AnsweredAndRecorded => "answered_and_recorded",
        }
    }

    pub fn parse(text: &str) -> Option<RecordingRule> {
        RecordingRule::ALL.into_iter().find(|r| r.as_str() == text)
    }

    /// Whether a call-back that was (or was not) answered and recorded meets the rule.
    pub fn is_met(self, answered: bool, recorded: bool) -> bool {
        match self {
            RecordingRule::Answered => answered,
            RecordingRule::AnsweredAndRecorded => answered && recorded,
        }
    }
}

/// A case's stable name: the id of the first call of the case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CaseKey(pub CallId);

impl fmt::Display for CaseKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// What opened a case, which gives its title.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CaseKind {
    /// A missed incoming call (point 11).
    Missed,
    /// An incoming call that was answered.
    Incoming,
    /// An outgoing call.
    Outgoing,
}

/// An outgoing call to the client of a missed-call case (points 9, 13, 17).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Callback {
    pub call: CallId,
    /// The employee who called: the one the client talked to, else the one on the call.
    pub by: Option<Employee>,
    pub at: DateTime<Utc>,
    pub answered: bool,
    pub recorded: bool,
}

/// The gist of a call an agent wrote down (point 8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gist {
    pub call: CallId,
    pub by: Option<Employee>,
    pub at: DateTime<Utc>,
    pub text: String,
}

/// Why a case is closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CloseCause {
    /// Somebody closed it by hand.
    Manual,
    /// A call nobody worked on and that joined no case: closed when it ended (points 10, 19).
    NotAttached,
    /// The conversation went on in a new case, the one named (points 18 а, г).
    NewCase(CaseKey),
}

/// How and when a case was closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closure {
    pub at: DateTime<Utc>,
    pub by: Option<Employee>,
    pub reason: Option<String>,
    pub cause: CloseCause,
}

/// One case, as the rules derive it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    pub key: CaseKey,
    pub kind: CaseKind,
    /// The client, as the first call of the case names them.
    pub contact: Contact,
    pub status: CaseStatus,
    /// Who answers for the case; `None` when nobody was routed the call (point 11): then
    /// everyone on the line sees it.
    pub responsible: Option<Employee>,
    /// When the first call of the case began.
    pub opened_at: DateTime<Utc>,
    /// The calls of the case, in time order.
    pub calls: Vec<CallId>,
    /// The call-backs of a missed-call case, in time order.
    pub callbacks: Vec<Callback>,
    /// Whether a call-back met the [`RecordingRule`]: the red receiver turns green (point 13).
    pub reached: bool,
    /// The gists agents wrote for the calls of the case, in time order.
    pub gists: Vec<Gist>,
    pub closure: Option<Closure>,
}

impl Case {
    /// «Пропущенный звонок с +79261234567», «Входящий звонок с …», «Исходящий звонок на …»;
    /// «… со скрытого номера» when the client hid their number.
    pub fn title(&self, lang: Lang) -> String {
        let Some(number) = self.number() else {
            let title = match self.kind {
                CaseKind::Missed => lang.pick(
                    "Пропущенный звонок со скрытого номера",
                    "Missed call from a hidden number",
                ),
                CaseKind::Incoming => lang.pick(
                    "Входящий звонок со скрытого номера",
                    "Incoming call from a hidden number",
                ),
                CaseKind::Outgoing => lang.pick(
                    "Исходящий звонок на скрытый номер",
                    "Outgoing call to a hidden number",
                ),
            };
            return title.to_owned();
        };
        match self.kind {
            CaseKind::Missed => tr!(
                lang,
                "Пропущенный звонок с {number}",
                "Missed call from {number}"
            ),
            CaseKind::Incoming => tr!(
                lang,
                "Входящий звонок с {number}",
                "Incoming call from {number}"
            ),
            CaseKind::Outgoing => tr!(
                lang,
                "Исходящий звонок на {number}",
                "Outgoing call to {number}"
            ),
        }
    }

    /// The client's number: E.164, else the digits the PBX gave; `None` for a hidden number.
    fn number(&self) -> Option<String> {
        if let Some(phone) = &self.contact.phone {
            return Some(phone.e164().to_owned());
        }
        let raw = self.contact.raw.trim();
        let digits = raw.trim_start_matches('+');
        (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then(|| raw.to_owned())
    }

    /// Whether the case holds the call.
    pub fn has_call(&self, call: &CallId) -> bool {
        self.calls.contains(call)
    }
}

/// Closing a case by hand, with an optional reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManualClose {
    /// The case; it is found by the call the key names, so a close still applies when a
    /// call reconciled later turns out to be the case's first.
    pub case: CaseKey,
    pub at: DateTime<Utc>,
    pub by: Option<Employee>,
    pub reason: Option<String>,
}

/// An agent worked on a call: wrote down its gist (point 8) and chose where it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallNote {
    pub call: CallId,
    pub at: DateTime<Utc>,
    pub by: Option<Employee>,
    /// The gist; blank when the agent only chose where the call goes.
    pub gist: String,
    /// The agent made a new case of the call (points 2 а, 4 б, 18 а, г) instead of adding it
    /// to the client's open missed-call case (18 б, д).
    pub new_case: bool,
}

/// One input of the case rules: a call, or something a person did.
#[derive(Debug, Clone, Copy)]
pub enum CaseInput<'a> {
    Call(&'a CallState),
    Closed(&'a ManualClose),
    Note(&'a CallNote),
}

/// The cases that follow from the inputs, ordered by when they opened, then by key.
///
/// The result depends only on the set of inputs: calls are taken in canonical order (start,
/// then call id), several states of one call are merged into one from all their events, and
/// manual facts are ordered by time and content. Calls that are not over, whose outcome is
/// unknown, or that are internal make no case.
pub fn cases<'a>(
    inputs: impl IntoIterator<Item = CaseInput<'a>>,
    rule: RecordingRule,
) -> Vec<Case> {
    rules::derive(inputs, rule)
}
