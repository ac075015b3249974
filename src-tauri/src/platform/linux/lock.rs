//! [`LockSignals`] from logind on the system bus: a session's `Lock` / `Unlock` signals
//! (`loginctl lock-session`, and lockers that go through logind), its `LockedHint` property
//! (which GNOME's and KDE's lockers set when the screen locks by itself), and the manager's
//! `PrepareForSleep`. Signals of any session count: a call-center desktop has one graphical
//! session at a time.

use std::collections::HashMap;

use futures_util::StreamExt;
use zbus::message::Type as MessageType;
use zbus::zvariant::OwnedValue;
use zbus::{Connection, MatchRule, MessageStream};

use super::Linux;
use crate::auto_break::LockSignal;
use crate::platform::{LockSignals, Unavailable};

const SESSION: &str = "org.freedesktop.login1.Session";
const MANAGER: &str = "org.freedesktop.login1.Manager";
const PROPERTIES: &str = "org.freedesktop.DBus.Properties";

impl LockSignals for Linux {
    async fn watch_lock(signal: impl Fn(LockSignal) + Send + 'static) -> Result<(), Unavailable> {
        watch(signal).await.map_err(|e| Unavailable(e.to_string()))
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

async fn watch(signal: impl Fn(LockSignal)) -> zbus::Result<()> {
    let connection = Connection::system().await?;
    let mut session = stream(&connection, SESSION, None).await?;
    let mut sleep = stream(&connection, MANAGER, Some("PrepareForSleep")).await?;
    let mut properties = stream(&connection, PROPERTIES, Some("PropertiesChanged")).await?;
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
        if let Some(heard) = heard {
            signal(heard);
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
