//! Sipuni click-to-call: `callback/call_number` (employee's extension and an external number)
//! and `callback/call_tree` (an external number through a routing scheme).
//!
//! The success body is not confirmed (open question 13); every variant seen in public clients
//! is accepted: `{"success":true,"message":…}`, `{"result":true}` (or `"success"`/`"ok"`),
//! `{"id":…,"callId":…}` (also spelled `callID`), `{"callbackId":…}`, and a plain `OK`.
//! `{"success":false,"message":…}`, `{"result":false}` and a plain-text refusal (a body that
//! starts with `Error` or says «ошибка») are a [`PbxError::Sipuni`] carrying Sipuni's text.
//! Acceptance does not mean the call connected.
//!
//! `call_tree` always sends `reverse` and `callAttemptTime`: public clients do, and the hash
//! string of the reference (B.2.2) covers both, in the order `callAttemptTime`, `phone`,
//! `reverse`, `sipnumber`, `tree`, `user`.

use serde_json::Value;

use crate::number::DialNumber;
use crate::sipuni::{Answer, SipuniClient, error_from_answer, loose_bool};
use crate::{PbxError, Result};

/// What Sipuni said when it accepted a call order; every member is optional because the
/// answer's shape is not documented.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SipuniCallAccepted {
    /// `callId`.
    pub call_id: Option<String>,
    /// `callbackId` (usable with `callback/cancel`).
    pub callback_id: Option<String>,
    /// `id`.
    pub id: Option<String>,
    /// `message`.
    pub message: Option<String>,
}

impl SipuniCallAccepted {
    /// The most specific id Sipuni gave: `callId`, else `callbackId`, else `id`.
    pub fn reference(&self) -> Option<&str> {
        self.call_id
            .as_deref()
            .or(self.callback_id.as_deref())
            .or(self.id.as_deref())
    }
}

/// `callAttemptTime` when the caller gives none: the shortest time the reference names (S7).
pub const DEFAULT_CALL_ATTEMPT_TIME: u32 = 30;

/// Parameters of `callback/call_tree` with defaults; both are always sent (and signed).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CallTreeOptions {
    /// `reverse`: `true` rings the external number first; `None` sends `0`.
    pub reverse: Option<bool>,
    /// `callAttemptTime`, seconds; `None` sends [`DEFAULT_CALL_ATTEMPT_TIME`].
    pub call_attempt_time: Option<u32>,
}

impl SipuniClient {
    /// `callback/call_number`: rings the employee's extension `sipnumber` and `phone`.
    /// `reverse` rings `phone` first; `antiaon` hides the city number.
    pub async fn call_number(
        &self,
        phone: &DialNumber,
        sipnumber: &str,
        reverse: bool,
        antiaon: bool,
    ) -> Result<SipuniCallAccepted> {
        let params = [
            ("phone", phone.to_string()),
            ("sipnumber", extension(sipnumber)?),
            ("reverse", flag(reverse)),
            ("antiaon", flag(antiaon)),
        ];
        let answer = self.post("callback/call_number", &params).await?;
        parse_accepted(&answer, "callback/call_number")
    }

    /// `callback/call_tree`: calls `phone` through the scheme `tree` (`000-913901`) on behalf
    /// of the extension `sipnumber`.
    pub async fn call_tree(
        &self,
        phone: &DialNumber,
        sipnumber: &str,
        tree: &str,
        options: CallTreeOptions,
    ) -> Result<SipuniCallAccepted> {
        if tree.trim().is_empty() {
            return Err(PbxError::InvalidArgument(
                "the Sipuni scheme number is empty".to_owned(),
            ));
        }
        let seconds = options
            .call_attempt_time
            .unwrap_or(DEFAULT_CALL_ATTEMPT_TIME);
        if seconds == 0 {
            return Err(PbxError::InvalidArgument(
                "callAttemptTime must be at least one second".to_owned(),
            ));
        }
        let params = [
            ("callAttemptTime", seconds.to_string()),
            ("phone", phone.to_string()),
            ("reverse", flag(options.reverse.unwrap_or(false))),
            ("sipnumber", extension(sipnumber)?),
            ("tree", tree.trim().to_owned()),
        ];
        let answer = self.post("callback/call_tree", &params).await?;
        parse_accepted(&answer, "callback/call_tree")
    }
}

impl SipuniClient {
    /// A `callback/call_number` order without a number or an extension: nothing can be
    /// dialled, so a cabinet with «Услуга совершение звонков по API» refuses it for the missing
    /// parameters, and one without the service refuses it for the service
    /// ([`PbxError::is_sipuni_api_calls_off`]). `trubka-relay check` asks this, after a request
    /// that proves the signature is right, to tell the two apart without placing a call.
    pub async fn probe_call_orders(&self) -> Result<SipuniCallAccepted> {
        let params = [
            ("phone", String::new()),
            ("sipnumber", String::new()),
            ("reverse", flag(false)),
            ("antiaon", flag(false)),
        ];
        let answer = self.post("callback/call_number", &params).await?;
        parse_accepted(&answer, "callback/call_number")
    }
}

fn flag(on: bool) -> String {
    if on { "1" } else { "0" }.to_owned()
}

