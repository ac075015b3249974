//! UIS Data API methods: the calls report (one page, or everything in a period with paging and
//! window splitting), employees, virtual numbers, scenarios and the account.
//!
//! Data API dates are `YYYY-MM-DD hh:mm:ss` in the account time zone; the client converts
//! with the configured fixed offset. A report request may span at most 3 months, `limit` is at
//! most 10 000 and `offset` at most 100 000.

use std::collections::{HashSet, VecDeque};

use chrono::{DateTime, Days, FixedOffset, Months, NaiveDateTime, TimeDelta, Utc};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use crate::uis::UisClient;
use crate::uis::call_api::{CallDirection, null_as_default, parse_naive_time};
use crate::uis::jsonrpc::{bad, decode};
use crate::{PbxError, Result};

/// The documented default and maximum of `limit`, and the maximum `offset`.
pub(crate) const DEFAULT_LIMIT: u32 = 1000;
pub(crate) const MAX_LIMIT: u32 = 10_000;
pub(crate) const MAX_OFFSET: u32 = 100_000;

/// Upper bounds that keep `calls_report_all` finite whatever the server answers.
const MAX_WINDOWS: usize = 4096;

const DATE_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

/// The fields requested from `get.calls_report`, all read into [`CallReportRow`].
const REPORT_FIELDS: &[&str] = &[
    "id",
    "start_time",
    "finish_time",
    "finish_reason",
    "direction",
    "source",
    "is_lost",
    "contact_phone_number",
    "virtual_phone_number",
    "communication_id",
    "wait_duration",
    "talk_duration",
    "clean_talk_duration",
    "total_duration",
    "is_transfer",
    "call_records",
    "employees",
    "last_answered_employee_id",
    "last_answered_employee_full_name",
    "call_api_external_id",
    "scenario_name",
];
const EMPLOYEE_FIELDS: &[&str] = &[
    "id",
    "full_name",
    "login",
    "status_id",
    "phone_numbers",
    "extension",
];
const VIRTUAL_NUMBER_FIELDS: &[&str] =
    &["id", "virtual_phone_number", "name", "status", "scenarios"];
const SCENARIO_FIELDS: &[&str] = &["id", "name"];

/// One page of a Data API list: `limit` rows starting at `offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportPage {
    pub limit: u32,
    pub offset: u32,
}

impl Default for ReportPage {
    fn default() -> ReportPage {
        ReportPage {
            limit: DEFAULT_LIMIT,
            offset: 0,
        }
    }
}

/// One page of `get.calls_report` and the report's size.
#[derive(Debug, Clone, PartialEq)]
pub struct CallsReportPage {
    pub rows: Vec<CallReportRow>,
    /// `metadata.total_items`; `offset` plus the page length when UIS omitted it.
    pub total_items: u64,
}

/// One call session of the calls report. Times are in the account time zone.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CallReportRow {
    /// The call session id.
    pub id: u64,
    pub start_time: Option<DateTime<FixedOffset>>,
    pub finish_time: Option<DateTime<FixedOffset>>,
    pub finish_reason: Option<String>,
    pub direction: Option<CallDirection>,
    /// `callapi`, `va`, `sip`, … (how the call came about).
    pub source: Option<String>,
    pub is_lost: Option<bool>,
    pub contact_phone_number: Option<String>,
    pub virtual_phone_number: Option<String>,
    pub communication_id: Option<u64>,
    pub wait_duration: Option<u64>,
    pub talk_duration: Option<u64>,
    /// Seconds the contact talked with an employee: holds left out.
    pub clean_talk_duration: Option<u64>,
    pub total_duration: Option<u64>,
    /// Whether the call was transferred.
    pub is_transfer: Option<bool>,
    /// Recording hashes; see [`UisClient::record_urls`].
    pub call_records: Vec<String>,
    pub employees: Vec<ReportEmployee>,
    pub last_answered_employee_id: Option<u64>,
    pub last_answered_employee_full_name: Option<String>,
    /// The `external_id` given to the Call API.
    pub call_api_external_id: Option<String>,
    pub scenario_name: Option<String>,
}

