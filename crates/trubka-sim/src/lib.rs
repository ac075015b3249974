//! trubka-sim: a faithful simulator of the cloud PBXs UIS and Sipuni, for the demo and tests.
//!
//! It plays calls the way the real PBXs report them: the notifications a call produces, in
//! the real order and shapes, sent to a relay's hooks (reference:
//! shared/reference/telephony-apis.md A.6 and B.4), with recordings it serves itself.
//!
//! - [`config`]: [`SimConfig`], the only source of defaults.
//! - [`cast`]: employees, lines, callers, and how each PBX writes numbers.
//! - [`scenario`]: what a call does ([`CallRequest`] → [`scenario::CallPlan`]).
//! - [`uis_templates`], [`template`], [`uis_notify`]: UIS notifications, seed templates filled
//!   with JSON literals.
//! - [`sipuni_notify`]: Sipuni events 1–4.
//! - [`sender`]: delivery to the relay with bounded retries.
//! - [`sim`]: shared state; starting and playing calls.
//! - [`generator`]: the steady stream of `--generate`.
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

pub mod cast;
pub mod config;
pub mod error;
pub mod generator;
pub mod http;
pub mod ids;
pub mod mp3;
pub mod recordings;
pub mod request_log;
pub mod scenario;
pub mod sender;
pub mod sim;
pub mod sim_api;
pub mod sipuni_notify;
pub mod template;
pub mod uis_notify;
pub mod uis_templates;

use std::future::Future;

use tokio::net::TcpListener;
use tokio_util::{sync::CancellationToken, task::TaskTracker};

pub use config::{DeliveryConfig, Employee, GeneratorConfig, SimConfig, SipuniConfig, UisConfig};
pub use error::{CallRequestError, SimError};
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
    if let Some(generator) = sim.config.generator.clone() {
        tasks.spawn(generator::run(std::sync::Arc::clone(&sim), generator));
    }
    let app = http::router(std::sync::Arc::clone(&sim));
    let stop = cancel.clone();
    let served = axum::serve(listener, app)
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
