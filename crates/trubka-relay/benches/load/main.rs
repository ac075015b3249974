//! `trubka-relay-load`: a load generator for the relay (a benchmark, not a test).
//!
//! Starts the real relay binary on 127.0.0.1 with a temporary data folder, creates agents,
//! opens one idle stream per agent and measures the relay's resident memory before and after
//! (KiB per idle stream); then posts webhooks, each addressed to one agent's employee id or
//! extension, with fixed concurrency over keep-alive HTTP, and reports how many per second
//! were durably ingested (answered 200) and the webhook→stream latency (from sending the
//! POST to its frame arriving on the agent's socket). Everything is bounded in count and
//! time; the result is a Markdown table on stdout.
//!
//! ```text
//! cargo bench -p trubka-relay --bench trubka-relay-load -- --agents 1000 --webhooks 20000 --concurrency 64
//! cargo bench -p trubka-relay --bench trubka-relay-load -- --rate 5000   # latency at a given load
//! cargo bench -p trubka-relay --bench trubka-relay-load -- --rate 500 --crm-delay-ms 5000
//! ```
//!
//! With `--crm-delay-ms`, every webhook opens a call from a number the relay has never seen,
//! and the relay's `[directory.lookup]` points at a CRM on 127.0.0.1 that answers after that
//! delay: compare webhook→stream with a run without it.

mod crm;
#[allow(
    dead_code,
    reason = "shared by the benches; this one reads no CPU time or load average"
)]
#[path = "../common/measure.rs"]
mod measure;
mod relay;
mod streams;
mod webhooks;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use clap::Parser;
use trubka_relay::Store;

use measure::percentiles;
use webhooks::{Clock, Provider};

#[derive(Debug, Parser)]
#[command(name = "trubka-relay-load", about = "Load generator for trubka-relay")]
struct Args {
    /// Agents to create, each with one open stream.
    #[arg(long, default_value_t = 1000)]
    agents: usize,
    /// Webhooks to post.
    #[arg(long, default_value_t = 20_000)]
    webhooks: usize,
    /// Webhooks in flight at once.
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// Offer this many webhooks per second (open loop) instead of sending each as soon as a
    /// worker is free (closed loop, which measures the maximum rate).
    #[arg(long)]
    rate: Option<f64>,
    /// Which PBX's notifications to post.
    #[arg(long, value_enum, default_value_t = Provider::Uis)]
    provider: Provider,
    /// Longest wait for the last frames after the last webhook was answered, in seconds.
    #[arg(long, default_value_t = 30)]
    drain_secs: u64,
    /// Start a CRM that answers each lookup after this many milliseconds and point the
    /// relay's `[directory.lookup]` at it (timeout 800 ms, the default).
    #[arg(long)]
    crm_delay_ms: Option<u64>,
    /// Passed by `cargo bench`; ignored.
    #[arg(long, hide = true)]
    bench: bool,
}

fn main() {
    let args = Args::parse();
    assert!(
        args.agents > 0 && args.concurrency > 0,
        "--agents and --concurrency must be positive"
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run(args));
}

