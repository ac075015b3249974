//! The team directory's copy on desktops, against a real relay (trubka-relay on 127.0.0.1,
//! its own SQLite) and real engines (their own SQLite): the first sync in pages, a change by
//! one engine in another's lookup after its `directory` frame, tombstones, private contacts
//! kept, the 409 and 403 refusals in words, a CRM's `call_contact` filling an unknown
//! caller's card, and lookups with the relay gone.
//!
//! Waits are bounded (a broken sync fails instead of hanging); nothing asserts on timing.

use std::net::SocketAddr;
use std::path::Path;

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::broadcast;
use trubka_agent::Engine;
use trubka_agent::backoff::Backoff;
use trubka_agent::contacts::{ContactDraft, PhoneEntry};
use trubka_agent::engine::{EngineError, EngineEvent};
use trubka_agent::profile::Profile;
use trubka_agent::relay_client::{ConnectionStatus, Delivery};
use trubka_core::PhoneNumber;
use trubka_relay::cli::ContactsCommand;
use trubka_relay::config::{DirectoryConfig, LookupConfig};
use trubka_relay::{NewAgent, RelayConfig, Store};

use crate::common::relay::{TestRelay, WAIT, desktop, eventually};

/// `trubka-relay contacts import FILE` on the running relay's data folder.
async fn import(relay: &TestRelay, file: &Path) {
    let mut out = Vec::new();
    trubka_relay::cli::contacts(
        &relay.config,
        &ContactsCommand::Import {
            file: file.to_owned(),
        },
        &mut out,
    )
    .await
    .unwrap();
}

/// A relay config on `data` (and the CRM at `crm`, if any).
fn config(data: &Path, crm: Option<String>) -> RelayConfig {
    RelayConfig {
        data_dir: data.to_owned(),
        directory: DirectoryConfig {
            lookup: crm.map(|url| LookupConfig {
                url,
                ..LookupConfig::default()
            }),
            ..DirectoryConfig::default()
        },
        ..RelayConfig::default()
    }
}

/// Adds agent `name` (UIS employee `employee`, watching the line) before the relay opens.
fn add_agent(data: &Path, name: &str, employee: &str, supervisor: bool) -> String {
    let new = NewAgent {
        name: name.to_owned(),
        uis_employee: Some(employee.to_owned()),
        lines: vec![PhoneNumber::from_e164("+74951234567").unwrap()],
        supervisor,
        ..NewAgent::default()
    };
    Store::open(data).unwrap().add_agent(&new).unwrap().1.0
}

/// The names `engine` finds for `number`, each with whether it is the team's.
async fn who(engine: &Engine, number: &str) -> Vec<(String, bool)> {
    engine
        .find_contacts(number)
        .await
        .unwrap()
        .matches
        .iter()
        .map(|m| (m.contact().name.clone(), m.meta.is_team()))
        .collect()
}

