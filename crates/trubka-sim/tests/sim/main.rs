//! The simulator's integration tests, one binary: the simulated PBXs' webhooks, APIs and
//! refusals, each against a real HTTP receiver on 127.0.0.1:0. One binary rather than one per file,
//! so the simulator is linked once.

mod common;

mod address_book;
mod api;
mod mp3_decode;
mod notifications_report;
mod sipuni;
mod sipuni_api;
mod sipuni_control;
mod uis;
mod uis_api;
mod uis_control;
mod uis_errors;
mod uis_offline;
mod uis_tags;
