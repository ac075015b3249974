//! Typed errors of the PBX clients, with an explanation an agent or admin can act on.
//!
//! [`PbxError`] is the single error type of this crate. Its English `Display` is for logs;
//! [`PbxError::user_message_in`] is the text the relay shows to people, in Russian or
//! English (module `message`; [`PbxError::user_message`] is the Russian one), and
//! [`PbxError::code`] is a stable machine word for JSON error bodies (the UIS mnemonic when
//! UIS gave one).

use std::fmt;
use std::time::Duration;

use trubka_core::Provider;

mod message;

/// Everything that can go wrong when talking to a PBX API.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PbxError {
    /// UIS answered with a JSON-RPC error.
    #[error("UIS error {code} {mnemonic}: {message}{}", field_suffix(.field))]
    Uis {
        /// The JSON-RPC `error.code` (shared by many errors; branch on `mnemonic`).
        code: i64,
        /// `error.data.mnemonic`, the stable key.
        mnemonic: UisMnemonic,
        /// `error.message`, English text from UIS.
        message: String,
        /// `error.data.field`, the dotted path of the offending parameter, when given.
        field: Option<String>,
    },
    /// Sipuni answered `success: false` (or an error status with a message).
    #[error("Sipuni rejected the request: {message}")]
    Sipuni { message: String },
    /// The last UIS answer said a points budget is spent and it resets later than the client
    /// is willing to wait; no request was sent.
    #[error("UIS API {scope} limit is exhausted; it resets in {} s", .reset_after.as_secs())]
    LimitExhausted {
        scope: LimitScope,
        reset_after: Duration,
    },
    /// The PBX answered with an HTTP error status and no error body this crate recognises.
    #[error("{provider} answered HTTP {status}: {body}")]
    Http {
        provider: Provider,
        status: u16,
        /// The start of the body, for the log.
        body: String,
    },
    /// The request did not reach the PBX or the answer did not come back (DNS, TCP, TLS).
    #[error("cannot reach {provider}: {source}")]
    Transport {
        provider: Provider,
        #[source]
        source: reqwest::Error,
    },
    /// The PBX did not answer within the configured timeout.
    #[error("{provider} did not answer in time")]
    Timeout { provider: Provider },
    /// The PBX answered with something this crate cannot read.
    #[error("unexpected answer from {provider}: {reason}")]
    BadResponse { provider: Provider, reason: String },
    /// The caller passed a value the PBX would reject; nothing was sent.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// The client could not be built from its configuration.
    #[error("invalid PBX client configuration: {0}")]
    Config(String),
}

/// Which UIS points budget ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitScope {
    Minute,
    Day,
}

impl fmt::Display for LimitScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LimitScope::Minute => "per-minute",
            LimitScope::Day => "per-day",
        })
    }
}

fn field_suffix(field: &Option<String>) -> String {
    match field {
        Some(field) => format!(" (field {field})"),
        None => String::new(),
    }
}

macro_rules! mnemonics {
    ($($variant:ident => $text:literal),+ $(,)?) => {
        /// `error.data.mnemonic` of a UIS error: the documented ones, and `Other` for the rest.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum UisMnemonic {
            $($variant,)+
            /// A mnemonic this crate does not know, kept verbatim.
            Other(String),
        }

        impl UisMnemonic {
            /// Every known mnemonic (without `Other`), in documentation order.
            pub const KNOWN: &'static [UisMnemonic] = &[$(UisMnemonic::$variant,)+];

            /// The mnemonic as UIS spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $(UisMnemonic::$variant => $text,)+
                    UisMnemonic::Other(text) => text,
                }
            }

            /// Maps UIS's text to a variant; unknown text becomes `Other`.
            pub fn parse(text: &str) -> UisMnemonic {
                match text {
                    $($text => UisMnemonic::$variant,)+
                    // The docs spell it "opreations"; accept the correct spelling too.
                    "batch_operations_not_supported" => UisMnemonic::BatchOperationsNotSupported,
                    other => UisMnemonic::Other(other.to_owned()),
                }
            }
        }
    };
}

