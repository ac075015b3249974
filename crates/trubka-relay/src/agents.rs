//! Agents: who may connect, how they are identified on each PBX, and their tokens.
//!
//! A token is shown once when the agent is created and only its SHA-256 is stored, so a copy
//! of the database does not let anyone connect as an agent. [`AgentSet`] is the in-memory
//! index of active agents the event writer uses to decide who sees an event.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use trubka_core::PhoneNumber;

/// The row id of an agent.
pub type AgentId = i64;

/// One agent as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agent {
    pub id: AgentId,
    /// Unique, shown in `hello` and in `agent list`.
    pub name: String,
    /// UIS `employee_id` this agent is.
    pub uis_employee: Option<String>,
    /// Sipuni short internal number this agent is.
    pub sipuni_ext: Option<String>,
    /// The employee's phones or SIP lines as UIS reports them (`employee_phone_number`), in
    /// [`trubka_core::PhoneParser::employee_line`] form: how an EnvyCRM-style setup, whose
    /// notifications name no employee id, names this agent.
    pub employee_phones: Vec<String>,
    /// The caller ID (a virtual number, E.164) of this agent's UIS calls; `None` uses the
    /// relay's `[uis] virtual_number`.
    pub virtual_number: Option<String>,
    /// Lines (E.164) whose calls this agent sees before an employee is on them.
    pub lines: Vec<String>,
    /// A supervisor sees every call.
    pub supervisor: bool,
    pub created_at: DateTime<Utc>,
    /// Set once revoked; a revoked agent's token no longer works.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl Agent {
    pub fn is_active(&self) -> bool {
        self.revoked_at.is_none()
    }
}

/// What `agent add` asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewAgent {
    pub name: String,
    pub uis_employee: Option<String>,
    pub sipuni_ext: Option<String>,
    /// Already in [`trubka_core::PhoneParser::employee_line`] form.
    pub employee_phones: Vec<String>,
    pub virtual_number: Option<PhoneNumber>,
    pub lines: Vec<PhoneNumber>,
    pub supervisor: bool,
}

/// What `agent edit` changes; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgentEdit {
    pub rename: Option<String>,
    /// `Some(None)` removes the mapping.
    pub uis_employee: Option<Option<String>>,
    pub sipuni_ext: Option<Option<String>>,
    /// Replaces the whole list (already in `employee_line` form).
    pub employee_phones: Option<Vec<String>>,
    pub virtual_number: Option<Option<PhoneNumber>>,
    pub lines: Option<Vec<PhoneNumber>>,
    pub supervisor: Option<bool>,
}

impl AgentEdit {
    pub fn is_empty(&self) -> bool {
        *self == AgentEdit::default()
    }
}

/// A bearer token in clear text: exists only between its generation and the moment it is
/// printed, and when an agent presents it.
#[derive(Clone, PartialEq, Eq)]
pub struct AgentToken(pub String);

impl AgentToken {
    /// 192 random bits from the thread-local CSPRNG, hex, with a recognisable prefix so a
    /// leaked token is easy to spot in logs and secret scanners.
    pub fn generate() -> AgentToken {
        AgentToken(format!("trk_{}", hex::encode(rand::random::<[u8; 24]>())))
    }

    /// The form stored in the database and looked up on connect.
    pub fn hash(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))
    }
}

impl std::fmt::Debug for AgentToken {
    // Tokens must never end up in logs through a derived Debug.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AgentToken(…)")
    }
}

/// Active agents indexed by every key an event can match on. Built once per change of the
/// agents table; the writer consults it for every event, so lookups must be cheap.
#[derive(Debug, Default, Clone)]
pub struct AgentSet {
    agents: HashMap<AgentId, Agent>,
    by_uis_employee: HashMap<String, Vec<AgentId>>,
    by_sipuni_ext: HashMap<String, Vec<AgentId>>,
    by_employee_phone: HashMap<String, Vec<AgentId>>,
    by_line: HashMap<String, Vec<AgentId>>,
    supervisors: Vec<AgentId>,
}

