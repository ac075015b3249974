//! Call control and presence in the real app (issue 11), with two agents each in an app of
//! their own: Анна, and Игорь in a second app on a private session bus
//! ([`App::launch_on_own_bus`]). Анна answers a simulated UIS call, writes a note on it and
//! transfers it attended to Игорь from the card's picker: Игорь's card pops saying «Анна
//! переводит вызов вам», with her note, while he talks to the caller; «Соединить» hands the
//! call over, Анна's card withdraws and his says so; both histories show «Переведён: Анна …
//! → Игорь …».
//! Анна then takes «Перерыв» from the tray's menu: WebDriver cannot reach the tray, so the
//! test clicks «Перерыв» → «Без причины» over D-Bus as a desktop panel does (the menu
//! libayatana-appindicator exports, [`TrayMenu`]); her status control follows, the menu reads
//! «Статус: Перерыв» with that item checked, and the simulator routes the next call to Игорь:
//! it rings in his app, and he hangs it up from his card. The status control sets her
//! available again, the global shortcut (Ctrl+Alt+B) takes a break and ends it, and with the
//! setting on a screen lock (logind's `Lock`, played on the test's bus) does too, and so does
//! a sleep, which waits for it: the app lets go of its logind sleep inhibitor (a fake logind
//! answers `Inhibit`) only once the relay has the break; the card's
//! «Завершить» ends a call, and a Sipuni call's card greys out hold and transfer with why; made
//! a supervisor, her team tab lists the agents and the calls in progress. Screenshots (`80-…`
//! to `96-…`; `94-…` to `96-…` are Игорь's): the card with its buttons, the transfer picker,
//! the status control and the team view, in Russian, English and a dark theme.

use std::time::Duration;

use anyhow::Context;
use serde_json::{Value, json};

use crate::harness::{App, Stack, TrayMenu};
use crate::invite::painted;
use crate::logind;
use crate::notifications::FakeNotifications;

const SHORT: Duration = Duration::from_secs(10);
const CALL: Duration = Duration::from_secs(45);

const CLIENT: &str = "+79261234567";
const ANNA_NOTE: &str = "Хочет вернуть заказ 1043, нужен отдел возвратов";

/// A long incoming UIS call for Анна's extension; the simulator's call id.
async fn call_anna(stack: &Stack) -> anyhow::Result<String> {
    stack
        .call(
            json!({"provider": "uis", "from": CLIENT, "employee": "2339292",
                     "outcome": "answered", "ring_seconds": 3, "talk_seconds": 600}),
        )
        .await
}

/// Runs the promise `expression` in the current window: `{ok, value}` or `{ok: false, error}`.
async fn invoke(app: &App, expression: &str) -> anyhow::Result<Value> {
    let script = format!(
        "const done = arguments[arguments.length - 1];
         ({expression}).then(value => done({{ ok: true, value }}),
             e => done({{ ok: false, error: JSON.stringify(e) }}));"
    );
    Ok(app.client.execute_async(&script, vec![]).await?)
}

/// The card of `call` in the card window: its state and what it says, or null.
async fn card(app: &App, call: &str) -> anyhow::Result<Value> {
    app.js(&format!(
        "const c = document.querySelector('[data-testid=card][data-call=\"{call}\"]');
         return c ? {{ state: c.dataset.state, text: c.innerText,
                      control: c.querySelector('[data-testid=call-control]') !== null }} : null;"
    ))
    .await
}

/// Waits in the card window until the card of `call` is answered here with its buttons.
async fn card_with_buttons(app: &App, call: &str) -> anyhow::Result<()> {
    app.to_card_window().await?;
    app.wait("the answered card with its buttons", CALL, || async {
        let c = card(app, call).await?;
        let ready = c["state"] == "answered_here"
            && c["control"] == json!(true)
            && app
                .js(&format!(
                    "return document.querySelector('[data-testid=card][data-call=\"{call}\"] [data-testid=control-hangup]')?.getAttribute('aria-disabled') !== 'true'"
                ))
                .await?
                == json!(true);
        Ok(ready.then_some(()))
    })
    .await
}

