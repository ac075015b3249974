//! trubka-sim: a faithful simulator of the cloud PBXs UIS and Sipuni, for the demo and tests.
//!
//! It plays calls the way the real PBXs report them: the notifications a call produces, in
//! the real order and shapes, sent to a relay's hooks (reference:
//! shared/reference/telephony-apis.md A.6 and B.4), with recordings it serves itself. It also
//! serves the PBXs' APIs (A.2–A.5, B.1–B.3) over the calls it knows, so that real API clients
//! place calls, list them and reconcile against it as against the real services.
//!
//! - [`config`]: [`SimConfig`], the only source of defaults; [`options`]: typed option values.
//! - [`cast`]: employees, lines, callers, and how each PBX writes numbers; [`address_book`]:
//!   the UIS address book that names callers, and [`tags`]: the UIS account's tags.
//! - [`scenario`]: what a call does ([`CallRequest`] → [`scenario::CallPlan`]);
//!   [`control`]: how the Call API's control methods (hold, consultation, transfer, coach)
//!   change it; [`presence`]: employees' statuses, which decide who incoming calls ring.
//! - [`uis_templates`], [`template`], [`uis_notify`]: UIS notifications, seed templates filled
//!   with JSON literals.
//! - [`sipuni_notify`]: Sipuni events 1–4.
//! - [`sender`]: delivery to the relay with bounded retries.
//! - [`sim`]: shared state; starting and playing calls.
//! - [`generator`]: the steady stream of `--generate`.
//! - [`history`]: the record of every call, for the history APIs; [`hangup`]: `release.call`;
//!   [`backfill`]: past calls the history starts with.
//! - [`api`]: the PBX APIs (UIS Call API and Data API, Sipuni API); [`account`]: the
//!   accounts' scenarios, schemes and group.
//! - [`http`], [`sim_api`], [`request_log`], [`recordings`], [`mp3`]: the HTTP side.
//!
//! Start it in-process with [`run`], giving it a bound listener and a shutdown future:
//!
//! ```no_run
//! # async fn demo() -> Result<(), trubka_sim::SimError> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let relay = url::Url::parse("http://127.0.0.1:8765").expect("literal URL");
//! let config = trubka_sim::SimConfig::new(relay, "uis-token", "sipuni-token");
//! trubka_sim::run(listener, config, async { let _ = tokio::signal::ctrl_c().await; }).await
//! # }
//! ```

pub mod account;
pub mod address_book;
pub mod api;
pub mod backfill;
pub mod cast;
pub mod config;
pub mod control;
pub mod error;
pub mod generator;
pub mod hangup;
pub mod history;
pub mod http;
pub mod ids;
pub mod mp3;
pub mod options;
pub mod presence;
pub mod recordings;
pub mod request;
pub mod request_log;
pub mod scenario;
pub mod sender;
pub mod sim;
pub mod sim_api;
pub mod sipuni_notify;
pub mod tags;
pub mod template;
pub mod uis_notify;
pub mod uis_setup;
pub mod uis_templates;

use std::future::Future;

use tokio::net::TcpListener;
use tokio_util::{sync::CancellationToken, task::TaskTracker};

pub use config::{
    ApiOutcome, BackfillConfig, DeliveryConfig, Employee, GeneratorConfig, IpRange, SimConfig,
    SipuniConfig, UisComponent, UisConfig,
};
pub use error::{CallRequestError, SimError};
pub use request::NotificationKind;
pub use scenario::{CallRequest, Direction, HookMethod, Outcome, Provider};
pub use uis_templates::UisShape;

/// Runs the simulator on `listener` until `shutdown` completes.
///
/// Serves the HTTP API, starts the generator if configured, and on shutdown stops every
/// call in progress and waits for the tasks to finish.
pub async fn run(
    listener: TcpListener,
    config: SimConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), SimError> {
    config.validate()?;
    let local = listener.local_addr()?;
    let public_url = config
        .public_url
        .clone()
        .unwrap_or_else(|| sim::default_public_url(local));
    let cancel = CancellationToken::new();
    let tasks = TaskTracker::new();
    let sim = sim::Sim::new(config, public_url, cancel.clone(), tasks.clone())?;
    tracing::info!(
        listen = %local,
        public_url = %sim.public_url,
        relay = %sim.config.relay_url,
        employees = sim.config.employees.len(),
        "trubka-sim listening"
    );
    if let Some(backfill) = sim.config.backfill {
        let added = backfill::fill(&sim, backfill);
        tracing::info!(calls = added, days = backfill.days, "history back-filled");
    }
    if let Some(generator) = sim.config.generator.clone() {
        tasks.spawn(generator::run(std::sync::Arc::clone(&sim), generator));
    }
    let app = http::router(std::sync::Arc::clone(&sim));
    let stop = cancel.clone();
    let served = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown.await;
        stop.cancel();
    })
    .await;
    cancel.cancel();
    tasks.close();
    tasks.wait().await;
    tracing::info!("trubka-sim stopped");
    served.map_err(SimError::Io)
}