impl AgentSet {
    /// Indexes the active agents among `agents`; revoked ones are left out entirely.
    pub fn new(agents: impl IntoIterator<Item = Agent>) -> AgentSet {
        let mut set = AgentSet::default();
        for agent in agents.into_iter().filter(Agent::is_active) {
            if let Some(id) = &agent.uis_employee {
                set.by_uis_employee
                    .entry(id.clone())
                    .or_default()
                    .push(agent.id);
            }
            if let Some(ext) = &agent.sipuni_ext {
                set.by_sipuni_ext
                    .entry(ext.clone())
                    .or_default()
                    .push(agent.id);
            }
            for phone in &agent.employee_phones {
                set.by_employee_phone
                    .entry(phone.clone())
                    .or_default()
                    .push(agent.id);
            }
            for line in &agent.lines {
                set.by_line.entry(line.clone()).or_default().push(agent.id);
            }
            if agent.supervisor {
                set.supervisors.push(agent.id);
            }
            set.agents.insert(agent.id, agent);
        }
        set
    }

    pub fn get(&self, id: AgentId) -> Option<&Agent> {
        self.agents.get(&id)
    }

    pub fn is_active(&self, id: AgentId) -> bool {
        self.agents.contains_key(&id)
    }

    pub fn by_uis_employee(&self, employee_id: &str) -> &[AgentId] {
        self.by_uis_employee
            .get(employee_id)
            .map_or(&[], Vec::as_slice)
    }

    pub fn by_sipuni_ext(&self, extension: &str) -> &[AgentId] {
        self.by_sipuni_ext.get(extension).map_or(&[], Vec::as_slice)
    }

    /// Agents with this phone or SIP line (in `employee_line` form).
    pub fn by_employee_phone(&self, phone: &str) -> &[AgentId] {
        self.by_employee_phone.get(phone).map_or(&[], Vec::as_slice)
    }

    pub fn by_line(&self, line: &str) -> &[AgentId] {
        self.by_line.get(line).map_or(&[], Vec::as_slice)
    }

    pub fn supervisors(&self) -> &[AgentId] {
        &self.supervisors
    }

    /// Agents active in `self` that are no longer active in `newer` (revoked or deleted).
    pub fn dropped_in(&self, newer: &AgentSet) -> Vec<AgentId> {
        self.agents
            .keys()
            .copied()
            .filter(|id| !newer.is_active(*id))
            .collect()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn agent(id: AgentId, name: &str) -> Agent {
        Agent {
            id,
            name: name.to_owned(),
            uis_employee: None,
            sipuni_ext: None,
            employee_phones: Vec::new(),
            virtual_number: None,
            lines: Vec::new(),
            supervisor: false,
            created_at: DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
            revoked_at: None,
        }
    }

    #[test]
    fn tokens_are_random_and_hashed_with_sha256() {
        let a = AgentToken::generate();
        let b = AgentToken::generate();
        assert_ne!(a, b);
        assert!(a.0.starts_with("trk_") && a.0.len() == 4 + 48);
        // SHA-256 of "abc", a published test vector.
        assert_eq!(
            AgentToken("abc".to_owned()).hash(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(!format!("{a:?}").contains(&a.0));
    }

    #[test]
    fn set_indexes_active_agents_only() {
        let mut anna = agent(1, "Анна");
        anna.uis_employee = Some("2339292".to_owned());
        anna.sipuni_ext = Some("201".to_owned());
        anna.lines = vec!["+74951234567".to_owned()];
        let mut boss = agent(2, "Мария");
        boss.supervisor = true;
        let mut gone = agent(3, "Игорь");
        gone.uis_employee = Some("2339292".to_owned());
        gone.revoked_at = Some(gone.created_at);
        let set = AgentSet::new([anna, boss, gone]);
        assert_eq!(set.by_uis_employee("2339292"), &[1]);
        assert_eq!(set.by_sipuni_ext("201"), &[1]);
        assert_eq!(set.by_line("+74951234567"), &[1]);
        assert_eq!(set.supervisors(), &[2]);
        assert!(set.by_uis_employee("nobody").is_empty());
        assert!(!set.is_active(3));

        let without_anna = AgentSet::new(set.get(2).cloned());
        assert_eq!(set.dropped_in(&without_anna), vec![1]);
    }
}
