//! Coercing the loosely typed values PBXs send into text, numbers, flags and lists.
//!
//! UIS substitutes template variables as JSON literals, so one field arrives as a number in one
//! account and as a string in another (`1197843161` or `"1197843161"`); a missing value is
//! `null`; an admin who wrapped `{{var}}` in quotes gets the literal quoted twice
//! (`"\"Иван\""`); lists are JSON arrays, or their text when they went through a query string
//! (`["a","b"]`, or Python's `['a', 'b']`, since the PBX renders with Python). Query parameters
//! are always strings, and Python renders a missing value as `None`. Every function here
//! accepts all of those shapes and answers `None` (or an empty list) rather than failing.

use serde_json::{Number, Value};

/// How many layers of doubled quotes are peeled off; more than two never happens in practice,
/// and a bound keeps hostile input cheap.
const MAX_QUOTE_LAYERS: usize = 4;

/// The value as text: numbers in their plain decimal form, `None` for null, empty, `"null"`,
/// `"None"`, objects and lists of more than one element.
pub(crate) fn text(value: &Value) -> Option<String> {
    match value {
        Value::Null | Value::Object(_) => None,
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(number_text(n)),
        Value::String(s) => clean(s),
        Value::Array(items) => match items.as_slice() {
            [single] => text(single),
            _ => None,
        },
    }
}

/// A whole non-negative number: durations, ids, unix times.
pub(crate) fn unsigned(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64().or_else(|| n.as_f64().and_then(float_to_u64)),
        Value::String(s) => {
            let t = clean(s)?;
            t.parse::<u64>()
                .ok()
                .or_else(|| t.parse::<f64>().ok().and_then(float_to_u64))
        }
        Value::Array(items) => match items.as_slice() {
            [single] => unsigned(single),
            _ => None,
        },
        Value::Null | Value::Bool(_) | Value::Object(_) => None,
    }
}

/// A duration in whole seconds.
pub(crate) fn seconds(value: &Value) -> Option<u32> {
    unsigned(value).and_then(|n| u32::try_from(n).ok())
}

/// A yes/no flag: JSON booleans, `0`/`1`, and the words UIS, Python and people use.
pub(crate) fn flag(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => n.as_f64().map(|f| f != 0.0),
        Value::String(s) => {
            let t = clean(s)?.to_lowercase();
            match t.as_str() {
                "true" | "t" | "1" | "yes" | "y" | "да" => Some(true),
                "false" | "f" | "0" | "no" | "n" | "нет" => Some(false),
                _ => None,
            }
        }
        Value::Array(items) => match items.as_slice() {
            [single] => flag(single),
            _ => None,
        },
        Value::Null | Value::Object(_) => None,
    }
}

/// A list of texts: a JSON array, the text of one (`["a","b"]`, `['a', 'b']`), or a single
/// value (a list of one). Empty and null elements are dropped.
pub(crate) fn list(value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    collect_list(value, &mut out, 0);
    out
}

/// Lists nest at most this deep before the rest is ignored; real payloads have depth one.
const MAX_LIST_DEPTH: usize = 8;

fn collect_list(value: &Value, out: &mut Vec<String>, depth: usize) {
    if depth > MAX_LIST_DEPTH {
        return;
    }
    match value {
        Value::Null | Value::Object(_) => {}
        Value::Array(items) => {
            for item in items {
                collect_list(item, out, depth + 1);
            }
        }
        Value::String(s) => {
            let Some(t) = clean(s) else { return };
            match list_text(&t) {
                Some(items) => out.extend(items),
                None => out.push(t),
            }
        }
        Value::Bool(_) | Value::Number(_) => out.extend(text(value)),
    }
}

