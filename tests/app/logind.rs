//! Playing logind: the app under test takes the test's private session bus for its system
//! bus (`DBUS_SYSTEM_BUS_ADDRESS`, set by the harness), so the test can announce a resume
//! from sleep the way logind does.

/// Emits `org.freedesktop.login1.Manager.PrepareForSleep(false)`: the system has resumed.
pub(crate) async fn resume_from_sleep() -> anyhow::Result<()> {
    let connection = zbus::Connection::session().await?;
    connection
        .emit_signal(
            None::<()>,
            "/org/freedesktop/login1",
            "org.freedesktop.login1.Manager",
            "PrepareForSleep",
            &(false,),
        )
        .await?;
    Ok(())
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
