//! Agent rows: add, edit, list, revoke, and look up by token hash.
//!
//! A revoked agent keeps its row (the deliveries of its past events point at it), under a
//! name that frees the old one: adding an agent with a revoked agent's name works.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, ErrorCode, OptionalExtension, Row, params};

use super::StoreError;
use crate::agents::{Agent, AgentEdit, AgentToken, NewAgent};

const COLUMNS: &str = "id, name, uis_employee, sipuni_ext, lines, supervisor, created_at, \
                       revoked_at, employee_phones, virtual_number";

pub(crate) fn add(conn: &Connection, new: &NewAgent) -> Result<(Agent, AgentToken), StoreError> {
    free_revoked_name(conn, &new.name)?;
    let token = AgentToken::generate();
    let lines: Vec<&str> = new.lines.iter().map(|line| line.e164()).collect();
    let lines_json = serde_json::to_string(&lines).expect("a list of strings serialises");
    let phones_json =
        serde_json::to_string(&new.employee_phones).expect("a list of strings serialises");
    let virtual_number = new.virtual_number.as_ref().map(|n| n.e164().to_owned());
    let now = Utc::now();
    let inserted = conn.execute(
        "INSERT INTO agents(name, token_hash, uis_employee, sipuni_ext, lines, supervisor,
                            created_at, revoked_at, employee_phones, virtual_number)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, NULL, ?8, ?9)",
        params![
            new.name,
            token.hash(),
            new.uis_employee,
            new.sipuni_ext,
            lines_json,
            new.supervisor,
            now.timestamp(),
            phones_json,
            virtual_number,
        ],
    );
    match inserted {
        Ok(_) => {}
        Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == ErrorCode::ConstraintViolation => {
            return Err(StoreError::AgentExists(new.name.clone()));
        }
        Err(e) => return Err(e.into()),
    }
    let agent = Agent {
        id: conn.last_insert_rowid(),
        name: new.name.clone(),
        uis_employee: new.uis_employee.clone(),
        sipuni_ext: new.sipuni_ext.clone(),
        employee_phones: new.employee_phones.clone(),
        virtual_number,
        lines: lines.into_iter().map(str::to_owned).collect(),
        supervisor: new.supervisor,
        created_at: DateTime::from_timestamp(now.timestamp(), 0).unwrap_or(now),
        revoked_at: None,
    };
    Ok((agent, token))
}

/// Renames a revoked agent called `name` to `name (отозван #id)`, so the name can be used again.
fn free_revoked_name(conn: &Connection, name: &str) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE agents SET name = name || ' (отозван #' || id || ')'
         WHERE name = ?1 AND revoked_at IS NOT NULL",
        [name],
    )?;
    Ok(())
}

/// Changes an active agent's name or mappings; its token stays valid. A running relay picks
/// the change up for the next event it stores.
pub(crate) fn edit(conn: &Connection, name: &str, edit: &AgentEdit) -> Result<Agent, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM agents WHERE name = ?1 AND revoked_at IS NULL"
    ))?;
    let current = stmt
        .query_row([name], RawAgent::from_row)
        .optional()?
        .ok_or_else(|| StoreError::NoSuchAgent(name.to_owned()))?
        .into_agent()?;
    let mut agent = current.clone();
    if let Some(rename) = &edit.rename {
        free_revoked_name(conn, rename)?;
        agent.name = rename.clone();
    }
    if let Some(id) = &edit.uis_employee {
        agent.uis_employee = id.clone();
    }
    if let Some(ext) = &edit.sipuni_ext {
        agent.sipuni_ext = ext.clone();
    }
    if let Some(phones) = &edit.employee_phones {
        agent.employee_phones = phones.clone();
    }
    if let Some(number) = &edit.virtual_number {
        agent.virtual_number = number.as_ref().map(|n| n.e164().to_owned());
    }
    if let Some(lines) = &edit.lines {
        agent.lines = lines.iter().map(|l| l.e164().to_owned()).collect();
    }
    if let Some(supervisor) = edit.supervisor {
        agent.supervisor = supervisor;
    }
    let json = |list: &[String]| serde_json::to_string(list).expect("a list of strings serialises");
    let updated = conn.execute(
        "UPDATE agents SET name = ?2, uis_employee = ?3, sipuni_ext = ?4, employee_phones = ?5,
                           virtual_number = ?6, lines = ?7, supervisor = ?8
         WHERE id = ?1",
        params![
            agent.id,
            agent.name,
            agent.uis_employee,
            agent.sipuni_ext,
            json(&agent.employee_phones),
            agent.virtual_number,
            json(&agent.lines),
            agent.supervisor,
        ],
    );
    match updated {
        Ok(_) => Ok(agent),
        Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == ErrorCode::ConstraintViolation => {
            Err(StoreError::AgentExists(agent.name))
        }
        Err(e) => Err(e.into()),
    }
}

