//! The PBX clients' integration tests, one binary: each UIS and Sipuni client call against a
//! mock PBX on 127.0.0.1:0 that records what it was sent and answers as the docs show.

mod support;

mod sipuni_api;
mod uis_call_api;
mod uis_call_control;
mod uis_contacts;
mod uis_data_api;
mod uis_errors;
mod uis_tags;
