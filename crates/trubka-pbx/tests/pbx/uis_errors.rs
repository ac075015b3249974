//! UIS error mapping against a local test double: every documented mnemonic becomes
//! `PbxError::Uis` with its code, mnemonic and field, a stable `code()` and a Russian
//! `user_message()`; transport failures, timeouts and HTTP errors get their own variants.

use std::time::Duration;

use crate::support::{MockPbx, Reply, uis_config, uis_error};
use serde_json::json;
use trubka_core::Provider;
use trubka_pbx::uis::EmployeeCall;
use trubka_pbx::{DialNumber, PbxError, UisClient, UisConfig, UisMnemonic};

fn client(mock: &MockPbx, timeout: Duration) -> UisClient {
    UisClient::new(UisConfig {
        timeout,
        ..uis_config(mock)
    })
    .unwrap()
}

fn call() -> EmployeeCall {
    EmployeeCall::new(
        25,
        DialNumber::parse("79260000000").unwrap(),
        DialNumber::parse("74993720692").unwrap(),
    )
}

/// (mnemonic, code, field, expected variant, a fragment of the Russian message).
type Case = (
    &'static str,
    i64,
    Option<&'static str>,
    fn() -> UisMnemonic,
    &'static str,
);

const TABLE: &[Case] = &[
    (
        "parse_error",
        -32700,
        None,
        || UisMnemonic::ParseError,
        "не понял запрос",
    ),
    (
        "invalid_request",
        -32600,
        None,
        || UisMnemonic::InvalidRequest,
        "не понял запрос",
    ),
    (
        "method_not_found",
        -32601,
        None,
        || UisMnemonic::MethodNotFound,
        "адреса Call API",
    ),
    (
        "access_token_expired",
        -32001,
        None,
        || UisMnemonic::AccessTokenExpired,
        "Срок действия ключа API UIS",
    ),
    (
        "access_token_blocked",
        -32001,
        None,
        || UisMnemonic::AccessTokenBlocked,
        "Ключ API UIS заблокирован",
    ),
    (
        "access_token_invalid",
        -32001,
        None,
        || UisMnemonic::AccessTokenInvalid,
        "Ключ API UIS неверен или истёк",
    ),
    (
        "auth_error",
        -32001,
        None,
        || UisMnemonic::AuthError,
        "логин или пароль",
    ),
    (
        "ip_not_whitelisted",
        -32003,
        None,
        || UisMnemonic::IpNotWhitelisted,
        "«Администратор → Аккаунт → Правила и настройки безопасности → API»",
    ),
    (
        "forbidden",
        -32003,
        None,
        || UisMnemonic::Forbidden,
        "нет прав",
    ),
    (
        "limit_exceeded",
        -32029,
        None,
        || UisMnemonic::LimitExceeded,
        "лимит запросов к API UIS",
    ),
    (
        "component_disabled",
        -32008,
        None,
        || UisMnemonic::ComponentDisabled,
        "не подключена нужная опция",
    ),
    (
        "method_component_disabled",
        -32008,
        None,
        || UisMnemonic::MethodComponentDisabled,
        "Тарифы и опции",
    ),
    (
        "parameter_component_disabled",
        -32008,
        None,
        || UisMnemonic::ParameterComponentDisabled,
        "Тарифы и опции",
    ),
    (
        "account_inactive",
        -32009,
        None,
        || UisMnemonic::AccountInactive,
        "Аккаунт UIS заблокирован",
    ),
    (
        "call_session_not_found",
        -32602,
        Some("call_session_id"),
        || UisMnemonic::CallSessionNotFound,
        "уже завершён",
    ),
    (
        "required_parameter_missed",
        -32602,
        Some("contact"),
        || UisMnemonic::RequiredParameterMissed,
        "параметр «contact»",
    ),
    (
        "invalid_parameter_value",
        -32602,
        Some("contact"),
        || UisMnemonic::InvalidParameterValue,
        "значение параметра «contact»",
    ),
    (
        "data_type_error",
        -32602,
        Some("employee.id"),
        || UisMnemonic::DataTypeError,
        "«employee.id»",
    ),
    (
        "unexpected_parameters",
        -32602,
        Some("foo"),
        || UisMnemonic::UnexpectedParameters,
        "«foo»",
    ),
    (
        "invalid_parameters_combination",
        -32602,
        Some("early_switching"),
        || UisMnemonic::InvalidParametersCombination,
        "«early_switching»",
    ),
    (
        "internal_error",
        -32603,
        None,
        || UisMnemonic::InternalError,
        "Внутренняя ошибка UIS",
    ),
    (
        "batch_opreations_not_supported",
        -32099,
        None,
        || UisMnemonic::BatchOperationsNotSupported,
        "не понял запрос",
    ),
    (
        "notifications_not_supported",
        -32099,
        None,
        || UisMnemonic::NotificationsNotSupported,
        "не понял запрос",
    ),
    (
        "tts_text_exceeded",
        -32602,
        Some("employee_message.value"),
        || UisMnemonic::TtsTextExceeded,
        "Длина TTS сообщения",
    ),
    (
        "media_file_not_found",
        -32602,
        None,
        || UisMnemonic::MediaFileNotFound,
        "Аудиофайл",
    ),
    (
        "virtual_phone_number_not_found",
        -32007,
        Some("virtual_phone_number"),
        || UisMnemonic::VirtualPhoneNumberNotFound,
        "Виртуальный номер",
    ),
    (
        "employee_not_found",
        -32602,
        Some("employee.id"),
        || UisMnemonic::EmployeeNotFound,
        "Сотрудник не найден",
    ),
    (
        "no_active_phone_number",
        -32602,
        None,
        || UisMnemonic::NoActivePhoneNumber,
        "нет активного телефона",
    ),
    (
        "own_virtual_phone_number_not_allowed",
        -32602,
        None,
        || UisMnemonic::OwnVirtualPhoneNumberNotAllowed,
        "своего же аккаунта",
    ),
    (
        "contact_in_blacklist",
        -32002,
        None,
        || UisMnemonic::ContactInBlacklist,
        "чёрном списке",
    ),
    (
        "character_encoding_not_allowed",
        -32602,
        None,
        || UisMnemonic::CharacterEncodingNotAllowed,
        "символы",
    ),
    (
        "scenario_not_found",
        -32007,
        Some("scenario_id"),
        || UisMnemonic::ScenarioNotFound,
        "Сценарий UIS не найден",
    ),
    (
        "invalid_state",
        -32004,
        None,
        || UisMnemonic::InvalidState,
        "в таком состоянии",
    ),
    (
        "talk_option_not_found",
        -32602,
        None,
        || UisMnemonic::TalkOptionNotFound,
        "Опция разговора",
    ),
    (
        "leg_not_found",
        -32602,
        None,
        || UisMnemonic::LegNotFound,
        "Участник звонка",
    ),
    (
        "coach_not_found",
        -32602,
        None,
        || UisMnemonic::CoachNotFound,
        "тренер",
    ),
    (
        "date_interval_limit_reached",
        -32602,
        None,
        || UisMnemonic::DateIntervalLimitReached,
        "3 месяца",
    ),
    (
        "sort_prohibited",
        -32602,
        None,
        || UisMnemonic::SortProhibited,
        "сортировку",
    ),
    (
        "filter_prohibited",
        -32602,
        None,
        || UisMnemonic::FilterProhibited,
        "фильтр",
    ),
    // The refusals of the create/update/upload methods (offline requests).
    (
        "entity_not_found",
        -32602,
        Some("campaign_id"),
        || UisMnemonic::EntityNotFound,
        "не нашёл объект «campaign_id»",
    ),
    (
        "duplicate_entity",
        -32602,
        None,
        || UisMnemonic::DuplicateEntity,
        "уже есть",
    ),
    (
        "campaign_is_inactive",
        -32602,
        None,
        || UisMnemonic::CampaignIsInactive,
        "не активна",
    ),
    (
        "invalid_date_time",
        -32602,
        Some("date_time"),
        || UisMnemonic::InvalidDateTime,
        "дату или время «date_time»",
    ),
    (
        "data_limit_exceeded",
        -32602,
        None,
        || UisMnemonic::DataLimitExceeded,
        "предел",
    ),
    (
        "tariff_restrictions",
        -32602,
        None,
        || UisMnemonic::TariffRestrictions,
        "Тариф",
    ),
    (
        "already_in_use",
        -32602,
        None,
        || UisMnemonic::AlreadyInUse,
        "уже есть",
    ),
];

