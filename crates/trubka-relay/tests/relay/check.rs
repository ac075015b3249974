//! `trubka-relay check` against the simulated PBXs: it reaches their APIs, finds every fault a
//! real account can have (keys, allow-list, tariff options, agents' mappings, where UIS sends
//! its notifications) and explains each in words, with a non-zero exit status from the binary.

use serde_json::json;
use trubka_core::Lang;
use trubka_relay::config::locate::ConfigSource;
use trubka_relay::setup::check;
use trubka_sim::{IpRange, UisComponent};

use crate::common::read_json;
use crate::support::{
    ANNA_EXT, ANNA_UIS, IGOR_EXT, Pbx, assert_english, check_output, relay_binary, says,
};

/// Every PBX API request the simulator received.
async fn pbx_requests(pbx: &Pbx) -> usize {
    let mut count = 0;
    for api in ["uis_call_api", "uis_data_api", "sipuni_api"] {
        count += pbx.sim_requests(api).await.len();
    }
    count
}

#[tokio::test]
async fn check_passes_against_a_well_configured_account() {
    let pbx = Pbx::start(|_| {}, |_| {}).await;
    pbx.agent("Анна", |new| {
        new.uis_employee = Some(ANNA_UIS.to_owned())
    });
    let (ok, text) = check_output(&pbx).await;
    assert!(ok, "{text}");
    assert!(text.contains("✓ UIS Data API (get.account)"), "{text}");
    assert!(text.contains("✓ UIS Call API (list.calls)"), "{text}");
    assert!(
        text.contains("✓ UIS Call API (release.call): «Call API Базовый набор» подключён"),
        "{text}"
    );
    assert!(
        text.contains("«Уведомления»") && text.contains("«API Расширенный»"),
        "{text}"
    );
    assert!(
        text.contains("✓ Sipuni API (callback/call_number без номера): заказы звонков принимаются"),
        "{text}"
    );
    assert!(text.contains("✓ Виртуальный номер 74951234567"), "{text}");
    assert!(
        text.contains("✓ Сотрудники UIS всех операторов найдены (1)"),
        "{text}"
    );
    assert!(text.contains("✓ Sipuni API (statistic/export)"), "{text}");
    assert!(
        text.contains("✓ Часовой пояс аккаунта UIS Europe/Moscow совпадает"),
        "{text}"
    );
    assert!(!text.contains('✗'), "{text}");
    says(&text, &["– Адресная книга UIS не подключена к справочнику"]);
    pbx.stop().await;
}

#[tokio::test]
async fn check_reads_the_uis_address_book_when_the_directory_takes_it() {
    let on = |config: &mut trubka_relay::RelayConfig| {
        config.directory.uis_sync = Some(trubka_relay::config::UisSyncConfig::default());
    };
    let pbx = Pbx::start(on, |_| {}).await;
    let (ok, text) = check_output(&pbx).await;
    assert!(ok, "{text}");
    says(
        &text,
        &[
            "✓ Адресная книга UIS (get.contacts) читается: контактов 6; справочник берёт её раз в 15 мин",
        ],
    );
    pbx.stop().await;

    let forbidden = |sim: &mut trubka_sim::SimConfig| {
        sim.uis.forbidden_methods = vec!["get.contacts".to_owned()];
    };
    let pbx = Pbx::start(on, forbidden).await;
    let (ok, text) = check_output(&pbx).await;
    assert!(!ok, "{text}");
    says(
        &text,
        &[
            "✗ Адресная книга UIS (get.contacts): ",
            "нет прав",
            "[forbidden]",
        ],
    );
    pbx.stop().await;
}

#[tokio::test]
async fn check_warns_when_utc_offset_is_not_the_uis_accounts_zone() {
    // The simulated account is on Europe/Moscow; the relay is told Yekaterinburg.
    let pbx = Pbx::start(
        |relay| relay.uis.utc_offset = chrono::FixedOffset::east_opt(5 * 3600).unwrap(),
        |_| {},
    )
    .await;
    let (ok, text) = check_output(&pbx).await;
    assert!(ok, "a warning, not a failure:\n{text}");
    assert!(
        text.contains(
            "⚠ Часовой пояс аккаунта UIS — Europe/Moscow (UTC+03:00), а [uis] utc_offset = \
             +05:00: время звонков UIS будет сдвинуто на 2 ч. Укажите в [uis] utc_offset = \
             \"+03:00\""
        ),
        "{text}"
    );
    pbx.stop().await;
}