/// An employee who took part in a reported call.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ReportEmployee {
    pub employee_id: u64,
    pub employee_full_name: Option<String>,
    pub is_answered: Option<bool>,
    pub is_talked: Option<bool>,
}

#[derive(Deserialize)]
struct WireReportRow {
    id: u64,
    start_time: Option<String>,
    finish_time: Option<String>,
    finish_reason: Option<String>,
    direction: Option<CallDirection>,
    source: Option<String>,
    is_lost: Option<bool>,
    contact_phone_number: Option<String>,
    virtual_phone_number: Option<String>,
    communication_id: Option<u64>,
    wait_duration: Option<u64>,
    talk_duration: Option<u64>,
    clean_talk_duration: Option<u64>,
    total_duration: Option<u64>,
    is_transfer: Option<bool>,
    #[serde(default, deserialize_with = "null_as_default")]
    call_records: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    employees: Vec<ReportEmployee>,
    last_answered_employee_id: Option<u64>,
    last_answered_employee_full_name: Option<String>,
    call_api_external_id: Option<String>,
    scenario_name: Option<String>,
}

/// An employee from `get.employees`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Employee {
    pub id: u64,
    pub full_name: Option<String>,
    pub login: Option<String>,
    /// See `get.statuses`.
    pub status_id: Option<u64>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub phone_numbers: Vec<EmployeePhone>,
    pub extension: Option<EmployeeExtension>,
}

/// One of an employee's phones.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct EmployeePhone {
    pub phone_id: Option<u64>,
    pub phone_number: String,
    /// `active` or `inactive`.
    pub status: Option<String>,
}

/// An employee's internal number.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct EmployeeExtension {
    pub extension_phone_number: Option<String>,
}

/// A virtual number from `get.virtual_numbers`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct VirtualNumber {
    pub id: u64,
    pub virtual_phone_number: String,
    pub name: Option<String>,
    pub status: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub scenarios: Vec<VirtualNumberScenario>,
}

/// A scenario attached to a virtual number.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct VirtualNumberScenario {
    pub scenario_id: u64,
    pub scenario_name: Option<String>,
    pub is_active: Option<bool>,
}

/// A scenario from `get.scenarios`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Scenario {
    pub id: u64,
    pub name: Option<String>,
}

/// The account from `get.account`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct UisAccount {
    pub app_id: u64,
    pub name: Option<String>,
    /// IANA name, e.g. `Europe/Moscow`.
    pub timezone: Option<String>,
}

impl UisClient {
    /// One page of the calls report for `[from, till]` (both inclusive, at most 3 months).
    pub async fn calls_report(
        &self,
        from: DateTime<Utc>,
        till: DateTime<Utc>,
        page: ReportPage,
    ) -> Result<CallsReportPage> {
        if !(1..=MAX_LIMIT).contains(&page.limit) || page.offset > MAX_OFFSET {
            return Err(PbxError::InvalidArgument(format!(
                "page limit must be 1..={MAX_LIMIT} and offset at most {MAX_OFFSET}, got {page:?}"
            )));
        }
        let (from, till) = (self.local(from), self.local(till));
        if from > till {
            return Err(PbxError::InvalidArgument(format!(
                "the report period starts ({from}) after it ends ({till})"
            )));
        }
        if till >= window_end(from) {
            return Err(PbxError::InvalidArgument(
                "a calls report request spans at most 3 months; use calls_report_all".to_owned(),
            ));
        }
        let (rows, total_items) = self.report_page(from, till, page).await?;
        let total_items = total_items.unwrap_or_else(|| u64::from(page.offset) + rows.len() as u64);
        Ok(CallsReportPage { rows, total_items })
    }

