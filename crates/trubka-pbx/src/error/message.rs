//! What [`PbxError`] and [`UisMnemonic`] tell people, in Russian (the default) or English.
//!
//! Names of cabinet sections and tariff options are what the admin sees in a Russian cabinet,
//! so the English texts keep them in «» with an English gloss after them.

use std::time::Duration;

use trubka_core::{Lang, tr};

use super::{LimitScope, PbxError, SIPUNI_API_CALLS, UisMnemonic, provider_name};

fn uis_key_hint(lang: Lang) -> &'static str {
    lang.pick(
        "создайте новый ключ в «Аккаунт → Управление пользователями» (галочка «Доступ по \
         ключу») и укажите его в настройках релея",
        "create a new key in «Аккаунт → Управление пользователями» (Account → User management, \
         with «Доступ по ключу», key access, ticked) and put it in the relay's settings",
    )
}

fn uis_tariff_hint(lang: Lang) -> &'static str {
    lang.pick(
        "«Аккаунт → Тарифы и опции»",
        "«Аккаунт → Тарифы и опции» (Account → Tariffs and options)",
    )
}

fn uis_tariff_path(lang: Lang) -> &'static str {
    lang.pick(
        "«Администратор → Аккаунт → Тарифы и опции»",
        "«Администратор → Аккаунт → Тарифы и опции» (Administrator → Account → Tariffs and \
         options)",
    )
}

impl UisMnemonic {
    /// Russian explanation of this mnemonic; `field` is the offending parameter if UIS named it.
    pub fn user_message(&self, field: Option<&str>, message: &str) -> String {
        self.user_message_in(field, message, Lang::Ru)
    }

