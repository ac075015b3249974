//! Playing logind: the app under test takes the test's private session bus for its system
//! bus (`DBUS_SYSTEM_BUS_ADDRESS`, set by the harness), so the test can announce a lock, a
//! sleep and a resume the way logind does, and [`FakeLogind`] answers the app's
//! `Manager.Inhibit` as logind does: with a file descriptor whose closing lets the sleep go.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use tokio::io::AsyncReadExt;

/// Emits `org.freedesktop.login1.Manager.PrepareForSleep(going)`: the system goes to sleep
/// (`true`) or has resumed (`false`).
pub(crate) async fn prepare_for_sleep(going: bool) -> anyhow::Result<()> {
    let connection = zbus::Connection::session().await?;
    connection
        .emit_signal(
            None::<()>,
            "/org/freedesktop/login1",
            "org.freedesktop.login1.Manager",
            "PrepareForSleep",
            &(going,),
        )
        .await?;
    Ok(())
}

/// Emits `PrepareForSleep(false)`: the system has resumed.
pub(crate) async fn resume_from_sleep() -> anyhow::Result<()> {
    prepare_for_sleep(false).await
}

/// Emits a session's `org.freedesktop.login1.Session.Lock` (or `Unlock`), as logind does when
/// the screen is locked (`loginctl lock-session`) or unlocked.
pub(crate) async fn lock_screen(locked: bool) -> anyhow::Result<()> {
    let connection = zbus::Connection::session().await?;
    connection
        .emit_signal(
            None::<()>,
            "/org/freedesktop/login1/session/_32",
            "org.freedesktop.login1.Session",
            if locked { "Lock" } else { "Unlock" },
            &(),
        )
        .await?;
    Ok(())
}

/// One `Inhibit` call: what was asked, and the test's end of the descriptor handed out.
struct Inhibitor {
    what: String,
    mode: String,
    held: Option<std::os::unix::net::UnixStream>,
}

#[derive(Clone, Default)]
struct Manager {
    inhibitors: Arc<Mutex<Vec<Inhibitor>>>,
}

#[zbus::interface(name = "org.freedesktop.login1.Manager")]
impl Manager {
    /// Hands out one end of a socket pair; the app holds the inhibitor while it keeps it open.
    fn inhibit(
        &self,
        what: String,
        _who: String,
        _why: String,
        mode: String,
    ) -> zbus::fdo::Result<zbus::zvariant::OwnedFd> {
        let failed = |e: std::io::Error| zbus::fdo::Error::Failed(e.to_string());
        let (ours, theirs) = std::os::unix::net::UnixStream::pair().map_err(failed)?;
        // Read by the test's runtime later (`released`): zbus may serve this on its own.
        ours.set_nonblocking(true).map_err(failed)?;
        self.inhibitors.lock().expect("lock").push(Inhibitor {
            what,
            mode,
            held: Some(ours),
        });
        Ok(std::os::fd::OwnedFd::from(theirs).into())
    }
}

/// `org.freedesktop.login1` on the test's bus, answering `Inhibit` and keeping count.
pub(crate) struct FakeLogind {
    _connection: zbus::Connection,
    inhibitors: Arc<Mutex<Vec<Inhibitor>>>,
}

impl FakeLogind {
    pub(crate) async fn start() -> anyhow::Result<FakeLogind> {
        let manager = Manager::default();
        let inhibitors = manager.inhibitors.clone();
        let connection = zbus::connection::Builder::session()?
            .name("org.freedesktop.login1")?
            .serve_at("/org/freedesktop/login1", manager)?
            .build()
            .await
            .context("cannot own org.freedesktop.login1 on the test's bus")?;
        Ok(FakeLogind {
            _connection: connection,
            inhibitors,
        })
    }

    /// The indices of the `sleep` `delay` inhibitors an app still holds (every app on the
    /// test's bus asks for one; an app that ended let go of its).
    pub(crate) fn held_for_sleep(&self) -> Vec<usize> {
        let inhibitors = self.inhibitors.lock().expect("lock");
        inhibitors
            .iter()
            .enumerate()
            .filter(|(_, i)| i.what == "sleep" && i.mode == "delay")
            .filter(|(_, i)| {
                // Non-blocking: nothing to read yet means the app's end is still open.
                let mut byte = [0u8; 1];
                i.held.as_ref().is_some_and(|mut held| {
                    matches!(
                        std::io::Read::read(&mut held, &mut byte),
                        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock
                    )
                })
            })
            .map(|(index, _)| index)
            .collect()
    }

    /// Waits (at most `within`) until the app lets go of inhibitor `index` (its descriptor
    /// closed: our end reads end-of-file).
    pub(crate) async fn released(&self, index: usize, within: Duration) -> anyhow::Result<()> {
        let held = self
            .inhibitors
            .lock()
            .expect("lock")
            .get_mut(index)
            .and_then(|i| i.held.take())
            .with_context(|| format!("no inhibitor {index} to watch"))?;
        let mut held = tokio::net::UnixStream::from_std(held)?;
        let mut buf = [0u8; 16];
        let read = tokio::time::timeout(within, held.read(&mut buf))
            .await
            .with_context(|| format!("inhibitor {index} still held after {within:?}"))??;
        anyhow::ensure!(read == 0, "the app wrote to its inhibitor");
        Ok(())
    }
}
