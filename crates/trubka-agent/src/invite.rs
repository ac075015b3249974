//! Sign-in by invite link: the admin's one-time link (`https://RELAY/join/CODE`, or the
//! app link the page opens, `trubka://join?relay=…&code=…`) read into an [`Invite`], who it
//! signs in ([`preview`], `GET /v1/join/{code}`, consumes nothing), and the exchange of the
//! code for the agent token ([`redeem`], `POST /v1/join`, once). The engine then stores the
//! token as a sign-in with a token does ([`crate::Engine::login_with_invite`]).

use serde::{Deserialize, Serialize};
use url::Url;

use crate::relay_api::{ApiError, error_of, parse_relay_url};

/// A link read: the relay's base URL and the code.
#[derive(Clone, PartialEq, Eq)]
pub struct Invite {
    /// `https://relay.example.com` (with a path prefix if the relay has one), no trailing `/`.
    pub relay: String,
    pub code: String,
}

impl std::fmt::Debug for Invite {
    // The code signs someone in until it is used: not for logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Invite")
            .field("relay", &self.relay)
            .finish_non_exhaustive()
    }
}

/// Text that is no invite link.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "«{0}» is not an invite link (expected https://RELAY/join/CODE or \
     trubka://join?relay=…&code=…)"
)]
pub struct NotAnInvite(pub String);

/// Who a link signs in, before it is used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitePreview {
    pub agent: String,
    /// RFC 3339.
    pub expires_at: String,
}

#[derive(Deserialize)]
struct Redeemed {
    token: String,
}

/// A code as the relay makes them: hex digits. Anything else was cut or mangled on its way.
fn plausible_code(code: &str) -> bool {
    !code.is_empty() && code.len() <= 128 && code.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Reads `https://RELAY[/prefix]/join/CODE` or `trubka://join?relay=…&code=…`.
pub fn parse_invite(text: &str) -> Result<Invite, NotAnInvite> {
    let bad = || NotAnInvite(text.trim().to_owned());
    let url = Url::parse(text.trim()).map_err(|_| bad())?;
    let (relay, code) = match url.scheme() {
        "trubka" => {
            // `trubka://join?…` has the host `join`; `trubka:join?…` the path `join`.
            let target = url.host_str().unwrap_or_else(|| url.path());
            if target.trim_matches('/') != "join" {
                return Err(bad());
            }
            let pair = |name: &str| {
                url.query_pairs()
                    .find(|(key, _)| key == name)
                    .map(|(_, value)| value.into_owned())
            };
            (
                pair("relay").ok_or_else(bad)?,
                pair("code").ok_or_else(bad)?,
            )
        }
        "http" | "https" => {
            let path = url.path().trim_end_matches('/');
            let (prefix, code) = path.rsplit_once("/join/").ok_or_else(bad)?;
            let mut base = url.clone();
            base.set_path(prefix);
            base.set_query(None);
            base.set_fragment(None);
            (base.as_str().to_owned(), code.to_owned())
        }
        _ => return Err(bad()),
    };
    let relay = parse_relay_url(&relay).map_err(|_| bad())?;
    if !plausible_code(&code) {
        return Err(bad());
    }
    Ok(Invite {
        relay: relay.as_str().trim_end_matches('/').to_owned(),
        code,
    })
}

fn client() -> Result<reqwest::Client, ApiError> {
    reqwest::Client::builder()
        .connect_timeout(std::time::Duration::from_secs(10))
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .map_err(|e| ApiError::Network(e.to_string()))
}

fn endpoint(invite: &Invite, path: &str) -> Result<Url, ApiError> {
    let base = parse_relay_url(&invite.relay)?;
    base.join(path)
        .map_err(|_| ApiError::BadUrl(invite.relay.clone()))
}

/// Reads a JSON answer, or the relay's refusal (`invite_used`, `invite_expired`, …). A relay
/// from before invite links answers its generic 404.
async fn answer<T: serde::de::DeserializeOwned>(
    response: Result<reqwest::Response, reqwest::Error>,
) -> Result<T, ApiError> {
    let response = response.map_err(|e| ApiError::Network(e.to_string()))?;
    let status = response.status().as_u16();
    let body = response
        .text()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    if status == 200 {
        return serde_json::from_str(&body).map_err(|e| ApiError::BadResponse {
            status,
            detail: e.to_string(),
        });
    }
    match error_of(status, &body, false) {
        ApiError::Relay { code, .. } if code == "not_found" => {
            Err(ApiError::NotSupported("invite links"))
        }
        other => Err(other),
    }
}

/// `GET /v1/join/{code}`: who the link signs in; uses nothing up.
pub async fn preview(invite: &Invite) -> Result<InvitePreview, ApiError> {
    let url = endpoint(invite, &format!("v1/join/{}", invite.code))?;
    answer(client()?.get(url).send().await).await
}

/// `POST /v1/join`: the code for a new agent token, once. The token replaces the agent's
/// previous one on the relay.
pub async fn redeem(invite: &Invite) -> Result<String, ApiError> {
    let url = endpoint(invite, "v1/join")?;
    let request = client()?
        .post(url)
        .json(&serde_json::json!({ "code": invite.code }));
    let redeemed: Redeemed = answer(request.send().await).await?;
    Ok(redeemed.token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_links_and_app_links_are_read() {
        let code = "a5be555c75325015a21bb3ba451c3772";
        let expected = |relay: &str| Invite {
            relay: relay.to_owned(),
            code: code.to_owned(),
        };
        assert_eq!(
            parse_invite(&format!(" https://relay.example.com/join/{code} ")),
            Ok(expected("https://relay.example.com"))
        );
        assert_eq!(
            parse_invite(&format!("https://example.com/trubka/join/{code}/?x=1#top")),
            Ok(expected("https://example.com/trubka"))
        );
        assert_eq!(
            parse_invite(&format!(
                "trubka://join?relay=http%3A%2F%2F127.0.0.1%3A8765&code={code}"
            )),
            Ok(expected("http://127.0.0.1:8765"))
        );
        assert_eq!(
            parse_invite(&format!("trubka:join?code={code}&relay=https://r.example/")),
            Ok(expected("https://r.example"))
        );
        for bad in [
            "",
            "relay.example.com/join/abc",
            "https://relay.example.com/v1/me",
            "https://relay.example.com/join/",
            "https://relay.example.com/join/ab%20cd",
            "trubka://dial?relay=https://r.example&code=abc",
            "trubka://join?relay=ftp://r.example&code=abc",
            "trubka://join?relay=https://r.example",
            "tel:+74951234567",
        ] {
            assert!(parse_invite(bad).is_err(), "{bad}");
        }
        let invite = parse_invite(&format!("https://r.example/join/{code}")).unwrap();
        assert!(!format!("{invite:?}").contains(code));
    }
}
