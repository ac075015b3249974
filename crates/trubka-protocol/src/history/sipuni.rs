//! A Sipuni `statistic/export` row → the events of its call.

use chrono::{DateTime, TimeDelta, Utc};
use trubka_core::{CallEvent, Direction, Durations, EventKind, Outcome, PhoneParser, Provider};

use super::{Facts, HistoryEmployee, assemble, web_links};
use crate::hook::PayloadError;
use crate::ids::{self, ONCE_PER_CALL};
use crate::numbers;

/// One call of the Sipuni export, as the relay read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SipuniExportRow {
    /// The call id of the webhooks (`call_id`, e.g. `1774372584.533596`): the export's
    /// `ID записи`, or the id the relay matched or made up.
    pub call_id: String,
    /// From `Тип`: incoming, outgoing, internal.
    pub direction: Direction,
    /// `Время`, the start.
    pub start: DateTime<Utc>,
    /// `Статус`, verbatim (`Отвечен`, `Не отвечен`, `Занято`, …).
    pub status: Option<String>,
    /// `Откуда`, `Куда`, as written.
    pub from: Option<String>,
    pub to: Option<String>,
    /// `Кому звонили`: the employees rung (extension, name), in order.
    pub employees: Vec<HistoryEmployee>,
    /// `Кто ответил`.
    pub answered_by: Option<HistoryEmployee>,
    /// `Длительность звонка, сек`, `Длительность разговора, сек`, `Время ответа, сек`.
    pub call_duration: Option<u32>,
    pub talk_duration: Option<u32>,
    pub answer_time: Option<u32>,
    /// The recording link as Sipuni writes `call_record_link`, when the call has one.
    pub recording: Option<String>,
    /// `Схема`.
    pub scheme: Option<String>,
    /// The row as JSON text.
    pub raw: String,
}

/// The events of an exported call: see [`super`] for the list and their ids.
///
/// The contact is `Откуда` of incoming and internal calls and `Куда` of outgoing ones; the line
/// is `Куда` of incoming calls (the webhooks name a line only for those). `ended` names whoever
/// answered, else the last employee rung; its outcome follows `Статус` as the webhook parser
/// reads event 2: answered, busy, and otherwise `missed` (incoming, internal) or `no_answer`
/// (outgoing); talk time above zero is `answered` whatever the status says.
pub fn sipuni_export_row_events(
    row: &SipuniExportRow,
    phones: &PhoneParser,
) -> Result<Vec<CallEvent>, PayloadError> {
    let call_id = ids::call_id(Provider::Sipuni, row.call_id.trim())?;
    let ended_at = row
        .call_duration
        .and_then(|secs| {
            row.start
                .checked_add_signed(TimeDelta::seconds(i64::from(secs)))
        })
        .unwrap_or(row.start);
    let (contact, line) = match row.direction {
        Direction::In => (row.from.clone(), numbers::line(phones, row.to.clone())),
        Direction::Internal => (row.from.clone(), None),
        Direction::Out => (row.to.clone(), None),
    };
    let caller = match row.direction {
        Direction::Out | Direction::Internal => row.employees.first(),
        Direction::In => None,
    };
    let ended_by = row.answered_by.as_ref().or_else(|| row.employees.last());
    let answered = row.talk_duration.is_some_and(|talk| talk > 0) || row.answered_by.is_some();
    let wait = if answered {
        row.answer_time
    } else {
        row.call_duration
    };
    let base = CallEvent {
        id: call_id.event_id(EventKind::Ended, ONCE_PER_CALL),
        call_id: call_id.clone(),
        provider: Provider::Sipuni,
        kind: EventKind::Ended,
        direction: row.direction,
        at: ended_at,
        contact: sipuni_contact(phones, contact),
        line,
        employee: None,
        outcome: None,
        durations: Durations::default(),
        recordings: web_links(&row.recording.iter().cloned().collect::<Vec<_>>()),
        scenario: row.scheme.clone(),
        tags: Vec::new(),
        raw: row.raw.clone(),
    };
    Ok(assemble(Facts {
        call_id,
        base,
        caller,
        ended_by,
        employees: &row.employees,
        started_at: row.start,
        ended_at,
        outcome: outcome(row, answered),
        durations: Durations {
            wait,
            talk: row.talk_duration,
            total: row.call_duration,
        },
        leg_discriminator: |employee| employee.extension.as_deref().map(ids::token),
    }))
}

