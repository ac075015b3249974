//! A TLS listener for `axum::serve`: TCP connections are accepted at once and each
//! handshake runs in its own task with a time limit, so a client that connects and says
//! nothing (a port scanner, a PBX behind a slow link) never holds up the next one.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, connect_info::Connected};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::serve::IncomingStream;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// How long a client may take to finish the TLS handshake.
const HANDSHAKE_WITHIN: Duration = Duration::from_secs(10);
/// Finished handshakes waiting for the server to take them.
const READY_BACKLOG: usize = 64;

/// Accepts TCP on a bound listener and hands out finished TLS connections.
pub struct TlsListener {
    ready: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local: SocketAddr,
    accepting: JoinHandle<()>,
}

impl TlsListener {
    /// Starts accepting on `tcp`; `acceptor` holds the server configuration (whose
    /// certificate resolver may change the certificate at any time).
    pub fn new(tcp: TcpListener, acceptor: TlsAcceptor) -> io::Result<TlsListener> {
        let local = tcp.local_addr()?;
        let (sender, ready) = mpsc::channel(READY_BACKLOG);
        let accepting = tokio::spawn(accept_loop(tcp, acceptor, sender));
        Ok(TlsListener {
            ready,
            local,
            accepting,
        })
    }
}

impl Drop for TlsListener {
    fn drop(&mut self) {
        // The server stopped taking connections: stop accepting them too.
        self.accepting.abort();
    }
}

async fn accept_loop(
    tcp: TcpListener,
    acceptor: TlsAcceptor,
    ready: mpsc::Sender<(TlsStream<TcpStream>, SocketAddr)>,
) {
    let acceptor = Arc::new(acceptor);
    loop {
        let (stream, peer) = match tcp.accept().await {
            Ok(accepted) => accepted,
            Err(error) => {
                // Out of file descriptors and the like: back off instead of spinning, as
                // axum's own TCP listener does.
                tracing::warn!(%error, "cannot accept a connection");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        let acceptor = Arc::clone(&acceptor);
        let ready = ready.clone();
        tokio::spawn(async move {
            match tokio::time::timeout(HANDSHAKE_WITHIN, acceptor.accept(stream)).await {
                Ok(Ok(tls)) => {
                    // The server may have stopped meanwhile; the connection is then dropped.
                    let _ = ready.send((tls, peer)).await;
                }
                Ok(Err(error)) => tracing::debug!(%peer, %error, "TLS handshake failed"),
                Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
            }
        });
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(connection) => connection,
            // The accept loop never ends on its own; only `Drop` aborts it, and then nothing
            // calls `accept` again. Waiting forever is the honest answer either way.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(self.local)
    }
}

/// The address of the client a request came from, for [`loopback_metrics`]; read from the
/// TCP connection, plain or TLS.
#[derive(Debug, Clone, Copy)]
pub struct Peer(pub SocketAddr);

impl Connected<IncomingStream<'_, TlsListener>> for Peer {
    fn connect_info(stream: IncomingStream<'_, TlsListener>) -> Peer {
        Peer(*stream.remote_addr())
    }
}

impl Connected<IncomingStream<'_, TcpListener>> for Peer {
    fn connect_info(stream: IncomingStream<'_, TcpListener>) -> Peer {
        Peer(*stream.remote_addr())
    }
}

/// With the relay's own HTTPS nothing stands in front to keep `/metrics` off the internet
/// (the proxies' files do): it answers 404 to every client but the machine itself.
pub(crate) async fn loopback_metrics(
    ConnectInfo(Peer(peer)): ConnectInfo<Peer>,
    request: Request,
    next: Next,
) -> Response {
    if request.uri().path() == "/metrics" && !peer.ip().is_loopback() {
        return StatusCode::NOT_FOUND.into_response();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::body::Body;
    use axum::routing::get;
    use tower::ServiceExt;

    #[tokio::test]
    async fn metrics_answer_only_the_machine_itself() {
        let app = Router::new()
            .route("/metrics", get(|| async { "trubka_relay_up 1" }))
            .route("/healthz", get(|| async { "ok" }))
            .layer(axum::middleware::from_fn(loopback_metrics));
        let status = |path: &str, peer: &str| {
            let request = Request::builder()
                .uri(path)
                .extension(ConnectInfo(Peer(peer.parse().unwrap())))
                .body(Body::empty())
                .unwrap();
            let app = app.clone();
            async move { app.oneshot(request).await.unwrap().status() }
        };
        assert_eq!(status("/metrics", "203.0.113.7:50000").await, 404);
        assert_eq!(status("/metrics", "[2001:db8::1]:50000").await, 404);
        assert_eq!(status("/metrics", "127.0.0.1:50000").await, 200);
        assert_eq!(status("/metrics", "[::1]:50000").await, 200);
        assert_eq!(status("/healthz", "203.0.113.7:50000").await, 200);
    }
}
