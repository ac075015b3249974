//! The team's cases in the real app (issue 13), two agents on one line: Анна is the app,
//! Игорь a second desktop — the real engine (`trubka_agent::Engine`) in this process, on its
//! own profile. A missed call from a client the team directory knows becomes a case that
//! the app lists by the contact's name and Игорь's desktop lists too; Игорь claims it and the
//! app shows «Перезванивает Игорь» within the wait; Игорь's note on the missed call is in the
//! app's case view and history; Анна calls back from the case (the relay claims it for her,
//! the simulator answers and records the call), which moves the case to «В ожидании» in the
//! app and for Игорь; the note Анна writes in the card's note box is what Игорь reads in the
//! case (her own call is not his to see).
//! With the relay gone, the app lists the cases last received and says they may be out of
//! date. Screenshots (`60-…` to `73-…`) of the case list, the case view and the note box in
//! Russian, English and a dark theme; the note box's are the card window's own.

use std::time::Duration;

use anyhow::Context;
use reqwest::Method;
use serde_json::{Value, json};
use tokio::sync::broadcast::error::RecvError;
use trubka_agent::relay_api::ApiError;
use trubka_agent::{Engine, EngineError, EngineEvent};
use trubka_protocol::cases::{CaseView, NoteRequest, WireCaseStatus};

use crate::harness::{App, Stack, wait_for};
use crate::invite::painted;
use crate::notifications::FakeNotifications;

const SHORT: Duration = Duration::from_secs(10);
const CALL: Duration = Duration::from_secs(45);

/// The client: a team contact Игорь wrote.
const CLIENT: &str = "+79261234567";
const IGOR_NOTE: &str = "Просил перезвонить после обеда";
const ANNA_NOTE: &str = "Договорились о доставке в пятницу";

/// The case Игорь's desktop lists from the relay under `key` with `status`.
async fn igor_sees(
    igor: &Engine,
    key: &str,
    status: WireCaseStatus,
    what: &str,
) -> anyhow::Result<CaseView> {
    wait_for(what, CALL, || async {
        let listing = igor.cases(Some(status), false).await?;
        Ok(listing.cases.into_iter().find(|c| c.key == key))
    })
    .await
}

/// The case row of `key` in the app: its text, status and claim line.
async fn row(app: &App, key: &str) -> anyhow::Result<Value> {
    app.js(&format!(
        "const r = document.querySelector('[data-testid=case-row][data-key=\"{key}\"]');
         return r ? {{ text: r.innerText, status: r.dataset.status,
                      claim: r.querySelector('[data-testid=case-claim-text]')?.innerText ?? null,
                      dial_disabled: r.querySelector('[data-testid=case-dial]')?.disabled ?? null }} : null;"
    ))
    .await
}

/// Waits until the app's row of `key` passes `check`.
async fn wait_row(
    app: &App,
    key: &str,
    what: &str,
    check: impl Fn(&Value) -> bool,
) -> anyhow::Result<Value> {
    app.wait(what, SHORT, || async {
        let r = row(app, key).await?;
        Ok((!r.is_null() && check(&r)).then_some(r))
    })
    .await
}

/// Shows the cases of `filter` («open», «waiting», …).
async fn filter(app: &App, filter: &str) -> anyhow::Result<()> {
    app.click("[data-testid=tab-missed]").await?;
    app.click(&format!("[data-testid=case-filter-{filter}]"))
        .await?;
    Ok(())
}

/// Opens the case `key` beside the list, waits until `note` is among its notes, and returns
/// the view's text.
async fn open_case(app: &App, key: &str, note: &str) -> anyhow::Result<String> {
    app.click(&format!(
        "[data-testid=case-row][data-key=\"{key}\"] [data-testid=case-open]"
    ))
    .await?;
    app.wait_text(
        "[data-testid=case-view] [data-testid=call-notes]",
        note,
        SHORT,
    )
    .await?;
    Ok(app
        .text("[data-testid=case-view]")
        .await?
        .unwrap_or_default())
}

