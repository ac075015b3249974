//! Invites: one-time links by which an agent signs in without being handed a token.
//!
//! `agent add` and `agent invite NAME` make a code (128 random bits) and print
//! `{public_url}/join/{code}`; only the code's SHA-256 is stored, like the agents' tokens. The
//! page there (`crate::http::join`) opens the app with `trubka://join?relay=…&code=…`, and the
//! app (or `trubka-cli login --invite`) exchanges the code once for a newly minted agent token
//! (`POST /v1/join`). The relay keeps no token in clear text, so the exchange mints a new one
//! and it replaces the agent's previous token: signing in on a new PC signs the old one out at
//! its next connection. The raw token exists only in that one response.
//!
//! [`InviteDesk`] is the async side's handle (the exchange writes, on a connection of its
//! own, like `crate::placed`); the SQL is in `crate::store::invites`.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, TimeDelta, Utc};
use rusqlite::Connection;
use sha2::{Digest, Sha256};

use crate::agents::{Agent, AgentToken};
use crate::store::{Role, StoreError, open_connection};

/// How long a link works unless `--expires` says otherwise.
pub const DEFAULT_VALIDITY: TimeDelta = TimeDelta::hours(72);
/// The longest `--expires`: a link lying in a mailbox for months is a token lying there.
pub const MAX_VALIDITY: TimeDelta = TimeDelta::days(30);

/// An invite code in clear text: exists between its generation and the printed link, and
/// when someone presents it.
#[derive(Clone, PartialEq, Eq)]
pub struct InviteCode(pub String);

/// Hex characters of a code (128 bits).
const CODE_LEN: usize = 32;

impl InviteCode {
    pub fn generate() -> InviteCode {
        InviteCode(hex::encode(rand::random::<[u8; CODE_LEN / 2]>()))
    }

    /// The form stored and looked up. The lookup is by this hash, so its timing tells an
    /// attacker about hashes, never about codes; 128 random bits leave nothing to guess.
    pub fn hash(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))
    }

    /// Whether `text` can be a code at all; anything else is unknown without a lookup.
    pub fn well_formed(text: &str) -> bool {
        text.len() == CODE_LEN && text.bytes().all(|b| b.is_ascii_hexdigit())
    }
}

impl std::fmt::Debug for InviteCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("InviteCode(…)")
    }
}

/// What an invite is now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InviteState {
    Valid,
    Used,
    Expired,
    /// The agent was revoked, or a newer link was made for them.
    Revoked,
}

impl InviteState {
    pub fn as_str(self) -> &'static str {
        match self {
            InviteState::Valid => "valid",
            InviteState::Used => "used",
            InviteState::Expired => "expired",
            InviteState::Revoked => "revoked",
        }
    }
}

/// An invite as looked up, without consuming it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteStatus {
    pub agent: String,
    pub state: InviteState,
    pub expires_at: DateTime<Utc>,
}

/// A link just made.
#[derive(Debug, Clone)]
pub struct NewInvite {
    pub agent: Agent,
    pub code: InviteCode,
    pub expires_at: DateTime<Utc>,
}

/// Why a code was not exchanged; each says what to ask the admin for, in Russian (the
/// agents' language), since agents read it in the app and in `trubka-cli`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error(
        "такой ссылки-приглашения нет: проверьте, что она скопирована целиком, или попросите \
         у администратора новую"
    )]
    Unknown,
    #[error(
        "эта ссылка-приглашение уже использована; чтобы войти на этом компьютере, попросите \
         у администратора новую"
    )]
    Used,
    #[error("срок ссылки-приглашения истёк; попросите у администратора новую")]
    Expired,
    #[error(
        "ссылка-приглашение отозвана (оператор отключён или выдана новая ссылка); спросите \
         у администратора действующую"
    )]
    Revoked,
}

impl Refusal {
    pub fn code(self) -> &'static str {
        match self {
            Refusal::Unknown => "invite_unknown",
            Refusal::Used => "invite_used",
            Refusal::Expired => "invite_expired",
            Refusal::Revoked => "invite_revoked",
        }
    }
}

