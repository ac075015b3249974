//! The relay's ACME certificates against a real ACME server: Debian's `pebble`, started by
//! this test on 127.0.0.1 with a configuration it writes, its HTTPS on a certificate made
//! with openssl, no artificial sleeps (`PEBBLE_VA_NOSLEEP`) and no rejected nonces.
//!
//! Pebble validates http-01 by fetching `http://localhost:{httpPort}/.well-known/…`, so its
//! `httpPort` is the relay's `redirect_listen` port; `localhost` resolves to 127.0.0.1 from
//! /etc/hosts. The client trusts only pebble's root, fetched from its management port
//! (`/roots/0`), so a certificate that pebble did not issue fails the test.
//!
//! One relay gets a certificate, serves a webhook and a stream with it and stores it (0600);
//! restarted, it serves the stored one at once and orders nothing; restarted with a stored
//! certificate two days from expiry, it serves that one while it renews in the background,
//! then serves and stores the new one without a restart; and with pebble gone it still serves.
//! With a CA that drops every connection, the stored certificate due for renewal stays
//! served while the renewal fails.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::certs::{TestCa, client_config, connect_wss};
use crate::common::{WAIT, read_json, uis_started};
use crate::https::{HttpsRelay, config, free_port, tool};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use trubka_relay::RelayConfig;

/// The name pebble validates and the certificate is for.
const DOMAIN: &str = "localhost";
/// How long pebble may take to issue (validation included).
const ISSUE_WITHIN: Duration = Duration::from_secs(60);

#[tokio::test]
async fn pebble_issues_the_certificate_the_relay_serves_keeps_and_renews() {
    let dir = tempfile::tempdir().unwrap();
    let redirect_port = free_port();
    let pebble = Pebble::start(dir.path(), redirect_port);
    let roots = [pebble.root().await];
    let relay_config = relay_config(dir.path(), &pebble, redirect_port);

    // First start: nothing stored, the certificate comes from pebble.
    let relay = HttpsRelay::start(relay_config.clone()).await;
    let first = relay
        .wait_for_leaf(&roots, DOMAIN, ISSUE_WITHIN, |_| true)
        .await;
    let boss = relay.agent("Мария", |new| new.supervisor = true);
    let http = relay.client(&roots, DOMAIN);
    let base = format!("https://{DOMAIN}:{}", relay.addr.port());
    let (status, body) = read_json(http.get(format!("{base}/healthz")).send().await.unwrap()).await;
    assert_eq!(status, 200, "/healthz with pebble's certificate: {body}");
    let url = format!("wss://{DOMAIN}:{}/v1/stream", relay.addr.port());
    let mut stream = connect_wss(&roots, relay.addr, &url, &boss).await;
    stream.hello().await;
    let hook = format!("{base}/hooks/uis/{}", relay.uis_token);
    let response = http.post(&hook).json(&uis_started(1197843171));
    let (status, body) = read_json(response.send().await.unwrap()).await;
    assert_eq!(status, 200, "UIS notification: {body}");
    assert_eq!(stream.event().await.1, "uis:1197843171:started:call");
    stream.close().await;
    relay.stop().await;

    let stored = stored_files(&relay_config.data_dir);
    assert_eq!(
        CertificateDer::from_pem_file(&stored["cert.pem"]).unwrap(),
        first,
        "the served certificate is the stored one"
    );
    #[cfg(unix)]
    for (name, path) in &stored {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{name} is private");
    }

    // Restarted: the stored certificate, served from the first handshake, no new order.
    let relay = HttpsRelay::start(relay_config.clone()).await;
    let served = crate::certs::served_leaf(&roots, relay.addr, DOMAIN)
        .await
        .unwrap();
    assert_eq!(served, first, "a restart serves the stored certificate");
    relay.stop().await;
    assert_eq!(
        CertificateDer::from_pem_file(&stored["cert.pem"]).unwrap(),
        first
    );

    // A stored certificate with two days left (made with openssl, as if issued long ago):
    // served at once, and renewed from pebble in the background, no restart.
    let old = TestCa::new(&tool("openssl", "openssl"), dir.path(), "old");
    let expiring = old.leaf("expiring", DOMAIN, &format!("DNS:{DOMAIN}"));
    std::fs::copy(&expiring.cert, &stored["cert.pem"]).unwrap();
    std::fs::copy(&expiring.key, &stored["key.pem"]).unwrap();
    let expiring = CertificateDer::from_pem_file(&expiring.cert).unwrap();
    let relay = HttpsRelay::start(relay_config.clone()).await;
    let served = crate::certs::served_leaf(&[old.der()], relay.addr, DOMAIN).await;
    assert_eq!(
        served.unwrap(),
        expiring,
        "the stored certificate is served while renewing"
    );
    let renewed = relay
        .wait_for_leaf(&roots, DOMAIN, ISSUE_WITHIN, |leaf| *leaf != first)
        .await;
    assert_eq!(
        CertificateDer::from_pem_file(&stored["cert.pem"]).unwrap(),
        renewed,
        "the renewed certificate is stored"
    );

    // The CA gone (a renewal would now fail and be retried): the relay keeps serving.
    drop(pebble);
    let http = relay.client(&roots, DOMAIN);
    let base = format!("https://{DOMAIN}:{}", relay.addr.port());
    let (status, _) = read_json(http.get(format!("{base}/healthz")).send().await.unwrap()).await;
    assert_eq!(status, 200, "still serving without the CA");
    relay.stop().await;
}

