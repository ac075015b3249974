//! The UIS JSON-RPC 2.0 front of both APIs (reference A.2): the envelope, authentication,
//! the IP allow-list, tariff components, points budgets, and the answers' shapes.
//!
//! A request is checked in this order, each failure answered with UIS's code and mnemonic:
//!
//! 1. the body is JSON (`-32700 parse_error`), an object (an array is
//!    `-32099 batch_opreations_not_supported`, sic), with `"jsonrpc": "2.0"`, an `id`
//!    (absent: `-32099 notifications_not_supported`; not a string or number:
//!    `-32600 invalid_request`) and a string `method`;
//! 2. the method exists on this API (`-32601 method_not_found`);
//! 3. `params` is an object whose `access_token` is the configured key
//!    (`-32001 access_token_invalid`; no key configured refuses every token);
//! 4. the peer's address is on the allow-list (`-32003 ip_not_whitelisted`; an empty list,
//!    a new cabinet's, refuses every address);
//! 5. the method's tariff option is on (`-32008 component_disabled`, or
//!    `method_component_disabled` on the Data API);
//!    then the method is one the key's user has rights to (`-32003 forbidden`,
//!    `forbidden_methods`);
//! 6. a point is left in the minute and day budgets (`-32029 limit_exceeded`);
//! 7. the method's own checks (`-32602 …`, `-32007 …`, `-32002 contact_in_blacklist`).
//!
//! Failures of steps 1–5 cost nothing; a failure in step 7 gives the point back. Every answer
//! is HTTP 200 with `Content-Type: application/json; charset=UTF-8`; successes carry
//! `result.metadata.limits` (and `total_items` for `get.*` lists), limit errors carry the
//! same block in `error.data.metadata.limits`.

use std::{net::SocketAddr, sync::Arc, time::Instant};

use axum::{
    body::to_bytes,
    extract::{ConnectInfo, Request, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use chrono::Utc;
use serde_json::{Map, Value, json};

use crate::{
    api::{
        limits::{Limits, UisApi},
        uis_call, uis_catalog, uis_contacts, uis_control, uis_data, uis_notifications, uis_offline,
        uis_params::Params,
        uis_status, uis_tags,
    },
    config::UisComponent,
    request_log::{MAX_BODY, RequestNote},
    sim::Sim,
};

/// A JSON-RPC error as UIS sends it.
#[derive(Debug, Clone, PartialEq)]
pub struct RpcError {
    /// `error.code`.
    pub code: i64,
    /// `error.data.mnemonic`.
    pub mnemonic: &'static str,
    /// `error.message`.
    pub message: String,
    detail: Box<Detail>,
}

/// The rarer parts of an error, boxed to keep results small.
#[derive(Debug, Clone, PartialEq, Default)]
struct Detail {
    field: Option<String>,
    value: Value,
    limits: Option<Limits>,
}

impl RpcError {
    /// An error with no field.
    pub fn new(code: i64, mnemonic: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            mnemonic,
            message: message.into(),
            detail: Box::default(),
        }
    }

    /// The same error about `field` holding `value`.
    pub fn at(mut self, field: &str, value: &Value) -> Self {
        self.detail.field = Some(field.to_owned());
        self.detail.value = value.clone();
        self
    }

    /// The same error with the limits it reports.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.detail.limits = Some(limits);
        self
    }

    /// `error.data.field`.
    pub fn field(&self) -> Option<&str> {
        self.detail.field.as_deref()
    }

    /// `required_parameter_missed`.
    pub fn missing(field: &str) -> Self {
        Self::new(
            -32602,
            "required_parameter_missed",
            "The required parameter has been missed",
        )
        .at(field, &Value::Null)
    }

    /// `data_type_error`.
    pub fn data_type(field: &str, value: &Value) -> Self {
        Self::new(-32602, "data_type_error", "Data supplied is of wrong type").at(field, value)
    }

    /// `invalid_parameter_value`.
    pub fn invalid_value(field: &str, value: &Value) -> Self {
        Self::new(-32602, "invalid_parameter_value", "Invalid parameter value").at(field, value)
    }

    /// `unexpected_parameters`.
    pub fn unexpected(field: &str) -> Self {
        Self::new(
            -32602,
            "unexpected_parameters",
            "Unexpected method parameter(s)",
        )
        .at(field, &Value::Null)
    }

    /// `invalid_parameters_combination`.
    pub fn combination(field: &str, value: &Value) -> Self {
        Self::new(
            -32602,
            "invalid_parameters_combination",
            "Invalid combination of parameters",
        )
        .at(field, value)
    }
}

