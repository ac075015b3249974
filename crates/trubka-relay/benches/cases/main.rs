//! `trubka-relay-cases`: the team's cases (issue 13) over a large event log (a benchmark,
//! not a test).
//!
//! 1. Baseline: the real relay binary on an empty data folder takes `--webhooks` UIS
//!    notifications (closed loop, `--concurrency` in flight), each a new call, half from
//!    numbers the big log knows; the case worker runs as in production.
//! 2. Fill: `--calls` calls of a year (fill.rs: answered, missed, hung up in the menu,
//!    call-backs; hot numbers, regular clients, one-off callers) are appended to a new
//!    database with `Store::append_events`, `--per-transaction` calls a transaction. With
//!    `--keep DIR` the filled database is kept there and reused by later runs.
//! 3. Catch-up: the relay starts on a copy of it; its case worker finds every call without a
//!    client number and derives the cases from zero. Timed by polling `call_clients`; the
//!    relay's peak memory is its `VmHWM`.
//! 4. Ingest over the big log: the same webhooks as the baseline, the case worker running,
//!    then how long the worker needs to give all of them their cases.
//!
//! ```text
//! cargo bench -p trubka-relay --bench trubka-relay-cases -- --calls 1000000 --keep /var/tmp/cases-1m
//! ```

mod fill;
#[path = "../common/measure.rs"]
mod measure;
mod phases;
#[path = "../load/relay.rs"]
mod relay;
#[path = "../load/webhooks.rs"]
mod webhooks;

use std::path::PathBuf;

use clap::Parser;

use webhooks::Provider;

#[derive(Debug, Parser)]
#[command(name = "trubka-relay-cases", about = "Cases over a large event log")]
pub(crate) struct Args {
    /// Calls in the big log.
    #[arg(long, default_value_t = 1_000_000)]
    pub(crate) calls: u64,
    /// Calls appended per transaction while filling.
    #[arg(long, default_value_t = 10_000)]
    pub(crate) per_transaction: u64,
    /// Agents (each a UIS employee the calls are routed to).
    #[arg(long, default_value_t = 50)]
    pub(crate) agents: usize,
    /// Webhooks posted in each ingest phase.
    #[arg(long, default_value_t = 20_000)]
    pub(crate) webhooks: usize,
    /// Webhooks in flight at once.
    #[arg(long, default_value_t = 64)]
    pub(crate) concurrency: usize,
    /// Which PBX's notifications to post.
    #[arg(long, value_enum, default_value_t = Provider::Uis)]
    pub(crate) provider: Provider,
    /// Longest wait for the case worker to catch up, in seconds.
    #[arg(long, default_value_t = 3_600)]
    pub(crate) catch_up_secs: u64,
    /// Keep the filled database in this folder and reuse it when it is there.
    #[arg(long)]
    pub(crate) keep: Option<PathBuf>,
    /// Skip the baseline on an empty data folder.
    #[arg(long)]
    pub(crate) no_baseline: bool,
    /// Passed by `cargo bench`; ignored.
    #[arg(long, hide = true)]
    bench: bool,
}

fn main() {
    let args = Args::parse();
    assert!(
        args.agents > 0 && args.concurrency > 0 && args.calls > 0 && args.per_transaction > 0,
        "--agents, --concurrency, --calls and --per-transaction must be positive"
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(phases::run(args));
}
