//! The HTTP edge: routes, extractors and the one error translation.
//!
//! - [`hooks`]: PBX webhooks in; [`route`]: UIS interactive call processing.
//! - [`calls`]: click-to-call (`POST /v1/calls`); [`pbx_status`]: PBX refusals as statuses.
//! - [`control`]: call control on the agent's own call and what its PBX offers.
//! - [`presence`]: agents' statuses, written to and read back from the PBX.
//! - [`stream`] + [`session`]: the agent WebSocket stream out.
//! - [`scenarios`]: the scenarios and schemes an agent may call through, by name.
//! - [`requests`]: offline requests («заявки») uploaded to UIS, and what they are filed under.
//! - [`cases`]: the team's cases, claims, closes, notes on calls and the admin's tags.
//! - [`me`]: the agent's profile.
//! - [`directory`]: the team directory (changes, contacts and their history, lookup).
//! - [`updates`]: the app's update check and the published packages' download.
//! - [`join`] + [`join_page`]: sign-in by invite link (the page, the code's state, the
//!   exchange for a token).
//! - [`health`]: `/healthz` and `/metrics`.
//! - [`auth`]: agent bearer tokens.
//! - [`error`]: [`ApiError`], every failure's status code and JSON body.
//!
//! Architecture invariant: the rest of the crate knows nothing of HTTP status codes or
//! request shapes; handlers translate at this edge and only here.

mod auth;
mod calls;
mod cases;
mod control;
mod customer;
mod directory;
pub mod error;
mod health;
mod hooks;
mod join;
mod join_page;
mod me;
mod pbx_status;
mod presence;
mod requests;
mod route;
mod scenarios;
mod session;
mod stream;
mod updates;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

pub use error::ApiError;

use crate::relay::AppState;

/// All routes of the relay.
pub(crate) fn router(state: AppState) -> Router {
    Router::new()
        .route("/hooks/uis/{token}", get(hooks::uis).post(hooks::uis))
        .route(
            "/hooks/uis/{token}/route",
            get(route::route).post(route::route),
        )
        .route(
            "/hooks/uis/{token}/{kind}",
            get(hooks::uis_with_kind).post(hooks::uis_with_kind),
        )
        .route(
            "/hooks/sipuni/{token}",
            get(hooks::sipuni).post(hooks::sipuni),
        )
        .route("/v1/stream", get(stream::stream))
        .route("/v1/me", get(me::me))
        .route("/join/{code}", get(join::page))
        .route("/v1/join", post(join::redeem))
        .route("/v1/join/{code}", get(join::status))
        .route("/v1/calls", post(calls::place))
        .route("/v1/calls/{call_id}/control", post(control::control))
        .route("/v1/calls/{call_id}/actions", get(control::actions))
        .route("/v1/presence", get(presence::list).put(presence::set))
        .route("/v1/presence/reasons", get(presence::reasons))
        .route("/v1/cases", get(cases::list))
        .route(
            "/v1/cases/{key}/claim",
            post(cases::claim).delete(cases::release),
        )
        .route("/v1/cases/{key}/close", post(cases::close))
        .route(
            "/v1/calls/{call_id}/notes",
            get(cases::list_notes).post(cases::add_note),
        )
        .route("/v1/tags", get(cases::tags))
        .route("/v1/scenarios", get(scenarios::list))
        .route("/v1/requests", post(requests::create))
        .route("/v1/requests/targets", get(requests::targets))
        .route("/v1/directory/changes", get(directory::changes))
        .route("/v1/directory/lookup", get(directory::lookup))
        .route("/v1/directory/contacts", post(directory::create))
        .route(
            "/v1/directory/contacts/{id}",
            get(directory::contact)
                .put(directory::update)
                .delete(directory::delete),
        )
        .route(
            "/v1/directory/contacts/{id}/numbers",
            post(directory::attach),
        )
        .route(
            "/v1/app/update/{target}/{arch}/{current_version}",
            get(updates::check),
        )
        .route("/v1/app/packages/{file}", get(updates::package))
        .route("/healthz", get(health::healthz))
        .route("/metrics", get(health::metrics))
        .fallback(|| async { ApiError::NotFound })
        .layer(DefaultBodyLimit::max(hooks::MAX_BODY))
        .with_state(state)
}
