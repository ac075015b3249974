//! Waking up. After the computer sleeps or the network changes, the stream's TCP connection
//! is often dead without anybody having said so; the client would only notice at its idle
//! limit (45 s), and calls ringing meanwhile would not pop. So the app reconnects at once
//! when:
//! - logind says the system resumed (`PrepareForSleep(false)` on the system bus);
//! - NetworkManager says the network is connected again (`StateChanged` to 50–70);
//! - the wall clock jumped ahead of the monotonic clock, which stops while the system is
//!   suspended: the fallback where neither service is on the bus.
//!
//! A reconnect that was not needed costs one replay of nothing (`since` is current).

use std::time::{Duration, Instant, SystemTime};

use futures_util::StreamExt;
use tauri::{AppHandle, Manager};
use zbus::message::Type as MessageType;
use zbus::{Connection, MatchRule, MessageStream};

use crate::state::AppState;

/// How often the clocks are compared.
const CLOCK_TICK: Duration = Duration::from_secs(5);
/// A wall-clock lead this large between two ticks means the system was asleep.
const SLEEP_GAP: Duration = Duration::from_secs(10);
/// NetworkManager's `NM_STATE_CONNECTED_LOCAL`; `_SITE` (60) and `_GLOBAL` (70) are above.
const NM_CONNECTED: u32 = 50;

/// Why the app reconnects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wake {
    Resumed,
    NetworkBack,
    ClockJumped,
}

/// Starts watching; every watcher ends quietly where its source does not exist.
pub fn spawn(app: &AppHandle) {
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        if let Err(e) = watch_system_bus(&handle).await {
            tracing::info!(error = %e, "no system bus signals for sleep and network; the clock watch remains");
        }
    });
    let handle = app.clone();
    tauri::async_runtime::spawn(async move { watch_clock(&handle).await });
}

fn reconnect(app: &AppHandle, why: Wake) {
    tracing::info!(?why, "reconnecting to the relay now");
    app.state::<AppState>().engine.reconnect_now();
}

async fn signals(
    connection: &Connection,
    interface: &'static str,
    member: &'static str,
) -> zbus::Result<MessageStream> {
    let rule = MatchRule::builder()
        .msg_type(MessageType::Signal)
        .interface(interface)?
        .member(member)?
        .build();
    MessageStream::for_match_rule(rule, connection, None).await
}

async fn watch_system_bus(app: &AppHandle) -> zbus::Result<()> {
    let connection = Connection::system().await?;
    let mut sleep = signals(
        &connection,
        "org.freedesktop.login1.Manager",
        "PrepareForSleep",
    )
    .await?;
    let mut network = signals(
        &connection,
        "org.freedesktop.NetworkManager",
        "StateChanged",
    )
    .await?;
    tracing::debug!("watching logind and NetworkManager");
    // Ends when the bus connection does (both streams end with it).
    loop {
        let wake = tokio::select! {
            Some(message) = sleep.next() => message
                .ok()
                .and_then(|m| m.body().deserialize::<bool>().ok())
                .and_then(after_sleep_signal),
            Some(message) = network.next() => message
                .ok()
                .and_then(|m| m.body().deserialize::<u32>().ok())
                .and_then(after_network_state),
            else => return Ok(()),
        };
        if let Some(wake) = wake {
            reconnect(app, wake);
        }
    }
}

/// `PrepareForSleep(true)` comes before suspending, `(false)` after resuming.
pub fn after_sleep_signal(going_to_sleep: bool) -> Option<Wake> {
    (!going_to_sleep).then_some(Wake::Resumed)
}

/// A NetworkManager state that is connected again.
pub fn after_network_state(state: u32) -> Option<Wake> {
    (state >= NM_CONNECTED).then_some(Wake::NetworkBack)
}

/// Whether the wall clock ran ahead of the monotonic clock by a sleep's worth.
pub fn slept(wall: Duration, monotonic: Duration) -> bool {
    wall > monotonic + SLEEP_GAP
}

async fn watch_clock(app: &AppHandle) {
    let mut tick = tokio::time::interval(CLOCK_TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let (mut wall, mut monotonic) = (SystemTime::now(), Instant::now());
    // Runs for the life of the app, one comparison per tick.
    loop {
        tick.tick().await;
        let (wall_now, monotonic_now) = (SystemTime::now(), Instant::now());
        // A clock set backwards reads as no time passed: not a sleep.
        let wall_elapsed = wall_now.duration_since(wall).unwrap_or_default();
        if slept(wall_elapsed, monotonic_now - monotonic) {
            reconnect(app, Wake::ClockJumped);
        }
        (wall, monotonic) = (wall_now, monotonic_now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_resuming_reconnects() {
        assert_eq!(after_sleep_signal(false), Some(Wake::Resumed));
        assert_eq!(after_sleep_signal(true), None);
    }

    #[test]
    fn only_a_connected_network_reconnects() {
        // NM_STATE_DISCONNECTED, _DISCONNECTING, _CONNECTING; then CONNECTED_LOCAL/SITE/GLOBAL.
        for state in [20, 30, 40] {
            assert_eq!(after_network_state(state), None, "{state}");
        }
        for state in [50, 60, 70] {
            assert_eq!(
                after_network_state(state),
                Some(Wake::NetworkBack),
                "{state}"
            );
        }
    }

    #[test]
    fn a_wall_clock_far_ahead_of_the_monotonic_one_was_a_sleep() {
        let s = Duration::from_secs;
        assert!(!slept(s(5), s(5)), "an ordinary tick");
        assert!(!slept(s(9), s(5)), "a busy machine's late tick");
        assert!(slept(s(3605), s(5)), "an hour asleep");
    }
}
