//! `POST /v1/calls`: click-to-call as the calling agent.
//!
//! Body `{"to": "8 (926) 123-45-67", "scenario"?: "Исходящий обзвон", "scenario_id"?: 27092,
//! "tree"?: "000-913901", "provider"?: "uis" | "sipuni"}`. `scenario` is a name from
//! `GET /v1/scenarios` (a UIS scenario or a Sipuni scheme, see [`crate::choices`]); an
//! unknown name is 422 `unknown_scenario` with the names there are. The number may be
//! written any way a person types it; it is parsed in `default_region`. The agent's own
//! mapping decides the PBX: a UIS employee id (with `[uis] api_key`, and the agent's own
//! caller ID or `[uis] virtual_number`) places `start.employee_call`, or
//! `start.scenario_call` with `scenario_id`; a Sipuni extension (with `[sipuni] user` and
//! `secret`) places `callback/call_number`, or `callback/call_tree` with `tree`. UIS is tried
//! first when both fit, unless `provider`, `scenario_id` or `tree` says otherwise.
//! `"case"?: "uis:…"` names the case the agent calls back from: it is claimed first
//! ([`crate::cases::claims`]), and a colleague's live claim answers 409 without a call.
//!
//! A UIS call is recorded with the agent who placed it ([`crate::placed`]) before UIS is
//! asked, so its events reach that agent whoever answers.
//!
//! Answers `202 {"call_id": …, "provider": …, "to": "+7…"}`: `uis:{call_session_id}` for UIS,
//! the same id as the call's events; for Sipuni, whose call id only arrives with event 1,
//! `sipuni-callback:{id}` with the id Sipuni gave (`callId`, `callbackId` or `id`), or with an
//! id the relay made when it gave none. Errors: see [`super::error`] and docs/protocol.md.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use chrono::Utc;
use serde::Deserialize;
use serde_json::{Value, json};
use trubka_core::{PhoneNumber, Provider};
use trubka_pbx::DialNumber;
use trubka_pbx::uis::{EmployeeCall, ScenarioCall};

use super::auth;
use super::customer::customer_number;
use super::error::ApiError;
use crate::agents::Agent;
use crate::cases::claims;
use crate::relay::AppState;

#[derive(Debug, Deserialize)]
struct CallRequest {
    #[serde(default)]
    to: Option<String>,
    #[serde(default)]
    scenario_id: Option<Value>,
    #[serde(default)]
    tree: Option<String>,
    /// A scenario or scheme by name.
    #[serde(default)]
    scenario: Option<String>,
    #[serde(default)]
    provider: Option<String>,
    /// The key of the case the agent calls back from: claimed before the PBX is asked, so a
    /// colleague's claim (409) stops a second call-back.
    #[serde(default)]
    case: Option<String>,
}

pub(crate) async fn place(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let agent = auth::agent(&state, auth::bearer(&headers)).await?;
    let request: CallRequest = serde_json::from_slice(&body).map_err(|e| {
        ApiError::BadRequest(format!(
            "the body must be JSON like {{\"to\":\"+79261234567\"}}: {e}"
        ))
    })?;
    let to = customer_number(
        &state,
        request.to.as_deref(),
        "to",
        "звонок клиенту из Trubka идёт на городской или мобильный номер",
    )?;
    let mut request = request;
    by_name(&state, &agent, &mut request).await?;
    let provider = choose(&state, &agent, &request)?;
    if let Some(key) = request.case.clone() {
        let claimer = agent.clone();
        state
            .cases
            .run(move |worker| claims::claim(worker, &key, &claimer, Utc::now()))
            .await?;
    }
    let placed = match provider {
        Provider::Uis => uis(&state, &agent, &to, &request).await,
        Provider::Sipuni => sipuni(&state, &agent, &to, request.tree.as_deref()).await,
    };
    state.metrics.call_placed(provider, placed.is_ok());
    let call_id = placed.inspect_err(|error| {
        tracing::warn!(agent = %agent.name, %provider, %error, "click-to-call refused");
    })?;
    tracing::info!(agent = %agent.name, %provider, %call_id, "click-to-call placed");
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({"call_id": call_id, "provider": provider.as_str(), "to": to.e164()})),
    ))
}