#[tokio::test]
async fn every_documented_mnemonic_is_mapped() {
    for (mnemonic, code, field, variant, fragment) in TABLE {
        let (mnemonic, code, field) = (*mnemonic, *code, *field);
        let mock = MockPbx::start(move |req| uis_error(req, code, mnemonic, field)).await;
        let err = client(&mock, Duration::from_secs(5))
            .start_employee_call(&call())
            .await
            .unwrap_err();
        match &err {
            PbxError::Uis {
                code: got_code,
                mnemonic: got_mnemonic,
                message,
                field: got_field,
            } => {
                assert_eq!(*got_code, code, "{mnemonic}");
                assert_eq!(*got_mnemonic, variant(), "{mnemonic}");
                assert_eq!(message, &format!("error {mnemonic}"));
                assert_eq!(got_field.as_deref(), field, "{mnemonic}");
            }
            other => panic!("{mnemonic}: expected PbxError::Uis, got {other:?}"),
        }
        assert_eq!(err.code(), mnemonic);
        let text = err.user_message();
        assert!(
            text.contains(fragment),
            "{mnemonic}: {text:?} lacks {fragment:?}"
        );
        assert!(
            err.to_string()
                .starts_with(&format!("UIS error {code} {mnemonic}"))
        );
    }
    // Every known variant is covered by the table.
    assert_eq!(TABLE.len(), UisMnemonic::KNOWN.len());
}

