//! Sipuni employee status: `workplace/setUserStatus` (reference B.2.3, from a Go client and a
//! summary of the API; Sipuni's help article is not public), with `sipnumber` (the internal
//! number) and `status`, signed like every method (`md5(sipnumber+status+user+secret)`). The
//! status the cabinet shows is read back from `statistic/operators`
//! ([`crate::sipuni::SipuniOperator::status`]).
//!
//! The success body is not documented: a 2xx JSON object that does not say `success: false`
//! (or `result: false`), or a plain `OK`, counts as done; a refusal is a
//! [`crate::PbxError::Sipuni`] with Sipuni's text.

use serde_json::Value;

use crate::Result;
use crate::sipuni::callback::extension;
use crate::sipuni::{Answer, SipuniClient, error_from_answer, loose_bool};

/// The status codes of `workplace/setUserStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SipuniStatus {
    /// 0: takes calls.
    Free,
    /// 1: on a break.
    Break,
    /// 2: busy with automatic dialing.
    AutoDialing,
    /// 3: busy with manual dialing.
    ManualDialing,
    /// 4: away.
    Away,
}

impl SipuniStatus {
    /// The code sent as `status`.
    pub fn code(self) -> u8 {
        match self {
            SipuniStatus::Free => 0,
            SipuniStatus::Break => 1,
            SipuniStatus::AutoDialing => 2,
            SipuniStatus::ManualDialing => 3,
            SipuniStatus::Away => 4,
        }
    }
}

impl SipuniClient {
    /// Sets the status of the employee with internal number `sipnumber`.
    pub async fn set_user_status(&self, sipnumber: &str, status: SipuniStatus) -> Result<()> {
        let params = [
            ("sipnumber", extension(sipnumber)?),
            ("status", status.code().to_string()),
        ];
        let answer = self.post("workplace/setUserStatus", &params).await?;
        expect_done(&answer, "workplace/setUserStatus")
    }
}

/// Reads the answer of a method that reports only whether it was done (its success body is
/// not documented): a 2xx JSON object that does not say `success: false` (or `result: false`),
/// or a plain `OK`, is done; anything else is the refusal or error it stands for.
pub(crate) fn expect_done(answer: &Answer, what: &str) -> Result<()> {
    let ok_status = (200..300).contains(&answer.status);
    let done = match serde_json::from_slice::<Value>(&answer.body) {
        Ok(Value::Object(object)) => {
            let refused = object.get("success").and_then(loose_bool) == Some(false)
                || object.get("result").and_then(loose_bool) == Some(false);
            ok_status && !refused
        }
        Ok(_) => false,
        Err(_) => ok_status && String::from_utf8_lossy(&answer.body).trim() == "OK",
    };
    if done {
        Ok(())
    } else {
        Err(error_from_answer(answer, what))
    }
}