/// Turns `scenario` (a name) into `scenario_id` or `tree`, among what the agent may use.
async fn by_name(
    state: &AppState,
    agent: &Agent,
    request: &mut CallRequest,
) -> Result<(), ApiError> {
    let Some(name) = request.scenario.as_deref().map(str::trim) else {
        return Ok(());
    };
    if request.scenario_id.is_some() || request.tree.is_some() {
        return Err(ApiError::BadRequest(
            "give either scenario (a name) or scenario_id / tree, not both".to_owned(),
        ));
    }
    if name.is_empty() {
        return Err(ApiError::BadRequest(
            "scenario is empty: give a name from GET /v1/scenarios".to_owned(),
        ));
    }
    let provider = match request.provider.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => Provider::parse(text),
    };
    let (uis, sipuni) = super::scenarios::reach(state, agent);
    let route = state
        .choices
        .route(uis, sipuni, name, provider)
        .await
        .map_err(super::scenarios::choice_error)?;
    match route.provider {
        Provider::Uis => request.scenario_id = Some(Value::String(route.id)),
        Provider::Sipuni => request.tree = Some(route.id),
    }
    Ok(())
}

/// The PBX to place the call through, from the agent's mapping and the request.
fn choose(state: &AppState, agent: &Agent, request: &CallRequest) -> Result<Provider, ApiError> {
    let uis_ready = agent.uis_employee.is_some() && state.pbx.uis.is_some();
    let sipuni_ready = agent.sipuni_ext.is_some() && state.pbx.sipuni.is_some();
    let wanted = match request.provider.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(Provider::parse(text).ok_or_else(|| {
            ApiError::BadRequest(format!(
                "provider must be \"uis\" or \"sipuni\", not {text:?}"
            ))
        })?),
    };
    let wanted = wanted
        .or(request.scenario_id.as_ref().map(|_| Provider::Uis))
        .or(request.tree.as_ref().map(|_| Provider::Sipuni));
    match wanted {
        Some(Provider::Uis) if uis_ready => Ok(Provider::Uis),
        Some(Provider::Sipuni) if sipuni_ready => Ok(Provider::Sipuni),
        Some(provider) => Err(not_configured(state, agent, Some(provider))),
        None if uis_ready => Ok(Provider::Uis),
        None if sipuni_ready => Ok(Provider::Sipuni),
        None => Err(not_configured(state, agent, None)),
    }
}

/// What is missing, in words an agent can pass on to the admin.
fn not_configured(state: &AppState, agent: &Agent, provider: Option<Provider>) -> ApiError {
    let uis = match (&agent.uis_employee, state.pbx.uis.is_some()) {
        (None, _) => "у оператора не указан ID сотрудника UIS (agent add --uis-employee)",
        (Some(_), false) => "в настройках релея не задан ключ API UIS ([uis] api_key)",
        (Some(_), true) => "",
    };
    let sipuni = match (&agent.sipuni_ext, state.pbx.sipuni.is_some()) {
        (None, _) => "у оператора не указан внутренний номер Sipuni (agent add --sipuni-ext)",
        (Some(_), false) => {
            "в настройках релея не заданы номер кабинета и ключ Sipuni ([sipuni] user, secret)"
        }
        (Some(_), true) => "",
    };
    let reasons = match provider {
        Some(Provider::Uis) => uis.to_owned(),
        Some(Provider::Sipuni) => sipuni.to_owned(),
        None => format!("{uis}; {sipuni}"),
    };
    ApiError::NotConfigured(format!(
        "Звонки из Trubka для оператора «{}» не настроены: {reasons}. Обратитесь к \
         администратору релея.",
        agent.name
    ))
}

