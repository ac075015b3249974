//! Invite rows (`crate::invites`): make one, look one up, exchange one for a token.
//!
//! An agent has at most one link that works: a new one revokes the earlier unused ones, and
//! revoking the agent revokes them all (`agents::revoke`). The exchange is one `IMMEDIATE`
//! transaction that marks the invite used only if it still works and replaces the agent's
//! token hash, so two exchanges of one code cannot both succeed.

use chrono::{DateTime, TimeDelta, Utc};
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};

use super::{Store, StoreError, agents};
use crate::agents::{Agent, AgentToken};
use crate::invites::{InviteCode, InviteError, InviteState, InviteStatus, NewInvite, Refusal};

/// The migration that creates the table (appended to `schema`).
pub(crate) const SCHEMA: &str = r#"
    -- One-time sign-in links. Only the code's SHA-256 is kept.
    CREATE TABLE invites(
        id INTEGER PRIMARY KEY,
        code_hash TEXT NOT NULL UNIQUE,
        agent_id INTEGER NOT NULL,
        created_at INTEGER NOT NULL,    -- unix seconds
        expires_at INTEGER NOT NULL,
        used_at INTEGER,
        revoked_at INTEGER              -- the agent was revoked or a newer link made
    );
    CREATE INDEX invites_by_agent ON invites(agent_id);
"#;

impl Store {
    /// A new link for the active agent `name`, working for `validity`; the agent's earlier
    /// unused links stop working.
    pub fn invite(&self, name: &str, validity: TimeDelta) -> Result<NewInvite, StoreError> {
        create(&self.conn, name, validity, Utc::now())
    }

    /// What `code` is now, without consuming it; `None` when there is no such invite.
    pub fn invite_status(&self, code: &InviteCode) -> Result<Option<InviteStatus>, StoreError> {
        status(&self.conn, &code.hash(), Utc::now())
    }

    /// Exchanges `code` once for a new token of its agent (replacing the previous token).
    pub fn redeem_invite(&self, code: &InviteCode) -> Result<(Agent, AgentToken), InviteError> {
        redeem(&self.conn, &code.hash(), Utc::now())
    }
}

pub(crate) fn create(
    conn: &Connection,
    name: &str,
    validity: TimeDelta,
    now: DateTime<Utc>,
) -> Result<NewInvite, StoreError> {
    let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
    let agent = agents::list(&tx)?
        .into_iter()
        .find(|a| a.name == name && a.is_active())
        .ok_or_else(|| StoreError::NoSuchAgent(name.to_owned()))?;
    revoke_for_agent(&tx, agent.id, now)?;
    let code = InviteCode::generate();
    let expires_at = now + validity;
    tx.execute(
        "INSERT INTO invites(code_hash, agent_id, created_at, expires_at, used_at, revoked_at)
         VALUES (?1, ?2, ?3, ?4, NULL, NULL)",
        params![
            code.hash(),
            agent.id,
            now.timestamp(),
            expires_at.timestamp()
        ],
    )?;
    tx.commit()?;
    Ok(NewInvite {
        agent,
        code,
        expires_at: DateTime::from_timestamp(expires_at.timestamp(), 0).unwrap_or(expires_at),
    })
}

/// Revokes the agent's links that still work (a newer link, or the agent revoked).
pub(crate) fn revoke_for_agent(
    conn: &Connection,
    agent_id: i64,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE invites SET revoked_at = ?2
         WHERE agent_id = ?1 AND used_at IS NULL AND revoked_at IS NULL",
        params![agent_id, now.timestamp()],
    )?;
    Ok(())
}

/// One invite joined with its agent, before its state is decided.
struct Row {
    id: i64,
    agent_id: i64,
    agent: String,
    agent_revoked: bool,
    expires_at: i64,
    used: bool,
    revoked: bool,
}

fn find(conn: &Connection, hash: &str) -> Result<Option<Row>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT i.id, i.agent_id, a.name, a.revoked_at IS NOT NULL, i.expires_at,
                i.used_at IS NOT NULL, i.revoked_at IS NOT NULL
         FROM invites i JOIN agents a ON a.id = i.agent_id
         WHERE i.code_hash = ?1",
    )?;
    let row = stmt
        .query_row([hash], |r| {
            Ok(Row {
                id: r.get(0)?,
                agent_id: r.get(1)?,
                agent: r.get(2)?,
                agent_revoked: r.get(3)?,
                expires_at: r.get(4)?,
                used: r.get(5)?,
                revoked: r.get(6)?,
            })
        })
        .optional()?;
    Ok(row)
}

impl Row {
    /// Revoked first (the admin's decision says most), then used, then expired.
    fn state(&self, now: DateTime<Utc>) -> InviteState {
        if self.revoked || self.agent_revoked {
            InviteState::Revoked
        } else if self.used {
            InviteState::Used
        } else if self.expires_at <= now.timestamp() {
            InviteState::Expired
        } else {
            InviteState::Valid
        }
    }
}

