//! Waking up. After the computer sleeps or the network changes, the stream's TCP connection
//! is often dead without anybody having said so; the client would only notice at its idle
//! limit (45 s), and calls ringing meanwhile would not pop. So the app reconnects at once
//! when:
//! - the system says it resumed or its network is connected again ([`WakeSignals`]: logind
//!   and NetworkManager on Linux);
//! - the wall clock jumped ahead of the monotonic clock, which stops while the system is
//!   suspended: the fallback where the system's signals are missing.
//!
//! A reconnect that was not needed costs one replay of nothing (`since` is current).

use std::time::{Duration, Instant, SystemTime};

use tauri::{AppHandle, Manager};

use crate::platform::{Os, WakeSignals};
use crate::state::AppState;

/// How often the clocks are compared.
const CLOCK_TICK: Duration = Duration::from_secs(5);
/// A wall-clock lead this large between two ticks means the system was asleep.
const SLEEP_GAP: Duration = Duration::from_secs(10);

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
        if let Err(e) = Os::watch_wake(move |why| reconnect(&handle, why)).await {
            tracing::info!(error = %e, "no system signals for sleep and network; the clock watch remains");
        }
    });
    let handle = app.clone();
    tauri::async_runtime::spawn(async move { watch_clock(&handle).await });
}

fn reconnect(app: &AppHandle, why: Wake) {
    tracing::info!(?why, "reconnecting to the relay now");
    app.state::<AppState>().engine.reconnect_now();
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
    fn a_wall_clock_far_ahead_of_the_monotonic_one_was_a_sleep() {
        let s = Duration::from_secs;
        assert!(!slept(s(5), s(5)), "an ordinary tick");
        assert!(!slept(s(9), s(5)), "a busy machine's late tick");
        assert!(slept(s(3605), s(5)), "an hour asleep");
    }
}
