//! Agent tokens: 401s, the query-string token, revocation (4001), `/v1/me`, and the CLI
//! showing a token once while storing only its hash.

use std::process::Command;

use crate::common::*;
use serde_json::json;
use tokio_tungstenite::tungstenite;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

#[tokio::test]
async fn streams_and_profiles_need_a_valid_unrevoked_token() {
    let relay = TestRelay::start().await;
    let anna = relay.agent("Анна", |a| a.uis_employee = Some("100".to_owned()));
    let revoked = relay.agent("Пётр", |_| {});
    relay.store().revoke_agent("Пётр").unwrap();

    for path in ["/v1/stream", "/v1/me"] {
        for token in [None, Some("trk_wrong"), Some(revoked.as_str())] {
            let mut request = relay.http.get(relay.url(path));
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let (status, body) = read_json(request.send().await.unwrap()).await;
            assert_eq!(status, 401, "{path} with {token:?}");
            assert_eq!(
                body["error"]["code"], "unauthorized",
                "{path} with {token:?}"
            );
        }
    }

    // The WebSocket handshake itself is refused with 401 too.
    let request = format!("ws://{}/v1/stream", relay.addr)
        .into_client_request()
        .unwrap();
    match tokio_tungstenite::connect_async(request).await {
        Err(tungstenite::Error::Http(response)) => assert_eq!(response.status(), 401),
        other => panic!("expected 401, got {:?}", other.map(|_| ())),
    }

    let me = relay
        .http
        .get(relay.url("/v1/me"))
        .bearer_auth(&anna)
        .send()
        .await
        .unwrap();
    let (status, body) = read_json(me).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({"name": "Анна", "uis_employee": "100", "sipuni_ext": null, "employee_phones": [],
               "virtual_number": null, "lines": [], "supervisor": false})
    );
    relay.stop().await;
}

#[tokio::test]
async fn a_token_in_the_query_string_works_for_clients_without_headers() {
    let relay = TestRelay::start().await;
    let anna = relay.agent("Анна", |a| a.uis_employee = Some("100".to_owned()));
    let url = format!("ws://{}/v1/stream?token={anna}", relay.addr);
    let (socket, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    let mut stream = Stream { socket };
    match stream.next().await {
        Got::Frame(trubka_protocol::ServerFrame::Hello { agent, epoch, .. }) => {
            assert_eq!(agent, "Анна");
            assert_eq!(epoch, relay.epoch);
        }
        other => panic!("expected hello, got {other:?}"),
    }
    relay.stop().await;
}

#[tokio::test]
async fn revoking_an_agent_closes_its_open_streams_with_4001() {
    let relay = TestRelay::start().await;
    let anna = relay.agent("Анна", |a| a.uis_employee = Some("100".to_owned()));
    let igor = relay.agent("Игорь", |a| a.uis_employee = Some("200".to_owned()));
    let (mut anna_stream, _) = relay.connect_live(&anna).await;
    let (mut igor_stream, _) = relay.connect_live(&igor).await;

    // What `trubka-relay agent revoke` does, from another connection, as the CLI would.
    relay.store().revoke_agent("Анна").unwrap();
    assert_eq!(anna_stream.closed().await, Some(4001));

    // Others are unaffected.
    assert_eq!(relay.uis(&uis_ringing(1, "200", 1)).await.0, 200);
    assert_eq!(igor_stream.event().await.1, "uis:1:ringing:1");
    relay.stop().await;
}

#[test]
fn agent_add_prints_the_token_last_and_stores_only_its_hash() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // The relay ran once: its database exists (`agent add` never makes a new one).
    drop(trubka_relay::Store::open(&data).unwrap());
    let relay_bin = env!("CARGO_BIN_EXE_trubka-relay");
    let output = Command::new(relay_bin)
        .args([
            "agent",
            "add",
            "--name",
            "Анна",
            "--uis-employee",
            "2339292",
        ])
        .args([
            "--sipuni-ext",
            "201",
            "--line",
            "+7 (495) 123-45-67",
            "--line",
            "8 812 123-45-67",
        ])
        .arg("--data-dir")
        .arg(&data)
        .env_remove("TRUBKA_RELAY_DATA_DIR")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    let token = stdout.lines().last().unwrap().trim();
    assert!(token.starts_with("trk_") && token.len() > 40, "{stdout}");

    let mut stored = Vec::new();
    for entry in std::fs::read_dir(&data).unwrap() {
        stored.extend(std::fs::read(entry.unwrap().path()).unwrap());
    }
    let needle = token.as_bytes();
    assert!(
        !stored.windows(needle.len()).any(|w| w == needle),
        "token stored in clear"
    );

    let list = Command::new(relay_bin)
        .args(["agent", "list", "--data-dir"])
        .arg(&data)
        .output()
        .unwrap();
    let list = String::from_utf8(list.stdout).unwrap();
    assert!(list.contains("+74951234567,+78121234567"), "{list}");
    assert!(!list.contains(token), "{list}");

    let bad = Command::new(relay_bin)
        .args([
            "agent",
            "add",
            "--name",
            "Игорь",
            "--line",
            "12345678901234567",
            "--data-dir",
        ])
        .arg(&data)
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--line"));
}
