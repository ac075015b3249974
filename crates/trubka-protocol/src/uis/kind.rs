//! Which event a UIS notification reports.
//!
//! UIS sends no machine-readable event type that anyone has seen (`notification_mnemonic`
//! values are undocumented), so the kind comes from, in this order:
//!
//! 1. the kind in the hook URL (`/hooks/uis/{token}/{kind}`), which `uis-templates` generates;
//! 2. an explicit field: `kind` (our kind names), then `event` / `ev` / `event_type` (our names,
//!    EnvyCRM's `call_start`/`call_end`, the Usedesk URL words such as
//!    `conversation_started`, and the illustrative `call_finished`/`record_ready`);
//! 3. `notification_name`: the name the admin gave the notification, which the integration
//!    guides tell them to set to the event type's own name; then `notification_mnemonic` read
//!    with the event words; then the name's stems such as «запис…» or «пропущен…» for names
//!    like «CRM: завершение»;
//! 4. the fields that carry a value (a recording link, durations, leg ids).
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
        let said = named.or_else(|| by_fields(fields));
        return Ok(Detection {
            kind,
            direction: named.and_then(|n| n.direction),
            lost: kind == EventKind::Ended && said.is_some_and(|n| n.lost),
        });
    }
    if let Some(named) = named.or_else(|| by_fields(fields)) {
        return Ok(Detection {
            kind: named.kind,
            direction: named.direction,
            lost: named.lost,
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
    event_word(fields, "notification_mnemonic").or_else(|| by_stems(name.as_deref()?))
}

/// Names the admin made up («CRM: завершение», «Пропущенные»): the stems of the event words,
/// tried from the most to the least specific, because «Завершение плеча» also contains
/// «заверш» and «Ожидание ответа» also contains «ответ».
fn by_stems(name: &str) -> Option<Named> {
    let words: Vec<&str> = name.split(' ').collect();
    let any = |stems: &[&str]| words.iter().any(|w| stems.iter().any(|s| w.starts_with(s)));
    let finishing = ["заверш", "оконч", "finish", "end", "hangup"];
    if any(&["запис", "record"]) {
        return Some(RECORDING);
    }
    if any(&["потерян", "пропущен", "lost", "missed"]) {
        return Some(LOST);
    }
    if any(&["плеч", "leg"]) {
        if any(&finishing) {
            return Some(LEG_ENDED);
        }
        if any(&["исходящ", "outbound", "outgoing"]) {
            return Some(RINGING_OUT);
        }
        return Some(RINGING);
    }
    if any(&["ожидан", "waiting", "ringing", "дозвон"]) {
        return Some(RINGING);
    }
    if any(&["поднят", "answer", "ответ"]) || name.contains("начало разговора")
    {
        return Some(ANSWERED);
    }
    if any(&["разговор", "talk", "conversation"]) && any(&finishing) {
        return Some(LEG_ENDED);
    }
    if any(&finishing) {
        return Some(ENDED);
    }
    if any(&["входящ", "inbound", "incoming"]) {
        return Some(STARTED_IN);
    }
    if any(&["исходящ", "outbound", "outgoing"]) {
        return Some(STARTED_OUT);
    }
    None
}

/// The kind the carried values point to, for templates with neither a kind nor a known name.
fn by_fields(fields: &Fields<'_>) -> Option<Named> {
    let has = |name| fields.text(&[name]).is_some();
    if has("file_link") {
        return Some(RECORDING);
    }
    if has("total_time_duration") || has("finish_time") || has("finish_reason") {
        return Some(ENDED);
    }
    if has("talk_time_duration") {
        return Some(LEG_ENDED);
    }
    if !fields.list("leg_ids").is_empty() || has("answer_time") {
        return Some(ANSWERED);
    }
    if has("leg_id") {
        return Some(RINGING);
    }
    // The «Потерянный звонок» variables (Salebot's template): how long the caller waited and
    // which employees were tried (possibly none), and no talk at all.
    if has("wait_time_duration") || fields.has_key("employee_ids") {
        return Some(LOST);
    }
    None
}

fn unknown(fields: &Fields<'_>) -> PayloadError {
    let name = fields.text(&["notification_name"]);
    let present = fields.present(LISTED_FIELDS);
    let name_part = match name {
        Some(name) => format!("its notification_name «{name}» is not a known event name"),
        None => "it has no notification_name".to_owned(),
    };
    PayloadError::new(
        PayloadError::UNKNOWN_KIND,
        format!(
            "cannot tell which call event this UIS notification reports: there is no kind in the \
             URL, no known `event` field, {name_part}, and its fields ({}) do not identify one. \
             Configure the notification with the URL that names the kind \
             (/hooks/uis/{{token}}/started|ringing|answered|leg_ended|ended|recording, as \
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
    fn names_and_stems() {
        let cases = [
            ("Поднятие трубки", EventKind::Answered),
            ("Ожидание ответа", EventKind::Ringing),
            ("Завершение плеча", EventKind::LegEnded),
            ("CRM: завершение", EventKind::Ended),
            ("CRM: запись готова", EventKind::Recording),
            ("Пропущенные", EventKind::Ended),
            ("Входящий на 8800", EventKind::Started),
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
    fn fields_decide_last() {
        assert_eq!(
            kind_of(json!({"file_link": "https://x"})),
            Some(EventKind::Recording)
        );
        assert_eq!(
            kind_of(json!({"total_time_duration": 5})),
            Some(EventKind::Ended)
        );
        assert_eq!(
            kind_of(json!({"talk_time_duration": 5})),
            Some(EventKind::LegEnded)
        );
        assert_eq!(
            kind_of(json!({"leg_ids": [1, 2]})),
            Some(EventKind::Answered)
        );
        assert_eq!(kind_of(json!({"leg_id": 1})), Some(EventKind::Ringing));
        let lost = detect_json(json!({"employee_ids": []}), None).map(|d| d.lost);
        assert_eq!(lost, Ok(true));
    }

    #[test]
    fn unknown_names_the_fields_and_the_fix() {
        let err = detect_json(
            json!({"call_session_id": 1, "contact_info": {"contact_phone_number": 7}}),
            None,
        )
        .expect_err("unknown");
        assert_eq!(err.code, PayloadError::UNKNOWN_KIND);
        assert!(
            err.message.contains("contact_info.contact_phone_number"),
            "{}",
            err.message
        );
        assert!(
            err.message.contains("/hooks/uis/{token}/"),
            "{}",
            err.message
        );
    }
}
