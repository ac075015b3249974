//! The one place errors become HTTP answers: `{"error":{"code":…,"message":…}}`.
//!
//! Handlers return `Result<_, ApiError>` and use `?`; the status code and the body shape are
//! decided here only. Sipuni wants `"success": false` in every answer that is not a
//! success, which [`SipuniError`] adds around the same body.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use trubka_pbx::PbxError;
use trubka_protocol::PayloadError;

use trubka_contacts::ContactError;

use crate::directory::DirectoryError;
use crate::invites::Refusal;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Missing, unknown or revoked agent token.
    #[error("a valid agent token is required")]
    Unauthorized,
    /// Unknown route, unknown hook token or unknown event kind: deliberately the same answer,
    /// so probing hook URLs learns nothing.
    #[error("not found")]
    NotFound,
    /// A kind in a UIS hook URL that is none of the accepted words; only said to a caller who
    /// knows the hook token, so it reveals nothing to a prober.
    #[error(
        "«{word}» is not an event kind this relay accepts in a UIS hook URL; use one of: {accepted}"
    )]
    UnknownHookKind { word: String, accepted: String },
    #[error("the body is larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    /// A webhook payload the parsers could not understand.
    #[error("{0}")]
    BadPayload(PayloadError),
    #[error("{0}")]
    BadRequest(String),
    /// A number to call that is not one (`POST /v1/calls`); the text says why, in Russian.
    #[error("{0}")]
    BadNumber(String),
    /// The relay is not set up to place this agent's calls; the text says what is missing.
    #[error("{0}")]
    NotConfigured(String),
    /// The PBX refused or failed; the body carries its code and Russian explanation, the
    /// status follows [`super::pbx_status`].
    #[error("{}", .0.user_message())]
    Pbx(PbxError),
    /// A name the agent picked (a scenario, a site, a campaign) that does not exist; the
    /// message lists the names that do.
    #[error("{message}")]
    UnknownName { code: &'static str, message: String },
    /// The PBX refused, worded for the operation at hand (an offline request) rather than
    /// by [`PbxError::user_message`]; status and code as for [`ApiError::Pbx`].
    #[error("{message}")]
    PbxRefused {
        code: String,
        status: StatusCode,
        message: String,
    },
    /// An invite code that cannot be exchanged; the message says what to ask the admin for.
    #[error("{0}")]
    Invite(Refusal),
    /// A team contact (or another resource named in the path) that does not exist.
    #[error("{0}")]
    Missing(String),
    /// The agent may not do this (deleting a team contact takes a supervisor).
    #[error("{0}")]
    Forbidden(String),
    /// Someone changed the resource after the version the request started from.
    #[error("{0}")]
    Conflict(String),
    /// A call-control action on a call that is not the agent's (or that the relay does not
    /// know): nothing was sent to the PBX.
    #[error("{0}")]
    NotYourCall(String),
    /// A call-control action on a call that is over.
    #[error("{0}")]
    CallEnded(String),
    /// The call's PBX (or this agent's role) offers no such action; the text says what does.
    #[error("{0}")]
    NotSupported(String),
    /// A team contact that cannot be stored as sent: the code says which rule it breaks
    /// (`empty_contact`, `bad_number`, `bad_crm_url`), the message how.
    #[error("{message}")]
    BadContact { code: &'static str, message: String },
    /// Storage is failing or stopping; the caller should retry later.
    #[error("the relay cannot store events right now: {0}")]
    Unavailable(StoreError),
    #[error("internal error")]
    Internal(StoreError),
    /// The published app builds cannot be read (`data_dir/app/`); the log has the cause.
    #[error("the app's updates cannot be read right now")]
    Updates(crate::updates::UpdateError),
}

impl ApiError {
    fn status(&self) -> StatusCode {
        match self {
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::NotFound | ApiError::UnknownHookKind { .. } | ApiError::Missing(_) => {
                StatusCode::NOT_FOUND
            }
            ApiError::Forbidden(_) | ApiError::NotYourCall(_) => StatusCode::FORBIDDEN,
            ApiError::Conflict(_) | ApiError::CallEnded(_) => StatusCode::CONFLICT,
            ApiError::NotSupported(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::BadPayload(_) | ApiError::BadRequest(_) | ApiError::BadNumber(_) => {
                StatusCode::BAD_REQUEST
            }
            ApiError::NotConfigured(_)
            | ApiError::UnknownName { .. }
            | ApiError::BadContact { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::PbxRefused { status, .. } => *status,
            ApiError::Invite(Refusal::Unknown) => StatusCode::NOT_FOUND,
            ApiError::Invite(_) => StatusCode::GONE,
            ApiError::Pbx(e) => super::pbx_status::status(e),
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) | ApiError::Updates(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &str {
        match self {
            ApiError::Unauthorized => "unauthorized",
            ApiError::NotFound | ApiError::Missing(_) => "not_found",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::Conflict(_) => "conflict",
            ApiError::NotYourCall(_) => "not_your_call",
            ApiError::CallEnded(_) => "call_ended",
            ApiError::NotSupported(_) => "not_supported",
            ApiError::BadContact { code, .. } => code,
            ApiError::UnknownHookKind { .. } => "unknown_hook_kind",
            ApiError::PayloadTooLarge { .. } => "payload_too_large",
            ApiError::BadPayload(e) => e.code,
            ApiError::BadRequest(_) => "bad_request",
            ApiError::BadNumber(_) => "bad_number",
            ApiError::NotConfigured(_) => "not_configured",
            ApiError::UnknownName { code, .. } => code,
            ApiError::PbxRefused { code, .. } => code,
            ApiError::Pbx(e) => e.code(),
            ApiError::Invite(refusal) => refusal.code(),
            ApiError::Unavailable(_) => "unavailable",
            ApiError::Internal(_) => "internal",
            ApiError::Updates(_) => "updates_unreadable",
        }
    }

    fn body(&self) -> Value {
        json!({"error": {"code": self.code(), "message": self.to_string()}})
    }
}

impl From<DirectoryError> for ApiError {
    fn from(error: DirectoryError) -> ApiError {
        let message = error.to_string();
        match error {
            DirectoryError::NotFound(_) => ApiError::Missing(message),
            DirectoryError::Conflict { .. } => ApiError::Conflict(message),
            DirectoryError::Contact(ContactError::Empty) => ApiError::BadContact {
                code: "empty_contact",
                message,
            },
            DirectoryError::Contact(ContactError::BadNumber(_)) => ApiError::BadContact {
                code: "bad_number",
                message,
            },
            DirectoryError::BadCrmUrl(_) => ApiError::BadContact {
                code: "bad_crm_url",
                message,
            },
            DirectoryError::File(_) => ApiError::BadRequest(message),
            DirectoryError::Store(e) => ApiError::Internal(e),
            DirectoryError::Sqlite(e) => ApiError::Internal(StoreError::Sqlite(e)),
            DirectoryError::Stopped(_) => ApiError::Unavailable(StoreError::WriteFailed(message)),
            DirectoryError::Region(_) | DirectoryError::Corrupt(_) | DirectoryError::Export(_) => {
                ApiError::Internal(StoreError::Corrupt(message))
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(e) | ApiError::Unavailable(e) = &self {
            // The body says little on purpose; the log has the cause.
            tracing::error!(error = %e, "request failed");
        }
        if let ApiError::Updates(e) = &self {
            tracing::error!(error = %e, "the published app builds cannot be read");
        }
        let mut response = (self.status(), Json(self.body())).into_response();
        if let ApiError::Pbx(e) = &self
            && let Some(seconds) = super::pbx_status::retry_after(e)
        {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(seconds),
            );
        }
        if matches!(self, ApiError::Unauthorized) {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                "Bearer".parse().expect("static"),
            );
        }
        response
    }
}

/// An [`ApiError`] answered to Sipuni: the same body plus `"success": false`.
#[derive(Debug)]
pub struct SipuniError(pub ApiError);

impl From<ApiError> for SipuniError {
    fn from(error: ApiError) -> SipuniError {
        SipuniError(error)
    }
}

impl IntoResponse for SipuniError {
    fn into_response(self) -> Response {
        let mut body = self.0.body();
        body["success"] = Value::Bool(false);
        (self.0.status(), Json(body)).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body_of(response: Response) -> (StatusCode, Value) {
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    #[tokio::test]
    async fn errors_have_one_shape_and_sipuni_gets_success_false() {
        let error = ApiError::BadPayload(PayloadError::new("bad_json", "body is not JSON"));
        let (status, body) = body_of(error.into_response()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(
            body,
            json!({"error": {"code": "bad_json", "message": "body is not JSON"}})
        );

        let (status, body) = body_of(SipuniError(ApiError::NotFound).into_response()).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(body["success"], json!(false));
        assert_eq!(body["error"]["code"], json!("not_found"));
    }

    #[tokio::test]
    async fn store_failures_do_not_leak_details_as_internal_errors() {
        let error = ApiError::Internal(StoreError::Corrupt("secret path /x".to_owned()));
        let (status, body) = body_of(error.into_response()).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!body.to_string().contains("secret path"));
    }
}
