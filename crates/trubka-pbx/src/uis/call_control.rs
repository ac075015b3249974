//! UIS Call API call control (component «Call API Управление вызовами»; docs
//! `call_api/manage_call/<method>` and the state diagram of `call_api/index.html`):
//! `hold.call`, `unhold.call`, `make.call`, `transfer.talk`, `restore.talk`, `add.coach`, and
//! the two ways of transferring built on them.
//!
//! Each method takes `call_session_id` and answers `{"success": "true"}`. Out of order (e.g.
//! `hold.call` outside a conversation) UIS answers `invalid_state` (-32004); a session that is
//! unknown or over is `call_session_not_found`.
//!
//! UIS has no single transfer method. An attended transfer is `hold.call` → `make.call`
//! (the colleague's phone rings; when they answer the agent talks with them) → `transfer.talk`
//! (the contact goes to the colleague) or `restore.talk` (back to the contact). A blind
//! transfer is the same with `transfer.talk` sent while the colleague's phone still rings
//! (state `dialing`, which the diagram allows): the contact waits on hold music until the
//! colleague answers, and the call ends if they never do ([`UisClient::blind_transfer`]).

use serde_json::{Map, Value, json};

use crate::uis::UisClient;
use crate::uis::call_api::{ActiveCall, CallSessionId, ListCalls};
use crate::uis::jsonrpc::expect_success;
use crate::{PbxError, Result};

/// What a message plays: a media file of the account or a text read by TTS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// A file id (Data API lists of user and system files).
    Media(u64),
    /// Text for speech synthesis; its length is capped by the tariff («Длина TTS сообщения»).
    Tts(String),
}

impl Message {
    /// A text message; empty text is refused before anything is sent.
    pub fn tts(text: impl Into<String>) -> Result<Message> {
        let text = text.into();
        if text.trim().is_empty() {
            return Err(PbxError::InvalidArgument(
                "the message text is empty".to_owned(),
            ));
        }
        Ok(Message::Tts(text))
    }

    fn to_json(&self) -> Value {
        match self {
            Message::Media(id) => json!({"type": "media", "value": id.to_string()}),
            Message::Tts(text) => json!({"type": "tts", "value": text}),
        }
    }
}

fn session_params(session: CallSessionId) -> Map<String, Value> {
    let mut params = Map::new();
    params.insert("call_session_id".to_owned(), json!(session.0));
    params
}

fn number(what: &str, value: &str) -> Result<String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(PbxError::InvalidArgument(format!("the {what} is empty")));
    }
    Ok(value.to_owned())
}

impl UisClient {
    async fn control(&self, method: &str, params: Map<String, Value>) -> Result<()> {
        let success = self.call_api(method, params).await?;
        expect_success(&success.data, method)
    }

    /// Puts the contact on hold (`hold.call`), playing `contact_message` to them; only in a
    /// conversation.
    pub async fn hold_call(&self, session: CallSessionId, contact_message: &Message) -> Result<()> {
        let mut params = session_params(session);
        params.insert("contact_message".to_owned(), contact_message.to_json());
        self.control("hold.call", params).await
    }

    /// Takes the contact off hold (`unhold.call`); only while on hold.
    pub async fn unhold_call(&self, session: CallSessionId) -> Result<()> {
        self.control("unhold.call", session_params(session)).await
    }

    /// Rings `to` for a consultation while the contact is on hold (`make.call`): an E.164
    /// number, an internal number, an employee's number or a SIP number. `to_message` is
    /// played to `to` first (the contact keeps waiting until it ends).
    pub async fn make_call(
        &self,
        session: CallSessionId,
        to: &str,
        to_message: Option<&Message>,
    ) -> Result<()> {
        let mut params = session_params(session);
        params.insert("to".to_owned(), json!(number("number to call", to)?));
        if let Some(message) = to_message {
            params.insert("to_message".to_owned(), message.to_json());
        }
        self.control("make.call", params).await
    }

    /// Hands the contact to the party `make.call` rang (`transfer.talk`); only after
    /// `make.call`, while it rings or talks.
    pub async fn transfer_talk(&self, session: CallSessionId) -> Result<()> {
        self.control("transfer.talk", session_params(session)).await
    }

    /// Ends the consultation and returns to the contact (`restore.talk`); only after
    /// `make.call`, while it rings or talks.
    pub async fn restore_talk(&self, session: CallSessionId) -> Result<()> {
        self.control("restore.talk", session_params(session)).await
    }

    /// Connects a coach to the conversation (`add.coach`): `phone_number`, or else the coach
    /// set for the employee in the cabinet (`coach_not_found` when there is none). UIS has no
    /// listen/whisper/barge choice here: the coach joins as the cabinet's coach settings say.
    pub async fn add_coach(
        &self,
        session: CallSessionId,
        phone_number: Option<&str>,
    ) -> Result<()> {
        let mut params = session_params(session);
        if let Some(phone) = phone_number {
            params.insert(
                "phone_number".to_owned(),
                json!(number("coach's number", phone)?),
            );
        }
        self.control("add.coach", params).await
    }

    /// Starts an attended transfer: `hold.call` then `make.call`. If `make.call` is refused
    /// the contact is taken off hold again (`unhold.call`) and the refusal is returned.
    /// Finish with [`UisClient::transfer_talk`] or [`UisClient::restore_talk`].
    pub async fn start_consultation(
        &self,
        session: CallSessionId,
        to: &str,
        hold_message: &Message,
    ) -> Result<()> {
        let to = number("number to call", to)?;
        self.hold_call(session, hold_message).await?;
        if let Err(err) = self.make_call(session, &to, None).await {
            // Best effort: the agent should not be left with the contact on hold; the
            // refusal of make.call is what the agent needs to hear either way.
            let _ = self.unhold_call(session).await;
            return Err(err);
        }
        Ok(())
    }

    /// A blind transfer: `hold.call`, `make.call`, then `transfer.talk` at once while `to`
    /// rings. A refused `transfer.talk` returns to the contact (`restore.talk`); a refused
    /// `make.call` takes them off hold; either way the first refusal is returned.
    pub async fn blind_transfer(
        &self,
        session: CallSessionId,
        to: &str,
        hold_message: &Message,
    ) -> Result<()> {
        self.start_consultation(session, to, hold_message).await?;
        if let Err(err) = self.transfer_talk(session).await {
            let _ = self.restore_talk(session).await;
            return Err(err);
        }
        Ok(())
    }

    /// The call session in progress with this id, with its legs (`list.calls`), or `None`
    /// when UIS lists no such session (it is over).
    pub async fn active_call(&self, session: CallSessionId) -> Result<Option<ActiveCall>> {
        let calls = self.list_calls(&ListCalls::default()).await?;
        Ok(calls.into_iter().find(|c| c.call_session_id == session))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_type_and_value_strings() {
        assert_eq!(
            Message::Media(2034).to_json(),
            json!({"type": "media", "value": "2034"})
        );
        assert_eq!(
            Message::tts("Подождите").unwrap().to_json(),
            json!({"type": "tts", "value": "Подождите"})
        );
        assert!(Message::tts("  ").is_err());
    }
}