/// Why an exchange failed.
#[derive(Debug, thiserror::Error)]
pub enum InviteError {
    #[error(transparent)]
    Refused(Refusal),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for InviteError {
    fn from(e: rusqlite::Error) -> InviteError {
        InviteError::Store(e.into())
    }
}

/// Reads `--expires`: a number of minutes, hours or days (`90m`, `72h`, `7d`), from one
/// minute up to [`MAX_VALIDITY`].
pub fn parse_validity(text: &str) -> Result<TimeDelta, String> {
    let text = text.trim();
    let bad = || format!("«{text}» is not a duration; write e.g. 90m, 72h or 7d");
    let split = text.len().checked_sub(1).ok_or_else(bad)?;
    let (number, unit) = text.split_at_checked(split).ok_or_else(bad)?;
    let number: i64 = number.trim().parse().map_err(|_| bad())?;
    let validity = match unit {
        "m" => TimeDelta::try_minutes(number),
        "h" => TimeDelta::try_hours(number),
        "d" => TimeDelta::try_days(number),
        _ => None,
    }
    .ok_or_else(bad)?;
    if validity < TimeDelta::minutes(1) {
        return Err(format!("«{text}»: a link must work for at least a minute"));
    }
    if validity > MAX_VALIDITY {
        return Err(format!(
            "«{text}» is longer than the most a link may work, {} days",
            MAX_VALIDITY.num_days()
        ));
    }
    Ok(validity)
}

/// The page an agent opens: `{public_url}/join/{code}`.
pub fn join_url(public_url: &str, code: &str) -> String {
    format!("{}/join/{code}", public_url.trim_end_matches('/'))
}

/// The link that starts the app: `trubka://join?relay=…&code=…`.
pub fn app_link(relay: &str, code: &str) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("relay", relay.trim_end_matches('/'))
        .append_pair("code", code)
        .finish();
    format!("trubka://join?{query}")
}

/// The async side's handle: looks invites up and exchanges them on a blocking thread with a
/// connection of its own, and knows the public address the page points the app at.
pub(crate) struct InviteDesk {
    path: PathBuf,
    conn: Arc<Mutex<Option<Connection>>>,
    public_url: Option<String>,
}

impl InviteDesk {
    pub(crate) fn new(path: PathBuf, public_url: Option<String>) -> InviteDesk {
        InviteDesk {
            path,
            conn: Arc::new(Mutex::new(None)),
            public_url,
        }
    }

    /// The configured public base URL, if any.
    pub(crate) fn public_url(&self) -> Option<&str> {
        self.public_url.as_deref()
    }

    /// What `code` is now; `None` when no such invite exists.
    pub(crate) async fn status(&self, code: String) -> Result<Option<InviteStatus>, StoreError> {
        if !InviteCode::well_formed(&code) {
            return Ok(None);
        }
        let hash = InviteCode(code).hash();
        self.with_conn(move |conn| crate::store::invites::status(conn, &hash, Utc::now()))
            .await?
    }

    /// Exchanges `code` for a new token of its agent, once.
    pub(crate) async fn redeem(&self, code: String) -> Result<(Agent, AgentToken), InviteError> {
        if !InviteCode::well_formed(&code) {
            return Err(InviteError::Refused(Refusal::Unknown));
        }
        let hash = InviteCode(code).hash();
        self.with_conn(move |conn| crate::store::invites::redeem(conn, &hash, Utc::now()))
            .await?
    }

    async fn with_conn<R, F>(&self, work: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&Connection) -> R + Send + 'static,
    {
        let path = self.path.clone();
        let slot = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            let mut slot = slot.lock().unwrap_or_else(PoisonError::into_inner);
            if slot.is_none() {
                *slot = Some(open_connection(&path, Role::Writer)?);
            }
            let conn = slot.as_ref().ok_or(StoreError::WriterStopped)?;
            Ok(work(conn))
        })
        .await
        .map_err(|e| StoreError::WriteFailed(e.to_string()))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_random_hashed_and_never_debug_printed() {
        let a = InviteCode::generate();
        assert_ne!(a, InviteCode::generate());
        assert!(InviteCode::well_formed(&a.0));
        assert!(!InviteCode::well_formed("abc"));
        assert!(!InviteCode::well_formed(&"z".repeat(CODE_LEN)));
        assert_eq!(a.hash().len(), 64);
        assert!(!format!("{a:?}").contains(&a.0));
    }

    #[test]
    fn validity_is_read_in_minutes_hours_or_days_within_bounds() {
        assert_eq!(parse_validity("72h"), Ok(TimeDelta::hours(72)));
        assert_eq!(parse_validity(" 90m"), Ok(TimeDelta::minutes(90)));
        assert_eq!(parse_validity("30d"), Ok(MAX_VALIDITY));
        for bad in [
            "",
            "h",
            "72",
            "3w",
            "-1h",
            "0m",
            "31d",
            "9999999999999999d",
            "сутки",
        ] {
            assert!(parse_validity(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn links_carry_the_relay_and_the_code_encoded() {
        assert_eq!(
            join_url("https://relay.example.com/", "c0de"),
            "https://relay.example.com/join/c0de"
        );
        assert_eq!(
            app_link("https://relay.example.com/trubka/", "c0de"),
            "trubka://join?relay=https%3A%2F%2Frelay.example.com%2Ftrubka&code=c0de"
        );
    }
}
