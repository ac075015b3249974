//! Call control and presence as the windows see them (issue 11): what the card may offer for a
//! call, the actions it sends, the notices of what was done to a call, and the team's statuses.
//! Field-for-field mappings of `trubka_protocol::control`; the UI decides nothing from the
//! provider's name, only from what [`CallActionsDto`] lists.

use serde::{Deserialize, Serialize};
use trubka_protocol::cases::CallNoteView;
use trubka_protocol::control::{
    AgentPresence, CallActions, CoachMode, ControlAction, ControlNotice, ControlRequest,
    PresenceStatus,
};
use ts_rs::TS;

use super::ts;

/// An action on a call, without its parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ControlActionDto {
    Hold,
    Resume,
    Hangup,
    Transfer,
    TransferComplete,
    TransferCancel,
    Coach,
}

impl From<ControlAction> for ControlActionDto {
    fn from(a: ControlAction) -> ControlActionDto {
        match a {
            ControlAction::Hold => ControlActionDto::Hold,
            ControlAction::Resume => ControlActionDto::Resume,
            ControlAction::Hangup => ControlActionDto::Hangup,
            ControlAction::Transfer => ControlActionDto::Transfer,
            ControlAction::TransferComplete => ControlActionDto::TransferComplete,
            ControlAction::TransferCancel => ControlActionDto::TransferCancel,
            ControlAction::Coach => ControlActionDto::Coach,
        }
    }
}

/// How a supervisor joins a call, where the PBX lets them choose (Sipuni).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CoachModeDto {
    Listen,
    Whisper,
}

impl From<CoachMode> for CoachModeDto {
    fn from(m: CoachMode) -> CoachModeDto {
        match m {
            CoachMode::Listen => CoachModeDto::Listen,
            CoachMode::Whisper => CoachModeDto::Whisper,
        }
    }
}

impl From<CoachModeDto> for CoachMode {
    fn from(m: CoachModeDto) -> CoachMode {
        match m {
            CoachModeDto::Listen => CoachMode::Listen,
            CoachModeDto::Whisper => CoachMode::Whisper,
        }
    }
}

/// What the call's PBX lets this agent do with it; the card offers exactly these.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CallActionsDto {
    pub call_id: String,
    /// `uis` or `sipuni`: the tooltips of what is not offered name the PBX.
    pub provider: String,
    pub actions: Vec<ControlActionDto>,
    pub blind_transfer: bool,
    pub attended_transfer: bool,
    pub coach_modes: Vec<CoachModeDto>,
}

impl From<CallActions> for CallActionsDto {
    fn from(a: CallActions) -> CallActionsDto {
        CallActionsDto {
            call_id: a.call_id,
            provider: a.provider,
            actions: a.actions.into_iter().map(Into::into).collect(),
            blind_transfer: a.blind_transfer,
            attended_transfer: a.attended_transfer,
            coach_modes: a.coach_modes.into_iter().map(Into::into).collect(),
        }
    }
}

/// One action the card or the team view sends, tagged like the relay's body.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum ControlRequestDto {
    Hold,
    Resume,
    Hangup,
    Transfer {
        to: String,
        attended: bool,
    },
    TransferComplete,
    TransferCancel,
    Coach {
        #[ts(optional)]
        mode: Option<CoachModeDto>,
    },
}

impl From<ControlRequestDto> for ControlRequest {
    fn from(r: ControlRequestDto) -> ControlRequest {
        match r {
            ControlRequestDto::Hold => ControlRequest::Hold,
            ControlRequestDto::Resume => ControlRequest::Resume,
            ControlRequestDto::Hangup => ControlRequest::Hangup,
            ControlRequestDto::Transfer { to, attended } => ControlRequest::Transfer {
                to: to.trim().to_owned(),
                attended,
            },
            ControlRequestDto::TransferComplete => ControlRequest::TransferComplete,
            ControlRequestDto::TransferCancel => ControlRequest::TransferCancel,
            ControlRequestDto::Coach { mode } => ControlRequest::Coach {
                mode: mode.map(Into::into),
                phone: None,
            },
        }
    }
}

/// A note on a call, shown to the colleague a call is transferred to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CallNoteDto {
    pub author: String,
    pub at: String,
    pub text: String,
    pub tags: Vec<String>,
}

impl From<&CallNoteView> for CallNoteDto {
    fn from(n: &CallNoteView) -> CallNoteDto {
        CallNoteDto {
            author: n.author.clone(),
            at: ts(n.at),
            text: n.text.clone(),
            tags: n.tags.clone(),
        }
    }
}

