//! Sipuni control of a call in progress (reference B.2.3, **[M]**: from a Go client linking
//! Sipuni's help articles 134-182-108 and 134-182-464, and a secondary summary; the articles
//! are not public): `events/call/hangup` ends the call `callId` (the `call_id` of the PBX
//! events), `events/call/spymode` connects the supervisor's internal number `sipnumber` to it,
//! listening (`whisper=0`) or whispering to the employee (`whisper=1`). Both are signed like
//! every method (`callId`, `sipnumber`, `user`, `whisper` in ASCII order). Sipuni has no
//! transfer or hold method in any public source.

use crate::sipuni::SipuniClient;
use crate::sipuni::callback::extension;
use crate::sipuni::workplace::expect_done;
use crate::{PbxError, Result};

/// How a supervisor joins a call (`whisper`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpyMode {
    /// Hears both parties, nobody hears them.
    Listen,
    /// Also talks to the employee, whom only the employee hears.
    Whisper,
}

fn call_id(call_id: &str) -> Result<String> {
    let call_id = call_id.trim();
    if call_id.is_empty() {
        return Err(PbxError::InvalidArgument(
            "the Sipuni call id is empty".to_owned(),
        ));
    }
    Ok(call_id.to_owned())
}

impl SipuniClient {
    /// Ends the call `call_id` (`events/call/hangup`).
    pub async fn hangup(&self, call: &str) -> Result<()> {
        let params = [("callId", call_id(call)?)];
        let answer = self.post("events/call/hangup", &params).await?;
        expect_done(&answer, "events/call/hangup")
    }

    /// Connects the supervisor with internal number `sipnumber` to the call `call_id`
    /// (`events/call/spymode`).
    pub async fn spy(&self, call: &str, sipnumber: &str, mode: SpyMode) -> Result<()> {
        let whisper = match mode {
            SpyMode::Listen => "0",
            SpyMode::Whisper => "1",
        };
        let params = [
            ("callId", call_id(call)?),
            ("sipnumber", extension(sipnumber)?),
            ("whisper", whisper.to_owned()),
        ];
        let answer = self.post("events/call/spymode", &params).await?;
        expect_done(&answer, "events/call/spymode")
    }
}
