//! Reading one received notification into a single JSON object, whatever its encoding.
//!
//! - A JSON body (by content type, or because it starts with `{`) is parsed strictly; if that
//!   fails, [`lenient`] repairs what template substitution typically breaks (doubled quotes,
//!   empty values, unquoted text). Anything but an object is `malformed_body`.
//! - A form body and the query string become string values.
//! - Body and query are merged: the body is the PBX's notification, the query is the URL the
//!   admin configured (GET templates put everything there; POST URLs may carry our own extras
//!   such as `?event=ended`). A key present in both keeps the body's value unless that is
//!   `null`.
//!
//! `raw` is what goes into `CallEvent::raw`: for a JSON body the body itself (re-serialised
//! only when it had to be repaired), for query/form parameters an object of strings.

mod lenient;
mod lookup;

pub(crate) use lookup::Fields;
use serde_json::{Map, Value};

use crate::hook::{HookRequest, PayloadError};

/// A notification read into one object.
#[derive(Debug)]
pub(crate) struct Payload {
    pub(crate) fields: Map<String, Value>,
    pub(crate) raw: String,
}

enum Body {
    Empty,
    Json {
        fields: Map<String, Value>,
        raw: String,
    },
    Form(Vec<(String, String)>),
}

/// Reads the query string and the body of `request` into one [`Payload`].
pub(crate) fn read(request: &HookRequest<'_>) -> Result<Payload, PayloadError> {
    let query = pairs(request.query.trim_start_matches('?').as_bytes());
    let (mut fields, raw_json) = match read_body(request)? {
        Body::Empty => (Map::new(), None),
        Body::Json { fields, raw } => (fields, Some(raw)),
        Body::Form(form) => (strings_object(form), None),
    };
    for (key, value) in query {
        let slot = fields.entry(key).or_insert(Value::Null);
        if slot.is_null() {
            *slot = Value::String(value);
        }
    }
    let raw = match raw_json {
        Some(raw) => raw,
        None => Value::Object(fields.clone()).to_string(),
    };
    Ok(Payload { fields, raw })
}

fn read_body(request: &HookRequest<'_>) -> Result<Body, PayloadError> {
    let body = request.body.trim_ascii();
    let body = body.strip_prefix("\u{feff}".as_bytes()).unwrap_or(body);
    if body.is_empty() {
        return Ok(Body::Empty);
    }
    let content_type = request.content_type.unwrap_or("").to_ascii_lowercase();
    let looks_json = matches!(body.first(), Some(b'{' | b'['));
    if content_type.contains("json") || looks_json {
        return read_json(body);
    }
    if content_type.contains("x-www-form-urlencoded") || body.contains(&b'=') {
        return Ok(Body::Form(pairs(body)));
    }
    Err(PayloadError::new(
        PayloadError::MALFORMED_BODY,
        format!(
            "the body is neither a JSON object nor form parameters (content type `{}`, starts with `{}`); \
             send the notification as JSON or as key=value parameters",
            request.content_type.unwrap_or("none"),
            preview(body),
        ),
    ))
}

fn read_json(body: &[u8]) -> Result<Body, PayloadError> {
    let text = std::str::from_utf8(body).map_err(|e| {
        PayloadError::new(
            PayloadError::MALFORMED_BODY,
            format!("the JSON body is not UTF-8 text: {e}"),
        )
    })?;
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(fields)) => Ok(Body::Json {
            fields,
            raw: text.to_owned(),
        }),
        Ok(other) => Err(PayloadError::new(
            PayloadError::MALFORMED_BODY,
            format!(
                "the JSON body is {}, not an object of notification fields",
                kind_of(&other)
            ),
        )),
        Err(strict) => match lenient::parse_object(text) {
            Some(fields) => {
                let raw = Value::Object(fields.clone()).to_string();
                Ok(Body::Json { fields, raw })
            }
            None => Err(PayloadError::new(
                PayloadError::MALFORMED_BODY,
                format!(
                    "the body is not valid JSON ({strict}); check the notification template: \
                     put {{{{variables}}}} without quotes, e.g. \"call_session_id\":{{{{call_session_id}}}}"
                ),
            )),
        },
    }
}

/// Form-urlencoded pairs, keys and values trimmed: templates written on several lines put
/// newlines around `&`, and some PBX front-ends keep them.
fn pairs(bytes: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(bytes)
        .unwrap_or_default()
        .into_iter()
        .map(|(key, value)| (key.trim().to_owned(), value.trim().to_owned()))
        .filter(|(key, _)| !key.is_empty())
        .collect()
}

/// The first occurrence of each key wins, as a PBX repeating a key is more likely appending
/// noise than correcting itself.
fn strings_object(pairs: Vec<(String, String)>) -> Map<String, Value> {
    let mut fields = Map::new();
    for (key, value) in pairs {
        fields.entry(key).or_insert(Value::String(value));
    }
    fields
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The first few characters of a body, for error messages.
fn preview(body: &[u8]) -> String {
    String::from_utf8_lossy(&body[..body.len().min(32)])
        .chars()
        .filter(|c| !c.is_control())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request<'a>(
        query: &'a str,
        content_type: Option<&'a str>,
        body: &'a [u8],
    ) -> HookRequest<'a> {
        HookRequest {
            query,
            content_type,
            body,
        }
    }

    #[test]
    fn json_body_is_kept_as_raw_and_query_fills_gaps() {
        let body = br#" {"call_session_id": 5, "event": "x"} "#;
        let payload = read(&request(
            "event=ended&extra=1",
            Some("application/json"),
            body,
        ));
        let payload = payload.expect("valid");
        assert_eq!(payload.raw, r#"{"call_session_id": 5, "event": "x"}"#);
        assert_eq!(payload.fields["event"], "x");
        assert_eq!(payload.fields["extra"], "1");
    }

    #[test]
    fn form_and_query_become_strings() {
        let payload = read(&request("b=2", None, b"a=1%2B&b=3")).expect("valid");
        assert_eq!(payload.fields["a"], "1+");
        assert_eq!(payload.fields["b"], "3");
        assert_eq!(payload.raw, r#"{"a":"1+","b":"3"}"#);
    }

    #[test]
    fn multi_line_get_templates_are_trimmed() {
        let payload =
            read(&request("event=call_start%0A&%0Adirection=in", None, b"")).expect("valid");
        assert_eq!(payload.fields["event"], "call_start");
        assert_eq!(payload.fields["direction"], "in");
    }

    #[test]
    fn non_objects_and_prose_are_malformed() {
        for body in [
            &b"[1,2]"[..],
            b"\"text\"",
            b"hello world",
            b"{\"a\": }}",
            b"\xff\xfe{",
        ] {
            let err = read(&request("", None, body)).expect_err("malformed");
            assert_eq!(err.code, PayloadError::MALFORMED_BODY, "{body:?}");
        }
    }
}
