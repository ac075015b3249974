//! The status line: the relay connection exactly as the engine reports it, plus notices
//! about degraded parts (no keyring, no notification service, no global shortcut).

use serde::Serialize;
use trubka_agent::relay_client::ConnectionStatus;
use ts_rs::TS;

use super::ts;

/// The relay connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ConnectionDto {
    SignedOut,
    Connecting,
    Connected {
        agent: String,
    },
    Reconnecting {
        attempt: u32,
        retry_at: String,
        error: String,
    },
    TokenRevoked,
    Rejected {
        code: u16,
        reason: String,
    },
}

impl From<&ConnectionStatus> for ConnectionDto {
    fn from(s: &ConnectionStatus) -> ConnectionDto {
        match s {
            ConnectionStatus::SignedOut => ConnectionDto::SignedOut,
            ConnectionStatus::Connecting => ConnectionDto::Connecting,
            ConnectionStatus::Connected { agent, .. } => ConnectionDto::Connected {
                agent: agent.clone(),
            },
            ConnectionStatus::Reconnecting {
                attempt,
                retry_at,
                error,
            } => ConnectionDto::Reconnecting {
                attempt: *attempt,
                retry_at: ts(*retry_at),
                error: error.clone(),
            },
            ConnectionStatus::TokenRevoked => ConnectionDto::TokenRevoked,
            ConnectionStatus::Rejected { code, reason } => ConnectionDto::Rejected {
                code: *code,
                reason: reason.clone(),
            },
        }
    }
}

/// Something that works worse than it should, shown next to the status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Notice {
    /// No OS keyring: the token is in a 0600 file in the profile folder.
    KeyringFallback { path: String, detail: String },
    /// No notification service on the session bus.
    NotificationsUnavailable { detail: String },
    /// The global shortcut could not be registered.
    ShortcutUnavailable { shortcut: String, detail: String },
    /// The relay had lost our place in the stream; live data resumed.
    Resynced { count: u32 },
}

/// The whole status line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct StatusDto {
    pub connection: ConnectionDto,
    pub notices: Vec<Notice>,
    pub open_followups: u32,
    pub missed_calls: u32,
}
