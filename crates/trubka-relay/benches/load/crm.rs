//! A CRM for `--crm-delay-ms`: answers every lookup with a contact after a fixed delay, so the
//! run shows what a slow CRM costs the events (nothing, by design: the lookup runs beside them).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::routing::get;

pub(crate) struct SlowCrm {
    pub(crate) addr: SocketAddr,
    pub(crate) requests: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl SlowCrm {
    pub(crate) async fn start(delay: Duration) -> SlowCrm {
        let requests = Arc::new(AtomicU64::new(0));
        let app = Router::new()
            .route("/phones/{digits}", get(answer))
            .with_state((delay, Arc::clone(&requests)));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("the CRM binds");
        let addr = listener.local_addr().expect("bound address");
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        SlowCrm {
            addr,
            requests,
            task,
        }
    }

    /// The relay's `[directory.lookup] url` for this CRM.
    pub(crate) fn url(&self) -> String {
        format!("http://{}/phones/{{digits}}", self.addr)
    }
}

impl Drop for SlowCrm {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn answer(State((delay, requests)): State<(Duration, Arc<AtomicU64>)>) -> &'static str {
    requests.fetch_add(1, Ordering::Relaxed);
    tokio::time::sleep(delay).await;
    r#"{"name":"Иван Петров","company":"ООО Ромашка"}"#
}