pub(crate) fn list(conn: &Connection) -> Result<Vec<Agent>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM agents ORDER BY id"))?;
    let rows = stmt.query_map([], RawAgent::from_row)?;
    rows.map(|row| row?.into_agent()).collect()
}

pub(crate) fn revoke(conn: &Connection, name: &str) -> Result<Agent, StoreError> {
    // Its links stop working with it.
    if let Some(agent) = list(conn)?
        .into_iter()
        .find(|a| a.name == name && a.is_active())
    {
        super::invites::revoke_for_agent(conn, agent.id, Utc::now())?;
    }
    // A second revoke keeps the first revocation time.
    conn.execute(
        "UPDATE agents SET revoked_at = ?2 WHERE name = ?1 AND revoked_at IS NULL",
        params![name, Utc::now().timestamp()],
    )?;
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM agents WHERE name = ?1"))?;
    let raw = stmt.query_row([name], RawAgent::from_row).optional()?;
    raw.ok_or_else(|| StoreError::NoSuchAgent(name.to_owned()))?
        .into_agent()
}

pub(crate) fn by_token_hash(conn: &Connection, hash: &str) -> Result<Option<Agent>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM agents WHERE token_hash = ?1"
    ))?;
    let raw = stmt.query_row([hash], RawAgent::from_row).optional()?;
    raw.map(RawAgent::into_agent).transpose()
}

/// A row before its JSON and timestamps are checked.
struct RawAgent {
    id: i64,
    name: String,
    uis_employee: Option<String>,
    sipuni_ext: Option<String>,
    lines: String,
    supervisor: bool,
    created_at: i64,
    revoked_at: Option<i64>,
    employee_phones: String,
    virtual_number: Option<String>,
}

impl RawAgent {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<RawAgent> {
        Ok(RawAgent {
            id: row.get(0)?,
            name: row.get(1)?,
            uis_employee: row.get(2)?,
            sipuni_ext: row.get(3)?,
            lines: row.get(4)?,
            supervisor: row.get(5)?,
            created_at: row.get(6)?,
            revoked_at: row.get(7)?,
            employee_phones: row.get(8)?,
            virtual_number: row.get(9)?,
        })
    }

    fn into_agent(self) -> Result<Agent, StoreError> {
        let time = |secs: i64| {
            DateTime::from_timestamp(secs, 0)
                .ok_or_else(|| StoreError::Corrupt(format!("agent time {secs} is out of range")))
        };
        Ok(Agent {
            id: self.id,
            lines: serde_json::from_str(&self.lines)
                .map_err(|e| StoreError::Corrupt(format!("lines of agent `{}`: {e}", self.name)))?,
            employee_phones: serde_json::from_str(&self.employee_phones).map_err(|e| {
                StoreError::Corrupt(format!("employee phones of agent `{}`: {e}", self.name))
            })?,
            name: self.name,
            uis_employee: self.uis_employee,
            sipuni_ext: self.sipuni_ext,
            virtual_number: self.virtual_number,
            supervisor: self.supervisor,
            created_at: time(self.created_at)?,
            revoked_at: self.revoked_at.map(time).transpose()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use trubka_core::PhoneNumber;

    use crate::store::Store;

    use super::*;

    #[test]
    fn agents_are_added_listed_found_by_token_and_revoked() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let new = NewAgent {
            name: "Анна".to_owned(),
            uis_employee: Some("2339292".to_owned()),
            sipuni_ext: Some("201".to_owned()),
            employee_phones: vec!["+79031234567".to_owned(), "sip_anna".to_owned()],
            virtual_number: Some(PhoneNumber::from_e164("+74993720692").unwrap()),
            lines: vec![PhoneNumber::from_e164("+74951234567").unwrap()],
            supervisor: false,
        };
        let (anna, token) = store.add_agent(&new).unwrap();
        assert_eq!(anna.lines, vec!["+74951234567".to_owned()]);
        assert_eq!(store.list_agents().unwrap(), vec![anna.clone()]);
        assert_eq!(anna.employee_phones, new.employee_phones);
        assert_eq!(anna.virtual_number.as_deref(), Some("+74993720692"));
        assert!(matches!(
            store.add_agent(&new),
            Err(StoreError::AgentExists(_))
        ));

        assert_eq!(store.agent_by_token(&token).unwrap(), Some(anna.clone()));
        let wrong = AgentToken::generate();
        assert_eq!(store.agent_by_token(&wrong).unwrap(), None);
        assert_eq!(store.list_agents().unwrap(), vec![anna.clone()]);

        let revoked = store.revoke_agent("Анна").unwrap();
        assert!(revoked.revoked_at.is_some());
        assert_eq!(
            store.revoke_agent("Анна").unwrap().revoked_at,
            revoked.revoked_at
        );
        assert!(!store.agent_by_token(&token).unwrap().unwrap().is_active());
        assert!(matches!(
            store.revoke_agent("Никто"),
            Err(StoreError::NoSuchAgent(_))
        ));
    }
}
