//! Frames of the relay→agent stream (`GET /v1/stream`), JSON text frames, version 1.
//!
//! The relay builds `event` frames around the event JSON it stored, without parsing it again
//! ([`event_frame`]); agents parse every frame with [`ServerFrame::parse`].

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use trubka_core::CallEvent;

use crate::cases::CaseView;
use crate::control::{AgentPresence, ControlNotice};
use crate::directory::CrmContact;
use crate::event_json::{EventJsonError, event_from_json};

/// The stream protocol version sent in `hello`.
pub const STREAM_VERSION: u32 = 1;

/// WebSocket close codes the relay uses, grouped by what the client should do next.
pub mod close_code {
    /// 4000–4099: do not reconnect with the same token.
    pub const TOKEN_REVOKED: u16 = 4001;
    /// 4100–4199: reconnect with backoff and resume with `since`.
    pub const TOO_SLOW: u16 = 4100;
    /// The relay is shutting down or restarting: reconnect with backoff and resume.
    pub const RESTARTING: u16 = 1012;

    /// Whether a client that received this close code should try again.
    pub fn should_reconnect(code: u16) -> bool {
        !(4000..4100).contains(&code)
    }
}

/// A frame from the relay to an agent.
#[derive(Debug, Clone, PartialEq)]
pub enum ServerFrame {
    /// First frame of every connection.
    Hello {
        v: u32,
        agent: String,
        epoch: String,
        head: u64,
    },
    /// One stored event the agent may see; `seq` grows by one per stored event relay-wide.
    Event { seq: u64, event: Box<CallEvent> },
    /// History before the requested `since` is gone (or belongs to another epoch): resync.
    Reset { epoch: String },
    /// The replay a `since` asked for is complete: `replayed` events were sent, and every
    /// frame from here on is live. Lets a client tell "while you were away" from "now".
    /// `pruned_before`: the relay's retention may have deleted events between `since` and
    /// this `seq` (sent only then); the replay holds what is still kept.
    CaughtUp {
        replayed: u64,
        pruned_before: Option<u64>,
    },
    /// The team directory changed: it is now at `version`. A desktop whose copy is older
    /// asks `GET /v1/directory/changes?since=` its version. Sent to every connection, once
    /// after `caught_up` and then on each change; not replayed (the version says it all).
    Directory { version: u64 },
    /// The CRM answered for the number of a call whose first event went out before the
    /// answer came: sent to the call's audience, live only (a desktop that missed it asks
    /// `GET /v1/directory/lookup`).
    CallContact {
        call_id: String,
        number: String,
        contacts: Vec<CrmContact>,
    },
    /// A case the agent may see changed (its calls, status, claim): sent to the case's
    /// audience, live only (a desktop that reconnects reads `GET /v1/cases` again).
    Case { case: Box<CaseView> },
    /// An agent's status or whether they are on a call changed: sent to every connection,
    /// live only (a desktop that reconnects reads `GET /v1/presence`).
    Presence { presence: Box<AgentPresence> },
    /// An action was done on a call the agent follows (hold, a transfer, …): sent to the
    /// call's audience and a transfer's colleague, live only.
    CallControl { notice: Box<ControlNotice> },
}

/// A frame from an agent to the relay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientFrame {
    /// The agent has durably applied everything up to `seq` (optional, informational).
    Ack { seq: u64 },
}

/// Frames are written through this internally tagged enum. Reading goes through
/// [`IncomingFrame`] instead: serde cannot hand a borrowed `RawValue` through the buffering an
/// internally tagged enum needs, and event frames are by far the most common.
#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum WireFrame<'a> {
    Hello {
        v: u32,
        agent: String,
        epoch: String,
        head: u64,
    },
    Reset {
        epoch: String,
    },
    CaughtUp {
        replayed: u64,
        #[serde(skip_serializing_if = "Option::is_none")]
        pruned_before: Option<u64>,
    },
    Directory {
        version: u64,
    },
    CallContact {
        call_id: &'a str,
        number: &'a str,
        contacts: &'a [CrmContact],
    },
    Case {
        case: &'a CaseView,
    },
    Presence {
        presence: &'a AgentPresence,
    },
    CallControl {
        notice: &'a ControlNotice,
    },
}

/// Every field any server frame may carry, read in one pass with the tag as a plain field.
#[derive(Deserialize)]
struct IncomingFrame<'a> {
    #[serde(rename = "type", borrow)]
    kind: std::borrow::Cow<'a, str>,
    v: Option<u32>,
    agent: Option<String>,
    epoch: Option<String>,
    head: Option<u64>,
    seq: Option<u64>,
    replayed: Option<u64>,
    pruned_before: Option<u64>,
    #[serde(borrow)]
    event: Option<&'a RawValue>,
    version: Option<u64>,
    call_id: Option<String>,
    number: Option<String>,
    contacts: Option<Vec<CrmContact>>,
    case: Option<Box<CaseView>>,
    presence: Option<Box<AgentPresence>>,
    notice: Option<Box<ControlNotice>>,
}

