//! A private D-Bus session bus for a second app in the same test: the app is single-instance
//! through its name on the session bus, so a second one on the test's bus would hand its
//! arguments over to the first and exit. On a bus of its own it is a first instance; there is
//! no notification daemon or Secret Service on it, which the app copes with (a notice on the
//! status line, the token in a file in its profile).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use super::{Proc, output_dir, spawn, wait_for};

/// A `dbus-daemon --session` listening in a temp folder; the daemon ends when this drops.
pub(super) struct OwnBus {
    address: String,
    // Dropped after `_daemon` (fields drop in order): the socket's folder outlives the daemon.
    _daemon: Proc,
    _dir: tempfile::TempDir,
}

impl OwnBus {
    /// Starts the daemon and waits until it answers on its address.
    pub(super) async fn start() -> anyhow::Result<OwnBus> {
        let dir = tempfile::Builder::new().prefix("trubka-bus").tempdir()?;
        let address = format!("unix:path={}", dir.path().join("bus").display());
        let daemon = spawn(
            Command::new("dbus-daemon")
                .args(["--session", "--nofork", "--nopidfile"])
                .arg(format!("--address={address}"))
                .stdin(Stdio::null()),
            &output_dir().join("dbus-daemon-own-bus.log"),
        )?;
        let bus = OwnBus {
            address,
            _daemon: daemon,
            _dir: dir,
        };
        wait_for("the private bus to answer", Duration::from_secs(10), || {
            let names = bus.names();
            async move { Ok(names.ok()) }
        })
        .await?;
        Ok(bus)
    }

    /// The address to put in the app's DBUS_SESSION_BUS_ADDRESS.
    pub(super) fn address(&self) -> &str {
        &self.address
    }

    /// The names on this bus (`ListNames`), as dbus-send prints them.
    pub(super) fn names(&self) -> anyhow::Result<String> {
        list_names(&format!("--bus={}", self.address))
    }
}

/// `ListNames` on the bus dbus-send reaches with `bus_arg` (`--session` or `--bus=ADDRESS`).
pub(super) fn list_names(bus_arg: &str) -> anyhow::Result<String> {
    let out = Command::new("dbus-send")
        .args([
            bus_arg,
            "--print-reply",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.ListNames",
        ])
        .stderr(Stdio::null())
        .output()?;
    anyhow::ensure!(out.status.success(), "dbus-send {bus_arg} failed");
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The `pkill -f`/`pgrep -f` pattern of the app `binary` started on profile `home`: only that
/// one, not another app of the same binary on another profile.
pub(super) fn app_pattern(binary: &Path, home: Option<&str>) -> String {
    match home {
        Some(home) => format!("{} --home {home}( |$)", binary.display()),
        None => binary.display().to_string(),
    }
}
