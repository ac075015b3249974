//! UIS Call API methods: click-to-call (`start.employee_call`), scenario calls
//! (`start.scenario_call`), ending a call (`release.call`) and active calls (`list.calls`).
//!
//! `direction` is always sent explicitly because the documented default changed between doc
//! versions (`out` in 2017, `in` in 2026).

use std::fmt;

use chrono::NaiveDateTime;
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value, json};

use crate::number::DialNumber;
use crate::uis::UisClient;
use crate::uis::jsonrpc::{bad, decode, expect_success};
use crate::{PbxError, Result};

/// The `call_session_id` UIS returns for a created call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(transparent)]
pub struct CallSessionId(pub u64);

impl fmt::Display for CallSessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Who is dialled first (`first_call`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FirstCall {
    #[default]
    Employee,
    Contact,
}

impl FirstCall {
    pub fn as_str(self) -> &'static str {
        match self {
            FirstCall::Employee => "employee",
            FirstCall::Contact => "contact",
        }
    }
}

/// `direction` of a call: `in` or `out`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallDirection {
    In,
    Out,
}

impl CallDirection {
    pub fn as_str(self) -> &'static str {
        match self {
            CallDirection::In => "in",
            CallDirection::Out => "out",
        }
    }

    pub(crate) fn parse(text: &str) -> Result<CallDirection> {
        match text {
            "in" => Ok(CallDirection::In),
            "out" => Ok(CallDirection::Out),
            other => Err(bad(format!("unknown call direction {other:?}"))),
        }
    }
}

impl<'de> Deserialize<'de> for CallDirection {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<CallDirection, D::Error> {
        let text = String::deserialize(deserializer)?;
        CallDirection::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// A click-to-call between an employee and a contact (`start.employee_call`, `direction=out`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmployeeCall {
    /// The UIS employee id (`employee.id`).
    pub employee_id: u64,
    /// One of the employee's active numbers (SIP, extension or E.164); without it UIS rings
    /// all of them in turn.
    pub employee_phone: Option<String>,
    /// The number to call.
    pub contact: DialNumber,
    /// The account's virtual number shown to the contact as caller ID.
    pub virtual_number: DialNumber,
    pub first_call: FirstCall,
    /// Correlation id echoed in notifications and as `call_api_external_id` in the report.
    pub external_id: Option<String>,
    /// Bridge the parties as soon as the second one answers.
    pub switch_at_once: bool,
}

impl EmployeeCall {
    /// An employee-first call without extras.
    pub fn new(
        employee_id: u64,
        contact: impl Into<DialNumber>,
        virtual_number: DialNumber,
    ) -> EmployeeCall {
        EmployeeCall {
            employee_id,
            employee_phone: None,
            contact: contact.into(),
            virtual_number,
            first_call: FirstCall::Employee,
            external_id: None,
            switch_at_once: false,
        }
    }
}

/// A call that runs a scenario of the virtual PBX (`start.scenario_call`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioCall {
    /// From `get.scenarios`.
    pub scenario_id: u64,
    pub contact: DialNumber,
    pub virtual_number: DialNumber,
    pub first_call: FirstCall,
    pub direction: CallDirection,
    pub external_id: Option<String>,
    pub switch_at_once: bool,
}

impl ScenarioCall {
    /// An outgoing, contact-first scenario call without extras.
    pub fn new(
        scenario_id: u64,
        contact: impl Into<DialNumber>,
        virtual_number: DialNumber,
    ) -> ScenarioCall {
        ScenarioCall {
            scenario_id,
            contact: contact.into(),
            virtual_number,
            first_call: FirstCall::Contact,
            direction: CallDirection::Out,
            external_id: None,
            switch_at_once: false,
        }
    }
}

/// Filters of `list.calls`; both optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListCalls {
    pub direction: Option<CallDirection>,
    pub virtual_number: Option<DialNumber>,
}

/// One active call session from `list.calls`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ActiveCall {
    pub call_session_id: CallSessionId,
    pub direction: Option<CallDirection>,
    /// As UIS sends it (`2016-10-19T12:26:48.418`); the docs do not name its time zone.
    #[serde(default, deserialize_with = "de_call_time")]
    pub start_time: Option<NaiveDateTime>,
    pub virtual_phone_number: Option<String>,
    pub contact_phone_number: Option<String>,
    pub external_id: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub tags: Vec<CallTag>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub legs: Vec<ActiveLeg>,
}

/// A tag on an active call.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CallTag {
    pub tag_id: u64,
    pub tag_name: Option<String>,
}

/// One leg of an active call.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ActiveLeg {
    pub leg_id: u64,
    pub calling_phone_number: Option<String>,
    pub called_phone_number: Option<String>,
    #[serde(default)]
    pub is_operator: bool,
    pub employee_id: Option<u64>,
    pub employee_full_name: Option<String>,
    pub record_call_enabled: Option<bool>,
    /// A Russian display string (`Дозвон`, `Разговор`, `На удержании`, …).
    pub state: Option<String>,
}

