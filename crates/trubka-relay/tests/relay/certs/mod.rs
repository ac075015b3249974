//! Test certificates made with Debian's openssl: a CA, and leaf certificates it signs for
//! the names a test needs. Used by the proxy tests (tests/proxy.rs), the relay's own HTTPS
//! (tests/tls.rs) and pebble's listener (tests/acme.rs); and the TLS clients of those tests.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use tokio_tungstenite::Connector;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::common::{Stream, WAIT};

/// The name in the guides' files and in the proxies' certificate.
pub(crate) const HOST: &str = "relay.example.com";

/// A CA whose key stays in `dir`, to sign leaf certificates with.
pub(crate) struct TestCa {
    openssl: PathBuf,
    dir: PathBuf,
    pub(crate) pem: Vec<u8>,
    pub(crate) path: PathBuf,
}

/// A leaf certificate and its key, as files.
pub(crate) struct Leaf {
    pub(crate) cert: PathBuf,
    pub(crate) key: PathBuf,
}

/// The proxies' certificate: a CA and a leaf for [`HOST`].
pub(crate) struct TestCert {
    pub(crate) ca_pem: Vec<u8>,
    pub(crate) cert: PathBuf,
    pub(crate) key: PathBuf,
}

const EC: [&str; 5] = [
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
];

fn run(openssl: &Path, dir: &Path, args: &[&str]) {
    let output = Command::new(openssl)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", openssl.display()));
    assert!(
        output.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

impl TestCa {
    /// A new CA named `name`, its files `{name}-ca.pem` and `{name}-ca.key` in `dir`.
    pub(crate) fn new(openssl: &Path, dir: &Path, name: &str) -> TestCa {
        let pem_name = format!("{name}-ca.pem");
        let key_name = format!("{name}-ca.key");
        let subject = format!("/CN=Trubka test CA {name}");
        run(
            openssl,
            dir,
            &[
                &["req", "-x509", "-days", "2", "-subj", &subject][..],
                &EC,
                &["-keyout", &key_name, "-out", &pem_name],
            ]
            .concat(),
        );
        TestCa {
            openssl: openssl.to_owned(),
            dir: dir.to_owned(),
            pem: std::fs::read(dir.join(&pem_name)).unwrap(),
            path: dir.join(pem_name),
        }
    }

    /// A leaf `{file}.pem` + `{file}.key` for `subject_alt_name` (`DNS:a,IP:127.0.0.1`),
    /// valid for two days.
    pub(crate) fn leaf(&self, file: &str, common_name: &str, subject_alt_name: &str) -> Leaf {
        self.leaf_for_days(file, common_name, subject_alt_name, 2)
    }

    /// [`TestCa::leaf`] valid for `days` days from now.
    pub(crate) fn leaf_for_days(
        &self,
        file: &str,
        common_name: &str,
        subject_alt_name: &str,
        days: u32,
    ) -> Leaf {
        let (dir, openssl) = (&self.dir, &self.openssl);
        let (key, csr, pem, ext) = (
            format!("{file}.key"),
            format!("{file}.csr"),
            format!("{file}.pem"),
            format!("{file}.ext"),
        );
        run(
            openssl,
            dir,
            &[
                &["req", "-subj", &format!("/CN={common_name}")][..],
                &EC,
                &["-keyout", &key, "-out", &csr],
            ]
            .concat(),
        );
        std::fs::write(
            dir.join(&ext),
            format!(
                "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n\
                 subjectAltName={subject_alt_name}\n"
            ),
        )
        .unwrap();
        let ca_pem = self.path.display().to_string();
        let ca_key = ca_pem.replace("-ca.pem", "-ca.key");
        run(
            openssl,
            dir,
            &[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                &ca_pem,
                "-CAkey",
                &ca_key,
                "-CAcreateserial",
                "-days",
                &days.to_string(),
                "-extfile",
                &ext,
                "-out",
                &pem,
            ],
        );
        Leaf {
            cert: dir.join(pem),
            key: dir.join(key),
        }
    }

    pub(crate) fn der(&self) -> CertificateDer<'static> {
        CertificateDer::from_pem_slice(&self.pem).unwrap()
    }
}

impl TestCert {
    pub(crate) fn make(openssl: &Path, dir: &Path) -> TestCert {
        let ca = TestCa::new(openssl, dir, "proxy");
        let leaf = ca.leaf("relay", HOST, &format!("DNS:{HOST}"));
        TestCert {
            ca_pem: ca.pem,
            cert: leaf.cert,
            key: leaf.key,
        }
    }

    pub(crate) fn ca_der(&self) -> CertificateDer<'static> {
        CertificateDer::from_pem_slice(&self.ca_pem).unwrap()
    }
}

/// `/v1/stream` over TLS at `at` as the agent's app opens it, trusting only `roots`.
pub(crate) async fn connect_wss(
    roots: &[CertificateDer<'static>],
    at: SocketAddr,
    url: &str,
    token: &str,
) -> Stream {
    let mut request = url.into_client_request().unwrap();
    request
        .headers_mut()
        .insert("authorization", format!("Bearer {token}").parse().unwrap());
    let tcp = tokio::net::TcpStream::connect(at).await.unwrap();
    let (socket, response) = tokio::time::timeout(
        WAIT,
        tokio_tungstenite::client_async_tls_with_config(
            request,
            tcp,
            None,
            Some(Connector::Rustls(Arc::new(client_config(roots)))),
        ),
    )
    .await
    .expect("the stream connects in time")
    .expect("the server upgrades the stream");
    assert_eq!(response.status().as_u16(), 101);
    Stream { socket }
}

/// A rustls client (ring) that trusts `roots` only.
pub(crate) fn client_config(roots: &[CertificateDer<'static>]) -> rustls::ClientConfig {
    let mut store = rustls::RootCertStore::empty();
    for root in roots {
        store.add(root.clone()).unwrap();
    }
    rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(store)
        .with_no_client_auth()
}

/// The leaf certificate a TLS server at `at` presents for `name`, verified against `roots`.
pub(crate) async fn served_leaf(
    roots: &[CertificateDer<'static>],
    at: SocketAddr,
    name: &str,
) -> Result<CertificateDer<'static>, String> {
    let connector = tokio_rustls::TlsConnector::from(Arc::new(client_config(roots)));
    let server = rustls::pki_types::ServerName::try_from(name.to_owned()).unwrap();
    let handshake = async {
        let tcp = tokio::net::TcpStream::connect(at)
            .await
            .map_err(|e| e.to_string())?;
        let tls = connector
            .connect(server, tcp)
            .await
            .map_err(|e| e.to_string())?;
        let (_, session) = tls.get_ref();
        let chain = session.peer_certificates().ok_or("no certificate")?;
        Ok(chain[0].clone().into_owned())
    };
    tokio::time::timeout(WAIT, handshake)
        .await
        .map_err(|_| "the handshake did not finish in time".to_owned())?
}
