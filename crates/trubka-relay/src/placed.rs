//! Calls placed from Trubka, and the agent who placed each: so that a call routed by a UIS
//! scenario, which any employee may answer, still reaches the card of the agent who placed
//! it (the audience's rule 5, see [`crate::audience`]).
//!
//! `POST /v1/calls` records the `external_id` it gives UIS (`trubka:{agent id}:{random}`)
//! *before* asking UIS to call, and the call id (`uis:{call_session_id}`) once UIS answered.
//! When an event is stored, its placer is looked up by its call id, or, should the
//! notification outrun UIS's answer to the relay, by the `external_id` the notification
//! carries (UIS substitutes `{{external_id}}`; the calls report of reconciliation carries
//! `call_api_external_id`). Only ids this relay recorded count: the agent id written inside an
//! `external_id` is never trusted by itself.
//!
//! Sipuni tells no call id when it accepts `callback/call_tree` (the `call_id` first appears
//! in event 1) and its events carry nothing of the request, so Sipuni calls are not recorded:
//! a scheme call reaches the agent only by the usual rules (the scheme rings their extension,
//! or their line). Nothing is decided from a guess such as "the next call to that number".

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use chrono::Utc;
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;
use trubka_core::{CallEvent, Provider};

use crate::agents::AgentId;
use crate::store::{Role, StoreError, open_connection};

/// The migration that creates the table (appended to `crate::store::schema`).
pub(crate) const SCHEMA: &str = r#"
    -- Calls placed from Trubka: the external_id given to UIS, the agent who placed the call,
    -- and the call id once UIS told it.
    CREATE TABLE placed_calls(
        external_id TEXT PRIMARY KEY,
        agent_id INTEGER NOT NULL,
        call_id TEXT,
        placed_at INTEGER NOT NULL      -- unix seconds
    ) WITHOUT ROWID;
    CREATE INDEX placed_calls_by_call ON placed_calls(call_id);
"#;

/// Records older than this are deleted: reconciliation never looks further back than its
/// catch-up limit (7 days by default), and an event of so old a call has its audience already.
const KEPT_SECS: i64 = 30 * 24 * 3600;

/// The prefix of every `external_id` the relay gives UIS.
pub(crate) const EXTERNAL_ID_PREFIX: &str = "trubka:";

/// Writes of the async side, on a blocking thread with a connection of their own.
pub(crate) struct PlacedCalls {
    path: PathBuf,
    conn: Arc<Mutex<Option<Connection>>>,
}

impl PlacedCalls {
    pub(crate) fn new(path: PathBuf) -> PlacedCalls {
        PlacedCalls {
            path,
            conn: Arc::new(Mutex::new(None)),
        }
    }

    /// Notes that `agent` is placing the call that will carry `external_id`.
    pub(crate) async fn placing(
        &self,
        external_id: String,
        agent: AgentId,
    ) -> Result<(), StoreError> {
        let now = Utc::now().timestamp();
        self.write(move |conn| {
            conn.execute(
                "INSERT OR REPLACE INTO placed_calls(external_id, agent_id, call_id, placed_at)
                 VALUES (?1, ?2, NULL, ?3)",
                params![external_id, agent, now],
            )?;
            conn.execute(
                "DELETE FROM placed_calls WHERE placed_at < ?1",
                [now - KEPT_SECS],
            )?;
            Ok(())
        })
        .await
    }

    /// Notes the call id UIS gave the call placed with `external_id`.
    pub(crate) async fn placed(
        &self,
        external_id: String,
        call_id: String,
    ) -> Result<(), StoreError> {
        self.write(move |conn| {
            conn.execute(
                "UPDATE placed_calls SET call_id = ?2 WHERE external_id = ?1",
                params![external_id, call_id],
            )?;
            Ok(())
        })
        .await
    }

    async fn write<F>(&self, write: F) -> Result<(), StoreError>
    where
        F: FnOnce(&Connection) -> Result<(), StoreError> + Send + 'static,
    {
        let path = self.path.clone();
        let slot = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            let mut slot = slot.lock().unwrap_or_else(PoisonError::into_inner);
            if slot.is_none() {
                *slot = Some(open_connection(&path, Role::Writer)?);
            }
            let conn = slot.as_ref().expect("opened above");
            write(conn)
        })
        .await
        .map_err(|e| StoreError::WriteFailed(e.to_string()))?
    }
}

/// The agent who placed the call `event` belongs to, if it was placed from Trubka.
pub(crate) fn placer(conn: &Connection, event: &CallEvent) -> Result<Option<AgentId>, StoreError> {
    if event.provider != Provider::Uis {
        return Ok(None);
    }
    let by_call = conn
        .prepare_cached("SELECT agent_id FROM placed_calls WHERE call_id = ?1")?
        .query_row([event.call_id.0.as_str()], |row| row.get(0))
        .optional()?;
    if by_call.is_some() {
        return Ok(by_call);
    }
    // Cheap test first: most events are not of calls placed from Trubka.
    if !event.raw.contains(EXTERNAL_ID_PREFIX) {
        return Ok(None);
    }
    for external_id in external_ids(&event.raw) {
        let agent = conn
            .prepare_cached("SELECT agent_id FROM placed_calls WHERE external_id = ?1")?
            .query_row([external_id.as_str()], |row| row.get(0))
            .optional()?;
        if agent.is_some() {
            return Ok(agent);
        }
    }
    Ok(None)
}

/// The relay's `external_id`s in a notification or history row: the values of
/// `external_id` / `call_api_external_id` at its top level or one object down (templates
/// nest fields in `call_info` and the like).
fn external_ids(raw: &str) -> Vec<String> {
    let Ok(Value::Object(top)) = serde_json::from_str::<Value>(raw) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    let mut look = |map: &serde_json::Map<String, Value>| {
        for key in ["external_id", "call_api_external_id"] {
            if let Some(Value::String(id)) = map.get(key)
                && id.starts_with(EXTERNAL_ID_PREFIX)
            {
                found.push(id.clone());
            }
        }
    };
    look(&top);
    for value in top.values() {
        if let Value::Object(inner) = value {
            look(inner);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn external_ids_are_read_where_templates_put_them() {
        assert_eq!(
            external_ids(r#"{"external_id":"trubka:3:ab12","call_session_id":1}"#),
            ["trubka:3:ab12"]
        );
        assert_eq!(
            external_ids(r#"{"call_info":{"call_api_external_id":"trubka:4:cd"}}"#),
            ["trubka:4:cd"]
        );
        // Someone else's ids, nulls and non-JSON are not ours.
        assert!(external_ids(r#"{"external_id":"crm-task-1842"}"#).is_empty());
        assert!(external_ids(r#"{"external_id":null}"#).is_empty());
        assert!(external_ids("event=1&call_id=trubka:1:x").is_empty());
    }
}
