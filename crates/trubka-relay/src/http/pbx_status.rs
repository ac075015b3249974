//! The HTTP status of a PBX refusal, as the relay answers the agent (`POST /v1/calls`).
//!
//! | PBX said | status | why |
//! |---|---|---|
//! | `contact_in_blacklist` | 403 | the number may not be called |
//! | `invalid_parameter_value`, `data_type_error`, `own_virtual_phone_number_not_allowed`, `scenario_not_found`, `tts_text_exceeded`, `character_encoding_not_allowed`, `entity_not_found`, `campaign_is_inactive`, `invalid_date_time`, `invalid_argument` | 422 | the request cannot be placed as asked |
//! | `invalid_state` (call control out of the call's state: hold outside a conversation, …) | 409 | the call is not where the action can be done; the message says when it can |
//! | `coach_not_found` | 422 | no coach number given and none set for the employee |
//! | `limit_exceeded` (UIS said so, or the client knows the budget is spent) | 429 | retry later (`Retry-After` when known) |
//! | `ip_not_whitelisted`, `component_disabled`, `method_component_disabled`, `parameter_component_disabled`, `access_token_invalid`, `access_token_expired`, `access_token_blocked`, `auth_error`, `forbidden`, `account_inactive`, `employee_not_found`, `no_active_phone_number`, `virtual_phone_number_not_found`, `tariff_restrictions`, `data_limit_exceeded`, `pbx_config` | 503 | the relay's PBX setup must be fixed by the admin; dialling is unavailable until then |
//! | `pbx_timeout` | 504 | the PBX did not answer in time |
//! | anything else (`sipuni_rejected`, `pbx_unreachable`, `pbx_http_error`, `pbx_bad_response`, `internal_error`, other mnemonics) | 502 | the PBX refused or failed |

use axum::http::StatusCode;
use trubka_pbx::{PbxError, UisMnemonic};

pub(super) fn status(error: &PbxError) -> StatusCode {
    use UisMnemonic as M;
    match error {
        PbxError::Uis { mnemonic, .. } => match mnemonic {
            M::ContactInBlacklist => StatusCode::FORBIDDEN,
            M::InvalidState => StatusCode::CONFLICT,
            M::CoachNotFound => StatusCode::UNPROCESSABLE_ENTITY,
            M::InvalidParameterValue
            | M::DataTypeError
            | M::OwnVirtualPhoneNumberNotAllowed
            | M::ScenarioNotFound
            | M::TtsTextExceeded
            | M::CharacterEncodingNotAllowed
            | M::EntityNotFound
            | M::CampaignIsInactive
            | M::InvalidDateTime => StatusCode::UNPROCESSABLE_ENTITY,
            M::LimitExceeded => StatusCode::TOO_MANY_REQUESTS,
            M::IpNotWhitelisted
            | M::ComponentDisabled
            | M::MethodComponentDisabled
            | M::ParameterComponentDisabled
            | M::AccessTokenInvalid
            | M::AccessTokenExpired
            | M::AccessTokenBlocked
            | M::AuthError
            | M::Forbidden
            | M::AccountInactive
            | M::EmployeeNotFound
            | M::NoActivePhoneNumber
            | M::VirtualPhoneNumberNotFound
            | M::TariffRestrictions
            | M::DataLimitExceeded => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::BAD_GATEWAY,
        },
        PbxError::InvalidArgument(_) => StatusCode::UNPROCESSABLE_ENTITY,
        PbxError::LimitExhausted { .. } => StatusCode::TOO_MANY_REQUESTS,
        PbxError::Config(_) => StatusCode::SERVICE_UNAVAILABLE,
        PbxError::Timeout { .. } => StatusCode::GATEWAY_TIMEOUT,
        _ => StatusCode::BAD_GATEWAY,
    }
}

/// Seconds until a spent UIS budget resets, when the client knows.
pub(super) fn retry_after(error: &PbxError) -> Option<u64> {
    match error {
        PbxError::LimitExhausted { reset_after, .. } => Some(reset_after.as_secs().max(1)),
        PbxError::Uis {
            mnemonic: UisMnemonic::LimitExceeded,
            ..
        } => Some(60),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uis(mnemonic: &str) -> PbxError {
        PbxError::Uis {
            code: -32602,
            mnemonic: UisMnemonic::parse(mnemonic),
            message: String::new(),
            field: None,
        }
    }

    #[test]
    fn caller_mistakes_are_4xx_setup_problems_503_the_rest_502() {
        assert_eq!(status(&uis("contact_in_blacklist")), StatusCode::FORBIDDEN);
        assert_eq!(
            status(&uis("invalid_parameter_value")),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            status(&uis("limit_exceeded")),
            StatusCode::TOO_MANY_REQUESTS
        );
        assert_eq!(
            status(&uis("ip_not_whitelisted")),
            StatusCode::SERVICE_UNAVAILABLE
        );
        assert_eq!(
            status(&uis("component_disabled")),
            StatusCode::SERVICE_UNAVAILABLE
        );
        assert_eq!(status(&uis("internal_error")), StatusCode::BAD_GATEWAY);
        assert_eq!(status(&uis("invalid_state")), StatusCode::CONFLICT);
        assert_eq!(
            status(&uis("coach_not_found")),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(status(&uis("tag_not_found")), StatusCode::BAD_GATEWAY);
        let sipuni = PbxError::Sipuni {
            message: "Неверный hash".to_owned(),
        };
        assert_eq!(status(&sipuni), StatusCode::BAD_GATEWAY);
        assert_eq!(retry_after(&uis("limit_exceeded")), Some(60));
        assert_eq!(retry_after(&sipuni), None);
    }
}