pub(crate) fn status(
    conn: &Connection,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<InviteStatus>, StoreError> {
    let Some(row) = find(conn, hash)? else {
        return Ok(None);
    };
    let expires_at = DateTime::from_timestamp(row.expires_at, 0).ok_or_else(|| {
        StoreError::Corrupt(format!("invite time {} out of range", row.expires_at))
    })?;
    Ok(Some(InviteStatus {
        state: row.state(now),
        agent: row.agent,
        expires_at,
    }))
}

pub(crate) fn redeem(
    conn: &Connection,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<(Agent, AgentToken), InviteError> {
    let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
    let row = find(&tx, hash)?.ok_or(InviteError::Refused(Refusal::Unknown))?;
    match row.state(now) {
        InviteState::Valid => {}
        InviteState::Used => return Err(InviteError::Refused(Refusal::Used)),
        InviteState::Expired => return Err(InviteError::Refused(Refusal::Expired)),
        InviteState::Revoked => return Err(InviteError::Refused(Refusal::Revoked)),
    }
    tx.execute(
        "UPDATE invites SET used_at = ?2 WHERE id = ?1",
        params![row.id, now.timestamp()],
    )?;
    let token = AgentToken::generate();
    tx.execute(
        "UPDATE agents SET token_hash = ?2 WHERE id = ?1",
        params![row.agent_id, token.hash()],
    )?;
    let agent = agents::by_token_hash(&tx, &token.hash())?
        .ok_or_else(|| StoreError::Corrupt("the agent of an invite is gone".to_owned()))?;
    tx.commit()?;
    Ok((agent, token))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agents::NewAgent;

    fn store_with_anna() -> (tempfile::TempDir, Store, AgentToken) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let new = NewAgent {
            name: "Анна".to_owned(),
            ..NewAgent::default()
        };
        let (_, token) = store.add_agent(&new).unwrap();
        (dir, store, token)
    }

    #[test]
    fn a_code_is_exchanged_once_for_a_token_that_replaces_the_old_one() {
        let (_dir, store, old) = store_with_anna();
        let invite = store.invite("Анна", TimeDelta::hours(72)).unwrap();
        let status = store.invite_status(&invite.code).unwrap().unwrap();
        assert_eq!(status.state, InviteState::Valid);
        assert_eq!(status.agent, "Анна");
        // Looking does not consume it.
        assert_eq!(
            store.invite_status(&invite.code).unwrap().unwrap().state,
            InviteState::Valid
        );

        let (agent, token) = store.redeem_invite(&invite.code).unwrap();
        assert_eq!(agent.name, "Анна");
        assert_ne!(token, old);
        assert_eq!(store.agent_by_token(&token).unwrap(), Some(agent));
        assert_eq!(store.agent_by_token(&old).unwrap(), None);
        assert!(matches!(
            store.redeem_invite(&invite.code),
            Err(InviteError::Refused(Refusal::Used))
        ));
        assert_eq!(
            store.invite_status(&invite.code).unwrap().unwrap().state,
            InviteState::Used
        );
        assert!(matches!(
            store.redeem_invite(&InviteCode::generate()),
            Err(InviteError::Refused(Refusal::Unknown))
        ));
        assert!(matches!(
            store.invite("Никто", TimeDelta::hours(1)),
            Err(StoreError::NoSuchAgent(_))
        ));
    }

    #[test]
    fn expired_superseded_and_revoked_codes_are_refused_and_say_so() {
        let (dir, store, _) = store_with_anna();
        let invite = store.invite("Анна", TimeDelta::hours(1)).unwrap();
        let conn = &store.conn;
        let later = Utc::now() + TimeDelta::hours(2);
        assert_eq!(
            status(conn, &invite.code.hash(), later)
                .unwrap()
                .unwrap()
                .state,
            InviteState::Expired
        );
        assert!(matches!(
            redeem(conn, &invite.code.hash(), later),
            Err(InviteError::Refused(Refusal::Expired))
        ));

        let newer = store.invite("Анна", TimeDelta::hours(1)).unwrap();
        assert_eq!(
            store.invite_status(&invite.code).unwrap().unwrap().state,
            InviteState::Revoked
        );
        store.revoke_agent("Анна").unwrap();
        assert!(matches!(
            store.redeem_invite(&newer.code),
            Err(InviteError::Refused(Refusal::Revoked))
        ));
        // The revoked agent's name is free again; the old link stays the old agent's.
        drop(store);
        let store = Store::open(dir.path()).unwrap();
        store
            .add_agent(&NewAgent {
                name: "Анна".to_owned(),
                ..NewAgent::default()
            })
            .unwrap();
        assert!(matches!(
            store.redeem_invite(&newer.code),
            Err(InviteError::Refused(Refusal::Revoked))
        ));
        assert!(matches!(
            store.invite("Анна (отозван #1)", TimeDelta::hours(1)),
            Err(StoreError::NoSuchAgent(_))
        ));
    }
}
