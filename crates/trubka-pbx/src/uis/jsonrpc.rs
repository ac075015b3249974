//! The UIS JSON-RPC 2.0 envelope: building requests, reading `result` / `error`, mapping
//! `error.data.mnemonic` to [`PbxError::Uis`], and reading `metadata` (limits, total items).

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};
use trubka_core::Provider;

use crate::PbxError;
use crate::error::UisMnemonic;
use crate::http::snippet;
use crate::uis::limits::UisLimits;

/// The request envelope for one call. `params` must already hold `access_token`.
pub(crate) fn envelope(id: u64, method: &str, params: Map<String, Value>) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
}

/// A successful answer: `result.data` and what `result.metadata` said.
#[derive(Debug)]
pub(crate) struct RpcSuccess {
    pub(crate) data: Value,
    pub(crate) total_items: Option<u64>,
}

/// What one answer yields: the result, and the limits it reported (errors may carry them too).
#[derive(Debug)]
pub(crate) struct RpcOutcome {
    pub(crate) result: Result<RpcSuccess, PbxError>,
    pub(crate) limits: Option<UisLimits>,
}

#[derive(Deserialize)]
struct WireEnvelope {
    #[serde(default)]
    id: Value,
    result: Option<WireResult>,
    error: Option<WireError>,
}

#[derive(Deserialize)]
struct WireResult {
    #[serde(default)]
    data: Value,
    metadata: Option<WireMetadata>,
    /// The `get.account` doc example spells the block `meta_data`; read both.
    meta_data: Option<WireMetadata>,
    /// Some create methods' skeletons (`create.tags`, `create.employees`) put the new id
    /// beside `data` rather than in it; read as `data: {"id": …}` when `data` is absent.
    id: Option<Value>,
}

#[derive(Deserialize, Default)]
struct WireMetadata {
    limits: Option<UisLimits>,
    total_items: Option<u64>,
}

#[derive(Deserialize)]
struct WireError {
    code: i64,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    data: Option<WireErrorData>,
}

#[derive(Deserialize)]
struct WireErrorData {
    mnemonic: Option<String>,
    field: Option<String>,
    metadata: Option<WireMetadata>,
}

/// Reads an HTTP answer to the request with `request_id`.
pub(crate) fn parse_response(status: u16, body: &[u8], request_id: u64) -> RpcOutcome {
    let envelope: WireEnvelope = match serde_json::from_slice(body) {
        Ok(envelope) => envelope,
        Err(err) => {
            let error = if (200..300).contains(&status) {
                bad(format!("not a JSON-RPC answer ({err}): {}", snippet(body)))
            } else {
                PbxError::Http {
                    provider: Provider::Uis,
                    status,
                    body: snippet(body),
                }
            };
            return RpcOutcome {
                result: Err(error),
                limits: None,
            };
        }
    };
    if let Some(error) = envelope.error {
        let data = error.data;
        let limits = data
            .as_ref()
            .and_then(|d| d.metadata.as_ref())
            .and_then(|m| m.limits);
        let (mnemonic, field) = match data {
            Some(data) => (data.mnemonic, data.field),
            None => (None, None),
        };
        return RpcOutcome {
            result: Err(uis_error(error.code, mnemonic, error.message, field)),
            limits,
        };
    }
    if !id_matches(&envelope.id, request_id) {
        return RpcOutcome {
            result: Err(bad(format!(
                "answer id {} does not match request id {request_id}",
                envelope.id
            ))),
            limits: None,
        };
    }
    match envelope.result {
        Some(result) => {
            let metadata = result.metadata.or(result.meta_data).unwrap_or_default();
            let data = match (result.data, result.id) {
                (Value::Null, Some(id)) => json!({ "id": id }),
                (data, _) => data,
            };
            RpcOutcome {
                result: Ok(RpcSuccess {
                    data,
                    total_items: metadata.total_items,
                }),
                limits: metadata.limits,
            }
        }
        None => RpcOutcome {
            result: Err(bad(format!(
                "neither result nor error in the answer: {}",
                snippet(body)
            ))),
            limits: None,
        },
    }
}

/// Builds [`PbxError::Uis`]; a missing mnemonic is inferred from the codes that have only one.
fn uis_error(
    code: i64,
    mnemonic: Option<String>,
    message: Option<String>,
    field: Option<String>,
) -> PbxError {
    let mnemonic = match mnemonic.as_deref() {
        Some(text) if !text.is_empty() => UisMnemonic::parse(text),
        _ => match code {
            -32700 => UisMnemonic::ParseError,
            -32600 => UisMnemonic::InvalidRequest,
            -32601 => UisMnemonic::MethodNotFound,
            -32603 => UisMnemonic::InternalError,
            other => UisMnemonic::Other(format!("uis_error_{}", other.unsigned_abs())),
        },
    };
    PbxError::Uis {
        code,
        mnemonic,
        message: message.unwrap_or_default(),
        field,
    }
}

