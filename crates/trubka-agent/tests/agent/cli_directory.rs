//! `trubka-cli contacts …` (the real binary) against a real relay: `add` goes to the team when
//! signed in and stays private with `--private`, `sync` prints what the copy holds, `find`
//! says team or private, `edit` and `history` go through the relay, and `delete` of a team
//! contact by an agent who is no supervisor is refused in words.

use std::net::SocketAddr;

use tokio::sync::oneshot;
use trubka_relay::{NewAgent, Relay, RelayConfig, Store};

use crate::common::{WAIT, cli, text};

/// `trubka-cli ARGS` on `home`: whether it succeeded, its output and its errors.
async fn run(home: &std::path::Path, args: &[&str]) -> (bool, String, String) {
    let output = cli(home, args).await;
    (
        output.status.success(),
        text(&output.stdout),
        text(&output.stderr),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn team_and_private_contacts_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("relay");
    let new = NewAgent {
        name: "Игорь".to_owned(),
        uis_employee: Some("300".to_owned()),
        ..NewAgent::default()
    };
    let token = Store::open(&data).unwrap().add_agent(&new).unwrap().1.0;
    let config = RelayConfig {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        data_dir: data,
        ..RelayConfig::default()
    };
    let listener = tokio::net::TcpListener::bind(config.listen).await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let relay = Relay::open(config).unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(relay.serve(listener, async move {
        let _ = stopped.await;
    }));

    let home = dir.path().join("agent");
    let login = cli(&home, &["login", "--relay", &url, "--token", &token]).await;
    assert!(login.status.success(), "{}", text(&login.stderr));

    let (ok, out, err) = run(
        &home,
        &[
            "contacts",
            "add",
            "--name",
            "Иван Петров",
            "--phone",
            "8 926 123-45-67",
            "--crm-url",
            "https://crm.example.com/c/7",
        ],
    )
    .await;
    assert!(ok, "{err}");
    assert!(out.contains("в справочнике команды"), "{out}");
    let (ok, out, err) = run(
        &home,
        &[
            "contacts",
            "add",
            "--private",
            "--name",
            "Соседка",
            "--phone",
            "89031112233",
        ],
    )
    .await;
    assert!(ok, "{err}");
    assert!(out.contains("как личный"), "{out}");

    let (ok, out, err) = run(&home, &["contacts", "sync"]).await;
    assert!(ok, "{err}");
    assert!(
        out.contains("Справочник команды: версия 1, контактов 1"),
        "{out}"
    );

    let (_, team, _) = run(&home, &["contacts", "find", "+79261234567"]).await;
    assert!(
        team.contains("Иван Петров") && team.contains("команда"),
        "{team}"
    );
    assert!(team.contains("CRM: https://crm.example.com/c/7"), "{team}");
    let (_, private, _) = run(&home, &["contacts", "find", "89031112233"]).await;
    assert!(
        private.contains("Соседка") && private.contains("личный"),
        "{private}"
    );

    // The team contact's local id, from the listing.
    let id = team
        .split_whitespace()
        .find_map(|w| w.strip_prefix('#'))
        .expect("an id")
        .to_owned();
    let id = id.as_str();
    let (ok, out, err) = run(&home, &["contacts", "edit", id, "--company", "ООО Ромашка"]).await;
    assert!(ok, "{err}");
    assert!(out.contains("Контакт команды"), "{out}");
    let (ok, out, err) = run(&home, &["contacts", "history", id]).await;
    assert!(ok, "{err}");
    assert!(out.contains("Игорь: изменён / edited (company)"), "{out}");
    assert!(out.contains("Игорь: создан / created"), "{out}");

    let (ok, _, err) = run(&home, &["contacts", "delete", id]).await;
    assert!(!ok);
    assert!(err.contains("только супервизор"), "{err}");

    let _ = stop.send(());
    tokio::time::timeout(WAIT, task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}
