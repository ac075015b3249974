//! Agent authentication: a bearer token, looked up by its SHA-256 in the database.
//!
//! The database is asked on every connect (not a cache), so `agent add` and `agent revoke`
//! from the CLI take effect for the next connection at once, even while the relay runs.

use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;

use super::error::ApiError;
use crate::agents::{Agent, AgentToken};
use crate::relay::AppState;
use crate::store::read::agent_by_token_hash;

/// The token in `Authorization: Bearer …`, if any.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<AgentToken> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty())
        .then(|| AgentToken(token.to_owned()))
}

/// The active agent `token` belongs to; 401 for a missing, unknown or revoked token.
pub(crate) async fn agent(state: &AppState, token: Option<AgentToken>) -> Result<Agent, ApiError> {
    let token = token.ok_or(ApiError::Unauthorized)?;
    let hash = token.hash();
    let found = state
        .reads
        .run(move |conn| agent_by_token_hash(conn, &hash))
        .await
        .map_err(ApiError::Internal)?;
    found.filter(Agent::is_active).ok_or(ApiError::Unauthorized)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, value.parse().unwrap());
        headers
    }

    #[test]
    fn bearer_tokens_are_read_from_the_authorization_header() {
        assert_eq!(
            bearer(&headers("Bearer trk_abc")),
            Some(AgentToken("trk_abc".to_owned()))
        );
        assert_eq!(
            bearer(&headers("bearer  trk_abc ")),
            Some(AgentToken("trk_abc".to_owned()))
        );
        assert_eq!(bearer(&headers("Basic dXNlcjpwYXNz")), None);
        assert_eq!(bearer(&headers("Bearer ")), None);
        assert_eq!(bearer(&HeaderMap::new()), None);
    }
}