/// An internal number as Sipuni takes it (digits only).
pub(crate) fn extension(sipnumber: &str) -> Result<String> {
    let sipnumber = sipnumber.trim();
    if !sipnumber.is_empty() && sipnumber.bytes().all(|b| b.is_ascii_digit()) {
        Ok(sipnumber.to_owned())
    } else {
        Err(PbxError::InvalidArgument(format!(
            "{sipnumber:?} is not a Sipuni internal number"
        )))
    }
}

/// `result` as clients read it: a boolean in any spelling, or `success`/`ok`/`error` text.
fn result_flag(value: &Value) -> Option<bool> {
    loose_bool(value).or_else(|| match value.as_str()?.trim().to_lowercase().as_str() {
        "success" | "ok" => Some(true),
        "error" | "fail" | "failed" => Some(false),
        _ => None,
    })
}

/// Reads a call order answer (see the module docs for the accepted shapes).
pub(crate) fn parse_accepted(answer: &Answer, what: &str) -> Result<SipuniCallAccepted> {
    let ok_status = (200..300).contains(&answer.status);
    let json = match serde_json::from_slice::<Value>(&answer.body) {
        Ok(Value::Object(object)) if ok_status => object,
        // A bare `OK` (one integration describes the answer as text «OK» or «Error: …»).
        Err(_) if ok_status && String::from_utf8_lossy(&answer.body).trim() == "OK" => {
            return Ok(SipuniCallAccepted {
                message: Some("OK".to_owned()),
                ..SipuniCallAccepted::default()
            });
        }
        _ => return Err(error_from_answer(answer, what)),
    };
    let text = |key: &str| -> Option<String> {
        match json.get(key)? {
            Value::String(s) if !s.is_empty() => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    let success = json
        .get("success")
        .and_then(loose_bool)
        .or_else(|| json.get("result").and_then(result_flag));
    if success == Some(false) {
        return Err(error_from_answer(answer, what));
    }
    let accepted = SipuniCallAccepted {
        call_id: text("callId").or_else(|| text("callID")),
        callback_id: text("callbackId"),
        id: text("id"),
        message: text("message"),
    };
    if success == Some(true) || accepted.reference().is_some() {
        Ok(accepted)
    } else {
        Err(error_from_answer(answer, what))
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;

    fn answer(status: u16, body: &'static str) -> Answer {
        Answer {
            status,
            content_type: "application/json".to_owned(),
            body: Bytes::from_static(body.as_bytes()),
        }
    }

    #[test]
    fn every_documented_success_shape_is_accepted() {
        let ok = parse_accepted(&answer(200, r#"{"success":true,"message":"OK"}"#), "t").unwrap();
        assert_eq!(ok.message.as_deref(), Some("OK"));
        assert_eq!(ok.reference(), None);
        let ids = parse_accepted(
            &answer(200, r#"{"id":17,"callId":"1774372584.533596"}"#),
            "t",
        )
        .unwrap();
        assert_eq!(ids.id.as_deref(), Some("17"));
        assert_eq!(ids.reference(), Some("1774372584.533596"));
        let order = parse_accepted(&answer(200, r#"{"callbackId":"cb-9"}"#), "t").unwrap();
        assert_eq!(order.reference(), Some("cb-9"));
        let string_true = parse_accepted(&answer(200, r#"{"success":"true"}"#), "t").unwrap();
        assert_eq!(string_true, SipuniCallAccepted::default());
        let result = parse_accepted(&answer(200, r#"{"result":"success"}"#), "t").unwrap();
        assert_eq!(result, SipuniCallAccepted::default());
        let upper = parse_accepted(&answer(200, r#"{"callID":"1774372584.5"}"#), "t").unwrap();
        assert_eq!(upper.reference(), Some("1774372584.5"));
        let text = parse_accepted(&answer(200, "OK\n"), "t").unwrap();
        assert_eq!(text.message.as_deref(), Some("OK"));
    }

    #[test]
    fn failures_and_unknown_shapes_are_errors() {
        let err = parse_accepted(
            &answer(200, r#"{"success":false,"message":"Сотрудник не найден"}"#),
            "t",
        )
        .unwrap_err();
        assert_eq!(
            err.user_message(),
            "Sipuni отклонил запрос: Сотрудник не найден"
        );
        assert_eq!(
            parse_accepted(&answer(200, r#"{"ok":1}"#), "t")
                .unwrap_err()
                .code(),
            "pbx_bad_response"
        );
        assert_eq!(
            parse_accepted(&answer(200, "[]"), "t").unwrap_err().code(),
            "pbx_bad_response"
        );
        assert_eq!(
            parse_accepted(&answer(500, "oops"), "t")
                .unwrap_err()
                .code(),
            "pbx_http_error"
        );
        let err = parse_accepted(
            &answer(403, r#"{"success":false,"message":"Bad hash"}"#),
            "t",
        )
        .unwrap_err();
        assert_eq!(err.code(), "sipuni_rejected");
        let err =
            parse_accepted(&answer(200, r#"{"result":"error","message":"Нет"}"#), "t").unwrap_err();
        assert_eq!(err.user_message(), "Sipuni отклонил запрос: Нет");
        let err = parse_accepted(&answer(200, "Error: sipnumber not found"), "t").unwrap_err();
        assert_eq!(err.code(), "sipuni_rejected");
        assert!(err.user_message().contains("Error: sipnumber not found"));
    }

    #[test]
    fn extension_must_be_digits() {
        assert_eq!(extension(" 201 ").unwrap(), "201");
        assert!(extension("").is_err());
        assert!(extension("201&user=1").is_err());
    }
}