#[tokio::test]
async fn check_explains_each_refusal_in_words_in_either_language() {
    struct Case {
        sim: fn(&mut trubka_sim::SimConfig),
        relay: fn(&mut trubka_relay::RelayConfig),
        ru: &'static [&'static str],
        en: &'static [&'static str],
    }
    let cases = [
        Case {
            sim: |_| {},
            relay: |relay| relay.uis.api_key = Some("wrong".to_owned()),
            ru: &[
                "✗ UIS Data API (get.account): Ключ API UIS неверен",
                "[access_token_invalid]",
            ],
            en: &[
                "✗ UIS Data API (get.account): The UIS API key is wrong or has expired: create \
                 a new key in «Аккаунт → Управление пользователями» (Account → User management",
                "[access_token_invalid]",
            ],
        },
        Case {
            sim: |sim| sim.uis.allowed_ips = vec!["10.0.0.0/8".parse::<IpRange>().unwrap()],
            relay: |_| {},
            ru: &[
                "✗ UIS Data API (get.account): UIS не принимает запросы с IP-адреса релея \
                 127.0.0.1: добавьте этот адрес в «Администратор → Аккаунт → Правила и \
                 настройки безопасности → API»",
                "✗ UIS Call API (release.call): UIS не принимает запросы с IP-адреса релея",
                "[ip_not_whitelisted]",
            ],
            en: &[
                "✗ UIS Data API (get.account): UIS does not accept requests from the relay's IP \
                 address 127.0.0.1: add this address in «Администратор → Аккаунт → Правила и \
                 настройки безопасности → API»",
                "[ip_not_whitelisted]",
            ],
        },
        // A new cabinet: no address allowed at all.
        Case {
            sim: |sim| sim.uis.allowed_ips.clear(),
            relay: |_| {},
            ru: &[
                "✗ UIS Data API (get.account): UIS не принимает запросы с IP-адреса релея",
                "0.0.0.0/0",
            ],
            en: &[
                "✗ UIS Data API (get.account): UIS does not accept requests from the relay's IP",
                "0.0.0.0/0",
            ],
        },
        Case {
            sim: |sim| sim.uis.disabled_components = vec![UisComponent::DataApi],
            relay: |_| {},
            ru: &[
                "✗ UIS Data API (get.account): В тарифе UIS не подключён Data API",
                "подключите опцию «API Базовые отраслевые решения» в «Администратор → Аккаунт → \
                 Тарифы и опции»",
                "[method_component_disabled]",
            ],
            en: &[
                "✗ UIS Data API (get.account): The UIS tariff has no Data API",
                "enable the option «API Базовые отраслевые решения» (API basic industry \
                 solutions) in «Администратор → Аккаунт → Тарифы и опции»",
            ],
        },
        Case {
            sim: |sim| sim.uis.disabled_components = vec![UisComponent::CallApiBasic],
            relay: |_| {},
            ru: &[
                "✗ UIS Call API: опция «Call API Базовый набор» не подключена — звонки из \
                 Trubka через UIS не будут работать",
            ],
            en: &[
                "✗ UIS Call API: the option «Call API Базовый набор» (Call API basic set) is not \
                 enabled — calls from Trubka through UIS will not work",
            ],
        },
        Case {
            sim: |sim| sim.sipuni.api_calls = false,
            relay: |_| {},
            ru: &[
                "✓ Sipuni API (statistic/export)",
                "✗ Sipuni: «Услуга совершение звонков по API» не подключена",
                "Включите «Услуга совершение звонков по API» в кабинете Sipuni",
            ],
            en: &[
                "✓ Sipuni API (statistic/export)",
                "✗ Sipuni: «Услуга совершение звонков по API» (the API calls service) is not \
                 switched on",
                "Switch on «Услуга совершение звонков по API» in the Sipuni cabinet",
            ],
        },
        Case {
            sim: |_| {},
            relay: |relay| relay.sipuni.secret = Some("wrong".to_owned()),
            ru: &[
                "✗ Sipuni API (statistic/export): Sipuni отклонил запрос",
                "Номер кабинета 064629 похож на настоящий — скорее всего неверен [sipuni] secret",
            ],
            en: &[
                "✗ Sipuni API (statistic/export): Sipuni rejected the request",
                "  Sipuni's answer does not tell a wrong cabinet number from a wrong key. The \
                 cabinet number 064629 looks real — most likely [sipuni] secret is wrong",
            ],
        },
        // A leading zero lost: told apart from a wrong key.
        Case {
            sim: |_| {},
            relay: |relay| relay.sipuni.user = Some("64629".to_owned()),
            ru: &[
                "✗ [sipuni] user = «64629»: номер кабинета Sipuni — 6 цифр, здесь 5: вероятно, \
                 потерян ведущий ноль (064629). В relay.toml пишите номер в кавычках: user = \
                 \"064629\"",
                "Sipuni не принял подпись: причина — номер кабинета",
            ],
            en: &[
                "✗ [sipuni] user = «64629»: a Sipuni cabinet number is 6 digits, here 5: a \
                 leading zero was probably lost (064629). In relay.toml write the number in \
                 quotes: user = \"064629\"",
                "  Sipuni did not accept the signature: the cause is the cabinet number",
            ],
        },
        Case {
            sim: |_| {},
            relay: |relay| {
                relay.uis.api_key = Some("…".to_owned());
                relay.sipuni.secret = Some("".to_owned());
            },
            ru: &[
                "✗ [uis] api_key = «…» — это не ключ (многоточие из примера): впишите настоящее \
                 значение; запросы к АТС с ним не отправлялись",
                "✗ [sipuni] secret = «» — это не ключ (пустое значение)",
            ],
            en: &[
                "✗ [uis] api_key = «…» — this is not a key (the sample's ellipsis): write the \
                 real value; no request was sent to the PBX with it",
                "✗ [sipuni] secret = «» — this is not a key (an empty value)",
            ],
        },
        Case {
            sim: |_| {},
            relay: |relay| relay.uis.virtual_number = Some("74950000000".to_owned()),
            ru: &["✗ Виртуального номера 74950000000"],
            en: &[
                "✗ The virtual number 74950000000 ([uis] virtual_number) is not in the UIS \
                 account",
            ],
        },
    ];
    for case in cases {
        for lang in [Lang::Ru, Lang::En] {
            let pbx = Pbx::start(
                |relay| {
                    relay.language = lang;
                    (case.relay)(relay);
                },
                case.sim,
            )
            .await;
            let (ok, text) = check_output(&pbx).await;
            assert!(!ok, "{text}");
            says(&text, lang.pick(case.ru, case.en));
            if lang == Lang::En {
                assert_english(&text);
            }
            pbx.stop().await;
        }
    }
    // The management option is not needed for click-to-call: a warning, not a failure.
    let pbx = Pbx::start(
        |_| {},
        |sim| sim.uis.disabled_components = vec![UisComponent::CallApiManagement],
    )
    .await;
    pbx.agent("Игорь", |new| {
        new.uis_employee = Some("999".to_owned())
    });
    let (ok, text) = check_output(&pbx).await;
    assert!(text.contains("⚠ UIS Call API"), "{text}");
    assert!(
        text.contains(
            "✗ Оператор «Игорь»: сотрудника UIS с ID 999 нет в аккаунте — найдите ID в \
             «Сотрудники» и исправьте: trubka-relay agent edit Игорь --uis-employee ID"
        ),
        "{text}"
    );
    assert!(!ok);
    pbx.stop().await;
}