#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    #[error("stream frame is malformed: {0}")]
    Json(#[from] serde_json::Error),
    #[error("stream frame `{kind}` lacks the field `{field}`")]
    Missing { kind: String, field: &'static str },
    #[error("stream frame has an unknown type `{0}`")]
    UnknownType(String),
    #[error("stream frame carries a bad event: {0}")]
    Event(#[from] EventJsonError),
}

impl ServerFrame {
    pub fn parse(text: &str) -> Result<ServerFrame, FrameError> {
        let frame: IncomingFrame<'_> = serde_json::from_str(text)?;
        let missing = |field| FrameError::Missing {
            kind: frame.kind.to_string(),
            field,
        };
        Ok(match frame.kind.as_ref() {
            "hello" => ServerFrame::Hello {
                v: frame.v.ok_or_else(|| missing("v"))?,
                agent: frame.agent.clone().ok_or_else(|| missing("agent"))?,
                epoch: frame.epoch.clone().ok_or_else(|| missing("epoch"))?,
                head: frame.head.ok_or_else(|| missing("head"))?,
            },
            "event" => ServerFrame::Event {
                seq: frame.seq.ok_or_else(|| missing("seq"))?,
                event: Box::new(event_from_json(
                    frame.event.ok_or_else(|| missing("event"))?.get(),
                )?),
            },
            "reset" => ServerFrame::Reset {
                epoch: frame.epoch.clone().ok_or_else(|| missing("epoch"))?,
            },
            "caught_up" => ServerFrame::CaughtUp {
                replayed: frame.replayed.ok_or_else(|| missing("replayed"))?,
                pruned_before: frame.pruned_before,
            },
            "directory" => ServerFrame::Directory {
                version: frame.version.ok_or_else(|| missing("version"))?,
            },
            "call_contact" => ServerFrame::CallContact {
                call_id: frame.call_id.clone().ok_or_else(|| missing("call_id"))?,
                number: frame.number.clone().ok_or_else(|| missing("number"))?,
                contacts: frame.contacts.clone().ok_or_else(|| missing("contacts"))?,
            },
            "case" => ServerFrame::Case {
                case: frame.case.clone().ok_or_else(|| missing("case"))?,
            },
            "presence" => ServerFrame::Presence {
                presence: frame.presence.clone().ok_or_else(|| missing("presence"))?,
            },
            "call_control" => ServerFrame::CallControl {
                notice: frame.notice.clone().ok_or_else(|| missing("notice"))?,
            },
            other => return Err(FrameError::UnknownType(other.to_owned())),
        })
    }

    pub fn to_json(&self) -> String {
        match self {
            ServerFrame::Hello {
                v,
                agent,
                epoch,
                head,
            } => serde_json::to_string(&WireFrame::Hello {
                v: *v,
                agent: agent.clone(),
                epoch: epoch.clone(),
                head: *head,
            })
            .expect("hello serialises"),
            ServerFrame::Event { seq, event } => event_frame(*seq, &crate::event_to_json(event)),
            ServerFrame::Reset { epoch } => serde_json::to_string(&WireFrame::Reset {
                epoch: epoch.clone(),
            })
            .expect("reset serialises"),
            ServerFrame::CaughtUp {
                replayed,
                pruned_before,
            } => serde_json::to_string(&WireFrame::CaughtUp {
                replayed: *replayed,
                pruned_before: *pruned_before,
            })
            .expect("caught_up serialises"),
            ServerFrame::Directory { version } => {
                serde_json::to_string(&WireFrame::Directory { version: *version })
                    .expect("directory serialises")
            }
            ServerFrame::CallContact {
                call_id,
                number,
                contacts,
            } => serde_json::to_string(&WireFrame::CallContact {
                call_id,
                number,
                contacts,
            })
            .expect("call_contact serialises"),
            ServerFrame::Case { case } => {
                serde_json::to_string(&WireFrame::Case { case }).expect("case serialises")
            }
            ServerFrame::Presence { presence } => {
                serde_json::to_string(&WireFrame::Presence { presence })
                    .expect("presence serialises")
            }
            ServerFrame::CallControl { notice } => {
                serde_json::to_string(&WireFrame::CallControl { notice })
                    .expect("call_control serialises")
            }
        }
    }
}

impl ClientFrame {
    pub fn parse(text: &str) -> Result<ClientFrame, serde_json::Error> {
        serde_json::from_str(text)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("client frame serialises")
    }
}

/// Builds an `event` frame around already-serialised event JSON without parsing it again.
pub fn event_frame(seq: u64, event_json: &str) -> String {
    let mut frame = String::with_capacity(event_json.len() + 40);
    frame.push_str(r#"{"type":"event","seq":"#);
    frame.push_str(&seq.to_string());
    frame.push_str(r#","event":"#);
    frame.push_str(event_json);
    frame.push('}');
    frame
}
