//! [`WakeSignals`] from the system bus: logind's `PrepareForSleep(false)` after a resume and
//! NetworkManager's `StateChanged` to a connected state. Either service may be missing (a
//! container, another network manager); then the watch fails and `wake.rs`'s clock
//! comparison is what remains.

use futures_util::StreamExt;
use zbus::message::Type as MessageType;
use zbus::{Connection, MatchRule, MessageStream};

use super::Linux;
use crate::platform::{Unavailable, WakeSignals};
use crate::wake::Wake;

/// NetworkManager's `NM_STATE_CONNECTED_LOCAL`; `_SITE` (60) and `_GLOBAL` (70) are above.
const NM_CONNECTED: u32 = 50;

impl WakeSignals for Linux {
    async fn watch_wake(wake: impl Fn(Wake) + Send + 'static) -> Result<(), Unavailable> {
        watch_system_bus(wake)
            .await
            .map_err(|e| Unavailable(e.to_string()))
    }
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

async fn watch_system_bus(wake: impl Fn(Wake)) -> zbus::Result<()> {
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
        let woke = tokio::select! {
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
        if let Some(why) = woke {
            wake(why);
        }
    }
}

/// `PrepareForSleep(true)` comes before suspending, `(false)` after resuming.
fn after_sleep_signal(going_to_sleep: bool) -> Option<Wake> {
    (!going_to_sleep).then_some(Wake::Resumed)
}

/// A NetworkManager state that is connected again.
fn after_network_state(state: u32) -> Option<Wake> {
    (state >= NM_CONNECTED).then_some(Wake::NetworkBack)
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
}
