//! Sign-in by invite link over HTTP: the page says what a link is without consuming it, the
//! exchange works once (also when raced), expired and revoked links are refused with their
//! reason, and the token never shows in a page or in the relay's log.

use std::io::{BufRead, BufReader, Read};
use std::process::Stdio;

use crate::common::{TestRelay, WAIT, read_json};
use chrono::TimeDelta;
use serde_json::{Value, json};
use trubka_relay::invites::InviteCode;
use trubka_relay::{NewAgent, Store};

/// A relay with the agent Анна and a link for her.
async fn relay_with_invite() -> (TestRelay, String, InviteCode) {
    let relay = TestRelay::start().await;
    let token = relay.agent("Анна", |_| {});
    let code = relay
        .store()
        .invite("Анна", TimeDelta::hours(72))
        .unwrap()
        .code;
    (relay, token, code)
}

async fn page(relay: &TestRelay, code: &str) -> (u16, String, reqwest::header::HeaderMap) {
    let response = relay
        .http
        .get(relay.url(&format!("/join/{code}")))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, response.text().await.unwrap(), headers)
}

async fn redeem(relay: &TestRelay, code: &str) -> (u16, Value) {
    let response = relay
        .http
        .post(relay.url("/v1/join"))
        .json(&json!({ "code": code }))
        .send()
        .await
        .unwrap();
    read_json(response).await
}

async fn me(relay: &TestRelay, token: &str) -> u16 {
    let response = relay
        .http
        .get(relay.url("/v1/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    response.status().as_u16()
}

#[tokio::test]
async fn a_link_is_shown_then_exchanged_once_for_a_token_that_replaces_the_old_one() {
    let (relay, old_token, code) = relay_with_invite().await;
    let (status, html, headers) = page(&relay, &code.0).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("data-state=\"valid\""), "{html}");
    assert!(html.contains("«Анна»"), "{html}");
    let base = format!("http%3A%2F%2F{}", relay.addr).replace(':', "%3A");
    assert!(
        html.contains(&format!(
            "href=\"trubka://join?relay={base}&amp;code={}\"",
            code.0
        )),
        "{html}"
    );
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.starts_with("default-src 'none'"), "{csp}");
    assert_eq!(headers["cache-control"], "no-store");
    // Looking twice consumes nothing.
    assert_eq!(page(&relay, &code.0).await.0, 200);
    let response = relay
        .http
        .get(relay.url(&format!("/v1/join/{}", code.0)))
        .send()
        .await
        .unwrap();
    let (status, body) = read_json(response).await;
    assert_eq!(
        (status, body["agent"].as_str()),
        (200, Some("Анна")),
        "{body}"
    );

    let (status, body) = redeem(&relay, &code.0).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["agent"], "Анна");
    let token = body["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("trk_"));
    assert_eq!(me(&relay, &token).await, 200);
    assert_eq!(
        me(&relay, &old_token).await,
        401,
        "the old token is replaced"
    );

    let (status, body) = redeem(&relay, &code.0).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (410, Some("invite_used"))
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("администратора"),
        "{body}"
    );
    let (status, html, _) = page(&relay, &code.0).await;
    assert_eq!(status, 410);
    assert!(html.contains("data-state=\"used\""), "{html}");
    assert!(!html.contains(&token) && !html.contains("trubka://"));
    assert!(
        me(&relay, &token).await == 200,
        "a refused exchange changes nothing"
    );

    let metrics = relay.metrics().await;
    assert!(
        metrics.contains("trubka_relay_invites_redeemed_total 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("trubka_relay_invites_refused_total 1"),
        "{metrics}"
    );
    relay.stop().await;
}

#[tokio::test]
async fn racing_exchanges_of_one_code_give_exactly_one_token() {
    let (relay, _, code) = relay_with_invite().await;
    let tries = (0..8).map(|_| redeem(&relay, &code.0));
    let answers = futures_util::future::join_all(tries).await;
    let granted: Vec<_> = answers
        .iter()
        .filter(|(status, _)| *status == 200)
        .collect();
    assert_eq!(granted.len(), 1, "{answers:?}");
    assert!(
        answers
            .iter()
            .all(|(status, body)| *status == 200 || body["error"]["code"] == "invite_used"),
        "{answers:?}"
    );
    relay.stop().await;
}

