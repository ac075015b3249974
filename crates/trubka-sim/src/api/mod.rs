//! The simulated PBX APIs, mounted as the real services' paths under the simulator:
//!
//! - `POST /uis/callapi/v4.0`: the UIS Call API ([`uis_call`], call control
//!   [`uis_control`]);
//! - `POST /uis/dataapi/v2.0`: the UIS Data API ([`uis_data`], [`uis_catalog`], employee
//!   statuses [`uis_status`], and the
//!   offline requests with their sites and campaigns, [`uis_offline`]; the report of sent
//!   notifications, [`uis_notifications`]; tags, [`uis_tags`]; the address book,
//!   [`uis_contacts`]);
//! - `/sipuni/api/…`: the Sipuni API ([`sipuni`], [`sipuni_export`], [`sipuni_call`]).
//!
//! Both UIS APIs share the JSON-RPC envelope, authentication, the IP allow-list, tariff
//! components and points budgets ([`uis_jsonrpc`], [`limits`]), parameter checks
//! ([`uis_params`]) and, for `get.*` lists, `fields`/`filter`/`sort`/paging ([`uis_list`]).
//! Every route goes through the request log ([`crate::request_log`]).

pub mod limits;
pub mod sipuni;
pub mod sipuni_call;
pub mod sipuni_export;
pub mod uis_call;
pub mod uis_catalog;
pub mod uis_contacts;
pub mod uis_control;
pub mod uis_data;
pub mod uis_jsonrpc;
pub mod uis_list;
pub mod uis_notifications;
pub mod uis_offline;
pub mod uis_params;
pub mod uis_status;
pub mod uis_tags;

use std::sync::Arc;

use axum::{
    Router,
    routing::{any, post},
};

use crate::sim::Sim;

/// The PBX API routes (state applied by the caller).
pub fn routes() -> Router<Arc<Sim>> {
    Router::new()
        .route("/uis/callapi/v4.0", post(uis_jsonrpc::call_api))
        .route("/uis/callapi/v4.0/", post(uis_jsonrpc::call_api))
        .route("/uis/dataapi/v2.0", post(uis_jsonrpc::data_api))
        .route("/uis/dataapi/v2.0/", post(uis_jsonrpc::data_api))
        .route("/sipuni/api/{*operation}", any(sipuni::handle))
}
