//! A forgiving reader for JSON objects broken by template substitution.
//!
//! UIS replaces `{{var}}` with a JSON literal. An admin who wrote `"name":"{{contact_full_name}}"`
//! gets `"name":""Иван""`, and lists become `"tags":"["a","b"]"`: invalid JSON that a strict
//! parser rejects. This reader accepts an object whose values may be:
//!
//! - any strict JSON value (kept as is);
//! - a quoted run whose end is the quote followed by `,` and the next `"key":`, or by `}`
//!   (kept as a string *including* the inner quotes, which [`crate::coerce`] later peels);
//! - nothing at all (`"a": ,`), read as `null`;
//! - unquoted text up to the next `,"key":` or `}`, read as a string.
//!
//! It is only used after the strict parse failed, and returns `None` for anything it cannot
//! read as an object. Nesting is bounded and every scan moves forward, so hostile input
//! costs linear time and cannot overflow the stack.

use serde_json::{Map, Value};

/// Deepest object nesting accepted; templates nest one level.
const MAX_DEPTH: usize = 16;
/// Longest key looked at when deciding whether a `,` ends a value.
const MAX_KEY_LEN: usize = 256;

/// Reads `text` as one object, or `None`.
pub(super) fn parse_object(text: &str) -> Option<Map<String, Value>> {
    let mut reader = Reader {
        text,
        bytes: text.as_bytes(),
        pos: 0,
    };
    reader.skip_ws();
    let object = reader.object(0)?;
    reader.skip_ws();
    (reader.pos == reader.bytes.len()).then_some(object)
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    /// Always at a char boundary: it only ever stops on ASCII bytes or the end.
    pos: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        self.pos = skip_ws(self.bytes, self.pos);
    }

    fn object(&mut self, depth: usize) -> Option<Map<String, Value>> {
        if depth > MAX_DEPTH || self.peek() != Some(b'{') {
            return None;
        }
        self.pos += 1;
        let mut object = Map::new();
        loop {
            self.skip_ws();
            match self.peek()? {
                b'}' => {
                    self.pos += 1;
                    return Some(object);
                }
                b'"' => {}
                _ => return None,
            }
            let key = self.strict_string()?;
            self.skip_ws();
            if self.peek()? != b':' {
                return None;
            }
            self.pos += 1;
            self.skip_ws();
            let value = self.value(depth)?;
            object.insert(key, value);
            self.skip_ws();
            match self.peek()? {
                b',' => self.pos += 1,
                b'}' => {}
                _ => return None,
            }
        }
    }

    fn value(&mut self, depth: usize) -> Option<Value> {
        match self.peek()? {
            b',' | b'}' => Some(Value::Null),
            b'{' => self.object(depth + 1).map(Value::Object),
            first => {
                let start = self.pos;
                if let Some(value) = self.strict_value()
                    && ends_value(self.bytes, self.pos)
                {
                    return Some(value);
                }
                self.pos = start;
                if first == b'"' {
                    self.quoted_run()
                } else {
                    self.bare_run()
                }
            }
        }
    }

    /// One strict JSON value starting at `pos`; on success `pos` is just past it.
    fn strict_value(&mut self) -> Option<Value> {
        let rest = self.text.get(self.pos..)?;
        let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<Value>();
        let value = stream.next()?.ok()?;
        self.pos += stream.byte_offset();
        Some(value)
    }

    fn strict_string(&mut self) -> Option<String> {
        match self.strict_value()? {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// `"…"` up to the first quote that ends a value; the content between the outer quotes is
    /// kept verbatim.
    fn quoted_run(&mut self) -> Option<Value> {
        let open = self.pos;
        let mut at = open + 1;
        while at < self.bytes.len() {
            if self.bytes[at] == b'"' && ends_value(self.bytes, at + 1) {
                let inner = self.text.get(open + 1..at)?;
                self.pos = at + 1;
                return Some(Value::String(inner.to_owned()));
            }
            at += 1;
        }
        None
    }

    /// Unquoted text up to the end of the value, trimmed.
    fn bare_run(&mut self) -> Option<Value> {
        let start = self.pos;
        let mut at = start;
        loop {
            let byte = *self.bytes.get(at)?;
            if matches!(byte, b',' | b'}') && ends_value(self.bytes, at) {
                break;
            }
            at += 1;
        }
        let text = self.text.get(start..at)?.trim();
        self.pos = at;
        Some(Value::String(text.to_owned()))
    }
}

fn skip_ws(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() && bytes[at].is_ascii_whitespace() {
        at += 1;
    }
    at
}

/// Whether a value that ends just before `at` is complete: what follows is `}`, or `,` and then
/// `}` or a `"key":`.
fn ends_value(bytes: &[u8], at: usize) -> bool {
    let at = skip_ws(bytes, at);
    match bytes.get(at) {
        Some(b'}') => true,
        Some(b',') => {
            let next = skip_ws(bytes, at + 1);
            match bytes.get(next) {
                Some(b'}') => true,
                Some(b'"') => is_key(bytes, next),
                _ => false,
            }
        }
        _ => false,
    }
}

/// Whether a `"key"` followed by `:` starts at `at` (a quote).
fn is_key(bytes: &[u8], at: usize) -> bool {
    let mut end = at + 1;
    let limit = bytes.len().min(at + 1 + MAX_KEY_LEN);
    while end < limit {
        match bytes[end] {
            b'\\' => end += 2,
            b'"' => {
                let colon = skip_ws(bytes, end + 1);
                return bytes.get(colon) == Some(&b':');
            }
            _ => end += 1,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn parse(text: &str) -> Option<Value> {
        parse_object(text).map(Value::Object)
    }

    #[test]
    fn doubled_quotes_are_kept_for_coercion() {
        let text =
            r#"{"name":""Иванов, Иван"", "id":""1197843161"", "tags":"["a", "b"]", "n":""""}"#;
        assert_eq!(
            parse(text),
            Some(json!({
                "name": "\"Иванов, Иван\"",
                "id": "\"1197843161\"",
                "tags": "[\"a\", \"b\"]",
                "n": "\"\"",
            }))
        );
    }

    #[test]
    fn empty_and_bare_values() {
        let text = "{\"a\": , \"b\": 2026-05-12 10:17:40, \"c\": {\"d\": }, \"e\": [1, 2]}";
        assert_eq!(
            parse(text),
            Some(json!({"a": null, "b": "2026-05-12 10:17:40", "c": {"d": null}, "e": [1, 2]}))
        );
    }

    #[test]
    fn broken_objects_are_refused() {
        for text in [
            "{",
            "{\"a\"",
            "{\"a\":\"x",
            "{\"a\":1} trailing",
            "[1]",
            "{a:1}",
            "",
        ] {
            assert_eq!(parse(text), None, "{text}");
        }
        let deep = format!("{}{}", "{\"a\":".repeat(100), "}".repeat(100));
        assert_eq!(parse(&deep), None);
    }
}