mnemonics! {
    ParseError => "parse_error",
    InvalidRequest => "invalid_request",
    MethodNotFound => "method_not_found",
    AccessTokenExpired => "access_token_expired",
    AccessTokenBlocked => "access_token_blocked",
    AccessTokenInvalid => "access_token_invalid",
    AuthError => "auth_error",
    IpNotWhitelisted => "ip_not_whitelisted",
    Forbidden => "forbidden",
    LimitExceeded => "limit_exceeded",
    ComponentDisabled => "component_disabled",
    MethodComponentDisabled => "method_component_disabled",
    ParameterComponentDisabled => "parameter_component_disabled",
    AccountInactive => "account_inactive",
    CallSessionNotFound => "call_session_not_found",
    RequiredParameterMissed => "required_parameter_missed",
    InvalidParameterValue => "invalid_parameter_value",
    DataTypeError => "data_type_error",
    UnexpectedParameters => "unexpected_parameters",
    InvalidParametersCombination => "invalid_parameters_combination",
    InternalError => "internal_error",
    BatchOperationsNotSupported => "batch_opreations_not_supported",
    NotificationsNotSupported => "notifications_not_supported",
    TtsTextExceeded => "tts_text_exceeded",
    MediaFileNotFound => "media_file_not_found",
    VirtualPhoneNumberNotFound => "virtual_phone_number_not_found",
    EmployeeNotFound => "employee_not_found",
    NoActivePhoneNumber => "no_active_phone_number",
    OwnVirtualPhoneNumberNotAllowed => "own_virtual_phone_number_not_allowed",
    ContactInBlacklist => "contact_in_blacklist",
    CharacterEncodingNotAllowed => "character_encoding_not_allowed",
    ScenarioNotFound => "scenario_not_found",
    InvalidState => "invalid_state",
    TalkOptionNotFound => "talk_option_not_found",
    LegNotFound => "leg_not_found",
    CoachNotFound => "coach_not_found",
    DateIntervalLimitReached => "date_interval_limit_reached",
    SortProhibited => "sort_prohibited",
    FilterProhibited => "filter_prohibited",
    EntityNotFound => "entity_not_found",
    DuplicateEntity => "duplicate_entity",
    CampaignIsInactive => "campaign_is_inactive",
    InvalidDateTime => "invalid_date_time",
    DataLimitExceeded => "data_limit_exceeded",
    TariffRestrictions => "tariff_restrictions",
    AlreadyInUse => "already_in_use",
}

impl fmt::Display for UisMnemonic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PbxError {
    /// Whether Sipuni refused a call order because «Услуга совершение звонков по API» is off
    /// in the cabinet (seed 002 warns that it must be switched on before any API call).
    pub fn is_sipuni_api_calls_off(&self) -> bool {
        matches!(self, PbxError::Sipuni { message } if sipuni_api_calls_off(message))
    }

    /// A stable word for JSON error bodies: the UIS mnemonic, or a fixed word per variant.
    pub fn code(&self) -> &str {
        match self {
            PbxError::Uis { mnemonic, .. } => mnemonic.as_str(),
            PbxError::Sipuni { .. } => "sipuni_rejected",
            PbxError::LimitExhausted { .. } => "limit_exceeded",
            PbxError::Http { .. } => "pbx_http_error",
            PbxError::Transport { .. } => "pbx_unreachable",
            PbxError::Timeout { .. } => "pbx_timeout",
            PbxError::BadResponse { .. } => "pbx_bad_response",
            PbxError::InvalidArgument(_) => "invalid_argument",
            PbxError::Config(_) => "pbx_config",
        }
    }

    /// Whether the same request may succeed if sent again later (nothing in the request is
    /// wrong). Call creation is not idempotent: the caller decides whether to retry.
    pub fn is_transient(&self) -> bool {
        match self {
            PbxError::Uis { mnemonic, .. } => matches!(
                mnemonic,
                UisMnemonic::LimitExceeded | UisMnemonic::InternalError
            ),
            PbxError::LimitExhausted { .. }
            | PbxError::Transport { .. }
            | PbxError::Timeout { .. } => true,
            PbxError::Http { status, .. } => *status >= 500 || *status == 429,
            _ => false,
        }
    }
}

/// The Sipuni service call orders need, as Sipuni's partners name it.
pub const SIPUNI_API_CALLS: &str = "Услуга совершение звонков по API";

/// Whether a Sipuni refusal says the API calls service is off. Sipuni's exact wording is not
/// public, so this reads the meaning: a call («звонк») by API that is not switched on.
fn sipuni_api_calls_off(message: &str) -> bool {
    let lower = message.to_lowercase();
    let about_calls = lower.contains("звонк") && lower.contains("api");
    let off = ["не подключ", "отключ", "не активн", "недоступн", "не включ"]
        .iter()
        .any(|word| lower.contains(word));
    about_calls && off
}