#[tokio::test]
async fn expired_revoked_and_unknown_links_say_so_on_the_page_and_in_the_exchange() {
    let (relay, _, code) = relay_with_invite().await;
    // Expired: the deadline moved into the past, as time would.
    let db = rusqlite::Connection::open(relay.data_dir().join("relay.db")).unwrap();
    db.execute("UPDATE invites SET expires_at = expires_at - 73 * 3600", [])
        .unwrap();
    let (status, html, _) = page(&relay, &code.0).await;
    assert_eq!(status, 410);
    assert!(html.contains("data-state=\"expired\""), "{html}");
    assert!(html.contains("Срок ссылки истёк") && html.contains("This link has expired"));
    let (status, body) = redeem(&relay, &code.0).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (410, Some("invite_expired"))
    );

    // Revoked with the agent.
    let fresh = relay
        .store()
        .invite("Анна", TimeDelta::hours(1))
        .unwrap()
        .code;
    relay.store().revoke_agent("Анна").unwrap();
    let (status, html, _) = page(&relay, &fresh.0).await;
    assert_eq!(status, 410);
    assert!(html.contains("data-state=\"revoked\""), "{html}");
    let (status, body) = redeem(&relay, &fresh.0).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (410, Some("invite_revoked"))
    );
    let response = relay
        .http
        .get(relay.url(&format!("/v1/join/{}", fresh.0)))
        .send()
        .await
        .unwrap();
    assert_eq!(read_json(response).await.0, 410);

    // Unknown, well-formed or not.
    for code in [InviteCode::generate().0, "nonsense".to_owned()] {
        let (status, html, _) = page(&relay, &code).await;
        assert_eq!(status, 404);
        assert!(html.contains("data-state=\"unknown\""), "{html}");
        let (status, body) = redeem(&relay, &code).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (404, Some("invite_unknown"))
        );
    }
    let response = relay
        .http
        .post(relay.url("/v1/join"))
        .body("{}")
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(read_json(response).await.0, 400);
    relay.stop().await;
}

/// The real binary, logging at debug: after an exchange and a request with the token, the
/// token is in neither its output nor its log.
#[tokio::test]
async fn the_token_never_reaches_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let store = Store::open(&data).unwrap();
    let new = NewAgent {
        name: "Анна".to_owned(),
        ..NewAgent::default()
    };
    store.add_agent(&new).unwrap();
    let code = store.invite("Анна", TimeDelta::hours(1)).unwrap().code;
    drop(store);
    let mut child = crate::support::relay_binary()
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(&data)
        .env("RUST_LOG", "debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut banner = String::new();
    let addr = loop {
        let mut line = String::new();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "no address in\n{banner}"
        );
        banner.push_str(&line);
        if let Some((_, rest)) = line.split_once("http://") {
            break rest.trim().to_owned();
        }
    };
    let http = reqwest::Client::new();
    let answer = tokio::time::timeout(
        WAIT,
        http.post(format!("http://{addr}/v1/join"))
            .json(&json!({ "code": code.0 }))
            .send(),
    )
    .await
    .unwrap()
    .unwrap();
    let body: Value = answer.json().await.unwrap();
    let token = body["token"].as_str().unwrap().to_owned();
    let me = http
        .get(format!("http://{addr}/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status().as_u16(), 200);
    child.kill().unwrap();
    child.wait().unwrap();
    let mut log = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    stdout.read_to_string(&mut banner).unwrap();
    assert!(log.contains("an invite was exchanged"), "{log}");
    for text in [&log, &banner] {
        assert!(!text.contains(&token), "{text}");
        assert!(!text.contains(&token[4..]), "{text}");
    }
}
