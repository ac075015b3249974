//! `trubka-cli`: the headless agent. Arguments ([`args`]), terminal rendering ([`render`])
//! and the commands ([`commands`]; the address book's in [`contacts`], the cases' in
//! [`cases`], call control and statuses in [`control`]); the binary only sets up logging and
//! the runtime.

pub mod args;
pub mod cases;
pub mod commands;
pub mod contacts;
pub mod control;
pub mod render;

pub use args::Cli;
pub use commands::run;
