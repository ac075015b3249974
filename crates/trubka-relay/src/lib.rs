//! trubka-relay: takes UIS and Sipuni webhooks, stores every call event durably with a
//! sequence number, decides which agents may see it, and streams it to them over WebSocket,
//! replaying what a reconnecting agent missed.
//!
//! - [`config`]: [`RelayConfig`], the only source of defaults (file, env, flags).
//! - [`store`]: the SQLite event log: schema, the group-committing writer, reads, agents.
//! - [`agents`]: agent records, tokens (stored as SHA-256), the in-memory index.
//! - [`audience`]: who may see an event — a pure function, the privacy rule in one place.
//! - [`hub`]: live fan-out to the open streams of an event's audience.
//! - [`directory`]: the team's phone book: contacts, their versions and history, CRM answers.
//! - [`invites`]: one-time sign-in links exchanged for an agent token.
//! - [`http`]: routes, webhook intake, the stream session, the one error translation.
//! - [`metrics`]: counters rendered as Prometheus text.
//! - [`pbx`]: the UIS and Sipuni API clients, built from the configuration.
//! - [`presence`]: agents' statuses on their PBX, written, read back and announced.
//! - [`choices`]: UIS scenarios, Sipuni schemes, sites and campaigns, picked by name.
//! - `control`: call control (hold, transfers, hang-up, coach) on the agent's own call.
//! - `cases`: the team's cases (issue 13), kept from the event log by a worker of their own,
//!   with claims, closes by hand, notes on calls and the admin's tags.
//! - `placed`: which agent placed which call from Trubka, so its events reach them.
//! - [`reconcile`]: pulls recent PBX call history and stores what the webhooks missed.
//! - [`retention`]: removes raw notifications and events older than `[retention]` allows.
//! - [`managers`]: personal managers (caller → agent) for UIS interactive call processing.
//! - [`setup`]: what the admin pastes into the PBX cabinets, and `check` of the PBX APIs.
//! - [`tls`]: the relay's own HTTPS (`[tls]`): certificate files or ACME, the redirect.
//! - [`updates`]: signed app builds published by `app publish`, offered to agents' apps.
//! - [`cli`]: `serve`, `agent add|edit|list|revoke|invite`, `contacts import|export|list`,
//!   `manager set|unset|list`, `uis-templates`, `sipuni-setup`, `check` (the binary is a thin
//!   wrapper).
//!
//! Entry points: [`run`] (listener + config + shutdown future), or [`Relay::open`] then
//! [`Relay::router`] / [`Relay::serve`]; [`Store`] for administration (agents, rejected
//! payloads), usable while a relay runs on the same data folder.

pub mod agents;
pub mod audience;
pub(crate) mod cases;
pub mod choices;
pub mod cli;
pub mod config;
mod control;
pub mod directory;
pub mod http;
pub mod hub;
pub mod invites;
pub mod managers;
pub mod metrics;
pub mod pbx;
mod placed;
pub mod presence;
pub mod reconcile;
mod relay;
pub mod retention;
mod schedule;
pub mod setup;
pub mod store;
pub mod tls;
pub mod uis_tags;
pub mod updates;

pub use agents::{Agent, AgentId, AgentToken, NewAgent};
pub use config::RelayConfig;
pub use relay::{Relay, RelayError, WebhookUrls, run};
pub use store::{HookTokens, Rejected, Store, StoreError};
