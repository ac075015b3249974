//! The admin commands with `language = "en"`: `check` against the simulated PBXs (its
//! refusals are in `tests/check.rs`, in both languages), `status`, `uis-templates` and
//! `sipuni-setup`. Each
//! says the same things in English, and in one language: no Cyrillic letter outside the «…»
//! that quote a Russian cabinet's names, the PBXs' own words and the admin's data.

use serde_json::json;
use trubka_core::Lang;
use trubka_relay::setup::uis_templates::NOTIFICATIONS;
use trubka_sim::UisComponent;

use crate::support::{ANNA_EXT, ANNA_UIS, IGOR_EXT, Pbx, assert_english, relay_binary, says};

#[test]
fn the_one_language_check_catches_russian_outside_quotes() {
    assert_english("✓ enable «Call API Базовый набор» (Call API basic set)");
    for russian in ["✗ Итог: ошибок нет.", "a «b» ё", "«x» Агент"] {
        let caught = std::panic::catch_unwind(|| assert_english(russian));
        assert!(caught.is_err(), "{russian:?} passed as English");
    }
}

fn english(relay: &mut trubka_relay::RelayConfig) {
    relay.language = Lang::En;
}

/// What `check` says, which in English must be English alone.
async fn check_output(pbx: &Pbx) -> (bool, String) {
    let (ok, text) = crate::support::check_output(pbx).await;
    assert_english(&text);
    (ok, text)
}

#[tokio::test]
async fn check_in_english_passes_a_well_configured_account() {
    let pbx = Pbx::start(english, |_| {}).await;
    pbx.agent("Anna", |new| {
        new.uis_employee = Some(ANNA_UIS.to_owned());
        new.sipuni_ext = Some(ANNA_EXT.to_owned());
    });
    let (ok, text) = check_output(&pbx).await;
    assert!(ok, "{text}");
    says(
        &text,
        &[
            "Checking the trubka-relay settings\n",
            "✓ Settings file: ",
            "✓ The relay's public address: https://relay.example.com",
            "✓ UIS Data API (get.account): account «",
            "✓ The UIS account's time zone Europe/Moscow matches [uis] utc_offset (+03:00)",
            "✓ UIS Call API (release.call): «Call API Базовый набор» (Call API basic set) is \
             enabled — calls from Trubka through UIS can be made",
            "✓ UIS Call API (list.calls): available, calls now: 0",
            "  No request checks «API Расширенный» (API advanced",
            "✓ The virtual number 74951234567 for outgoing calls is in the account",
            "✓ The UIS employees of all agents are found (1), their phones match",
            "✓ Sipuni API (statistic/export): the cabinet number and the key are accepted",
            "✓ Sipuni API (callback/call_number without a number): call orders are accepted",
            "✓ The Sipuni internal numbers of all agents are in the cabinet (1)",
        ],
    );
    assert!(text.ends_with("Result: no errors.\n"), "{text}");
    pbx.stop().await;
}

#[tokio::test]
async fn check_in_english_warns_in_english() {
    let pbx = Pbx::start(
        |relay| {
            english(relay);
            relay.uis.utc_offset = chrono::FixedOffset::east_opt(5 * 3600).unwrap();
        },
        |sim| sim.uis.disabled_components = vec![UisComponent::CallApiManagement],
    )
    .await;
    let (ok, text) = check_output(&pbx).await;
    assert!(ok, "warnings, not failures:\n{text}");
    says(
        &text,
        &[
            "⚠ The UIS account's time zone is Europe/Moscow (UTC+03:00), but [uis] utc_offset = \
             +05:00: UIS call times will be shifted by 2 h. Set [uis] utc_offset = \"+03:00\"",
            "⚠ UIS Call API: the option «Call API Управление вызовами» (Call API call \
             management) is not enabled — calls from Trubka do not need it",
            "⚠ UIS sent no notifications in 7 days (get.notifications)",
        ],
    );
    pbx.stop().await;
}

#[tokio::test]
async fn check_in_english_names_each_agents_wrong_mapping() {
    let pbx = Pbx::start(english, |_| {}).await;
    pbx.agent("Anna", |new| {
        new.uis_employee = Some(ANNA_UIS.to_owned());
        new.employee_phones = vec!["+79990001122".to_owned()];
        new.virtual_number = Some(trubka_core::PhoneNumber::from_e164("+74950000000").unwrap());
        new.sipuni_ext = Some("209".to_owned());
    });
    pbx.agent("Igor", |new| new.uis_employee = Some("999".to_owned()));
    let (ok, text) = check_output(&pbx).await;
    assert!(!ok, "{text}");
    says(
        &text,
        &[
            "✗ Agent «Anna»: the employee phone +79990001122 — no UIS employee has it, neither \
             employee 2339292 («",
            "nor another. An employee's phones and SIP lines are shown in «Сотрудники» \
             (Employees); fix it: trubka-relay agent edit Anna --employee-phone NUMBER",
            "✗ Agent «Anna»: the virtual number +74950000000 (their number for outgoing calls) \
             is not in the UIS account",
            "trubka-relay agent edit Anna --virtual-number NUMBER",
            "✗ Agent «Anna»: the internal number 209 is not among the Sipuni cabinet's \
             employees (there are: 201, 202",
            "fix it: trubka-relay agent edit Anna --sipuni-ext NUMBER",
            "✗ Agent «Igor»: the UIS employee with ID 999 is not in the account — find the ID \
             in «Сотрудники» (Employees) and fix it: trubka-relay agent edit Igor \
             --uis-employee ID",
        ],
    );
    pbx.stop().await;
    // Without Sipuni's employees list, the calls of the last days stand in.
    let pbx = Pbx::start(english, |sim| sim.sipuni.operators_list = false).await;
    let call = pbx
        .sim_call(json!({"provider": "sipuni", "employee": ANNA_EXT}))
        .await;
    pbx.delivered(&call, "event 2").await;
    pbx.agent("Anna", |new| new.sipuni_ext = Some(ANNA_EXT.to_owned()));
    pbx.agent("Igor", |new| new.sipuni_ext = Some(IGOR_EXT.to_owned()));
    let (ok, text) = check_output(&pbx).await;
    assert!(ok, "{text}");
    says(
        &text,
        &[
            "⚠ Sipuni API (statistic/operators): the list of employees could not be fetched",
            "⚠ Agent «Igor»: the internal number 202 appears in no call of the last 7 days — if \
             the agent made calls, the number is wrong: trubka-relay agent edit Igor \
             --sipuni-ext NUMBER",
        ],
    );
    pbx.stop().await;
}

