//! UIS Data API `get.contacts` (docs `data_api/contact/get_contacts`) over
//! [`crate::address_book`]: `id`, `first_name`, `last_name`, `patronymic`, `full_name`,
//! `emails`, `phone_numbers`, `personal_manager_id`, `personal_manager_full_name`,
//! `organization_id`, `organization_name`, `groups` (`[{group_id, group_name}]`), in `id`
//! order, with the list conventions of every `get.*` method.
//!
//! The page's table says which fields can be sorted by (`first_name`, `last_name`,
//! `full_name`) and filtered by (all but `patronymic`); a known field outside those is
//! refused with the common `get` errors `sort_prohibited` / `filter_prohibited` (-32602),
//! as a name the method does not have is `unexpected_parameters`. The access token's rights
//! are checked before (`forbidden_methods`, in `uis_jsonrpc`).

use std::sync::Arc;

use serde_json::{Value, json};

use crate::{
    api::{
        uis_jsonrpc::{RpcError, Success},
        uis_list,
        uis_params::Params,
    },
    sim::Sim,
};

const CONTACT_FIELDS: &[&str] = &[
    "id",
    "first_name",
    "last_name",
    "patronymic",
    "full_name",
    "emails",
    "phone_numbers",
    "personal_manager_id",
    "personal_manager_full_name",
    "organization_id",
    "organization_name",
    "groups",
];

/// The fields the docs mark «Сортировка: да».
const SORTABLE: &[&str] = &["first_name", "last_name", "full_name"];

/// The fields the docs leave unmarked for «Фильтрация».
const NOT_FILTERABLE: &[&str] = &["patronymic"];

/// A known field of `sort` that cannot be sorted by. Malformed rules and unknown names are
/// left to [`uis_list`], which refuses them in its own words.
fn check_sort(p: Params<'_>) -> Result<(), RpcError> {
    let Some(Value::Array(rules)) = p.value("sort") else {
        return Ok(());
    };
    for field in rules.iter().filter_map(|r| r.get("field")?.as_str()) {
        if CONTACT_FIELDS.contains(&field) && !SORTABLE.contains(&field) {
            return Err(RpcError::new(
                -32602,
                "sort_prohibited",
                "Sorting by this parameter is prohibited",
            )
            .at("sort.field", &json!(field)));
        }
    }
    Ok(())
}

/// A known field of `filter` (or of a condition in its tree) that cannot be filtered by.
fn check_filter(filter: &Value) -> Result<(), RpcError> {
    if let Some(Value::Array(parts)) = filter.get("filters") {
        return parts.iter().try_for_each(check_filter);
    }
    match filter.get("field").and_then(Value::as_str) {
        Some(field) if NOT_FILTERABLE.contains(&field) => Err(RpcError::new(
            -32602,
            "filter_prohibited",
            "Filtering by this parameter is prohibited",
        )
        .at("filter.field", &json!(field))),
        _ => Ok(()),
    }
}

/// `get.contacts`.
pub fn get_contacts(sim: &Arc<Sim>, p: Params<'_>) -> Result<Success, RpcError> {
    // An unexpected parameter is named before anything about the list's fields.
    p.allow(uis_list::LIST_PARAMS)?;
    check_sort(p)?;
    if let Some(filter) = p.value("filter") {
        check_filter(filter)?;
    }
    let rows = sim
        .address_book
        .list()
        .iter()
        .map(|contact| uis_list::object(contact.row()))
        .collect();
    uis_list::list(sim.config.uis.app_id, p, CONTACT_FIELDS, rows)
}
