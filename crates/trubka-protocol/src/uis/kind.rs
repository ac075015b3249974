//! Which event a UIS notification reports, when that can be told for certain.
//!
//! UIS sends no machine-readable event type that anyone has seen (`notification_mnemonic`
//! values are undocumented), so the kind comes from, in this order:
//!
//! 1. the kind in the hook URL (`/hooks/uis/{token}/{kind}`, or one of the words other
//!    integrations put there, such as Usedesk's `call_finished`);
//! 2. an explicit field: `kind` (our kind names), then `event` / `ev` / `event_type` (our names,
//!    EnvyCRM's `call_start`/`call_end`, the Usedesk URL words such as
//!    `conversation_started`, and the illustrative `call_finished`/`record_ready`);
//! 3. `notification_name`, when it is the name of a UIS event type or of a notification an
//!    integration guide sets up («Завершение звонка», Omnidesk's «Поднятие трубки»); then
//!    `notification_mnemonic` read with the event words.
//!
//! Anything else is a guess, and nothing may decide a call's outcome from a guess: a name the
//! admin made up («CRM: завершение», «Salebot»), or fields that several event types share
//! (Salebot's one template carries `wait_time_duration` and `employee_ids` whichever event it
//! is sent for). Such a notification is an [`EventKind::Update`]: it tells the contact, the
//! line and the employees it names, and never moves the call's status or outcome.
//!
//! Whatever decides the kind, the name and event words still say whether the call was lost
//! («Потерянный звонок») and may say its direction («Исходящий звонок»).

use trubka_core::{Direction, EventKind};

use crate::hook::PayloadError;
use crate::payload::Fields;

/// What the notification says about itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Detection {
    pub(crate) kind: EventKind,
    /// The direction implied by the event's name, if any.
    pub(crate) direction: Option<Direction>,
    /// The event reports a lost (unanswered) call: its outcome is `missed`.
    pub(crate) lost: bool,
}

/// A kind read from a word or a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Named {
    kind: EventKind,
    direction: Option<Direction>,
    lost: bool,
}

const fn named(kind: EventKind, direction: Option<Direction>, lost: bool) -> Named {
    Named {
        kind,
        direction,
        lost,
    }
}

const STARTED_IN: Named = named(EventKind::Started, Some(Direction::In), false);
const STARTED_OUT: Named = named(EventKind::Started, Some(Direction::Out), false);
const STARTED: Named = named(EventKind::Started, None, false);
const RINGING: Named = named(EventKind::Ringing, None, false);
const RINGING_OUT: Named = named(EventKind::Ringing, Some(Direction::Out), false);
const ANSWERED: Named = named(EventKind::Answered, None, false);
const LEG_ENDED: Named = named(EventKind::LegEnded, None, false);
const ENDED: Named = named(EventKind::Ended, None, false);
const LOST: Named = named(EventKind::Ended, None, true);
const RECORDING: Named = named(EventKind::Recording, None, false);

/// Event words of explicit fields, normalised (lower case, words separated by one space).
const EVENT_WORDS: &[(&str, Named)] = &[
    ("started", STARTED),
    ("start", STARTED),
    ("call start", STARTED),
    ("call started", STARTED),
    ("new call", STARTED),
    ("incoming call started", STARTED_IN),
    ("incoming call", STARTED_IN),
    ("inbound call", STARTED_IN),
    ("outgoing call started", STARTED_OUT),
    ("outgoing call", STARTED_OUT),
    ("outbound call", STARTED_OUT),
    ("ringing", RINGING),
    ("ring", RINGING),
    ("call ringing", RINGING),
    ("waiting", RINGING),
    ("waiting for answer", RINGING),
    ("waiting for the answer", RINGING),
    ("answered", ANSWERED),
    ("answer", ANSWERED),
    ("call answered", ANSWERED),
    ("conversation started", ANSWERED),
    ("talk started", ANSWERED),
    ("leg ended", LEG_ENDED),
    ("leg end", LEG_ENDED),
    ("leg finished", LEG_ENDED),
    ("talk finished", LEG_ENDED),
    ("talk ended", LEG_ENDED),
    ("conversation finished", LEG_ENDED),
    ("conversation ended", LEG_ENDED),
    ("ended", ENDED),
    ("end", ENDED),
    ("finished", ENDED),
    ("hangup", ENDED),
    ("call end", ENDED),
    ("call ended", ENDED),
    ("call finished", ENDED),
    ("call completed", ENDED),
    ("lost", LOST),
    ("lost call", LOST),
    ("call lost", LOST),
    ("missed", LOST),
    ("missed call", LOST),
    ("recording", RECORDING),
    ("record", RECORDING),
    ("recorded", RECORDING),
    ("record ready", RECORDING),
    ("recording ready", RECORDING),
    ("call recorded", RECORDING),
    ("call recording completed", RECORDING),
];

