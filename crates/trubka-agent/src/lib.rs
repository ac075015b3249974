//! Trubka's desktop engine without any GUI: everything the `trubka` desktop app and the
//! `trubka-cli` binary do, as a library.
//!
//! The façade is [`engine::Engine`]; the rest are its parts:
//! - [`profile`]: the profile folder (`--home`, `TRUBKA_HOME` or the OS data dir) and token;
//! - [`settings`]: the typed settings with their defaults;
//! - [`store`]: the local SQLite cache on its own thread;
//! - [`numbers`]: phone numbers as stored and looked up;
//! - [`contacts`]: import, export and matching;
//! - [`calls`]: a call's state folded from its events, as history and cards show it;
//! - [`call_enums`]: its direction, status and outcome as JSON and SQLite spell them;
//! - [`people`]: how an employee or agent is named on cards, history and cases;
//! - [`cards`]: the live call cards;
//! - [`followups`]: missed-call follow-ups;
//! - [`relay_client`], [`backoff`]: the resumable event stream;
//! - [`relay_api`], [`dial`]: `/v1/me` and `/v1/calls` (click-to-call);
//! - [`invite`]: sign-in by the admin's one-time invite link;
//! - [`cli`]: the `trubka-cli` commands and terminal view.

pub mod backoff;
pub mod call_enums;
pub mod calls;
pub mod cards;
pub mod cli;
pub mod contacts;
pub mod dial;
pub mod engine;
pub mod followups;
pub mod invite;
pub mod people;
pub mod profile;
pub mod relay_api;
pub mod relay_client;
pub mod settings;
pub mod store;
pub mod tokens;

pub use engine::{Engine, EngineError, EngineEvent};
/// Phone numbers as the agent stores and looks them up, from trubka-contacts under the path
/// the engine's users name.
pub use trubka_contacts::numbers;
