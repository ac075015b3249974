//! Every acknowledged webhook survives `kill -9`: the real binary is killed mid-load,
//! restarted on the same data folder, and replays every event it said 200 to, with the same
//! hook tokens.

use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;

use crate::common::*;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::Mutex;
use trubka_relay::{NewAgent, Store};

/// A `trubka-relay serve` process and what it printed at start.
struct Served {
    child: Child,
    base: String,
    uis_url: String,
    sipuni_url: String,
}

async fn serve(data: &Path) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_trubka-relay"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data)
        .env_remove("TRUBKA_RELAY_UIS_HOOK_TOKEN")
        .env_remove("TRUBKA_RELAY_SIPUNI_HOOK_TOKEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut next = async || {
        tokio::time::timeout(WAIT, lines.next_line())
            .await
            .expect("relay prints in time")
            .unwrap()
            .unwrap()
    };
    let listening = next().await;
    let base = listening.rsplit(' ').next().unwrap().to_owned();
    let uis_url = next().await.rsplit(' ').next().unwrap().to_owned();
    let sipuni_url = next().await.rsplit(' ').next().unwrap().to_owned();
    // The rest of the banner is not read and the pipe closes: the relay must serve anyway.
    assert!(base.starts_with("http://127.0.0.1:"), "{listening}");
    assert!(
        uis_url.starts_with(&format!("{base}/hooks/uis/")),
        "{uis_url}"
    );
    Served {
        child,
        base,
        uis_url,
        sipuni_url,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_webhooks_survive_kill_9_and_hook_tokens_persist() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (_, boss) = Store::open(&data)
        .unwrap()
        .add_agent(&NewAgent {
            name: "Мария".to_owned(),
            supervisor: true,
            ..NewAgent::default()
        })
        .unwrap();

    let mut served = serve(&data).await;
    let http = reqwest::Client::new();
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    // Eight senders post until the relay dies under them; only 200s count.
    let mut senders = Vec::new();
    for sender in 0..8u64 {
        let (http, url, acknowledged) = (
            http.clone(),
            served.uis_url.clone(),
            Arc::clone(&acknowledged),
        );
        senders.push(tokio::spawn(async move {
            for n in 0..1_000u64 {
                let session = sender * 10_000 + n;
                let Ok(response) = http
                    .post(&url)
                    .json(&uis_ringing(session, "100", session))
                    .send()
                    .await
                else {
                    return;
                };
                if response.status() != 200 {
                    return;
                }
                acknowledged
                    .lock()
                    .await
                    .push(format!("uis:{session}:ringing:{session}"));
            }
        }));
    }
    // Kill once a good number are acknowledged, with requests still in flight.
    for _ in 0..1_000 {
        if acknowledged.lock().await.len() >= 300 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    served.child.kill().await.unwrap();
    for sender in senders {
        sender.await.unwrap();
    }
    let acknowledged = acknowledged.lock().await.clone();
    assert!(
        acknowledged.len() >= 300,
        "only {} acknowledged",
        acknowledged.len()
    );

    let restarted = serve(&data).await;
    assert_eq!(
        restarted.uis_url.rsplit('/').next(),
        served.uis_url.rsplit('/').next()
    );
    assert_eq!(
        restarted.sipuni_url.rsplit('/').next(),
        served.sipuni_url.rsplit('/').next()
    );

    let url = format!(
        "{}/v1/stream?since=0&token={}",
        restarted.base.replace("http", "ws"),
        boss.0
    );
    let (socket, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    let mut stream = Stream { socket };
    let head = stream.hello().await;
    assert!(head as usize >= acknowledged.len());
    let replayed: std::collections::HashSet<String> =
        stream.events(head as usize).await.into_iter().collect();
    let lost: Vec<&String> = acknowledged
        .iter()
        .filter(|id| !replayed.contains(*id))
        .collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged events lost, e.g. {:?}",
        lost.len(),
        lost.first()
    );
}
