//! The team directory in the real app (issue 12): team and private contacts listed together,
//! each marked, with a filter; a team contact's last change and history by another agent;
//! «Открыть в CRM» opening the link in the desktop's browser; a caller's number attached to
//! a team contact from a card; deleting a team contact kept for supervisors; the card of a
//! team contact; a caller only the CRM knows, named on the card «из CRM» (a fake CRM behind
//! the relay's `[directory.lookup]`); the UIS address book joining the directory (the
//! simulator's clients, their history «адресная книга UIS — синхронизация»); the contact
//! opened on answer ([`crate::open_on_answer`]);
//! all of it screenshotted in Russian and in English (`40-…` to `51-…`; the
//! cards' shots are the card window's own, which the main window may cover on a screen with
//! no window manager).
//!
//! The team contacts come from the relay's own API, written by a second agent (Игорь), so
//! the app learns them by its sync and the history names someone else.

use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use reqwest::Method;
use serde_json::{Value, json};

use crate::crm::Crm;
use crate::harness::{App, Stack};
use crate::invite::painted;
use crate::notifications::FakeNotifications;

const SHORT: Duration = Duration::from_secs(10);
const CALL: Duration = Duration::from_secs(30);

const CRM_URL: &str = "https://crm.example.ru/clients/4217?tab=deals";
const MARIA: &str = "+79165551234";
const STRANGER: &str = "+79057770011";
/// A caller only the CRM knows.
const IRINA: &str = "+79039990011";
const IRINA_URL: &str = "https://crm.example.ru/clients/9001";

/// A card in the card window holding `name` whose state is `state`: its text, whether it
/// says «Команда»/«Team», its «из CRM» marker and its CRM link.
async fn card_of(app: &App, name: &str, state: &str) -> anyhow::Result<Value> {
    app.to_card_window().await?;
    let card = app
        .wait(&format!("a «{state}» card of {name}"), CALL, || async {
            let v = app
                .js(&format!(
                    "const c = [...document.querySelectorAll('[data-testid=card]')]
                        .find(c => c.dataset.state === {state:?} && c.innerText.includes({name:?}));
                     return c ? {{ text: c.innerText,
                                  team: c.querySelector('[data-testid=scope-badge]')?.innerText ?? null,
                                  from_crm: c.querySelector('[data-testid=card-from-crm]')?.innerText ?? null,
                                  crm: c.querySelector('[data-testid=card-crm]')?.dataset.url ?? null }} : null;"
                ))
                .await?;
            Ok((!v.is_null()).then_some(v))
        })
        .await;
    if card.is_err() {
        app.to_main_window().await?;
    }
    card
}

/// A desktop whose default `https` handler is a script that writes each link it is given
/// to `opened.txt`: what `xdg-open` finds on a real desktop, with no real browser started.
/// Returns the environment for the app and the file to read.
fn fake_browser(dir: &Path) -> anyhow::Result<(Vec<(&'static str, String)>, std::path::PathBuf)> {
    let config = dir.join("config");
    let apps = dir.join("data/applications");
    std::fs::create_dir_all(&config)?;
    std::fs::create_dir_all(&apps)?;
    let opened = dir.join("opened.txt");
    let script = dir.join("browser.sh");
    std::fs::write(
        &script,
        format!("#!/bin/sh\necho \"$1\" >> '{}'\n", opened.display()),
    )?;
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))?;
    std::fs::write(
        apps.join("fake-browser.desktop"),
        format!(
            "[Desktop Entry]\nType=Application\nName=Fake browser\nExec={} %u\n\
             MimeType=x-scheme-handler/http;x-scheme-handler/https;\n",
            script.display()
        ),
    )?;
    std::fs::write(
        config.join("mimeapps.list"),
        "[Default Applications]\nx-scheme-handler/http=fake-browser.desktop\n\
         x-scheme-handler/https=fake-browser.desktop\n",
    )?;
    let env = vec![
        ("XDG_CONFIG_HOME", config.display().to_string()),
        ("XDG_DATA_HOME", dir.join("data").display().to_string()),
    ];
    Ok((env, opened))
}

