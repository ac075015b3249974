//! The relay's own HTTPS with certificate files (`[tls] cert_file`/`key_file`), as an
//! admin without a proxy runs it: a CA and leaf certificates made with Debian's openssl,
//! the relay on 127.0.0.1 (the client resolves relay.example.com there itself).
//!
//! Over HTTPS a UIS notification is taken and reaches an agent's WebSocket stream; the
//! plain-HTTP listener sends a webhook to the same path over HTTPS with 308 (method kept);
//! certificate files replaced on disk are served without a restart, and broken ones are
//! not.

mod certs;
mod common;
mod https;

use std::path::Path;
use std::time::Duration;

use certs::{HOST, Leaf, TestCa, connect_wss};
use common::{WAIT, read_json, uis_started};
use https::{HttpsRelay, config, free_port, tool};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

fn leaf_der(leaf: &Leaf) -> CertificateDer<'static> {
    CertificateDer::from_pem_file(&leaf.cert).unwrap()
}

#[tokio::test]
async fn certificate_files_serve_hooks_streams_and_the_redirect() {
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::new(&tool("openssl", "openssl"), dir.path(), "files");
    let leaf = ca.leaf("relay", HOST, &format!("DNS:{HOST}"));
    let mut config = config(dir.path());
    let redirect_port = free_port();
    config.tls = Some(
        toml::from_str(&format!(
            "cert_file = {:?}\nkey_file = {:?}\nredirect_listen = \"127.0.0.1:{redirect_port}\"\n",
            leaf.cert.display().to_string(),
            leaf.key.display().to_string()
        ))
        .unwrap(),
    );
    let relay = HttpsRelay::start(config).await;
    let roots = [ca.der()];
    let boss = relay.agent("Мария", |new| new.supervisor = true);
    let http = relay.client(&roots, HOST);
    let base = format!("https://{HOST}:{}", relay.addr.port());

    let (status, body) = read_json(http.get(format!("{base}/healthz")).send().await.unwrap()).await;
    assert_eq!(status, 200, "/healthz over HTTPS: {body}");

    let url = format!("wss://{HOST}:{}/v1/stream", relay.addr.port());
    let mut stream = connect_wss(&roots, relay.addr, &url, &boss).await;
    stream.hello().await;
    let hook = format!("{base}/hooks/uis/{}", relay.uis_token);
    let response = http.post(&hook).json(&uis_started(1197843161));
    let (status, body) = read_json(response.send().await.unwrap()).await;
    assert_eq!(status, 200, "UIS notification over HTTPS: {body}");
    assert_eq!(stream.event().await.1, "uis:1197843161:started:call");
    stream.close().await;

    // Plain HTTP: a webhook sent to http:// is pointed at the same path over HTTPS, with
    // 308 so that the PBX repeats the POST with its body.
    let plain = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(WAIT)
        .build()
        .unwrap();
    let redirected = plain
        .post(format!(
            "http://127.0.0.1:{redirect_port}/hooks/uis/{}?x=1",
            relay.uis_token
        ))
        .header("host", format!("{HOST}:{redirect_port}"))
        .json(&uis_started(1197843162))
        .send()
        .await
        .unwrap();
    assert_eq!(redirected.status().as_u16(), 308);
    assert_eq!(
        redirected.headers()["location"].to_str().unwrap(),
        format!("{base}/hooks/uis/{}?x=1", relay.uis_token)
    );
    // No challenge is waiting: the CA's path answers 404, not a redirect.
    let challenge = plain
        .get(format!(
            "http://127.0.0.1:{redirect_port}/.well-known/acme-challenge/nothing"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(challenge.status().as_u16(), 404);
    relay.stop().await;
}

#[tokio::test]
async fn replaced_certificate_files_are_served_without_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::new(&tool("openssl", "openssl"), dir.path(), "reload");
    let first = ca.leaf("first", HOST, &format!("DNS:{HOST}"));
    let second = ca.leaf("second", HOST, &format!("DNS:{HOST}"));
    let cert = dir.path().join("fullchain.pem");
    let key = dir.path().join("privkey.pem");
    std::fs::copy(&first.cert, &cert).unwrap();
    std::fs::copy(&first.key, &key).unwrap();
    let mut config = config(dir.path());
    config.tls = Some(toml::from_str(&tls_files(&cert, &key)).unwrap());
    let relay = HttpsRelay::start(config).await;
    let roots = [ca.der()];
    let (first_der, second_der) = (leaf_der(&first), leaf_der(&second));
    relay
        .wait_for_leaf(&roots, HOST, WAIT, |leaf| *leaf == first_der)
        .await;
    let http = relay.client(&roots, HOST);
    let base = format!("https://{HOST}:{}", relay.addr.port());
    // A stream open across the change is not closed by it.
    let boss = relay.agent("Мария", |new| new.supervisor = true);
    let url = format!("wss://{HOST}:{}/v1/stream", relay.addr.port());
    let mut stream = connect_wss(&roots, relay.addr, &url, &boss).await;
    stream.hello().await;

    // As certbot renews: the key, then the chain.
    std::fs::copy(&second.key, &key).unwrap();
    std::fs::copy(&second.cert, &cert).unwrap();
    relay
        .wait_for_leaf(&roots, HOST, WAIT, |leaf| *leaf == second_der)
        .await;

    // A broken chain on disk is not served; the certificate in use stays.
    std::fs::write(&cert, "-----BEGIN CERTIFICATE-----\nbroken\n").unwrap();
    tokio::time::sleep(Duration::from_secs(5)).await;
    let served = certs::served_leaf(&roots, relay.addr, HOST).await.unwrap();
    assert_eq!(
        served, second_der,
        "the previous certificate is still served"
    );
    let (status, _) = read_json(http.get(format!("{base}/healthz")).send().await.unwrap()).await;
    assert_eq!(status, 200);

    let hook = format!("{base}/hooks/uis/{}", relay.uis_token);
    let response = http.post(&hook).json(&uis_started(1197843163));
    assert_eq!(read_json(response.send().await.unwrap()).await.0, 200);
    assert_eq!(stream.event().await.1, "uis:1197843163:started:call");
    stream.close().await;
    relay.stop().await;
}

/// `cert_file` and `key_file` lines.
fn tls_files(cert: &Path, key: &Path) -> String {
    format!(
        "cert_file = {:?}\nkey_file = {:?}\n",
        cert.display().to_string(),
        key.display().to_string()
    )
}