    /// Every call of `[from, till]`: splits the period into windows of at most 3 months,
    /// pages each with `offset += limit` while `offset < total_items`, splits a window again
    /// when it holds more rows than `offset` can reach, and drops repeated sessions.
    pub async fn calls_report_all(
        &self,
        from: DateTime<Utc>,
        till: DateTime<Utc>,
    ) -> Result<Vec<CallReportRow>> {
        let (from, till) = (self.local(from), self.local(till));
        if from > till {
            return Err(PbxError::InvalidArgument(format!(
                "the report period starts ({from}) after it ends ({till})"
            )));
        }
        let limit = self.page_limit;
        let reachable = u64::from(MAX_OFFSET) + u64::from(limit);
        let mut windows: VecDeque<(NaiveDateTime, NaiveDateTime)> =
            split_windows(from, till).into();
        let mut seen = HashSet::new();
        let mut rows = Vec::new();
        let mut windows_done = 0;
        while let Some((start, end)) = windows.pop_front() {
            windows_done += 1;
            if windows_done > MAX_WINDOWS {
                return Err(bad(format!(
                    "the calls report needed more than {MAX_WINDOWS} request windows"
                )));
            }
            let (first_rows, total) = self
                .report_page(start, end, ReportPage { limit, offset: 0 })
                .await?;
            if let Some(total) = total.filter(|total| *total > reachable) {
                match halve(start, end) {
                    Some((left, right)) => {
                        windows.push_front(right);
                        windows.push_front(left);
                        continue;
                    }
                    None => {
                        return Err(bad(format!(
                            "{total} calls reported within one second at {start}"
                        )));
                    }
                }
            }
            let mut page_rows = first_rows;
            let mut offset = 0u32;
            loop {
                let got = page_rows.len();
                for row in page_rows.drain(..) {
                    if seen.insert(row.id) {
                        rows.push(row);
                    }
                }
                offset = offset.saturating_add(limit);
                if !more_pages(total, offset, got, limit) {
                    break;
                }
                if offset > MAX_OFFSET {
                    return Err(bad(format!(
                        "the calls report from {start} has more rows than offset {MAX_OFFSET} \
                         reaches and gives no total_items to split by"
                    )));
                }
                page_rows = self
                    .report_page(start, end, ReportPage { limit, offset })
                    .await?
                    .0;
            }
        }
        Ok(rows)
    }

    /// All employees (`get.employees`), paged.
    pub async fn employees(&self) -> Result<Vec<Employee>> {
        self.get_all("get.employees", EMPLOYEE_FIELDS).await
    }

    /// All virtual numbers (`get.virtual_numbers`), paged.
    pub async fn virtual_numbers(&self) -> Result<Vec<VirtualNumber>> {
        self.get_all("get.virtual_numbers", VIRTUAL_NUMBER_FIELDS)
            .await
    }

    /// All scenarios (`get.scenarios`), paged.
    pub async fn scenarios(&self) -> Result<Vec<Scenario>> {
        self.get_all("get.scenarios", SCENARIO_FIELDS).await
    }

    /// The account (`get.account`); the data is an array of one, an object is accepted too.
    pub async fn account(&self) -> Result<UisAccount> {
        let success = self.data_api("get.account", Map::new()).await?;
        let account = match success.data {
            Value::Array(items) => items
                .into_iter()
                .next()
                .ok_or_else(|| bad("get.account returned no account".to_owned()))?,
            other => other,
        };
        decode(account, "get.account data")
    }

    pub(crate) fn local(&self, time: DateTime<Utc>) -> NaiveDateTime {
        time.with_timezone(&self.account_offset).naive_local()
    }

