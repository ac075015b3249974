//! Sipuni call log: `statistic/export` (the request's filter here, the CSV in [`export`]) and
//! `statistic/record` (a recording's bytes); [`operators`] the cabinet's employees.

use bytes::Bytes;
use chrono::{NaiveDate, NaiveTime};

use crate::sipuni::{SipuniClient, bad, error_from_answer, plain_text_error};
use crate::{PbxError, Result};

mod export;
pub mod operators;

pub use export::{EmployeeCell, SipuniCallKind, SipuniCallRow, SipuniExport, parse_export};
pub use operators::SipuniOperator;

/// `type` of the export: which calls to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CallTypeFilter {
    #[default]
    All,
    Incoming,
    Outgoing,
    Internal,
}

/// `state` of the export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AnsweredFilter {
    #[default]
    All,
    Missed,
    Answered,
}

/// The filters and column switches of `statistic/export`. Every parameter is always sent
/// (and signed), `crmLinks` included. `Default` matches the reference example: all calls,
/// the whole day, every optional column on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatisticsFilter {
    /// `type`.
    pub call_type: CallTypeFilter,
    /// `state`.
    pub state: AnsweredFilter,
    /// `timeFrom` (`HH:MM`); `None` sends an empty value.
    pub time_from: Option<NaiveTime>,
    /// `timeTo` (`HH:MM`); `None` sends an empty value.
    pub time_to: Option<NaiveTime>,
    /// `tree`: a scheme number, or all schemes.
    pub tree: Option<String>,
    /// `fromNumber`, `toNumber`, `toAnswer`: number filters.
    pub from_number: Option<String>,
    pub to_number: Option<String>,
    pub to_answer: Option<String>,
    /// `rating` filter (`0-9`, lists, ranges).
    pub rating: Option<String>,
    /// `showTreeId`: add the `ID схемы звонка` column.
    pub show_tree_id: bool,
    /// `numbersRinged`, `numbersInvolved`, `names`, `outgoingLine`: extra columns.
    pub numbers_ringed: bool,
    pub numbers_involved: bool,
    pub names: bool,
    pub outgoing_line: bool,
    /// `anonymous`, sent as given. Public sources disagree on its meaning (one summary: 1
    /// hides calls from hidden numbers; recent clients send 1 for the full log), so
    /// [`SipuniClient::export_every_caller`] asks with both values.
    pub anonymous: bool,
    /// `firstTime`: new clients only.
    pub first_time: bool,
    /// `dtmfUserAnswer`.
    pub dtmf_user_answer: bool,
    /// `hangupinitor`: add the hang-up initiator column.
    pub hangup_initiator: bool,
    /// `ignoreSpecChar`.
    pub ignore_spec_char: bool,
    /// `crmLinks`.
    pub crm_links: bool,
}

impl Default for StatisticsFilter {
    fn default() -> StatisticsFilter {
        StatisticsFilter {
            call_type: CallTypeFilter::All,
            state: AnsweredFilter::All,
            time_from: NaiveTime::from_hms_opt(0, 0, 0),
            time_to: NaiveTime::from_hms_opt(23, 59, 0),
            tree: None,
            from_number: None,
            to_number: None,
            to_answer: None,
            rating: None,
            show_tree_id: true,
            numbers_ringed: true,
            numbers_involved: true,
            names: true,
            outgoing_line: true,
            anonymous: true,
            first_time: false,
            dtmf_user_answer: false,
            hangup_initiator: true,
            ignore_spec_char: true,
            crm_links: false,
        }
    }
}

impl StatisticsFilter {
    /// The request parameters (without `user` and `hash`) for the days `from`..=`to`.
    pub(crate) fn params(&self, from: NaiveDate, to: NaiveDate) -> Vec<(&'static str, String)> {
        let flag = |on: bool| if on { "1" } else { "0" }.to_owned();
        let text = |value: &Option<String>| value.as_deref().unwrap_or("").trim().to_owned();
        let time = |value: Option<NaiveTime>| {
            value.map_or_else(String::new, |t| t.format("%H:%M").to_string())
        };
        let call_type = match self.call_type {
            CallTypeFilter::All => "0",
            CallTypeFilter::Incoming => "1",
            CallTypeFilter::Outgoing => "2",
            CallTypeFilter::Internal => "3",
        };
        let state = match self.state {
            AnsweredFilter::All => "0",
            AnsweredFilter::Missed => "1",
            AnsweredFilter::Answered => "2",
        };
        vec![
            ("anonymous", flag(self.anonymous)),
            ("crmLinks", flag(self.crm_links)),
            ("dtmfUserAnswer", flag(self.dtmf_user_answer)),
            ("firstTime", flag(self.first_time)),
            ("from", from.format("%d.%m.%Y").to_string()),
            ("fromNumber", text(&self.from_number)),
            ("hangupinitor", flag(self.hangup_initiator)),
            ("ignoreSpecChar", flag(self.ignore_spec_char)),
            ("names", flag(self.names)),
            ("numbersInvolved", flag(self.numbers_involved)),
            ("numbersRinged", flag(self.numbers_ringed)),
            ("outgoingLine", flag(self.outgoing_line)),
            ("rating", text(&self.rating)),
            ("showTreeId", flag(self.show_tree_id)),
            ("state", state.to_owned()),
            ("timeFrom", time(self.time_from)),
            ("timeTo", time(self.time_to)),
            ("to", to.format("%d.%m.%Y").to_string()),
            ("toAnswer", text(&self.to_answer)),
            ("toNumber", text(&self.to_number)),
            ("tree", text(&self.tree)),
            ("type", call_type.to_owned()),
        ]
    }
}

