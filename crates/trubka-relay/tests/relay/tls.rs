//! The relay's own HTTPS with certificate files (`[tls] cert_file`/`key_file`), as an
//! admin without a proxy runs it: a CA and leaf certificates made with Debian's openssl,
//! the relay on 127.0.0.1 (the client resolves relay.example.com there itself).
//!
//! Over HTTPS a UIS notification is taken and reaches an agent's WebSocket stream; the
//! plain-HTTP listener sends a webhook to the same path over HTTPS with 308 (method kept);
//! certificate files replaced on disk are served without a restart, and broken ones are
//! not; `/metrics` still answers the machine itself; `serve` says it listens on https://
//! and which certificate it serves, and refuses unusable files naming them and what is
//! wrong.

use std::io::{Read, Seek};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::certs::{HOST, Leaf, TestCa, connect_wss};
use crate::common::{WAIT, read_json, uis_started};
use crate::https::{HttpsRelay, config, free_port, tool};
use crate::support::relay_binary;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use trubka_relay::config::TlsSource;

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
    // The client is this machine: /metrics answers it (and only it, see tls::listener).
    let metrics = http.get(format!("{base}/metrics")).send().await.unwrap();
    assert_eq!(metrics.status().as_u16(), 200);
    assert!(metrics.text().await.unwrap().contains("trubka_relay_"));

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
    let served = crate::certs::served_leaf(&roots, relay.addr, HOST)
        .await
        .unwrap();
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

#[test]
fn serve_refuses_unusable_certificate_files_naming_them() {
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::new(&tool("openssl", "openssl"), dir.path(), "bad");
    let leaf = ca.leaf("relay", HOST, &format!("DNS:{HOST}"));
    let other = ca.leaf("other", HOST, &format!("DNS:{HOST}"));
    let missing = dir.path().join("missing.pem");
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "not a certificate\n").unwrap();
    let cases = [
        (tls_files(&missing, &leaf.key), "missing.pem".to_owned()),
        (
            tls_files(&text, &leaf.key),
            "notes.txt holds no PEM certificate".to_owned(),
        ),
        (
            tls_files(&leaf.cert, &leaf.cert),
            "holds no PEM private key".to_owned(),
        ),
        (
            tls_files(&leaf.cert, &other.key),
            format!(
                "the key {} is not the key of the certificate {}",
                other.key.display(),
                leaf.cert.display()
            ),
        ),
        (
            format!(
                "{}acme_domains = [\"{HOST}\"]\n",
                tls_files(&leaf.cert, &leaf.key)
            ),
            // Unreadable as a whole, the file gives no language: the message is in the
            // default one, and names the key either way.
            "acme_domains".to_owned(),
        ),
        (
            "acme_domains = [\"relay.example.com\"]\nacme_contact = \"admin@example.com\"\n"
                .to_owned(),
            "redirect_listen".to_owned(),
        ),
    ];
    for (tls, expected) in cases {
        let config = dir.path().join("relay.toml");
        std::fs::write(
            &config,
            format!("listen = \"127.0.0.1:0\"\nlanguage = \"en\"\n\n[tls]\n{tls}"),
        )
        .unwrap();
        let mut serve = relay_binary();
        serve
            .arg("serve")
            .arg("--config")
            .arg(&config)
            .arg("--data-dir")
            .arg(dir.path().join("data"));
        let (status, _, stderr) = run_bounded(serve, &format!("serve with [tls]\n{tls}"));
        assert!(!status.success(), "serve started with:\n{tls}");
        assert!(
            stderr.contains(&expected),
            "[tls]\n{tls}\nwanted {expected:?} in:\n{stderr}"
        );
    }
}

#[test]
fn serve_says_it_listens_on_https_with_which_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::new(&tool("openssl", "openssl"), dir.path(), "banner");
    let leaf = ca.leaf("relay", HOST, &format!("DNS:{HOST}"));
    let config = dir.path().join("relay.toml");
    let redirect_port = free_port();
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:0\"\nlanguage = \"en\"\n\n[tls]\n{}\
             redirect_listen = \"127.0.0.1:{redirect_port}\"\n",
            tls_files(&leaf.cert, &leaf.key)
        ),
    )
    .unwrap();
    let mut serve = relay_binary()
        .arg("serve")
        .arg("--config")
        .arg(&config)
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // The banner's lines, read on a thread so that the wait is bounded.
    let (lines, banner) = std::sync::mpsc::channel();
    let stdout = serve.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in std::io::BufRead::lines(std::io::BufReader::new(stdout)) {
            let Ok(line) = line else { break };
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    let deadline = Instant::now() + WAIT;
    while !seen.iter().any(|l: &String| l.starts_with("Plain HTTP")) {
        let left = deadline.saturating_duration_since(Instant::now());
        match banner.recv_timeout(left) {
            Ok(line) => seen.push(line),
            Err(_) => break,
        }
    }
    let _ = serve.kill();
    let _ = serve.wait();
    let text = seen.join("\n");
    assert!(
        text.contains("trubka-relay listening on https://127.0.0.1:"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "HTTPS certificate: {} ({HOST}), valid until ",
            leaf.cert.display()
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "Plain HTTP on http://127.0.0.1:{redirect_port} redirects to HTTPS"
        )),
        "{text}"
    );
}