async fn run(args: Args) {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("relay-data");
    eprintln!("creating {} agents…", args.agents);
    let tokens = create_agents(&data, args.agents);

    let crm = match args.crm_delay_ms {
        Some(ms) => Some(crm::SlowCrm::start(Duration::from_millis(ms)).await),
        None => None,
    };
    let crm_url = crm.as_ref().map(crm::SlowCrm::url);
    let relay = relay::RelayProcess::start(&data, crm_url.as_deref()).await;
    let http = reqwest::Client::new();
    let clock = Clock::start();
    let arrivals = Arc::new(streams::Arrivals::new(args.webhooks));
    // Let the relay settle (first requests allocate runtime structures) before measuring.
    let _ = http.get(format!("{}/healthz", relay.base)).send().await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_before = relay.rss_kib();

    eprintln!("opening {} streams…", args.agents);
    let readers = streams::open(&relay.base, &tokens, clock, Arc::clone(&arrivals)).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_idle = relay.rss_kib();

    eprintln!(
        "posting {} webhooks with concurrency {}…",
        args.webhooks, args.concurrency
    );
    let url = relay.hook_url(args.provider);
    let started = Instant::now();
    let pace = webhooks::Pace {
        concurrency: args.concurrency,
        rate: args.rate,
    };
    let sent = webhooks::post_all(
        args.provider,
        url,
        args.webhooks,
        args.agents,
        pace,
        clock,
        webhooks::new_number,
    )
    .await;
    let ingest_time = started.elapsed();
    // Bounded wait for the frames still on their way.
    let deadline = Instant::now() + Duration::from_secs(args.drain_secs);
    while (arrivals.count.load(Ordering::Relaxed) as usize) < args.webhooks
        && Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let rss_loaded = relay.rss_kib();
    let batch_sum = relay
        .metric(&http, "trubka_relay_write_batch_size_sum")
        .await;
    let batch_count = relay
        .metric(&http, "trubka_relay_write_batch_size_count")
        .await;
    let mut lookups = Vec::new();
    for outcome in ["found", "timeout", "error", "skipped"] {
        let name = format!("trubka_relay_crm_lookups_total{{outcome=\"{outcome}\"}}");
        let value = relay.metric(&http, &name).await.unwrap_or(0.0);
        lookups.push(format!("{outcome} {value}"));
    }
    drop(readers);
    relay.stop().await;

    let failures = sent.failures.load(Ordering::Relaxed);
    let acknowledged = args.webhooks as u64 - failures;
    let mut ack_ms = Vec::with_capacity(args.webhooks);
    let mut delivery_ms = Vec::with_capacity(args.webhooks);
    for i in 0..args.webhooks {
        let after = sent.acknowledged_after[i].load(Ordering::Relaxed);
        if after > 0 {
            ack_ms.push(after as f64 / 1e6);
        }
        let arrived = arrivals.at[i].load(Ordering::Relaxed);
        if arrived > 0 {
            delivery_ms
                .push(arrived.saturating_sub(sent.at[i].load(Ordering::Relaxed)) as f64 / 1e6);
        }
    }
    let per_stream = (rss_idle.saturating_sub(rss_before)) as f64 / args.agents as f64;
    let rate = acknowledged as f64 / ingest_time.as_secs_f64();
    let mean_batch = match (batch_sum, batch_count) {
        (Some(sum), Some(count)) if count > 0.0 => format!("{:.1}", sum / count),
        _ => "n/a".to_owned(),
    };

    println!("| metric | value |");
    println!("|---|---|");
    println!("| agents, idle streams | {} |", args.agents);
    println!(
        "| relay RSS before streams | {:.1} MiB |",
        rss_before as f64 / 1024.0
    );
    println!(
        "| relay RSS with idle streams | {:.1} MiB |",
        rss_idle as f64 / 1024.0
    );
    println!("| **memory per idle stream** | **{per_stream:.1} KiB** |");
    let pacing = match args.rate {
        Some(rate) => format!(
            "offered {rate:.0}/s, at most {} in flight",
            args.concurrency
        ),
        None => format!("closed loop, {} in flight", args.concurrency),
    };
    println!(
        "| webhooks posted ({:?}, {pacing}) | {} |",
        args.provider, args.webhooks
    );
    println!("| answered 200 / failed | {acknowledged} / {failures} |");
    println!(
        "| **durably ingested** | **{rate:.0} webhooks/s** ({:.2} s) |",
        ingest_time.as_secs_f64()
    );
    println!(
        "| POST→200 p50 / p99 / max | {} |",
        percentiles(&mut ack_ms)
    );
    println!(
        "| frames received / expected | {} / {} |",
        delivery_ms.len(),
        args.webhooks
    );
    println!(
        "| **webhook→stream p50 / p99** / max | {} |",
        percentiles(&mut delivery_ms)
    );
    println!("| mean group commit (requests per fsync) | {mean_batch} |");
    println!(
        "| relay RSS after the load | {:.1} MiB |",
        rss_loaded as f64 / 1024.0
    );
    if let (Some(crm), Some(ms)) = (&crm, args.crm_delay_ms) {
        println!(
            "| CRM answering after {ms} ms: requests it got | {} |",
            crm.requests.load(Ordering::Relaxed)
        );
        println!("| relay's CRM lookups | {} |", lookups.join(", "));
    }
}

fn create_agents(data: &std::path::Path, count: usize) -> Vec<String> {
    let store = Store::open(data).expect("database opens");
    (0..count)
        .map(|agent| {
            let new = webhooks::addressed_agent(agent);
            store.add_agent(&new).expect("agent added").1.0
        })
        .collect()
}
