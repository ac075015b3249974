//! UIS: the calls report (`get.calls_report`) of the window, each row read into the
//! protocol's [`UisReportRow`].

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use trubka_core::Direction;
use trubka_pbx::PbxError;
use trubka_pbx::uis::{CallDirection, CallReportRow, UisClient};
use trubka_protocol::history::{HistoryEmployee, UisReportRow};

/// Every call of the report that started in `[from, till]`.
pub(super) async fn rows(
    client: &UisClient,
    from: DateTime<Utc>,
    till: DateTime<Utc>,
) -> Result<Vec<(DateTime<Utc>, UisReportRow)>, PbxError> {
    let report = client.calls_report_all(from, till).await?;
    Ok(report
        .iter()
        .filter_map(|row| {
            let history = history_row(client, row);
            let ended = history.finish_time.or(history.start_time)?;
            Some((ended, history))
        })
        .collect())
}

/// One report row in the protocol's terms; recording links are built on the configured media
/// host exactly as UIS writes `file_link`.
pub(super) fn history_row(client: &UisClient, row: &CallReportRow) -> UisReportRow {
    let seconds = |value: Option<u64>| value.map(|v| u32::try_from(v).unwrap_or(u32::MAX));
    let employees = row
        .employees
        .iter()
        .map(|employee| HistoryEmployee {
            id: Some(employee.employee_id.to_string()),
            extension: None,
            name: employee.employee_full_name.clone(),
            talked: employee.is_talked == Some(true) || employee.is_answered == Some(true),
        })
        .collect();
    let last_answered = row.last_answered_employee_id.map(|id| HistoryEmployee {
        id: Some(id.to_string()),
        extension: None,
        name: row.last_answered_employee_full_name.clone(),
        talked: true,
    });
    UisReportRow {
        call_session_id: row.id.to_string(),
        direction: row.direction.map(|direction| match direction {
            CallDirection::In => Direction::In,
            CallDirection::Out => Direction::Out,
        }),
        start_time: row.start_time.map(|t| t.with_timezone(&Utc)),
        finish_time: row.finish_time.map(|t| t.with_timezone(&Utc)),
        finish_reason: row.finish_reason.clone(),
        is_lost: row.is_lost,
        contact_phone_number: row.contact_phone_number.clone(),
        contact_full_name: None,
        virtual_phone_number: row.virtual_phone_number.clone(),
        wait_duration: seconds(row.wait_duration),
        talk_duration: seconds(row.talk_duration),
        total_duration: seconds(row.total_duration),
        employees,
        last_answered,
        recordings: client.record_urls(row),
        scenario_name: row.scenario_name.clone(),
        raw: raw(row).to_string(),
    }
}

/// The row as the report sent it (the fields the relay asks for), for `raw`.
fn raw(row: &CallReportRow) -> Value {
    let time = |t: Option<DateTime<chrono::FixedOffset>>| {
        t.map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
    };
    let employees: Vec<Value> = row
        .employees
        .iter()
        .map(|e| {
            json!({
                "employee_id": e.employee_id,
                "employee_full_name": e.employee_full_name,
                "is_answered": e.is_answered,
                "is_talked": e.is_talked,
            })
        })
        .collect();
    json!({
        "source": "get.calls_report",
        "id": row.id,
        "start_time": time(row.start_time),
        "finish_time": time(row.finish_time),
        "finish_reason": row.finish_reason,
        "direction": row.direction.map(CallDirection::as_str),
        "call_source": row.source,
        "is_lost": row.is_lost,
        "contact_phone_number": row.contact_phone_number,
        "virtual_phone_number": row.virtual_phone_number,
        "communication_id": row.communication_id,
        "wait_duration": row.wait_duration,
        "talk_duration": row.talk_duration,
        "total_duration": row.total_duration,
        "call_records": row.call_records,
        "employees": employees,
        "last_answered_employee_id": row.last_answered_employee_id,
        "last_answered_employee_full_name": row.last_answered_employee_full_name,
        "call_api_external_id": row.call_api_external_id,
        "scenario_name": row.scenario_name,
    })
}