#[test]
fn check_says_which_certificate_until_when_and_whether_it_names_public_url() {
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::new(&tool("openssl", "openssl"), dir.path(), "check");
    let month = ca.leaf_for_days("month", HOST, &format!("DNS:{HOST}"), 30);
    let days = ca.leaf("days", HOST, &format!("DNS:{HOST}"));
    let check_in = |language: &str, public_url: &str, tls: String| {
        let config = dir.path().join("relay.toml");
        std::fs::write(
            &config,
            format!("language = \"{language}\"\npublic_url = \"{public_url}\"\n\n[tls]\n{tls}"),
        )
        .unwrap();
        let mut command = relay_binary();
        command
            .arg("check")
            .arg("--config")
            .arg(&config)
            .arg("--data-dir")
            .arg(dir.path().join("data"));
        let (status, stdout, _) = run_bounded(command, &format!("check with [tls]\n{tls}"));
        (status.success(), stdout)
    };
    let check = |public_url: &str, tls: String| check_in("en", public_url, tls);
    let here = format!("https://{HOST}");

    let (_, out) = check(&here, tls_files(&month.cert, &month.key));
    let valid = format!(
        "✓ HTTPS certificate {} for {HOST}, valid until ",
        month.cert.display()
    );
    assert!(out.contains(&valid) && out.contains("days left)"), "{out}");

    let (_, out) = check(&here, tls_files(&days.cert, &days.key));
    let soon = format!(
        "⚠ The HTTPS certificate {} expires in ",
        days.cert.display()
    );
    assert!(out.contains(&soon), "{out}");

    let (ok, out) = check(
        "https://other.example.com",
        tls_files(&month.cert, &month.key),
    );
    assert!(!ok, "a certificate for another name is an error:\n{out}");
    assert!(
        out.contains(&format!(
            "✗ The certificate is for {HOST} but public_url is other.example.com"
        )),
        "{out}"
    );

    let acme = format!(
        "acme_domains = [\"{HOST}\"]\nacme_contact = \"admin@example.com\"\n\
         redirect_listen = \"127.0.0.1:{}\"\n",
        free_port()
    );
    // In Russian, a file that cannot be read is named in the words a failed `serve` uses.
    let missing = dir.path().join("missing.pem");
    let (ok, out) = check_in("ru", &here, tls_files(&missing, &month.key));
    let line = out
        .lines()
        .find(|l| l.starts_with("✗ "))
        .unwrap_or_default();
    assert!(
        !ok && line.contains(&missing.display().to_string()),
        "{out}"
    );
    assert!(!line.contains("cannot read"), "in Russian: {line}");

    let (_, out) = check(&here, acme);
    assert!(
        out.contains(&format!(
            "No ACME certificate for {HOST} yet: serve gets one from "
        )),
        "{out}"
    );
}

/// The `[tls]` examples of the README and the four guides are configurations the relay
/// takes: as written (ACME), and with the certificate-file lines they offer instead.
#[test]
fn the_documented_tls_examples_are_valid() {
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "README.md",
        "docs/setup-uis.md",
        "docs/setup-uis.en.md",
        "docs/setup-sipuni.md",
        "docs/setup-sipuni.en.md",
    ] {
        let text = std::fs::read_to_string(docs.join(name)).unwrap();
        let examples: Vec<String> = text
            .split("```toml\n")
            .skip(1)
            .filter_map(|block| block.split("```").next())
            .map(|block| {
                block
                    .lines()
                    .map(str::trim_start)
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .filter(|block| block.contains("[tls]"))
            .collect();
        assert_eq!(examples.len(), 1, "{name} has one [tls] example");
        let acme = &examples[0];
        let files: String = acme
            .lines()
            .filter(|line| !line.starts_with("acme_"))
            .map(|line| {
                line.strip_prefix("# cert_file")
                    .map_or(line.to_owned(), |rest| format!("cert_file{rest}"))
            })
            .map(|line| {
                line.strip_prefix("# key_file")
                    .map_or(line.clone(), |rest| format!("key_file{rest}"))
            })
            .collect::<Vec<_>>()
            .join("\n");
        for (example, wanted) in [(acme, "ACME"), (&files, "files")] {
            let path = dir.path().join("relay.toml");
            std::fs::write(&path, example).unwrap();
            let (config, _) = trubka_relay::RelayConfig::load(Some(&path), Vec::new())
                .unwrap_or_else(|e| panic!("{name}, {wanted}: {e}\n{example}"));
            let tls = config.tls.as_ref().expect("[tls] read");
            let source = tls.source(config.listen).unwrap();
            let got = match source {
                TlsSource::Acme(acme) => {
                    assert_eq!(acme.domains, [HOST], "{name}");
                    "ACME"
                }
                TlsSource::Files { .. } => "files",
            };
            assert_eq!(got, wanted, "{name}:\n{example}");
            assert!(tls.redirect_listen.is_some(), "{name}: HTTP is redirected");
        }
    }
}

/// Runs `command` to its end, which must come within [`WAIT`]: its exit status, stdout and
/// stderr (through files, so a chatty child never blocks on a full pipe).
fn run_bounded(mut command: Command, what: &str) -> (std::process::ExitStatus, String, String) {
    let mut stdout = tempfile::tempfile().unwrap();
    let mut stderr = tempfile::tempfile().unwrap();
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::from(stdout.try_clone().unwrap()))
        .stderr(Stdio::from(stderr.try_clone().unwrap()))
        .spawn()
        .unwrap();
    let deadline = Instant::now() + WAIT;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what}: still running after {WAIT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let read = |file: &mut std::fs::File| {
        let mut text = String::new();
        file.seek(std::io::SeekFrom::Start(0)).unwrap();
        file.read_to_string(&mut text).unwrap();
        text
    };
    (status, read(&mut stdout), read(&mut stderr))
}

/// `cert_file` and `key_file` lines.
fn tls_files(cert: &Path, key: &Path) -> String {
    format!(
        "cert_file = {:?}\nkey_file = {:?}\n",
        cert.display().to_string(),
        key.display().to_string()
    )
}
