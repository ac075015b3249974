//! A relay serving its own HTTPS (`[tls]`), started as `serve` starts it
//! (`trubka_relay::tls::Tls::prepare` then `serve`), on 127.0.0.1 with its data in a temp
//! folder; and the helpers its tests share (free ports, waiting for a certificate, the
//! openssl and pebble binaries). Waits are bounded.

use std::net::{SocketAddr, TcpListener as StdListener};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use rustls::pki_types::CertificateDer;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use trubka_relay::tls::Tls;
use trubka_relay::{NewAgent, Relay, RelayConfig, Store};

use crate::certs::served_leaf;
use crate::common::WAIT;

pub(crate) struct HttpsRelay {
    pub(crate) addr: SocketAddr,
    pub(crate) config: RelayConfig,
    pub(crate) uis_token: String,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), trubka_relay::RelayError>>>,
}

impl HttpsRelay {
    /// Serves `config` (its `listen` a bound-to-be address, port 0 allowed).
    pub(crate) async fn start(config: RelayConfig) -> HttpsRelay {
        let listener = tokio::net::TcpListener::bind(config.listen).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let tls = Tls::prepare(&config, addr)
            .await
            .unwrap_or_else(|e| panic!("[tls] is usable: {e}"));
        let relay = Relay::open(config.clone()).unwrap();
        let uis_token = relay.hook_tokens().uis.clone();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(tls.serve(relay, listener, async move {
            let _ = stopped.await;
        }));
        HttpsRelay {
            addr,
            config,
            uis_token,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// Adds an agent and returns its token.
    pub(crate) fn agent(&self, name: &str, setup: impl FnOnce(&mut NewAgent)) -> String {
        let mut new = NewAgent {
            name: name.to_owned(),
            ..NewAgent::default()
        };
        setup(&mut new);
        let store = Store::open(&self.config.data_dir).unwrap();
        store.add_agent(&new).unwrap().1.0
    }

    /// An HTTPS client that trusts `roots` only and reaches `name` at this relay.
    pub(crate) fn client(&self, roots: &[CertificateDer<'static>], name: &str) -> reqwest::Client {
        let mut builder = reqwest::Client::builder()
            .resolve(name, self.addr)
            .timeout(WAIT)
            .tls_built_in_root_certs(false)
            .redirect(reqwest::redirect::Policy::none());
        for root in roots {
            builder = builder.add_root_certificate(reqwest::Certificate::from_der(root).unwrap());
        }
        builder.build().unwrap()
    }

    /// Waits until the relay presents a certificate for `name` that `roots` trust and that
    /// `wanted` accepts; returns it. Fails with the last handshake error after `within`.
    pub(crate) async fn wait_for_leaf(
        &self,
        roots: &[CertificateDer<'static>],
        name: &str,
        within: Duration,
        wanted: impl Fn(&CertificateDer<'static>) -> bool,
    ) -> CertificateDer<'static> {
        let deadline = Instant::now() + within;
        loop {
            let last = match served_leaf(roots, self.addr, name).await {
                Ok(leaf) if wanted(&leaf) => return leaf,
                Ok(_) => "a certificate, not the one expected".to_owned(),
                Err(error) => error,
            };
            assert!(
                Instant::now() < deadline,
                "no expected certificate within {within:?}: {last}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub(crate) async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            tokio::time::timeout(WAIT, task)
                .await
                .expect("relay stops in time")
                .unwrap()
                .unwrap();
        }
    }
}

/// A port free on 127.0.0.1 a moment ago, for a listener whose port must be known before
/// it starts (the redirect listener pebble validates on, pebble's own).
pub(crate) fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `program` from PATH (or /usr/bin, /usr/sbin); fails naming the Debian package.
pub(crate) fn tool(program: &str, package: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/bin"), PathBuf::from("/usr/sbin")])
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| {
            panic!(
                "{program} is missing: install it with scripts/install-deps.sh, or: \
                 sudo apt-get install {package}"
            )
        })
}

/// A relay configuration on 127.0.0.1 with its data under `dir`.
pub(crate) fn config(dir: &std::path::Path) -> RelayConfig {
    let mut config = RelayConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: dir.join("data"),
        ..RelayConfig::default()
    };
    config.reconcile.interval_secs = 0;
    config
}