/// What a method returns.
#[derive(Debug, Clone, PartialEq)]
pub struct Success {
    /// `result.data`.
    pub data: Value,
    /// `result.metadata.total_items` of `get.*` lists.
    pub total_items: Option<u64>,
    /// The call the method started, for the request log.
    pub call_id: Option<String>,
}

impl Success {
    /// Plain data.
    pub fn data(data: Value) -> Self {
        Self {
            data,
            total_items: None,
            call_id: None,
        }
    }
}

type Method = fn(&Arc<Sim>, Params<'_>) -> Result<Success, RpcError>;

/// The methods of each API and the tariff option each needs.
const CALL_API: &[(&str, UisComponent, Method)] = &[
    (
        "start.employee_call",
        UisComponent::CallApiBasic,
        uis_call::start_employee_call,
    ),
    (
        "start.scenario_call",
        UisComponent::CallApiScenario,
        uis_call::start_scenario_call,
    ),
    (
        "release.call",
        UisComponent::CallApiBasic,
        uis_call::release_call,
    ),
    (
        "list.calls",
        UisComponent::CallApiManagement,
        uis_call::list_calls,
    ),
    (
        "hold.call",
        UisComponent::CallApiManagement,
        uis_control::hold_call,
    ),
    (
        "unhold.call",
        UisComponent::CallApiManagement,
        uis_control::unhold_call,
    ),
    (
        "make.call",
        UisComponent::CallApiManagement,
        uis_control::make_call,
    ),
    (
        "transfer.talk",
        UisComponent::CallApiManagement,
        uis_control::transfer_talk,
    ),
    (
        "restore.talk",
        UisComponent::CallApiManagement,
        uis_control::restore_talk,
    ),
    (
        "add.coach",
        UisComponent::CallApiManagement,
        uis_control::add_coach,
    ),
];

const DATA_API: &[(&str, UisComponent, Method)] = &[
    (
        "get.calls_report",
        UisComponent::DataApi,
        uis_data::get_calls_report,
    ),
    (
        "get.employees",
        UisComponent::DataApi,
        uis_catalog::get_employees,
    ),
    (
        "get.virtual_numbers",
        UisComponent::DataApi,
        uis_catalog::get_virtual_numbers,
    ),
    (
        "get.scenarios",
        UisComponent::DataApi,
        uis_catalog::get_scenarios,
    ),
    (
        "get.account",
        UisComponent::DataApi,
        uis_catalog::get_account,
    ),
    (
        "get.statuses",
        UisComponent::DataApi,
        uis_status::get_statuses,
    ),
    (
        "update.employees",
        UisComponent::DataApi,
        uis_status::update_employees,
    ),
    ("get.sites", UisComponent::DataApi, uis_offline::get_sites),
    (
        "get.campaigns",
        UisComponent::DataApi,
        uis_offline::get_campaigns,
    ),
    // «Data API для настройки» in the docs; the simulator does not split the Data API.
    (
        "get.reports_list",
        UisComponent::DataApi,
        uis_notifications::get_reports_list,
    ),
    (
        "get.notifications",
        UisComponent::DataApi,
        uis_notifications::get_notifications,
    ),
    ("get.tags", UisComponent::DataApi, uis_tags::get_tags),
    ("create.tags", UisComponent::DataApi, uis_tags::create_tags),
    (
        "set.tag_communications",
        UisComponent::DataApi,
        uis_tags::set_tag_communications,
    ),
    (
        "unset.tag_communications",
        UisComponent::DataApi,
        uis_tags::unset_tag_communications,
    ),
    (
        "get.contacts",
        UisComponent::DataApi,
        uis_contacts::get_contacts,
    ),
    (
        "upload.offline_messages",
        UisComponent::UploadOfflineMessages,
        uis_offline::upload_offline_messages,
    ),
];

/// `POST /uis/callapi/v4.0`.
pub async fn call_api(State(sim): State<Arc<Sim>>, request: Request) -> Response {
    serve(UisApi::Call, sim, request).await
}

/// `POST /uis/dataapi/v2.0`.
pub async fn data_api(State(sim): State<Arc<Sim>>, request: Request) -> Response {
    serve(UisApi::Data, sim, request).await
}

async fn serve(api: UisApi, sim: Arc<Sim>, request: Request) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip());
    let note = request.extensions().get::<Arc<RequestNote>>().cloned();
    let note = note.unwrap_or_default();
    let Ok(body) = to_bytes(request.into_body(), MAX_BODY).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "request body too large\n").into_response();
    };
    let (id, outcome) = match answer(api, &sim, peer, &note, &body) {
        Ok((id, success, limits)) => {
            note.outcome("ok");
            if let Some(call_id) = &success.call_id {
                note.call(call_id);
            }
            (id, Ok((success, limits)))
        }
        Err(failure) => {
            let (id, error) = *failure;
            note.outcome(error.mnemonic);
            (id, Err(error))
        }
    };
    let body = match outcome {
        Ok((success, limits)) => {
            let mut metadata = json!({"limits": limits});
            if let Some(total) = success.total_items {
                metadata["total_items"] = json!(total);
            }
            json!({"jsonrpc": "2.0", "id": id, "result": {"data": success.data, "metadata": metadata}})
        }
        Err(error) => {
            let mut data = json!({
                "mnemonic": error.mnemonic,
                "field": error.detail.field,
                "value": error.detail.value,
                "params": {},
                "extended_helper": null,
            });
            if let Some(limits) = error.detail.limits {
                data["metadata"] = json!({"limits": limits});
            }
            json!({"jsonrpc": "2.0", "id": id,
                   "error": {"code": error.code, "message": error.message, "data": data}})
        }
    };
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=UTF-8"),
        )],
        body.to_string(),
    )
        .into_response()
}

