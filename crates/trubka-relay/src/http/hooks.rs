//! Webhook intake: `/hooks/uis/{token}[/{kind}]` and `/hooks/sipuni/{token}`, GET or POST.
//!
//! Order of checks: the hook token (404 when wrong, before anything else is revealed), the
//! body size (413), the payload (400, kept in `rejected` and logged), then the durable store.
//! The 200 is sent only after the writer has committed the events.

use std::sync::Arc;
use std::time::Instant;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use chrono::{FixedOffset, Utc};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use trubka_core::{CallEvent, EventKind, PhoneNumber, Provider};
use trubka_protocol::{
    HookRequest, ParseOptions, PayloadError, UIS_URL_KINDS, event_to_json, parse_sipuni_with,
    parse_uis_with, uis_url_kind,
};

use super::error::{ApiError, SipuniError};
use crate::directory::crm::{CrmLookup, NewCall};
use crate::metrics::HookOutcome;
use crate::relay::AppState;
use crate::store::writer::{PreparedEvent, Rejection, StoredEvent};

/// Largest webhook body accepted; real notifications are a few kilobytes.
pub(crate) const MAX_BODY: usize = 1024 * 1024;
/// How much of a rejected body goes to the log.
const LOGGED_BODY: usize = 2048;
/// How much of a rejected body is kept in the database: enough to see what the template
/// sent, while 10,000 kept rejections stay well under a gigabyte even if all are huge.
const KEPT_BODY: usize = 64 * 1024;

/// What arrived, before the token is checked.
struct Arrival {
    token: String,
    query: Option<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
}

pub(crate) async fn uis(
    State(state): State<AppState>,
    Path(token): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let arrival = Arrival {
        token,
        query,
        headers,
        body,
    };
    uis_hook(state, arrival, None).await
}

