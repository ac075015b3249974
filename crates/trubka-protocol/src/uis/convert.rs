//! Building the CallEvents of a UIS notification whose kind is known.

use chrono::{DateTime, Utc};
use trubka_core::{
    CallEvent, CallId, Direction, Durations, Employee, EventKind, Outcome, ParsedNumber,
    PhoneParser, Provider,
};

use crate::hook::PayloadError;
use crate::ids::{self, ONCE_PER_CALL};
use crate::numbers;
use crate::options::ParseOptions;
use crate::payload::Fields;
use crate::times;

use super::kind::Detection;

/// Where the call's id may be: UIS's own name, then EnvyCRM's template name for it, then the
/// communication id some templates send instead.
const SESSION_FIELDS: [&str; 3] = ["call_session_id", "call_hash", "communication_id"];

/// Employee id and name fields, in the order they describe "the employee of this event": the
/// event's own, then those the «Завершение звонка» template names after the talk.
const EMPLOYEE_FIELDS: [(&str, &str); 5] = [
    ("employee_id", "employee_full_name"),
    ("last_talked_employee_id", "last_talked_employee_full_name"),
    (
        "last_answered_employee_id",
        "last_answered_employee_full_name",
    ),
    (
        "first_talked_employee_id",
        "first_talked_employee_full_name",
    ),
    (
        "first_answered_employee_id",
        "first_answered_employee_full_name",
    ),
];

/// Fields holding recording links: «Записанный разговор» `file_link` (also nested in
/// `call_record_file_info`), the «Завершение звонка» list, and EnvyCRM's `record_links`.
const RECORDING_FIELDS: [&str; 4] = [
    "file_link",
    "record_file_links",
    "record_links",
    "file_links",
];

/// The discriminator of an `ended` event that reports no outcome.
const BARE_END: &str = "bare";

/// Turns a notification into its events: one, or for an `ended`/`leg_ended` carrying
/// recording links also one `recording` event per link, and for a `recording` notification
/// one event per link.
pub(crate) fn events(
    fields: &Fields<'_>,
    call_id: &CallId,
    detection: Detection,
    raw: &str,
    phones: &PhoneParser,
    options: &ParseOptions,
) -> Vec<CallEvent> {
    let kind = detection.kind;
    let direction = direction(fields, detection);
    let employee = employee(fields, phones);
    let contact_field = match direction {
        Direction::Out => "called_phone_number",
        Direction::In | Direction::Internal => "calling_phone_number",
    };
    let base = CallEvent {
        id: call_id.event_id(kind, ONCE_PER_CALL),
        call_id: call_id.clone(),
        provider: Provider::Uis,
        kind,
        direction,
        at: at(fields, kind, options),
        contact: numbers::contact(
            phones,
            fields.text(&["contact_phone_number", "client_number", contact_field]),
            fields.text(&["contact_full_name"]),
        ),
        line: numbers::line(
            phones,
            fields.text(&["virtual_phone_number", "line_number"]),
        ),
        outcome: outcome(fields, kind, direction, detection.lost),
        durations: Durations {
            wait: fields.seconds(&["wait_time_duration", "total_wait_time_duration"]),
            talk: fields.seconds(&["talk_time_duration"]),
            total: fields.seconds(&["total_time_duration"]),
        },
        recordings: recordings(fields),
        scenario: fields.text(&["scenario_name"]),
        tags: fields.list("tag_names"),
        raw: raw.to_owned(),
        employee: (!employee.is_empty()).then_some(employee),
    };
    let mut events = Vec::with_capacity(1 + base.recordings.len());
    if kind != EventKind::Recording {
        // Legs are told apart within a call; `started` and `ended` happen once per call.
        let leg_scoped = matches!(
            kind,
            EventKind::Ringing | EventKind::Answered | EventKind::LegEnded
        );
        let id = if leg_scoped {
            call_id.event_id(kind, &leg_discriminator(fields, base.employee.as_ref()))
        } else if kind == EventKind::Update {
            // Each distinct notification is its own update (a retry of the same body is the
            // same one), and never shares an id with a certain event that may follow.
            call_id.event_id(kind, &ids::digest(raw))
        } else if kind == EventKind::Ended && base.outcome.is_none() {
            // An end that says nothing of how the call went must not take the id of the end
            // the PBX's history reports with its outcome: reconciliation then adds that one.
            call_id.event_id(kind, BARE_END)
        } else {
            base.id.clone()
        };
        events.push(CallEvent { id, ..base.clone() });
    }
    if matches!(
        kind,
        EventKind::Recording | EventKind::Ended | EventKind::LegEnded
    ) {
        events.extend(recording_events(&base, call_id));
    }
    events
}

