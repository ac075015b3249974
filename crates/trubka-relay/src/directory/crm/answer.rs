//! Reading a CRM's answer with the configured JSON pointers (`[directory.lookup.answer]`).
//!
//! CRMs answer in their own shapes, so nothing is assumed beyond what the pointers say:
//! `list` leads to the contacts (an array of objects, one object, or `null` for nobody), and
//! each field's pointer is read inside one contact. Text and numbers become text (a CRM may
//! give an id or a phone as a number); anything else where text is expected makes the
//! answer garbage rather than a contact with a field silently lost.

use std::collections::BTreeMap;

use serde_json::Value;
use trubka_protocol::directory::CrmContact;

use crate::config::AnswerPointers;

/// Why an answer could not be read; said in the log line with the CRM's URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum Garbage {
    #[error("not JSON: {0}")]
    Json(String),
    #[error("at the list pointer {pointer:?} there is {found}, not a contact or a list of them")]
    List {
        pointer: String,
        found: &'static str,
    },
    #[error("contact {index} is {found}, not an object")]
    Item { index: usize, found: &'static str },
    #[error("contact {index}: at {pointer:?} there is {found}, not text")]
    Text {
        index: usize,
        pointer: String,
        found: &'static str,
    },
    #[error("contact {index}: at {pointer:?} there is {found}, not an object of fields")]
    Fields {
        index: usize,
        pointer: String,
        found: &'static str,
    },
}

/// The contacts in `body`; empty when the CRM knows nobody (an empty list, `null`, or only
/// contacts without a single field).
pub(crate) fn read(body: &[u8], pointers: &AnswerPointers) -> Result<Vec<CrmContact>, Garbage> {
    let document: Value = serde_json::from_slice(body).map_err(|e| Garbage::Json(e.to_string()))?;
    let items: Vec<&Value> = match document.pointer(&pointers.list) {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items.iter().collect(),
        Some(object @ Value::Object(_)) => vec![object],
        Some(other) => {
            return Err(Garbage::List {
                pointer: pointers.list.clone(),
                found: kind(other),
            });
        }
    };
    let mut contacts = Vec::with_capacity(items.len());
    for (index, item) in items.into_iter().enumerate() {
        if !item.is_object() {
            return Err(Garbage::Item {
                index,
                found: kind(item),
            });
        }
        let text = |pointer: &String| text_at(item, pointer, index);
        let contact = CrmContact {
            name: text(&pointers.name)?.unwrap_or_default(),
            company: text(&pointers.company)?,
            email: text(&pointers.email)?,
            url: text(&pointers.url)?,
            fields: fields_at(item, &pointers.fields, index)?,
        };
        let empty = contact.name.is_empty()
            && contact.company.is_none()
            && contact.email.is_none()
            && contact.url.is_none()
            && contact.fields.is_empty();
        if !empty {
            contacts.push(contact);
        }
    }
    Ok(contacts)
}

/// The text at `pointer`: `None` when missing, `null` or blank.
fn text_at(item: &Value, pointer: &str, index: usize) -> Result<Option<String>, Garbage> {
    match item.pointer(pointer) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => scalar(value)
            .map(|text| Some(text).filter(|t| !t.is_empty()))
            .ok_or_else(|| Garbage::Text {
                index,
                pointer: pointer.to_owned(),
                found: kind(value),
            }),
    }
}

/// The members of the object at `pointer`, each as text; nested objects and arrays are
/// kept as their JSON text, `null` and blank members are left out.
fn fields_at(
    item: &Value,
    pointer: &str,
    index: usize,
) -> Result<BTreeMap<String, String>, Garbage> {
    let object = match item.pointer(pointer) {
        None | Some(Value::Null) => return Ok(BTreeMap::new()),
        Some(Value::Object(object)) => object,
        Some(other) => {
            return Err(Garbage::Fields {
                index,
                pointer: pointer.to_owned(),
                found: kind(other),
            });
        }
    };
    Ok(object
        .iter()
        .filter_map(|(name, value)| {
            let text = match value {
                Value::Null => return None,
                Value::Array(_) | Value::Object(_) => value.to_string(),
                scalar_value => scalar(scalar_value)?,
            };
            (!text.is_empty()).then(|| (name.clone(), text))
        })
        .collect())
}

fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.trim().to_owned()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults(body: &str) -> Result<Vec<CrmContact>, Garbage> {
        read(body.as_bytes(), &AnswerPointers::default())
    }

    #[test]
    fn the_default_shape_one_object_or_a_list() {
        let one = defaults(
            r#"{"name":"Иван Петров","company":"ООО Ромашка","email":"ivan@example.com",
                "url":"https://crm.example.com/c/7","fields":{"ИНН":7701234567,"Статус":"VIP","note":null}}"#,
        )
        .unwrap();
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].name, "Иван Петров");
        assert_eq!(one[0].company.as_deref(), Some("ООО Ромашка"));
        assert_eq!(one[0].url.as_deref(), Some("https://crm.example.com/c/7"));
        assert_eq!(one[0].fields["ИНН"], "7701234567");
        assert_eq!(one[0].fields.len(), 2);
        let list = defaults(r#"[{"name":"A"},{"name":"B","email":" "}]"#).unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(
            (list[1].name.as_str(), list[1].email.as_deref()),
            ("B", None)
        );
    }

    #[test]
    fn nobody_is_an_empty_answer_not_an_error() {
        for body in ["[]", "null", r#"[{"name":""}]"#, "{}"] {
            assert_eq!(defaults(body), Ok(Vec::new()), "{body}");
        }
    }

    #[test]
    fn custom_pointers_read_a_crms_own_shape() {
        let pointers = AnswerPointers {
            list: "/data/clients".to_owned(),
            name: "/title".to_owned(),
            company: "/org/name".to_owned(),
            email: "/contacts/0/value".to_owned(),
            url: "/links/self".to_owned(),
            fields: "/custom".to_owned(),
        };
        let body = r#"{"data":{"clients":[{"title":"Анна","org":{"name":"ИП Анна"},
            "contacts":[{"value":"anna@example.com"}],"links":{"self":"https://crm/a"},
            "custom":{"tags":["a","b"]}}]}}"#;
        let contacts = read(body.as_bytes(), &pointers).unwrap();
        assert_eq!(contacts[0].company.as_deref(), Some("ИП Анна"));
        assert_eq!(contacts[0].email.as_deref(), Some("anna@example.com"));
        assert_eq!(contacts[0].fields["tags"], r#"["a","b"]"#);
        // The list pointer missing from the answer: nobody.
        assert_eq!(read(b"{\"data\":{}}", &pointers), Ok(Vec::new()));
    }

    #[test]
    fn answers_of_another_shape_are_garbage_with_the_reason() {
        assert!(matches!(defaults("<html>"), Err(Garbage::Json(_))));
        assert!(matches!(defaults("\"Иван\""), Err(Garbage::List { .. })));
        assert!(matches!(
            defaults("[\"Иван\"]"),
            Err(Garbage::Item { index: 0, .. })
        ));
        let err = defaults(r#"[{"name":"A"},{"name":{"first":"B"}}]"#).unwrap_err();
        assert_eq!(
            err.to_string(),
            "contact 1: at \"/name\" there is an object, not text"
        );
        assert!(matches!(
            defaults(r#"{"name":"A","fields":[1]}"#),
            Err(Garbage::Fields { .. })
        ));
    }
}