/// A JSON-RPC id may come back as the number or as its text; `null` is accepted because UIS
/// sends it when it could not read the request id.
fn id_matches(id: &Value, request_id: u64) -> bool {
    match id {
        Value::Null => true,
        Value::Number(n) => n.as_u64() == Some(request_id),
        Value::String(s) => s.parse::<u64>().ok() == Some(request_id),
        _ => false,
    }
}

pub(crate) fn bad(reason: String) -> PbxError {
    PbxError::BadResponse {
        provider: Provider::Uis,
        reason,
    }
}

/// Deserialises `result.data` (or a part of it) into `T`, naming `what` on failure.
pub(crate) fn decode<T: DeserializeOwned>(value: Value, what: &str) -> Result<T, PbxError> {
    serde_json::from_value(value).map_err(|err| bad(format!("cannot read {what}: {err}")))
}

/// `result.data.success` as the string `"true"` (control methods) or the boolean `true`
/// (auth methods); both spellings of false are refused as errors.
pub(crate) fn expect_success(data: &Value, method: &str) -> Result<(), PbxError> {
    match data.get("success") {
        Some(Value::Bool(true)) => Ok(()),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(()),
        other => Err(bad(format!(
            "{method} did not report success (success = {})",
            other.map_or_else(|| "absent".to_owned(), Value::to_string)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_has_the_four_members() {
        let mut params = Map::new();
        params.insert("access_token".into(), json!("k"));
        assert_eq!(
            envelope(7, "get.account", params),
            json!({"jsonrpc":"2.0","id":7,"method":"get.account","params":{"access_token":"k"}})
        );
    }

    #[test]
    fn result_with_meta_data_spelling_is_read() {
        let body = br#"{"jsonrpc":"2.0","id":"3","result":{"data":[1],
            "meta_data":{"total_items":1,"limits":{"minute_remaining":4}}}}"#;
        let outcome = parse_response(200, body, 3);
        let success = outcome.result.unwrap();
        assert_eq!(success.data, json!([1]));
        assert_eq!(success.total_items, Some(1));
        assert_eq!(outcome.limits.unwrap().minute_remaining, Some(4));
    }

    #[test]
    fn error_without_mnemonic_is_inferred_from_unique_codes() {
        let body =
            br#"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}"#;
        let err = parse_response(200, body, 1).result.unwrap_err();
        assert_eq!(err.code(), "parse_error");
        let body = br#"{"jsonrpc":"2.0","id":1,"error":{"code":-32002,"message":"x","data":null}}"#;
        let err = parse_response(200, body, 1).result.unwrap_err();
        assert_eq!(err.code(), "uis_error_32002");
    }

    #[test]
    fn error_metadata_limits_are_kept() {
        let body = br#"{"jsonrpc":"2.0","id":1,"error":{"code":-32029,"message":"Limit per minute has been exceeded",
            "data":{"mnemonic":"limit_exceeded","metadata":{"limits":{"minute_remaining":0,"minute_reset":12}}}}}"#;
        let outcome = parse_response(200, body, 1);
        assert_eq!(outcome.result.unwrap_err().code(), "limit_exceeded");
        assert_eq!(outcome.limits.unwrap().minute_reset, Some(12));
    }

    #[test]
    fn mismatched_id_and_empty_answers_are_bad() {
        let body = br#"{"jsonrpc":"2.0","id":2,"result":{"data":{}}}"#;
        assert_eq!(
            parse_response(200, body, 1).result.unwrap_err().code(),
            "pbx_bad_response"
        );
        let body = br#"{"jsonrpc":"2.0","id":1}"#;
        assert_eq!(
            parse_response(200, body, 1).result.unwrap_err().code(),
            "pbx_bad_response"
        );
        assert_eq!(
            parse_response(502, b"<html>", 1).result.unwrap_err().code(),
            "pbx_http_error"
        );
        assert_eq!(
            parse_response(200, b"<html>", 1).result.unwrap_err().code(),
            "pbx_bad_response"
        );
    }

    #[test]
    fn success_is_read_as_string_or_bool() {
        assert!(expect_success(&json!({"success":"true"}), "m").is_ok());
        assert!(expect_success(&json!({"success":true}), "m").is_ok());
        assert!(expect_success(&json!({"success":"false"}), "m").is_err());
        assert!(expect_success(&json!({"success":false}), "m").is_err());
        assert!(expect_success(&json!({}), "m").is_err());
    }
}
