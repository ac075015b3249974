//! The UIS address book («Адресная книга»; Data API `get.contacts`, docs
//! `data_api/contact/get_contacts`): every contact of the account, page by page, for the
//! relay's `[directory.uis_sync]`.
//!
//! The docs' answer skeleton shows `phone_numbers` as `["number"]` and every field as
//! possibly absent; a number is read whether UIS writes it as a JSON string or a JSON number,
//! and a `null` anywhere is an empty value, so one odd row does not stop the whole sync.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::Result;
use crate::uis::UisClient;

/// The fields asked for: everything the team directory keeps of a contact.
pub const CONTACT_FIELDS: &[&str] = &[
    "id",
    "last_name",
    "first_name",
    "patronymic",
    "full_name",
    "emails",
    "phone_numbers",
    "organization_name",
    "personal_manager_full_name",
    "groups",
];

/// One contact of the UIS address book.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct UisContact {
    pub id: u64,
    #[serde(default, deserialize_with = "text")]
    pub last_name: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub first_name: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub patronymic: Option<String>,
    /// «Фамилия Имя Отчество» as UIS writes it.
    #[serde(default, deserialize_with = "text")]
    pub full_name: Option<String>,
    #[serde(default, deserialize_with = "texts")]
    pub emails: Vec<String>,
    #[serde(default, deserialize_with = "texts")]
    pub phone_numbers: Vec<String>,
    #[serde(default, deserialize_with = "text")]
    pub organization_name: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub personal_manager_full_name: Option<String>,
    #[serde(default, deserialize_with = "groups")]
    pub groups: Vec<String>,
}

impl UisContact {
    /// The name to show: `full_name`, else the name parts in the same order, else the
    /// organisation; `None` when UIS gives none of them.
    pub fn display_name(&self) -> Option<String> {
        if let Some(full) = &self.full_name {
            return Some(full.clone());
        }
        let parts: Vec<&str> = [&self.last_name, &self.first_name, &self.patronymic]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect();
        if parts.is_empty() {
            self.organization_name.clone()
        } else {
            Some(parts.join(" "))
        }
    }
}

impl UisClient {
    /// Every contact of the address book (`get.contacts`), paged.
    pub async fn contacts(&self) -> Result<Vec<UisContact>> {
        self.get_all("get.contacts", CONTACT_FIELDS).await
    }
}

/// A string, or a number written as one; blank is `None`.
fn scalar(value: Value) -> Option<String> {
    let text = match value {
        Value::String(text) => text,
        Value::Number(number) => number.to_string(),
        _ => return None,
    };
    let trimmed = text.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

fn text<'de, D: Deserializer<'de>>(de: D) -> std::result::Result<Option<String>, D::Error> {
    Ok(scalar(Value::deserialize(de)?))
}

fn texts<'de, D: Deserializer<'de>>(de: D) -> std::result::Result<Vec<String>, D::Error> {
    Ok(match Value::deserialize(de)? {
        Value::Array(items) => items.into_iter().filter_map(scalar).collect(),
        other => scalar(other).into_iter().collect(),
    })
}

/// `groups: [{group_id, group_name}]` as the names.
fn groups<'de, D: Deserializer<'de>>(de: D) -> std::result::Result<Vec<String>, D::Error> {
    let Value::Array(items) = Value::deserialize(de)? else {
        return Ok(Vec::new());
    };
    Ok(items
        .into_iter()
        .filter_map(|mut group| scalar(group.get_mut("group_name")?.take()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_row_with_nulls_numbers_and_groups_is_read() {
        let row: UisContact = serde_json::from_value(json!({
            "id": 31245, "last_name": "Васильева", "first_name": "Ольга", "patronymic": null,
            "full_name": "Васильева Ольга", "emails": ["olga@example.ru", null, " "],
            "phone_numbers": ["79261234567", 74951234567_u64],
            "organization_name": "", "personal_manager_full_name": null,
            "groups": [{"group_id": 1, "group_name": "VIP"}, {"group_id": 2}]
        }))
        .unwrap();
        assert_eq!(row.emails, ["olga@example.ru"]);
        assert_eq!(row.phone_numbers, ["79261234567", "74951234567"]);
        assert_eq!(row.organization_name, None);
        assert_eq!(row.groups, ["VIP"]);
        assert_eq!(row.display_name().as_deref(), Some("Васильева Ольга"));
    }

    #[test]
    fn the_name_falls_back_to_its_parts_then_the_organisation() {
        let parts: UisContact = serde_json::from_value(
            json!({"id": 1, "last_name": "Орлов", "first_name": "Дмитрий", "full_name": null}),
        )
        .unwrap();
        assert_eq!(parts.display_name().as_deref(), Some("Орлов Дмитрий"));
        let company: UisContact =
            serde_json::from_value(json!({"id": 2, "organization_name": "ООО «Балтснаб»"}))
                .unwrap();
        assert_eq!(company.display_name().as_deref(), Some("ООО «Балтснаб»"));
        let nobody: UisContact = serde_json::from_value(json!({"id": 3})).unwrap();
        assert_eq!(nobody.display_name(), None);
    }
}
