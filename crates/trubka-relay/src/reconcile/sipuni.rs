//! Sipuni: the call log (`statistic/export`) of the window, each row read into the protocol's
//! [`SipuniExportRow`], and the webhook call id each row belongs to.
//!
//! The export has no column named "call id". `ID записи` is the call id of the webhooks
//! (`1774372584.533596`, what `statistic/record` and `crm/record?id=` take) and is filled for
//! calls with a recording. A row without it (a missed call) is matched to a call the relay
//! already stored by the start time its id begins with (Asterisk ids are the start's unix
//! seconds, a dot, a sequence) and the contact's number; a row that matches nothing gets an
//! id of its own, `{start}.trubka-{digest}`, stable from one run to the next.
//!
//! The export's days and `Время` are the cabinet's local time (`[sipuni] utc_offset`). It is
//! asked with `anonymous=1` and `anonymous=0` and the rows merged, since public sources
//! disagree on which one lists calls from hidden numbers (docs/protocol.md).

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use trubka_core::{Direction, PhoneParser};
use trubka_pbx::PbxError;
use trubka_pbx::sipuni::{EmployeeCell, SipuniCallKind, SipuniCallRow, StatisticsFilter};
use trubka_protocol::history::{HistoryEmployee, SipuniExportRow};

use crate::pbx::SipuniApi;

/// One exported call before its call id is settled.
#[derive(Debug, Clone)]
pub(super) struct ExportedCall {
    /// The protocol row; `call_id` is `ID записи` when the export gave it, else empty.
    pub(super) row: SipuniExportRow,
    /// When the call ended.
    pub(super) ended: DateTime<Utc>,
    /// The contact's number in E.164, for matching.
    pub(super) contact: Option<String>,
    /// The export said a recording exists.
    pub(super) has_recording: bool,
}

impl ExportedCall {
    /// The id for a row that matches no stored call: the start and a digest of the row's
    /// identifying cells.
    pub(super) fn made_up_id(&self) -> String {
        let key = format!(
            "{}|{}|{}",
            self.row.start.timestamp(),
            self.row.from.as_deref().unwrap_or(""),
            self.row.to.as_deref().unwrap_or("")
        );
        let digest = Sha256::digest(key.as_bytes());
        format!(
            "{}.trubka-{}",
            self.row.start.timestamp(),
            hex::encode(&digest[..6])
        )
    }

    /// Settles the call id; a real one also gets the recording link when there is one.
    pub(super) fn with_call_id(mut self, call_id: String, real: bool, api: &SipuniApi) -> Self {
        if real && self.has_recording {
            self.row.recording = Some(api.record_link(&call_id));
        }
        self.row.call_id = call_id;
        self
    }
}

/// Every call of the export that started at or after `from`.
pub(super) async fn rows(
    api: &SipuniApi,
    phones: &PhoneParser,
    from: DateTime<Utc>,
    till: DateTime<Utc>,
) -> Result<Vec<ExportedCall>, PbxError> {
    let (first, last) = export_days(from, till, api.utc_offset);
    // Both readings of `anonymous`, so calls from hidden numbers are never filtered out.
    let export = api
        .client
        .export_every_caller(first, last, &StatisticsFilter::default())
        .await?;
    for (line, reason) in &export.rejected {
        tracing::warn!(line, %reason, "skipping an unreadable line of the Sipuni export");
    }
    Ok(export
        .rows
        .iter()
        .filter_map(|row| exported(row, phones, api.utc_offset))
        .filter(|call| call.row.start >= from && call.row.start <= till)
        .collect())
}

/// The cabinet's calendar days `[from, till]` touches: the export is asked for whole local
/// days, so a window across the cabinet's midnight needs both.
fn export_days(
    from: DateTime<Utc>,
    till: DateTime<Utc>,
    offset: FixedOffset,
) -> (NaiveDate, NaiveDate) {
    let day = |t: DateTime<Utc>| t.with_timezone(&offset).date_naive();
    (day(from), day(till))
}

fn exported(
    row: &SipuniCallRow,
    phones: &PhoneParser,
    offset: FixedOffset,
) -> Option<ExportedCall> {
    let start = offset
        .from_local_datetime(&row.time)
        .single()?
        .with_timezone(&Utc);
    let direction = match row.kind {
        Some(SipuniCallKind::Outgoing) => Direction::Out,
        Some(SipuniCallKind::Internal) => Direction::Internal,
        _ => Direction::In,
    };
    let talked = employees(row.talked.as_deref(), true);
    let mut rung = employees(row.ringed.as_deref(), false);
    for employee in &mut rung {
        employee.talked = talked.iter().any(|t| t.extension == employee.extension);
    }
    let answered_by = row.answered_by.as_ref().map(|cell| employee(cell, true));
    let contact_text = match direction {
        Direction::Out => row.to.as_deref(),
        Direction::In | Direction::Internal => row.from.as_deref(),
    };
    let contact = contact_text
        .and_then(|text| phones.parse(text).phone().cloned())
        .map(|phone| phone.e164().to_owned());
    let ended =
        start + chrono::TimeDelta::seconds(i64::from(row.call_duration.unwrap_or_default()));
    Some(ExportedCall {
        row: SipuniExportRow {
            call_id: row.record_id.clone().unwrap_or_default(),
            direction,
            start,
            status: row.status.clone(),
            from: row.from.clone(),
            to: row.to.clone(),
            employees: rung,
            answered_by,
            call_duration: row.call_duration,
            talk_duration: row.talk_duration,
            answer_time: row.answer_time,
            recording: None,
            scheme: row.tree_name.clone(),
            raw: raw(row).to_string(),
        },
        ended,
        contact,
        has_recording: row.record_exists == Some(true) || row.record_id.is_some(),
    })
}

