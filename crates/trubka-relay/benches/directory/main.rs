//! `trubka-relay-directory`: the team directory's numbers (issue 12), measured on the real
//! relay binary and real desktop engines (a benchmark, not a test).
//!
//! For each directory size: generates a phone book of that many contacts as a CSV
//! ([`people`]), imports it with `trubka-relay contacts import` (timed), starts `serve` on
//! 127.0.0.1, reads the relay's resident memory idle, then lets an empty desktop engine make
//! its first sync (`Engine::sync_directory`, timed, the relay's memory sampled meanwhile)
//! and asks that desktop's lookup for known numbers. At the largest size it then connects
//! `--agents` desktops in all (the synced one and fresh engines that hold the directory's
//! version) and measures how long an agent's edit takes to reach every other desktop's
//! lookup ([`visibility`]). Generated files, data folders and profiles are deleted as it
//! goes. The result is Markdown on stdout.
//!
//! ```text
//! cargo bench -p trubka-relay --bench trubka-relay-directory -- --sizes 0,100000,1000000 --agents 1000
//! ```

mod desktop;
#[path = "../common/measure.rs"]
mod measure;
mod people;
mod relay;
mod visibility;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::Parser;
use tokio::task::JoinSet;
use trubka_agent::Engine;
use trubka_agent::relay_api::RelayApi;
use trubka_protocol::directory::DirectoryId;

use measure::{cpu_secs, load_average, percentiles};

#[derive(Debug, Parser)]
#[command(
    name = "trubka-relay-directory",
    about = "The team directory's benchmark"
)]
struct Args {
    /// Directory sizes to measure, in contacts, smallest first.
    #[arg(long, value_delimiter = ',', default_value = "0,100000,1000000")]
    sizes: Vec<usize>,
    /// Desktops connected for the edit→lookup latency, at the largest size (0: skip).
    #[arg(long, default_value_t = 1000)]
    agents: usize,
    /// Edits made, each measured on every connected desktop.
    #[arg(long, default_value_t = 20)]
    edits: usize,
    /// Lookups asked of the synced desktop.
    #[arg(long, default_value_t = 10_000)]
    lookups: usize,
    /// Folder for the CSV, the relay's data and the desktops' profiles (default: a new
    /// temporary folder, deleted at the end).
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Passed by `cargo bench`; ignored.
    #[arg(long, hide = true)]
    bench: bool,
}

/// Desktops whose profiles are made at once.
const OPEN_AT_ONCE: usize = 50;

fn main() {
    let args = Args::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run(args));
}

async fn run(args: Args) {
    let temp = tempfile::tempdir_in(args.dir.as_deref().unwrap_or(&std::env::temp_dir()))
        .expect("work folder");
    let largest = args.sizes.iter().copied().max().unwrap_or(0);
    println!("load average at start: {}", load_average());
    println!();
    println!(
        "| contacts | CSV written | import | relay.db | relay RSS idle | first sync (contacts/s; CPU used meanwhile) | relay RSS peak in sync / after | desktop lookup p50 / p99 / max (misses) |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for &size in &args.sizes {
        let visible = size == largest && args.agents > 1 && size > 0;
        measure_size(&args, temp.path(), size, visible).await;
    }
    println!();
    println!("load average at the end: {}", load_average());
}