/// Notification names of the UIS event types (Russian, and CallGear's English) and of the
/// integration guides' templates, normalised.
const NAMES: &[(&str, Named)] = &[
    ("входящий звонок на виртуальный номер", STARTED_IN),
    ("входящий звонок", STARTED_IN),
    ("inbound call on a virtual phone number", STARTED_IN),
    ("исходящий звонок", STARTED_OUT),
    ("outbound call", STARTED_OUT),
    ("ожидание ответа", RINGING),
    ("waiting for the answer", RINGING),
    // Omnidesk: the outgoing leg to the contact being dialled.
    ("исходящее плечо", RINGING_OUT),
    ("начало разговора", ANSWERED),
    ("talk started", ANSWERED),
    // Omnidesk: the employee picks up; the guide opens the contact's profile at that moment.
    ("поднятие трубки", ANSWERED),
    ("окончание разговора", LEG_ENDED),
    ("talk finished", LEG_ENDED),
    ("завершение плеча", LEG_ENDED),
    ("завершение звонка", ENDED),
    ("call finished", ENDED),
    ("потерянный звонок", LOST),
    ("пропущенный звонок", LOST),
    ("lost call", LOST),
    ("записанный разговор", RECORDING),
    ("запись разговора", RECORDING),
    ("call recording completed", RECORDING),
];

/// The words a UIS hook URL may end with: the relay's own kinds (`uis-templates` prints
/// them), then the words other integrations' guides put in their URLs (Usedesk's
/// `…/webhook/incoming_call_started/`), so an admin who copies such a setup loses nothing.
pub const UIS_URL_KINDS: [&str; 10] = [
    "started",
    "ringing",
    "answered",
    "leg_ended",
    "ended",
    "recording",
    "incoming_call_started",
    "outgoing_call_started",
    "conversation_started",
    "call_finished",
];

/// The event kind a hook URL's last word names, if it is one of [`UIS_URL_KINDS`].
pub fn uis_url_kind(word: &str) -> Option<EventKind> {
    let word = word.trim().trim_end_matches('/').to_ascii_lowercase();
    if !UIS_URL_KINDS.contains(&word.as_str()) {
        return None;
    }
    EventKind::parse(&word).or_else(|| {
        EVENT_WORDS
            .iter()
            .find(|(known, _)| *known == normalise(&word))
            .map(|(_, named)| named.kind)
    })
}

/// The fields an explicit event word may be in, after `kind`.
const EVENT_FIELDS: [&str; 4] = ["event", "ev", "event_type", "event_name"];

/// How many present fields an `unknown_kind` message lists.
const LISTED_FIELDS: usize = 24;

/// Decides the kind of the notification, or says why it cannot.
pub(crate) fn detect(
    fields: &Fields<'_>,
    hint: Option<EventKind>,
) -> Result<Detection, PayloadError> {
    let named = explicit(fields).or_else(|| by_name(fields));
    if let Some(kind) = hint {
        // The URL names the kind; what the payload says of itself can still tell a lost call.
        return Ok(Detection {
            kind,
            direction: named.and_then(|n| n.direction),
            lost: kind == EventKind::Ended && named.is_some_and(|n| n.lost),
        });
    }
    if let Some(named) = named {
        return Ok(Detection {
            kind: named.kind,
            direction: named.direction,
            lost: named.lost,
        });
    }
    if guessable(fields) {
        return Ok(Detection {
            kind: EventKind::Update,
            direction: None,
            lost: false,
        });
    }
    Err(unknown(fields))
}