type Answer = Result<(Value, Success, Limits), Box<(Value, RpcError)>>;

/// Runs the checks and the method; returns the id to echo with the result or error.
fn answer(
    api: UisApi,
    sim: &Arc<Sim>,
    peer: Option<std::net::IpAddr>,
    note: &RequestNote,
    body: &[u8],
) -> Answer {
    let envelope: Value = serde_json::from_slice(body).map_err(|_| {
        Box::new((
            Value::Null,
            RpcError::new(-32700, "parse_error", "Parse error"),
        ))
    })?;
    let object = match envelope {
        Value::Object(object) => object,
        Value::Array(_) => {
            let error = RpcError::new(
                -32099,
                "batch_opreations_not_supported",
                "Batch operations are not supported",
            );
            return Err(Box::new((Value::Null, error)));
        }
        _ => {
            let error = invalid_request("The JSON sent is not a valid Request object");
            return Err(Box::new((Value::Null, error)));
        }
    };
    let id = match object.get("id") {
        None => {
            let error = RpcError::new(
                -32099,
                "notifications_not_supported",
                "Notifications are not supported",
            );
            return Err(Box::new((Value::Null, error)));
        }
        Some(id @ (Value::String(_) | Value::Number(_))) => id.clone(),
        Some(other) => {
            return Err(Box::new((
                Value::Null,
                invalid_request("Invalid id").at("id", other),
            )));
        }
    };
    let fail = |error: RpcError| Box::new((id.clone(), error));
    if object.get("jsonrpc") != Some(&json!("2.0")) {
        let value = object.get("jsonrpc").cloned().unwrap_or(Value::Null);
        return Err(fail(
            invalid_request("jsonrpc must be exactly \"2.0\"").at("jsonrpc", &value),
        ));
    }
    let Some(Value::String(method)) = object.get("method") else {
        let value = object.get("method").cloned().unwrap_or(Value::Null);
        return Err(fail(invalid_request("Invalid method").at("method", &value)));
    };
    note.operation(method);
    let table = match api {
        UisApi::Call => CALL_API,
        UisApi::Data => DATA_API,
    };
    let Some(&(_, component, run)) = table.iter().find(|(name, _, _)| name == method) else {
        return Err(fail(
            RpcError::new(-32601, "method_not_found", "Method not found")
                .at("method", &json!(method)),
        ));
    };
    let empty = Map::new();
    let params = match object.get("params") {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(params)) => params,
        Some(other) => return Err(fail(RpcError::data_type("params", other))),
    };
    authenticate(sim, params, note).map_err(fail)?;
    // An empty list refuses everyone, as a new cabinet does until an address is added.
    if !peer.is_some_and(|ip| sim.config.uis.allowed_ips.iter().any(|r| r.contains(ip))) {
        let address = peer.map(|ip| ip.to_canonical().to_string());
        let error = RpcError::new(
            -32003,
            "ip_not_whitelisted",
            format!(
                "Your IP {} is not whitelisted",
                address.as_deref().unwrap_or("unknown")
            ),
        )
        .at("ip", &address.map_or(Value::Null, Value::String));
        return Err(fail(error));
    }
    if sim.config.uis.disabled_components.contains(&component) {
        let mnemonic = match api {
            UisApi::Call => "component_disabled",
            UisApi::Data => "method_component_disabled",
        };
        // The docs' wording (sic: "at least on of").
        let message = format!(
            "You need at least on of the following components to access this method: {}",
            component.as_str()
        );
        return Err(fail(RpcError::new(-32008, mnemonic, message)));
    }
    // The key's user's rights («Доступ к API» per method in the cabinet): like a missing
    // component, a refusal that costs nothing.
    if sim.config.uis.forbidden_methods.iter().any(|m| m == method) {
        return Err(fail(
            RpcError::new(-32003, "forbidden", "Permission denied").at("method", &json!(method)),
        ));
    }
    let limits = sim
        .budgets
        .reserve(api, Instant::now(), Utc::now())
        .map_err(|(scope, limits)| {
            let message = format!(
                "Limit per {} has been exceeded. Please try again later",
                scope.as_str()
            );
            fail(RpcError::new(-32029, "limit_exceeded", message).with_limits(limits))
        })?;
    match run(sim, Params::new(params)) {
        Ok(success) => Ok((id, success, limits)),
        Err(error) => {
            sim.budgets.refund(api);
            Err(fail(error))
        }
    }
}

fn invalid_request(message: &str) -> RpcError {
    RpcError::new(-32600, "invalid_request", message)
}

fn authenticate(
    sim: &Sim,
    params: &Map<String, Value>,
    note: &RequestNote,
) -> Result<(), RpcError> {
    let token = match params.get("access_token") {
        None | Some(Value::Null) => return Err(RpcError::missing("access_token")),
        Some(Value::String(token)) => token,
        Some(other) => return Err(RpcError::data_type("access_token", other)),
    };
    let ok = sim
        .config
        .uis
        .api_key
        .as_deref()
        .is_some_and(|key| !key.is_empty() && key == token);
    note.signature(ok);
    if ok {
        Ok(())
    } else {
        Err(RpcError::new(
            -32001,
            "access_token_invalid",
            "Invalid access token",
        ))
    }
}
