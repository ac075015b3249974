//! Filling UIS notification templates the way UIS does.
//!
//! An admin writes a body template with `{{variable}}` placeholders in the UIS cabinet. For a
//! POST (JSON) template UIS replaces each placeholder with the variable's value as a JSON
//! literal: strings quoted and escaped, numbers and booleans bare, lists as arrays, `null`
//! for a value the event does not have (reference A.6.4). A template therefore writes
//! `"contact_phone_number":{{contact_phone_number}}` without quotes. For a GET template the
//! body is a query string; there the value is substituted as plain text (strings without
//! quotes, lists as JSON arrays, `null` as nothing) and URL-encoded.

use std::collections::BTreeMap;

use serde_json::Value;

/// The variables of one event: name → value. Names not present render as `null`.
pub type Vars = BTreeMap<&'static str, Value>;

/// A piece of a template: plain text, or the name inside a `{{name}}` placeholder.
enum Piece<'t> {
    Text(&'t str),
    Var(&'t str),
}

/// Calls `each` for every piece of `template`, in order.
fn walk<'t>(template: &'t str, mut each: impl FnMut(Piece<'t>)) {
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        let Some(close) = rest[open + 2..].find("}}") else {
            break;
        };
        each(Piece::Text(&rest[..open]));
        each(Piece::Var(rest[open + 2..open + 2 + close].trim()));
        rest = &rest[open + 2 + close + 2..];
    }
    each(Piece::Text(rest));
}

/// Fills a JSON (POST) template: every placeholder becomes a JSON literal.
pub fn render_json(template: &str, vars: &Vars) -> String {
    let mut out = String::with_capacity(template.len() * 2);
    walk(template, |piece| match piece {
        Piece::Text(text) => out.push_str(text),
        Piece::Var(name) => match vars.get(name) {
            Some(value) => out.push_str(&value.to_string()),
            None => out.push_str("null"),
        },
    });
    out
}

/// A value as plain text, the way it goes into a GET query.
fn plain(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// Fills a GET (query) template such as `event=call_start&direction={{direction}}`, written
/// over several lines in the cabinet, into an encoded query string.
pub fn render_query(template: &str, vars: &Vars) -> String {
    let joined: String = template.lines().map(str::trim).collect::<Vec<_>>().concat();
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for pair in joined.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let mut filled = String::new();
        walk(value, |piece| match piece {
            Piece::Text(text) => filled.push_str(text),
            Piece::Var(name) => filled.push_str(&plain(vars.get(name))),
        });
        query.append_pair(key, &filled);
    }
    query.finish()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn vars() -> Vars {
        let mut v = Vars::new();
        v.insert("name", json!("Анна \"Ш\""));
        v.insert("id", json!(25));
        v.insert("lost", json!(false));
        v.insert("links", json!(["https://x/1", "https://x/2"]));
        v.insert("none", Value::Null);
        v
    }

    #[test]
    fn json_templates_get_json_literals() {
        let body = render_json(
            r#"{ "n":{{name}}, "id": {{ id }}, "l":{{lost}}, "r":{{links}}, "x":{{none}}, "m":{{missing}} }"#,
            &vars(),
        );
        let parsed: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            parsed,
            json!({"n":"Анна \"Ш\"","id":25,"l":false,"r":["https://x/1","https://x/2"],"x":null,"m":null})
        );
    }

    #[test]
    fn a_quoted_placeholder_gets_doubled_quotes_as_in_uis() {
        assert_eq!(
            render_json(r#""{{id}}" "{{name}}""#, &vars()),
            r#""25" ""Анна \"Ш\""""#
        );
    }

    #[test]
    fn query_templates_get_plain_encoded_values() {
        let q = render_query(
            "event=call_start\n&who={{name}}\n&id={{id}}&x={{none}}&r={{links}}",
            &vars(),
        );
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&q).unwrap();
        assert_eq!(
            pairs,
            [
                ("event".into(), "call_start".into()),
                ("who".into(), "Анна \"Ш\"".into()),
                ("id".into(), "25".into()),
                ("x".into(), String::new()),
                ("r".into(), r#"["https://x/1","https://x/2"]"#.into()),
            ]
        );
    }
}