async fn uis(
    state: &AppState,
    agent: &Agent,
    to: &PhoneNumber,
    request: &CallRequest,
) -> Result<String, ApiError> {
    let Some(api) = state.pbx.uis.as_ref() else {
        return Err(not_configured(state, agent, Some(Provider::Uis)));
    };
    // The agent's own caller ID (`agent add --virtual-number`), else the relay's.
    let own = agent
        .virtual_number
        .as_deref()
        .and_then(|number| DialNumber::parse(number).ok());
    let virtual_number = own.or_else(|| api.virtual_number.clone()).ok_or_else(|| {
        ApiError::NotConfigured(
            "Звонки через UIS не настроены: в настройках релея не задан виртуальный номер для \
             исходящих звонков ([uis] virtual_number или agent add --virtual-number). \
             Обратитесь к администратору релея."
                .to_owned(),
        )
    })?;
    let employee = agent.uis_employee.as_deref().unwrap_or_default();
    let employee_id: u64 = employee.trim().parse().map_err(|_| {
        ApiError::NotConfigured(format!(
            "ID сотрудника UIS оператора «{}» — «{employee}», а должен быть числом \
             (agent add --uis-employee). Обратитесь к администратору релея.",
            agent.name
        ))
    })?;
    let placing = external_id(agent);
    // Recorded before UIS is asked: a notification may arrive before UIS answers the relay.
    state
        .placed
        .placing(placing.clone(), agent.id)
        .await
        .map_err(ApiError::Internal)?;
    let external_id = Some(placing.clone());
    let session = match &request.scenario_id {
        Some(value) => {
            let scenario_id = scenario_id(value)?;
            let mut call = ScenarioCall::new(scenario_id, DialNumber::from(to), virtual_number);
            call.external_id = external_id;
            api.client.start_scenario_call(&call).await
        }
        None => {
            let mut call = EmployeeCall::new(employee_id, DialNumber::from(to), virtual_number);
            call.external_id = external_id;
            call.switch_at_once = true;
            api.client.start_employee_call(&call).await
        }
    }
    .map_err(ApiError::Pbx)?;
    let call_id = format!("uis:{session}");
    if let Err(error) = state.placed.placed(placing, call_id.clone()).await {
        // The call is placed; its notifications still carry the recorded external_id.
        tracing::warn!(%error, %call_id, "cannot note the placed call's id");
    }
    Ok(call_id)
}

/// `trubka:{agent id}:{random}`: comes back in notifications (`external_id`) and in the calls
/// report (`call_api_external_id`), so a call can be tied to the agent who placed it.
fn external_id(agent: &Agent) -> String {
    format!(
        "trubka:{}:{}",
        agent.id,
        hex::encode(rand::random::<[u8; 6]>())
    )
}

fn scenario_id(value: &Value) -> Result<u64, ApiError> {
    let parsed = match value {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    };
    parsed.ok_or_else(|| {
        ApiError::BadRequest(format!(
            "scenario_id must be a UIS scenario id (a number), not {value}"
        ))
    })
}

async fn sipuni(
    state: &AppState,
    agent: &Agent,
    to: &PhoneNumber,
    tree: Option<&str>,
) -> Result<String, ApiError> {
    let Some(api) = state.pbx.sipuni.as_ref() else {
        return Err(not_configured(state, agent, Some(Provider::Sipuni)));
    };
    let extension = agent.sipuni_ext.as_deref().unwrap_or_default();
    let phone = DialNumber::from(to);
    let accepted = match tree {
        Some(tree) => {
            api.client
                .call_tree(&phone, extension, tree, Default::default())
                .await
        }
        None => {
            api.client
                .call_number(&phone, extension, false, false)
                .await
        }
    }
    .map_err(ApiError::Pbx)?;
    let reference = accepted
        .reference()
        .map(str::to_owned)
        .unwrap_or_else(|| format!("r{}", hex::encode(rand::random::<[u8; 6]>())));
    Ok(format!("sipuni-callback:{reference}"))
}
