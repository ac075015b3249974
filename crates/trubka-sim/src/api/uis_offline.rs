//! UIS offline requests (reference A.5.7, A.5.8; comagic.github.io `data_api/communication/
//! upload_offline_messages`): `get.sites` and `get.campaigns` (the account's [`SITES`] and
//! [`CAMPAIGNS`]) and `upload.offline_messages`, checked the way UIS documents it:
//!
//! - `offline_messages` is required, 1 to 50 items; an item may hold only the documented
//!   fields (`unexpected_parameters`);
//! - each item needs `visitor_session_id`, `campaign_id` or `site_id`, and `phone` or `email`
//!   (`required_parameter_missed`); campaign `-1` («Посетители без рекламной кампании») needs
//!   `site_id` too;
//! - `phone` is E.164 (`invalid_parameter_value`), `date_time` is `YYYY-MM-DD hh:mm:ss` in
//!   the account's zone and not in the future (`invalid_date_time`);
//! - an unknown site or campaign is `entity_not_found`, an inactive campaign
//!   `campaign_is_inactive`, a campaign of another site `invalid_parameters_combination`;
//! - the method needs the Data API and the option «Загрузка офлайн-заявок из внешней системы»
//!   (component `upload_offline_messages`; `method_component_disabled` when either is off).
//!
//! The answer is `data: [{id}]`, one id per request. What was uploaded is in the request log.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{NaiveDateTime, Utc};
use serde_json::{Value, json};

use crate::api::uis_jsonrpc::{RpcError, Success};
use crate::api::uis_list;
use crate::api::uis_params::Params;
use crate::options::UisComponent;
use crate::sim::Sim;

/// The account's sites: id, domain, name.
pub const SITES: &[(u64, &str, &str)] = &[
    (80913, "trubka-demo.ru", "Основной сайт"),
    (80914, "shop.trubka-demo.ru", "Интернет-магазин"),
];

/// The account's campaigns: id, name, status, site id (`-1` is UIS's own «no campaign»).
pub const CAMPAIGNS: &[(i64, &str, &str, Option<u64>)] = &[
    (-1, "Посетители без рекламной кампании", "active", None),
    (401745, "Яндекс.Директ: поиск", "active", Some(80913)),
    (401746, "Контекст магазина", "active", Some(80914)),
    (401747, "Осенняя распродажа", "inactive", Some(80914)),
];

const SITE_FIELDS: &[&str] = &[
    "id",
    "domain_name",
    "name",
    "default_phone_number",
    "default_scenario",
    "is_editable",
    "creation_date",
];
const CAMPAIGN_FIELDS: &[&str] = &[
    "id",
    "name",
    "description",
    "status",
    "creation_time",
    "site_id",
    "site_domain_name",
    "type",
];
const MESSAGE_FIELDS: &[&str] = &[
    "date_time",
    "name",
    "phone",
    "email",
    "message",
    "visitor_session_id",
    "campaign_id",
    "source_id",
    "site_id",
    "form_name",
    "ext_id",
    "user_fields",
];
/// Most requests in one call.
const MAX_MESSAGES: usize = 50;

/// Ids of uploaded requests: from the clock, so they do not repeat across restarts.
static NEXT_ID: AtomicU64 = AtomicU64::new(0);

fn site_domain(id: u64) -> Option<&'static str> {
    SITES.iter().find(|s| s.0 == id).map(|s| s.1)
}

/// `get.sites`.
pub fn get_sites(sim: &Arc<Sim>, p: Params<'_>) -> Result<Success, RpcError> {
    let rows = SITES
        .iter()
        .map(|(id, domain, name)| {
            uis_list::object(json!({
                "id": id,
                "domain_name": domain,
                "name": name,
                "default_phone_number": sim.config.uis.lines.first(),
                "default_scenario": null,
                "is_editable": true,
                "creation_date": "2024-02-01 10:00:00",
            }))
        })
        .collect();
    uis_list::list(sim.config.uis.app_id, p, SITE_FIELDS, rows)
}

/// `get.campaigns`.
pub fn get_campaigns(sim: &Arc<Sim>, p: Params<'_>) -> Result<Success, RpcError> {
    let rows = CAMPAIGNS
        .iter()
        .map(|(id, name, status, site)| {
            uis_list::object(json!({
                "id": id,
                "name": name,
                "description": null,
                "status": status,
                "creation_time": "2024-02-01 10:00:00",
                "site_id": site,
                "site_domain_name": site.and_then(site_domain),
                "type": if *id < 0 { "system" } else { "ac" },
            }))
        })
        .collect();
    uis_list::list(sim.config.uis.app_id, p, CAMPAIGN_FIELDS, rows)
}