/// The call's id; checked before anything else, as without it nothing can be stored.
pub(crate) fn call_id(fields: &Fields<'_>) -> Result<CallId, PayloadError> {
    let session = fields.text(&SESSION_FIELDS).ok_or_else(|| {
        PayloadError::new(
            PayloadError::MISSING_CALL_ID,
            "the UIS notification has no call_session_id (nor call_hash or communication_id); \
             add \"call_session_id\":{{call_session_id}} to the notification template",
        )
    })?;
    ids::call_id(Provider::Uis, &session)
}

/// `is_internal` first (an internal call has a `direction` too), then the `direction` field,
/// then what the event's name implies, and incoming when nothing says.
fn direction(fields: &Fields<'_>, detection: Detection) -> Direction {
    if fields.flag("is_internal") == Some(true) {
        return Direction::Internal;
    }
    fields
        .text(&["direction"])
        .and_then(|text| parse_direction(&text))
        .or(detection.direction)
        .unwrap_or(Direction::In)
}

pub(super) fn parse_direction(text: &str) -> Option<Direction> {
    match text.trim().to_lowercase().as_str() {
        "in" | "incoming" | "inbound" | "входящий" | "входящая" => {
            Some(Direction::In)
        }
        "out" | "outgoing" | "outbound" | "исходящий" | "исходящая" => {
            Some(Direction::Out)
        }
        "internal" | "inner" | "local" | "внутренний" | "внутренняя" => {
            Some(Direction::Internal)
        }
        _ => None,
    }
}

fn employee(fields: &Fields<'_>, phones: &PhoneParser) -> Employee {
    let (mut id, name) = EMPLOYEE_FIELDS
        .iter()
        .map(|(id, name)| (fields.text(&[id]), fields.text(&[name])))
        .find(|(id, name)| id.is_some() || name.is_some())
        .unwrap_or_default();
    if id.is_none() && name.is_none() {
        // A single employee tried: the «Потерянный звонок» list names whose call it was.
        if let [only] = fields.list("employee_ids").as_slice() {
            id = Some(only.clone());
        }
    }
    // EnvyCRM's template fills `extension` with `{{employee_phone_number}}` (its guide warns
    // against extensions there): only a real internal number is an extension; anything else
    // in it is the employee's phone or SIP line.
    let envy_extension = fields.text(&["extension"]);
    let short = |text: &String| matches!(phones.parse(text), ParsedNumber::Internal(_));
    let extension = fields
        .text(&["extension_phone_number"])
        .or_else(|| envy_extension.clone().filter(short));
    let phone = fields
        .text(&["employee_phone_number"])
        .or_else(|| envy_extension.filter(|text| !short(text)))
        .and_then(|text| phones.employee_line(&text));
    Employee {
        id,
        name,
        extension,
        phone,
    }
}

/// How the call (`ended`) or the leg (`leg_ended`) ended.
fn outcome(
    fields: &Fields<'_>,
    kind: EventKind,
    direction: Direction,
    lost: bool,
) -> Option<Outcome> {
    let talk = fields.seconds(&["talk_time_duration", "clean_talk_time_duration"]);
    let is_lost = fields.flag("is_lost");
    let lost_reason = fields.text(&["lost_reason"]);
    let busy = lost_reason.as_deref().is_some_and(|r| {
        let r = r.to_lowercase();
        r.contains("занят") || r.contains("busy")
    });
    match kind {
        EventKind::Ended => {
            // «Missed» is an incoming call nobody took; an outgoing one the contact did not
            // take is «no answer».
            let unanswered = match direction {
                Direction::Out => Outcome::NoAnswer,
                Direction::In | Direction::Internal => Outcome::Missed,
            };
            if busy {
                return Some(Outcome::Busy);
            }
            if lost || is_lost == Some(true) || lost_reason.is_some() {
                return Some(unanswered);
            }
            match (talk, is_lost) {
                (Some(0), _) => Some(unanswered),
                (Some(_), _) | (None, Some(false)) => Some(Outcome::Answered),
                (None, _) => None,
            }
        }
        // A leg nobody picked up is «no answer» whatever the call's direction: the call
        // itself may still be answered by someone else.
        EventKind::LegEnded => match (talk, is_lost) {
            (Some(0), _) | (None, Some(true)) => Some(Outcome::NoAnswer),
            (Some(_), _) => Some(Outcome::Answered),
            (None, _) => None,
        },
        EventKind::Started
        | EventKind::Ringing
        | EventKind::Answered
        | EventKind::Recording
        | EventKind::Update => None,
    }
}