/// The contact: an external number parsed to E.164 when it is one; an internal party (a
/// short number) is never a phone number.
fn sipuni_contact(phones: &PhoneParser, raw: Option<String>) -> trubka_core::Contact {
    let raw = raw.unwrap_or_default();
    let internal = !raw.is_empty() && raw.len() <= 6 && raw.bytes().all(|b| b.is_ascii_digit());
    let mut contact = numbers::contact(phones, (!raw.is_empty()).then_some(raw), None);
    if internal {
        contact.phone = None;
    }
    contact
}

fn outcome(row: &SipuniExportRow, answered: bool) -> Outcome {
    if answered {
        return Outcome::Answered;
    }
    let status = row.status.as_deref().unwrap_or("").to_lowercase();
    if status.contains("занят") || status.contains("busy") {
        return Outcome::Busy;
    }
    match row.direction {
        Direction::Out => Outcome::NoAnswer,
        Direction::In | Direction::Internal => Outcome::Missed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn employee(extension: &str, talked: bool) -> HistoryEmployee {
        HistoryEmployee {
            extension: Some(extension.to_owned()),
            name: Some(format!("Сотрудник {extension}")),
            id: None,
            talked,
        }
    }

    fn row() -> SipuniExportRow {
        SipuniExportRow {
            call_id: "1774372584.533596".to_owned(),
            direction: Direction::In,
            start: DateTime::from_timestamp(1_774_372_584, 0).unwrap(),
            status: Some("Отвечен".to_owned()),
            from: Some("79261234567".to_owned()),
            to: Some("74992136070".to_owned()),
            employees: vec![employee("202", false), employee("201", true)],
            answered_by: Some(employee("201", true)),
            call_duration: Some(18),
            talk_duration: Some(8),
            answer_time: Some(10),
            recording: Some(
                "https://sipuni.com/api/crm/record?id=1774372584.533596&hash=93247a3b".to_owned(),
            ),
            scheme: Some("Входящая".to_owned()),
            raw: "{}".to_owned(),
        }
    }

    #[test]
    fn an_answered_call_has_the_webhook_ids() {
        let events = sipuni_export_row_events(&row(), &PhoneParser::russia()).unwrap();
        let ids: Vec<&str> = events.iter().map(|e| e.id.0.as_str()).collect();
        assert_eq!(
            ids,
            vec![
                "sipuni:1774372584.533596:started:call",
                "sipuni:1774372584.533596:leg_ended:202",
                "sipuni:1774372584.533596:ended:call",
                &format!(
                    "sipuni:1774372584.533596:recording:h{}",
                    ids::digest(
                        "https://sipuni.com/api/crm/record?id=1774372584.533596&hash=93247a3b"
                    )
                ),
            ]
        );
        let ended = &events[2];
        assert_eq!(ended.outcome, Some(Outcome::Answered));
        assert_eq!(
            ended.employee.as_ref().unwrap().extension.as_deref(),
            Some("201")
        );
        assert_eq!(ended.line.as_deref(), Some("+74992136070"));
        assert_eq!(ended.durations.wait, Some(10));
        assert_eq!(ended.at.timestamp(), 1_774_372_602);
    }

    #[test]
    fn statuses_become_the_webhook_outcomes() {
        let phones = PhoneParser::russia();
        let mut missed = row();
        missed.status = Some("Не отвечен".to_owned());
        missed.answered_by = None;
        missed.talk_duration = Some(0);
        missed.recording = None;
        missed.employees = vec![employee("201", false)];
        let events = sipuni_export_row_events(&missed, &phones).unwrap();
        assert_eq!(events.len(), 2);
        assert_eq!(events[1].outcome, Some(Outcome::Missed));
        let mut out = missed.clone();
        out.direction = Direction::Out;
        out.from = Some("201".to_owned());
        out.to = Some("79261234567".to_owned());
        let events = sipuni_export_row_events(&out, &phones).unwrap();
        assert_eq!(events[1].outcome, Some(Outcome::NoAnswer));
        assert_eq!(
            events[0].contact.phone.as_ref().unwrap().e164(),
            "+79261234567"
        );
        assert!(events[0].line.is_none());
        let mut busy = missed;
        busy.status = Some("Занято".to_owned());
        assert_eq!(
            sipuni_export_row_events(&busy, &phones).unwrap()[1].outcome,
            Some(Outcome::Busy)
        );
    }
}
