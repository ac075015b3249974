//! Offline requests («заявки», Salebot's `uiscom_offline_messages`): an agent records a
//! request for a caller and the relay uploads it to UIS (`upload.offline_messages`).
//!
//! - `GET /v1/requests/targets`: what a request may be filed under, `{"sites": [{"id", "name"}],
//!   "campaigns": [{"id", "name", "site", "active"}]}` (`get.sites`, `get.campaigns`, cached a
//!   minute; a site's name is its domain, as Salebot shows it).
//! - `POST /v1/requests {"phone", "message", "name"?, "site"?, "campaign"?}`: `site` and
//!   `campaign` are names (or ids) from the lists; one of them is needed (UIS files every
//!   request under a site or a campaign; «Посетители без рекламной кампании» needs a site).
//!   Answer `201 {"id": …, "phone": "+7…", "site": …, "campaign": …}`.
//!
//! Errors: 400 `bad_number` / `bad_request`, 422 `unknown_site` / `unknown_campaign` (the
//! message lists the names there are), 422 `not_configured` without `[uis] api_key`, and
//! UIS's refusals with the words of [`trubka_pbx::uis::offline::refusal`] (e.g. the option
//! «Загрузка офлайн-заявок из внешней системы» not connected).

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use chrono::Utc;
use serde::Deserialize;
use serde_json::{Value, json};
use trubka_pbx::DialNumber;
use trubka_pbx::uis::offline::{NO_CAMPAIGN, refusal};
use trubka_pbx::uis::{Campaign, OfflineMessage, Site};

use super::auth;
use super::customer::customer_number;
use super::error::ApiError;
use super::scenarios::quoted_list;
use crate::choices::same_name;
use crate::pbx::UisApi;
use crate::relay::AppState;

/// The longest request text accepted (UIS documents no limit; this keeps one request sane).
const MAX_MESSAGE_CHARS: usize = 4000;

#[derive(Debug, Deserialize)]
struct RequestBody {
    #[serde(default)]
    phone: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    site: Option<String>,
    #[serde(default)]
    campaign: Option<String>,
}

pub(crate) async fn targets(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    auth::agent(&state, auth::bearer(&headers)).await?;
    let api = uis(&state)?;
    let sites = state
        .choices
        .sites(api)
        .await
        .map_err(|e| refused(&e, e.user_message()))?;
    let campaigns = state
        .choices
        .campaigns(api)
        .await
        .map_err(|e| refused(&e, e.user_message()))?;
    let site_name = |id: Option<u64>| {
        id.and_then(|id| sites.iter().find(|s| s.id == id))
            .map(Site::label)
    };
    Ok(Json(json!({
        "sites": sites.iter().map(|s| json!({"id": s.id, "name": s.label()})).collect::<Vec<_>>(),
        "campaigns": campaigns.iter().map(|c| json!({
            "id": c.id,
            "name": c.label(),
            "site": site_name(c.site_id).or_else(|| c.site_domain_name.clone()),
            "active": !c.is_inactive(),
        })).collect::<Vec<_>>(),
    })))
}

