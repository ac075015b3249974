//! [`LockSignals`] from logind on the system bus: a session's `Lock` / `Unlock` signals
//! (`loginctl lock-session`, and lockers that go through logind), its `LockedHint` property
//! (which GNOME's and KDE's lockers set when the screen locks by itself), and the manager's
//! `PrepareForSleep`. Signals of any session count: a call-center desktop has one graphical
//! session at a time.
//!
//! While it watches, it holds logind's `delay` inhibitor for sleep (`Manager.Inhibit`, «what»
//! `sleep`, «mode» `delay`): at `PrepareForSleep(true)` logind waits until the app lets go of
//! it — once the break is written, at most [`SLEEP_WAIT`] — and the app takes a new one after
//! the resume. Where logind refuses it (policy, no logind), sleep simply does not wait.

use std::collections::HashMap;
use std::time::Duration;

use futures_util::StreamExt;
use zbus::message::Type as MessageType;
use zbus::zvariant::{OwnedFd, OwnedValue};
use zbus::{Connection, MatchRule, MessageStream};

use super::Linux;
use crate::auto_break::LockSignal;
use crate::platform::{Handled, LockSignals, Unavailable};

const LOGIND: &str = "org.freedesktop.login1";
const LOGIND_PATH: &str = "/org/freedesktop/login1";
const SESSION: &str = "org.freedesktop.login1.Session";
const MANAGER: &str = "org.freedesktop.login1.Manager";
const PROPERTIES: &str = "org.freedesktop.DBus.Properties";

/// The longest a sleep waits for the break: under logind's default `InhibitDelayMaxSec` (5 s),
/// after which logind would sleep anyway.
pub(crate) const SLEEP_WAIT: Duration = Duration::from_secs(3);

impl LockSignals for Linux {
    async fn watch_lock(
        signal: impl Fn(LockSignal) -> Handled + Send + 'static,
    ) -> Result<(), Unavailable> {
        watch(signal).await.map_err(|e| Unavailable(e.to_string()))
    }
}

/// logind's `delay` inhibitor for sleep, held until dropped; `None` where it is refused.
async fn inhibit_sleep(connection: &Connection) -> Option<OwnedFd> {
    let why = "Перерыв в Трубке перед сном / Trubka's break before sleep";
    let reply = connection
        .call_method(
            Some(LOGIND),
            LOGIND_PATH,
            Some(MANAGER),
            "Inhibit",
            &("sleep", "Trubka", why, "delay"),
        )
        .await;
    match reply.and_then(|reply| reply.body().deserialize::<OwnedFd>()) {
        Ok(fd) => Some(fd),
        Err(error) => {
            tracing::info!(%error, "no sleep inhibitor: a sleep will not wait for the break");
            None
        }
    }
}

async fn stream(
    connection: &Connection,
    interface: &'static str,
    member: Option<&'static str>,
) -> zbus::Result<MessageStream> {
    let mut rule = MatchRule::builder()
        .msg_type(MessageType::Signal)
        .interface(interface)?;
    if let Some(member) = member {
        rule = rule.member(member)?;
    }
    MessageStream::for_match_rule(rule.build(), connection, None).await
}

async fn watch(signal: impl Fn(LockSignal) -> Handled) -> zbus::Result<()> {
    let connection = Connection::system().await?;
    let mut session = stream(&connection, SESSION, None).await?;
    let mut sleep = stream(&connection, MANAGER, Some("PrepareForSleep")).await?;
    let mut properties = stream(&connection, PROPERTIES, Some("PropertiesChanged")).await?;
    let mut inhibitor = inhibit_sleep(&connection).await;
    // Ends when the bus connection does (every stream ends with it).
    loop {
        let heard = tokio::select! {
            Some(message) = session.next() => message.ok().and_then(|m| {
                session_signal(m.header().member().map(|n| n.as_str()).unwrap_or_default())
            }),
            Some(message) = sleep.next() => message
                .ok()
                .and_then(|m| m.body().deserialize::<bool>().ok())
                .map(sleep_signal),
            Some(message) = properties.next() => message.ok().and_then(|m| {
                let (interface, changed, _): (String, HashMap<String, OwnedValue>, Vec<String>) =
                    m.body().deserialize().ok()?;
                let hint = changed.get("LockedHint")?;
                locked_hint(&interface, bool::try_from(hint).ok()?)
            }),
            else => return Ok(()),
        };
        let Some(heard) = heard else { continue };
        let handled = signal(heard);
        match heard {
            LockSignal::Sleeping => {
                // logind sleeps once every delay inhibitor is let go: after the break.
                let _ = tokio::time::timeout(SLEEP_WAIT, handled).await;
                drop(inhibitor.take());
            }
            LockSignal::Resumed if inhibitor.is_none() => {
                inhibitor = inhibit_sleep(&connection).await;
            }
            // The work goes on without being waited for.
            _ => drop(handled),
        }
    }
}

/// A session's `Lock` and `Unlock` signals.
fn session_signal(member: &str) -> Option<LockSignal> {
    match member {
        "Lock" => Some(LockSignal::Locked),
        "Unlock" => Some(LockSignal::Unlocked),
        _ => None,
    }
}

/// `PrepareForSleep(true)` comes before suspending, `(false)` after resuming.
fn sleep_signal(going_to_sleep: bool) -> LockSignal {
    if going_to_sleep {
        LockSignal::Sleeping
    } else {
        LockSignal::Resumed
    }
}

/// A session's `LockedHint` changing; other interfaces' properties are not ours.
fn locked_hint(interface: &str, locked: bool) -> Option<LockSignal> {
    (interface == SESSION).then_some(if locked {
        LockSignal::Locked
    } else {
        LockSignal::Unlocked
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logind_words_read_as_lock_signals() {
        assert_eq!(session_signal("Lock"), Some(LockSignal::Locked));
        assert_eq!(session_signal("Unlock"), Some(LockSignal::Unlocked));
        assert_eq!(session_signal("PauseDevice"), None);
        assert_eq!(sleep_signal(true), LockSignal::Sleeping);
        assert_eq!(sleep_signal(false), LockSignal::Resumed);
        assert_eq!(locked_hint(SESSION, true), Some(LockSignal::Locked));
        assert_eq!(locked_hint(SESSION, false), Some(LockSignal::Unlocked));
        assert_eq!(locked_hint("org.freedesktop.login1.User", true), None);
    }
}
