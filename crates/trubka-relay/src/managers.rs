//! Personal managers: which agent a client's calls go to, for UIS interactive call processing
//! (`/hooks/uis/{token}/route`, reference A.7).
//!
//! Two tables (migration 2): `managers(phone_e164 PRIMARY KEY, agent_id)`, the client's number
//! and their manager, and `manager_phones(agent_id PRIMARY KEY, phone)`, the number UIS rings to
//! reach that agent (their mobile or SIP number, digits as UIS writes them). The ring phone is
//! per agent, so changing it once changes it for all their clients. `trubka-relay manager set
//! NUMBER AGENT [--phone PHONE]` fills both; without `--phone` the agent's number is kept
//! when known, else looked up once in UIS (`get.employees`, the agent's first active phone).
//!
//! The route endpoint answers from these tables alone (one primary-key read), never asking the
//! PBX, so it answers well within the time UIS waits. A revoked agent routes nobody.

use std::path::Path;

use chrono::Utc;
use rusqlite::{Connection, OptionalExtension, params};

use crate::store::{Role, Store, StoreError, open_connection, prepare_data_dir};

/// Migration 2 of `crate::store::schema`.
pub(crate) const SCHEMA: &str = r#"
    -- A client's number (E.164) and the agent who is their personal manager.
    CREATE TABLE managers(
        phone_e164 TEXT PRIMARY KEY,
        agent_id INTEGER NOT NULL,
        updated_at INTEGER NOT NULL     -- unix seconds
    ) WITHOUT ROWID;
    CREATE INDEX managers_by_agent ON managers(agent_id);

    -- The number UIS rings to put a client through to an agent.
    CREATE TABLE manager_phones(
        agent_id INTEGER PRIMARY KEY,
        phone TEXT NOT NULL
    );
"#;

#[derive(Debug, thiserror::Error)]
pub enum ManagerError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("no agent named `{0}`")]
    NoSuchAgent(String),
    #[error("agent `{0}` is revoked")]
    Revoked(String),
}

impl From<rusqlite::Error> for ManagerError {
    fn from(error: rusqlite::Error) -> ManagerError {
        ManagerError::Store(StoreError::Sqlite(error))
    }
}

/// One assignment as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// The client's number, E.164.
    pub phone: String,
    pub agent: String,
    /// The number UIS rings for this agent, when set.
    pub ring_phone: Option<String>,
    /// The agent is active (a revoked agent's clients are not routed).
    pub active: bool,
}

/// An agent as `manager set` needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagerAgent {
    pub id: i64,
    pub name: String,
    pub uis_employee: Option<String>,
    /// The ring phone already stored for the agent.
    pub ring_phone: Option<String>,
}

/// Synchronous access for the CLI; usable while a relay runs on the same folder.
pub struct Managers {
    conn: Connection,
}

impl Managers {
    /// Opens the database in `data_dir`, migrating it when needed.
    pub fn open(data_dir: &Path) -> Result<Managers, ManagerError> {
        drop(Store::open(data_dir)?);
        let conn = open_connection(&prepare_data_dir(data_dir)?, Role::Writer)?;
        Ok(Managers { conn })
    }

    /// The active agent called `name`.
    pub fn agent(&self, name: &str) -> Result<ManagerAgent, ManagerError> {
        let row = self
            .conn
            .query_row(
                "SELECT a.id, a.uis_employee, a.revoked_at, p.phone FROM agents a
                 LEFT JOIN manager_phones p ON p.agent_id = a.id WHERE a.name = ?1",
                [name],
                |row| {
                    Ok((
                        row.get::<_, i64>(0)?,
                        row.get::<_, Option<String>>(1)?,
                        row.get::<_, Option<i64>>(2)?,
                        row.get::<_, Option<String>>(3)?,
                    ))
                },
            )
            .optional()?;
        let (id, uis_employee, revoked, ring_phone) =
            row.ok_or_else(|| ManagerError::NoSuchAgent(name.to_owned()))?;
        if revoked.is_some() {
            return Err(ManagerError::Revoked(name.to_owned()));
        }
        Ok(ManagerAgent {
            id,
            name: name.to_owned(),
            uis_employee,
            ring_phone,
        })
    }

