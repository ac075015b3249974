//! Timings for `scripts/measure-app.sh`: the time since the process started, and, when
//! `TRUBKA_PERF_LOG` names a file, one line per measured moment appended to it.

use std::io::Write;
use std::sync::OnceLock;
use std::time::Instant;

static START: OnceLock<Instant> = OnceLock::new();

/// Marks the process start; call first thing in `main`.
pub fn mark_start() {
    START.get_or_init(Instant::now);
}

pub fn since_process_start_ms() -> u128 {
    START.get_or_init(Instant::now).elapsed().as_millis()
}

/// Appends `text` to the perf log, when one is configured.
pub fn line(text: &str) {
    let Some(path) = std::env::var_os("TRUBKA_PERF_LOG") else {
        return;
    };
    if let Ok(mut file) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
    {
        let _ = writeln!(file, "{text}");
    }
}
