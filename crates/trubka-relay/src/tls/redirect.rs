//! The plain-HTTP side of a relay that serves HTTPS (`[tls] redirect_listen`): every
//! request is sent to the same path over HTTPS with 308, which keeps a webhook's method
//! and body, and the ACME CA's http-01 requests get the key authorizations of the order in
//! progress (`/.well-known/acme-challenge/{token}`).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// The http-01 answers the CA may ask for now: token → key authorization.
#[derive(Debug, Clone, Default)]
pub struct Challenges(Arc<RwLock<HashMap<String, String>>>);

impl Challenges {
    pub fn insert(&self, token: String, key_authorization: String) {
        self.write().insert(token, key_authorization);
    }

    pub fn remove(&self, token: &str) {
        self.write().remove(token);
    }

    fn get(&self, token: &str) -> Option<String> {
        let map = self
            .0
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        map.get(token).cloned()
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<String, String>> {
        // A panic elsewhere while holding the lock leaves a map that is still whole.
        self.0
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Where redirected requests go.
#[derive(Debug, Clone)]
pub struct Target {
    /// `https://relay.example.com[:port]` from `public_url`, when it is an https URL: the
    /// address the PBXs were given wins over whatever Host a request names.
    pub public_origin: Option<String>,
    /// The HTTPS port, for requests whose Host is used (left out when 443).
    pub https_port: u16,
}

#[derive(Clone)]
struct RedirectState {
    challenges: Challenges,
    target: Arc<Target>,
}

/// The redirect and challenge routes.
pub fn router(challenges: Challenges, target: Target) -> Router {
    Router::new()
        .route("/.well-known/acme-challenge/{token}", get(challenge))
        .fallback(redirect)
        .with_state(RedirectState {
            challenges,
            target: Arc::new(target),
        })
}

async fn challenge(State(state): State<RedirectState>, Path(token): Path<String>) -> Response {
    match state.challenges.get(&token) {
        Some(answer) => ([(header::CONTENT_TYPE, "text/plain")], answer).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn redirect(State(state): State<RedirectState>, headers: HeaderMap, uri: Uri) -> Response {
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let origin = match &state.target.public_origin {
        Some(origin) => origin.clone(),
        None => {
            let host = headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .and_then(host_name);
            let Some(host) = host else {
                return (
                    StatusCode::BAD_REQUEST,
                    "HTTPS only; no usable Host header\n",
                )
                    .into_response();
            };
            match state.target.https_port {
                443 => format!("https://{host}"),
                port => format!("https://{host}:{port}"),
            }
        }
    };
    (
        StatusCode::PERMANENT_REDIRECT,
        [(header::LOCATION, format!("{origin}{path}"))],
    )
        .into_response()
}

/// The host of a Host header without its port, when it is a plain name or address (so a
/// crafted header cannot make the redirect point at something that is not a host).
fn host_name(host: &str) -> Option<&str> {
    let name = if host.starts_with('[') {
        // [v6]:port or [v6]
        &host[..=host.find(']')?]
    } else {
        host.rsplit_once(':').map_or(host, |(name, _)| name)
    };
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']');
    (!name.is_empty() && name.chars().all(allowed)).then_some(name)
}

/// The origin (`https://host[:port]`) of `public_url` when it is an https URL.
pub fn public_origin(public_url: Option<&str>) -> Option<String> {
    let url = url::Url::parse(public_url?).ok()?;
    if url.scheme() != "https" {
        return None;
    }
    Some(url.origin().ascii_serialization())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_headers_lose_their_port_and_odd_ones_are_refused() {
        assert_eq!(host_name("relay.example.com:80"), Some("relay.example.com"));
        assert_eq!(host_name("relay.example.com"), Some("relay.example.com"));
        assert_eq!(host_name("[::1]:80"), Some("[::1]"));
        assert_eq!(host_name("evil.com/path"), None);
        assert_eq!(host_name("a@b"), None);
        assert_eq!(host_name(""), None);
        assert_eq!(host_name("[::1"), None);
    }

    #[test]
    fn only_an_https_public_url_names_the_origin() {
        assert_eq!(
            public_origin(Some("https://relay.example.com/")).as_deref(),
            Some("https://relay.example.com")
        );
        assert_eq!(
            public_origin(Some("https://relay.example.com:8443/x")).as_deref(),
            Some("https://relay.example.com:8443")
        );
        assert_eq!(public_origin(Some("http://relay.example.com")), None);
        assert_eq!(public_origin(None), None);
    }
}