pub(crate) async fn uis_with_kind(
    State(state): State<AppState>,
    Path((token, kind)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let arrival = Arrival {
        token,
        query,
        headers,
        body,
    };
    // The token is checked first so an unknown kind says nothing about the token either.
    if let Err(refused) = check_token(&arrival.token, &state.hook_tokens.uis) {
        refuse(&state, Provider::Uis, &arrival, Refusal::WrongToken).await;
        return Err(refused);
    }
    let Some(kind) = uis_url_kind(&kind) else {
        refuse(&state, Provider::Uis, &arrival, Refusal::UnknownKind(&kind)).await;
        return Err(ApiError::UnknownHookKind {
            word: kind.clone(),
            accepted: UIS_URL_KINDS.join(", "),
        });
    };
    uis_hook(state, arrival, Some(kind)).await
}

async fn uis_hook(
    state: AppState,
    arrival: Arrival,
    kind: Option<EventKind>,
) -> Result<Json<Value>, ApiError> {
    let expected = state.hook_tokens.uis.clone();
    let stored = receive(
        &state,
        Provider::Uis,
        &expected,
        state.uis_utc_offset,
        arrival,
        |request, options| parse_uis_with(request, kind, &state.phones, options),
    )
    .await?;
    let ids: Vec<&str> = stored.iter().map(|s| s.id.as_str()).collect();
    Ok(Json(json!({"ok": true, "events": ids})))
}

pub(crate) async fn sipuni(
    State(state): State<AppState>,
    Path(token): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, SipuniError> {
    let arrival = Arrival {
        token,
        query,
        headers,
        body,
    };
    let expected = state.hook_tokens.sipuni.clone();
    receive(
        &state,
        Provider::Sipuni,
        &expected,
        state.sipuni_utc_offset,
        arrival,
        |request, options| parse_sipuni_with(request, &state.phones, options),
    )
    .await?;
    Ok(Json(json!({"success": true})))
}

/// The common path of every webhook; returns once its events are durable. `utc_offset` is
/// the provider's account time zone, for payload times written without an offset.
async fn receive(
    state: &AppState,
    provider: Provider,
    expected_token: &str,
    utc_offset: FixedOffset,
    arrival: Arrival,
    parse: impl FnOnce(&HookRequest<'_>, &ParseOptions) -> Result<Vec<CallEvent>, PayloadError>,
) -> Result<Vec<StoredEvent>, ApiError> {
    let started = Instant::now();
    if let Err(refused) = check_token(&arrival.token, expected_token) {
        refuse(state, provider, &arrival, Refusal::WrongToken).await;
        return Err(refused);
    }
    let metrics = &state.metrics;
    metrics.webhook_received(provider);
    let body = arrival.body.map_err(|rejection| {
        metrics.webhook_done(provider, HookOutcome::Rejected, 0);
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge { limit: MAX_BODY }
        } else {
            ApiError::BadRequest(rejection.body_text())
        }
    })?;
    let query = arrival.query.unwrap_or_default();
    let content_type = arrival
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let request = HookRequest {
        query: &query,
        content_type,
        body: &body,
    };
    // The arrival time is `at` only for payloads without a time of their own (EnvyCRM-style
    // GET templates); a retry of such a payload is still a duplicate, by id.
    let options = ParseOptions {
        utc_offset,
        received_at: Some(Utc::now()),
    };
    let events = match parse(&request, &options) {
        Ok(events) => events,
        Err(error) => {
            metrics.webhook_done(provider, HookOutcome::Rejected, 0);
            tracing::warn!(
                %provider,
                code = error.code,
                message = %error.message,
                query = %query,
                content_type = content_type.unwrap_or(""),
                body = %String::from_utf8_lossy(&body[..body.len().min(LOGGED_BODY)]),
                "rejected a webhook payload"
            );
            let rejection = Rejection {
                provider,
                reason_code: error.code.to_owned(),
                message: error.message.clone(),
                query,
                body: body[..body.len().min(KEPT_BODY)].to_vec(),
            };
            state.writer.reject(rejection).await;
            return Err(ApiError::BadPayload(error));
        }
    };
    // Each event's call and client number, for the CRM lookup of a call's first event.
    let callers: Vec<(String, Option<PhoneNumber>)> = events
        .iter()
        .map(|e| (e.call_id.0.clone(), e.contact.phone.clone()))
        .collect();
    // Serialised here, on the async workers, so the single writer thread only writes.
    let prepared = events
        .into_iter()
        .map(|event| PreparedEvent {
            json: event_to_json(&event),
            event,
        })
        .collect();
    let stored = state.writer.ingest(prepared, true).await.map_err(|error| {
        metrics.webhook_done(provider, HookOutcome::Failed, 0);
        ApiError::Unavailable(error)
    })?;
    let outcome = if !stored.is_empty() && stored.iter().all(|s| s.duplicate) {
        HookOutcome::Duplicate
    } else {
        HookOutcome::Stored
    };
    metrics.webhook_done(provider, outcome, started.elapsed().as_micros() as u64);
    if let Some(crm) = &state.crm {
        look_up_new_callers(crm, &stored, callers);
    }
    Ok(stored)
}

/// Hands each call this webhook opened, with a phone number for its client, to the CRM
/// lookup, which runs on its own: the 200 goes to the PBX now (the frames have gone out).
fn look_up_new_callers(
    crm: &Arc<CrmLookup>,
    stored: &[StoredEvent],
    callers: Vec<(String, Option<PhoneNumber>)>,
) {
    for (event, (call_id, number)) in stored.iter().zip(callers) {
        if let (Some(audience), Some(number)) = (&event.opened_call, number) {
            crm.call_opened(NewCall {
                call_id,
                number,
                audience: audience.clone(),
            });
        }
    }
}

/// Why a request to a hook URL was turned away before its payload was read.
enum Refusal<'a> {
    WrongToken,
    UnknownKind(&'a str),
}

/// Leaves a trace of a request turned away at the door, so an admin whose cabinet has an old
/// or mistyped URL finds it in `trubka-relay status`, the log and /metrics. The token itself
/// is never kept: the path is not stored, only the query and body.
async fn refuse(state: &AppState, provider: Provider, arrival: &Arrival, refusal: Refusal<'_>) {
    let (code, message) = match refusal {
        Refusal::WrongToken => {
            state.metrics.webhook_wrong_token(provider);
            (
                "wrong_token",
                format!(
                    "the hook token in the URL is not this relay's: the {provider} cabinet has \
                     an old or mistyped URL; copy it again from `trubka-relay {}`",
                    match provider {
                        Provider::Uis => "uis-templates",
                        Provider::Sipuni => "sipuni-setup",
                    }
                ),
            )
        }
        Refusal::UnknownKind(word) => (
            "unknown_hook_kind",
            format!(
                "the URL ends in «{word}», which is no event kind; accepted: {}",
                UIS_URL_KINDS.join(", ")
            ),
        ),
    };
    let query = arrival.query.clone().unwrap_or_default();
    tracing::warn!(%provider, code, %query, "refused a webhook: {message}");
    let body = arrival
        .body
        .as_ref()
        .map(|body| body[..body.len().min(KEPT_BODY)].to_vec())
        .unwrap_or_default();
    state
        .writer
        .reject(Rejection {
            provider,
            reason_code: code.to_owned(),
            message,
            query,
            body,
        })
        .await;
}

/// 404 unless `given` is the hook token. Compares digests, whose bytes an attacker cannot
/// steer, with a loop that does not stop early, so response timing says nothing about how
/// much of a guess was right.
pub(super) fn check_token(given: &str, expected: &str) -> Result<(), ApiError> {
    let given = Sha256::digest(given.as_bytes());
    let expected = Sha256::digest(expected.as_bytes());
    let difference = given
        .iter()
        .zip(expected.iter())
        .fold(0u8, |acc, (a, b)| acc | (a ^ b));
    if std::hint::black_box(difference) == 0 {
        Ok(())
    } else {
        Err(ApiError::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_token_passes() {
        assert!(check_token("abc123", "abc123").is_ok());
        assert!(check_token("abc124", "abc123").is_err());
        assert!(check_token("abc12", "abc123").is_err());
        assert!(check_token("", "abc123").is_err());
    }
}