/// The elements of a list written as text, or `None` when the text is not a bracketed list.
fn list_text(t: &str) -> Option<Vec<String>> {
    let inner = t.strip_prefix('[')?.strip_suffix(']')?;
    if let Ok(Value::Array(items)) = serde_json::from_str::<Value>(t) {
        let mut out = Vec::new();
        for item in &items {
            out.extend(text(item));
        }
        return Some(out);
    }
    // Python's repr of a list of strings: single quotes, which JSON does not allow.
    let items = inner
        .split(',')
        .map(|part| part.trim().trim_matches(|c| c == '\'' || c == '"').trim())
        .filter(|part| !part.is_empty() && *part != "None")
        .map(str::to_owned)
        .collect();
    Some(items)
}

/// Trims, peels doubled quotes and maps the spellings of "no value" to `None`.
pub(crate) fn clean(s: &str) -> Option<String> {
    let mut current = s.trim().to_owned();
    for _ in 0..MAX_QUOTE_LAYERS {
        if current.len() < 2 || !current.starts_with('"') || !current.ends_with('"') {
            break;
        }
        // A quoted JSON string literal unescapes properly (`"ООО \"Ромашка\""`); anything else
        // quoted just loses its outer quotes.
        current = match serde_json::from_str::<String>(&current) {
            Ok(inner) => inner.trim().to_owned(),
            Err(_) => current[1..current.len() - 1].trim().to_owned(),
        };
    }
    match current.as_str() {
        "" | "null" | "NULL" | "None" => None,
        _ => Some(current),
    }
}

fn number_text(n: &Number) -> String {
    if let Some(u) = n.as_u64() {
        return u.to_string();
    }
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    // Ids sent as floats (`1.197843161e9`) must read like the integer the PBX meant.
    match n.as_f64() {
        Some(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15 => format!("{f:.0}"),
        _ => n.to_string(),
    }
}

fn float_to_u64(f: f64) -> Option<u64> {
    // 2^53: beyond it a float no longer holds whole numbers exactly.
    (f.is_finite() && (0.0..9.007_199_254_740_992e15).contains(&f)).then(|| f.round() as u64)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn text_accepts_every_spelling() {
        assert_eq!(text(&json!(1197843161)), Some("1197843161".into()));
        assert_eq!(text(&json!("1197843161")), Some("1197843161".into()));
        assert_eq!(text(&json!(1.197843161e9)), Some("1197843161".into()));
        assert_eq!(text(&json!("\"Иван\"")), Some("Иван".into()));
        assert_eq!(
            text(&json!("\"ООО \\\"Ромашка\\\"\"")),
            Some("ООО \"Ромашка\"".into())
        );
        assert_eq!(text(&json!(" null ")), None);
        assert_eq!(text(&json!("None")), None);
        assert_eq!(text(&json!("\"\"")), None);
        assert_eq!(text(&Value::Null), None);
        assert_eq!(text(&json!(["201"])), Some("201".into()));
        assert_eq!(text(&json!({"a": 1})), None);
    }

    #[test]
    fn numbers_and_flags() {
        assert_eq!(unsigned(&json!("131")), Some(131));
        assert_eq!(unsigned(&json!(131.0)), Some(131));
        assert_eq!(unsigned(&json!("\"26\"")), Some(26));
        assert_eq!(unsigned(&json!(-5)), None);
        assert_eq!(seconds(&json!(u64::MAX)), None);
        assert_eq!(flag(&json!("True")), Some(true));
        assert_eq!(flag(&json!(0)), Some(false));
        assert_eq!(flag(&json!("maybe")), None);
    }

    #[test]
    fn lists_in_every_shape() {
        assert_eq!(list(&json!(["a", null, "b"])), vec!["a", "b"]);
        assert_eq!(list(&json!("[\"a\",\"b\"]")), vec!["a", "b"]);
        assert_eq!(list(&json!("['a', 'b']")), vec!["a", "b"]);
        assert_eq!(list(&json!("[]")), Vec::<String>::new());
        assert_eq!(list(&json!("a")), vec!["a"]);
        assert_eq!(list(&json!(null)), Vec::<String>::new());
        assert_eq!(
            list(&json!([287866221, 287866222])),
            vec!["287866221", "287866222"]
        );
    }
}
