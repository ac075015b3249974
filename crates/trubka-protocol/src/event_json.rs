//! The JSON form of a [`CallEvent`], exactly as docs/protocol.md describes it.
//!
//! The relay serialises each event once when it stores it and then sends that text to every
//! agent; the agent parses it back. `raw` travels as the notification's own JSON, untouched.

use std::borrow::Cow;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use trubka_core::{
    CallEvent, CallId, Contact, Direction, Durations, Employee, EventId, EventKind, Outcome,
    PhoneNumber, Provider,
};

#[derive(Debug, thiserror::Error)]
pub enum EventJsonError {
    #[error("event JSON is malformed: {0}")]
    Json(#[from] serde_json::Error),
    #[error("event field `{field}` has an unknown value `{value}`")]
    UnknownValue { field: &'static str, value: String },
    #[error("event field `contact.phone` is not an E.164 number: `{0}`")]
    BadPhone(String),
}

#[derive(Serialize, Deserialize)]
struct WireEvent<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow)]
    call_id: Cow<'a, str>,
    #[serde(borrow)]
    provider: Cow<'a, str>,
    #[serde(borrow)]
    kind: Cow<'a, str>,
    #[serde(borrow)]
    direction: Cow<'a, str>,
    at: DateTime<Utc>,
    #[serde(borrow)]
    contact: WireContact<'a>,
    #[serde(borrow)]
    line: Option<Cow<'a, str>>,
    #[serde(borrow)]
    employee: Option<WireEmployee<'a>>,
    #[serde(borrow)]
    outcome: Option<Cow<'a, str>>,
    #[serde(default)]
    durations: WireDurations,
    #[serde(default, borrow)]
    recordings: Vec<Cow<'a, str>>,
    #[serde(borrow)]
    scenario: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    tags: Vec<Cow<'a, str>>,
    #[serde(borrow)]
    raw: &'a RawValue,
}

#[derive(Serialize, Deserialize)]
struct WireContact<'a> {
    #[serde(borrow)]
    phone: Option<Cow<'a, str>>,
    #[serde(borrow)]
    raw: Cow<'a, str>,
    #[serde(borrow)]
    name: Option<Cow<'a, str>>,
}

#[derive(Serialize, Deserialize)]
struct WireEmployee<'a> {
    #[serde(borrow)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    extension: Option<Cow<'a, str>>,
    /// Absent from events stored before employees had phones.
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    phone: Option<Cow<'a, str>>,
}

#[derive(Serialize, Deserialize, Default)]
struct WireDurations {
    #[serde(skip_serializing_if = "Option::is_none")]
    wait: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    talk: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    total: Option<u32>,
}

fn opt(s: &Option<String>) -> Option<Cow<'_, str>> {
    s.as_deref().map(Cow::Borrowed)
}

/// Serialises an event to its JSON text. `raw` is embedded as-is when it is valid JSON, and as a
/// JSON string otherwise, so that serialisation itself can never fail on odd input.
pub fn event_to_json(event: &CallEvent) -> String {
    let quoted_raw;
    let raw: &RawValue = match serde_json::from_str::<&RawValue>(&event.raw) {
        Ok(raw) => raw,
        Err(_) => {
            quoted_raw = RawValue::from_string(
                serde_json::to_string(&event.raw).expect("a string always serialises"),
            )
            .expect("a JSON string is a JSON value");
            &quoted_raw
        }
    };
    let wire = WireEvent {
        id: Cow::Borrowed(&event.id.0),
        call_id: Cow::Borrowed(&event.call_id.0),
        provider: Cow::Borrowed(event.provider.as_str()),
        kind: Cow::Borrowed(event.kind.as_str()),
        direction: Cow::Borrowed(event.direction.as_str()),
        at: event.at,
        contact: WireContact {
            phone: event
                .contact
                .phone
                .as_ref()
                .map(|p| Cow::Borrowed(p.e164())),
            raw: Cow::Borrowed(&event.contact.raw),
            name: opt(&event.contact.name),
        },
        line: opt(&event.line),
        employee: event.employee.as_ref().map(|e| WireEmployee {
            id: opt(&e.id),
            name: opt(&e.name),
            extension: opt(&e.extension),
            phone: opt(&e.phone),
        }),
        outcome: event.outcome.map(|o| Cow::Borrowed(o.as_str())),
        durations: WireDurations {
            wait: event.durations.wait,
            talk: event.durations.talk,
            total: event.durations.total,
        },
        recordings: event
            .recordings
            .iter()
            .map(|r| Cow::Borrowed(r.as_str()))
            .collect(),
        scenario: opt(&event.scenario),
        tags: event
            .tags
            .iter()
            .map(|t| Cow::Borrowed(t.as_str()))
            .collect(),
        raw,
    };
    serde_json::to_string(&wire).expect("wire event has only serialisable fields")
}

fn known<T>(
    field: &'static str,
    value: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<T, EventJsonError> {
    parse(value).ok_or_else(|| EventJsonError::UnknownValue {
        field,
        value: value.to_owned(),
    })
}

fn owned(s: Option<Cow<'_, str>>) -> Option<String> {
    s.map(Cow::into_owned)
}

/// Parses the JSON text of an event (as produced by [`event_to_json`]).
pub fn event_from_json(text: &str) -> Result<CallEvent, EventJsonError> {
    let wire: WireEvent<'_> = serde_json::from_str(text)?;
    let phone = match wire.contact.phone {
        Some(p) => Some(
            PhoneNumber::from_e164(&p).ok_or_else(|| EventJsonError::BadPhone(p.into_owned()))?,
        ),
        None => None,
    };
    Ok(CallEvent {
        id: EventId(wire.id.into_owned()),
        call_id: CallId(wire.call_id.into_owned()),
        provider: known("provider", &wire.provider, Provider::parse)?,
        kind: known("kind", &wire.kind, EventKind::parse)?,
        direction: known("direction", &wire.direction, Direction::parse)?,
        at: wire.at,
        contact: Contact {
            phone,
            raw: wire.contact.raw.into_owned(),
            name: owned(wire.contact.name),
        },
        line: owned(wire.line),
        employee: wire.employee.map(|e| Employee {
            id: owned(e.id),
            name: owned(e.name),
            extension: owned(e.extension),
            phone: owned(e.phone),
        }),
        outcome: match wire.outcome {
            Some(o) => Some(known("outcome", &o, Outcome::parse)?),
            None => None,
        },
        durations: Durations {
            wait: wire.durations.wait,
            talk: wire.durations.talk,
            total: wire.durations.total,
        },
        recordings: wire.recordings.into_iter().map(Cow::into_owned).collect(),
        scenario: owned(wire.scenario),
        tags: wire.tags.into_iter().map(Cow::into_owned).collect(),
        raw: wire.raw.get().to_owned(),
    })
}

/// Formats a timestamp the way every Trubka JSON document does: RFC 3339, UTC, seconds.
pub fn format_time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}