    /// The explanation of this mnemonic in `lang`; `field` is the offending parameter if UIS
    /// named it, `message` UIS's own (English) text.
    pub fn user_message_in(&self, field: Option<&str>, message: &str, lang: Lang) -> String {
        let field_part = field.map(|f| format!(" «{f}»")).unwrap_or_default();
        let key_hint = uis_key_hint(lang);
        let tariff_hint = uis_tariff_hint(lang);
        let tariff_path = uis_tariff_path(lang);
        match self {
            // UIS says "Your IP {ip} is not whitelisted"; the address is what the admin adds.
            UisMnemonic::IpNotWhitelisted => {
                let ip = message
                    .split_whitespace()
                    .find(|word| word.parse::<std::net::IpAddr>().is_ok())
                    .map(|ip| format!(" {ip}"))
                    .unwrap_or_default();
                tr!(
                    lang,
                    "UIS не принимает запросы с IP-адреса релея{ip}: добавьте этот адрес в \
                     «Администратор → Аккаунт → Правила и настройки безопасности → API» \
                     (новый аккаунт не пускает никого, пока адрес не добавлен; 0.0.0.0/0 \
                     открывает доступ всем)",
                    "UIS does not accept requests from the relay's IP address{ip}: add this \
                     address in «Администратор → Аккаунт → Правила и настройки безопасности → \
                     API» (Administrator → Account → Rules and security settings → API; a new \
                     account lets nobody in until an address is added; 0.0.0.0/0 opens access \
                     to all)"
                )
            }
            UisMnemonic::AccessTokenInvalid => tr!(
                lang,
                "Ключ API UIS неверен или истёк: {key_hint}",
                "The UIS API key is wrong or has expired: {key_hint}"
            ),
            UisMnemonic::AccessTokenExpired => tr!(
                lang,
                "Срок действия ключа API UIS закончился: {key_hint}",
                "The UIS API key has expired: {key_hint}"
            ),
            UisMnemonic::AccessTokenBlocked => tr!(
                lang,
                "Ключ API UIS заблокирован: {key_hint}",
                "The UIS API key is blocked: {key_hint}"
            ),
            UisMnemonic::AuthError => lang
                .pick(
                    "UIS не принял логин или пароль пользователя API: проверьте их в настройках \
                     релея",
                    "UIS did not accept the API user's login or password: check them in the \
                     relay's settings",
                )
                .to_owned(),
            UisMnemonic::Forbidden => tr!(
                lang,
                "У пользователя UIS, чей ключ API использует релей, нет прав на это \
                 действие: выдайте права в «Аккаунт → Управление пользователями»",
                "The UIS user whose API key the relay uses has no rights for this action: \
                 grant them in «Аккаунт → Управление пользователями» (Account → User \
                 management)"
            ),
            // UIS says "Limit per {limit_type} has been exceeded…" with `day` or `minute`.
            UisMnemonic::LimitExceeded if message.to_ascii_lowercase().contains("day") => tr!(
                lang,
                "Исчерпан дневной лимит запросов к API UIS: он восстановится завтра; лимит баллов \
                 можно увеличить в {tariff_hint}",
                "The daily limit of UIS API requests is spent: it resets tomorrow; the points \
                 limit can be raised in {tariff_hint}"
            ),
            UisMnemonic::LimitExceeded => tr!(
                lang,
                "Исчерпан лимит запросов к API UIS: повторите через минуту; если это повторяется, \
                 увеличьте лимит баллов в {tariff_hint}",
                "The limit of UIS API requests is spent: try again in a minute; if this keeps \
                 happening, raise the points limit in {tariff_hint}"
            ),
            UisMnemonic::ComponentDisabled => tr!(
                lang,
                "В тарифе UIS не подключена нужная опция Call API: для звонков из Trubka — \
                 «Call API Базовый набор», для списка и управления звонками — «Call API \
                 Управление вызовами», для звонков по сценарию — «Call API Вызов сценария». \
                 Подключите её в {tariff_path} (UIS: {message})",
                "The UIS tariff lacks a Call API option that is needed: for calls from Trubka \
                 «Call API Базовый набор» (Call API basic set), for listing and managing calls \
                 «Call API Управление вызовами» (Call API call management), for scenario calls \
                 «Call API Вызов сценария» (Call API scenario call). Enable it in \
                 {tariff_path} (UIS: {message})"
            ),
            UisMnemonic::MethodComponentDisabled | UisMnemonic::ParameterComponentDisabled => tr!(
                lang,
                "В тарифе UIS не подключён Data API (история звонков, сотрудники, номера): \
                 подключите опцию «API Базовые отраслевые решения» в {tariff_path} \
                 (UIS: {message})",
                "The UIS tariff has no Data API (call history, employees, numbers): enable the \
                 option «API Базовые отраслевые решения» (API basic industry solutions) in \
                 {tariff_path} (UIS: {message})"
            ),
            UisMnemonic::AccountInactive => lang
                .pick(
                    "Аккаунт UIS заблокирован: проверьте баланс и состояние аккаунта в личном \
                     кабинете UIS",
                    "The UIS account is blocked: check the balance and the account's state in \
                     the UIS cabinet",
                )
                .to_owned(),
            UisMnemonic::CallSessionNotFound => lang
                .pick(
                    "Звонок не найден в UIS: вероятно, он уже завершён",
                    "UIS has no such call: it has probably ended already",
                )
                .to_owned(),
            UisMnemonic::EmployeeNotFound => lang
                .pick(
                    "Сотрудник не найден в UIS: проверьте ID сотрудника UIS, привязанный к \
                     оператору в настройках релея",
                    "UIS has no such employee: check the UIS employee id given to the agent in \
                     the relay's settings",
                )
                .to_owned(),
            UisMnemonic::NoActivePhoneNumber => lang
                .pick(
                    "Номер не существует в UIS или у сотрудника нет активного телефона: \
                     проверьте номер или включите номер (SIP или мобильный) в карточке \
                     сотрудника в личном кабинете UIS",
                    "UIS has no such number, or the employee has no active phone: check the \
                     number or switch on a number (SIP or mobile) on the employee's card in the \
                     UIS cabinet",
                )
                .to_owned(),
            UisMnemonic::VirtualPhoneNumberNotFound => lang
                .pick(
                    "Виртуальный номер для исходящих звонков не найден в UIS: проверьте номер в \
                     настройках релея",
                    "UIS has no such virtual number for outgoing calls: check the number in the \
                     relay's settings",
                )
                .to_owned(),
            UisMnemonic::OwnVirtualPhoneNumberNotAllowed => lang
                .pick(
                    "Нельзя позвонить на виртуальный номер своего же аккаунта UIS",
                    "A virtual number of the same UIS account cannot be called",
                )
                .to_owned(),
            UisMnemonic::ContactInBlacklist => lang
                .pick(
                    "Номер клиента в чёрном списке UIS: звонок на него запрещён; если номер \
                     попал туда по ошибке, уберите его из чёрного списка в личном кабинете UIS",
                    "The customer's number is on the UIS blacklist: calling it is not allowed; if \
                     it got there by mistake, remove it from the blacklist in the UIS cabinet",
                )
                .to_owned(),
            UisMnemonic::ScenarioNotFound => lang
                .pick(
                    "Сценарий UIS не найден: выберите сценарий из раздела «Виртуальная АТС → \
                     Сценарии» (его ID) или привяжите сценарий к виртуальному номеру",
                    "UIS has no such scenario: pick one (its id) in «Виртуальная АТС → \
                     Сценарии» (Virtual PBX → Scenarios) or attach a scenario to the virtual \
                     number",
                )
                .to_owned(),
            UisMnemonic::RequiredParameterMissed => tr!(
                lang,
                "UIS требует параметр{field_part}, которого релей не передал: сообщите \
                 разработчикам Trubka, приложив этот текст и код ошибки",
                "UIS requires the parameter{field_part}, which the relay did not send: tell \
                 the Trubka developers, with this text and the error code"
            ),
            UisMnemonic::InvalidParameterValue => tr!(
                lang,
                "UIS не принял значение параметра{field_part}: проверьте номер телефона и \
                 настройки релея (ID сотрудника, виртуальный номер)",
                "UIS did not accept the value of the parameter{field_part}: check the phone \
                 number and the relay's settings (employee id, virtual number)"
            ),
            UisMnemonic::DataTypeError
            | UisMnemonic::UnexpectedParameters
            | UisMnemonic::InvalidParametersCombination => tr!(
                lang,
                "UIS отклонил запрос релея (параметр{field_part}): сообщите администратору, \
                 приложив этот текст и код ошибки",
                "UIS refused the relay's request (parameter{field_part}): tell the \
                 administrator, with this text and the error code"
            ),
            UisMnemonic::TtsTextExceeded => tr!(
                lang,
                "Текст голосового сообщения длиннее, чем разрешает UIS: сократите его или \
                 увеличьте «Длина TTS сообщения» в {tariff_hint}",
                "The voice message text is longer than UIS allows: shorten it or raise \
                 «Длина TTS сообщения» (TTS message length) in {tariff_hint}"
            ),
            UisMnemonic::MediaFileNotFound => lang
                .pick(
                    "Аудиофайл сообщения не найден в UIS: проверьте ID файла",
                    "UIS has no such audio file for the message: check the file id",
                )
                .to_owned(),
            UisMnemonic::CharacterEncodingNotAllowed => lang
                .pick(
                    "UIS не принял символы в тексте сообщения: уберите необычные символы",
                    "UIS did not accept characters of the message text: remove unusual \
                     characters",
                )
                .to_owned(),
            UisMnemonic::InvalidState => lang
                .pick(
                    "Звонок UIS сейчас в таком состоянии, что это действие невозможно: \
                     удержание — только во время разговора, снятие с удержания — только на \
                     удержании, перевод и возврат — только после вызова коллеги, тренер — \
                     только во время разговора",
                    "The UIS call is in a state where this action is not possible: hold only \
                     during a conversation, resume only while on hold, transfer and return \
                     only after calling a colleague, a coach only during a conversation",
                )
                .to_owned(),
            UisMnemonic::TalkOptionNotFound => lang
                .pick(
                    "Опция разговора не настроена в UIS",
                    "The talk option is not set up in UIS",
                )
                .to_owned(),
            UisMnemonic::LegNotFound => lang
                .pick(
                    "Участник звонка не найден в UIS: вероятно, он уже отключился",
                    "UIS has no such call participant: they have probably hung up already",
                )
                .to_owned(),
            UisMnemonic::CoachNotFound => lang
                .pick(
                    "Для сотрудника в UIS не назначен тренер: укажите номер тренера или \
                     назначьте тренера сотруднику в кабинете UIS",
                    "The employee has no coach assigned in UIS: give the coach's number or \
                     assign a coach to the employee in the UIS cabinet",
                )
                .to_owned(),
            UisMnemonic::DateIntervalLimitReached => lang
                .pick(
                    "UIS выдаёт отчёт не более чем за 3 месяца за один запрос: сократите период",
                    "UIS gives a report for at most 3 months per request: shorten the period",
                )
                .to_owned(),
            UisMnemonic::SortProhibited | UisMnemonic::FilterProhibited => lang
                .pick(
                    "UIS не поддерживает такую сортировку или фильтр для этого отчёта",
                    "UIS does not support this sorting or filter for this report",
                )
                .to_owned(),
            // The create/update/upload refusals (Data API «Список ошибок общих для методов с
            // глаголом create и update»); `uis::offline::refusal` words them per operation.
            UisMnemonic::EntityNotFound => tr!(
                lang,
                "UIS не нашёл объект{field_part}",
                "UIS did not find the object{field_part}"
            ),
            UisMnemonic::DuplicateEntity | UisMnemonic::AlreadyInUse => tr!(
                lang,
                "Такой объект уже есть в UIS{field_part}",
                "UIS already has such an object{field_part}"
            ),
            UisMnemonic::CampaignIsInactive => lang
                .pick(
                    "Рекламная кампания не активна в UIS",
                    "The advertising campaign is not active in UIS",
                )
                .to_owned(),
            UisMnemonic::InvalidDateTime => tr!(
                lang,
                "UIS не принял дату или время{field_part}",
                "UIS did not accept the date or time{field_part}"
            ),
            UisMnemonic::DataLimitExceeded => lang
                .pick(
                    "В UIS достигнут предел количества данных: обратитесь в поддержку UIS",
                    "UIS has reached its limit on the amount of data: contact UIS support",
                )
                .to_owned(),
            UisMnemonic::TariffRestrictions => lang
                .pick(
                    "Тариф UIS не позволяет это действие: измените тариф в личном кабинете UIS",
                    "The UIS tariff does not allow this action: change the tariff in the UIS \
                     cabinet",
                )
                .to_owned(),
            UisMnemonic::ParseError
            | UisMnemonic::InvalidRequest
            | UisMnemonic::MethodNotFound
            | UisMnemonic::BatchOperationsNotSupported
            | UisMnemonic::NotificationsNotSupported => tr!(
                lang,
                "UIS не понял запрос релея ({self}): проверьте адреса Call API и Data API в \
                 настройках релея; если они верны, сообщите разработчикам Trubka",
                "UIS did not understand the relay's request ({self}): check the Call API and \
                 Data API addresses in the relay's settings; if they are right, tell the \
                 Trubka developers"
            ),
            UisMnemonic::InternalError => lang
                .pick(
                    "Внутренняя ошибка UIS: повторите попытку через минуту",
                    "Internal UIS error: try again in a minute",
                )
                .to_owned(),
            UisMnemonic::Other(mnemonic) => tr!(
                lang,
                "UIS вернул ошибку {mnemonic}: {message}",
                "UIS returned the error {mnemonic}: {message}"
            ),
        }
    }
}