/// `upload.offline_messages`.
pub fn upload_offline_messages(sim: &Arc<Sim>, p: Params<'_>) -> Result<Success, RpcError> {
    // The dispatcher checks the method's own option; the Data API as a whole is needed too.
    if sim
        .config
        .uis
        .disabled_components
        .contains(&UisComponent::DataApi)
    {
        return Err(RpcError::new(
            -32008,
            "method_component_disabled",
            "Component data_api is disabled",
        ));
    }
    p.allow(&["access_token", "user_id", "offline_messages"])?;
    if let Some(user) = p.u64("user_id")?
        && user != sim.config.uis.app_id
    {
        return Err(p.invalid("user_id"));
    }
    let Some(items) = p.array("offline_messages")? else {
        return Err(RpcError::missing("offline_messages"));
    };
    if items.is_empty() || items.len() > MAX_MESSAGES {
        return Err(p.invalid("offline_messages"));
    }
    let mut ids = Vec::with_capacity(items.len());
    for item in items {
        let Value::Object(map) = item else {
            return Err(RpcError::data_type("offline_messages", item));
        };
        check_message(sim, Params::new(map))?;
        ids.push(json!({"id": next_id()}));
    }
    Ok(Success::data(Value::Array(ids)))
}

fn next_id() -> u64 {
    let base = u64::try_from(Utc::now().timestamp()).unwrap_or(0) % 1_000_000 * 1000;
    base + NEXT_ID.fetch_add(1, Ordering::Relaxed) % 1000
}

fn check_message(sim: &Sim, m: Params<'_>) -> Result<(), RpcError> {
    m.allow(MESSAGE_FIELDS)?;
    let site = m.u64("site_id")?;
    let campaign = match m.value("campaign_id") {
        None => None,
        Some(Value::Number(n)) => Some(n.as_i64().ok_or_else(|| m.invalid("campaign_id"))?),
        Some(other) => return Err(RpcError::data_type("campaign_id", other)),
    };
    let session = m.u64("visitor_session_id")?;
    if site.is_none() && campaign.is_none() && session.is_none() {
        return Err(RpcError::missing("site_id"));
    }
    let phone = m.str("phone")?;
    let email = m.str("email")?;
    if phone.is_none() && email.is_none() {
        return Err(RpcError::missing("phone"));
    }
    if let Some(phone) = phone {
        let digits = phone.strip_prefix('+').unwrap_or(phone);
        if !(8..=15).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(m.invalid("phone"));
        }
    }
    for text in ["name", "email", "message", "form_name", "ext_id"] {
        m.str(text)?;
    }
    if let Some(when) = m.str("date_time")? {
        let local = NaiveDateTime::parse_from_str(when, "%Y-%m-%d %H:%M:%S")
            .map_err(|_| date_error(when))?;
        let now = Utc::now()
            .with_timezone(&sim.config.uis.utc_offset)
            .naive_local();
        if local > now {
            return Err(date_error(when));
        }
    }
    if let Some(site) = site
        && site_domain(site).is_none()
    {
        return Err(not_found("site_id", json!(site)));
    }
    if let Some(campaign) = campaign {
        let Some((_, _, status, campaign_site)) = CAMPAIGNS.iter().find(|c| c.0 == campaign) else {
            return Err(not_found("campaign_id", json!(campaign)));
        };
        if campaign < 0 && site.is_none() {
            return Err(RpcError::missing("site_id"));
        }
        if *status != "active" {
            return Err(
                RpcError::new(-32602, "campaign_is_inactive", "Campaign is inactive")
                    .at("campaign_id", &json!(campaign)),
            );
        }
        if let (Some(site), Some(campaign_site)) = (site, campaign_site)
            && site != *campaign_site
        {
            return Err(RpcError::combination("site_id", &json!(site)));
        }
    }
    Ok(())
}

fn date_error(value: &str) -> RpcError {
    RpcError::new(-32602, "invalid_date_time", "Invalid date time")
        .at("date_time", &Value::String(value.to_owned()))
}

fn not_found(field: &str, value: Value) -> RpcError {
    RpcError::new(-32602, "entity_not_found", "Entity not found").at(field, &value)
}
