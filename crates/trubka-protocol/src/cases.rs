//! The team's cases on the wire: what the relay's `/v1/cases…`, `/v1/calls/{id}/notes` and
//! `/v1/tags` endpoints answer and take, and what the `case` stream frame carries
//! (docs/protocol.md, «Cases on the relay»).
//!
//! The relay serialises and the agent decodes these same structs. A case carries data, not
//! words: its kind and number, and the client words the title («Пропущенный звонок с …») in
//! the reader's language. Unknown fields are ignored on reading, so a newer relay may add some.
//! [`CaseView::from_case`] is the one conversion from `trubka_core`'s derived case.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use trubka_core::{Callback, Case, CaseKind, CaseStatus, CloseCause, Closure, Employee, Gist};

/// What opened a case: `missed`, `incoming` or `outgoing`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WireCaseKind {
    Missed,
    Incoming,
    Outgoing,
}

/// Where a case stands: `open`, `waiting` or `closed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WireCaseStatus {
    Open,
    Waiting,
    Closed,
}

impl WireCaseStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            WireCaseStatus::Open => "open",
            WireCaseStatus::Waiting => "waiting",
            WireCaseStatus::Closed => "closed",
        }
    }

    pub fn parse(text: &str) -> Option<WireCaseStatus> {
        [
            WireCaseStatus::Open,
            WireCaseStatus::Waiting,
            WireCaseStatus::Closed,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

/// An employee the PBX named (responsible, who called back, who closed), and the Trubka
/// agent mapped to that employee when the relay knows one.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PersonView {
    /// The UIS employee id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employee_id: Option<String>,
    /// The name the PBX gave.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// The agent's name in Trubka.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
}

/// A call-back of a missed-call case (seed 003, points 9, 13, 17).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallbackView {
    pub call_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<PersonView>,
    pub at: DateTime<Utc>,
    pub answered: bool,
    pub recorded: bool,
}

/// The gist of a call an agent wrote down (point 8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GistView {
    pub call_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<PersonView>,
    pub at: DateTime<Utc>,
    pub text: String,
}

/// Why a case is closed: `manual`, `not_attached` (a call nobody worked on) or `new_case`
/// (the conversation went on in the case `new_case` names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WireCloseCause {
    Manual,
    NotAttached,
    NewCase,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClosureView {
    pub at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<PersonView>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub cause: WireCloseCause,
    /// With `cause: new_case`: the key of the case the conversation went on in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_case: Option<String>,
}

/// An agent calling the client back («Перезваниваю»): nobody else should while it lasts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimView {
    pub agent_id: i64,
    pub agent: String,
    pub at: DateTime<Utc>,
    /// When the claim lapses unless that agent's call to the client ends first.
    pub expires_at: DateTime<Utc>,
}

/// One case as an agent sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseView {
    /// The id of the case's first call; stable.
    pub key: String,
    pub kind: WireCaseKind,
    pub status: WireCaseStatus,
    /// The client's number: E.164, else the digits the PBX gave; absent for a hidden number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// The name the PBX knows for the client.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_name: Option<String>,
    /// Nobody: everyone who may see the case's calls answers for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub responsible: Option<PersonView>,
    pub opened_at: DateTime<Utc>,
    /// When the relay last changed the case (or its claim).
    pub updated_at: DateTime<Utc>,
    /// The calls of the case, in time order.
    pub calls: Vec<String>,
    #[serde(default)]
    pub callbacks: Vec<CallbackView>,
    /// A call-back met the recording rule: the red receiver turns green.
    #[serde(default)]
    pub reached: bool,
    #[serde(default)]
    pub gists: Vec<GistView>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closure: Option<ClosureView>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim: Option<ClaimView>,
    /// The relay's case version when this case last changed; versions grow relay-wide.
    pub version: u64,
}

impl CaseView {
    /// The view of a derived case, at `version`, changed at `updated_at`, without a claim.
    /// `agent_of` names the Trubka agent mapped to an employee, when there is one.
    pub fn from_case(
        case: &Case,
        version: u64,
        updated_at: DateTime<Utc>,
        agent_of: &dyn Fn(&Employee) -> Option<String>,
    ) -> CaseView {
        let person = |employee: &Option<Employee>| {
            employee
                .as_ref()
                .map(|employee| PersonView::of(employee, agent_of))
        };
        CaseView {
            key: case.key.to_string(),
            kind: match case.kind {
                CaseKind::Missed => WireCaseKind::Missed,
                CaseKind::Incoming => WireCaseKind::Incoming,
                CaseKind::Outgoing => WireCaseKind::Outgoing,
            },
            status: match case.status {
                CaseStatus::Open => WireCaseStatus::Open,
                CaseStatus::Waiting => WireCaseStatus::Waiting,
                CaseStatus::Closed => WireCaseStatus::Closed,
            },
            number: case_number(case),
            contact_name: case.contact.name.clone(),
            responsible: person(&case.responsible),
            opened_at: case.opened_at,
            updated_at,
            calls: case.calls.iter().map(ToString::to_string).collect(),
            callbacks: case
                .callbacks
                .iter()
                .map(|c: &Callback| CallbackView {
                    call_id: c.call.to_string(),
                    by: person(&c.by),
                    at: c.at,
                    answered: c.answered,
                    recorded: c.recorded,
                })
                .collect(),
            reached: case.reached,
            gists: case
                .gists
                .iter()
                .map(|g: &Gist| GistView {
                    call_id: g.call.to_string(),
                    by: person(&g.by),
                    at: g.at,
                    text: g.text.clone(),
                })
                .collect(),
            closure: case.closure.as_ref().map(|c: &Closure| ClosureView {
                at: c.at,
                by: person(&c.by),
                reason: c.reason.clone(),
                cause: match c.cause {
                    CloseCause::Manual => WireCloseCause::Manual,
                    CloseCause::NotAttached => WireCloseCause::NotAttached,
                    CloseCause::NewCase(_) => WireCloseCause::NewCase,
                },
                new_case: match &c.cause {
                    CloseCause::NewCase(key) => Some(key.to_string()),
                    _ => None,
                },
            }),
            claim: None,
            version,
        }
    }