impl SipuniClient {
    /// The call log of the days `from_date`..=`to_date` (`statistic/export`).
    pub async fn export_statistics(
        &self,
        from_date: NaiveDate,
        to_date: NaiveDate,
        filter: &StatisticsFilter,
    ) -> Result<SipuniExport> {
        if from_date > to_date {
            return Err(PbxError::InvalidArgument(format!(
                "the export period starts ({from_date}) after it ends ({to_date})"
            )));
        }
        let answer = self
            .post("statistic/export", &filter.params(from_date, to_date))
            .await?;
        let body = answer
            .body
            .strip_prefix(b"\xEF\xBB\xBF")
            .unwrap_or(&answer.body);
        let looks_like_json = body.trim_ascii_start().starts_with(b"{");
        // A CSV starts with its header (`Тип;…`); `Error: …` or «ошибка» is a refusal.
        let refused = plain_text_error(body).is_some();
        if !(200..300).contains(&answer.status) || looks_like_json || refused {
            return Err(error_from_answer(&answer, "statistic/export"));
        }
        parse_export(&answer.body)
    }

    /// The call log with calls from hidden numbers whichever way Sipuni reads `anonymous`:
    /// the export asked with `anonymous=1` and with `anonymous=0`, the rows of the second that
    /// the first lacks added after the first's (docs/protocol.md, «Sipuni: calls from hidden
    /// numbers»). Two requests instead of one; the rows of one call appear once.
    pub async fn export_every_caller(
        &self,
        from_date: NaiveDate,
        to_date: NaiveDate,
        filter: &StatisticsFilter,
    ) -> Result<SipuniExport> {
        let with = StatisticsFilter {
            anonymous: true,
            ..filter.clone()
        };
        let without = StatisticsFilter {
            anonymous: false,
            ..filter.clone()
        };
        let first = self.export_statistics(from_date, to_date, &with).await?;
        let second = self.export_statistics(from_date, to_date, &without).await?;
        Ok(union(first, second))
    }

    /// The recording with `id` (the `ID записи` of the export), usually mp3 (`statistic/record`).
    pub async fn record(&self, id: &str) -> Result<Bytes> {
        let id = id.trim();
        if id.is_empty() {
            return Err(PbxError::InvalidArgument(
                "the record id is empty".to_owned(),
            ));
        }
        let answer = self
            .post("statistic/record", &[("id", id.to_owned())])
            .await?;
        let textual = answer.content_type.contains("json")
            || answer.content_type.starts_with("text/")
            || answer.body.trim_ascii_start().starts_with(b"{");
        if !(200..300).contains(&answer.status) || textual {
            return Err(error_from_answer(&answer, "statistic/record"));
        }
        if answer.body.is_empty() {
            return Err(bad(format!("statistic/record returned no data for {id}")));
        }
        Ok(answer.body)
    }
}

/// `first`'s rows, then each row of `second` that is not one of `first`'s (the same call is
/// the same cells; only the CSV line number differs). Equal rows are matched one to one, so
/// two identical rows in both exports stay two.
fn union(mut first: SipuniExport, second: SipuniExport) -> SipuniExport {
    let same = |a: &SipuniCallRow, b: &SipuniCallRow| {
        SipuniCallRow {
            line: 0,
            ..a.clone()
        } == SipuniCallRow {
            line: 0,
            ..b.clone()
        }
    };
    let mut matched = vec![false; first.rows.len()];
    let mut added = Vec::new();
    for row in second.rows {
        let twin = (0..first.rows.len()).find(|&i| !matched[i] && same(&first.rows[i], &row));
        match twin {
            Some(i) => matched[i] = true,
            None => added.push(row),
        }
    }
    first.rows.extend(added);
    for rejected in second.rejected {
        if !first.rejected.contains(&rejected) {
            first.rejected.push(rejected);
        }
    }
    first
}

#[cfg(test)]
mod union_tests {
    use super::*;

    #[test]
    fn rows_of_both_exports_appear_once() {
        let head = "Тип;Статус;Время;Откуда;Куда;Длительность звонка, сек\n";
        let known = "Входящий;Отвечен;12.05.2026 10:00:00;79261234567;74951234567;30\n";
        let hidden = "Входящий;Не отвечен;12.05.2026 10:05:00;anonymous;74951234567;12\n";
        let parse = |rows: &str| parse_export(format!("{head}{rows}").as_bytes()).unwrap();
        // Whichever export lists the hidden caller, the union has it once, and the call
        // both list is not doubled.
        for (first, second) in [
            (format!("{known}{hidden}"), known.to_owned()),
            (known.to_owned(), format!("{known}{hidden}")),
            (format!("{hidden}{known}"), format!("{known}{hidden}")),
        ] {
            let both = union(parse(&first), parse(&second));
            assert_eq!(both.rows.len(), 2, "{first} / {second}");
            let froms: Vec<_> = both.rows.iter().map(|r| r.from.as_deref()).collect();
            assert!(froms.contains(&Some("anonymous")), "{froms:?}");
        }
        // Two equal rows in each stay two.
        let twice = format!("{known}{known}");
        assert_eq!(union(parse(&twice), parse(&twice)).rows.len(), 2);
    }
}
