//! Click-to-call: normalise what the agent typed, then ask the relay to place the call.
//! A number that is not one fails here, before any request.

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
    let number = parser.parse(text)?;
    let accepted = api.dial(&number).await?;
    Ok((number.e164().to_owned(), accepted))
}
