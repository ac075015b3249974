//! A UIS `get.calls_report` row → the events of its call.

use chrono::{DateTime, TimeDelta, Utc};
use trubka_core::{CallEvent, Direction, Durations, EventKind, Outcome, PhoneParser, Provider};

use super::{Facts, HistoryEmployee, assemble, web_links};
use crate::hook::PayloadError;
use crate::ids::{self, ONCE_PER_CALL};
use crate::numbers;

/// One call session of the UIS calls report, as the relay read it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UisReportRow {
    /// `id` (= `call_session_id` of the notifications).
    pub call_session_id: String,
    pub direction: Option<Direction>,
    pub start_time: Option<DateTime<Utc>>,
    pub finish_time: Option<DateTime<Utc>>,
    pub finish_reason: Option<String>,
    pub is_lost: Option<bool>,
    pub contact_phone_number: Option<String>,
    pub contact_full_name: Option<String>,
    pub virtual_phone_number: Option<String>,
    pub wait_duration: Option<u32>,
    pub talk_duration: Option<u32>,
    pub total_duration: Option<u32>,
    /// `employees`, in report order (for an outgoing call the first is the caller).
    pub employees: Vec<HistoryEmployee>,
    /// `last_answered_employee_id` / `_full_name`, when someone answered.
    pub last_answered: Option<HistoryEmployee>,
    /// Recording links, built by the caller from `call_records` (`{media}/system/media/talk/…`)
    /// exactly as UIS writes them in `file_link`.
    pub recordings: Vec<String>,
    pub scenario_name: Option<String>,
    /// The row as JSON text.
    pub raw: String,
}

/// The events of a reported call: see [`super`] for the list and their ids.
///
/// `ended` names the employee who answered last, else (nobody answered) the last one rung.
/// Its outcome: talk time above zero, or UIS saying the call was not lost while someone
/// answered, is `answered`; a `finish_reason` mentioning busy is `busy`; otherwise `no_answer`
/// for an outgoing call and `missed` for the others.
///
/// Errors: `bad_call_id` for an id that cannot be one, `missing_call_id` for a row without a
/// start time (it cannot be placed in time).
pub fn uis_report_row_events(
    row: &UisReportRow,
    phones: &PhoneParser,
) -> Result<Vec<CallEvent>, PayloadError> {
    let call_id = ids::call_id(Provider::Uis, row.call_session_id.trim())?;
    let started_at = row.start_time.ok_or_else(|| {
        PayloadError::new(
            PayloadError::MISSING_CALL_ID,
            format!("UIS call {} has no start time", row.call_session_id),
        )
    })?;
    let ended_at = row
        .finish_time
        .or_else(|| {
            let total = TimeDelta::seconds(i64::from(row.total_duration?));
            started_at.checked_add_signed(total)
        })
        .unwrap_or(started_at);
    let direction = row.direction.unwrap_or(Direction::In);
    let answered = row
        .last_answered
        .as_ref()
        .or_else(|| row.employees.iter().rev().find(|employee| employee.talked));
    let ended_by = answered.or_else(|| row.employees.last());
    let caller = match direction {
        Direction::Out => row.employees.first(),
        Direction::In | Direction::Internal => None,
    };
    let base = CallEvent {
        id: call_id.event_id(EventKind::Ended, ONCE_PER_CALL),
        call_id: call_id.clone(),
        provider: Provider::Uis,
        kind: EventKind::Ended,
        direction,
        at: ended_at,
        contact: numbers::contact(
            phones,
            row.contact_phone_number.clone(),
            row.contact_full_name.clone(),
        ),
        line: numbers::line(phones, row.virtual_phone_number.clone()),
        employee: None,
        outcome: None,
        durations: Durations::default(),
        recordings: web_links(&row.recordings),
        scenario: row.scenario_name.clone(),
        tags: Vec::new(),
        raw: row.raw.clone(),
    };
    Ok(assemble(Facts {
        call_id,
        base,
        caller,
        ended_by,
        employees: &row.employees,
        started_at,
        ended_at,
        outcome: outcome(row, direction, answered.is_some()),
        durations: Durations {
            wait: row.wait_duration,
            talk: row.talk_duration,
            total: row.total_duration,
        },
        leg_discriminator: |employee| {
            let id = employee.id.as_deref()?;
            Some(ids::token(&format!("emp{id}")))
        },
    }))
}

