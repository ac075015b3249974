//! The relay under test: the real `trubka-relay` binary, run as `contacts import` on a data
//! folder and then as `serve` on 127.0.0.1, with its resident memory read from /proc.

use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use trubka_relay::{NewAgent, Store};

const RELAY: &str = env!("CARGO_BIN_EXE_trubka-relay");

/// Creates `count` agents in a new relay database at `data` and returns their tokens.
pub(crate) fn create_agents(data: &Path, count: usize) -> Vec<String> {
    let store = Store::open(data).expect("database opens");
    (0..count)
        .map(|agent| {
            let new = NewAgent {
                name: format!("Агент {agent:04}"),
                uis_employee: Some((2_339_000 + agent).to_string()),
                ..NewAgent::default()
            };
            store.add_agent(&new).expect("agent added").1.0
        })
        .collect()
}

/// Runs `trubka-relay contacts import FILE` on `data` and returns how long it took and its
/// summary line (`Импортировано …`; the lines before it are per-row warnings).
pub(crate) async fn import(data: &Path, file: &Path) -> (Duration, String) {
    let started = Instant::now();
    let output = Command::new(RELAY)
        .arg("--data-dir")
        .arg(data)
        .args(["contacts", "import"])
        .arg(file)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .output()
        .await
        .expect("the relay binary runs");
    let took = started.elapsed();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "contacts import failed: {}{}",
        stdout,
        String::from_utf8_lossy(&output.stderr)
    );
    let summary = stdout
        .lines()
        .find(|line| line.starts_with("Импортировано") || line.starts_with("Imported"))
        .unwrap_or_default()
        .to_owned();
    (took, summary)
}

pub(crate) struct RelayProcess {
    child: Child,
    pub(crate) pid: u32,
    /// `http://127.0.0.1:PORT`
    pub(crate) base: String,
}

impl RelayProcess {
    /// Starts `serve` on a free port of 127.0.0.1 and reads its address from the banner.
    pub(crate) async fn start(data: &Path) -> RelayProcess {
        let mut child = Command::new(RELAY)
            .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("the relay binary starts");
        let pid = child.id().expect("a running child has a pid");
        let mut lines = BufReader::new(child.stdout.take().expect("piped")).lines();
        let base = tokio::time::timeout(Duration::from_secs(60), async {
            // The banner's first URL is the relay's own address; bounded by the timeout.
            loop {
                let line = lines.next_line().await.expect("stdout readable");
                let line = line.expect("the relay printed its address");
                let last = line.rsplit(' ').next().unwrap_or_default();
                if last.starts_with("http://") {
                    return last.trim_end_matches('/').to_owned();
                }
            }
        })
        .await
        .expect("the relay prints its address in time");
        // Whatever else it prints is read and dropped, so that it never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        RelayProcess { child, pid, base }
    }

    pub(crate) async fn stop(mut self) {
        let _ = self.child.kill().await;
    }

    /// Resident memory in KiB (`VmRSS`).
    pub(crate) fn rss_kib(&self) -> u64 {
        rss_kib(self.pid)
    }

    /// Samples the resident memory every 20 ms until the returned sampler is finished.
    pub(crate) fn sample_peak(&self) -> PeakSampler {
        let peak = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (pid, seen, done) = (self.pid, Arc::clone(&peak), Arc::clone(&stop));
        tokio::spawn(async move {
            while !done.load(Ordering::Relaxed) {
                seen.fetch_max(rss_kib(pid), Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        });
        PeakSampler { peak, stop }
    }
}

pub(crate) struct PeakSampler {
    peak: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
}

impl PeakSampler {
    /// The highest resident memory seen, in KiB.
    pub(crate) fn finish(self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        self.peak.load(Ordering::Relaxed)
    }
}

fn rss_kib(pid: u32) -> u64 {
    crate::measure::proc_status_kib(pid, "VmRSS")
}

/// Bytes of the files in `dir` (the relay's database and WAL).
pub(crate) fn dir_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}
