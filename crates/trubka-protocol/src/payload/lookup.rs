//! Finding a field in a flat or nested notification and coercing it.
//!
//! Templates put the same variable at the top level (`contact_phone_number`) or inside a group
//! (`contact_info.contact_phone_number`, Omnidesk's and the newer UIS default templates), and
//! leave `null` where a value is missing. A lookup therefore takes the first usable value: the
//! top level first, then the known UIS groups, then any other object one level down (some
//! integrators wrap everything in `data` or `body`).

use serde_json::{Map, Value};

use crate::coerce;

/// The groups of the UIS nested templates, in the order they are searched.
const KNOWN_GROUPS: [&str; 4] = [
    "contact_info",
    "employee_info",
    "call_info",
    "call_record_file_info",
];

/// A read-only view of a notification's fields.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields<'a> {
    map: &'a Map<String, Value>,
}

impl<'a> Fields<'a> {
    pub(crate) fn new(map: &'a Map<String, Value>) -> Fields<'a> {
        Fields { map }
    }

    /// Every value stored under `name`, in search order.
    fn candidates(&self, name: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        let map = self.map;
        let known = KNOWN_GROUPS.iter().filter_map(move |group| map.get(*group));
        let others = map
            .iter()
            .filter(|(key, _)| !KNOWN_GROUPS.contains(&key.as_str()))
            .map(|(_, value)| value);
        let nested = known
            .chain(others)
            .filter_map(move |group| group.as_object()?.get(name));
        map.get(name).into_iter().chain(nested)
    }

    /// Whether `name` appears anywhere, even as `null`.
    pub(crate) fn has_key(&self, name: &'a str) -> bool {
        self.candidates(name).next().is_some()
    }

    /// The first usable text among `names`.
    pub(crate) fn text(&self, names: &[&'a str]) -> Option<String> {
        names
            .iter()
            .find_map(|name| self.candidates(name).find_map(coerce::text))
    }

    /// The first whole non-negative number among `names`.
    pub(crate) fn unsigned(&self, names: &[&'a str]) -> Option<u64> {
        names
            .iter()
            .find_map(|name| self.candidates(name).find_map(coerce::unsigned))
    }

    /// The first duration in seconds among `names`.
    pub(crate) fn seconds(&self, names: &[&'a str]) -> Option<u32> {
        names
            .iter()
            .find_map(|name| self.candidates(name).find_map(coerce::seconds))
    }

    /// The first yes/no flag stored under `name`.
    pub(crate) fn flag(&self, name: &'a str) -> Option<bool> {
        self.candidates(name).find_map(coerce::flag)
    }

    /// The first non-empty list stored under `name`.
    pub(crate) fn list(&self, name: &'a str) -> Vec<String> {
        self.candidates(name)
            .map(coerce::list)
            .find(|items| !items.is_empty())
            .unwrap_or_default()
    }

    /// The first raw value stored under `name` that is not `null`.
    pub(crate) fn value(&self, name: &'a str) -> Option<&'a Value> {
        self.candidates(name).find(|value| !value.is_null())
    }

    /// The names of the fields that carry a value (`group.name` for nested ones), for error
    /// messages; at most `limit` of them.
    pub(crate) fn present(&self, limit: usize) -> Vec<String> {
        let mut names = Vec::new();
        for (key, value) in self.map {
            match value {
                Value::Null => {}
                Value::Object(group) => names.extend(
                    group
                        .iter()
                        .filter(|(_, v)| !v.is_null())
                        .map(|(name, _)| format!("{key}.{name}")),
                ),
                _ => names.push(key.clone()),
            }
            if names.len() >= limit {
                names.truncate(limit);
                break;
            }
        }
        names
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn top_level_then_groups_then_other_objects() {
        let value = json!({
            "contact_phone_number": null,
            "data": {"employee_id": 7},
            "contact_info": {"contact_phone_number": "79261234567"},
            "employee_info": {"employee_id": null},
        });
        let map = value.as_object().expect("object");
        let fields = Fields::new(map);
        assert_eq!(
            fields.text(&["contact_phone_number"]),
            Some("79261234567".into())
        );
        assert_eq!(fields.text(&["employee_id"]), Some("7".into()));
        assert!(fields.has_key("employee_id"));
        assert!(!fields.has_key("leg_id"));
        let mut present = fields.present(10);
        present.sort();
        assert_eq!(
            present,
            vec!["contact_info.contact_phone_number", "data.employee_id"]
        );
    }
}