/// Something done to a call (the `call-control` event every card of the call shows).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ControlNoticeDto {
    pub call_id: String,
    pub action: ControlActionDto,
    /// The agent who did it.
    pub by: String,
    /// A transfer's colleague or number.
    pub to: Option<String>,
    /// Whether `to` is this agent: the call is being handed to them.
    pub to_me: bool,
    /// Whether `by` is this agent.
    pub by_me: bool,
    /// The notes on the call so far, for the colleague it is handed to (empty otherwise).
    pub notes: Vec<CallNoteDto>,
}

impl ControlNoticeDto {
    /// The notice as `me` (the signed-in agent's name) reads it.
    pub fn of(notice: &ControlNotice, me: Option<&str>) -> ControlNoticeDto {
        let is_me = |name: &str| me.is_some_and(|me| me.to_lowercase() == name.to_lowercase());
        ControlNoticeDto {
            call_id: notice.call_id.clone(),
            action: notice.action.into(),
            by: notice.by.clone(),
            to: notice.to.clone(),
            to_me: notice.to.as_deref().is_some_and(is_me),
            by_me: is_me(&notice.by),
            notes: Vec::new(),
        }
    }

    /// Whether the call is being handed to this agent, who should read the notes.
    pub fn wants_notes(&self) -> bool {
        self.to_me && self.action == ControlActionDto::Transfer
    }
}

/// An agent's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PresenceStatusDto {
    Available,
    Break,
    Dnd,
    Offline,
}

impl From<PresenceStatus> for PresenceStatusDto {
    fn from(s: PresenceStatus) -> PresenceStatusDto {
        match s {
            PresenceStatus::Available => PresenceStatusDto::Available,
            PresenceStatus::Break => PresenceStatusDto::Break,
            PresenceStatus::Dnd => PresenceStatusDto::Dnd,
            PresenceStatus::Offline => PresenceStatusDto::Offline,
        }
    }
}

impl From<PresenceStatusDto> for PresenceStatus {
    fn from(s: PresenceStatusDto) -> PresenceStatus {
        match s {
            PresenceStatusDto::Available => PresenceStatus::Available,
            PresenceStatusDto::Break => PresenceStatus::Break,
            PresenceStatusDto::Dnd => PresenceStatus::Dnd,
            PresenceStatusDto::Offline => PresenceStatus::Offline,
        }
    }
}

/// One agent's presence (the `presence` event, the team list, the picker).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AgentPresenceDto {
    pub agent: String,
    /// `null` until the relay has read it from the PBX.
    pub status: Option<PresenceStatusDto>,
    pub reason: Option<String>,
    pub on_call: bool,
    pub supervisor: bool,
}

impl From<&AgentPresence> for AgentPresenceDto {
    fn from(p: &AgentPresence) -> AgentPresenceDto {
        AgentPresenceDto {
            agent: p.agent.clone(),
            status: p.status.map(Into::into),
            reason: p.reason.clone(),
            on_call: p.on_call,
            supervisor: p.supervisor,
        }
    }
}

/// The team's presence with the signed-in agent's name, so a window can find itself in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct TeamPresenceDto {
    pub me: Option<String>,
    pub supervisor: bool,
    pub agents: Vec<AgentPresenceDto>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_knows_who_is_me_in_any_letter_case() {
        let notice = ControlNotice {
            call_id: "uis:1".to_owned(),
            action: ControlAction::Transfer,
            by: "Анна".to_owned(),
            to: Some("Игорь".to_owned()),
            notes: None,
        };
        let igor = ControlNoticeDto::of(&notice, Some("игорь"));
        assert!(igor.to_me && !igor.by_me && igor.wants_notes());
        let anna = ControlNoticeDto::of(&notice, Some("Анна"));
        assert!(anna.by_me && !anna.to_me && !anna.wants_notes());
        assert!(!ControlNoticeDto::of(&notice, None).to_me);
    }

    #[test]
    fn a_request_reads_as_the_relay_body() {
        let r: ControlRequestDto = serde_json::from_value(
            serde_json::json!({"action": "transfer", "to": " Игорь ", "attended": true}),
        )
        .expect("a transfer");
        assert_eq!(
            ControlRequest::from(r),
            ControlRequest::Transfer {
                to: "Игорь".to_owned(),
                attended: true
            }
        );
        let r: ControlRequestDto =
            serde_json::from_value(serde_json::json!({"action": "coach", "mode": "whisper"}))
                .expect("a coach");
        assert_eq!(
            ControlRequest::from(r),
            ControlRequest::Coach {
                mode: Some(CoachMode::Whisper),
                phone: None
            }
        );
    }
}
