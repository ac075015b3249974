//! The relay under test: the real `trubka-relay serve` binary as a child process.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::webhooks::Provider;

pub(crate) struct RelayProcess {
    child: Child,
    pub(crate) pid: u32,
    /// `http://127.0.0.1:PORT`
    pub(crate) base: String,
    uis_url: String,
    sipuni_url: String,
}

impl RelayProcess {
    /// Starts `serve` on a free port of 127.0.0.1 and reads the URLs it prints; `crm` is the
    /// `[directory.lookup] url` to ask about callers, if any.
    pub(crate) async fn start(data: &Path, crm: Option<&str>) -> RelayProcess {
        let mut child = Command::new(env!("CARGO_BIN_EXE_trubka-relay"))
            .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data)
            .env("RUST_LOG", "warn")
            .envs(crm.map(|url| ("TRUBKA_RELAY_DIRECTORY_LOOKUP_URL", url)))
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("the relay binary starts");
        let pid = child.id().expect("a running child has a pid");
        let mut lines = BufReader::new(child.stdout.take().expect("piped")).lines();
        let mut last_word = async || {
            let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
                .await
                .expect("the relay prints its URLs in time")
                .expect("stdout readable")
                .expect("the relay printed its URLs");
            line.rsplit(' ').next().unwrap_or_default().to_owned()
        };
        let base = last_word().await;
        let uis_url = last_word().await;
        let sipuni_url = last_word().await;
        RelayProcess {
            child,
            pid,
            base,
            uis_url,
            sipuni_url,
        }
    }

    /// The URL the relay takes `provider`'s notifications at.
    pub(crate) fn hook_url(&self, provider: Provider) -> &str {
        match provider {
            Provider::Uis => &self.uis_url,
            Provider::Sipuni => &self.sipuni_url,
        }
    }

    /// Kills the relay (the data folder is temporary; nothing to flush).
    pub(crate) async fn stop(mut self) {
        let _ = self.child.kill().await;
    }

    /// Resident memory of the relay process in KiB (`VmRSS` of /proc/PID/status).
    pub(crate) fn rss_kib(&self) -> u64 {
        crate::measure::proc_status_kib(self.pid, "VmRSS")
    }

    /// The relay's own counters, for the mean group-commit size.
    pub(crate) async fn metric(&self, http: &reqwest::Client, name: &str) -> Option<f64> {
        let text = http
            .get(format!("{}/metrics", self.base))
            .send()
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        text.lines()
            .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
            .and_then(|value| value.parse().ok())
    }
}