    /// Makes `agent` the manager of `phone_e164` and sets the agent's ring phone.
    pub fn set(
        &mut self,
        phone_e164: &str,
        agent: &ManagerAgent,
        ring_phone: &str,
    ) -> Result<(), ManagerError> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO managers(phone_e164, agent_id, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT(phone_e164) DO UPDATE SET agent_id = ?2, updated_at = ?3",
            params![phone_e164, agent.id, Utc::now().timestamp()],
        )?;
        tx.execute(
            "INSERT INTO manager_phones(agent_id, phone) VALUES (?1, ?2)
             ON CONFLICT(agent_id) DO UPDATE SET phone = ?2",
            params![agent.id, ring_phone],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Removes the assignment of `phone_e164`; `false` when there was none.
    pub fn unset(&self, phone_e164: &str) -> Result<bool, ManagerError> {
        let removed = self
            .conn
            .execute("DELETE FROM managers WHERE phone_e164 = ?1", [phone_e164])?;
        Ok(removed > 0)
    }

    /// Every assignment, by client number.
    pub fn list(&self) -> Result<Vec<Assignment>, ManagerError> {
        let mut stmt = self.conn.prepare(
            "SELECT m.phone_e164, a.name, p.phone, a.revoked_at IS NULL FROM managers m
             JOIN agents a ON a.id = m.agent_id
             LEFT JOIN manager_phones p ON p.agent_id = m.agent_id
             ORDER BY m.phone_e164",
        )?;
        let rows = stmt.query_map([], |row| {
            Ok(Assignment {
                phone: row.get(0)?,
                agent: row.get(1)?,
                ring_phone: row.get(2)?,
                active: row.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// The ring phone of the active personal manager of `phone_e164`, for the route endpoint.
pub(crate) fn ring_phone(
    conn: &Connection,
    phone_e164: &str,
) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT p.phone FROM managers m
             JOIN agents a ON a.id = m.agent_id AND a.revoked_at IS NULL
             JOIN manager_phones p ON p.agent_id = m.agent_id
             WHERE m.phone_e164 = ?1",
        )?
        .query_row([phone_e164], |row| row.get(0))
        .optional()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agents::NewAgent;

    #[test]
    fn assignments_route_to_active_agents_only() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        for name in ["Анна", "Игорь"] {
            let new = NewAgent {
                name: name.to_owned(),
                ..NewAgent::default()
            };
            store.add_agent(&new).unwrap();
        }
        let mut managers = Managers::open(dir.path()).unwrap();
        let anna = managers.agent("Анна").unwrap();
        assert_eq!(anna.ring_phone, None);
        managers.set("+79261234567", &anna, "79030000001").unwrap();
        managers.set("+79161112233", &anna, "79030000002").unwrap();
        let igor = managers.agent("Игорь").unwrap();
        managers.set("+79161112233", &igor, "79030000003").unwrap();

        let list = managers.list().unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].agent, "Игорь");
        assert_eq!(list[1].ring_phone.as_deref(), Some("79030000002"));
        assert_eq!(
            managers.agent("Анна").unwrap().ring_phone.as_deref(),
            Some("79030000002")
        );

        let conn = open_connection(&prepare_data_dir(dir.path()).unwrap(), Role::Reader).unwrap();
        assert_eq!(
            ring_phone(&conn, "+79261234567").unwrap().as_deref(),
            Some("79030000002")
        );
        assert_eq!(ring_phone(&conn, "+70000000000").unwrap(), None);
        store.revoke_agent("Анна").unwrap();
        assert_eq!(ring_phone(&conn, "+79261234567").unwrap(), None);
        assert!(matches!(
            managers.agent("Анна"),
            Err(ManagerError::Revoked(_))
        ));
        assert!(managers.unset("+79261234567").unwrap());
        assert!(!managers.unset("+79261234567").unwrap());
        assert!(matches!(
            managers.agent("Никто"),
            Err(ManagerError::NoSuchAgent(_))
        ));
    }
}