/// Waits until Игорь's card window lists the card of `call` in `state`; the window opens
/// with his first card, so it is looked for again until then.
async fn igor_card(igor: &App, call: &str, state: &str) -> anyhow::Result<()> {
    igor.wait(&format!("Игорь's card {state}"), CALL, || async {
        if igor.to_card_window().await.is_err() {
            return Ok(None);
        }
        Ok((card(igor, call).await?["state"] == state).then_some(()))
    })
    .await
}

/// Clicks `testid` on the card of `call` (the card window is current).
async fn press(app: &App, call: &str, testid: &str) -> anyhow::Result<()> {
    app.click(&format!(
        "[data-testid=card][data-call=\"{call}\"] [data-testid={testid}]"
    ))
    .await
}

/// Opens the transfer picker on the card of `call` and waits for Игорь in it.
async fn open_picker(app: &App, call: &str) -> anyhow::Result<()> {
    press(app, call, "control-transfer").await?;
    app.wait_text(
        "[data-testid=transfer-picker] [data-testid=transfer-entry]",
        "Игорь",
        SHORT,
    )
    .await?;
    painted(app).await
}

/// The status control's `data-status` in the main window.
async fn wait_status(app: &App, status: &str) -> anyhow::Result<()> {
    app.wait(&format!("the status control to say {status}"), CALL, || async {
        let v = app
            .js("return document.querySelector('[data-testid=presence-control]')?.dataset.status ?? null")
            .await?;
        Ok((v.as_str() == Some(status)).then_some(()))
    })
    .await
}

/// The status items of the tray menu, each a check item.
const TRAY_STATUSES: [&[&str]; 3] = [
    &["На месте"],
    &["Перерыв", "Без причины"],
    &["Не беспокоить"],
];

/// Waits until the tray menu reads «Статус: `status`» and checks `mark` alone of its status
/// items: the marks follow the relay's answer, not the click.
async fn tray_says(app: &App, tray: &TrayMenu, status: &str, mark: &[&str]) -> anyhow::Result<()> {
    let line = format!("Статус: {status}");
    app.wait(&format!("the tray menu to say {line}"), SHORT, || async {
        let items = tray.items().await?;
        let marks = TRAY_STATUSES.iter().all(|path| {
            let checked = items.iter().find(|i| i.is(path)).and_then(|i| i.checked);
            checked == Some(*path == mark)
        });
        let says = items.iter().any(|i| i.is(&[&line]));
        Ok((says && marks).then_some(()))
    })
    .await
}

/// Shots of a call's card with its buttons and with the picker open, then hangs up from the
/// card; the main window is current again afterwards.
async fn card_shots(
    app: &App,
    call: &str,
    card_shot: &str,
    picker_shot: &str,
) -> anyhow::Result<()> {
    card_with_buttons(app, call).await?;
    painted(app).await?;
    app.shot(card_shot).await;
    open_picker(app, call).await?;
    app.shot(picker_shot).await;
    app.click("[data-testid=transfer-picker] .close").await?;
    press(app, call, "control-hangup").await?;
    app.wait("the hung-up call's card to end", CALL, || async {
        let c = card(app, call).await?;
        Ok((c.is_null() || c["state"] == "ended").then_some(()))
    })
    .await?;
    app.to_main_window().await
}

