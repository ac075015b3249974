//! The bench's phases in order, each printing its rows of the Markdown table.

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};
use trubka_relay::Store;
use trubka_relay::store::DATABASE_FILE;

use crate::measure::{cpu_secs, load_average, percentiles, proc_status_kib};
use crate::relay::RelayProcess;
use crate::webhooks::Clock;
use crate::{Args, fill, webhooks};

/// Sessions of the posted webhooks are `webhooks::UIS_SESSION_BASE + i`: below the stored
/// calls' sessions, so every webhook is a new call.
const _: () = assert!((webhooks::UIS_SESSION_BASE as u64) < fill::STORED_SESSION_BASE);

/// Whether the case worker still owes the derivation of numbers' cases (its backfill's second
/// pass, `cases/worker.rs`).
const OWED: &str = "SELECT count(*) FROM meta WHERE key = 'cases_backfill_after'";

/// The caller of webhook `i`: every other one a new number (past the one-off callers the
/// log holds), the rest numbers the big log holds (one in ten of them a hot number with
/// thousands of calls).
fn webhook_number(i: usize) -> String {
    let n = i as u64;
    if n.is_multiple_of(2) {
        return webhooks::new_number(5_000_000 + i);
    }
    let e164 = if (n / 2).is_multiple_of(10) {
        fill::hot_number(fill::mix(n))
    } else {
        fill::regular_number(fill::mix(n))
    };
    e164.trim_start_matches('+').to_owned()
}

pub(crate) async fn run(args: Args) {
    println!("| phase | metric | value |");
    println!("|---|---|---|");
    if !args.no_baseline {
        let dir = tempfile::tempdir().expect("temp dir");
        let data = dir.path().join("relay-data");
        Store::open(&data)
            .map(|s| add_agents(s, args.agents))
            .expect("agents");
        ingest("empty log", &args, &data, 0).await;
    }

    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("relay-data");
    let filled = filled_database(&args, &data);
    if filled != data.join(DATABASE_FILE) {
        std::fs::create_dir_all(&data).expect("data dir");
        let copied = Instant::now();
        std::fs::copy(&filled, data.join(DATABASE_FILE)).expect("copy of the filled log");
        eprintln!(
            "copied the filled log in {:.1} s",
            copied.elapsed().as_secs_f64()
        );
    }
    let size = std::fs::metadata(data.join(DATABASE_FILE)).map_or(0, |m| m.len());
    row(
        "fill",
        "relay.db",
        format!("{:.0} MiB", size as f64 / 1048576.0),
    );

    let stored = args.calls as i64;
    let relay = RelayProcess::start(&data, None).await;
    let started = Instant::now();
    row("catch-up", "load average at start", load_average());
    let db = reader(&data);
    let limit = Duration::from_secs(args.catch_up_secs);
    let mut last_report = Instant::now();
    let mut done = count(&db, "SELECT count(*) FROM call_clients");
    let mut numbered = None;
    // The worker gives every call its number, then derives each number's cases while their
    // second pass is owed (`meta`): done when both are over. Bounded by --catch-up-secs.
    while (done < stored || count(&db, OWED) > 0) && started.elapsed() < limit {
        tokio::time::sleep(Duration::from_secs(2)).await;
        done = count(&db, "SELECT count(*) FROM call_clients");
        if done >= stored && numbered.is_none() {
            numbered = Some(started.elapsed().as_secs_f64());
        }
        if last_report.elapsed() >= Duration::from_secs(30) {
            last_report = Instant::now();
            eprintln!(
                "catch-up: {done} of {stored} calls numbered, {} cases, after {:.0} s, \
                 relay RSS {} MiB, load {}",
                count(&db, "SELECT count(*) FROM cases"),
                started.elapsed().as_secs_f64(),
                proc_status_kib(relay.pid, "VmRSS") / 1024,
                load_average()
            );
        }
    }
    let took = started.elapsed().as_secs_f64();
    row("catch-up", "load average at end", load_average());
    row(
        "catch-up",
        "**calls given their cases**",
        format!(
            "**{done} of {stored} in {took:.1} s** ({:.0} calls/s){}",
            done as f64 / took,
            if count(&db, OWED) > 0 {
                ", cases still owed"
            } else {
                ""
            }
        ),
    );
    if let Some(numbered) = numbered {
        row(
            "catch-up",
            "every call given its client number (first pass)",
            format!("after {numbered:.1} s"),
        );
    }
    row(
        "catch-up",
        "cases stored",
        count(&db, "SELECT count(*) FROM cases").to_string(),
    );
    row(
        "catch-up",
        "relay CPU (user + system)",
        format!("{:.1} s", cpu_secs(&relay.pid.to_string())),
    );
    row(
        "catch-up",
        "**relay peak RSS (VmHWM)** / RSS at the end",
        format!(
            "**{:.1} MiB** / {:.1} MiB",
            proc_status_kib(relay.pid, "VmHWM") as f64 / 1024.0,
            relay.rss_kib() as f64 / 1024.0
        ),
    );
    relay.stop().await;
    drop(db);

    let phase = format!("{} stored calls, caught up", args.calls);
    ingest(&phase, &args, &data, stored).await;
}