    /// One page: its rows and `metadata.total_items` if UIS gave it.
    async fn report_page(
        &self,
        from: NaiveDateTime,
        till: NaiveDateTime,
        page: ReportPage,
    ) -> Result<(Vec<CallReportRow>, Option<u64>)> {
        let mut params = Map::new();
        params.insert(
            "date_from".to_owned(),
            json!(from.format(DATE_FORMAT).to_string()),
        );
        params.insert(
            "date_till".to_owned(),
            json!(till.format(DATE_FORMAT).to_string()),
        );
        params.insert("limit".to_owned(), json!(page.limit));
        params.insert("offset".to_owned(), json!(page.offset));
        params.insert("include_ongoing_calls".to_owned(), json!(false));
        params.insert("fields".to_owned(), json!(REPORT_FIELDS));
        params.insert(
            "sort".to_owned(),
            json!([{"field": "start_time", "order": "asc"}]),
        );
        let success = self.data_api("get.calls_report", params).await?;
        let wire: Vec<WireReportRow> = decode(non_null(success.data), "get.calls_report data")?;
        let rows = wire
            .into_iter()
            .map(|row| report_row(row, self.account_offset))
            .collect::<Result<Vec<_>>>()?;
        Ok((rows, success.total_items))
    }

    /// Pages a `get.*` list with the configured limit until `total_items` is reached.
    pub(crate) async fn get_all<T: DeserializeOwned>(
        &self,
        method: &str,
        fields: &[&str],
    ) -> Result<Vec<T>> {
        let limit = self.page_limit;
        let mut items = Vec::new();
        let mut offset = 0u32;
        loop {
            let mut params = Map::new();
            params.insert("limit".to_owned(), json!(limit));
            params.insert("offset".to_owned(), json!(offset));
            params.insert("fields".to_owned(), json!(fields));
            let success = self.data_api(method, params).await?;
            let page: Vec<T> = decode(non_null(success.data), &format!("{method} data"))?;
            let got = page.len();
            items.extend(page);
            offset = offset.saturating_add(limit);
            if !more_pages(success.total_items, offset, got, limit) {
                return Ok(items);
            }
            if offset > MAX_OFFSET {
                return Err(bad(format!(
                    "{method} lists more items than offset {MAX_OFFSET} can reach"
                )));
            }
        }
    }
}

/// Whether to ask for the page at `offset` after a page of `got` rows: while `offset` is below
/// `total_items`, or, when UIS gave no total, while pages come back full.
fn more_pages(total_items: Option<u64>, offset: u32, got: usize, limit: u32) -> bool {
    got > 0
        && match total_items {
            Some(total) => u64::from(offset) < total,
            None => got >= limit as usize,
        }
}

fn non_null(data: Value) -> Value {
    match data {
        Value::Null => Value::Array(Vec::new()),
        data => data,
    }
}

fn report_row(row: WireReportRow, offset: FixedOffset) -> Result<CallReportRow> {
    let time = |text: Option<String>, what: &str| -> Result<Option<DateTime<FixedOffset>>> {
        match text {
            None => Ok(None),
            Some(text) => parse_naive_time(&text)
                .and_then(|naive| naive.and_local_timezone(offset).single())
                .map(Some)
                .ok_or_else(|| bad(format!("call {}: bad {what} {text:?}", row.id))),
        }
    };
    Ok(CallReportRow {
        id: row.id,
        start_time: time(row.start_time, "start_time")?,
        finish_time: time(row.finish_time, "finish_time")?,
        finish_reason: row.finish_reason,
        direction: row.direction,
        source: row.source,
        is_lost: row.is_lost,
        contact_phone_number: row.contact_phone_number,
        virtual_phone_number: row.virtual_phone_number,
        communication_id: row.communication_id,
        wait_duration: row.wait_duration,
        talk_duration: row.talk_duration,
        clean_talk_duration: row.clean_talk_duration,
        total_duration: row.total_duration,
        is_transfer: row.is_transfer,
        call_records: row.call_records,
        employees: row.employees,
        last_answered_employee_id: row.last_answered_employee_id,
        last_answered_employee_full_name: row.last_answered_employee_full_name,
        call_api_external_id: row.call_api_external_id,
        scenario_name: row.scenario_name,
    })
}

