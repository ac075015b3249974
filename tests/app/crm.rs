//! A CRM on 127.0.0.1:0 for the relay's `[directory.lookup]`: it knows one client by the
//! digits of their number (`GET /phones/{digits}`, the default answer shape) and answers
//! 404 for anyone else, as a CRM that does not know the caller does.

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// The most requests it answers: the test makes a handful.
const REQUESTS: usize = 64;

/// A running fake CRM.
pub(crate) struct Crm {
    pub(crate) url: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Crm {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Crm {
    /// Starts a CRM that answers `client` for the number whose digits are `digits`.
    pub(crate) async fn start(digits: &str, client: Value) -> anyhow::Result<Crm> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        let known = format!("/phones/{digits}");
        let body = client.to_string();
        let task = tokio::spawn(async move {
            for _ in 0..REQUESTS {
                let Ok((mut socket, _)) = listener.accept().await else {
                    return;
                };
                // One request per connection (the answer closes it); its head fits in 8 KiB.
                let mut head = vec![0u8; 8192];
                let mut read = 0;
                while read < head.len() && !head[..read].windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut head[read..]).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => read += n,
                    }
                }
                let request = String::from_utf8_lossy(&head[..read]);
                let path = request.split_whitespace().nth(1).unwrap_or_default();
                let (status, answer) = if path == known {
                    ("200 OK", body.clone())
                } else {
                    ("404 Not Found", json!({"error": "not found"}).to_string())
                };
                let response = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                    answer.len()
                );
                let _ = socket.write_all(response.as_bytes()).await;
                let _ = socket.shutdown().await;
            }
        });
        Ok(Crm { url, task })
    }

    /// The relay.toml section that points the relay at this CRM.
    pub(crate) fn relay_config(&self) -> String {
        format!(
            "[directory.lookup]\nurl = \"{}/phones/{{digits}}\"\ntimeout_ms = 2000\n",
            self.url
        )
    }
}
