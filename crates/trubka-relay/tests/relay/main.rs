//! The relay's integration tests, one binary: each module starts real relays (and, where it
//! needs them, PBX stand-ins, TLS proxies, an ACME server) on 127.0.0.1:0. One binary rather than
//! one per file: every test binary links the whole relay, and thirty of them cost gigabytes of disk
//! and minutes of linking on CI's two cores.

mod certs;
mod common;
mod crm_stub;
mod https;
mod support;

mod acme;
mod app_updates;
mod auth;
mod calls;
mod case_calls;
mod cases;
mod check;
mod control;
mod crm_lookup;
mod directory;
mod directory_files;
mod durability;
mod english;
mod hooks;
mod invites;
mod join_page;
mod packaged_config;
mod picks;
mod presence;
mod privacy;
mod proxy;
mod reconcile;
mod resume;
mod retention;
mod route;
mod setup;
mod time_zones;
mod tls;
mod tls_signal;
mod uis_sync;
mod uis_tags;
mod walkthrough;
