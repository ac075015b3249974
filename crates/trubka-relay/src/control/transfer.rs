//! A UIS transfer sent step by step: `hold.call`, `make.call`, and for a blind one
//! `transfer.talk` at once. `trubka_pbx`'s `start_consultation` and `blind_transfer` send the
//! same requests, but as one call; the relay needs to know which of them the PBX had accepted
//! when the action's deadline passes ([`super::deadline`]), so that the agent hears whether
//! the caller is left on hold. A refusal is undone as `trubka_pbx` undoes it: a refused
//! `make.call` takes the contact off hold again, a refused `transfer.talk` returns to them.

use trubka_pbx::PbxError;
use trubka_pbx::uis::{CallSessionId, Message};

use super::ControlError;
use super::deadline::{Progress, Stage};
use crate::pbx::UisApi;

/// Transfers the contact of `session` to `to` (blind unless `attended`), recording in
/// `progress` each step the PBX accepted.
pub(crate) async fn uis_transfer(
    api: &UisApi,
    session: CallSessionId,
    to: &str,
    attended: bool,
    hold: &Message,
    progress: &Progress,
) -> Result<(), ControlError> {
    let client = &api.client;
    // Checked before the hold, so a number that is none never leaves the contact waiting.
    if to.trim().is_empty() {
        return Err(ControlError::Pbx(PbxError::InvalidArgument(
            "the number to call is empty".to_owned(),
        )));
    }
    progress.reached(Stage::HoldAsked);
    client.hold_call(session, hold).await?;
    progress.reached(Stage::Held);
    if let Err(error) = client.make_call(session, to, None).await {
        // A silent PBX leaves the call's state unknown: the agent is told, nothing is undone.
        if !matches!(error, PbxError::Timeout { .. }) {
            // Best effort: the refusal of make.call is what the agent needs to hear.
            let _ = client.unhold_call(session).await;
        }
        return Err(error.into());
    }
    progress.reached(Stage::Dialled);
    if attended {
        return Ok(());
    }
    if let Err(error) = client.transfer_talk(session).await {
        if !matches!(error, PbxError::Timeout { .. }) {
            let _ = client.restore_talk(session).await;
        }
        return Err(error.into());
    }
    Ok(())
}