/// A CA that takes connections and drops them: every renewal fails. The relay keeps serving
/// the stored certificate that is due for renewal, and keeps trying.
#[tokio::test]
async fn a_failing_ca_leaves_the_stored_certificate_served() {
    let dir = tempfile::tempdir().unwrap();
    let ca = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let directory = format!("https://127.0.0.1:{}/dir", ca.local_addr().unwrap().port());
    let (tried, attempts) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for connection in ca.incoming() {
            drop(connection);
            if tried.send(()).is_err() {
                break;
            }
        }
    });
    let mut relay_config = config(dir.path());
    relay_config.tls = Some(
        toml::from_str(&format!(
            "acme_domains = [\"{DOMAIN}\"]\nacme_contact = \"admin@trubka.test\"\n\
             acme_directory = \"{directory}\"\nredirect_listen = \"127.0.0.1:{}\"\n",
            free_port()
        ))
        .unwrap(),
    );
    // Two days left: renewal is due at once.
    let old = TestCa::new(&tool("openssl", "openssl"), dir.path(), "stored");
    let stored = old.leaf("stored", DOMAIN, &format!("DNS:{DOMAIN}"));
    let folder = trubka_relay::tls::acme_folder(&relay_config.data_dir, &directory);
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::copy(&stored.cert, folder.join("cert.pem")).unwrap();
    std::fs::copy(&stored.key, folder.join("key.pem")).unwrap();
    let stored = CertificateDer::from_pem_file(&stored.cert).unwrap();

    let relay = HttpsRelay::start(relay_config).await;
    let roots = [old.der()];
    let attempted = tokio::task::spawn_blocking(move || attempts.recv_timeout(WAIT))
        .await
        .unwrap();
    assert!(
        attempted.is_ok(),
        "the relay tried to renew within {WAIT:?}"
    );
    // The dropped connection fails the attempt at once; what follows is after the failure.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let served = crate::certs::served_leaf(&roots, relay.addr, DOMAIN)
        .await
        .unwrap();
    assert_eq!(served, stored, "the stored certificate is still served");
    let http = relay.client(&roots, DOMAIN);
    let base = format!("https://{DOMAIN}:{}", relay.addr.port());
    let (status, _) = read_json(http.get(format!("{base}/healthz")).send().await.unwrap()).await;
    assert_eq!(status, 200, "the relay serves through the failed renewal");
    relay.stop().await;
}

fn relay_config(dir: &Path, pebble: &Pebble, redirect_port: u16) -> RelayConfig {
    let mut relay = config(dir);
    relay.tls = Some(
        toml::from_str(&format!(
            "acme_domains = [\"{DOMAIN}\"]\nacme_contact = \"admin@trubka.test\"\n\
             acme_directory = \"https://127.0.0.1:{}/dir\"\nacme_ca_file = {:?}\n\
             redirect_listen = \"127.0.0.1:{redirect_port}\"\n",
            pebble.acme.port(),
            pebble.ca_file.display().to_string(),
        ))
        .unwrap(),
    );
    relay
}