#[tokio::test]
async fn the_check_command_exits_with_failure_and_says_why() {
    let pbx = Pbx::start(|_| {}, |_| {}).await;
    let sim = pbx.sim_addr;
    let data = pbx.config.data_dir.clone();
    let output = tokio::task::spawn_blocking(move || {
        relay_binary()
            .arg("check")
            .arg("--data-dir")
            .arg(&data)
            .env("TRUBKA_RELAY_UIS_API_KEY", "wrong-key")
            .env(
                "TRUBKA_RELAY_UIS_CALL_API_URL",
                format!("http://{sim}/uis/callapi/v4.0"),
            )
            .env(
                "TRUBKA_RELAY_UIS_DATA_API_URL",
                format!("http://{sim}/uis/dataapi/v2.0"),
            )
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.contains("✗ UIS Data API (get.account): Ключ API UIS неверен"),
        "{text}"
    );
    assert!(text.contains("– Sipuni API не настроен"), "{text}");
    // No file, but a key in the environment: said, and not an error by itself.
    assert!(
        text.contains("⚠ Файл настроек не прочитан (искали: --config"),
        "{text}"
    );
    pbx.stop().await;
}

#[tokio::test]
async fn check_reports_sample_and_empty_keys_before_any_request() {
    let pbx = Pbx::start(
        |relay| {
            relay.uis.api_key = Some("…".to_owned());
            relay.sipuni.secret = Some("<secret>".to_owned());
        },
        |_| {},
    )
    .await;
    let (ok, text) = check_output(&pbx).await;
    assert!(!ok, "{text}");
    assert!(
        text.contains(
            "✗ [uis] api_key = «…» — это не ключ (многоточие из примера): впишите настоящее \
             значение; запросы к АТС с ним не отправлялись"
        ),
        "{text}"
    );
    assert!(
        text.contains("✗ [sipuni] secret = «<secret>» — это не ключ (заготовка в скобках"),
        "{text}"
    );
    assert_eq!(
        pbx_requests(&pbx).await,
        0,
        "no PBX was asked with a sample key"
    );
    pbx.stop().await;
    for (value, why) in [("", "пустое значение"), ("your-key", "слово из примера")]
    {
        let pbx = Pbx::start(|relay| relay.uis.api_key = Some(value.to_owned()), |_| {}).await;
        let (ok, text) = check_output(&pbx).await;
        assert!(!ok, "{text}");
        assert!(
            text.contains(&format!("✗ [uis] api_key = «{value}» — это не ключ ({why}")),
            "{text}"
        );
        assert_eq!(pbx.sim_requests("uis_data_api").await.len(), 0);
        pbx.stop().await;
    }
}

#[tokio::test]
async fn check_without_a_config_file_says_so_and_fails_when_nothing_is_set() {
    let dir = tempfile::tempdir().unwrap();
    let source = ConfigSource::None {
        looked: vec!["/etc/trubka/relay.toml".into(), "relay.toml".into()],
    };
    let said: [(Lang, &[&str]); 2] = [
        (
            Lang::Ru,
            &[
                "✗ Файл настроек не прочитан (искали: --config, TRUBKA_RELAY_CONFIG, \
                 /etc/trubka/relay.toml, relay.toml), и ничего не настроено переменными \
                 TRUBKA_RELAY_*: проверять нечего",
                "– UIS API не настроен ([uis] api_key)",
            ],
        ),
        (
            Lang::En,
            &[
                "✗ No settings file was read (looked in: --config, TRUBKA_RELAY_CONFIG, \
                 /etc/trubka/relay.toml, relay.toml), and nothing is set by TRUBKA_RELAY_* \
                 variables: there is nothing to check. Name the file: trubka-relay --config \
                 /etc/trubka/relay.toml check",
                "⚠ There is no relay database in ",
                "– UIS API is not set up ([uis] api_key)",
                "– Sipuni API is not set up ([sipuni] user and secret)",
            ],
        ),
    ];
    for (language, pieces) in said {
        let config = trubka_relay::RelayConfig {
            data_dir: dir.path().join("data"),
            language,
            ..trubka_relay::RelayConfig::default()
        };
        let mut out = Vec::new();
        let ok = check::run(&config, &source, &mut out).await.unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(!ok, "{text}");
        says(&text, pieces);
        assert!(
            !text.contains(language.pick("ошибок нет", "no errors")),
            "{text}"
        );
        if language == Lang::En {
            assert_english(&text);
        }
        assert!(!config.data_dir.exists(), "check made a data dir");
    }
}

#[test]
fn the_check_command_without_any_config_exits_with_failure() {
    let cwd = tempfile::tempdir().unwrap();
    let output = relay_binary()
        .current_dir(cwd.path())
        .arg("check")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    if std::path::Path::new("/etc/trubka/relay.toml").exists() {
        // An installed relay on this machine: its config is found, nothing to assert here.
        return;
    }
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("✗ Файл настроек не прочитан (искали: --config"),
        "{text}"
    );
    assert!(
        text.contains("/etc/trubka/relay.toml, relay.toml"),
        "{text}"
    );
    assert!(!text.contains("ошибок нет"), "{text}");
    assert!(
        !cwd.path().join("relay-data").exists(),
        "check made a database"
    );
}

