//! `trubka-cli cases …` and `trubka-cli note …` (the real binary) against a real relay: a
//! missed call listed as a table, a claim and a colleague's refused claim in the relay's
//! words, a note, a close with a reason, a bad status refused, and with the relay gone the
//! stored list with the line saying it may be stale.

use std::net::SocketAddr;

use chrono::{FixedOffset, Timelike, Utc};
use serde_json::{Value, json};
use tokio::sync::oneshot;
use trubka_core::PhoneNumber;
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

fn add_agent(data: &std::path::Path, name: &str, employee: &str) -> String {
    let new = NewAgent {
        name: name.to_owned(),
        uis_employee: Some(employee.to_owned()),
        lines: vec![PhoneNumber::from_e164("+74951234567").unwrap()],
        ..NewAgent::default()
    };
    Store::open(data).unwrap().add_agent(&new).unwrap().1.0
}

/// A missed call to employee 100 that ended a minute ago, as UIS notifies it.
fn missed_call() -> Vec<Value> {
    let moscow = FixedOffset::east_opt(3 * 3600).unwrap();
    let at = |minutes: i64| {
        (Utc::now().with_nanosecond(0).unwrap() + chrono::Duration::minutes(minutes))
            .with_timezone(&moscow)
            .format("%Y-%m-%d %H:%M:%S%.6f")
            .to_string()
    };
    let base = json!({"call_session_id": 1, "virtual_phone_number": "74951234567",
        "contact_phone_number": "79261234567", "direction": "in"});
    [
        json!({"notification_name": "Входящий звонок на виртуальный номер",
            "notification_time": at(-2)}),
        json!({"notification_name": "Ожидание ответа", "notification_time": at(-2),
            "employee_id": "100", "employee_full_name": "Анна Петрова", "leg_id": 10}),
        json!({"notification_name": "Потерянный звонок", "notification_time": at(-1),
            "employee_id": "100", "wait_time_duration": 30, "talk_time_duration": 0,
            "total_time_duration": 30}),
    ]
    .into_iter()
    .map(|extra| {
        let mut payload = base.clone();
        for (k, v) in extra.as_object().unwrap() {
            payload[k] = v.clone();
        }
        payload
    })
    .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cases_from_the_command_line_online_and_offline() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("relay");
    std::fs::create_dir_all(&data).unwrap();
    let anna_token = add_agent(&data, "Анна", "100");
    let igor_token = add_agent(&data, "Игорь", "200");
    let config = RelayConfig {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        data_dir: data,
        ..RelayConfig::default()
    };
    let listener = tokio::net::TcpListener::bind(config.listen).await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let relay = Relay::open(config).unwrap();
    let hook = format!("{url}/hooks/uis/{}", relay.hook_tokens().uis);
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(relay.serve(listener, async move {
        let _ = stopped.await;
    }));
    let http = reqwest::Client::new();
    for payload in missed_call() {
        let response = http.post(&hook).json(&payload).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200);
    }

    let anna = dir.path().join("anna");
    let igor = dir.path().join("igor");
    for (home, token) in [(&anna, &anna_token), (&igor, &igor_token)] {
        let (ok, _, err) = run(home, &["login", "--relay", &url, "--token", token]).await;
        assert!(ok, "{err}");
    }

    // The relay's case worker runs after the webhook answered: ask until the case is there.
    let listed = tokio::time::timeout(WAIT, async {
        loop {
            let (ok, out, err) = run(&anna, &["cases", "--json"]).await;
            assert!(ok, "{err}");
            let listing: Value = serde_json::from_str(out.trim()).unwrap();
            if listing["cases"].as_array().is_some_and(|c| !c.is_empty()) {
                return listing;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("the case within the wait");
    assert_eq!(listed["fresh"], true);
    assert_eq!(listed["cases"][0]["key"], "uis:1");

    let (ok, out, err) = run(&igor, &["cases", "--status", "open"]).await;
    assert!(ok, "{err}");
    assert!(out.contains("ОБРАЩЕНИЕ"), "{out}");
    assert!(out.contains("uis:1"), "{out}");
    assert!(out.contains("Пропущенный звонок с +79261234567"), "{out}");
    assert!(out.contains("открыто"), "{out}");
    assert!(!out.contains("устаревшим"), "{out}");
    let (ok, _, err) = run(&igor, &["cases", "--status", "new"]).await;
    assert!(!ok);
    assert!(err.contains("open, waiting, closed"), "{err}");

    let (ok, out, err) = run(&anna, &["cases", "claim", "uis:1"]).await;
    assert!(ok, "{err}");
    assert!(out.contains("Вы перезваниваете"), "{out}");
    let (ok, _, err) = run(&igor, &["cases", "claim", "uis:1"]).await;
    assert!(!ok);
    assert!(err.contains("Уже перезванивает Анна"), "{err}");
    let (ok, out, err) = run(&igor, &["cases"]).await;
    assert!(ok, "{err}");
    assert!(out.contains("Анна"), "{out}");

    let (ok, out, err) = run(&anna, &["note", "uis:1", "Просит счёт"]).await;
    assert!(ok, "{err}");
    assert!(out.contains("Заметка к звонку uis:1 сохранена"), "{out}");

    let (ok, out, err) = run(&igor, &["cases", "close", "uis:1", "--reason", "дубль"]).await;
    assert!(ok, "{err}");
    assert!(out.contains("Обращение закрыто"), "{out}");
    assert!(out.contains("(дубль)"), "{out}");

    let _ = stop.send(());
    tokio::time::timeout(WAIT, task)
        .await
        .expect("relay stops")
        .unwrap()
        .unwrap();
    let (ok, out, err) = run(&igor, &["cases"]).await;
    assert!(ok, "{err}");
    assert!(out.contains("может быть устаревшим"), "{out}");
    assert!(out.contains("uis:1"), "{out}");
    assert!(out.contains("закрыто"), "{out}");
}