#[tokio::test]
async fn unknown_mnemonic_is_kept_verbatim() {
    let mock = MockPbx::start(|req| uis_error(req, -32602, "duplicate_tag", None)).await;
    let err = client(&mock, Duration::from_secs(5))
        .start_employee_call(&call())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "duplicate_tag");
    assert!(
        matches!(&err, PbxError::Uis { mnemonic: UisMnemonic::Other(m), .. } if m == "duplicate_tag")
    );
    assert_eq!(
        err.user_message(),
        "UIS вернул ошибку duplicate_tag: error duplicate_tag"
    );
    assert!(!err.is_transient());
}

#[tokio::test]
async fn error_envelope_with_http_error_status_is_still_read() {
    let mock = MockPbx::start(|req| {
        let mut reply = uis_error(req, -32003, "ip_not_whitelisted", None);
        reply.status = 403;
        reply
    })
    .await;
    let err = client(&mock, Duration::from_secs(5))
        .start_employee_call(&call())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "ip_not_whitelisted");
}

#[tokio::test]
async fn http_errors_without_envelope() {
    let mock = MockPbx::start(|_| Reply::raw(502, "text/html", "<h1>Bad Gateway</h1>")).await;
    let err = client(&mock, Duration::from_secs(5))
        .start_employee_call(&call())
        .await
        .unwrap_err();
    assert!(matches!(
        &err,
        PbxError::Http { provider: Provider::Uis, status: 502, body } if body.contains("Bad Gateway")
    ));
    assert_eq!(err.code(), "pbx_http_error");
    assert!(err.user_message().contains("временно не отвечает"));
    assert!(err.is_transient());

    let mock =
        MockPbx::start(|_| Reply::raw(200, "application/json", "{\"jsonrpc\":\"2.0\"")).await;
    let err = client(&mock, Duration::from_secs(5))
        .start_employee_call(&call())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "pbx_bad_response");
}

#[tokio::test]
async fn slow_answer_is_a_timeout() {
    let mock = MockPbx::start(|req| {
        crate::support::uis_result(req, json!({"call_session_id": 1}), None)
            .after(Duration::from_secs(3))
    })
    .await;
    let err = client(&mock, Duration::from_millis(200))
        .start_employee_call(&call())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            PbxError::Timeout {
                provider: Provider::Uis
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.code(), "pbx_timeout");
    assert!(err.user_message().contains("не ответил вовремя"));
}

#[tokio::test]
async fn closed_port_is_a_transport_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let uis = UisClient::new(UisConfig {
        call_api_url: format!("http://{addr}/uis/callapi/v4.0"),
        access_token: "test-key".to_owned(),
        timeout: Duration::from_secs(5),
        ..UisConfig::default()
    })
    .unwrap();
    let err = uis.start_employee_call(&call()).await.unwrap_err();
    assert!(
        matches!(
            err,
            PbxError::Transport {
                provider: Provider::Uis,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.code(), "pbx_unreachable");
    assert!(err.user_message().starts_with("Нет связи с UIS"));
}