async fn measure_size(args: &Args, work: &Path, size: usize, visible: bool) {
    let data = work.join(format!("relay-{size}"));
    // Agent 0 edits; agent 1 is the desktop that syncs; the others only listen.
    let tokens = relay::create_agents(&data, args.agents.max(1) + 1);
    let (mut written, mut imported) = ("–".to_owned(), "–".to_owned());
    if size > 0 {
        let csv = work.join("contacts.csv");
        let started = Instant::now();
        people::write_csv(&csv, size).expect("CSV written");
        let bytes = std::fs::metadata(&csv).map(|m| m.len()).unwrap_or(0);
        written = format!("{:.1} s, {:.0} MB", secs(started.elapsed()), mb(bytes));
        eprintln!("{size}: CSV written ({written}), importing…");
        let (took, summary) = relay::import(&data, &csv).await;
        eprintln!("{size}: {summary}");
        imported = format!("**{:.1} s** ({:.0}/s)", secs(took), rate(size, took));
        std::fs::remove_file(&csv).expect("CSV removed");
    }
    let db = relay::dir_bytes(&data);
    let relay = relay::RelayProcess::start(&data).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle = relay.rss_kib();

    eprintln!("{size}: first sync…");
    let synced = desktop::signed_in(
        &work.join(format!("desktop-{size}")),
        &relay.base,
        &tokens[1],
        None,
    )
    .await;
    let sampler = relay.sample_peak();
    let cpu_before = (cpu_secs(&relay.pid.to_string()), cpu_secs("self"));
    let (took, status) = desktop::first_sync(&synced).await;
    let relay_cpu = cpu_secs(&relay.pid.to_string()) - cpu_before.0;
    let desktop_cpu = cpu_secs("self") - cpu_before.1;
    let peak = sampler.finish();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let after = relay.rss_kib();
    assert_eq!(
        status.contacts, size as u64,
        "the desktop holds every contact"
    );
    let lookup = if size > 0 {
        let (mut took, missed) = desktop::lookups(&synced, size, args.lookups).await;
        format!("{} ({missed})", percentiles(&mut took))
    } else {
        "–".to_owned()
    };
    println!(
        "| {size} | {written} | {imported} | {:.0} MB | {:.1} MiB | **{:.1} s** ({:.0}/s; CPU: relay {relay_cpu:.1} s, desktop {desktop_cpu:.1} s) | {:.1} / {:.1} MiB | {lookup} |",
        mb(db),
        kib_mib(idle),
        secs(took),
        rate(size, took),
        kib_mib(peak),
        kib_mib(after),
    );
    if visible {
        edits_seen(args, work, &relay, &tokens, synced, status.version, size).await;
    }
    relay.stop().await;
    std::fs::remove_dir_all(work.join(format!("desktop-{size}"))).expect("profile removed");
    std::fs::remove_dir_all(&data).expect("data removed");
}

/// Connects the desktops, measures the edits, prints their table.
async fn edits_seen(
    args: &Args,
    work: &Path,
    relay: &relay::RelayProcess,
    tokens: &[String],
    synced: Engine,
    version: u64,
    size: usize,
) {
    eprintln!("connecting {} desktops…", args.agents);
    let before = relay.rss_kib();
    desktop::connect(&synced).await;
    let mut engines = vec![synced];
    let listeners: Vec<(usize, String)> = tokens.iter().cloned().enumerate().skip(2).collect();
    for chunk in listeners.chunks(OPEN_AT_ONCE) {
        let mut opening = JoinSet::new();
        for (agent, token) in chunk {
            let (dir, base) = (work.join(format!("agent-{agent:04}")), relay.base.clone());
            let token = token.clone();
            opening.spawn(async move {
                let engine = desktop::signed_in(&dir, &base, &token, Some(version)).await;
                desktop::connect(&engine).await;
                engine
            });
        }
        while let Some(engine) = opening.join_next().await {
            engines.push(engine.expect("desktop opens"));
        }
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let streams = relay.rss_kib();
    let editor = RelayApi::new(&relay.base, &tokens[0]).expect("editor's client");
    let ids: Vec<DirectoryId> = (0..args.edits)
        .map(|k| 1 + (k as i64 * 7_919) % size as i64)
        .collect();
    eprintln!("{} edits…", ids.len());
    let seen = visibility::measure(&editor, &engines, &ids).await;
    for engine in &engines {
        engine.stop();
    }
    let mut all: Vec<f64> = seen.iter().flatten().flatten().copied().collect();
    let mut synced_only: Vec<f64> = seen[0].iter().flatten().copied().collect();
    let expected = engines.len() * ids.len();
    println!();
    println!("| edit → every other desktop's lookup | value |");
    println!("|---|---|");
    println!(
        "| desktops connected (1 holding all {size} contacts) | {} |",
        engines.len()
    );
    println!(
        "| relay RSS before / with the streams | {:.1} / {:.1} MiB |",
        kib_mib(before),
        kib_mib(streams)
    );
    println!(
        "| edits, each seen by every desktop | {} (seen {} of {expected}) |",
        ids.len(),
        all.len()
    );
    println!(
        "| **edit answered → lookup shows it, p50 / p99 / max** | **{}** |",
        percentiles(&mut all)
    );
    println!(
        "| the same on the desktop holding {size} contacts | {} |",
        percentiles(&mut synced_only)
    );
    drop(engines);
    for (agent, _) in &listeners {
        let _ = std::fs::remove_dir_all(work.join(format!("agent-{agent:04}")));
    }
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn rate(count: usize, took: Duration) -> f64 {
    count as f64 / took.as_secs_f64().max(1e-9)
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

fn kib_mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}