#[tokio::test]
async fn check_in_english_reads_where_uis_sent_its_notifications() {
    // Delivered to this relay.
    let mut pbx = Pbx::start(english, |_| {}).await;
    pbx.config.public_url = Some(format!("http://{}", pbx.relay_addr));
    let call = pbx
        .sim_call(json!({"provider": "uis", "employee": ANNA_UIS}))
        .await;
    pbx.delivered(&call, "Завершение звонка").await;
    let (ok, text) = check_output(&pbx).await;
    assert!(ok, "{text}");
    says(
        &text,
        &[
            "Notifications UIS sent in 7 days (get.notifications): ",
            "✓ Notification «Завершение звонка»: 1 in 7 days, all delivered to http://",
        ],
    );
    pbx.stop().await;
    // Pointed at another address, and carrying an earlier relay's token.
    type Sim = fn(&mut trubka_sim::SimConfig);
    let faults: [(Sim, &str); 2] = [
        (
            |sim| {
                sim.uis.notification_base = Some("http://127.0.0.1:1/".parse().unwrap());
                sim.delivery.attempts = 1;
            },
            "✗ Notification «Завершение звонка»: 1 in 7 days — the address is not this relay's \
             (public_url http://",
        ),
        (
            |sim| sim.uis.hook_token = "old-token".to_owned(),
            "✗ Notification «Завершение звонка»: 1 in 7 days — the address carries a token \
             that is not this relay's (an old one or another installation's): it is sent to",
        ),
    ];
    for (sim, said) in faults {
        let mut pbx = Pbx::start(english, sim).await;
        pbx.config.public_url = Some(format!("http://{}", pbx.relay_addr));
        let call = pbx
            .sim_call(json!({"provider": "uis", "employee": ANNA_UIS}))
            .await;
        pbx.delivered(&call, "Завершение звонка").await;
        let (ok, text) = check_output(&pbx).await;
        assert!(!ok, "{text}");
        says(
            &text,
            &[
                said,
                "Change the notification's address in the UIS cabinet (section «Уведомления», \
                 Notifications) to the one trubka-relay uis-templates prints",
            ],
        );
        pbx.stop().await;
    }
}

/// `trubka-relay ARGS` in English, in an empty directory (no relay.toml found by accident).
fn in_english(args: &[&str], data: &std::path::Path) -> String {
    let cwd = tempfile::tempdir().unwrap();
    let output = relay_binary()
        .current_dir(cwd.path())
        .env("TRUBKA_RELAY_LANGUAGE", "en")
        .args(args)
        .arg("--data-dir")
        .arg(data)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[tokio::test]
async fn status_and_the_printouts_in_english() {
    let pbx = Pbx::start(english, |_| {}).await;
    let call = pbx
        .sim_call(json!({"provider": "uis", "employee": ANNA_UIS}))
        .await;
    pbx.delivered(&call, "Завершение звонка").await;
    let data = pbx.config.data_dir.clone();
    let (status, uis, sipuni) = tokio::task::spawn_blocking(move || {
        (
            in_english(&["status"], &data),
            in_english(
                &["uis-templates", "--public-url", "https://relay.example.com"],
                &data,
            ),
            in_english(
                &["sipuni-setup", "--public-url", "https://relay.example.com"],
                &data,
            ),
        )
    })
    .await
    .unwrap();
    for text in [&status, &uis, &sipuni] {
        assert_english(text);
    }
    says(
        &status,
        &[
            "The last notification of each event kind (UTC times):\n",
            "  UIS    ended      ",
            "  Sipuni: not one notification. Check the URL in the cabinet (`trubka-relay \
             sipuni-setup`)",
            "No requests were turned away.\n",
        ],
    );
    assert!(!status.contains("UIS: not one"), "{status}");
    says(
        &uis,
        &[
            "UIS notifications for Trubka\n============================\n",
            "In the UIS cabinet open «Уведомления» (Notifications)",
            "Interactive call processing: the personal manager\n",
            "   URL:        https://relay.example.com/hooks/uis/",
        ],
    );
    // What is pasted into the cabinet is the same as in Russian.
    for notification in NOTIFICATIONS {
        says(
            &uis,
            &[
                &format!("   Notification name:    «{}»\n", notification.name),
                &format!("   Event type:           «{}»\n", notification.event_type),
                &notification.body_template(),
            ],
        );
    }
    says(
        &sipuni,
        &[
            "Sipuni for Trubka\n=================\n",
            "1. PBX events (calls in real time)",
            "   URL: https://relay.example.com/hooks/sipuni/",
            "     user = \"064629\"        # cabinet number",
            "switch on «Услуга совершение звонков по API» (the API calls service)",
        ],
    );
    pbx.stop().await;
}