fn explicit(fields: &Fields<'_>) -> Option<Named> {
    if let Some(kind) = fields
        .text(&["kind"])
        .and_then(|k| EventKind::parse(k.trim()))
    {
        return Some(named(kind, None, false));
    }
    EVENT_FIELDS
        .iter()
        .find_map(|field| event_word(fields, field))
}

fn event_word(fields: &Fields<'_>, field: &str) -> Option<Named> {
    let word = normalise(&fields.text(&[field])?);
    EVENT_WORDS
        .iter()
        .find(|(known, _)| *known == word)
        .map(|(_, named)| *named)
}

/// The notification's name, exactly, then its `notification_mnemonic` (whose values nobody
/// has documented, so it only counts when it is one of the event words), then the name's
/// stems.
fn by_name(fields: &Fields<'_>) -> Option<Named> {
    let name = fields.text(&["notification_name"]).map(|n| normalise(&n));
    if let Some(name) = &name
        && let Some((_, named)) = NAMES.iter().find(|(known, _)| known == name)
    {
        return Some(*named);
    }
    event_word(fields, "notification_mnemonic")
}

/// Whether the notification says something about a call at all, though not which event: a
/// name the admin gave it, or the values any call event carries. A body with none of these
/// (no name, no contact, no employee, no time) is refused rather than stored as an update.
fn guessable(fields: &Fields<'_>) -> bool {
    const CALL_FIELDS: [&str; 14] = [
        "notification_name",
        "notification_time",
        "contact_phone_number",
        "calling_phone_number",
        "called_phone_number",
        "virtual_phone_number",
        "employee_id",
        "employee_full_name",
        "employee_phone_number",
        "wait_time_duration",
        "talk_time_duration",
        "total_time_duration",
        "file_link",
        "leg_id",
    ];
    CALL_FIELDS
        .iter()
        .any(|name| fields.text(&[name]).is_some())
        || fields.has_key("employee_ids")
        || !fields.list("leg_ids").is_empty()
}

fn unknown(fields: &Fields<'_>) -> PayloadError {
    let present = fields.present(LISTED_FIELDS);
    PayloadError::new(
        PayloadError::UNKNOWN_KIND,
        format!(
            "this UIS notification says nothing about a call event: there is no kind in the URL, \
             no known `event` field, and none of its fields ({}) is a notification_name, a \
             number, an employee or a time. Configure the notification with the URL that names \
             the kind (/hooks/uis/{{token}}/started|ringing|answered|leg_ended|ended|recording, as \
             `trubka-relay uis-templates` prints them) or add \"event\":\"ended\" (etc.) to the template",
            if present.is_empty() {
                "none".to_owned()
            } else {
                present.join(", ")
            },
        ),
    )
}