fn draft(name: &str, phone: &str) -> ContactDraft {
    ContactDraft {
        name: name.to_owned(),
        phones: vec![PhoneEntry::new(phone)],
        ..ContactDraft::default()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_first_sync_brings_a_few_thousand_contacts_in_pages() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("relay");
    let token = add_agent(&data, "Анна", "100", false);
    let relay = TestRelay::start(config(&data, None)).await;
    let mut csv = String::from("Имя;Телефон;Компания\n");
    for i in 0..3_000 {
        csv.push_str(&format!(
            "Клиент {i:04};+7 901 000-{:02}-{:02};ООО {i}\n",
            i / 100,
            i % 100
        ));
    }
    let file = dir.path().join("clients.csv");
    std::fs::write(&file, csv).unwrap();
    import(&relay, &file).await;

    let profile = dir.path().join("anna");
    let engine = Engine::open(Profile::at(&profile).unwrap()).await.unwrap();
    // Small pages: the sync must follow `more` through several of them.
    engine.set_directory_page(700);
    engine.login(&relay.url(), &token).await.unwrap();
    engine.start().unwrap();
    let mut status = engine.directory_status();
    let synced = tokio::time::timeout(WAIT, async {
        loop {
            let current = status.borrow_and_update().clone();
            if current.contacts == 3_000 && !current.syncing && current.synced_at.is_some() {
                return current;
            }
            status.changed().await.unwrap();
        }
    })
    .await
    .expect("the first sync ends");
    assert!(synced.version >= 3_000, "{synced:?}");
    assert_eq!(synced.error, None);
    assert_eq!(
        who(&engine, "89010000000").await,
        vec![("Клиент 0000".to_owned(), true)]
    );
    assert_eq!(
        who(&engine, "+7 901 000-29-99").await,
        vec![("Клиент 2999".to_owned(), true)]
    );
    // A forced sync with nothing new says the same.
    let again = engine.sync_directory().await.unwrap();
    assert_eq!((again.version, again.contacts), (synced.version, 3_000));
    engine.stop();
    relay.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_change_on_one_desktop_reaches_another_and_tombstones_remove() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("relay");
    let anna_token = add_agent(&data, "Анна", "100", false);
    let boris_token = add_agent(&data, "Борис", "200", true);
    let relay = TestRelay::start(config(&data, None)).await;
    let anna = desktop(&dir.path().join("anna"), &relay, &anna_token).await;
    let boris = desktop(&dir.path().join("boris"), &relay, &boris_token).await;

    // A private contact of Борис's with the number the team contact will get.
    boris
        .add_contact(draft("Сосед", "+7 926 555-00-11"))
        .await
        .unwrap();

    let created = anna
        .create_team_contact(
            draft("Иван Петров", "8 (926) 123-45-67"),
            Some("https://crm.example.com/c/1".to_owned()),
        )
        .await
        .unwrap();
    let stamp = created.meta.team.clone().expect("a team contact");
    assert_eq!(stamp.updated_by.as_deref(), Some("Анна"));
    // The author's own copy has it at once.
    assert_eq!(
        who(&anna, "+79261234567").await,
        vec![("Иван Петров".to_owned(), true)]
    );
    let found = eventually("Борис finds Анна's new contact", || async {
        let lookup = boris.find_contacts("+79261234567").await.unwrap();
        lookup.matches.into_iter().next()
    })
    .await;
    assert_eq!(found.contact().name, "Иван Петров");
    assert_eq!(
        found.meta.crm_url.as_deref(),
        Some("https://crm.example.com/c/1")
    );

    // Борис attaches a caller's number through the contact's local id, as a card does.
    let boris_id = found.contact().id;
    boris
        .attach_number(boris_id, "+7 926 555-00-11", None)
        .await
        .unwrap();
    eventually("Анна sees the attached number", || async {
        let names = who(&anna, "89265550011").await;
        names
            .contains(&("Иван Петров".to_owned(), true))
            .then_some(())
    })
    .await;
    // Борис's private contact with the same number is still there beside it.
    let both = who(&boris, "89265550011").await;
    assert!(both.contains(&("Сосед".to_owned(), false)), "{both:?}");
    assert!(both.contains(&("Иван Петров".to_owned(), true)), "{both:?}");

    // Анна may not delete; Борис, a supervisor, may.
    let anna_id = anna.find_contacts("+79261234567").await.unwrap().matches[0]
        .contact()
        .id;
    let refused = anna.delete_contact(anna_id).await.unwrap_err();
    assert!(matches!(refused, EngineError::NotSupervisor), "{refused:?}");
    assert!(refused.to_string().contains("супервизор"), "{refused}");
    boris.delete_contact(boris_id).await.unwrap();
    eventually("the tombstone reaches Анна", || async {
        who(&anna, "+79261234567").await.is_empty().then_some(())
    })
    .await;
    assert_eq!(
        who(&boris, "89265550011").await,
        vec![("Сосед".to_owned(), false)]
    );
    anna.stop();
    boris.stop();
    relay.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_edit_from_a_stale_version_is_refused_with_who_changed_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("relay");
    let anna_token = add_agent(&data, "Анна", "100", false);
    let boris_token = add_agent(&data, "Борис", "200", false);
    let relay = TestRelay::start(config(&data, None)).await;
    let anna = desktop(&dir.path().join("anna"), &relay, &anna_token).await;
    let boris = desktop(&dir.path().join("boris"), &relay, &boris_token).await;

    let created = anna
        .create_team_contact(draft("ООО Ромашка", "+7 495 100-20-30"), None)
        .await
        .unwrap();
    let team = created.meta.team.unwrap();
    let found = eventually("Борис has it", || async {
        boris
            .find_contacts("+74951002030")
            .await
            .unwrap()
            .matches
            .into_iter()
            .next()
    })
    .await;
    boris
        .update_contact(
            found.contact().id,
            draft("ООО Ромашка и партнёры", "+7 495 100-20-30"),
        )
        .await
        .unwrap();

    let refused = anna
        .update_team_contact(
            team.id,
            Some(team.version),
            draft("ООО Ромашка (старое)", "+7 495 100-20-30"),
            None,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, EngineError::EditConflict { by } if by == "Борис"),
        "{refused:?}"
    );
    assert!(
        refused.to_string().contains("Контакт изменил(а) Борис"),
        "{refused}"
    );
    // Refreshed by the sync, the same edit from the new version goes through.
    let fresh = eventually("Анна's copy catches up", || async {
        let entry = anna.contact_entry(created.contact.id).await.unwrap()?;
        (entry.contact.name == "ООО Ромашка и партнёры").then_some(entry)
    })
    .await;
    let base = fresh.meta.team.unwrap().version;
    let saved = anna
        .update_team_contact(
            team.id,
            Some(base),
            draft("ООО Ромашка-2", "+7 495 100-20-30"),
            None,
        )
        .await
        .unwrap();
    assert_eq!(saved.contact.name, "ООО Ромашка-2");
    let history = anna.contact_history(team.id).await.unwrap();
    let authors: Vec<&str> = history.history.iter().map(|c| c.author.as_str()).collect();
    assert_eq!(authors, ["Анна", "Борис", "Анна"]);
    anna.stop();
    boris.stop();
    relay.stop().await;
}

