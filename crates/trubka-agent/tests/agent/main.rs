//! The desktop engine's integration tests, one binary: the engine against SQLite files and real
//! relays on 127.0.0.1:0, and the `trubka-cli` binary as an agent runs it. One binary rather than
//! one per file, so the engine and the relay are linked once.

mod common;

mod cards;
mod cases;
mod cli_cases;
mod cli_directory;
mod cli_invite;
mod cli_picks;
mod contacts_import;
mod control;
mod directory_sync;
mod followups;
mod history;
mod matching;
mod query_plans;
mod relay_stream;