impl PbxError {
    /// Russian text an agent or an admin can act on.
    pub fn user_message(&self) -> String {
        self.user_message_in(Lang::Ru)
    }

    /// The text an agent or an admin can act on, in `lang`. What Sipuni said, which may be
    /// Russian, is quoted in «» in English.
    pub fn user_message_in(&self, lang: Lang) -> String {
        let tariff_hint = uis_tariff_hint(lang);
        match self {
            PbxError::Uis {
                mnemonic,
                message,
                field,
                ..
            } => mnemonic.user_message_in(field.as_deref(), message, lang),
            PbxError::Sipuni { message } if super::sipuni_api_calls_off(message) => tr!(
                lang,
                "Sipuni не принимает звонки по API: включите «{SIPUNI_API_CALLS}» в кабинете \
                 Sipuni (Sipuni: {message})",
                "Sipuni does not take calls by API: switch on «{SIPUNI_API_CALLS}» (the API \
                 calls service) in the Sipuni cabinet (Sipuni: «{message}»)"
            ),
            PbxError::Sipuni { message } => tr!(
                lang,
                "Sipuni отклонил запрос: {message}",
                "Sipuni rejected the request: «{message}»"
            ),
            PbxError::LimitExhausted { scope, reset_after } => {
                let when = duration(*reset_after, lang);
                match (lang, scope) {
                    (Lang::Ru, scope) => {
                        let scope = match scope {
                            LimitScope::Minute => "минутный",
                            LimitScope::Day => "дневной",
                        };
                        format!(
                            "Исчерпан {scope} лимит запросов к API UIS: он восстановится через \
                             {when}; лимиты можно увеличить в {tariff_hint}"
                        )
                    }
                    (Lang::En, scope) => {
                        let scope = match scope {
                            LimitScope::Minute => "per-minute",
                            LimitScope::Day => "daily",
                        };
                        format!(
                            "The {scope} limit of UIS API requests is spent: it resets in \
                             {when}; the limits can be raised in {tariff_hint}"
                        )
                    }
                }
            }
            PbxError::Http {
                provider,
                status: 401 | 403,
                ..
            } => {
                let provider = provider_name(*provider);
                tr!(
                    lang,
                    "{provider} отказал в доступе: проверьте ключ API и номер кабинета в \
                     настройках релея",
                    "{provider} denied access: check the API key and the cabinet number in the \
                     relay's settings"
                )
            }
            PbxError::Http {
                provider, status, ..
            } if *status >= 500 => {
                let provider = provider_name(*provider);
                tr!(
                    lang,
                    "{provider} временно не отвечает (HTTP {status}): повторите попытку позже",
                    "{provider} is not answering for now (HTTP {status}): try again later"
                )
            }
            PbxError::Http {
                provider, status, ..
            } => {
                let provider = provider_name(*provider);
                tr!(
                    lang,
                    "{provider} вернул ошибку HTTP {status}: проверьте адрес API в настройках \
                     релея",
                    "{provider} returned HTTP error {status}: check the API address in the \
                     relay's settings"
                )
            }
            PbxError::Transport { provider, .. } => {
                let provider = provider_name(*provider);
                tr!(
                    lang,
                    "Нет связи с {provider}: проверьте доступ релея в интернет и адрес API в \
                     настройках",
                    "Cannot reach {provider}: check the relay's internet access and the API \
                     address in the settings"
                )
            }
            PbxError::Timeout { provider } => {
                let provider = provider_name(*provider);
                tr!(
                    lang,
                    "{provider} не ответил вовремя: повторите попытку",
                    "{provider} did not answer in time: try again"
                )
            }
            PbxError::BadResponse { provider, .. } => {
                let provider = provider_name(*provider);
                tr!(
                    lang,
                    "{provider} ответил непонятно для релея: сообщите разработчикам Trubka",
                    "{provider} gave an answer the relay cannot read: tell the Trubka developers"
                )
            }
            PbxError::InvalidArgument(what) => tr!(
                lang,
                "Неверные данные для АТС: {what}",
                "Invalid data for the PBX: {what}"
            ),
            PbxError::Config(what) => tr!(
                lang,
                "Неверные настройки подключения к АТС: {what}",
                "Invalid PBX connection settings: {what}"
            ),
        }
    }
}