#[tokio::test]
async fn check_finds_each_agents_wrong_mapping() {
    let pbx = Pbx::start(|_| {}, |_| {}).await;
    pbx.agent("Анна", |new| {
        new.uis_employee = Some(ANNA_UIS.to_owned());
        new.employee_phones = vec!["+79990001122".to_owned()];
        new.virtual_number = Some(trubka_core::PhoneNumber::from_e164("+74950000000").unwrap());
        new.sipuni_ext = Some("209".to_owned());
    });
    pbx.agent("Игорь Петров", |new| {
        new.sipuni_ext = Some(IGOR_EXT.to_owned())
    });
    let (ok, text) = check_output(&pbx).await;
    assert!(!ok, "{text}");
    for piece in [
        "✗ Оператор «Анна»: телефон сотрудника +79990001122 — его нет ни у сотрудника \
         2339292",
        "исправьте: trubka-relay agent edit Анна --employee-phone НОМЕР",
        "✗ Оператор «Анна»: виртуального номера +74950000000 (его номер для исходящих) нет в \
         аккаунте UIS",
        "trubka-relay agent edit Анна --virtual-number НОМЕР",
        "✗ Оператор «Анна»: внутреннего номера 209 нет среди сотрудников кабинета Sipuni \
         (есть: 201, 202",
        "исправьте: trubka-relay agent edit Анна --sipuni-ext НОМЕР",
    ] {
        assert!(text.contains(piece), "{piece:?} in\n{text}");
    }
    // Igor's extension is right; a name with a space is quoted in the advice.
    assert!(!text.contains("«Игорь Петров»"), "{text}");
    pbx.stop().await;
    // Another employee's SIP line is named as such.
    let pbx = Pbx::start(|_| {}, |_| {}).await;
    let igors = employee_line(&pbx, crate::support::IGOR_UIS).await;
    pbx.agent("Анна", |new| {
        new.uis_employee = Some(ANNA_UIS.to_owned());
        new.employee_phones = vec![igors.clone()];
    });
    let (ok, text) = check_output(&pbx).await;
    assert!(!ok, "{text}");
    assert!(
        text.contains(&format!(
            "✗ Оператор «Анна»: телефон сотрудника {igors} — это телефон другого сотрудника UIS \
             — «Игорь"
        )),
        "{text}"
    );
    pbx.stop().await;
    // All right: the employee's own SIP line, an extension of the cabinet.
    let pbx = Pbx::start(|_| {}, |_| {}).await;
    let line = employee_line(&pbx, ANNA_UIS).await;
    pbx.agent("Анна", |new| {
        new.uis_employee = Some(ANNA_UIS.to_owned());
        new.employee_phones = vec![line];
        new.sipuni_ext = Some(ANNA_EXT.to_owned());
    });
    let (ok, text) = check_output(&pbx).await;
    assert!(ok, "{text}");
    assert!(
        text.contains("✓ Сотрудники UIS всех операторов найдены (1), их телефоны совпадают"),
        "{text}"
    );
    assert!(
        text.contains("✓ Внутренние номера Sipuni всех операторов есть в кабинете (1)"),
        "{text}"
    );
    pbx.stop().await;
}

