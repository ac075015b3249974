//! The team directory through the whole chain (issue 12): the admin imports a file on the
//! relay, desktops that never imported anything pop cards with the client, a number attached
//! from one agent's card names the caller on a colleague's next call, and a CRM on
//! 127.0.0.1 fills in unknown callers — while a CRM that is down, slow or answers garbage
//! leaves the calls' delivery as it is.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::task::JoinHandle;
use trubka_agent::cards::{Card, CardState};
use trubka_core::Outcome;

use crate::system::{ANNA, IGOR, Options, System, WAIT};

/// Waits (bounded) until `agent` finds someone for `number`.
async fn knows(agent: &crate::system::Agent, number: &str) -> trubka_agent::contacts::ContactId {
    tokio::time::timeout(WAIT, async {
        loop {
            let found = agent.engine.find_contacts(number).await.unwrap();
            if let Some(best) = found.matches.first() {
                return best.contact().id;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("the directory never told the desktop about {number}"))
}

fn ended(card: &Card) -> bool {
    card.state == CardState::Ended
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_imported_client_pops_on_every_desktop_and_a_number_attached_from_a_card_reaches_a_colleague()
 {
    let system = System::start().await;
    let anna = system.agent(ANNA).await;
    let igor = system.agent(IGOR).await;

    let file = system.dir().join("clients.csv");
    std::fs::write(
        &file,
        "ФИО;Телефон;Компания;E-mail\nИван Петров;8 (926) 123-45-67;ООО Ромашка;ivan@romashka.ru\n",
    )
    .unwrap();
    let printed = system.import_contacts(&file).await;
    assert!(!printed.is_empty());
    let ivan = knows(&anna, "+79261234567").await;

    let call_id = system
        .call(json!({"provider":"uis","from":"+7 926 123-45-67","employee":"2339292","outcome":"answered"}))
        .await;
    let card = anna.card_until(&call_id, "ended", ended).await;
    assert_eq!(card.title, "Иван Петров");
    assert!(card.contacts[0].meta.is_team());
    assert!(
        card.fields.iter().any(|f| f.value == "ООО Ромашка"),
        "{:?}",
        card.fields
    );

    // A caller nobody knows; Anna says from the card that it is Иван Петров.
    let unknown = system
        .call(json!({"provider":"uis","from":"+7 903 555-66-77","employee":"2339292","outcome":"answered"}))
        .await;
    let card = anna.card_until(&unknown, "ended", ended).await;
    assert!(card.contacts.is_empty(), "{:?}", card.contacts);
    let number = card.call.phone.clone().expect("a valid number");
    anna.engine
        .attach_number(ivan, &number, None)
        .await
        .unwrap();

    // Igor's next call from that number names the client (his copy syncs meanwhile).
    knows(&igor, &number).await;
    let igors = system
        .call(json!({"provider":"uis","from":"+7 903 555-66-77","line":"78122428080","employee":"2339293","outcome":"answered"}))
        .await;
    let card = igor
        .card_until(&igors, "ended, naming the client", |c| {
            ended(c) && c.title == "Иван Петров"
        })
        .await;
    assert!(card.contacts[0].meta.is_team());

    // A caller nobody knows made a contact from Igor's card goes to the team: Anna's
    // desktop names them too.
    let newcomer = system
        .call(json!({"provider":"uis","from":"+7 916 000-11-22","line":"78122428080","employee":"2339293","outcome":"answered"}))
        .await;
    igor.card_until(&newcomer, "ended", ended).await;
    igor.engine
        .contact_from_call(&newcomer, "Мария Соколова")
        .await
        .unwrap();
    let maria = knows(&anna, "+79160001122").await;
    let entry = anna.engine.contact_entry(maria).await.unwrap().unwrap();
    assert_eq!(entry.contact.name, "Мария Соколова");
    assert!(entry.meta.is_team());

    system.stop(vec![anna, igor]).await;
}

/// How the CRM treats one number.
#[derive(Clone, Copy)]
enum Reply {
    Client(&'static str),
    Garbage,
    /// Longer than the relay's 800 ms wait.
    Slow,
}

/// A CRM on 127.0.0.1: `GET /phones/{digits}` answered by the digits' [`Reply`], 404 for
/// others. Aborting its task closes the port: the CRM is down.
async fn crm(replies: HashMap<&'static str, Reply>) -> (SocketAddr, JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let replies = Arc::new(replies);
    let task = tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let replies = Arc::clone(&replies);
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut chunk = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 65_536 {
                    match socket.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&chunk[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&request).into_owned();
                let reply = replies
                    .iter()
                    .find(|(digits, _)| head.contains(&format!("/phones/{digits} ")))
                    .map(|(_, reply)| *reply);
                let (status, body) = match reply {
                    Some(Reply::Client(body)) => ("200 OK", body),
                    Some(Reply::Garbage) => ("200 OK", "<html>Service Unavailable"),
                    Some(Reply::Slow) => {
                        tokio::time::sleep(Duration::from_secs(5)).await;
                        ("200 OK", r#"{"name":"Слишком поздно"}"#)
                    }
                    None => ("404 Not Found", "{}"),
                };
                let response = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
                     connection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(response.as_bytes()).await;
            });
        }
    });
    (addr, task)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crm_fills_in_an_unknown_caller_and_a_crm_down_slow_or_garbled_leaves_calls_alone() {
    let (addr, crm_task) = crm(HashMap::from([
        (
            "79035550001",
            Reply::Client(
                r#"{"name":"Мария Соколова","company":"ООО Вектор","url":"https://crm.example.com/c/42"}"#,
            ),
        ),
        ("79035550002", Reply::Garbage),
        ("79035550003", Reply::Slow),
    ]))
    .await;
    let system = System::start_with(Options {
        crm_url: Some(format!("http://{addr}/phones/{{digits}}")),
        ..Options::default()
    })
    .await;
    let anna = system.agent(ANNA).await;
    let call = |from: &str| json!({"provider":"uis","from":from,"employee":"2339292","outcome":"answered"});

    let found = system.call(call("+7 903 555-00-01")).await;
    let card = anna
        .card_until(&found, "ended, with the CRM's client", |c| {
            ended(c) && !c.crm.is_empty()
        })
        .await;
    assert_eq!(card.title, "Мария Соколова");
    assert_eq!(
        card.crm_url.as_deref(),
        Some("https://crm.example.com/c/42")
    );
    assert!(
        card.fields.iter().any(|f| f.value == "ООО Вектор"),
        "{:?}",
        card.fields
    );

    let garbled = system.call(call("+7 903 555-00-02")).await;
    let slow = system.call(call("+7 903 555-00-03")).await;
    for call_id in [&garbled, &slow] {
        let card = anna.card_until(call_id, "ended", ended).await;
        assert_eq!(card.call.outcome, Some(Outcome::Answered));
        assert!(card.crm.is_empty(), "{:?}", card.crm);
        assert_eq!(card.title, card.number);
    }

    crm_task.abort();
    let _ = crm_task.await;
    let down = system.call(call("+7 903 555-00-04")).await;
    let card = anna.card_until(&down, "ended", ended).await;
    assert_eq!(card.call.outcome, Some(Outcome::Answered));
    assert!(card.crm.is_empty());
    // Every notification of each call reached the relay and was delivered.
    for call_id in [&garbled, &slow, &down] {
        assert!(!system.delivered(call_id).await.is_empty());
    }

    system.stop(vec![anna]).await;
}
