//! A year of a call center's calls, made as `CallEvent`s the way the UIS parser makes them:
//! incoming calls answered, missed or hung up in the voice menu, and call-backs answered
//! with a recording, without one, or not at all; from a few numbers that call every day,
//! many regular clients and many one-off callers.

use chrono::{DateTime, Duration, TimeZone, Utc};
use trubka_core::{
    CallEvent, CallId, Contact, Direction, Durations, Employee, EventKind, Outcome, PhoneNumber,
    Provider,
};

/// UIS call sessions of the stored calls start here; the webhooks' sessions come after.
pub(crate) const STORED_SESSION_BASE: u64 = 10_000_000;
/// Numbers that call several times a day all year (a partner's office, a courier service).
pub(crate) const HOT_NUMBERS: u64 = 20;
/// Clients who call now and then.
pub(crate) const REGULAR_NUMBERS: u64 = 100_000;

/// splitmix64: the same calls on every run, without a random number generator's state.
pub(crate) fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// One of the hot numbers (Moscow offices), E.164.
pub(crate) fn hot_number(n: u64) -> String {
    format!("+7495100{:04}", n % HOT_NUMBERS)
}

/// One of the regular clients' mobiles, E.164.
pub(crate) fn regular_number(n: u64) -> String {
    format!("+7916{:07}", n % REGULAR_NUMBERS)
}

/// The client of stored call `i`: 2% of calls from the hot numbers, 48% from the regular
/// clients, the rest each from a number seen once.
pub(crate) fn client_of(i: u64) -> String {
    let r = mix(i) % 100;
    let pick = mix(i ^ 0x5555);
    match r {
        0..2 => hot_number(pick),
        2..50 => regular_number(pick),
        _ => format!("+7926{:07}", i % 10_000_000),
    }
}

/// What stored call `i` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Incoming, answered and recorded.
    Answered,
    /// Incoming, rang an employee, nobody answered.
    Missed,
    /// Incoming, hung up in the voice menu before anyone was rung.
    MenuHangUp,
    /// Outgoing, answered and recorded.
    CallBackRecorded,
    /// Outgoing, answered, no recording.
    CallBackUnrecorded,
    /// Outgoing, nobody answered.
    CallBackUnanswered,
}

pub(crate) fn kind_of(i: u64) -> Kind {
    match mix(i ^ 0xAAAA) % 100 {
        0..52 => Kind::Answered,
        52..70 => Kind::Missed,
        70..75 => Kind::MenuHangUp,
        75..90 => Kind::CallBackRecorded,
        90..93 => Kind::CallBackUnrecorded,
        _ => Kind::CallBackUnanswered,
    }
}

/// The events of stored call `i` of `calls`, spread evenly over the year before `end`.
pub(crate) fn events_of(i: u64, calls: u64, agents: u64, end: DateTime<Utc>) -> Vec<CallEvent> {
    let year = 365 * 86_400;
    let start = end - Duration::seconds(year) + Duration::seconds((i * year as u64 / calls) as i64);
    let session = (STORED_SESSION_BASE + i).to_string();
    let number = client_of(i);
    let kind = kind_of(i);
    let agent = mix(i ^ 0x1234) % agents;
    let employee = Employee {
        id: Some(crate::webhooks::uis_employee(agent as usize)),
        name: Some(format!("Сотрудник {agent}")),
        extension: None,
        phone: None,
    };
    let direction = match kind {
        Kind::Answered | Kind::Missed | Kind::MenuHangUp => Direction::In,
        _ => Direction::Out,
    };
    let call_id = CallId::new(Provider::Uis, &session);
    let event = |kind: EventKind, n: &str, seconds: i64| CallEvent {
        id: call_id.event_id(kind, n),
        call_id: call_id.clone(),
        provider: Provider::Uis,
        kind,
        direction,
        at: start + Duration::seconds(seconds),
        contact: Contact {
            phone: PhoneNumber::from_e164(&number),
            raw: number.trim_start_matches('+').to_owned(),
            name: None,
        },
        line: Some("+74951234567".to_owned()),
        employee: None,
        outcome: None,
        durations: Durations::default(),
        recordings: Vec::new(),
        scenario: None,
        tags: Vec::new(),
        raw: String::new(),
    };
    let talk = 30 + (mix(i ^ 0x77) % 300) as u32;
    let recording = format!("https://app.uiscom.ru/system/media/talk/{session}/record.mp3");
    let mut events = vec![event(EventKind::Started, "s", 0)];
    let with_employee = |kind: EventKind, n: &str, seconds: i64| {
        let mut e = event(kind, n, seconds);
        e.employee = Some(employee.clone());
        e
    };
    match kind {
        Kind::Answered | Kind::CallBackRecorded | Kind::CallBackUnrecorded => {
            if direction == Direction::In {
                events.push(with_employee(EventKind::Ringing, "r", 4));
            }
            events.push(with_employee(EventKind::Answered, "a", 9));
            let mut end = with_employee(EventKind::Ended, "e", 9 + i64::from(talk));
            end.outcome = Some(Outcome::Answered);
            end.durations = Durations {
                wait: Some(9),
                talk: Some(talk),
                total: Some(9 + talk),
            };
            events.push(end);
            if kind != Kind::CallBackUnrecorded {
                let mut rec = with_employee(EventKind::Recording, "rec", 15 + i64::from(talk));
                rec.recordings = vec![recording];
                events.push(rec);
            }
        }
        Kind::Missed => {
            events.push(with_employee(EventKind::Ringing, "r", 4));
            let mut end = with_employee(EventKind::Ended, "e", 34);
            end.outcome = Some(Outcome::Missed);
            events.push(end);
        }
        Kind::MenuHangUp => {
            let mut end = event(EventKind::Ended, "e", 12);
            end.outcome = Some(Outcome::Missed);
            events.push(end);
        }
        Kind::CallBackUnanswered => {
            let mut end = with_employee(EventKind::Ended, "e", 30);
            end.outcome = Some(Outcome::NoAnswer);
            events.push(end);
        }
    }
    events
}

/// The moment the stored year ends: a fixed day, so every run stores the same calls.
pub(crate) fn year_end() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0)
        .single()
        .expect("a valid date")
}