fn outcome(row: &UisReportRow, direction: Direction, someone_answered: bool) -> Outcome {
    let talked = match row.talk_duration {
        Some(talk) => talk > 0,
        None => row.is_lost == Some(false) && someone_answered,
    };
    if talked {
        return Outcome::Answered;
    }
    let busy = row
        .finish_reason
        .as_deref()
        .is_some_and(|reason| reason.to_ascii_lowercase().contains("busy"));
    if busy {
        return Outcome::Busy;
    }
    match direction {
        Direction::Out => Outcome::NoAnswer,
        Direction::In | Direction::Internal => Outcome::Missed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn anna(talked: bool) -> HistoryEmployee {
        HistoryEmployee {
            id: Some("2339292".to_owned()),
            name: Some("Анна Смирнова".to_owned()),
            extension: None,
            talked,
        }
    }

    fn igor() -> HistoryEmployee {
        HistoryEmployee {
            id: Some("2339293".to_owned()),
            name: Some("Игорь Петров".to_owned()),
            extension: None,
            talked: false,
        }
    }

    fn row() -> UisReportRow {
        UisReportRow {
            call_session_id: "1197843161".to_owned(),
            direction: Some(Direction::In),
            start_time: DateTime::from_timestamp(1_778_570_103, 0),
            finish_time: DateTime::from_timestamp(1_778_570_260, 0),
            contact_phone_number: Some("79261234567".to_owned()),
            virtual_phone_number: Some("74951234567".to_owned()),
            talk_duration: Some(131),
            total_duration: Some(157),
            employees: vec![igor(), anna(true)],
            last_answered: Some(anna(true)),
            recordings: vec![
                "https://app.uiscom.ru/system/media/talk/1197843161/13f7/".to_owned(),
                "not a link".to_owned(),
            ],
            raw: r#"{"id":1197843161}"#.to_owned(),
            ..UisReportRow::default()
        }
    }

    #[test]
    fn an_answered_call_has_the_webhook_ids() {
        let events = uis_report_row_events(&row(), &PhoneParser::russia()).unwrap();
        let ids: Vec<&str> = events.iter().map(|e| e.id.0.as_str()).collect();
        assert_eq!(
            ids,
            vec![
                "uis:1197843161:started:call",
                "uis:1197843161:leg_ended:emp2339293",
                "uis:1197843161:ended:call",
                &format!(
                    "uis:1197843161:recording:h{}",
                    ids::digest("https://app.uiscom.ru/system/media/talk/1197843161/13f7/")
                ),
            ]
        );
        let ended = &events[2];
        assert_eq!(ended.outcome, Some(Outcome::Answered));
        assert_eq!(
            ended.employee.as_ref().unwrap().id.as_deref(),
            Some("2339292")
        );
        assert_eq!(ended.contact.phone.as_ref().unwrap().e164(), "+79261234567");
        assert_eq!(ended.line.as_deref(), Some("+74951234567"));
        assert_eq!(ended.durations.talk, Some(131));
        assert_eq!(events[1].outcome, Some(Outcome::NoAnswer));
        assert!(
            events[0].employee.is_none(),
            "line watchers see an incoming call"
        );
        assert!(events.iter().all(|e| e.raw == r#"{"id":1197843161}"#));
    }

    #[test]
    fn unanswered_calls_are_missed_busy_or_no_answer() {
        let phones = PhoneParser::russia();
        let mut missed = row();
        missed.talk_duration = Some(0);
        missed.last_answered = None;
        missed.employees = vec![anna(false)];
        missed.recordings.clear();
        missed.is_lost = Some(true);
        let events = uis_report_row_events(&missed, &phones).unwrap();
        assert_eq!(events.len(), 2, "started and ended only");
        assert_eq!(events[1].outcome, Some(Outcome::Missed));
        assert_eq!(
            events[1].employee.as_ref().unwrap().id.as_deref(),
            Some("2339292")
        );

        let mut busy = missed.clone();
        busy.finish_reason = Some("employee_busy".to_owned());
        assert_eq!(
            uis_report_row_events(&busy, &phones).unwrap()[1].outcome,
            Some(Outcome::Busy)
        );
        let mut out = missed;
        out.direction = Some(Direction::Out);
        let events = uis_report_row_events(&out, &phones).unwrap();
        assert_eq!(events[1].outcome, Some(Outcome::NoAnswer));
        assert!(
            events[0].employee.is_some(),
            "the caller of an outgoing call"
        );
    }

    #[test]
    fn rows_without_a_start_or_with_a_bad_id_are_refused() {
        let phones = PhoneParser::russia();
        let mut bad = row();
        bad.call_session_id = "two words".to_owned();
        assert_eq!(
            uis_report_row_events(&bad, &phones).unwrap_err().code,
            PayloadError::BAD_CALL_ID
        );
        let mut undated = row();
        undated.start_time = None;
        assert!(uis_report_row_events(&undated, &phones).is_err());
    }
}
