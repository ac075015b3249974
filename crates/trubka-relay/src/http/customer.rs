//! The customer's number an agent sends (`POST /v1/calls` `to`, `POST /v1/requests` `phone`):
//! any form people type it in, read in `default_region`; refused with words an agent can act
//! on when it is missing, a short internal number, or no number at all.

use trubka_core::{ParsedNumber, PhoneNumber};

use super::error::ApiError;
use crate::relay::AppState;

/// Reads `text`, the body's `field`. `internal` says, for the agent, why a short internal
/// number will not do here.
pub(super) fn customer_number(
    state: &AppState,
    text: Option<&str>,
    field: &str,
    internal: &str,
) -> Result<PhoneNumber, ApiError> {
    let text = text.map(str::trim).unwrap_or_default();
    if text.is_empty() {
        return Err(ApiError::BadNumber(format!(
            "Не указан номер клиента: передайте его в поле «{field}»"
        )));
    }
    match state.phones.parse(text) {
        ParsedNumber::Phone { number, .. } => Ok(number),
        ParsedNumber::Internal(short) => Err(ApiError::BadNumber(format!(
            "«{short}» — короткий внутренний номер: {internal}"
        ))),
        ParsedNumber::Anonymous => {
            Err(ApiError::BadNumber(format!("«{text}» — не номер телефона")))
        }
        ParsedNumber::Invalid { reason } => Err(ApiError::BadNumber(format!(
            "Номер «{text}» не распознан: {reason}"
        ))),
    }
}
