//! A real relay on 127.0.0.1:0 (its own SQLite in a temp folder) and desktops signed in to
//! it, for the tests of what the engine does with the relay's team features.

use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use trubka_agent::Engine;
use trubka_agent::backoff::Backoff;
use trubka_agent::profile::Profile;
use trubka_relay::{Relay, RelayConfig};

/// How long any wait of these tests may take before it fails instead of hanging.
pub(crate) const WAIT: Duration = Duration::from_secs(30);

/// A relay serving on 127.0.0.1 until [`TestRelay::stop`].
pub(crate) struct TestRelay {
    pub(crate) addr: SocketAddr,
    pub(crate) config: RelayConfig,
    pub(crate) uis_token: String,
    stop: oneshot::Sender<()>,
    task: JoinHandle<Result<(), trubka_relay::RelayError>>,
}

impl TestRelay {
    pub(crate) async fn start(config: RelayConfig) -> TestRelay {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let relay = Relay::open(config.clone()).unwrap();
        let uis_token = relay.hook_tokens().uis.clone();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(relay.serve(listener, async move {
            let _ = stopped.await;
        }));
        TestRelay {
            addr,
            config,
            uis_token,
            stop,
            task,
        }
    }

    pub(crate) fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Posts UIS notifications to the relay's hook, each answered 200.
    pub(crate) async fn uis(&self, payloads: &[Value]) {
        let http = reqwest::Client::new();
        for payload in payloads {
            let response = http
                .post(format!("{}/hooks/uis/{}", self.url(), self.uis_token))
                .json(payload)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status().as_u16(), 200);
        }
    }

    pub(crate) async fn stop(self) {
        let _ = self.stop.send(());
        tokio::time::timeout(WAIT, self.task)
            .await
            .expect("relay stops")
            .unwrap()
            .unwrap();
    }
}

/// An engine on `profile`, signed in to `relay` with `token`, streaming; it reconnects fast.
pub(crate) async fn desktop(profile: &Path, relay: &TestRelay, token: &str) -> Engine {
    let backoff = Backoff {
        base: Duration::from_millis(50),
        max: Duration::from_millis(400),
    };
    let engine = Engine::open_with(Profile::at(profile).unwrap(), backoff)
        .await
        .unwrap();
    engine.login(&relay.url(), token).await.unwrap();
    engine.start().unwrap();
    engine
}

/// Polls `check` until it gives a value (bounded by [`WAIT`]).
pub(crate) async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    tokio::time::timeout(WAIT, async {
        loop {
            if let Some(value) = check().await {
                return value;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("{what}: not within {WAIT:?}"))
}