/// The first instant after the longest window starting at `start`: 3 calendar months, or
/// 90 days if that is shorter (UIS does not say how it counts months).
fn window_end(start: NaiveDateTime) -> NaiveDateTime {
    let by_months = start.checked_add_months(Months::new(3));
    let by_days = start.checked_add_days(Days::new(90));
    match (by_months, by_days) {
        (Some(a), Some(b)) => a.min(b),
        (Some(a), None) => a,
        (None, Some(b)) => b,
        (None, None) => NaiveDateTime::MAX,
    }
}

/// `[from, till]` cut into inclusive windows each shorter than [`window_end`].
pub(crate) fn split_windows(
    from: NaiveDateTime,
    till: NaiveDateTime,
) -> Vec<(NaiveDateTime, NaiveDateTime)> {
    let second = TimeDelta::seconds(1);
    let mut windows = Vec::new();
    let mut start = from;
    while start <= till {
        let end = window_end(start);
        let last = till.min(end - second);
        windows.push((start, last));
        if last >= till {
            break;
        }
        start = end;
    }
    windows
}

/// Two halves of a window, or `None` when it is one second long.
fn halve(
    start: NaiveDateTime,
    end: NaiveDateTime,
) -> Option<(
    (NaiveDateTime, NaiveDateTime),
    (NaiveDateTime, NaiveDateTime),
)> {
    let span = (end - start).num_seconds();
    if span < 1 {
        return None;
    }
    let mid = start + TimeDelta::seconds(span / 2);
    Some(((start, mid), (mid + TimeDelta::seconds(1), end)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, DATE_FORMAT).unwrap()
    }

    #[test]
    fn short_period_is_one_window() {
        let windows = split_windows(t("2026-05-12 00:00:00"), t("2026-05-12 23:59:59"));
        assert_eq!(
            windows,
            vec![(t("2026-05-12 00:00:00"), t("2026-05-12 23:59:59"))]
        );
    }

    #[test]
    fn long_period_is_cut_at_three_months_or_ninety_days() {
        let windows = split_windows(t("2026-01-01 00:00:00"), t("2026-07-15 12:00:00"));
        assert_eq!(
            windows,
            vec![
                (t("2026-01-01 00:00:00"), t("2026-03-31 23:59:59")),
                (t("2026-04-01 00:00:00"), t("2026-06-29 23:59:59")),
                (t("2026-06-30 00:00:00"), t("2026-07-15 12:00:00")),
            ]
        );
    }

    #[test]
    fn windows_cover_the_period_without_gaps() {
        let from = t("2025-11-30 10:00:00");
        let till = t("2027-02-28 09:00:00");
        let windows = split_windows(from, till);
        assert_eq!(windows.first().unwrap().0, from);
        assert_eq!(windows.last().unwrap().1, till);
        for pair in windows.windows(2) {
            assert_eq!(pair[0].1 + TimeDelta::seconds(1), pair[1].0);
        }
        for (start, end) in &windows {
            assert!(*end < window_end(*start));
        }
    }

    #[test]
    fn paging_follows_total_items_or_full_pages() {
        assert!(more_pages(Some(2500), 2000, 1000, 1000));
        assert!(!more_pages(Some(2500), 3000, 500, 1000));
        assert!(!more_pages(Some(2500), 1000, 0, 1000));
        assert!(more_pages(None, 1000, 1000, 1000));
        assert!(!more_pages(None, 1000, 999, 1000));
    }

    #[test]
    fn halves_meet_and_single_seconds_do_not_split() {
        let (left, right) = halve(t("2026-05-12 00:00:00"), t("2026-05-12 00:00:09")).unwrap();
        assert_eq!(left, (t("2026-05-12 00:00:00"), t("2026-05-12 00:00:04")));
        assert_eq!(right, (t("2026-05-12 00:00:05"), t("2026-05-12 00:00:09")));
        assert!(halve(t("2026-05-12 00:00:00"), t("2026-05-12 00:00:00")).is_none());
    }
}