/// A CRM on 127.0.0.1 answering every request with `body` (HTTP/1.1, one request per
/// connection).
async fn crm(body: &'static str) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut chunk = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 65_536 {
                    match socket.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&chunk[..n]),
                    }
                }
                let response = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
                     connection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(response.as_bytes()).await;
            });
        }
    });
    addr
}

#[tokio::test(flavor = "multi_thread")]
async fn a_crm_answer_fills_an_unknown_callers_card_and_lookups_work_offline() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("relay");
    let token = add_agent(&data, "Анна", "100", false);
    let crm_addr = crm(
        r#"{"name":"Мария Соколова","company":"ООО Вектор","url":"https://crm.example.com/c/42"}"#,
    )
    .await;
    let relay = TestRelay::start(config(
        &data,
        Some(format!("http://{crm_addr}/phones/{{digits}}")),
    ))
    .await;
    let anna = desktop(&dir.path().join("anna"), &relay, &token).await;
    anna.create_team_contact(draft("Иван Петров", "+7 926 123-45-67"), None)
        .await
        .unwrap();
    let mut events = anna.subscribe();

    let notification = json!({
        "notification_name": "Входящий звонок на виртуальный номер",
        "notification_time": "2026-05-12 10:00:00.000000",
        "call_session_id": 5001,
        "virtual_phone_number": "74951234567",
        "contact_phone_number": "79035556677",
        "direction": "in"
    });
    let response = reqwest::Client::new()
        .post(format!("{}/hooks/uis/{}", relay.url(), relay.uis_token))
        .json(&notification)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);

    let filled = tokio::time::timeout(WAIT, async {
        loop {
            match events.recv().await {
                Ok(EngineEvent::Card { card, delivery }) if !card.crm.is_empty() => {
                    return (card, delivery);
                }
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => panic!("engine gone"),
            }
        }
    })
    .await
    .expect("the CRM's answer reaches the card");
    let (card, delivery) = filled;
    // The card popped with the call's first event; the answer only fills it in.
    assert_eq!(delivery, Delivery::Quiet);
    assert_eq!(card.title, "Мария Соколова");
    assert_eq!(
        card.crm_url.as_deref(),
        Some("https://crm.example.com/c/42")
    );
    assert!(card.contacts.is_empty());
    // The stored card says the same when read again.
    let again = anna.card(&card.call.call_id).await.unwrap();
    assert_eq!(again.title, "Мария Соколова");

    // The relay goes away: the copy still answers.
    anna.stop();
    relay.stop().await;
    assert_eq!(
        who(&anna, "8 926 123 45 67").await,
        vec![("Иван Петров".to_owned(), true)]
    );
    assert_eq!(anna.card(&card.call.call_id).await.unwrap().crm.len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn signing_in_to_another_relay_drops_the_old_directory_but_not_private_contacts() {
    let dir = tempfile::tempdir().unwrap();
    let first_data = dir.path().join("first");
    let second_data = dir.path().join("second");
    let first_token = add_agent(&first_data, "Анна", "100", false);
    let second_token = add_agent(&second_data, "Анна", "100", false);
    let first = TestRelay::start(config(&first_data, None)).await;
    let second = TestRelay::start(config(&second_data, None)).await;
    let anna = desktop(&dir.path().join("anna"), &first, &first_token).await;
    anna.create_team_contact(draft("Иван Петров", "+7 926 123-45-67"), None)
        .await
        .unwrap();
    anna.add_contact(draft("Соседка", "+7 903 111-22-33"))
        .await
        .unwrap();
    assert_eq!(anna.sync_directory().await.unwrap().contacts, 1);

    anna.login(&second.url(), &second_token).await.unwrap();
    assert!(who(&anna, "+79261234567").await.is_empty());
    assert_eq!(
        who(&anna, "+79031112233").await,
        vec![("Соседка".to_owned(), false)]
    );
    let status = anna.sync_directory().await.unwrap();
    assert_eq!((status.version, status.contacts), (0, 0));
    anna.stop();
    first.stop().await;
    second.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_crm_answer_sent_while_away_fills_the_card_after_the_reconnect() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("relay");
    let token = add_agent(&data, "Анна", "100", false);
    let crm_addr = crm(r#"{"name":"Пётр Орлов","url":"https://crm.example.com/c/9"}"#).await;
    let relay = TestRelay::start(config(
        &data,
        Some(format!("http://{crm_addr}/phones/{{digits}}")),
    ))
    .await;
    // Connected once (the relay's head is her resume point), then away: the call and the
    // CRM's answer happen meanwhile.
    let anna = desktop(&dir.path().join("anna"), &relay, &token).await;
    let mut status = anna.status();
    tokio::time::timeout(
        WAIT,
        status.wait_for(|s| matches!(s, ConnectionStatus::Connected { .. })),
    )
    .await
    .expect("connected")
    .unwrap();
    anna.stop();
    let notification = json!({
        "notification_name": "Входящий звонок на виртуальный номер",
        "notification_time": "2026-05-12 10:00:00.000000",
        "call_session_id": 5002,
        "virtual_phone_number": "74951234567",
        "contact_phone_number": "79037778899",
        "direction": "in"
    });
    let http = reqwest::Client::new();
    let response = http
        .post(format!("{}/hooks/uis/{}", relay.url(), relay.uis_token))
        .json(&notification)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    eventually("the relay keeps the CRM's answer", || async {
        let answer: serde_json::Value = http
            .get(format!(
                "{}/v1/directory/lookup?number=%2B79037778899",
                relay.url()
            ))
            .bearer_auth(&token)
            .send()
            .await
            .ok()?
            .json()
            .await
            .ok()?;
        (answer["crm"].as_array().is_some_and(|crm| !crm.is_empty())).then_some(())
    })
    .await;

    let mut events = anna.subscribe();
    anna.start().unwrap();
    let card = tokio::time::timeout(WAIT, async {
        loop {
            match events.recv().await {
                Ok(EngineEvent::Card { card, .. }) if !card.crm.is_empty() => return card,
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => panic!("engine gone"),
            }
        }
    })
    .await
    .expect("the card is filled after the reconnect");
    assert_eq!(card.title, "Пётр Орлов");
    assert_eq!(card.crm_url.as_deref(), Some("https://crm.example.com/c/9"));
    anna.stop();
    relay.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_agent_made_a_supervisor_meanwhile_is_one_after_the_next_connection() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("relay");
    let token = add_agent(&data, "Анна", "100", false);
    let relay = TestRelay::start(config(&data, None)).await;
    let anna = desktop(&dir.path().join("anna"), &relay, &token).await;
    assert!(!anna.settings().me.unwrap().supervisor);

    let edit = trubka_relay::agents::AgentEdit {
        supervisor: Some(true),
        ..Default::default()
    };
    Store::open(&data)
        .unwrap()
        .edit_agent("Анна", &edit)
        .unwrap();
    anna.reconnect_now();
    eventually("Анна's settings say she is a supervisor", || async {
        anna.settings().me.filter(|me| me.supervisor).map(|_| ())
    })
    .await;
    // Kept in the store too: a restart of the app knows it before connecting.
    anna.stop();
    drop(anna);
    let again = Engine::open_with(
        Profile::at(dir.path().join("anna")).unwrap(),
        Backoff::default(),
    )
    .await
    .unwrap();
    assert!(again.settings().me.unwrap().supervisor);
    relay.stop().await;
}