/// The files under `{data_dir}/acme/{directory}/`, by name; all three must be there.
fn stored_files(data_dir: &Path) -> std::collections::BTreeMap<String, PathBuf> {
    let folders: Vec<PathBuf> = std::fs::read_dir(data_dir.join("acme"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    assert_eq!(
        folders.len(),
        1,
        "one folder for the one directory: {folders:?}"
    );
    let files: std::collections::BTreeMap<String, PathBuf> = std::fs::read_dir(&folders[0])
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            (
                path.file_name().unwrap().to_string_lossy().into_owned(),
                path,
            )
        })
        .collect();
    let names: Vec<&str> = files.keys().map(String::as_str).collect();
    assert_eq!(names, ["account.json", "cert.pem", "key.pem"]);
    files
}

/// A pebble process this test started; dropped, it is killed.
struct Pebble {
    child: Child,
    acme: SocketAddr,
    management: SocketAddr,
    /// The CA of pebble's own HTTPS certificate (not of what it issues).
    ca_file: PathBuf,
    ca_der: CertificateDer<'static>,
    log: PathBuf,
}

impl Pebble {
    fn start(dir: &Path, http_port: u16) -> Pebble {
        let ca = TestCa::new(&tool("openssl", "openssl"), dir, "pebble");
        let leaf = ca.leaf("pebble", "localhost", "DNS:localhost,IP:127.0.0.1");
        let acme: SocketAddr = ([127, 0, 0, 1], free_port()).into();
        let management: SocketAddr = ([127, 0, 0, 1], free_port()).into();
        let config = serde_json::json!({
            "pebble": {
                "listenAddress": acme.to_string(),
                "managementListenAddress": management.to_string(),
                "certificate": leaf.cert,
                "privateKey": leaf.key,
                "httpPort": http_port,
                // tls-alpn-01 is not used; a port nothing listens on.
                "tlsPort": free_port(),
                "ocspResponderURL": "",
                "externalAccountBindingRequired": false
            }
        });
        let config_path = dir.join("pebble-config.json");
        std::fs::write(&config_path, config.to_string()).unwrap();
        let log = dir.join("pebble.log");
        let child = Command::new(tool("pebble", "pebble"))
            .arg("-config")
            .arg(&config_path)
            .env("PEBBLE_VA_NOSLEEP", "1")
            .env("PEBBLE_WFE_NONCEREJECT", "0")
            .stdin(Stdio::null())
            .stdout(Stdio::from(std::fs::File::create(&log).unwrap()))
            .stderr(Stdio::from(
                std::fs::File::options().append(true).open(&log).unwrap(),
            ))
            .spawn()
            .expect("pebble starts");
        let mut pebble = Pebble {
            child,
            acme,
            management,
            ca_file: ca.path.clone(),
            ca_der: ca.der(),
            log,
        };
        let deadline = Instant::now() + WAIT;
        for at in [acme, management] {
            loop {
                if let Some(status) = pebble.child.try_wait().unwrap() {
                    panic!("pebble exited ({status}):\n{}", pebble.read_log());
                }
                if std::net::TcpStream::connect_timeout(&at, Duration::from_millis(200)).is_ok() {
                    break;
                }
                assert!(
                    Instant::now() < deadline,
                    "pebble did not listen on {at} within {WAIT:?}:\n{}",
                    pebble.read_log()
                );
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        pebble
    }

    /// The root of the certificates pebble issues (new at every start of pebble).
    async fn root(&self) -> CertificateDer<'static> {
        let http = reqwest::Client::builder()
            .use_preconfigured_tls(client_config(std::slice::from_ref(&self.ca_der)))
            .timeout(WAIT)
            .build()
            .unwrap();
        let response = http
            .get(format!("https://{}/roots/0", self.management))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200, "{}", self.read_log());
        let pem = response.bytes().await.unwrap();
        CertificateDer::from_pem_slice(&pem).unwrap()
    }

    fn read_log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_else(|e| format!("(no log: {e})"))
    }
}

impl Drop for Pebble {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