/// The first phone `get.employees` gives the employee `id`, asked of the simulator directly.
async fn employee_line(pbx: &Pbx, id: &str) -> String {
    let response = pbx
        .http
        .post(pbx.sim_url("/uis/dataapi/v2.0"))
        .json(
            &json!({"jsonrpc": "2.0", "id": 1, "method": "get.employees",
                      "params": {"access_token": crate::support::UIS_KEY}}),
        )
        .send()
        .await
        .unwrap();
    let (_, body) = read_json(response).await;
    let employee = body["result"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == json!(id.parse::<u64>().unwrap()))
        .unwrap()
        .clone();
    employee["phone_numbers"][0]["phone_number"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_wrong_secret_does_not_blame_the_cabinet_number() {
    let pbx = Pbx::start(
        |relay| relay.sipuni.secret = Some("wrong".to_owned()),
        |_| {},
    )
    .await;
    let (ok, text) = check_output(&pbx).await;
    assert!(!ok, "{text}");
    assert!(!text.contains("[sipuni] user = «"), "{text}");
    pbx.stop().await;
}

#[tokio::test]
async fn check_reads_which_notifications_uis_sent_and_where() {
    // None sent yet: said, not an error.
    let mut pbx = Pbx::start(|_| {}, |_| {}).await;
    pbx.config.public_url = Some(format!("http://{}", pbx.relay_addr));
    let (ok, text) = check_output(&pbx).await;
    assert!(ok, "{text}");
    assert!(
        text.contains("⚠ UIS не отправлял уведомлений за 7 дней (get.notifications)"),
        "{text}"
    );
    // A call: its notifications reached the relay, and UIS's report says so.
    let call = pbx
        .sim_call(json!({"provider": "uis", "employee": ANNA_UIS}))
        .await;
    pbx.delivered(&call, "Завершение звонка").await;
    let (ok, text) = check_output(&pbx).await;
    assert!(ok, "{text}");
    let relay = format!("http://{}/hooks/uis/***/", pbx.relay_addr);
    assert!(
        text.contains(
            "✓ Уведомление «Завершение звонка»: 1 за 7 дней, все \
                       доставлены на "
        ),
        "{text}"
    );
    assert!(text.contains(&relay), "{relay} in\n{text}");
    assert!(
        !text.contains(crate::support::UIS_HOOK),
        "the hook token is never printed:\n{text}"
    );
    pbx.stop().await;
}

#[tokio::test]
async fn check_finds_a_notification_pointed_at_a_wrong_url() {
    let mut pbx = Pbx::start(
        |_| {},
        |sim| {
            // The cabinet's notifications point at an address nothing answers on.
            sim.uis.notification_base = Some("http://127.0.0.1:1/".parse().unwrap());
            sim.delivery.attempts = 1;
        },
    )
    .await;
    pbx.config.public_url = Some(format!("http://{}", pbx.relay_addr));
    let call = pbx
        .sim_call(json!({"provider": "uis", "employee": ANNA_UIS}))
        .await;
    pbx.delivered(&call, "Завершение звонка").await;
    let (ok, text) = check_output(&pbx).await;
    assert!(!ok, "{text}");
    assert!(
        text.contains(&format!(
            "✗ Уведомление «Завершение звонка»: 1 за 7 дней — адрес не \
             этого релея (public_url http://{}): отправляется на \
             http://127.0.0.1:1/hooks/uis/***/ended. Исправьте адрес уведомления в кабинете \
             UIS (раздел «Уведомления»)",
            pbx.relay_addr
        )),
        "{text}"
    );
    pbx.stop().await;
}

#[tokio::test]
async fn check_finds_a_notification_with_an_old_token() {
    // The cabinet still has the URL of an earlier installation: the relay refuses it.
    let mut pbx = Pbx::start(|_| {}, |sim| sim.uis.hook_token = "old-token".to_owned()).await;
    pbx.config.public_url = Some(format!("http://{}", pbx.relay_addr));
    let call = pbx
        .sim_call(json!({"provider": "uis", "employee": ANNA_UIS}))
        .await;
    pbx.delivered(&call, "Завершение звонка").await;
    let (ok, text) = check_output(&pbx).await;
    assert!(!ok, "{text}");
    assert!(
        text.contains(
            "✗ Уведомление «Завершение звонка»: 1 за 7 дней — в адресе не \
             токен этого релея (старый или из другой установки)"
        ),
        "{text}"
    );
    assert!(
        !text.contains("old-token"),
        "the token is never printed:\n{text}"
    );
    pbx.stop().await;
}

#[tokio::test]
async fn without_sipunis_employees_list_extensions_are_compared_with_the_calls() {
    let pbx = Pbx::start(|_| {}, |sim| sim.sipuni.operators_list = false).await;
    let call = pbx
        .sim_call(json!({"provider": "sipuni", "employee": ANNA_EXT}))
        .await;
    pbx.delivered(&call, "event 2").await;
    pbx.agent("Анна", |new| new.sipuni_ext = Some(ANNA_EXT.to_owned()));
    pbx.agent("Игорь", |new| {
        new.sipuni_ext = Some(IGOR_EXT.to_owned())
    });
    let (ok, text) = check_output(&pbx).await;
    // Only a warning: an extension nobody has called from yet may still be right.
    assert!(ok, "{text}");
    assert!(
        text.contains("⚠ Sipuni API (statistic/operators): список сотрудников получить не удалось"),
        "{text}"
    );
    assert!(
        text.contains(
            "⚠ Оператор «Игорь»: внутренний номер 202 не встречался в звонках за 7 дней — если \
             оператор звонил, номер неверен: trubka-relay agent edit Игорь --sipuni-ext НОМЕР"
        ),
        "{text}"
    );
    assert!(!text.contains("Оператор «Анна»"), "{text}");
    pbx.stop().await;
}