/// Clicks the contact row holding `name` (its first line, not a button on it).
async fn open_contact(app: &App, name: &str) -> anyhow::Result<()> {
    app.wait_text("[data-testid=contact-row]", name, SHORT)
        .await?;
    app.js(&format!(
        "[...document.querySelectorAll('[data-testid=contact-row]')]
            .find(r => r.innerText.includes({name:?})).querySelector('.row-title').click();
         return true;"
    ))
    .await?;
    app.wait(&format!("{name} open in the editor"), SHORT, || async {
        let v = app
            .js("return document.querySelector('[data-testid=field-name]')?.value ?? null")
            .await?;
        Ok((v.as_str() == Some(name)).then_some(()))
    })
    .await?;
    Ok(())
}

/// The badges of the listed rows, as `name=scope`.
async fn row_scopes(app: &App) -> anyhow::Result<Vec<String>> {
    let v = app
        .js(
            "return [...document.querySelectorAll('[data-testid=contact-row]')].map(r =>
                r.querySelector('.row-title').firstChild.textContent.trim()
                + '=' + r.querySelector('[data-testid=scope-badge]').dataset.scope);",
        )
        .await?;
    Ok(serde_json::from_value(v)?)
}

/// Waits for the open contact's history to hold an entry with every one of `needles`.
async fn history_entry(app: &App, needles: &[&str]) -> anyhow::Result<String> {
    let needles_js = serde_json::to_string(needles)?;
    app.wait(
        &format!("a history entry with {needles:?}"),
        SHORT,
        || async {
            let v = app
                .js(&format!(
                    "return [...document.querySelectorAll('[data-testid=history-entry]')]
                        .map(e => e.innerText.replace(/\\s+/g, ' '))
                        .find(t => {needles_js}.every(n => t.includes(n))) ?? null;"
                ))
                .await?;
            Ok(v.as_str().map(str::to_owned))
        },
    )
    .await
}

