//! «Открывать контакт при ответе» in the real app (seed 003 point 2), a step of the team
//! directory's test: the setting turned on in Settings (screenshotted in English and Russian);
//! a call a colleague answers leaves the main window where it is; a call the signed-in agent
//! answers brings the caller's contact up in the main window, and an unknown caller's number
//! the new-contact form, each once (the call's later updates change nothing).

use std::time::Duration;

use serde_json::json;

use crate::harness::{App, Stack};
use crate::invite::painted;

const SHORT: Duration = Duration::from_secs(10);
const CALL: Duration = Duration::from_secs(30);

/// A caller no contact knows, answered by the agent.
const NEWCOMER: &str = "+79057770022";
/// A caller no contact knows, answered by a colleague.
const PASSER_BY: &str = "+79057770033";

/// Waits until the card window shows no call that is ringing or being talked on.
async fn calls_over(app: &App) -> anyhow::Result<()> {
    app.to_card_window().await?;
    let over = app
        .wait("every call on the cards to be over", CALL, || async {
            let v = app
                .js("return [...document.querySelectorAll('[data-testid=card]')]
                        .every(c => !['ringing_here', 'ringing', 'answered_here', 'talking'].includes(c.dataset.state)) || null")
                .await?;
            Ok(v.as_bool())
        })
        .await;
    app.to_main_window().await?;
    over.map(|_| ())
}

/// The card window holds a card in `state` whose number has the digits of `phone`.
async fn card_state(app: &App, phone: &str, state: &str) -> anyhow::Result<()> {
    app.to_card_window().await?;
    let seen = app
        .wait(&format!("a «{state}» card of {phone}"), CALL, || async {
            let v = app
                .js(&format!(
                    "return [...document.querySelectorAll('[data-testid=card]')]
                        .some(c => c.dataset.state === {state:?}
                            && c.querySelector('[data-testid=card-number]')?.innerText.replace(/\\D/g, '') === {digits:?}) || null",
                    digits = phone.trim_start_matches('+')
                ))
                .await?;
            Ok(v.as_bool())
        })
        .await;
    app.to_main_window().await?;
    seen.map(|_| ())
}

/// Whether the main window is on the Settings tab.
async fn on_settings(app: &App) -> anyhow::Result<bool> {
    let v = app
        .js("return document.querySelector('[data-testid=tab-settings]')?.getAttribute('aria-selected') === 'true'
                && document.querySelector('[data-testid=settings]') !== null")
        .await?;
    Ok(v.as_bool() == Some(true))
}

/// Turns the setting on (the app is in English), screenshots Settings in English and
/// Russian, then checks what answered calls open. `maria` is a team contact's name and
/// number. Leaves the app in Russian on the Settings tab.
pub(crate) async fn check(app: &App, stack: &Stack, maria: (&str, &str)) -> anyhow::Result<()> {
    // The calls before it were answered with the setting off: they are over first, so none
    // of them is answered after it is turned on.
    calls_over(app).await?;
    app.click("[data-testid=tab-settings]").await?;
    let checked = app
        .js("return document.querySelector('[data-testid=open-contact-on-answer]').checked")
        .await?;
    assert_eq!(checked, json!(false), "the setting is off by default");
    app.click("[data-testid=open-contact-on-answer]").await?;
    app.wait_text(
        "[data-testid=settings]",
        "Open the caller's contact on answer",
        SHORT,
    )
    .await?;
    app.wait("the setting saved", SHORT, || async {
        let v = app
            .js("return document.querySelector('[data-testid=open-contact-on-answer]').checked || null")
            .await?;
        Ok(v.as_bool())
    })
    .await?;
    painted(app).await?;
    app.shot("49-settings-open-contact-en").await;
    app.js(
        "const s = document.querySelector('[data-testid=language]'); s.value = 'ru';
         s.dispatchEvent(new Event('change', {bubbles: true})); return true;",
    )
    .await?;
    app.wait_text(
        "[data-testid=settings]",
        "Открывать контакт при ответе",
        SHORT,
    )
    .await?;
    painted(app).await?;
    app.shot("49b-settings-open-contact-ru").await;

    // A colleague answers: the main window stays on Settings.
    stack.call(json!({"provider": "uis", "from": PASSER_BY, "employee": "2339292", "next_employee": "2339293", "outcome": "answered", "ring_seconds": 3, "talk_seconds": 2})).await?;
    card_state(app, PASSER_BY, "answered_elsewhere").await?;
    assert!(
        on_settings(app).await?,
        "a call a colleague answered opened something"
    );

    // The agent answers a known caller: the main window shows her contact.
    let (name, phone) = maria;
    stack.call(json!({"provider": "uis", "from": phone, "employee": "2339292", "outcome": "answered", "ring_seconds": 3, "talk_seconds": 4})).await?;
    app.wait(&format!("{name}'s contact open on answer"), CALL, || async {
        let v = app
            .js("return document.querySelector('[data-testid=tab-contacts]')?.getAttribute('aria-selected') === 'true'
                    ? document.querySelector('[data-testid=field-name]')?.value ?? null : null")
            .await?;
        Ok((v.as_str() == Some(name)).then_some(()))
    })
    .await?;
    painted(app).await?;
    app.shot("50-contact-opened-on-answer-ru").await;
    // Its later updates (the end of the call) do not open it again.
    app.click("[data-testid=tab-settings]").await?;
    calls_over(app).await?;
    assert!(
        on_settings(app).await?,
        "the end of an answered call opened the contact again"
    );

    // The agent answers a number nobody knows: the new-contact form with the number.
    stack.call(json!({"provider": "uis", "from": NEWCOMER, "employee": "2339292", "outcome": "answered", "ring_seconds": 3, "talk_seconds": 2})).await?;
    let number = app
        .wait("the new-contact form on answer", CALL, || async {
            let v = app
                .js("return document.querySelector('[data-testid=contact-editor] [data-testid=field-phone]')?.value ?? null")
                .await?;
            Ok(v.as_str().map(str::to_owned))
        })
        .await?;
    assert_eq!(number, NEWCOMER, "the form carries the caller's number");
    let name = app
        .js("return document.querySelector('[data-testid=field-name]')?.value ?? null")
        .await?;
    assert_eq!(name, json!(""), "a new contact, not an existing one");
    painted(app).await?;
    app.shot("51-new-contact-on-answer-ru").await;
    app.click("[data-testid=tab-settings]").await?;
    calls_over(app).await?;
    assert!(
        on_settings(app).await?,
        "the end of the unknown caller's call opened the form again"
    );
    Ok(())
}
