//! The simulator's error types.
//!
//! [`SimError`] is what starting the simulator can fail with (bad configuration, the HTTP
//! client, the listener). [`CallRequestError`] is what a request for a call can fail with;
//! the HTTP layer turns it into a 400 answer with a stable `code`.

/// Why the simulator could not start or keep running.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// An `--uis-employee` value that is not `ID:NAME:EXTENSION`.
    #[error("invalid employee {0:?}: expected ID:NAME:EXTENSION, e.g. 2339292:Анна Смирнова:201")]
    InvalidEmployee(String),
    /// A configuration value out of range or inconsistent with another.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// The HTTP client used to reach the relay could not be built.
    #[error("cannot build the HTTP client: {0}")]
    HttpClient(#[source] reqwest::Error),
    /// The listener or the server failed.
    #[error("server I/O error: {0}")]
    Io(#[from] std::io::Error),
}

/// Why a requested call cannot be simulated.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CallRequestError {
    /// `employee`, `transfer_to` or `next_employee` names nobody in the cast.
    #[error("no employee with id or extension {0:?}")]
    UnknownEmployee(String),
    /// The simulator has no employees at all.
    #[error("the simulator has no employees configured")]
    NoEmployees,
    /// A number that has no digits and is not `anonymous`.
    #[error("{field} {value:?} is not a phone number, an extension or \"anonymous\"")]
    InvalidNumber {
        /// Which request field held the value.
        field: &'static str,
        /// The value as sent.
        value: String,
    },
    /// Options that do not go together (e.g. a transfer of a call nobody answered).
    #[error("{0}")]
    Unsupported(&'static str),
}

impl CallRequestError {
    /// A stable machine-readable code for the HTTP error body.
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnknownEmployee(_) => "unknown_employee",
            Self::NoEmployees => "no_employees",
            Self::InvalidNumber { .. } => "invalid_number",
            Self::Unsupported(_) => "unsupported_combination",
        }
    }
}
