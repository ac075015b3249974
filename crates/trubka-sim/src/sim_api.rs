//! The simulator's own control API under `/sim`.
//!
//! - `POST /sim/calls` starts a call ([`CallRequest`]) and answers `202 {"call_id":"uis:…"}`
//!   at once; the notifications follow in the background. A request the cast cannot play
//!   gets `400 {"error":{"code":…,"message":…}}`.
//! - `GET /sim/requests[?since=SEQ]` lists the API requests received (method, path, query,
//!   parsed params); `DELETE /sim/requests` forgets them.
//! - `GET /sim/deliveries` lists the notifications sent to the relay and how it answered.
//!
//! The UIS cabinet's address book («Адресная книга», [`crate::address_book`]), for tests:
//!
//! - `GET /sim/uis/contacts` lists the contacts as `get.contacts` rows with every field, in
//!   `id` order.
//! - `PUT /sim/uis/contacts/{id}` creates or replaces contact `id` from
//!   [`ContactForm`]'s JSON: `last_name`, `first_name`, `patronymic`, `organization_name`,
//!   `phone_numbers` (as people type them, stored as E.164 digits), `emails`, `groups` (names;
//!   a new name makes a group), `personal_manager_full_name` (an employee's name as
//!   `get.employees` gives it) or `personal_manager_id`; all optional, but a contact needs a
//!   name or an organisation and 1–10 phone numbers no other contact has, and at most 10
//!   e-mails, each list without repeats. Answers `201` with the stored row when it is new,
//!   `200` when it replaced one.
//! - `DELETE /sim/uis/contacts/{id}` answers `204`, or `404` when there is no such contact.
//!
//! A body that is not such JSON, an invalid field or id is `400`, a number another contact
//! has `409`, each `{"error":{"code":…,"message":…}}`. UIS notifications of the calls that
//! come after a change name the caller from the book as it is then.

use std::sync::Arc;

use axum::{
    Extension, Json,
    extract::{
        Path, Query, State,
        rejection::{JsonRejection, PathRejection},
    },
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::{
    address_book::{BookError, ContactForm},
    request_log::{LoggedRequest, RequestNote},
    scenario::CallRequest,
    sender::Delivery,
    sim::Sim,
};

fn error(status: StatusCode, code: &str, message: String) -> Response {
    (
        status,
        Json(json!({"error": {"code": code, "message": message}})),
    )
        .into_response()
}

/// `POST /sim/calls`.
pub async fn start_call(
    State(sim): State<Arc<Sim>>,
    note: Option<Extension<Arc<RequestNote>>>,
    body: Result<Json<CallRequest>, JsonRejection>,
) -> Response {
    let note = note.map(|Extension(note)| note).unwrap_or_default();
    let Json(request) = match body {
        Ok(body) => body,
        Err(rejection) => {
            note.outcome("invalid_request");
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                rejection.body_text(),
            );
        }
    };
    match sim.start_call(&request) {
        Ok(call_id) => {
            note.outcome("ok");
            note.call(&call_id);
            (StatusCode::ACCEPTED, Json(json!({"call_id": call_id}))).into_response()
        }
        Err(e) => {
            note.outcome(e.code());
            error(StatusCode::BAD_REQUEST, e.code(), e.to_string())
        }
    }
}

/// Query of `GET /sim/requests`.
#[derive(Debug, Deserialize)]
pub struct Since {
    /// Only requests numbered above this.
    #[serde(default)]
    since: u64,
}

/// `GET /sim/requests`.
pub async fn list_requests(
    State(sim): State<Arc<Sim>>,
    Query(query): Query<Since>,
) -> Json<Vec<LoggedRequest>> {
    Json(sim.requests.since(query.since))
}

/// `DELETE /sim/requests`.
pub async fn clear_requests(State(sim): State<Arc<Sim>>) -> StatusCode {
    sim.requests.clear();
    StatusCode::NO_CONTENT
}

/// `GET /sim/deliveries`.
pub async fn list_deliveries(State(sim): State<Arc<Sim>>) -> Json<Vec<Delivery>> {
    Json(sim.sender.log.snapshot())
}

/// `GET /sim/uis/contacts`.
pub async fn list_contacts(State(sim): State<Arc<Sim>>) -> Json<Vec<Value>> {
    Json(sim.address_book.list().iter().map(|c| c.row()).collect())
}

/// A contact id from the path: a positive number, as UIS's ids are; the `400` otherwise.
fn contact_id(path: Result<Path<u64>, PathRejection>) -> Result<u64, String> {
    match path {
        Ok(Path(id)) if id > 0 => Ok(id),
        Ok(Path(id)) => Err(format!("contact id {id} is not positive")),
        Err(rejection) => Err(rejection.body_text()),
    }
}

fn invalid_id(message: String) -> Response {
    error(StatusCode::BAD_REQUEST, "invalid_id", message)
}

fn book_error(e: &BookError) -> Response {
    let status = match e {
        BookError::NotFound(_) => StatusCode::NOT_FOUND,
        BookError::NumberTaken { .. } => StatusCode::CONFLICT,
        _ => StatusCode::BAD_REQUEST,
    };
    error(status, e.code(), e.to_string())
}

/// `PUT /sim/uis/contacts/{id}`.
pub async fn put_contact(
    State(sim): State<Arc<Sim>>,
    path: Result<Path<u64>, PathRejection>,
    body: Result<Json<ContactForm>, JsonRejection>,
) -> Response {
    let id = match contact_id(path) {
        Ok(id) => id,
        Err(message) => return invalid_id(message),
    };
    let Json(form) = match body {
        Ok(body) => body,
        Err(rejection) => {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                rejection.body_text(),
            );
        }
    };
    match sim.address_book.put(id, form, &sim.config.employees) {
        Ok((contact, created)) => {
            tracing::info!(id, created, name = ?contact.full_name(), "UIS contact saved");
            let status = if created {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            (status, Json(contact.row())).into_response()
        }
        Err(e) => book_error(&e),
    }
}

/// `DELETE /sim/uis/contacts/{id}`.
pub async fn delete_contact(
    State(sim): State<Arc<Sim>>,
    path: Result<Path<u64>, PathRejection>,
) -> Response {
    let id = match contact_id(path) {
        Ok(id) => id,
        Err(message) => return invalid_id(message),
    };
    match sim.address_book.delete(id) {
        Ok(()) => {
            tracing::info!(id, "UIS contact deleted");
            StatusCode::NO_CONTENT.into_response()
        }
        Err(e) => book_error(&e),
    }
}
