//! Click-to-call: normalise what the agent typed, then ask the relay to place the call,
//! directly or through a UIS scenario / Sipuni scheme picked by name. A number that is not
//! one fails here, before any request.

use crate::numbers::{NumberError, NumberParser};
use crate::relay_api::{ApiError, DialAccepted, RelayApi};

/// Why a call was not placed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DialError {
    #[error("cannot dial: {0}")]
    BadNumber(#[from] NumberError),
    #[error("not signed in: run `trubka-cli login --relay URL --token TOKEN` first")]
    NotSignedIn,
    #[error("{0}")]
    Relay(#[from] ApiError),
}

/// Parses `text` (any common format) and asks the relay to call it.
pub async fn dial(
    api: &RelayApi,
    parser: &NumberParser,
    text: &str,
) -> Result<(String, DialAccepted), DialError> {
    dial_via(api, parser, text, None).await
}

/// Like [`dial`], through the scenario or scheme called `scenario` (a name from
/// `GET /v1/scenarios`; the relay refuses an unknown one with the names there are).
pub async fn dial_via(
    api: &RelayApi,
    parser: &NumberParser,
    text: &str,
    scenario: Option<&str>,
) -> Result<(String, DialAccepted), DialError> {
    let number = parser.parse(text)?;
    let scenario = scenario.map(str::trim).filter(|name| !name.is_empty());
    let accepted = api.dial_via(&number, scenario).await?;
    Ok((number.e164().to_owned(), accepted))
}
