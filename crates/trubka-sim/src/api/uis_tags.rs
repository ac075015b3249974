//! UIS Data API tags (docs `data_api/tag/{get_tags,create_tags,set_tag_communications,
//! unset_tag_communications}`) over [`crate::tags`]:
//!
//! - `get.tags`: `id`, `name`, `is_system`, `is_auto`, `color`, `creation_datetime`, with the
//!   list conventions (a `filter` on `name` finds one by name); a sort by `is_system`, which
//!   neither page marks sortable, is `sort_prohibited`;
//! - `create.tags` with `name`: answers `result.data.id`, as most create methods' pages show
//!   (the `create.tags` page's skeleton has `result.id`); a name the account has is
//!   `duplicate_entity` (field `name`);
//! - `set.tag_communications` / `unset.tag_communications` with `communication_id` (or
//!   `communication_ext_id`), `communication_type` and `tag_id`: answer `result.data: {}`.
//!
//! The refusals are the docs' common ones for `set`/`unset`, where the pages are silent on
//! which applies when (the simulator's choices): an unknown tag is `entity_not_found` with
//! field `tag_id`; a communication that is no finished UIS call of the history (a call still
//! in progress has no communication in the reports yet — the Call API's `tag.call` tags those;
//! chats, goals and offline messages are not simulated, nor `communication_ext_id` of uploaded
//! calls) is `entity_not_found` with field `communication_id`; a tag the call has already is
//! `duplicate_entity`; taking off a tag the call has not by hand is `entity_not_found`. The
//! access token's rights are checked before any of them (`forbidden_methods`, in
//! `uis_jsonrpc`).

use std::sync::Arc;

use chrono::Utc;
use serde_json::{Value, json};
use tokio::time::Instant;

use crate::{
    api::{
        uis_jsonrpc::{RpcError, Success},
        uis_list,
        uis_params::Params,
    },
    sim::Sim,
    tags::{AUTO_TAG, TagRefusal},
    uis_notify,
};

const TAG_FIELDS: &[&str] = &[
    "id",
    "name",
    "is_system",
    "is_auto",
    "color",
    "creation_datetime",
];

const TAG_PARAMS: &[&str] = &[
    "access_token",
    "user_id",
    "communication_id",
    "communication_ext_id",
    "communication_type",
    "tag_id",
];

/// The longest tag name accepted (the docs give none; the cabinet's field is a short line).
const MAX_NAME_CHARS: usize = 255;

fn entity_not_found(field: &str, value: &Value) -> RpcError {
    RpcError::new(-32602, "entity_not_found", "Entity not found").at(field, value)
}

fn duplicate(field: &str, value: &Value) -> RpcError {
    RpcError::new(-32602, "duplicate_entity", "Duplicate entity").at(field, value)
}

/// The fields neither `get.tags` page marks «Сортировка: да» (the older page leaves `id`
/// unmarked too, the newer marks it: `id` is let through).
const NOT_SORTABLE: &[&str] = &["is_system"];

/// A known field of `sort` that cannot be sorted by: the common `get` error
/// `sort_prohibited`. Malformed rules and unknown names are left to [`uis_list`].
fn check_sort(p: Params<'_>) -> Result<(), RpcError> {
    let Some(Value::Array(rules)) = p.value("sort") else {
        return Ok(());
    };
    for field in rules.iter().filter_map(|r| r.get("field")?.as_str()) {
        if NOT_SORTABLE.contains(&field) {
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

/// `get.tags`.
pub fn get_tags(sim: &Arc<Sim>, p: Params<'_>) -> Result<Success, RpcError> {
    p.allow(&[uis_list::LIST_PARAMS, &["is_include_rating"]].concat())?;
    p.bool("is_include_rating")?;
    check_sort(p)?;
    let offset = sim.config.uis.utc_offset;
    let rows = sim
        .tags
        .list()
        .into_iter()
        .map(|tag| {
            uis_list::object(json!({
                "id": tag.id,
                "name": tag.name,
                "is_system": false,
                "is_auto": tag.id == AUTO_TAG.0,
                "color": "#EBEBEB",
                "creation_datetime": uis_notify::data_api_time(tag.created, offset),
            }))
        })
        .collect();
    uis_list::list_with(
        sim.config.uis.app_id,
        p,
        &["is_include_rating"],
        TAG_FIELDS,
        rows,
    )
}

/// `create.tags`.
pub fn create_tags(sim: &Arc<Sim>, p: Params<'_>) -> Result<Success, RpcError> {
    p.allow(&["access_token", "user_id", "name"])?;
    let name = p.req_str("name")?;
    let trimmed = name.trim();
    if trimmed.is_empty() || trimmed.chars().count() > MAX_NAME_CHARS {
        return Err(p.invalid("name"));
    }
    let id = sim
        .tags
        .create(trimmed, Utc::now())
        .ok_or_else(|| duplicate("name", &json!(trimmed)))?;
    tracing::info!(id, name = trimmed, "UIS tag created");
    Ok(Success::data(json!({"id": id})))
}

/// The finished UIS call a tag request names, and whether it carries `tag_id` by the
/// automatic rule.
fn finished_call(sim: &Sim, p: Params<'_>, tag_id: u64) -> Result<(u64, bool), RpcError> {
    let kind = p.req_choice(
        "communication_type",
        &["chat", "call", "goal", "offline_message"],
    )?;
    let id = p.u64("communication_id")?;
    let ext_id = p.str("communication_ext_id")?;
    let Some(id) = id else {
        return Err(match ext_id {
            Some(ext) => entity_not_found("communication_ext_id", &json!(ext)),
            None => RpcError::missing("communication_id"),
        });
    };
    let not_found = || entity_not_found("communication_id", &json!(id));
    if kind != "call" {
        return Err(not_found());
    }
    let entry = sim
        .history
        .get(&format!("uis:{id}"))
        .ok_or_else(not_found)?;
    if entry.is_active(Instant::now()) {
        return Err(not_found());
    }
    let auto = entry.with_plan(|plan| {
        uis_notify::tags(plan)
            .0
            .as_array()
            .is_some_and(|ids| ids.contains(&json!(tag_id)))
    });
    Ok((id, auto))
}

/// `set.tag_communications`.
pub fn set_tag_communications(sim: &Arc<Sim>, p: Params<'_>) -> Result<Success, RpcError> {
    p.allow(TAG_PARAMS)?;
    let tag_id = p.req_u64("tag_id")?;
    let (session, auto) = finished_call(sim, p, tag_id)?;
    sim.tags
        .set(session, tag_id, auto, Utc::now())
        .map_err(|refusal| match refusal {
            TagRefusal::UnknownTag => entity_not_found("tag_id", &json!(tag_id)),
            TagRefusal::Duplicate => duplicate("tag_id", &json!(tag_id)),
        })?;
    tracing::info!(session, tag_id, "UIS call tagged");
    Ok(Success::data(json!({})))
}

/// `unset.tag_communications`.
pub fn unset_tag_communications(sim: &Arc<Sim>, p: Params<'_>) -> Result<Success, RpcError> {
    p.allow(TAG_PARAMS)?;
    let tag_id = p.req_u64("tag_id")?;
    if sim.tags.get(tag_id).is_none() {
        return Err(entity_not_found("tag_id", &json!(tag_id)));
    }
    let (session, _) = finished_call(sim, p, tag_id)?;
    sim.tags
        .unset(session, tag_id)
        .map_err(|_| entity_not_found("tag_id", &json!(tag_id)))?;
    Ok(Success::data(json!({})))
}
