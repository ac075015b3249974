//! Live fan-out: hands each stored event's frame to the open streams of its audience.
//!
//! The map is keyed by agent, so publishing costs one lookup per agent in the event's
//! audience, not one per open socket (1,000 agents × thousands of events per second must
//! stay cheap). Frames are built once per event and shared: every subscriber gets a clone of
//! the same [`Utf8Bytes`], a reference-count increment.
//!
//! Each stream has a bounded queue. A stream whose queue is full is not silently skipped —
//! that would be a gap — it is closed with `TOO_SLOW` and resumes with `since`, reading what
//! it missed from the database.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::ws::Utf8Bytes;
use tokio::sync::{mpsc, oneshot};
use trubka_protocol::stream::close_code;

use crate::agents::AgentId;
use crate::metrics::Metrics;

/// Frames a stream may have queued before it counts as too slow. At one call event per
/// second per agent that is a quarter of an hour; only a stalled client fills it.
pub const STREAM_QUEUE: usize = 1024;

/// One frame on its way to a stream.
#[derive(Debug, Clone)]
pub struct LiveFrame {
    /// The event's `seq`; `None` for a frame outside the event log (the directory's
    /// version), which is sent as it comes and never replayed.
    pub seq: Option<u64>,
    pub text: Utf8Bytes,
}

pub struct Hub {
    /// Held only for map updates and non-blocking `try_send`s, never across an `.await`.
    subscribers: Mutex<HashMap<AgentId, Vec<Subscriber>>>,
    next_id: AtomicU64,
    metrics: Arc<Metrics>,
}

struct Subscriber {
    id: u64,
    frames: mpsc::Sender<LiveFrame>,
    close: oneshot::Sender<u16>,
}

/// A registered stream. Dropping it unregisters the stream.
pub struct Subscription {
    hub: Arc<Hub>,
    agent: AgentId,
    id: u64,
    /// Live event frames in `seq` order.
    pub frames: mpsc::Receiver<LiveFrame>,
    /// Fires with a close code when the hub ends the stream (revoked, too slow).
    pub closed: oneshot::Receiver<u16>,
}

impl Hub {
    pub fn new(metrics: Arc<Metrics>) -> Hub {
        Hub {
            subscribers: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(1),
            metrics,
        }
    }

    /// Registers a stream of `agent`; it receives every frame published after this returns.
    pub fn subscribe(self: &Arc<Hub>, agent: AgentId) -> Subscription {
        let (frames_tx, frames) = mpsc::channel(STREAM_QUEUE);
        let (close_tx, closed) = oneshot::channel();
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.lock().entry(agent).or_default().push(Subscriber {
            id,
            frames: frames_tx,
            close: close_tx,
        });
        Subscription {
            hub: Arc::clone(self),
            agent,
            id,
            frames,
            closed,
        }
    }

    /// Queues `text` (the frame of event `seq`) on every open stream of the agents in
    /// `audience`. Called by the writer thread in `seq` order, after the commit.
    pub fn publish(&self, seq: u64, text: &Utf8Bytes, audience: &[AgentId]) {
        self.deliver(Some(seq), text, audience);
    }

    /// Queues a notice frame (not an event: no `seq`, not replayed) on every open stream of
    /// the agents in `audience`, behind the frames already queued there.
    pub fn notify(&self, text: &Utf8Bytes, audience: &[AgentId]) {
        self.deliver(None, text, audience);
    }

    fn deliver(&self, seq: Option<u64>, text: &Utf8Bytes, audience: &[AgentId]) {
        let mut subscribers = self.lock();
        for agent in audience {
            let Some(streams) = subscribers.get_mut(agent) else {
                continue;
            };
            self.queue(streams, seq, text);
            if streams.is_empty() {
                subscribers.remove(agent);
            }
        }
    }

    /// Queues `text`, a frame outside the event log, on every open stream of every agent
    /// (the directory's new version: every agent keeps a copy of the directory).
    pub fn broadcast(&self, text: &Utf8Bytes) {
        let mut subscribers = self.lock();
        subscribers.retain(|_, streams| {
            self.queue(streams, None, text);
            !streams.is_empty()
        });
    }

    /// Queues one frame on each of `streams`; a stream whose queue is full is closed with
    /// `TOO_SLOW` (it resumes from the database), an ended one is dropped.
    fn queue(&self, streams: &mut Vec<Subscriber>, seq: Option<u64>, text: &Utf8Bytes) {
        let mut index = 0;
        // Bounded by the number of streams of this agent.
        while index < streams.len() {
            let frame = LiveFrame {
                seq,
                text: text.clone(),
            };
            match streams[index].frames.try_send(frame) {
                Ok(()) => index += 1,
                Err(mpsc::error::TrySendError::Full(_)) => {
                    let slow = streams.swap_remove(index);
                    let _ = slow.close.send(close_code::TOO_SLOW);
                    self.metrics
                        .slow_consumer_disconnects
                        .fetch_add(1, Ordering::Relaxed);
                }
                // The stream ended and has not unregistered yet.
                Err(mpsc::error::TrySendError::Closed(_)) => {
                    streams.swap_remove(index);
                }
            }
        }
    }