/// A wait in words: «45 с», «3 мин», «2 ч 5 мин» (`45 s`, `3 min`, `2 h 5 min`).
fn duration(duration: Duration, lang: Lang) -> String {
    let secs = duration.as_secs();
    let (s, min, h) = lang.pick(("с", "мин", "ч"), ("s", "min", "h"));
    if secs < 60 {
        format!("{secs} {s}")
    } else if secs < 3600 {
        format!("{} {min}", secs.div_ceil(60))
    } else {
        format!("{} {h} {} {min}", secs / 3600, (secs % 3600) / 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_english(text: &str) {
        let cyrillic = trubka_core::cyrillic_outside_quotes(text);
        assert!(
            cyrillic.is_empty(),
            "Cyrillic {cyrillic:?} outside «» in {text:?}"
        );
    }

    fn errors() -> Vec<PbxError> {
        let mut errors: Vec<PbxError> = UisMnemonic::KNOWN
            .iter()
            .cloned()
            .chain([UisMnemonic::Other("tag_not_found".to_owned())])
            .map(|mnemonic| PbxError::Uis {
                code: -32602,
                mnemonic,
                message: "Limit per day has been exceeded, IP 203.0.113.7".to_owned(),
                field: Some("contact".to_owned()),
            })
            .collect();
        let transport = reqwest::Client::new()
            .get("not a url")
            .build()
            .expect_err("an address that is not a URL");
        errors.extend([
            PbxError::Uis {
                code: -32008,
                mnemonic: UisMnemonic::LimitExceeded,
                message: "Limit per minute has been exceeded".to_owned(),
                field: None,
            },
            PbxError::Sipuni {
                message: "Услуга «Совершение звонков по API» не подключена".to_owned(),
            },
            PbxError::Sipuni {
                message: "Неверный hash".to_owned(),
            },
            PbxError::LimitExhausted {
                scope: LimitScope::Minute,
                reset_after: Duration::from_secs(45),
            },
            PbxError::LimitExhausted {
                scope: LimitScope::Day,
                reset_after: Duration::from_secs(2 * 3600 + 300),
            },
            PbxError::Transport {
                provider: trubka_core::Provider::Uis,
                source: transport,
            },
            PbxError::InvalidArgument("empty phone number".to_owned()),
            PbxError::Config("bad base URL".to_owned()),
        ]);
        for provider in [trubka_core::Provider::Uis, trubka_core::Provider::Sipuni] {
            for status in [401, 404, 502] {
                errors.push(PbxError::Http {
                    provider,
                    status,
                    body: "nope".to_owned(),
                });
            }
            errors.push(PbxError::Timeout { provider });
            errors.push(PbxError::BadResponse {
                provider,
                reason: "not JSON".to_owned(),
            });
        }
        errors
    }

    #[test]
    fn every_english_message_is_english_outside_cabinet_names() {
        for error in errors() {
            let english = error.user_message_in(Lang::En);
            let russian = error.user_message_in(Lang::Ru);
            assert_english(&english);
            assert_ne!(english, russian, "{error:?}");
            assert_eq!(russian, error.user_message(), "Russian stays the default");
        }
    }

    #[test]
    fn english_messages_keep_cabinet_names_and_say_the_same() {
        let ip = PbxError::Uis {
            code: -32602,
            mnemonic: UisMnemonic::IpNotWhitelisted,
            message: "Your IP 203.0.113.7 is not whitelisted".to_owned(),
            field: Some("ip".to_owned()),
        }
        .user_message_in(Lang::En);
        assert!(
            ip.starts_with("UIS does not accept requests from the relay's IP address 203.0.113.7:"),
            "{ip}"
        );
        assert!(
            ip.contains("«Администратор → Аккаунт → Правила и настройки безопасности → API»"),
            "{ip}"
        );
        let call_api = UisMnemonic::ComponentDisabled.user_message_in(None, "x", Lang::En);
        assert!(
            call_api.contains("«Call API Базовый набор» (Call API basic set)"),
            "{call_api}"
        );
        let limit = PbxError::LimitExhausted {
            scope: LimitScope::Day,
            reset_after: Duration::from_secs(2 * 3600 + 5 * 60 + 7),
        };
        assert!(
            limit.user_message_in(Lang::En).contains("daily limit")
                && limit
                    .user_message_in(Lang::En)
                    .contains("resets in 2 h 5 min"),
            "{}",
            limit.user_message_in(Lang::En)
        );
        assert_eq!(
            PbxError::Sipuni {
                message: "Неверный hash".to_owned()
            }
            .user_message_in(Lang::En),
            "Sipuni rejected the request: «Неверный hash»"
        );
    }
}