/// Waits for an ended card of `name` in the card window and puts the cursor in its note box,
/// which keeps the card on screen; returns the card's call id. The main window is current
/// again afterwards.
async fn note_box(app: &App, name: &str) -> anyhow::Result<String> {
    app.to_card_window().await?;
    let call = app
        .wait(
            &format!("an ended card of {name} with a note box"),
            CALL,
            || async {
                let v = app
                    .js(&format!(
                        "const c = [...document.querySelectorAll('[data-testid=card]')]
                        .find(c => c.dataset.state === 'ended' && c.innerText.includes({name:?})
                                   && c.querySelector('[data-testid=note-text]'));
                     if (!c) return null;
                     c.querySelector('[data-testid=note-text]').focus();
                     return c.dataset.call;"
                    ))
                    .await?;
                Ok(v.as_str().map(str::to_owned))
            },
        )
        .await;
    if call.is_err() {
        app.to_main_window().await?;
    }
    call
}

/// Writes `text` and picks `tag` in the focused card's note box, and takes the shot.
async fn write_note(
    app: &App,
    call: &str,
    text: &str,
    tag: &str,
    shot: &str,
) -> anyhow::Result<()> {
    let card = format!("[data-testid=card][data-call=\"{call}\"]");
    app.type_into(&format!("{card} [data-testid=note-text]"), text)
        .await?;
    app.click(&format!(
        "{card} [data-testid=note-tag][data-tag=\"{tag}\"]"
    ))
    .await?;
    painted(app).await?;
    app.shot(shot).await;
    Ok(())
}