/// The recording links, each once, in the order given; only web links (a player needs one).
fn recordings(fields: &Fields<'_>) -> Vec<String> {
    let mut links: Vec<String> = Vec::new();
    for name in RECORDING_FIELDS {
        for item in fields.list(name) {
            // A list that went through a query string may arrive as one comma-separated text.
            for link in item.split([',', ' ', '\n', '\t', ';']) {
                let link = link.trim().trim_matches(|c| c == '"' || c == '\'');
                let lower = link.to_ascii_lowercase();
                let web = lower.starts_with("https://") || lower.starts_with("http://");
                if web && !links.iter().any(|known| known == link) {
                    links.push(link.to_owned());
                }
            }
        }
    }
    links
}

/// When it happened: the notification's own time, then the time of the moment the event is
/// about, then the call's start, then what the relay passed in.
fn at(fields: &Fields<'_>, kind: EventKind, options: &ParseOptions) -> DateTime<Utc> {
    let moment = match kind {
        EventKind::Answered => "answer_time",
        EventKind::Ended => "finish_time",
        EventKind::Started
        | EventKind::Ringing
        | EventKind::LegEnded
        | EventKind::Recording
        | EventKind::Update => "start_time",
    };
    [
        "notification_time",
        "notification_timestamp",
        moment,
        "start_time",
    ]
    .iter()
    .filter_map(|name| fields.value(name))
    .find_map(|value| times::from_value(value, options.utc_offset))
    .or(options.received_at)
    .unwrap_or(DateTime::UNIX_EPOCH)
}

/// What tells the legs of one call apart: the leg id (an employee's leg has one, and two
/// employees rung at once have two), else the legs in the talk, else the employee.
fn leg_discriminator(fields: &Fields<'_>, employee: Option<&Employee>) -> String {
    let leg_id = fields.text(&["leg_id"]);
    let mut leg_ids = fields.list("leg_ids");
    leg_ids.sort();
    leg_ids.dedup();
    // `leg_id` is the employee's own leg; `leg_ids` (the legs in a talk) stand in for it in
    // the templates that only have them («Начало разговора», «Окончание разговора»).
    let legs = leg_id.or_else(|| (!leg_ids.is_empty()).then(|| leg_ids.join("-")));
    if let Some(legs) = legs {
        return ids::token(&legs);
    }
    let Some(employee) = employee else {
        return ONCE_PER_CALL.to_owned();
    };
    if let Some(id) = &employee.id {
        return ids::token(&format!("emp{id}"));
    }
    if let Some(extension) = &employee.extension {
        return ids::token(&format!("ext{extension}"));
    }
    if let Some(phone) = &employee.phone {
        return ids::token(&format!("tel{phone}"));
    }
    match &employee.name {
        Some(name) => ids::token(name),
        None => ONCE_PER_CALL.to_owned(),
    }
}

/// One `recording` event per link of `base`, each identified by its link so that the same
/// recording announced by several notifications («Завершение звонка», «Записанный разговор»)
/// is one event. A recording notification without any link still becomes one event.
fn recording_events(base: &CallEvent, call_id: &CallId) -> Vec<CallEvent> {
    let recording = CallEvent {
        kind: EventKind::Recording,
        outcome: None,
        ..base.clone()
    };
    if base.recordings.is_empty() {
        return match base.kind {
            EventKind::Recording => vec![CallEvent {
                id: call_id.event_id(EventKind::Recording, "none"),
                ..recording
            }],
            _ => Vec::new(),
        };
    }
    base.recordings
        .iter()
        .map(|link| CallEvent {
            id: call_id.event_id(EventKind::Recording, &ids::token(link)),
            recordings: vec![link.clone()],
            ..recording.clone()
        })
        .collect()
}
