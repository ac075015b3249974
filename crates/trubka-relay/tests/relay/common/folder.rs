//! A relay serving on 127.0.0.1:0 over a data folder the test owns, so that it can be stopped
//! and started again on the same data (what a restart of the service does).

use std::net::SocketAddr;
use std::path::Path;

use serde_json::Value;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use trubka_relay::{Relay, RelayConfig};

use super::WAIT;

pub(crate) struct FolderRelay {
    pub(crate) addr: SocketAddr,
    uis_token: String,
    stop: oneshot::Sender<()>,
    task: JoinHandle<Result<(), trubka_relay::RelayError>>,
}

impl FolderRelay {
    /// Serves `config` with its data in `data`, listening on 127.0.0.1:0.
    pub(crate) async fn start(data: &Path, config: RelayConfig) -> FolderRelay {
        let config = RelayConfig {
            listen: "127.0.0.1:0".parse().unwrap(),
            data_dir: data.to_owned(),
            ..config
        };
        let listener = tokio::net::TcpListener::bind(config.listen).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let relay = Relay::open(config).unwrap();
        let uis_token = relay.hook_tokens().uis.clone();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(relay.serve(listener, async move {
            let _ = stopped.await;
        }));
        FolderRelay {
            addr,
            uis_token,
            stop,
            task,
        }
    }

    /// Posts UIS notifications to the relay's hook in order, each answered 200.
    pub(crate) async fn uis(&self, http: &reqwest::Client, payloads: &[Value]) {
        for payload in payloads {
            let response = http
                .post(format!("http://{}/hooks/uis/{}", self.addr, self.uis_token))
                .json(payload)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200, "{payload}");
        }
    }

    /// Stops the relay and waits until it has ended without an error.
    pub(crate) async fn stop(self) {
        let _ = self.stop.send(());
        tokio::time::timeout(WAIT, self.task)
            .await
            .expect("relay stops in time")
            .unwrap()
            .unwrap();
    }
}