/// An incoming call from the client that Анна answers, to write a note on its card.
async fn answered_call(stack: &Stack) -> anyhow::Result<String> {
    stack
        .call(
            json!({"provider": "uis", "from": CLIENT, "employee": "2339292",
                     "outcome": "answered", "ring_seconds": 20, "talk_seconds": 40}),
        )
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Xvfb, tauri-driver and the built app: run `make test-app`"]
async fn cases_claims_and_notes_between_two_agents() -> anyhow::Result<()> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    // Twenty times real time: the simulator's call-back talks for seconds, not minutes.
    let mut stack = Stack::start_with_sim(None, &["--speed", "20"]).await?;
    let _notifications = FakeNotifications::start()
        .await
        .context("cannot own org.freedesktop.Notifications")?;
    stack.relay_admin(&["tags", "set", "Доставка", "Возврат", "Жалоба"])?;
    let igor_token = stack.add_agent(
        "Игорь",
        &[
            "--uis-employee",
            "2339293",
            "--sipuni-ext",
            "202",
            "--line",
            "+7 495 123-45-67",
        ],
    )?;
    stack
        .relay_json(
            Method::POST,
            "/v1/directory/contacts",
            &igor_token,
            json!({"name": "Иван Петров", "company": "ООО «Ромашка»",
                   "phones": [{"raw": CLIENT}]}),
            201,
        )
        .await?;
    let igor = stack.desktop("igor-desktop", &igor_token).await?;

    let home = stack.dir.path().join("cases-app");
    let app = App::launch(&["--home".into(), home.display().to_string()]).await?;
    app.sign_in_as_anna(&stack).await?;
    // The team directory's sync brings Иван Петров, whom the case row is named after.
    app.wait_text("[data-testid=contact-row]", "Иван Петров", CALL)
        .await?;

    // A missed call routed to Анна: a case on both desktops, named by the team contact.
    let key = stack
        .call(
            json!({"provider": "uis", "from": CLIENT, "employee": "2339292",
                     "outcome": "missed", "ring_seconds": 20}),
        )
        .await?;
    app.click("[data-testid=tab-missed]").await?;
    let first = wait_row(&app, &key, "the missed call's case in the app", |r| {
        r["status"] == "open"
    })
    .await?;
    let text = first["text"].as_str().unwrap_or_default();
    assert!(
        text.contains("Иван Петров") && text.contains("Пропущенный звонок с +7 926 123-45-67"),
        "the row names the contact and the case: {text}"
    );
    assert!(text.contains("1 пропущ."), "one missed call: {text}");
    app.wait_text("[data-testid=cases-badge]", "1", SHORT)
        .await?;
    let seen = igor_sees(
        &igor,
        &key,
        WireCaseStatus::Open,
        "the case on Игорь's desktop",
    )
    .await?;
    assert_eq!(
        seen.responsible.and_then(|r| r.agent).as_deref(),
        Some("Анна"),
        "routed to Анна last, she answers for it"
    );

    // Игорь claims it: the app says so at once and offers no call-back meanwhile.
    igor.claim_case(&key).await?;
    let claimed = wait_row(
        &app,
        &key,
        "«Перезванивает Игорь» in the app",
        |r| {
            r["claim"]
                .as_str()
                .is_some_and(|c| c.contains("Перезванивает Игорь"))
        },
    )
    .await?;
    assert_eq!(claimed["dial_disabled"], json!(true), "{claimed}");
    painted(&app).await?;
    app.shot("60-cases-claimed-ru").await;

    // Игорь writes down what the client wanted: the app's case view and history show it.
    igor.add_note(
        &key,
        &NoteRequest {
            text: IGOR_NOTE.to_owned(),
            tags: vec!["Доставка".to_owned()],
            new_case: false,
        },
    )
    .await?;
    let notes = open_case(&app, &key, IGOR_NOTE).await?;
    assert!(
        notes.contains("Игорь") && notes.contains("Доставка"),
        "author and tag: {notes}"
    );
    app.wait_text(
        "[data-testid=case-view-claim]",
        "Перезванивает Игорь",
        SHORT,
    )
    .await?;
    painted(&app).await?;
    app.shot("61-case-view-ru").await;
    app.click("[data-testid=tab-history]").await?;
    app.wait_text(
        &format!("[data-testid=call-row][data-call=\"{key}\"] [data-testid=call-notes]"),
        IGOR_NOTE,
        SHORT,
    )
    .await?;
    painted(&app).await?;
    app.shot("62-history-note-ru").await;

    // Игорь lets it go; Анна calls back from the case, which claims it for her.
    igor.release_case(&key).await?;
    filter(&app, "open").await?;
    wait_row(&app, &key, "the claim gone in the app", |r| {
        r["claim"].is_null() && r["dial_disabled"] == json!(false)
    })
    .await?;
    let before = stack.sim_requests().await?.len();
    let mut igor_events = igor.subscribe();
    app.click(&format!(
        "[data-testid=case-row][data-key=\"{key}\"] [data-testid=case-dial]"
    ))
    .await?;
    app.wait_text("[data-testid=toast]", "Звоним на", SHORT)
        .await?;
    // The claim lasts until her call-back ends, seconds here: Игорь's desktop hears of it
    // from the `case` frame.
    tokio::time::timeout(CALL, async {
        loop {
            match igor_events.recv().await {
                Ok(EngineEvent::Case(c))
                    if c.key == key && c.claim.as_ref().is_some_and(|c| c.agent == "Анна") =>
                {
                    return Ok(());
                }
                Ok(_) | Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => anyhow::bail!("Игорь's engine went away"),
            }
        }
    })
    .await
    .context("Анна's claim never reached Игорь's desktop")??;
    let requests = serde_json::to_string(&stack.sim_requests().await?.split_off(before))?;
    assert!(
        requests.contains("start.employee_call") && requests.contains("79261234567"),
        "the call-back reached the PBX: {requests}"
    );
    let callback = note_box(&app, "Иван Петров").await?;

    // The note box on the call-back's card: the gist and a tag, saved to the relay.
    write_note(&app, &callback, ANNA_NOTE, "Доставка", "63-note-box-ru").await?;
    app.click(&format!(
        "[data-testid=card][data-call=\"{callback}\"] [data-testid=note-save]"
    ))
    .await?;
    app.wait_text(
        &format!("[data-testid=card][data-call=\"{callback}\"] [data-testid=note-saved]"),
        "Заметка сохранена",
        SHORT,
    )
    .await?;
    painted(&app).await?;
    app.shot("64-note-saved-ru").await;
    app.to_main_window().await?;
    app.click("[data-testid=tab-history]").await?;
    app.wait_text(
        &format!("[data-testid=call-row][data-call=\"{callback}\"] [data-testid=call-notes]"),
        ANNA_NOTE,
        SHORT,
    )
    .await?;

    // Answered and recorded: the case waits, in the app and on Игорь's desktop.
    let waiting = igor_sees(
        &igor,
        &key,
        WireCaseStatus::Waiting,
        "the case «в ожидании» on Игорь's desktop",
    )
    .await?;
    assert!(
        waiting.reached,
        "the call-back reached the client: {waiting:?}"
    );
    assert!(
        waiting.callbacks.iter().any(|c| c.call_id == callback),
        "Анна's call is the case's call-back: {waiting:?}"
    );
    // Игорь does not see Анна's own outgoing call (its notes answer him 404), but he sees
    // the case it belongs to, and her note is the gist of that call there.
    let read = wait_for(
        "Анна's note in the case on Игорь's desktop",
        CALL,
        || async {
            let listing = igor.cases(Some(WireCaseStatus::Waiting), false).await?;
            Ok(listing
                .cases
                .into_iter()
                .find(|c| c.key == key)
                .and_then(|c| c.gists.into_iter().find(|g| g.call_id == callback)))
        },
    )
    .await?;
    assert_eq!(read.text, ANNA_NOTE);
    assert_eq!(
        read.by.and_then(|p| p.agent).as_deref(),
        Some("Анна"),
        "written by Анна"
    );
    assert!(
        matches!(
            igor.notes(&callback).await,
            Err(EngineError::Api(ApiError::Relay { status: 404, .. }))
        ),
        "the call itself is not Игорь's to see"
    );
    filter(&app, "waiting").await?;
    let row_waiting = wait_row(
        &app,
        &key,
        "the case «В ожидании» in the app",
        |r| r["status"] == "waiting",
    )
    .await?;
    assert!(
        row_waiting["text"]
            .as_str()
            .is_some_and(|t| t.contains("В ожидании")),
        "{row_waiting}"
    );
    app.wait("the badge to go once nothing is open", SHORT, || async {
        let v = app
            .js("return document.querySelector('[data-testid=cases-badge]') === null || null")
            .await?;
        Ok(v.as_bool())
    })
    .await?;
    painted(&app).await?;
    app.shot("65-cases-waiting-ru").await;
    let notes = open_case(&app, &key, ANNA_NOTE).await?;
    assert!(notes.contains(IGOR_NOTE), "both notes in the case: {notes}");
    app.wait_text("[data-testid=case-history]", "дозвонились", SHORT)
        .await?;
    painted(&app).await?;
    app.shot("66-case-view-waiting-ru").await;

    // English: the list, the case and a note box.
    app.switch_language("en", "Call card").await?;
    filter(&app, "waiting").await?;
    wait_row(&app, &key, "the English row", |r| {
        r["text"]
            .as_str()
            .is_some_and(|t| t.contains("Missed call from +7 926 123-45-67"))
    })
    .await?;
    painted(&app).await?;
    app.shot("67-cases-en").await;
    open_case(&app, &key, ANNA_NOTE).await?;
    app.wait_text("[data-testid=case-history]", "called back", SHORT)
        .await?;
    painted(&app).await?;
    app.shot("68-case-view-en").await;
    answered_call(&stack).await?;
    let call = note_box(&app, "Иван Петров").await?;
    write_note(
        &app,
        &call,
        "Wants the invoice by e-mail",
        "Возврат",
        "69-note-box-en",
    )
    .await?;
    app.to_main_window().await?;
    app.switch_language("ru", "Карточка звонка").await?;
    app.close_and_wait(&home).await?;

    // A dark system theme: the same profile, relaunched, signs in by itself.
    let app = App::launch_with_env(
        &["--home".into(), home.display().to_string()],
        &[("GTK_THEME", "Adwaita:dark")],
    )
    .await?;
    app.wait_text("[data-testid=connection]", "На связи: Анна", CALL)
        .await?;
    filter(&app, "waiting").await?;
    wait_row(&app, &key, "the case after the restart", |r| {
        r["status"] == "waiting"
    })
    .await?;
    let dark = app
        .js("return matchMedia('(prefers-color-scheme: dark)').matches")
        .await?;
    assert_eq!(dark, json!(true), "the page follows the dark theme");
    painted(&app).await?;
    app.shot("70-cases-dark-ru").await;
    open_case(&app, &key, ANNA_NOTE).await?;
    painted(&app).await?;
    app.shot("71-case-view-dark-ru").await;
    answered_call(&stack).await?;
    let call = note_box(&app, "Иван Петров").await?;
    write_note(
        &app,
        &call,
        "Уточнить адрес",
        "Жалоба",
        "72-note-box-dark-ru",
    )
    .await?;
    app.to_main_window().await?;

    // The relay gone: the list is the copy last received, and says it may be out of date.
    stack.stop_relay();
    let stale = app
        .wait_text("[data-testid=cases-stale]", "могут быть устаревшими", CALL)
        .await?;
    assert!(stale.starts_with("Нет связи с релеем"), "{stale}");
    wait_row(&app, &key, "the stored case still listed", |r| {
        r["status"] == "waiting"
    })
    .await?;
    painted(&app).await?;
    app.shot("73-cases-stale-dark-ru").await;
    app.close().await;
    igor.stop();
    Ok(())
}
