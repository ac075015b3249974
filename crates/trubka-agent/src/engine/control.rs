//! Call control and presence from the façade: hold, resume, hang up and transfer a call in
//! progress, a supervisor's coach, what its PBX offers, and the agents' statuses. The relay
//! does the work (the PBX key stays there) and answers a refusal in Russian (not the agent's call, the call ended,
//! the PBX cannot do it); nothing is stored locally. The relay's `presence` and
//! `call_control` frames reach subscribers as [`super::EngineEvent::Presence`] and
//! [`super::EngineEvent::CallControl`].

use trubka_protocol::control::{
    AgentPresence, CallActions, CoachMode, ControlDone, ControlRequest, PresenceList,
    PresenceStatus, PresenceUpdate,
};

use super::{Engine, EngineError};
use crate::dial::DialError;

impl Engine {
    /// Puts the contact of call `call_id` on hold.
    pub async fn hold(&self, call_id: &str) -> Result<ControlDone, EngineError> {
        self.control(call_id, ControlRequest::Hold).await
    }

    /// Takes the contact of call `call_id` off hold.
    pub async fn resume(&self, call_id: &str) -> Result<ControlDone, EngineError> {
        self.control(call_id, ControlRequest::Resume).await
    }

    /// Ends call `call_id`.
    pub async fn hangup(&self, call_id: &str) -> Result<ControlDone, EngineError> {
        self.control(call_id, ControlRequest::Hangup).await
    }

    /// Hands the contact to `to` (a colleague's name as the relay knows it, or a number).
    /// Attended: the agent talks to the colleague first, then completes or cancels.
    pub async fn transfer(
        &self,
        call_id: &str,
        to: &str,
        attended: bool,
    ) -> Result<ControlDone, EngineError> {
        let to = to.trim().to_owned();
        self.control(call_id, ControlRequest::Transfer { to, attended })
            .await
    }

    /// Finishes an attended transfer: the contact and the colleague talk.
    pub async fn transfer_complete(&self, call_id: &str) -> Result<ControlDone, EngineError> {
        self.control(call_id, ControlRequest::TransferComplete)
            .await
    }

    /// Gives up an attended transfer: back to the contact.
    pub async fn transfer_cancel(&self, call_id: &str) -> Result<ControlDone, EngineError> {
        self.control(call_id, ControlRequest::TransferCancel).await
    }

    /// A supervisor joins an agent's call `call_id`. Sipuni listens or whispers as `mode`
    /// says (required there); UIS takes no mode and connects the coach as the employee's coach
    /// settings in the cabinet say, ringing `phone` (else the supervisor's own number, else
    /// the cabinet's coach). Neither PBX has a barge-in method.
    pub async fn coach(
        &self,
        call_id: &str,
        mode: Option<CoachMode>,
        phone: Option<String>,
    ) -> Result<ControlDone, EngineError> {
        let phone = phone.map(|p| p.trim().to_owned()).filter(|p| !p.is_empty());
        self.control(call_id, ControlRequest::Coach { mode, phone })
            .await
    }

    /// What the PBX of call `call_id` lets this agent do with it (the buttons to show).
    pub async fn actions(&self, call_id: &str) -> Result<CallActions, EngineError> {
        let api = self.api().map_err(|_| DialError::NotSignedIn)?;
        Ok(api.call_actions(call_id).await?)
    }

    /// Every active agent's status, by name.
    pub async fn presence(&self) -> Result<PresenceList, EngineError> {
        let api = self.api().map_err(|_| DialError::NotSignedIn)?;
        Ok(api.presence().await?)
    }

    /// Sets this agent's own status on every PBX they are mapped on (`reason`: a break's,
    /// from [`Engine::break_reasons`]); answers the agent's entry as the relay now has it.
    pub async fn set_presence(
        &self,
        status: PresenceStatus,
        reason: Option<String>,
    ) -> Result<AgentPresence, EngineError> {
        let api = self.api().map_err(|_| DialError::NotSignedIn)?;
        let reason = reason
            .map(|r| r.trim().to_owned())
            .filter(|r| !r.is_empty());
        Ok(api.set_presence(&PresenceUpdate { status, reason }).await?)
    }

    /// The break reasons an agent may pick (the UIS account's own statuses).
    pub async fn break_reasons(&self) -> Result<Vec<String>, EngineError> {
        let api = self.api().map_err(|_| DialError::NotSignedIn)?;
        Ok(api.break_reasons().await?)
    }

    async fn control(
        &self,
        call_id: &str,
        request: ControlRequest,
    ) -> Result<ControlDone, EngineError> {
        let api = self.api().map_err(|_| DialError::NotSignedIn)?;
        Ok(api.call_control(call_id, &request).await?)
    }
}