impl UisClient {
    /// Places a click-to-call through `start.employee_call`.
    pub async fn start_employee_call(&self, call: &EmployeeCall) -> Result<CallSessionId> {
        let mut employee = Map::new();
        employee.insert("id".to_owned(), json!(call.employee_id));
        if let Some(phone) = &call.employee_phone {
            if phone.trim().is_empty() {
                return Err(PbxError::InvalidArgument(
                    "the employee phone is empty".to_owned(),
                ));
            }
            employee.insert("phone_number".to_owned(), json!(phone));
        }
        let mut params = Map::new();
        params.insert("first_call".to_owned(), json!(call.first_call.as_str()));
        params.insert("switch_at_once".to_owned(), json!(call.switch_at_once));
        params.insert(
            "virtual_phone_number".to_owned(),
            json!(call.virtual_number.as_str()),
        );
        params.insert("contact".to_owned(), json!(call.contact.as_str()));
        params.insert("direction".to_owned(), json!(CallDirection::Out.as_str()));
        params.insert("employee".to_owned(), Value::Object(employee));
        insert_external_id(&mut params, call.external_id.as_deref());
        let success = self.call_api("start.employee_call", params).await?;
        read_session_id(success.data, "start.employee_call")
    }

    /// Starts a scenario call through `start.scenario_call`.
    pub async fn start_scenario_call(&self, call: &ScenarioCall) -> Result<CallSessionId> {
        let mut params = Map::new();
        params.insert(
            "virtual_phone_number".to_owned(),
            json!(call.virtual_number.as_str()),
        );
        params.insert("contact".to_owned(), json!(call.contact.as_str()));
        params.insert("first_call".to_owned(), json!(call.first_call.as_str()));
        params.insert("switch_at_once".to_owned(), json!(call.switch_at_once));
        params.insert("scenario_id".to_owned(), json!(call.scenario_id));
        params.insert("direction".to_owned(), json!(call.direction.as_str()));
        insert_external_id(&mut params, call.external_id.as_deref());
        let success = self.call_api("start.scenario_call", params).await?;
        read_session_id(success.data, "start.scenario_call")
    }

    /// Ends the whole call session (`release.call`).
    pub async fn release_call(&self, session: CallSessionId) -> Result<()> {
        let mut params = Map::new();
        params.insert("call_session_id".to_owned(), json!(session.0));
        let success = self.call_api("release.call", params).await?;
        expect_success(&success.data, "release.call")
    }

    /// The account's active call sessions with their legs (`list.calls`).
    pub async fn list_calls(&self, filter: &ListCalls) -> Result<Vec<ActiveCall>> {
        let mut params = Map::new();
        if let Some(direction) = filter.direction {
            params.insert("direction".to_owned(), json!(direction.as_str()));
        }
        if let Some(number) = &filter.virtual_number {
            params.insert("virtual_phone_number".to_owned(), json!(number.as_str()));
        }
        let success = self.call_api("list.calls", params).await?;
        let data = match success.data {
            Value::Null => Value::Array(Vec::new()),
            data => data,
        };
        decode(data, "list.calls data")
    }
}

fn insert_external_id(params: &mut Map<String, Value>, external_id: Option<&str>) {
    if let Some(external_id) = external_id {
        params.insert("external_id".to_owned(), json!(external_id));
    }
}

fn read_session_id(data: Value, method: &str) -> Result<CallSessionId> {
    #[derive(Deserialize)]
    struct Created {
        call_session_id: CallSessionId,
    }
    decode::<Created>(data, &format!("{method} data")).map(|created| created.call_session_id)
}

/// Reads `null` as the type's default (UIS sends `null` for empty values).
pub(crate) fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// Parses the Call API's `YYYY-MM-DDThh:mm:ss[.fff]` (also with a space instead of `T`).
pub(crate) fn parse_naive_time(text: &str) -> Option<NaiveDateTime> {
    let text = text.trim().trim_end_matches('Z');
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
}

fn de_call_time<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<NaiveDateTime>, D::Error> {
    match Option::<String>::deserialize(deserializer)? {
        None => Ok(None),
        Some(text) => parse_naive_time(&text)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("bad time {text:?}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_times_with_and_without_fraction() {
        let with_fraction = parse_naive_time("2016-10-19T12:26:48.418").unwrap();
        assert_eq!(with_fraction.to_string(), "2016-10-19 12:26:48.418");
        assert!(parse_naive_time("2026-05-12 10:15:03").is_some());
        assert!(parse_naive_time("2026-05-12T10:15:03Z").is_some());
        assert!(parse_naive_time("12.05.2026 10:15").is_none());
    }

    #[test]
    fn direction_parses_only_in_and_out() {
        assert_eq!(CallDirection::parse("in").unwrap(), CallDirection::In);
        assert_eq!(CallDirection::parse("out").unwrap(), CallDirection::Out);
        assert!(CallDirection::parse("inbound").is_err());
    }
}
