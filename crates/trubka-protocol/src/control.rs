//! Call control and presence as the relay's endpoints carry them (issue 11): what an agent
//! asks the relay to do with a call (`POST /v1/calls/{call_id}/control`), what the call's PBX
//! offers (`GET /v1/calls/{call_id}/actions`), and the agents' statuses (`/v1/presence`, the
//! `presence` stream frame). The relay and the desktop both read and write these types, so
//! the shapes are defined once here (docs/protocol.md, «Call control and presence — the
//! relay's endpoints»).

use serde::{Deserialize, Serialize};

/// One action on a call in progress: the body of `POST /v1/calls/{call_id}/control`,
/// `{"action": "hold"}`, `{"action": "transfer", "to": "Игорь", "attended": true}`, …
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum ControlRequest {
    /// Put the contact on hold.
    Hold,
    /// Take the contact off hold.
    Resume,
    /// End the call.
    Hangup,
    /// Hand the contact to a colleague (`to`: an agent's name as the relay knows it, or a
    /// number). Attended: the agent talks to the colleague first and then completes or
    /// cancels; blind: the contact goes to the colleague at once.
    Transfer {
        to: String,
        #[serde(default)]
        attended: bool,
    },
    /// Finish an attended transfer: the contact and the colleague talk.
    TransferComplete,
    /// Give up an attended transfer: back to the contact.
    TransferCancel,
    /// A supervisor joins an agent's call. UIS connects a coach as the cabinet's settings say
    /// (no `mode`); Sipuni listens or whispers (`mode` required). `phone`: the number UIS
    /// rings for the coach; without it the supervisor's own, else the cabinet's coach.
    Coach {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        mode: Option<CoachMode>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        phone: Option<String>,
    },
}

impl ControlRequest {
    /// The action's name, as in the request and in [`CallActions::actions`].
    pub fn action(&self) -> ControlAction {
        match self {
            ControlRequest::Hold => ControlAction::Hold,
            ControlRequest::Resume => ControlAction::Resume,
            ControlRequest::Hangup => ControlAction::Hangup,
            ControlRequest::Transfer { .. } => ControlAction::Transfer,
            ControlRequest::TransferComplete => ControlAction::TransferComplete,
            ControlRequest::TransferCancel => ControlAction::TransferCancel,
            ControlRequest::Coach { .. } => ControlAction::Coach,
        }
    }
}

/// The name of an action, without its parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ControlAction {
    Hold,
    Resume,
    Hangup,
    Transfer,
    TransferComplete,
    TransferCancel,
    Coach,
}

impl ControlAction {
    /// As written on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ControlAction::Hold => "hold",
            ControlAction::Resume => "resume",
            ControlAction::Hangup => "hangup",
            ControlAction::Transfer => "transfer",
            ControlAction::TransferComplete => "transfer_complete",
            ControlAction::TransferCancel => "transfer_cancel",
            ControlAction::Coach => "coach",
        }
    }
}

/// How a supervisor joins a call on Sipuni.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CoachMode {
    /// Hears both parties; nobody hears the supervisor.
    Listen,
    /// Also talks to the agent, whom only the agent hears.
    Whisper,
}

/// The answer `200` to a control request the PBX accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControlDone {
    pub call_id: String,
    pub action: ControlAction,
}

/// An action done on a call, told to everyone following it (the `call_control` stream frame):
/// every card of the call shows it, and the colleague a call is transferred to learns who
/// transferred it and what was written on the call so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControlNotice {
    pub call_id: String,
    pub action: ControlAction,
    /// The agent who did it.
    pub by: String,
    /// A transfer's colleague (their name) or number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// A transfer to a colleague: the notes on the call so far, oldest first (empty when
    /// there are none). The colleague may not see the call yet — the PBX reports their leg
    /// a moment later — so they come with the notice. Absent for other actions and from a
    /// relay older than this field (then `GET /v1/calls/{call_id}/notes`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<Vec<crate::cases::CallNoteView>>,
}

/// What the call's PBX lets the asking agent do with it: `GET /v1/calls/{call_id}/actions`.
/// An app shows a button only for what is listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallActions {
    pub call_id: String,
    /// `uis` or `sipuni`.
    pub provider: String,
    /// The actions the PBX supports for this agent on this call (coach: supervisors only).
    pub actions: Vec<ControlAction>,
    /// Which kinds of `transfer` the PBX supports.
    pub blind_transfer: bool,
    pub attended_transfer: bool,
    /// The `mode`s `coach` takes (empty: `coach` takes none).
    pub coach_modes: Vec<CoachMode>,
}

/// An agent's status, as Trubka names it on every PBX.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PresenceStatus {
    /// Takes calls.
    Available,
    /// On a break (with a reason from the admin's list, when the PBX keeps one).
    Break,
    /// Do not disturb: no incoming calls, outgoing allowed.
    Dnd,
    /// Not at work.
    Offline,
}

impl PresenceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PresenceStatus::Available => "available",
            PresenceStatus::Break => "break",
            PresenceStatus::Dnd => "dnd",
            PresenceStatus::Offline => "offline",
        }
    }
}

/// The body of `PUT /v1/presence`: `{"status": "break", "reason": "Обед"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresenceUpdate {
    pub status: PresenceStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// One agent's presence: in `GET /v1/presence`, the answer of `PUT /v1/presence` and the
/// `presence` stream frame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentPresence {
    /// The agent's name as the relay knows it (what `transfer`'s `to` takes).
    pub agent: String,
    /// `None` while the relay has not read the status from the PBX yet.
    pub status: Option<PresenceStatus>,
    /// The break reason or the PBX's own name of a status Trubka has no word for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Whether the agent is on a call the PBX lists as in progress.
    pub on_call: bool,
    pub supervisor: bool,
}

/// `GET /v1/presence`: every active agent, by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresenceList {
    pub agents: Vec<AgentPresence>,
}

/// `GET /v1/presence/reasons`: the break reasons an agent may pick (the admin's own statuses
/// in the UIS cabinet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BreakReasons {
    pub reasons: Vec<String>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn requests_are_tagged_by_action() {
        let transfer: ControlRequest =
            serde_json::from_value(json!({"action": "transfer", "to": "Игорь"})).unwrap();
        assert_eq!(
            transfer,
            ControlRequest::Transfer {
                to: "Игорь".to_owned(),
                attended: false
            }
        );
        let coach: ControlRequest =
            serde_json::from_value(json!({"action": "coach", "mode": "whisper"})).unwrap();
        assert_eq!(coach.action(), ControlAction::Coach);
        assert_eq!(
            serde_json::to_value(ControlRequest::TransferCancel).unwrap(),
            json!({"action": "transfer_cancel"})
        );
        for action in [
            ControlAction::Hold,
            ControlAction::TransferComplete,
            ControlAction::Coach,
        ] {
            assert_eq!(
                serde_json::to_value(action).unwrap(),
                json!(action.as_str())
            );
        }
        assert!(serde_json::from_value::<ControlRequest>(json!({"action": "barge"})).is_err());
    }

    #[test]
    fn presence_reads_and_writes_as_documented() {
        let update: PresenceUpdate =
            serde_json::from_value(json!({"status": "break", "reason": "Обед"})).unwrap();
        assert_eq!(update.status, PresenceStatus::Break);
        assert_eq!(
            serde_json::to_value(PresenceUpdate {
                status: PresenceStatus::Dnd,
                reason: None
            })
            .unwrap(),
            json!({"status": "dnd"})
        );
        assert!(serde_json::from_value::<PresenceUpdate>(json!({"status": "lunch"})).is_err());
    }
}
