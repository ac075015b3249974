//! Agent streams: many idle WebSocket clients that timestamp each event frame's arrival.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures_util::StreamExt;
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::webhooks::Clock;

/// Connections opened at once; the listen backlog is not the thing under test.
const CONNECT_AT_ONCE: usize = 50;

/// Arrival time (clock nanos, 0 = not yet) of the frame of webhook `i`, and a count.
pub(crate) struct Arrivals {
    pub(crate) at: Vec<AtomicU64>,
    pub(crate) count: AtomicU64,
}

impl Arrivals {
    pub(crate) fn new(webhooks: usize) -> Arrivals {
        Arrivals {
            at: (0..webhooks).map(|_| AtomicU64::new(0)).collect(),
            count: AtomicU64::new(0),
        }
    }
}

/// Opens one stream per token (each waits for its `hello`), then keeps reading them in the
/// background until the returned set is dropped.
pub(crate) async fn open(
    base: &str,
    tokens: &[String],
    clock: Clock,
    arrivals: Arc<Arrivals>,
) -> JoinSet<()> {
    let ws_base = base.replacen("http://", "ws://", 1);
    let mut readers = JoinSet::new();
    for chunk in tokens.chunks(CONNECT_AT_ONCE) {
        let mut connecting = JoinSet::new();
        for token in chunk {
            let mut request = format!("{ws_base}/v1/stream")
                .into_client_request()
                .expect("url");
            request.headers_mut().insert(
                "authorization",
                format!("Bearer {token}").parse().expect("header value"),
            );
            connecting.spawn(async move {
                let (mut socket, _) = tokio_tungstenite::connect_async(request)
                    .await
                    .expect("stream opens");
                // The hello proves the relay registered this stream.
                let hello = tokio::time::timeout(Duration::from_secs(30), socket.next()).await;
                assert!(matches!(hello, Ok(Some(Ok(Message::Text(_))))), "no hello");
                socket
            });
        }
        while let Some(socket) = connecting.join_next().await {
            let mut socket = socket.expect("connect task");
            let arrivals = Arc::clone(&arrivals);
            readers.spawn(async move {
                // Ends when the relay closes the stream or the set is dropped.
                while let Some(Ok(message)) = socket.next().await {
                    if let Message::Text(text) = message
                        && let Some(index) = webhook_index(text.as_str())
                        && let Some(slot) = arrivals.at.get(index)
                    {
                        slot.store(clock.now(), Ordering::Relaxed);
                        arrivals.count.fetch_add(1, Ordering::Relaxed);
                    }
                }
            });
        }
    }
    readers
}

/// The webhook index carried in an event frame's id, without parsing the whole frame (the
/// load generator shares the machine with the relay; its own cost should stay small).
fn webhook_index(frame: &str) -> Option<usize> {
    let id_start = frame.find("\"event\":{\"id\":\"")? + "\"event\":{\"id\":\"".len();
    let id = &frame[id_start..];
    let id = &id[..id.find('"')?];
    // uis:{1_000_000 + i}:ringing:{i}  or  sipuni:{1774372584.i}:ringing:{ext}
    let session = id.split(':').nth(1)?;
    match session.split_once('.') {
        Some((_, index)) => index.parse().ok(),
        None => session
            .parse::<usize>()
            .ok()?
            .checked_sub(crate::webhooks::UIS_SESSION_BASE),
    }
}