/// Lower case, `ё` read as `е`, anything but letters and digits turned into single spaces.
fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        let c = if c == 'ё' { 'е' } else { c };
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with(' ') {
            out.push(' ');
        }
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn detect_json(value: Value, hint: Option<EventKind>) -> Result<Detection, PayloadError> {
        let map = value.as_object().cloned().unwrap_or_default();
        detect(&Fields::new(&map), hint)
    }

    fn kind_of(value: Value) -> Option<EventKind> {
        detect_json(value, None).ok().map(|d| d.kind)
    }

    #[test]
    fn normalising_names() {
        assert_eq!(normalise("  «Завершение   звонка»!"), "завершение звонка");
        assert_eq!(normalise("call_finished"), "call finished");
        assert_eq!(
            normalise("Записанный разговор (ё)"),
            "записанный разговор е"
        );
    }

    #[test]
    fn hint_wins_but_lost_and_direction_survive() {
        let d = detect_json(
            json!({"notification_name": "Потерянный звонок"}),
            Some(EventKind::Ended),
        );
        assert_eq!(
            d,
            Ok(Detection {
                kind: EventKind::Ended,
                direction: None,
                lost: true
            })
        );
        let d = detect_json(
            json!({"notification_name": "Исходящий звонок"}),
            Some(EventKind::Started),
        );
        assert_eq!(d.map(|d| d.direction), Ok(Some(Direction::Out)));
    }

    #[test]
    fn explicit_fields_before_names() {
        assert_eq!(
            kind_of(json!({"event": "call_end", "notification_name": "Входящий звонок"})),
            Some(EventKind::Ended)
        );
        assert_eq!(
            kind_of(json!({"kind": "leg_ended", "event": "call_start"})),
            Some(EventKind::LegEnded)
        );
        assert_eq!(
            kind_of(json!({"event": "record_ready"})),
            Some(EventKind::Recording)
        );
        assert_eq!(kind_of(json!({"ev": "answer"})), Some(EventKind::Answered));
    }

    #[test]
    fn url_words_of_our_kinds_and_of_usedesk() {
        assert_eq!(uis_url_kind("ended"), Some(EventKind::Ended));
        assert_eq!(
            uis_url_kind("incoming_call_started"),
            Some(EventKind::Started)
        );
        assert_eq!(
            uis_url_kind("outgoing_call_started"),
            Some(EventKind::Started)
        );
        assert_eq!(
            uis_url_kind("conversation_started"),
            Some(EventKind::Answered)
        );
        assert_eq!(uis_url_kind("call_finished"), Some(EventKind::Ended));
        assert_eq!(uis_url_kind("update"), None);
        assert_eq!(uis_url_kind("finished"), None);
        for word in UIS_URL_KINDS {
            assert!(uis_url_kind(word).is_some(), "{word}");
        }
    }

    #[test]
    fn names_of_event_types_and_guides_are_certain() {
        let cases = [
            ("Поднятие трубки", EventKind::Answered),
            ("Ожидание ответа", EventKind::Ringing),
            ("Завершение плеча", EventKind::LegEnded),
            ("Завершение звонка", EventKind::Ended),
            ("Записанный разговор", EventKind::Recording),
            ("Talk finished", EventKind::LegEnded),
        ];
        for (name, kind) in cases {
            assert_eq!(
                kind_of(json!({"notification_name": name})),
                Some(kind),
                "{name}"
            );
        }
    }

    #[test]
    fn made_up_names_and_shared_fields_are_only_updates() {
        let guesses = [
            json!({"notification_name": "CRM: завершение"}),
            json!({"notification_name": "Пропущенные"}),
            json!({"notification_name": "Salebot"}),
            json!({"file_link": "https://x"}),
            json!({"total_time_duration": 5}),
            json!({"talk_time_duration": 5}),
            json!({"leg_ids": [1, 2]}),
            json!({"leg_id": 1}),
            // Salebot's template, whichever event it was sent for.
            json!({"notification_name": "Бот", "wait_time_duration": 12, "employee_ids": []}),
        ];
        for body in guesses {
            let detection = detect_json(body.clone(), None).expect("stored as an update");
            assert_eq!(
                detection,
                Detection {
                    kind: EventKind::Update,
                    direction: None,
                    lost: false
                },
                "{body}"
            );
        }
    }

    #[test]
    fn a_url_kind_takes_lost_only_from_a_certain_name() {
        let salebot =
            json!({"notification_name": "Бот", "employee_ids": [], "wait_time_duration": 3});
        let d = detect_json(salebot, Some(EventKind::Ended)).expect("ended");
        assert!(!d.lost);
        let lost = json!({"notification_name": "Потерянный звонок", "employee_ids": []});
        assert!(
            detect_json(lost, Some(EventKind::Ended))
                .expect("ended")
                .lost
        );
    }

    #[test]
    fn a_body_about_no_call_event_names_the_fields_and_the_fix() {
        let err =
            detect_json(json!({"call_session_id": 1, "secret": "x"}), None).expect_err("unknown");
        assert_eq!(err.code, PayloadError::UNKNOWN_KIND);
        assert!(err.message.contains("secret"), "{}", err.message);
        assert!(
            err.message.contains("/hooks/uis/{token}/"),
            "{}",
            err.message
        );
    }
}