/// Posts the webhooks to a relay on `data` whose `call_clients` holds `before` calls, and
/// waits for the case worker to give each new call its number.
async fn ingest(phase: &str, args: &Args, data: &Path, before: i64) {
    let relay = RelayProcess::start(data, None).await;
    let http = reqwest::Client::new();
    let _ = http.get(format!("{}/healthz", relay.base)).send().await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let url = relay.hook_url(args.provider);
    row(phase, "load average before", load_average());
    let clock = Clock::start();
    let pace = webhooks::Pace {
        concurrency: args.concurrency,
        rate: None,
    };
    let started = Instant::now();
    let sent = webhooks::post_all(
        args.provider,
        url,
        args.webhooks,
        args.agents,
        pace,
        clock,
        webhook_number,
    )
    .await;
    let posting = started.elapsed();
    let db = reader(data);
    let target = before + args.webhooks as i64;
    let limit = Instant::now() + Duration::from_secs(args.catch_up_secs);
    let mut done = count(&db, "SELECT count(*) FROM call_clients");
    // Bounded by --catch-up-secs.
    while done < target && Instant::now() < limit {
        tokio::time::sleep(Duration::from_millis(100)).await;
        done = count(&db, "SELECT count(*) FROM call_clients");
    }
    let drained = started.elapsed();
    let failures = sent.failures.load(Ordering::Relaxed);
    let answered = args.webhooks as u64 - failures;
    let mut ack_ms: Vec<f64> = sent
        .acknowledged_after
        .iter()
        .map(|a| a.load(Ordering::Relaxed))
        .filter(|&a| a > 0)
        .map(|a| a as f64 / 1e6)
        .collect();
    let batch_sum = relay
        .metric(&http, "trubka_relay_write_batch_size_sum")
        .await;
    let batch_count = relay
        .metric(&http, "trubka_relay_write_batch_size_count")
        .await;
    row(
        phase,
        &format!(
            "**UIS webhooks durably ingested**, {} in flight",
            args.concurrency
        ),
        format!(
            "**{:.0}/s** ({answered} answered, {failures} failed, {:.2} s)",
            answered as f64 / posting.as_secs_f64(),
            posting.as_secs_f64()
        ),
    );
    row(phase, "POST→200 p50 / p99 / max", percentiles(&mut ack_ms));
    if let (Some(sum), Some(n)) = (batch_sum, batch_count)
        && n > 0.0
    {
        row(
            phase,
            "requests per group commit",
            format!("{:.1}", sum / n),
        );
    }
    row(
        phase,
        "case worker done with them",
        format!(
            "{} of {} calls, {:.2} s after the first webhook",
            done - before,
            args.webhooks,
            drained.as_secs_f64()
        ),
    );
    row(phase, "load average after", load_average());
    row(
        phase,
        "relay peak RSS (VmHWM)",
        format!(
            "{:.1} MiB",
            proc_status_kib(relay.pid, "VmHWM") as f64 / 1024.0
        ),
    );
    relay.stop().await;
}

/// The filled database: `--keep`'s when it holds one of this size, else filled now.
fn filled_database(args: &Args, data: &Path) -> PathBuf {
    let (folder, marker) = match &args.keep {
        Some(keep) => (
            keep.clone(),
            Some(keep.join(format!("filled-{}", args.calls))),
        ),
        None => (data.to_owned(), None),
    };
    let path = folder.join(DATABASE_FILE);
    if marker.as_ref().is_some_and(|m| m.exists()) {
        row(
            "fill",
            "calls",
            format!("{} (kept in {})", args.calls, folder.display()),
        );
        return path;
    }
    let _ = std::fs::remove_file(&path);
    let mut store = Store::open(&folder).expect("database opens");
    store = add_agents(store, args.agents);
    let started = Instant::now();
    let end = fill::year_end();
    let mut events = Vec::new();
    let mut stored = 0;
    let mut first = 0;
    // Bounded by --calls.
    while first < args.calls {
        let last = (first + args.per_transaction).min(args.calls);
        events.clear();
        for i in first..last {
            events.extend(fill::events_of(i, args.calls, args.agents as u64, end));
        }
        stored += store
            .append_events(&events)
            .expect("events appended")
            .stored;
        first = last;
        if first % 100_000 == 0 {
            eprintln!(
                "filled {first} calls ({stored} events) in {:.0} s",
                started.elapsed().as_secs_f64()
            );
        }
    }
    drop(store);
    let took = started.elapsed().as_secs_f64();
    row("fill", "load average at the end", load_average());
    row(
        "fill",
        "calls / events appended",
        format!(
            "{} / {stored} in {took:.1} s ({:.0} events/s, {} calls a transaction)",
            args.calls,
            stored as f64 / took,
            args.per_transaction
        ),
    );
    if let Some(marker) = marker {
        std::fs::write(marker, b"").expect("marker written");
    }
    path
}

fn add_agents(store: Store, count: usize) -> Store {
    for agent in 0..count {
        store
            .add_agent(&webhooks::addressed_agent(agent))
            .expect("agent added");
    }
    store
}

fn reader(data: &Path) -> Connection {
    let conn = Connection::open_with_flags(
        data.join(DATABASE_FILE),
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .expect("the relay's database opens read-only");
    conn.busy_timeout(Duration::from_secs(10))
        .expect("busy timeout");
    conn
}

fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |row| row.get(0)).expect("count")
}

fn row(phase: &str, metric: &str, value: String) {
    println!("| {phase} | {metric} | {value} |");
}
