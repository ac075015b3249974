//! Sipuni click-to-call: `callback/call_number` (employee's extension and an external number)
//! and `callback/call_tree` (an external number through a routing scheme).
//!
//! The success body is not confirmed (open question 13); every variant seen in clients is
//! accepted: `{"success":true,"message":…}`, `{"id":…,"callId":…}` and `{"callbackId":…}`.
//! `{"success":false,"message":…}` is a [`PbxError::Sipuni`]. Acceptance does not mean the
//! call connected.

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

/// Optional parameters of `callback/call_tree`; each is sent (and signed) only when set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CallTreeOptions {
    /// `reverse`: `true` rings the external number first.
    pub reverse: Option<bool>,
    /// `callAttemptTime`, seconds.
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
        let mut params = vec![
            ("phone", phone.to_string()),
            ("sipnumber", extension(sipnumber)?),
            ("tree", tree.trim().to_owned()),
        ];
        if let Some(reverse) = options.reverse {
            params.push(("reverse", flag(reverse)));
        }
        if let Some(seconds) = options.call_attempt_time {
            params.push(("callAttemptTime", seconds.to_string()));
        }
        let answer = self.post("callback/call_tree", &params).await?;
        parse_accepted(&answer, "callback/call_tree")
    }
}

fn flag(on: bool) -> String {
    if on { "1" } else { "0" }.to_owned()
}

fn extension(sipnumber: &str) -> Result<String> {
    let sipnumber = sipnumber.trim();
    if !sipnumber.is_empty() && sipnumber.bytes().all(|b| b.is_ascii_digit()) {
        Ok(sipnumber.to_owned())
    } else {
        Err(PbxError::InvalidArgument(format!(
            "{sipnumber:?} is not a Sipuni internal number"
        )))
    }
}

/// Reads a call order answer (see the module docs for the accepted shapes).
pub(crate) fn parse_accepted(answer: &Answer, what: &str) -> Result<SipuniCallAccepted> {
    let json = match serde_json::from_slice::<Value>(&answer.body) {
        Ok(Value::Object(object)) if (200..300).contains(&answer.status) => object,
        _ => return Err(error_from_answer(answer, what)),
    };
    let text = |key: &str| -> Option<String> {
        match json.get(key)? {
            Value::String(s) if !s.is_empty() => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    let success = json.get("success").and_then(loose_bool);
    if success == Some(false) {
        return Err(error_from_answer(answer, what));
    }
    let accepted = SipuniCallAccepted {
        call_id: text("callId"),
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
    }

    #[test]
    fn extension_must_be_digits() {
        assert_eq!(extension(" 201 ").unwrap(), "201");
        assert!(extension("").is_err());
        assert!(extension("201&user=1").is_err());
    }
}