fn provider_name(provider: Provider) -> &'static str {
    match provider {
        Provider::Uis => "UIS",
        Provider::Sipuni => "Sipuni",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_mnemonic_round_trips() {
        for mnemonic in UisMnemonic::KNOWN {
            assert_eq!(&UisMnemonic::parse(mnemonic.as_str()), mnemonic);
        }
        assert_eq!(
            UisMnemonic::parse("batch_operations_not_supported"),
            UisMnemonic::BatchOperationsNotSupported
        );
        assert_eq!(
            UisMnemonic::parse("tag_not_found"),
            UisMnemonic::Other("tag_not_found".to_owned())
        );
    }

    #[test]
    fn limit_exhausted_reads_in_hours_and_minutes() {
        let err = PbxError::LimitExhausted {
            scope: LimitScope::Day,
            reset_after: Duration::from_secs(2 * 3600 + 5 * 60 + 7),
        };
        assert_eq!(err.code(), "limit_exceeded");
        assert!(err.user_message().contains("дневной"));
        assert!(err.user_message().contains("через 2 ч 5 мин"));
        assert!(err.is_transient());
    }

    #[test]
    fn limit_exceeded_tells_day_from_minute() {
        let day = UisMnemonic::LimitExceeded.user_message(None, "Limit per day has been exceeded");
        assert!(day.contains("дневной"));
        let minute =
            UisMnemonic::LimitExceeded.user_message(None, "Limit per minute has been exceeded");
        assert!(minute.contains("через минуту"));
    }

    fn uis(mnemonic: &str, message: &str, field: Option<&str>) -> PbxError {
        PbxError::Uis {
            code: -32602,
            mnemonic: UisMnemonic::parse(mnemonic),
            message: message.to_owned(),
            field: field.map(str::to_owned),
        }
    }

    #[test]
    fn refusals_of_a_fresh_account_say_what_to_switch_on() {
        let ip = uis(
            "ip_not_whitelisted",
            "Your IP 203.0.113.7 is not whitelisted",
            Some("ip"),
        )
        .user_message();
        assert!(ip.contains("релея 203.0.113.7:"), "{ip}");
        assert!(
            ip.contains("Правила и настройки безопасности → API"),
            "{ip}"
        );
        assert!(ip.contains("0.0.0.0/0"), "{ip}");
        let call_api = uis(
            "component_disabled",
            "You need at least on of the following components to access this method: \
             call_api_basic",
            None,
        )
        .user_message();
        assert!(call_api.contains("«Call API Базовый набор»"), "{call_api}");
        assert!(
            call_api.contains("«Call API Управление вызовами»"),
            "{call_api}"
        );
        assert!(call_api.contains("Тарифы и опции"), "{call_api}");
        let data_api =
            uis("method_component_disabled", "components: data_api", None).user_message();
        assert!(
            data_api.contains("«API Базовые отраслевые решения»"),
            "{data_api}"
        );
        let sipuni = PbxError::Sipuni {
            message: "Услуга «Совершение звонков по API» не подключена".to_owned(),
        };
        assert!(sipuni.is_sipuni_api_calls_off());
        assert!(
            sipuni
                .user_message()
                .contains("включите «Услуга совершение звонков по API» в кабинете Sipuni"),
            "{}",
            sipuni.user_message()
        );
        let other = PbxError::Sipuni {
            message: "Неверный hash".to_owned(),
        };
        assert!(!other.is_sipuni_api_calls_off());
        assert_eq!(
            other.user_message(),
            "Sipuni отклонил запрос: Неверный hash"
        );
    }

    #[test]
    fn call_refusals_tell_the_agent_what_happened() {
        let scenario = uis("scenario_not_found", "Scenario with id 1 not found", None);
        assert!(scenario.user_message().contains("Сценарий UIS не найден"));
        assert!(scenario.user_message().contains("Сценарии"));
        let blacklist = uis(
            "contact_in_blacklist",
            "The contact 79265554433 has been found in the blacklist",
            Some("contact"),
        );
        assert!(blacklist.user_message().contains("чёрном списке UIS"));
        assert_eq!(blacklist.code(), "contact_in_blacklist");
        let missing = uis(
            "required_parameter_missed",
            "The required parameter has been missed",
            Some("first_call"),
        );
        assert!(missing.user_message().contains("параметр «first_call»"));
        let fields = uis(
            "unexpected_parameters",
            "Unexpected method parameter(s)",
            Some("fields"),
        );
        assert!(fields.user_message().contains("«fields»"));
        assert!(!fields.is_transient());
    }

    #[test]
    fn display_is_english_and_names_the_field() {
        let err = PbxError::Uis {
            code: -32602,
            mnemonic: UisMnemonic::DataTypeError,
            message: "Data supplied is of wrong type".to_owned(),
            field: Some("contact".to_owned()),
        };
        assert_eq!(
            err.to_string(),
            "UIS error -32602 data_type_error: Data supplied is of wrong type (field contact)"
        );
        assert_eq!(err.code(), "data_type_error");
        assert!(err.user_message().contains("«contact»"));
    }
}
