//! `trubka-cli` (the real binary) against a real relay: `scenarios` lists the schemes the
//! admin named, `dial --scenario` sends the name and shows the relay's refusal with the names
//! there are, and `request` says in words what the relay needs to send offline requests.
//!
//! The relay's Sipuni API points at a port nobody serves, so a call that reaches "the PBX"
//! fails there, which shows the name was resolved to a scheme without any real PBX.

use std::net::SocketAddr;

use tokio::sync::oneshot;
use trubka_relay::{NewAgent, Relay, RelayConfig, Store};

use crate::common::{WAIT, cli, text};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scenarios_dial_by_name_and_requests_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("relay");
    let new = NewAgent {
        name: "Игорь".to_owned(),
        sipuni_ext: Some("202".to_owned()),
        ..NewAgent::default()
    };
    let token = Store::open(&data).unwrap().add_agent(&new).unwrap().1.0;

    let mut config = RelayConfig {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        data_dir: data,
        pbx_timeout_secs: 2,
        ..RelayConfig::default()
    };
    config.sipuni.user = Some("064629".to_owned());
    config.sipuni.secret = Some("secret".to_owned());
    config.sipuni.api_url = "http://127.0.0.1:9/api".to_owned();
    config.sipuni.trees = [
        ("Продажи".to_owned(), "000-913901".to_owned()),
        ("Сервис".to_owned(), "000-913902".to_owned()),
    ]
    .into();
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

    let listed = cli(&home, &["scenarios"]).await;
    assert!(listed.status.success(), "{}", text(&listed.stderr));
    let out = text(&listed.stdout);
    assert!(out.contains("Продажи  (Sipuni, схема 000-913901)"), "{out}");
    assert!(out.contains("Сервис  (Sipuni, схема 000-913902)"), "{out}");
    let json = cli(&home, &["scenarios", "--json"]).await;
    let first: serde_json::Value =
        serde_json::from_str(text(&json.stdout).lines().next().unwrap()).unwrap();
    assert_eq!(
        first,
        serde_json::json!({"name": "Продажи", "provider": "sipuni", "id": "000-913901"})
    );

    // An unknown name: the relay's words, with the names there are.
    let unknown = cli(&home, &["dial", "8 926 123-45-67", "--scenario", "Склад"]).await;
    assert!(!unknown.status.success());
    let err = text(&unknown.stderr);
    assert!(
        err.contains("«Склад»") && err.contains("«Продажи»"),
        "{err}"
    );
    assert!(err.contains("unknown_scenario"), "{err}");

    // A known name is a scheme call: it goes to Sipuni, which is unreachable here.
    let known = cli(&home, &["dial", "8 926 123-45-67", "--scenario", "сервис"]).await;
    assert!(!known.status.success());
    let err = text(&known.stderr);
    assert!(err.contains("Нет связи с Sipuni"), "{err}");

    // Offline requests go to UIS, which this relay has no key for.
    let request = cli(
        &home,
        &[
            "request",
            "--phone",
            "8 926 123-45-67",
            "--message",
            "Перезвонить",
            "--site",
            "trubka-demo.ru",
        ],
    )
    .await;
    assert!(!request.status.success());
    let err = text(&request.stderr);
    assert!(err.contains("[uis] api_key"), "{err}");
    let list = cli(&home, &["request", "--list"]).await;
    assert!(!list.status.success());
    assert!(text(&list.stderr).contains("not_configured"));
    // A number that is not one fails before any request.
    let bad = cli(
        &home,
        &["request", "--phone", "12", "--message", "x", "--site", "a"],
    )
    .await;
    assert!(!bad.status.success());
    assert!(!text(&bad.stderr).contains("not_configured"));

    let _ = stop.send(());
    tokio::time::timeout(WAIT, task)
        .await
        .expect("relay stops")
        .unwrap()
        .unwrap();
}
