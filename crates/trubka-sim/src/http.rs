//! The simulator's HTTP server: one router assembled from per-API modules.
//!
//! - `/sim/…`: the control API ([`crate::sim_api`]), with the UIS cabinet's address book
//!   under `/sim/uis/contacts`;
//! - `/uis/callapi/v4.0`, `/uis/dataapi/v2.0`, `/sipuni/api/…`: the PBX APIs ([`crate::api`]);
//! - `/system/media/talk/…`, `/recordings/{id}.mp3`, `/sipuni/api/crm/record`: recordings
//!   ([`crate::recordings`]);
//! - `/healthz`: liveness.
//!
//! `POST /sim/calls` and every PBX API route go through [`crate::request_log::record`] so
//! that `GET /sim/requests` shows what clients sent.

use std::sync::Arc;

use axum::{
    Router, middleware,
    routing::{get, post, put},
};

use crate::{api, recordings, request_log, sim::Sim, sim_api};

/// Wraps an API router so that its requests are logged.
fn logged(router: Router<Arc<Sim>>, sim: &Arc<Sim>) -> Router {
    router
        .layer(middleware::from_fn_with_state(
            Arc::clone(&sim.requests),
            request_log::record,
        ))
        .with_state(Arc::clone(sim))
}

/// The whole router.
pub fn router(sim: Arc<Sim>) -> Router {
    let control = logged(
        Router::new()
            .route("/sim/calls", post(sim_api::start_call))
            .merge(api::routes()),
        &sim,
    );
    let inspect = Router::new()
        .route(
            "/sim/requests",
            get(sim_api::list_requests).delete(sim_api::clear_requests),
        )
        .route("/sim/deliveries", get(sim_api::list_deliveries))
        .route("/sim/uis/contacts", get(sim_api::list_contacts))
        .route(
            "/sim/uis/contacts/{id}",
            put(sim_api::put_contact).delete(sim_api::delete_contact),
        )
        .route("/healthz", get(|| async { "ok\n" }))
        .with_state(Arc::clone(&sim));
    Router::new()
        .merge(control)
        .merge(inspect)
        .merge(recordings::routes(Arc::clone(&sim.recordings)))
}