    /// Ends every open stream of `agent` with `code`.
    pub fn close_agent(&self, agent: AgentId, code: u16) {
        let streams = self.lock().remove(&agent).unwrap_or_default();
        for stream in streams {
            let _ = stream.close.send(code);
        }
    }

    /// How many streams are registered (for tests and diagnostics).
    pub fn stream_count(&self) -> usize {
        self.lock().values().map(Vec::len).sum()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<AgentId, Vec<Subscriber>>> {
        // A panic while holding the lock cannot leave the map half-updated in a way that
        // matters (each operation is a single insert/remove), so keep serving.
        self.subscribers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let mut subscribers = self.hub.lock();
        if let Some(streams) = subscribers.get_mut(&self.agent) {
            streams.retain(|stream| stream.id != self.id);
            if streams.is_empty() {
                subscribers.remove(&self.agent);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hub() -> Arc<Hub> {
        Arc::new(Hub::new(Arc::new(Metrics::default())))
    }

    #[test]
    fn frames_reach_only_the_audience() {
        let hub = hub();
        let mut anna = hub.subscribe(1);
        let mut anna_laptop = hub.subscribe(1);
        let mut igor = hub.subscribe(2);
        let text = Utf8Bytes::from("frame");
        hub.publish(7, &text, &[1, 3]);
        assert_eq!(anna.frames.try_recv().unwrap().seq, Some(7));
        assert_eq!(
            anna_laptop.frames.try_recv().unwrap().text.as_str(),
            "frame"
        );
        assert!(igor.frames.try_recv().is_err());
        drop(anna_laptop);
        assert_eq!(hub.stream_count(), 2);
    }

    #[test]
    fn a_notice_follows_the_events_queued_before_it_without_a_seq() {
        let hub = hub();
        let mut anna = hub.subscribe(1);
        let mut igor = hub.subscribe(2);
        hub.publish(3, &Utf8Bytes::from("event"), &[1]);
        hub.notify(&Utf8Bytes::from("notice"), &[1]);
        assert_eq!(anna.frames.try_recv().unwrap().seq, Some(3));
        let notice = anna.frames.try_recv().unwrap();
        assert_eq!((notice.seq, notice.text.as_str()), (None, "notice"));
        assert!(igor.frames.try_recv().is_err());
    }

    #[test]
    fn a_full_queue_closes_the_stream_with_too_slow_instead_of_dropping_frames() {
        let hub = hub();
        let mut slow = hub.subscribe(1);
        let text = Utf8Bytes::from("frame");
        for seq in 1..=STREAM_QUEUE as u64 + 1 {
            hub.publish(seq, &text, &[1]);
        }
        assert_eq!(slow.closed.try_recv(), Ok(close_code::TOO_SLOW));
        assert_eq!(hub.stream_count(), 0);
        assert_eq!(
            hub.metrics
                .slow_consumer_disconnects
                .load(Ordering::Relaxed),
            1
        );
        // What was queued stays in order; the stream resumes after the last one it sent.
        assert_eq!(slow.frames.try_recv().unwrap().seq, Some(1));
    }

    #[test]
    fn a_broadcast_reaches_every_stream_outside_the_event_log() {
        let hub = hub();
        let mut anna = hub.subscribe(1);
        let mut igor = hub.subscribe(2);
        let ended = hub.subscribe(3);
        let text = Utf8Bytes::from("directory");
        drop(ended);
        hub.broadcast(&text);
        for stream in [&mut anna, &mut igor] {
            let frame = stream.frames.try_recv().unwrap();
            assert_eq!((frame.seq, frame.text.as_str()), (None, "directory"));
        }
        assert_eq!(hub.stream_count(), 2);
    }

    #[test]
    fn closing_an_agent_ends_all_its_streams() {
        let hub = hub();
        let mut a = hub.subscribe(1);
        let mut b = hub.subscribe(1);
        let mut other = hub.subscribe(2);
        hub.close_agent(1, close_code::TOKEN_REVOKED);
        assert_eq!(a.closed.try_recv(), Ok(close_code::TOKEN_REVOKED));
        assert_eq!(b.closed.try_recv(), Ok(close_code::TOKEN_REVOKED));
        assert!(other.closed.try_recv().is_err());
        assert_eq!(hub.stream_count(), 1);
    }
}