/// The open contact's history scrolled into view, screenshotted as `name` once the toasts
/// (4 s each) that would cover it are gone.
async fn history_shot(app: &App, name: &str) -> anyhow::Result<()> {
    app.js("document.querySelector('[data-testid=contact-history]').scrollIntoView({block: 'end'}); return true;")
        .await?;
    app.wait("the toasts to go", SHORT, || async {
        let v = app
            .js("return document.querySelector('[data-testid=toast]') === null || null")
            .await?;
        Ok(v.as_bool())
    })
    .await?;
    painted(app).await?;
    app.shot(name).await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Xvfb, tauri-driver and the built app: run `make test-app`"]
async fn team_directory_in_the_app() -> anyhow::Result<()> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let crm = Crm::start(
        IRINA.trim_start_matches('+'),
        json!({"name": "Ирина Козлова", "company": "АО «Глобус»", "email": "i.kozlova@globus.ru",
               "url": IRINA_URL, "fields": {"Менеджер": "Пётр"}}),
    )
    .await?;
    let stack = Stack::start_with(Some(&crm.relay_config())).await?;
    let _notifications = FakeNotifications::start()
        .await
        .context("cannot own org.freedesktop.Notifications")?;

    // Игорь, a colleague, writes the team's contacts: Мария with a CRM link, then an edit of
    // her; Алексей without one.
    let igor = stack.add_agent("Игорь Лебедев", &["--uis-employee", "2339293"])?;
    let maria = stack
        .relay_json(
            Method::POST,
            "/v1/directory/contacts",
            &igor,
            json!({"name": "Мария Соколова", "company": "ООО «Вектор»", "position": "закупки",
                   "phones": [{"raw": "+7 916 555-12-34", "label": "моб."}], "crm_url": CRM_URL}),
            201,
        )
        .await?;
    let maria_id = maria["id"].as_i64().context("the relay's id")?;
    stack
        .relay_json(
            Method::PUT,
            &format!("/v1/directory/contacts/{maria_id}"),
            &igor,
            json!({"base_version": maria["version"], "name": "Мария Соколова",
                   "company": "ООО «Вектор»", "position": "руководитель закупок",
                   "email": "m.sokolova@vector.ru",
                   "phones": [{"raw": "+7 916 555-12-34", "label": "моб."}], "crm_url": CRM_URL}),
            200,
        )
        .await?;
    stack
        .relay_json(
            Method::POST,
            "/v1/directory/contacts",
            &igor,
            json!({"name": "Алексей Орлов", "company": "ИП Орлов",
                   "phones": [{"raw": "8 903 111-22-33"}]}),
            201,
        )
        .await?;

    let home = stack.dir.path().join("team-app");
    let (env, opened) = fake_browser(&stack.dir.path().join("desktop"))?;
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = App::launch_with_env(&["--home".into(), home.display().to_string()], &env).await?;
    app.sign_in_as_anna(&stack).await?;

    // The sync brings both team contacts; Анна adds a private one, choosing «Личный» over
    // the team, which a signed-in agent's new contact goes to by default.
    app.wait_text("[data-testid=contact-row]", "Алексей Орлов", CALL)
        .await?;
    app.click("[data-testid=contact-new]").await?;
    let team_first = app
        .js("return document.querySelector('[data-testid=where-team]').checked")
        .await?;
    assert_eq!(
        team_first,
        json!(true),
        "a new contact goes to the team by default"
    );
    app.click("[data-testid=where-private]").await?;
    app.type_into("[data-testid=field-name]", "Валентина (соседка)")
        .await?;
    app.type_into("[data-testid=field-phone]", "+7 926 000-11-22")
        .await?;
    let crm_field = app
        .js("return document.querySelector('[data-testid=field-crm_url]') !== null")
        .await?;
    assert_eq!(crm_field, json!(false), "a private contact has no CRM link");
    app.shot("40-contact-new-private-ru").await;
    app.click("[data-testid=contact-save]").await?;
    app.wait_text("[data-testid=contact-row]", "Валентина", SHORT)
        .await?;
    let mut scopes = row_scopes(&app).await?;
    scopes.sort();
    assert_eq!(
        scopes,
        [
            "Алексей Орлов=team",
            "Валентина (соседка)=private",
            "Мария Соколова=team"
        ],
        "every row says whose it is"
    );
    let badge = app
        .text("[data-testid=contact-row] [data-scope=team]")
        .await?;
    assert_eq!(badge.as_deref(), Some("Команда"));
    let badge = app
        .text("[data-testid=contact-row] [data-scope=private]")
        .await?;
    assert_eq!(badge.as_deref(), Some("Личный"));

    // The filter.
    app.click("[data-testid=scope-team]").await?;
    app.wait("only team contacts listed", SHORT, || async {
        let s = row_scopes(&app).await?;
        Ok((s.len() == 2 && s.iter().all(|r| r.ends_with("=team"))).then_some(()))
    })
    .await?;
    app.shot("41-contacts-team-filter-ru").await;
    app.click("[data-testid=scope-private]").await?;
    app.wait("only the private contact listed", SHORT, || async {
        let s = row_scopes(&app).await?;
        Ok((s == ["Валентина (соседка)=private"]).then_some(()))
    })
    .await?;
    app.click("[data-testid=scope-all]").await?;

    // Мария: who changed her last, her history by Игорь, «Открыть в CRM», and no deleting
    // for an agent who is not a supervisor (said, not failed).
    open_contact(&app, "Мария Соколова").await?;
    app.wait_text(
        "[data-testid=contact-last-change]",
        "Последнее изменение: Игорь Лебедев",
        SHORT,
    )
    .await?;
    let edit = history_entry(&app, &["Игорь Лебедев", "изменил(а)", "должность"]).await?;
    assert!(edit.contains("email"), "the edit names its fields: {edit}");
    history_entry(&app, &["Игорь Лебедев", "создал(а) контакт"]).await?;
    let delete = app
        .js(
            "const b = document.querySelector('[data-testid=contact-delete]');
             return { disabled: b.disabled, why: b.parentElement.title };",
        )
        .await?;
    assert_eq!(delete["disabled"], json!(true), "{delete}");
    assert!(
        delete["why"]
            .as_str()
            .is_some_and(|w| w.contains("только супервизор")),
        "says why: {delete}"
    );
    app.wait_text("[data-testid=contact-crm]", "Открыть в CRM", SHORT)
        .await?;
    painted(&app).await?;
    app.shot("42-contact-team-ru").await;
    app.click("[data-testid=contact-crm]").await?;
    app.wait("the CRM link in the browser", SHORT, || async {
        let seen = std::fs::read_to_string(&opened).unwrap_or_default();
        Ok(seen.lines().any(|l| l == CRM_URL).then_some(()))
    })
    .await?;

    // A colleague's change while Мария is open reaches the list and her history.
    stack
        .relay_json(
            Method::POST,
            &format!("/v1/directory/contacts/{maria_id}/numbers"),
            &igor,
            json!({"raw": "+7 495 777-00-11", "label": "офис"}),
            200,
        )
        .await?;
    history_entry(&app, &["Игорь Лебедев", "добавил(а) номер"]).await?;
    let phones = app
        .js("return [...document.querySelectorAll('[data-testid=field-phone]')].map(p => p.value)")
        .await?;
    assert_eq!(
        phones,
        json!(["+7 916 555-12-34", "+7 495 777-00-11"]),
        "the untouched form shows the colleague's number"
    );
    history_shot(&app, "43-contact-history-ru").await?;

    // Her call: the card says she is the team's and opens her CRM page.
    stack.call(json!({"provider": "uis", "from": MARIA, "employee": "2339292", "outcome": "answered", "ring_seconds": 8, "talk_seconds": 3})).await?;
    let card = card_of(&app, "Мария Соколова", "ringing_here").await?;
    assert_eq!(card["team"], json!("Команда"), "{card}");
    assert_eq!(card["crm"], json!(CRM_URL), "{card}");
    assert_eq!(card["from_crm"], Value::Null, "{card}");
    painted(&app).await?;
    app.shot("44-card-team-ru").await;
    app.to_main_window().await?;

    // A caller no contact knows but the CRM does: the relay asks it, and the card takes the
    // CRM's name, marked, with its link.
    stack.call(json!({"provider": "uis", "from": IRINA, "employee": "2339292", "outcome": "answered", "ring_seconds": 8, "talk_seconds": 2})).await?;
    let card = card_of(&app, "Ирина Козлова", "ringing_here").await?;
    assert_eq!(card["from_crm"], json!("из CRM"), "{card}");
    assert_eq!(card["crm"], json!(IRINA_URL), "{card}");
    assert_eq!(card["team"], Value::Null, "{card}");
    assert!(
        card["text"]
            .as_str()
            .is_some_and(|t| t.contains("АО «Глобус»")),
        "the CRM's company: {card}"
    );
    painted(&app).await?;
    app.shot("44b-card-from-crm-ru").await;
    app.to_main_window().await?;

    // A stranger's number attached to Мария from the card: on the relay, so it is the
    // team's, and her history says Анна did it.
    stack.call(json!({"provider": "uis", "from": STRANGER, "employee": "2339292", "outcome": "answered", "ring_seconds": 6, "talk_seconds": 2})).await?;
    app.to_card_window().await?;
    app.wait("the stranger's card", CALL, || async {
        let v = app
            .js(&format!(
                "const c = [...document.querySelectorAll('[data-testid=card]')]
                    .find(c => c.querySelector('[data-testid=card-number]')?.innerText.replace(/\\D/g, '') === {digits:?});
                 if (!c) return null;
                 c.querySelector('[data-testid=card-attach]').click();
                 return true;",
                digits = STRANGER.trim_start_matches('+')
            ))
            .await?;
        Ok(v.as_bool())
    })
    .await?;
    app.to_main_window().await?;
    app.wait_text("[data-testid=attach-hint]", "Привязать", SHORT)
        .await?;
    app.js("[...document.querySelectorAll('[data-testid=contact-row]')]
            .find(r => r.innerText.includes('Мария Соколова'))
            .querySelector('[data-testid=attach-to]').click();
         return true;")
        .await?;
    history_entry(&app, &["Анна", "добавил(а) номер"]).await?;
    let on_relay = stack
        .relay_json(
            Method::GET,
            &format!("/v1/directory/contacts/{maria_id}"),
            &igor,
            Value::Null,
            200,
        )
        .await?;
    let phones = on_relay["contact"]["phones"].to_string();
    assert!(
        phones.contains("905") && phones.contains("7770011"),
        "the number is the team's: {phones}"
    );

    // The UIS account's address book joins the directory (`contacts uis-sync` runs the pass
    // `[directory.uis_sync]` runs on its interval): its clients are on every desktop, and
    // their history says where they came from.
    let synced = stack.relay_admin(&["contacts", "uis-sync"])?;
    assert!(synced.contains("новых 6"), "{synced}");
    app.wait_text("[data-testid=contact-row]", "Васильева Ольга", CALL)
        .await?;
    open_contact(&app, "Васильева Ольга").await?;
    app.wait_text(
        "[data-testid=contact-last-change]",
        "Последнее изменение: адресная книга UIS",
        SHORT,
    )
    .await?;
    history_entry(&app, &["адресная книга UIS", "синхронизация"]).await?;
    history_shot(&app, "43b-contact-from-uis-ru").await?;

    // Everything in English.
    app.switch_language("en", "Call card").await?;
    app.click("[data-testid=tab-contacts]").await?;
    app.wait_text("[data-testid=contacts-scope]", "Private", SHORT)
        .await?;
    open_contact(&app, "Мария Соколова").await?;
    app.wait_text("[data-testid=contact-history]", "Change history", SHORT)
        .await?;
    history_entry(&app, &["Игорь Лебедев", "changed", "position"]).await?;
    history_entry(&app, &["Анна", "added a number"]).await?;
    app.wait_text("[data-testid=contact-crm]", "Open in CRM", SHORT)
        .await?;
    let badge = app
        .text("[data-testid=contact-row] [data-scope=team]")
        .await?;
    assert_eq!(badge.as_deref(), Some("Team"));
    painted(&app).await?;
    app.shot("45-contact-team-en").await;
    history_shot(&app, "46-contact-history-en").await?;
    app.click("[data-testid=scope-private]").await?;
    app.wait_text("[data-testid=contact-row]", "Private", SHORT)
        .await?;
    app.shot("47-contacts-private-filter-en").await;
    app.click("[data-testid=scope-all]").await?;
    open_contact(&app, "Васильева Ольга").await?;
    history_entry(&app, &["UIS address book", "synced"]).await?;

    stack.call(json!({"provider": "uis", "from": MARIA, "employee": "2339292", "outcome": "answered", "ring_seconds": 8, "talk_seconds": 2})).await?;
    stack.call(json!({"provider": "uis", "from": IRINA, "employee": "2339292", "outcome": "answered", "ring_seconds": 8, "talk_seconds": 2})).await?;
    let card = card_of(&app, "Мария Соколова", "ringing_here").await?;
    assert_eq!(card["team"], json!("Team"), "{card}");
    assert!(
        card["text"]
            .as_str()
            .is_some_and(|t| t.contains("Open in CRM")),
        "{card}"
    );
    app.to_main_window().await?;
    let card = card_of(&app, "Ирина Козлова", "ringing_here").await?;
    assert_eq!(card["from_crm"], json!("from CRM"), "{card}");
    painted(&app).await?;
    app.shot("48-cards-team-and-crm-en").await;
    app.to_main_window().await?;

    // «Open the caller's contact on answer» turned on: answered calls open Мария's contact
    // and an unknown number's new-contact form (`49-…` to `51-…`).
    crate::open_on_answer::check(&app, &stack, ("Мария Соколова", MARIA)).await?;
    app.close_and_wait(&home).await?;
    Ok(())
}
