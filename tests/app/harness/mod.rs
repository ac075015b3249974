//! The parts an app test runs against: a real relay and trubka-sim on free local ports, and
//! the real `trubka` binary driven through tauri-driver and WebKitWebDriver, with bounded
//! waits that save screenshots (the webview's and the whole X screen's) when they fail.

mod bus;
mod session;
mod stack;
mod tray;

pub(crate) use session::App;
pub(crate) use stack::Stack;
pub(crate) use tray::TrayMenu;

use std::future::Future;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

/// The workspace's `target/debug` (or `TRUBKA_BIN_DIR`).
pub(crate) fn bin_dir() -> PathBuf {
    std::env::var_os("TRUBKA_BIN_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/debug"))
}

/// The app under test: `bin_dir()/trubka`, or `TRUBKA_APP_BINARY` (the install test's
/// `/usr/bin/trubka`, installed from its package, which is what the updater may replace).
pub(crate) fn app_binary() -> PathBuf {
    std::env::var_os("TRUBKA_APP_BINARY")
        .map(PathBuf::from)
        .unwrap_or_else(|| bin_dir().join("trubka"))
}

/// Where screenshots go: `test-output/app/` at the workspace root, or `TRUBKA_APP_OUTPUT`
/// (the install test keeps its own in test-output/install/).
pub(crate) fn output_dir() -> PathBuf {
    let dir = std::env::var_os("TRUBKA_APP_OUTPUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../test-output/app"));
    std::fs::create_dir_all(&dir).expect("test-output dir");
    dir
}

pub(crate) fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/app")
        .join(name)
        .canonicalize()
        .expect("fixture exists")
}

pub(super) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// A child process killed when dropped.
pub(super) struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub(super) fn spawn(cmd: &mut Command, log: &Path) -> anyhow::Result<Proc> {
    let out = std::fs::File::create(log)?;
    let err = out.try_clone()?;
    let child = cmd
        .stdout(out)
        .stderr(err)
        .spawn()
        .with_context(|| format!("cannot start {cmd:?}"))?;
    Ok(Proc(child))
}

/// Waits until `probe` answers `Some`, polling every 100 ms, for at most `limit`.
pub(crate) async fn wait_for<T, F, Fut>(
    what: &str,
    limit: Duration,
    mut probe: F,
) -> anyhow::Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = anyhow::Result<Option<T>>>,
{
    let start = Instant::now();
    let mut last_error = String::new();
    loop {
        match probe().await {
            Ok(Some(v)) => return Ok(v),
            Ok(None) => {}
            Err(e) => last_error = format!(" (last error: {e:#})"),
        }
        if start.elapsed() > limit {
            bail!("timed out after {limit:?} waiting for {what}{last_error}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
