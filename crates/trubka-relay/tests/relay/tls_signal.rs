//! SIGHUP to a relay serving its own HTTPS from certificate files: the files are read again
//! and the relay goes on (a process without a handler ends on SIGHUP, which is what
//! `systemctl reload` and log rotators send). The real binary, on 127.0.0.1.

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::certs::{HOST, TestCa};
use crate::common::WAIT;
use crate::https::{free_port, tool};
use crate::support::relay_binary;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

/// The relay process; killed when dropped.
struct Serve(Child);

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn sighup_reads_the_certificate_files_again_and_the_relay_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::new(&tool("openssl", "openssl"), dir.path(), "hup");
    let first = ca.leaf("first", HOST, &format!("DNS:{HOST}"));
    let second = ca.leaf("second", HOST, &format!("DNS:{HOST}"));
    let cert = dir.path().join("fullchain.pem");
    let key = dir.path().join("privkey.pem");
    std::fs::copy(&first.cert, &cert).unwrap();
    std::fs::copy(&first.key, &key).unwrap();
    let addr: SocketAddr = ([127, 0, 0, 1], free_port()).into();
    let config = dir.path().join("relay.toml");
    std::fs::write(
        &config,
        format!(
            "listen = \"{addr}\"\nlanguage = \"en\"\n\n[tls]\ncert_file = {:?}\nkey_file = {:?}\n",
            cert.display().to_string(),
            key.display().to_string()
        ),
    )
    .unwrap();
    let child = relay_binary()
        .arg("serve")
        .arg("--config")
        .arg(&config)
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut serve = Serve(child);
    let roots = [ca.der()];
    let first_der = CertificateDer::from_pem_file(&first.cert).unwrap();
    let second_der = CertificateDer::from_pem_file(&second.cert).unwrap();
    served_within(&mut serve, &roots, addr, &first_der).await;

    // Nothing changed yet: SIGHUP reads the same files, and the relay goes on.
    hangup(&serve);
    served_within(&mut serve, &roots, addr, &first_der).await;

    std::fs::copy(&second.key, &key).unwrap();
    std::fs::copy(&second.cert, &cert).unwrap();
    hangup(&serve);
    served_within(&mut serve, &roots, addr, &second_der).await;
    assert!(
        serve.0.try_wait().unwrap().is_none(),
        "the relay still runs after two SIGHUPs"
    );
}

fn hangup(serve: &Serve) {
    let status = Command::new("kill")
        .args(["-HUP", &serve.0.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success(), "kill -HUP");
}

/// Waits (bounded) until the relay at `addr` serves `wanted`; fails if the relay exits.
async fn served_within(
    serve: &mut Serve,
    roots: &[CertificateDer<'static>],
    addr: SocketAddr,
    wanted: &CertificateDer<'static>,
) {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(status) = serve.0.try_wait().unwrap() {
            panic!("the relay exited ({status})");
        }
        let last = match crate::certs::served_leaf(roots, addr, HOST).await {
            Ok(leaf) if leaf == *wanted => return,
            Ok(_) => "another certificate".to_owned(),
            Err(error) => error,
        };
        assert!(
            Instant::now() < deadline,
            "not the expected certificate within {WAIT:?}: {last}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
