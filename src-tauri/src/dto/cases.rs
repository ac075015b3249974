//! The team's cases (issue 13) as the windows show them: the relay's `CaseView` with what
//! this desktop adds (the contact the number matches, the number for people, the missed
//! calls among the case's), the list with whether it is fresh, and notes on calls.
//!
//! Field-for-field mappings; `mine` flags compare names with the signed-in agent's and
//! decide nothing else.

use serde::{Deserialize, Serialize};
use trubka_agent::engine::cases::{CaseListing, CaseLocal};
use trubka_protocol::cases::{CallNoteView, CaseView, PersonView, WireCaseKind, WireCloseCause};
use ts_rs::TS;

use super::ts;

/// An employee the PBX named, and the Trubka agent mapped to them when the relay knows one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PersonDto {
    /// The agent's name in Trubka.
    pub agent: Option<String>,
    pub name: Option<String>,
    pub extension: Option<String>,
    pub id: Option<String>,
    pub phone: Option<String>,
}

impl From<&PersonView> for PersonDto {
    fn from(p: &PersonView) -> PersonDto {
        PersonDto {
            agent: p.agent.clone(),
            name: p.name.clone(),
            extension: p.extension.clone(),
            id: p.employee_id.clone(),
            phone: p.phone.clone(),
        }
    }
}

/// A call-back of a missed-call case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CallbackDto {
    pub call_id: String,
    pub by: Option<PersonDto>,
    pub at: String,
    pub answered: bool,
    pub recorded: bool,
}

/// The gist of a call an agent wrote down.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct GistDto {
    pub call_id: String,
    pub by: Option<PersonDto>,
    pub at: String,
    pub text: String,
}

/// How a case was closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ClosureDto {
    pub at: String,
    pub by: Option<PersonDto>,
    pub reason: Option<String>,
    /// `manual`, `not_attached` or `new_case`.
    pub cause: String,
    pub new_case: Option<String>,
}

/// «Перезваниваю»: who is calling the client back, since and until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ClaimDto {
    pub agent: String,
    pub at: String,
    pub expires_at: String,
    /// The signed-in agent holds it.
    pub mine: bool,
}

/// One case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CaseDto {
    pub key: String,
    /// `missed`, `incoming` or `outgoing`.
    pub kind: String,
    /// `open`, `waiting` or `closed`.
    pub status: String,
    /// E.164 (what dialling takes); `None`: a hidden number.
    pub phone: Option<String>,
    /// The number for people to read; `None`: a hidden number.
    pub number: Option<String>,
    /// The matching contact's name, else the name the PBX gave.
    pub name: Option<String>,
    /// Incoming calls of the case nobody answered.
    pub missed: u32,
    pub responsible: Option<PersonDto>,
    /// The signed-in agent is the responsible.
    pub responsible_mine: bool,
    pub opened_at: String,
    pub updated_at: String,
    pub calls: Vec<String>,
    pub callbacks: Vec<CallbackDto>,
    /// A call-back reached the client (the receiver turns green).
    pub reached: bool,
    pub gists: Vec<GistDto>,
    pub closure: Option<ClosureDto>,
    pub claim: Option<ClaimDto>,
    #[ts(type = "number")]
    pub version: u64,
}

fn kind(k: WireCaseKind) -> &'static str {
    match k {
        WireCaseKind::Missed => "missed",
        WireCaseKind::Incoming => "incoming",
        WireCaseKind::Outgoing => "outgoing",
    }
}

fn cause(c: WireCloseCause) -> &'static str {
    match c {
        WireCloseCause::Manual => "manual",
        WireCloseCause::NotAttached => "not_attached",
        WireCloseCause::NewCase => "new_case",
    }
}

impl CaseDto {
    /// The case as `me` (the signed-in agent's name) sees it, with this desktop's `local`.
    pub fn of(view: &CaseView, local: &CaseLocal, me: Option<&str>) -> CaseDto {
        let is_me = |name: Option<&str>| me.is_some_and(|me| name == Some(me));
        let person = |p: &Option<PersonView>| p.as_ref().map(PersonDto::from);
        CaseDto {
            key: view.key.clone(),
            kind: kind(view.kind).to_owned(),
            status: view.status.as_str().to_owned(),
            phone: view.number.clone(),
            number: local.number.clone(),
            name: local
                .contact_name
                .clone()
                .or_else(|| view.contact_name.clone()),
            missed: local.missed,
            responsible: person(&view.responsible),
            responsible_mine: is_me(view.responsible.as_ref().and_then(|r| r.agent.as_deref())),
            opened_at: ts(view.opened_at),
            updated_at: ts(view.updated_at),
            calls: view.calls.clone(),
            callbacks: view
                .callbacks
                .iter()
                .map(|c| CallbackDto {
                    call_id: c.call_id.clone(),
                    by: person(&c.by),
                    at: ts(c.at),
                    answered: c.answered,
                    recorded: c.recorded,
                })
                .collect(),
            reached: view.reached,
            gists: view
                .gists
                .iter()
                .map(|g| GistDto {
                    call_id: g.call_id.clone(),
                    by: person(&g.by),
                    at: ts(g.at),
                    text: g.text.clone(),
                })
                .collect(),
            closure: view.closure.as_ref().map(|c| ClosureDto {
                at: ts(c.at),
                by: person(&c.by),
                reason: c.reason.clone(),
                cause: cause(c.cause).to_owned(),
                new_case: c.new_case.clone(),
            }),
            claim: view.claim.as_ref().map(|c| ClaimDto {
                agent: c.agent.clone(),
                at: ts(c.at),
                expires_at: ts(c.expires_at),
                mine: is_me(Some(&c.agent)),
            }),
            version: view.version,
        }
    }
}

/// The cases the window lists, and whether they came from the relay just now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CaseListDto {
    pub cases: Vec<CaseDto>,
    /// `false`: the relay did not answer; these are the last known cases and may be stale.
    pub fresh: bool,
    /// When the cases were last received from the relay (`None`: never).
    pub received_at: Option<String>,
}

impl CaseListDto {
    pub fn of(listing: &CaseListing, locals: &[CaseLocal], me: Option<&str>) -> CaseListDto {
        CaseListDto {
            cases: listing
                .cases
                .iter()
                .zip(locals)
                .map(|(view, local)| CaseDto::of(view, local, me))
                .collect(),
            fresh: listing.fresh,
            received_at: listing.received_at.map(ts),
        }
    }
}

/// A note an agent wrote on a call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct NoteDto {
    #[ts(type = "number")]
    pub id: i64,
    pub call_id: String,
    pub author: String,
    pub at: String,
    pub text: String,
    pub tags: Vec<String>,
}

impl From<&CallNoteView> for NoteDto {
    fn from(n: &CallNoteView) -> NoteDto {
        NoteDto {
            id: n.id,
            call_id: n.call_id.clone(),
            author: n.author.clone(),
            at: ts(n.at),
            text: n.text.clone(),
            tags: n.tags.clone(),
        }
    }
}

/// The notes of one call; `error` when the relay could not be asked (the window shows
/// the others).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CallNotesDto {
    pub call_id: String,
    pub notes: Vec<NoteDto>,
    pub error: Option<String>,
}

/// What the note box sends.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
pub struct NoteDraftDto {
    pub text: String,
    pub tags: Vec<String>,
}