/// Opens the status menu, shoots it, and closes it again.
async fn status_shot(app: &App, shot: &str) -> anyhow::Result<()> {
    app.click("[data-testid=presence-control]").await?;
    app.wait_text("[data-testid=presence-menu]", "", SHORT)
        .await?;
    painted(app).await?;
    app.shot(shot).await;
    app.click("[data-testid=presence-control]").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Xvfb, tauri-driver and the built app: run `make test-app`"]
async fn transfer_break_and_team_view_between_two_agents() -> anyhow::Result<()> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let stack = Stack::start().await?;
    let _notifications = FakeNotifications::start()
        .await
        .context("cannot own org.freedesktop.Notifications")?;
    let igor_token = stack.add_agent(
        "Игорь",
        &["--uis-employee", "2339293", "--sipuni-ext", "202"],
    )?;
    // Before the app: it asks logind for a sleep inhibitor as it starts watching.
    let logind = logind::FakeLogind::start().await?;
    let home = stack.dir.path().join("control-app");
    let app = App::launch(&["--home".into(), home.display().to_string()]).await?;
    app.sign_in_as_anna(&stack).await?;
    wait_status(&app, "available").await?;
    // Игорь's app, second: the global shortcuts stay Анна's (the first to take them).
    let igor_home = stack.dir.path().join("igor-app");
    let igor = App::launch_on_own_bus(&["--home".into(), igor_home.display().to_string()]).await?;
    igor.sign_in(&stack, &igor_token, "Игорь").await?;
    wait_status(&igor, "available").await?;

    // Анна answers; her card offers transfer, hold and hang-up (UIS can do all three).
    let call = call_anna(&stack).await?;
    card_with_buttons(&app, &call).await?;
    let hold_title = app
        .js(&format!("return document.querySelector('[data-testid=card][data-call=\"{call}\"] [data-testid=control-hold]').title"))
        .await?;
    assert_eq!(
        hold_title,
        json!("Удержание — Alt+H"),
        "the shortcut in the tooltip"
    );
    painted(&app).await?;
    app.shot("80-card-control-ru").await;

    // A note on the call, written by the app's own command (the note box is for ended calls).
    let wrote = invoke(
        &app,
        &format!(
            "window.__TAURI_INTERNALS__.invoke('note_add', {{ callId: {call:?},
                 draft: {{ text: {ANNA_NOTE:?}, tags: [] }} }})"
        ),
    )
    .await?;
    assert_eq!(wrote["ok"], json!(true), "note_add: {wrote}");

    // «Перевести» → Игорь, talk first.
    open_picker(&app, &call).await?;
    let entries = app
        .js("return [...document.querySelectorAll('[data-testid=transfer-entry]')].map(e => e.dataset.to)")
        .await?;
    assert!(
        !entries.to_string().contains("Анна"),
        "the picker leaves Анна herself out: {entries}"
    );
    app.shot("81-transfer-picker-ru").await;
    app.click("[data-testid=transfer-entry][data-to=\"Игорь\"]")
        .await?;
    app.click("[data-testid=transfer-attended]").await?;
    app.wait_text(
        &format!("[data-testid=card][data-call=\"{call}\"] [data-testid=control-consulting]"),
        "Игорь",
        SHORT,
    )
    .await?;
    painted(&app).await?;
    app.shot("82-consulting-ru").await;

    // Игорь's card pops: who transfers the call, her note, and he is talking on it.
    igor_card(&igor, &call, "answered_here").await?;
    let notices = igor
        .text(&format!(
            "[data-testid=card][data-call=\"{call}\"] [data-testid=control-notices]"
        ))
        .await?
        .unwrap_or_default();
    assert!(
        notices.contains("Анна переводит вызов вам") && notices.contains(ANNA_NOTE),
        "Игорь's card says who transfers it, with her note: {notices}"
    );
    painted(&igor).await?;
    igor.shot("94-igor-card-transfer-ru").await;

    // «Соединить»: the call is Игорь's, Анна's card withdraws, his card says so.
    press(&app, &call, "control-complete").await?;
    app.wait("Анна's card to withdraw", CALL, || async {
        Ok(card(&app, &call).await?.is_null().then_some(()))
    })
    .await?;
    igor.wait_text(
        &format!(
            "[data-testid=card][data-call=\"{call}\"] [data-testid=control-notice][data-action=transfer_complete]"
        ),
        "Анна",
        CALL,
    )
    .await?;
    app.to_main_window().await?;

    // Both histories show the transfer: Анна → Игорь.
    for (who, agent, shot) in [
        ("Анна", &app, "83-history-transfer-ru"),
        ("Игорь", &igor, "95-igor-history-transfer-ru"),
    ] {
        agent.to_main_window().await?;
        agent.click("[data-testid=tab-history]").await?;
        let row = agent
            .wait_text(
                &format!(
                    "[data-testid=call-row][data-call=\"{call}\"] [data-testid=call-transferred]"
                ),
                "Игорь",
                CALL,
            )
            .await
            .with_context(|| format!("{who}'s history"))?;
        // «Переведён: Анна Смирнова → Игорь Лебедев»: the names as the PBX has them.
        let anna_then_igor = row
            .find("Анна")
            .zip(row.find("Игорь"))
            .is_some_and(|(anna, igor)| anna < igor);
        assert!(
            row.contains("Переведён") && anna_then_igor,
            "{who}'s history: {row}"
        );
        painted(agent).await?;
        agent.shot(shot).await;
    }

    // «Перерыв» → «Без причины» clicked in the tray's menu, over D-Bus as a panel clicks it:
    // the status control and the menu follow, and the next call rings Игорь.
    let tray = app.tray().await?;
    tray_says(&app, &tray, "На месте", &["На месте"]).await?;
    tray.click(&["Перерыв", "Без причины"]).await?;
    wait_status(&app, "break").await?;
    tray_says(&app, &tray, "Перерыв", &["Перерыв", "Без причины"]).await?;
    status_shot(&app, "84-status-break-ru").await?;
    let routed = call_anna(&stack).await?;
    igor_card(&igor, &routed, "ringing_here").await?;
    painted(&igor).await?;
    igor.shot("96-igor-routed-call-ru").await;
    app.to_card_window().await?;
    let anna_card = card(&app, &routed).await?;
    assert!(
        anna_card.is_null() || anna_card["state"] != "ringing_here",
        "Анна's phone does not ring on a break: {anna_card}"
    );
    app.to_main_window().await?;
    // Игорь answers it and hangs up from his card; his app is done.
    card_with_buttons(&igor, &routed).await?;
    press(&igor, &routed, "control-hangup").await?;
    igor.wait("Игорь's hung-up call to end", CALL, || async {
        let c = card(&igor, &routed).await?;
        Ok((c.is_null() || c["state"] == "ended").then_some(()))
    })
    .await?;
    igor.close_and_wait(&igor_home).await?;

    // Available again from the status control; English screens.
    app.click("[data-testid=presence-control]").await?;
    app.click("[data-testid=presence-option-available]").await?;
    wait_status(&app, "available").await?;

    // The global shortcut: a break, and back.
    for status in ["break", "available"] {
        let pressed = std::process::Command::new("xdotool")
            .args(["key", "ctrl+alt+b"])
            .status()?;
        assert!(pressed.success(), "xdotool key");
        wait_status(&app, status).await?;
    }

    // The automatic break, once the setting is on: the screen locks, a break; it unlocks,
    // available again.
    app.click("[data-testid=tab-settings]").await?;
    app.check("auto-break").await?;
    app.wait_text("[data-testid=toast]", "Настройки сохранены", SHORT)
        .await?;
    logind::lock_screen(true).await?;
    wait_status(&app, "break").await?;
    logind::lock_screen(false).await?;
    wait_status(&app, "available").await?;

    // Going to sleep: the app holds logind's delay inhibitor and lets go of it only once the
    // relay has the break, so the PBX stops routing before the machine sleeps; after the
    // resume it is available again and holds a new one.
    // (Игорь's app, ended by now, asked for one too: both take the test's bus for logind.)
    let held = app
        .wait("Анна's app holding a sleep inhibitor", SHORT, || async {
            let held = logind.held_for_sleep();
            Ok((held.len() == 1).then_some(held[0]))
        })
        .await?;
    logind::prepare_for_sleep(true).await?;
    logind.released(held, SHORT).await?;
    let presence = stack
        .relay_json(
            reqwest::Method::GET,
            "/v1/presence",
            &igor_token,
            Value::Null,
            200,
        )
        .await?;
    let anna = presence["agents"]
        .as_array()
        .and_then(|agents| agents.iter().find(|a| a["agent"] == "Анна"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        anna["status"],
        json!("break"),
        "on a break before the sleep: {presence}"
    );
    wait_status(&app, "break").await?;
    logind::prepare_for_sleep(false).await?;
    wait_status(&app, "available").await?;
    app.wait("a new sleep inhibitor after the resume", SHORT, || async {
        Ok((logind.held_for_sleep().len() == 1).then_some(()))
    })
    .await?;
    app.switch_language("en", "Call card").await?;
    status_shot(&app, "85-status-en").await?;
    let call_en = call_anna(&stack).await?;
    card_shots(
        &app,
        &call_en,
        "86-card-control-en",
        "87-transfer-picker-en",
    )
    .await?;

    // A Sipuni call: no hold or transfer through its API, shown greyed out with why.
    let sipuni = stack
        .call(
            json!({"provider": "sipuni", "from": CLIENT, "employee": "201",
                     "outcome": "answered", "ring_seconds": 3, "talk_seconds": 600}),
        )
        .await?;
    card_with_buttons(&app, &sipuni).await?;
    let greyed = app
        .js(&format!(
            "return ['control-transfer', 'control-hold'].map(id => {{
                 const b = document.querySelector('[data-testid=card][data-call=\"{sipuni}\"] [data-testid=' + id + ']');
                 return [b.getAttribute('aria-disabled'), b.title];
             }})"
        ))
        .await?;
    assert_eq!(
        greyed,
        json!([
            ["true", "Sipuni does not allow this through its API (Alt+T)"],
            ["true", "Sipuni does not allow this through its API (Alt+H)"]
        ]),
        "what Sipuni cannot do is greyed out with why"
    );
    painted(&app).await?;
    app.shot("93-card-sipuni-en").await;
    press(&app, &sipuni, "control-hangup").await?;
    app.wait("the Sipuni call's card to end", CALL, || async {
        let c = card(&app, &sipuni).await?;
        Ok((c.is_null() || c["state"] == "ended").then_some(()))
    })
    .await?;
    app.to_main_window().await?;

    // A supervisor: the team tab, in a dark theme.
    app.close_and_wait(&home).await?;
    stack.relay_admin(&["agent", "edit", "Анна", "--supervisor"])?;
    let app = App::launch_with_env(
        &["--home".into(), home.display().to_string()],
        &[("GTK_THEME", "Adwaita:dark")],
    )
    .await?;
    app.wait_text("[data-testid=connection]", "Connected", CALL)
        .await?;
    app.switch_language("ru", "Карточка звонка").await?;
    let igors = stack
        .call(
            json!({"provider": "uis", "from": "+79035551234", "employee": "2339293",
                     "outcome": "answered", "ring_seconds": 2, "talk_seconds": 600}),
        )
        .await?;
    app.click("[data-testid=tab-team]").await?;
    app.wait_text("[data-testid=team-table]", "Игорь", SHORT)
        .await?;
    app.wait("Игорь's call among the calls in progress", CALL, || async {
        app.click("[data-testid=team-refresh]").await?;
        let v = app
            .js(&format!(
                "return document.querySelector('[data-testid=team-call][data-call=\"{igors}\"] [data-testid=coach-join]') !== null || null"
            ))
            .await?;
        Ok(v.as_bool())
    })
    .await?;
    let barge = app
        .js("return document.querySelector('[data-testid=coach-barge]').title")
        .await?;
    assert!(
        barge
            .as_str()
            .is_some_and(|t| t.contains("Ни UIS, ни Sipuni")),
        "barge-in says why not: {barge}"
    );
    painted(&app).await?;
    app.shot("88-team-view-dark-ru").await;
    status_shot(&app, "89-status-dark-ru").await?;
    let call_dark = call_anna(&stack).await?;
    card_shots(
        &app,
        &call_dark,
        "90-card-control-dark-ru",
        "91-transfer-picker-dark-ru",
    )
    .await?;
    // The call Анна handed to Игорь, still going on, did not come back as hers on restart.
    app.to_card_window().await?;
    let handed = card(&app, &call).await?;
    app.to_main_window().await?;
    assert!(
        handed.is_null() || handed["state"] != "answered_here",
        "the transferred call's card stays withdrawn: {handed}"
    );
    app.switch_language("en", "Call card").await?;
    app.click("[data-testid=tab-team]").await?;
    app.wait_text("[data-testid=team-view]", "Calls now", SHORT)
        .await?;
    painted(&app).await?;
    app.shot("92-team-view-dark-en").await;
    app.close().await;
    Ok(())
}