    /// The same case as data, leaving out what changes without the case changing (its
    /// version, when it was written, the claim): two views alike here need no new version.
    pub fn same_case(&self, other: &CaseView) -> bool {
        let strip = |view: &CaseView| CaseView {
            version: 0,
            updated_at: DateTime::<Utc>::UNIX_EPOCH,
            claim: None,
            ..view.clone()
        };
        strip(self) == strip(other)
    }
}

impl PersonView {
    fn of(employee: &Employee, agent_of: &dyn Fn(&Employee) -> Option<String>) -> PersonView {
        PersonView {
            employee_id: employee.id.clone(),
            name: employee.name.clone(),
            extension: employee.extension.clone(),
            phone: employee.phone.clone(),
            agent: agent_of(employee),
        }
    }
}

/// E.164 for a phone number, the digits the PBX gave for another number, none when hidden.
fn case_number(case: &Case) -> Option<String> {
    if let Some(phone) = &case.contact.phone {
        return Some(phone.e164().to_owned());
    }
    let raw = case.contact.raw.trim();
    let digits = raw.trim_start_matches('+');
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then(|| raw.to_owned())
}

/// `GET /v1/cases`: the cases the agent may see, newest change first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseList {
    pub cases: Vec<CaseView>,
    /// The relay's newest case version.
    pub version: u64,
}

/// `POST /v1/cases/{key}/close`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CloseRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// `POST /v1/calls/{call_id}/notes`: the gist of a call, its tags, and whether the call makes
/// a new case instead of joining the client's open missed-call case.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NoteRequest {
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub new_case: bool,
}

/// A note an agent wrote on a call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallNoteView {
    pub id: i64,
    pub call_id: String,
    /// The agent's name in Trubka.
    pub author: String,
    pub at: DateTime<Utc>,
    pub text: String,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub new_case: bool,
}

/// `GET /v1/calls/{call_id}/notes`, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallNotes {
    pub notes: Vec<CallNoteView>,
}

/// `GET /v1/tags`: the admin's list (`trubka-relay tags set`), in its order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagList {
    pub tags: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_case_view_reads_back_and_leaves_out_what_it_lacks() {
        let at = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let view = CaseView {
            key: "uis:1".to_owned(),
            kind: WireCaseKind::Missed,
            status: WireCaseStatus::Open,
            number: Some("+79261234567".to_owned()),
            contact_name: None,
            responsible: None,
            opened_at: at,
            updated_at: at,
            calls: vec!["uis:1".to_owned()],
            callbacks: Vec::new(),
            reached: false,
            gists: Vec::new(),
            closure: None,
            claim: Some(ClaimView {
                agent_id: 3,
                agent: "Анна".to_owned(),
                at,
                expires_at: at,
            }),
            version: 7,
        };
        let json = serde_json::to_string(&view).unwrap();
        assert!(json.contains(r#""status":"open""#), "{json}");
        assert!(!json.contains("responsible"), "{json}");
        assert_eq!(serde_json::from_str::<CaseView>(&json).unwrap(), view);
        let mut later = view.clone();
        later.version = 9;
        later.claim = None;
        assert!(view.same_case(&later));
        later.status = WireCaseStatus::Waiting;
        assert!(!view.same_case(&later));
    }

    #[test]
    fn the_case_frame_carries_the_view_and_reads_back() {
        let at = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let view = CaseView {
            key: "sipuni:9".to_owned(),
            kind: WireCaseKind::Outgoing,
            status: WireCaseStatus::Closed,
            number: None,
            contact_name: Some("ООО Ромашка".to_owned()),
            responsible: Some(PersonView {
                extension: Some("201".to_owned()),
                agent: Some("Игорь".to_owned()),
                ..PersonView::default()
            }),
            opened_at: at,
            updated_at: at,
            calls: vec!["sipuni:9".to_owned()],
            callbacks: Vec::new(),
            reached: false,
            gists: Vec::new(),
            closure: Some(ClosureView {
                at,
                by: None,
                reason: Some("дубль".to_owned()),
                cause: WireCloseCause::Manual,
                new_case: None,
            }),
            claim: None,
            version: 2,
        };
        let frame = crate::ServerFrame::Case {
            case: Box::new(view),
        };
        let json = frame.to_json();
        assert!(json.starts_with(r#"{"type":"case","case":{"#), "{json}");
        assert_eq!(crate::ServerFrame::parse(&json).unwrap(), frame);
        assert!(crate::ServerFrame::parse(r#"{"type":"case"}"#).is_err());
    }

    #[test]
    fn statuses_parse_from_their_names_only() {
        assert_eq!(
            WireCaseStatus::parse("waiting"),
            Some(WireCaseStatus::Waiting)
        );
        assert_eq!(WireCaseStatus::parse("Open"), None);
    }
}
