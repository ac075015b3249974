//! Shared helpers of the payload tests: fixtures, requests and expected events.

#![allow(unreachable_pub)]

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use trubka_core::{
    CallEvent, CallId, Contact, Direction, Durations, Employee, EventId, EventKind, PhoneNumber,
    PhoneParser, Provider,
};
use trubka_protocol::HookRequest;

/// The parser every test uses: Russia, as the relay's default.
pub fn phones() -> PhoneParser {
    PhoneParser::new("RU").expect("RU is a known region")
}

/// A fixture as received: `.json` and `.form` files are bodies, `.query` files query strings.
pub struct Fixture {
    pub name: String,
    pub bytes: Vec<u8>,
}

impl Fixture {
    pub fn load(relative: &str) -> Fixture {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(relative);
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        Fixture {
            name: relative.to_owned(),
            bytes,
        }
    }

    pub fn request(&self) -> HookRequest<'_> {
        let text = std::str::from_utf8(&self.bytes).unwrap_or("");
        match self.name.rsplit_once('.').map(|(_, ext)| ext) {
            Some("query") => HookRequest {
                query: text,
                content_type: None,
                body: b"",
            },
            Some("form") => HookRequest {
                query: "",
                content_type: Some("application/x-www-form-urlencoded"),
                body: &self.bytes,
            },
            _ => HookRequest {
                query: "",
                content_type: Some("application/json"),
                body: &self.bytes,
            },
        }
    }

    /// What `raw` must be: the JSON body itself, or the parameters as an object of strings.
    pub fn expected_raw(&self) -> String {
        if self.name.ends_with(".json") {
            return String::from_utf8_lossy(&self.bytes).trim().to_owned();
        }
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_bytes(&self.bytes).expect("fixture parameters decode");
        let mut object = Map::new();
        for (key, value) in pairs {
            object
                .entry(key.trim().to_owned())
                .or_insert(Value::String(value.trim().to_owned()));
        }
        Value::Object(object).to_string()
    }
}

pub fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("test time")
        .with_timezone(&Utc)
}

/// An event with everything optional left empty; tests fill in the rest with `..`.
pub fn event(provider: Provider, session: &str, kind: EventKind, discriminator: &str) -> CallEvent {
    let call_id = CallId::new(provider, session);
    CallEvent {
        id: call_id.event_id(kind, discriminator),
        call_id,
        provider,
        kind,
        direction: Direction::In,
        at: DateTime::UNIX_EPOCH,
        contact: Contact::default(),
        line: None,
        employee: None,
        outcome: None,
        durations: Durations::default(),
        recordings: Vec::new(),
        scenario: None,
        tags: Vec::new(),
        raw: String::new(),
    }
}

pub fn contact(e164: Option<&str>, raw: &str, name: Option<&str>) -> Contact {
    Contact {
        phone: e164.map(|p| PhoneNumber::from_e164(p).expect("test number is E.164")),
        raw: raw.to_owned(),
        name: name.map(str::to_owned),
    }
}

pub fn employee(id: Option<&str>, name: Option<&str>, extension: Option<&str>) -> Option<Employee> {
    Some(Employee {
        id: id.map(str::to_owned),
        name: name.map(str::to_owned),
        extension: extension.map(str::to_owned),
        phone: None,
    })
}

/// The same employee, whose phone UIS reports too (`employee_phone_number`).
pub fn with_phone(employee: Option<Employee>, e164: &str) -> Option<Employee> {
    let mut employee = employee.unwrap_or_default();
    employee.phone = Some(e164.to_owned());
    Some(employee)
}

pub fn durations(wait: Option<u32>, talk: Option<u32>, total: Option<u32>) -> Durations {
    Durations { wait, talk, total }
}

pub fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// Asserts that `actual` are exactly `expected`, every one carrying `raw`.
pub fn assert_events(actual: &[CallEvent], raw: &str, expected: &[CallEvent]) {
    for event in actual {
        assert_eq!(event.raw, raw, "raw of {}", event.id);
    }
    let strip = |events: &[CallEvent]| -> Vec<CallEvent> {
        events
            .iter()
            .map(|e| CallEvent {
                raw: String::new(),
                ..e.clone()
            })
            .collect()
    };
    assert_eq!(strip(actual), strip(expected));
}

/// The documented discriminator of a recording: `h` and the FNV-1a 64 digest of its link,
/// computed here independently of the crate.
pub fn recording_discriminator(link: &str) -> String {
    let hash = link.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("h{hash:016x}")
}

pub fn ids(events: &[CallEvent]) -> Vec<EventId> {
    events.iter().map(|e| e.id.clone()).collect()
}