/// The employees of a cell listing several (`201 (Смирнова Анна) 65, 202 (Петров Игорь) 10`),
/// split at commas outside parentheses.
fn employees(cell: Option<&str>, talked: bool) -> Vec<HistoryEmployee> {
    let Some(cell) = cell else {
        return Vec::new();
    };
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut current = String::new();
    for c in cell.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth <= 0 => {
                parts.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    parts.push(current);
    parts
        .iter()
        .map(|part| EmployeeCell::parse(part))
        .filter(|cell| cell.number.is_some())
        .map(|cell| employee(&cell, talked))
        .collect()
}

fn employee(cell: &EmployeeCell, talked: bool) -> HistoryEmployee {
    HistoryEmployee {
        id: None,
        extension: cell.number.clone(),
        name: cell.name.clone(),
        talked,
    }
}

/// The row under the export's own column names, for `raw`.
fn raw(row: &SipuniCallRow) -> Value {
    let mut map = Map::new();
    map.insert("source".into(), "statistic/export".into());
    let mut put = |key: &str, value: Option<String>| {
        if let Some(value) = value {
            map.insert(key.to_owned(), Value::String(value));
        }
    };
    let kind = row.kind.as_ref().map(|kind| match kind {
        SipuniCallKind::Incoming => "Входящий".to_owned(),
        SipuniCallKind::Outgoing => "Исходящий".to_owned(),
        SipuniCallKind::Internal => "Внутренний".to_owned(),
        SipuniCallKind::Other(text) => text.clone(),
    });
    put("Тип", kind);
    put("Статус", row.status.clone());
    put(
        "Время",
        Some(row.time.format("%d.%m.%Y %H:%M:%S").to_string()),
    );
    put("Схема", row.tree_name.clone());
    put("Откуда", row.from.clone());
    put("Куда", row.to.clone());
    put("Кому звонили", row.ringed.clone());
    put("Кто разговаривал", row.talked.clone());
    put(
        "Кто ответил",
        row.answered_by.as_ref().map(|c| c.raw.clone()),
    );
    let number = |n: Option<u32>| n.map(|n| n.to_string());
    put("Длительность звонка, сек", number(row.call_duration));
    put("Длительность разговора, сек", number(row.talk_duration));
    put("Время ответа, сек", number(row.answer_time));
    put("ID записи", row.record_id.clone());
    put("ID заказа звонка", row.callback_order_id.clone());
    for (key, value) in &row.extra {
        put(key, Some(value.clone()));
    }
    Value::Object(map)
}

#[cfg(test)]
mod tests {
    use super::*;
    use trubka_pbx::sipuni::statistic::parse_export;
    use trubka_protocol::options::MOSCOW;

    fn east(hours: i32) -> FixedOffset {
        FixedOffset::east_opt(hours * 3600).unwrap()
    }

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn export_rows_are_read_in_the_cabinets_time_zone() {
        let csv = "Тип;Статус;Время;Откуда;Куда;Длительность звонка, сек;ID записи\n\
                   Входящий;Отвечен;12.05.2026 10:17:40;79261234567;74951234567;30;\
                   1778563060.1\n";
        let export = parse_export(csv.as_bytes()).unwrap();
        let row = &export.rows[0];
        let phones = PhoneParser::russia();
        let yekaterinburg = exported(row, &phones, east(5)).unwrap();
        assert_eq!(yekaterinburg.row.start, utc("2026-05-12T05:17:40Z"));
        assert_eq!(yekaterinburg.ended, utc("2026-05-12T05:18:10Z"));
        let moscow = exported(row, &phones, MOSCOW).unwrap();
        assert_eq!(moscow.row.start, utc("2026-05-12T07:17:40Z"));
        // `raw` keeps the cabinet's own local time, as the export wrote it.
        assert!(yekaterinburg.row.raw.contains("12.05.2026 10:17:40"));
    }

    #[test]
    fn export_days_are_the_cabinets_calendar_days() {
        // 18:00–20:00 UTC is 23:00–01:00 in Yekaterinburg: two local days, while in Moscow it
        // is 21:00–23:00 of one.
        let (from, till) = (utc("2026-05-11T18:00:00Z"), utc("2026-05-11T20:00:00Z"));
        let may = |day| NaiveDate::from_ymd_opt(2026, 5, day).unwrap();
        assert_eq!(export_days(from, till, east(5)), (may(11), may(12)));
        assert_eq!(export_days(from, till, MOSCOW), (may(11), may(11)));
        // 22:00 UTC on the 11th is already the 12th in Novosibirsk.
        let late = utc("2026-05-11T22:00:00Z");
        assert_eq!(export_days(late, late, east(7)), (may(12), may(12)));
    }

    #[test]
    fn employee_lists_split_outside_parentheses() {
        let list = employees(
            Some("201 (Смирнова Анна) 65, 202 (Петров, Игорь) 10, АТС"),
            false,
        );
        let extensions: Vec<_> = list.iter().map(|e| e.extension.as_deref()).collect();
        assert_eq!(extensions, vec![Some("201"), Some("202")]);
        assert_eq!(list[1].name.as_deref(), Some("Петров, Игорь"));
        assert!(employees(None, true).is_empty());
    }
}