pub(crate) async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let agent = auth::agent(&state, auth::bearer(&headers)).await?;
    let body: RequestBody = serde_json::from_slice(&body).map_err(|e| {
        ApiError::BadRequest(format!(
            "the body must be JSON like {{\"phone\":\"+79261234567\",\"message\":\"…\",\
             \"site\":\"example.ru\"}}: {e}"
        ))
    })?;
    let phone = customer_number(
        &state,
        body.phone.as_deref(),
        "phone",
        "заявке нужен номер клиента",
    )?
    .e164()
    .to_owned();
    let message = body.message.as_deref().map(str::trim).unwrap_or_default();
    if message.is_empty() {
        return Err(ApiError::BadRequest(
            "Напишите текст заявки: поле «message» пустое".to_owned(),
        ));
    }
    if message.chars().count() > MAX_MESSAGE_CHARS {
        return Err(ApiError::BadRequest(format!(
            "Текст заявки длиннее {MAX_MESSAGE_CHARS} символов: сократите его"
        )));
    }
    let api = uis(&state)?;
    let wanted_site = body
        .site
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let wanted_campaign = body
        .campaign
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let sites = state
        .choices
        .sites(api)
        .await
        .map_err(|e| refused(&e, refusal(&e)))?;
    let site = wanted_site.map(|w| find_site(&sites, w)).transpose()?;
    let campaign = match wanted_campaign {
        Some(wanted) => {
            let campaigns = state
                .choices
                .campaigns(api)
                .await
                .map_err(|e| refused(&e, refusal(&e)))?;
            Some(find_campaign(&campaigns, wanted)?)
        }
        None => None,
    };
    match (&site, &campaign) {
        (None, None) => {
            return Err(ApiError::BadRequest(format!(
                "Выберите сайт или рекламную кампанию заявки (UIS привязывает заявку к одному из \
                 них); сайты: {}",
                quoted_list(&sites.iter().map(Site::label).collect::<Vec<_>>())
            )));
        }
        (None, Some(c)) if c.id == NO_CAMPAIGN => {
            return Err(ApiError::BadRequest(format!(
                "Для «{}» укажите и сайт; сайты: {}",
                c.label(),
                quoted_list(&sites.iter().map(Site::label).collect::<Vec<_>>())
            )));
        }
        _ => {}
    }
    let upload = OfflineMessage {
        phone: DialNumber::parse(&phone)
            .map_err(|_| ApiError::BadNumber(format!("Номер «{phone}» нельзя передать в UIS")))?,
        message: message.to_owned(),
        name: body.name.clone(),
        site_id: site.as_ref().map(|s| s.id),
        campaign_id: campaign.as_ref().map(|c| c.id),
        ext_id: Some(format!(
            "trubka:{}:{}",
            agent.id,
            hex::encode(rand::random::<[u8; 6]>())
        )),
        at: Utc::now(),
    };
    let uploaded = api
        .client
        .upload_offline_message(&upload)
        .await
        .map_err(|e| refused(&e, refusal(&e)))
        .inspect_err(|error| {
            tracing::warn!(agent = %agent.name, %error, "offline request refused");
        })?;
    tracing::info!(agent = %agent.name, id = uploaded.id, "offline request uploaded");
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "id": uploaded.id,
            "phone": phone,
            "site": site.as_ref().map(Site::label),
            "campaign": campaign.as_ref().map(Campaign::label),
        })),
    ))
}

fn uis(state: &AppState) -> Result<&UisApi, ApiError> {
    state.pbx.uis.as_ref().ok_or_else(|| {
        ApiError::NotConfigured(
            "Заявки отправляются в UIS, а в настройках релея не задан ключ API UIS \
             ([uis] api_key). Обратитесь к администратору релея."
                .to_owned(),
        )
    })
}

fn find_site(sites: &[Site], wanted: &str) -> Result<Site, ApiError> {
    sites
        .iter()
        .find(|s| {
            same_name(&s.label(), wanted)
                || s.name.as_deref().is_some_and(|n| same_name(n, wanted))
                || s.id.to_string() == wanted
        })
        .cloned()
        .ok_or_else(|| ApiError::UnknownName {
            code: "unknown_site",
            message: format!(
                "Сайта «{wanted}» нет в UIS; есть: {}",
                quoted_list(&sites.iter().map(Site::label).collect::<Vec<_>>())
            ),
        })
}

fn find_campaign(campaigns: &[Campaign], wanted: &str) -> Result<Campaign, ApiError> {
    campaigns
        .iter()
        .find(|c| same_name(&c.label(), wanted) || c.id.to_string() == wanted)
        .cloned()
        .ok_or_else(|| ApiError::UnknownName {
            code: "unknown_campaign",
            message: format!(
                "Рекламной кампании «{wanted}» нет в UIS; есть: {}",
                quoted_list(&campaigns.iter().map(Campaign::label).collect::<Vec<_>>())
            ),
        })
}

fn refused(error: &trubka_pbx::PbxError, message: String) -> ApiError {
    // A site and a campaign that do not go together are the agent's choice to correct, not
    // a fault of the relay's request as they are for a call.
    let status = match error {
        trubka_pbx::PbxError::Uis {
            mnemonic: trubka_pbx::UisMnemonic::InvalidParametersCombination,
            ..
        } => StatusCode::UNPROCESSABLE_ENTITY,
        _ => super::pbx_status::status(error),
    };
    ApiError::PbxRefused {
        code: error.code().to_owned(),
        status,
        message,
    }
}
