//! Administration commands around the PBXs: what to paste into the cabinets, personal
//! managers, and the check of the PBX APIs. Output is Russian, for the admin.
//!
//! - [`uis_templates`]: `trubka-relay uis-templates` — every UIS notification, and the
//!   interactive call processing URL.
//! - [`sipuni`]: `trubka-relay sipuni-setup` — «События на АТС» and the API key.
//! - [`manager`]: `trubka-relay manager set|unset|list`.
//! - [`check`]: `trubka-relay check` (with [`zones`], the offsets of the account time zones
//!   it can compare with `utc_offset`).
//! - [`status`]: `trubka-relay status` — the last notification heard of each kind, and the
//!   last requests turned away.

pub mod check;
pub mod manager;
pub mod sipuni;
pub mod status;
pub mod uis_templates;
mod zones;

use std::io::{self, Write};

use crate::config::RelayConfig;
use crate::store::{Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(
        "the relay's public address is unknown: pass --public-url https://relay.example.com \
         or set public_url in the config"
    )]
    NoPublicUrl,
    #[error("--public-url {0:?} must start with https:// (or http://)")]
    BadPublicUrl(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot write output: {0}")]
    Output(#[from] io::Error),
}

/// Which printout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Printout {
    Uis,
    Sipuni,
}

/// Prints the UIS or Sipuni settings for `public_url` (else the configured one), with the
/// hook tokens of the relay's database (generated and kept on first use, as `serve` does).
pub fn print(
    config: &RelayConfig,
    public_url: Option<&str>,
    printout: Printout,
    out: &mut impl Write,
) -> Result<(), SetupError> {
    let url = public_url
        .or(config.public_url.as_deref())
        .ok_or(SetupError::NoPublicUrl)?
        .trim();
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(SetupError::BadPublicUrl(url.to_owned()));
    }
    let tokens = Store::open(&config.data_dir)?.hook_tokens(config)?;
    match printout {
        Printout::Uis => uis_templates::write(out, url, &tokens.uis)?,
        Printout::Sipuni => sipuni::write(out, url, &tokens.sipuni)?,
    }
    Ok(())
}
