//! Sipuni `statistic/export` (reference B.3.1): the call log of the simulator's Sipuni calls
//! (played, started through the API, back-filled; lost events or not) as CSV: `;`-separated,
//! UTF-8 with a BOM, Russian headers, times `DD.MM.YYYY HH:MM:SS` in the cabinet's time zone
//! (`utc_offset`, Moscow by default), one call a line in start order. Calls still in progress are not listed.
//!
//! Parameters: `from`/`to` (`DD.MM.YYYY`, required) with `timeFrom`/`timeTo` (`HH:MM`, may be
//! empty: the whole day) bound the calls' start; `type` (0 all, 1 incoming, 2 outgoing,
//! 3 internal), `state` (0 all, 1 missed, 2 answered), `tree` (a scheme number),
//! `fromNumber`/`toNumber`/`toAnswer` (substrings of «Откуда», «Куда», «Кто ответил»),
//! `firstTime=1` (new clients only) and `rating` (no simulated call is rated, so any rating
//! filter lists nothing) filter; `anonymous=1` lists calls from hidden numbers and `0` leaves
//! them out (open question 14; the reading of the newest clients, which send 1 for a full
//! log), or the other way round with `SipuniConfig::anonymous_hides` (the reading of another
//! public summary), so that clients can be tested against both. The 0/1 flags add columns: `showTreeId` «ID схемы звонка», `outgoingLine`
//! «Исходящая линия», `numbersRinged` «Кому звонили», `numbersInvolved` «Кто разговаривал»,
//! `hangupinitor` «Инициатор завершения звонка», `crmLinks` «Информация из CRM» and
//! «Ответственный из CRM»; `names=1` writes employees as `201 (Смирнова Анна) 65` (surname
//! first, then the seconds that employee rang or talked), `names=0` as `201`.
//! `dtmfUserAnswer` and `ignoreSpecChar` are accepted and change nothing.

use std::collections::HashSet;

use axum::{
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use chrono::{FixedOffset, NaiveDate, NaiveDateTime, NaiveTime};

use crate::{
    account,
    api::sipuni::{Form, get},
    config::Employee,
    scenario::{CallPlan, Direction, Leg, Outcome, Provider, secs},
    sim::Sim,
    sipuni_notify,
};

/// The byte-order mark the export starts with.
const BOM: &str = "\u{feff}";

/// What the request asked for.
struct Query {
    start: NaiveDateTime,
    end: NaiveDateTime,
    call_type: u8,
    state: u8,
    tree: String,
    from_number: String,
    to_number: String,
    to_answer: String,
    anonymous: bool,
    first_time: bool,
    rating: bool,
    names: bool,
    columns: Vec<Column>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Kind,
    Status,
    Time,
    TreeId,
    Tree,
    OutgoingLine,
    From,
    To,
    Ringed,
    Talked,
    Answered,
    CallSeconds,
    TalkSeconds,
    AnswerSeconds,
    Rating,
    RecordId,
    Label,
    Tags,
    HangupInitiator,
    CallbackId,
    RecordExists,
    NewClient,
    CallbackState,
    CallbackTime,
    CrmInfo,
    CrmOwner,
}

impl Column {
    fn header(self) -> &'static str {
        match self {
            Self::Kind => "Тип",
            Self::Status => "Статус",
            Self::Time => "Время",
            Self::TreeId => "ID схемы звонка",
            Self::Tree => "Схема",
            Self::OutgoingLine => "Исходящая линия",
            Self::From => "Откуда",
            Self::To => "Куда",
            Self::Ringed => "Кому звонили",
            Self::Talked => "Кто разговаривал",
            Self::Answered => "Кто ответил",
            Self::CallSeconds => "Длительность звонка, сек",
            Self::TalkSeconds => "Длительность разговора, сек",
            Self::AnswerSeconds => "Время ответа, сек",
            Self::Rating => "Оценка",
            Self::RecordId => "ID записи",
            Self::Label => "Метка",
            Self::Tags => "Теги",
            Self::HangupInitiator => "Инициатор завершения звонка",
            Self::CallbackId => "ID заказа звонка",
            Self::RecordExists => "Запись существует",
            Self::NewClient => "Новый клиент",
            Self::CallbackState => "Состояние перезвона",
            Self::CallbackTime => "Время перезвона",
            Self::CrmInfo => "Информация из CRM",
            Self::CrmOwner => "Ответственный из CRM",
        }
    }
}

fn flag(form: &Form, name: &str) -> bool {
    get(form, name).is_some_and(|v| v.trim() == "1")
}

fn text(form: &Form, name: &str) -> String {
    get(form, name).unwrap_or_default().trim().to_owned()
}

fn parse_query(form: &Form) -> Result<Query, String> {
    let day = |name: &str| {
        let value = text(form, name);
        NaiveDate::parse_from_str(&value, "%d.%m.%Y")
            .map_err(|_| format!("Неверная дата в параметре {name}: {value:?}"))
    };
    let time = |name: &str, default: NaiveTime| {
        let value = text(form, name);
        if value.is_empty() {
            return Ok(default);
        }
        NaiveTime::parse_from_str(&value, "%H:%M")
            .map_err(|_| format!("Неверное время в параметре {name}: {value:?}"))
    };
    let midnight = NaiveTime::MIN;
    let last_minute = NaiveTime::from_hms_opt(23, 59, 0).unwrap_or(midnight);
    let start = day("from")?.and_time(time("timeFrom", midnight)?);
    let end = day("to")?.and_time(time("timeTo", last_minute)?) + chrono::Duration::seconds(59);
    let choice = |name: &str, max: u8| {
        let value = text(form, name);
        if value.is_empty() {
            return Ok(0);
        }
        value
            .parse::<u8>()
            .ok()
            .filter(|v| *v <= max)
            .ok_or_else(|| format!("Неверное значение параметра {name}: {value:?}"))
    };
    let optional = [
        (Column::TreeId, "showTreeId"),
        (Column::OutgoingLine, "outgoingLine"),
        (Column::Ringed, "numbersRinged"),
        (Column::Talked, "numbersInvolved"),
        (Column::HangupInitiator, "hangupinitor"),
        (Column::CrmInfo, "crmLinks"),
        (Column::CrmOwner, "crmLinks"),
    ];
    use Column::*;
    let all = [
        Kind,
        Status,
        Time,
        TreeId,
        Tree,
        OutgoingLine,
        From,
        To,
        Ringed,
        Talked,
        Answered,
        CallSeconds,
        TalkSeconds,
        AnswerSeconds,
        Rating,
        RecordId,
        Label,
        Tags,
        HangupInitiator,
        CallbackId,
        RecordExists,
        NewClient,
        CallbackState,
        CallbackTime,
        CrmInfo,
        CrmOwner,
    ];
    let columns = all
        .into_iter()
        .filter(|c| {
            optional
                .iter()
                .find(|(column, _)| column == c)
                .is_none_or(|(_, name)| flag(form, name))
        })
        .collect();
    Ok(Query {
        start,
        end,
        call_type: choice("type", 3)?,
        state: choice("state", 2)?,
        tree: text(form, "tree"),
        from_number: text(form, "fromNumber"),
        to_number: text(form, "toNumber"),
        to_answer: text(form, "toAnswer"),
        anonymous: flag(form, "anonymous"),
        first_time: flag(form, "firstTime"),
        rating: !text(form, "rating").is_empty(),
        names: flag(form, "names"),
        columns,
    })
}

/// An employee cell: `201 (Смирнова Анна) 65`, or `201` without names.
fn employee_cell(employee: &Employee, seconds: u64, names: bool) -> String {
    if names {
        let name = account::surname_first(&employee.name);
        format!("{} ({name}) {seconds}", employee.extension)
    } else {
        employee.extension.clone()
    }
}

fn employees(legs: &[&Leg], seconds: impl Fn(&Leg) -> u64, names: bool) -> String {
    legs.iter()
        .map(|leg| employee_cell(&leg.employee, seconds(leg), names))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A CSV cell, quoted when it has to be.
fn cell(value: &str) -> String {
    if value.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}

/// One call's cells, or `None` when the filters leave it out.
fn row(plan: &CallPlan, new_client: bool, query: &Query, zone: FixedOffset) -> Option<Vec<String>> {
    let started = account::local(plan.started_at, zone).naive_local();
    if started < query.start || started > query.end {
        return None;
    }
    let internal = plan.contact.internal.is_some();
    let kind = match (internal, plan.direction) {
        (true, _) => 3,
        (false, Direction::In) => 1,
        (false, Direction::Out) => 2,
    };
    let answered = plan.answered();
    let (tree_number, tree_name) = sipuni_notify::tree(plan);
    let first_ext = plan.legs.first().map(|l| l.employee.extension.clone());
    let (from, to) = match plan.direction {
        Direction::In if internal => (plan.contact.sipuni.clone(), first_ext.unwrap_or_default()),
        Direction::In => (plan.contact.sipuni.clone(), plan.line.clone()),
        Direction::Out => (first_ext.unwrap_or_default(), plan.contact.sipuni.clone()),
    };
    let talked: Vec<&Leg> = plan.legs.iter().filter(|l| l.answer_ms.is_some()).collect();
    let ringed: Vec<&Leg> = plan.legs.iter().collect();
    let answered_by = plan
        .last_answered()
        .map(|i| {
            employee_cell(
                &plan.legs[i].employee,
                plan.legs[i].talk_seconds(),
                query.names,
            )
        })
        .unwrap_or_default();
    let excluded = (query.call_type != 0 && query.call_type != kind)
        || (query.state == 1 && answered)
        || (query.state == 2 && !answered)
        || (!query.tree.is_empty() && query.tree != tree_number)
        || !from.contains(query.from_number.as_str())
        || !to.contains(query.to_number.as_str())
        || (!query.to_answer.is_empty() && !answered_by.contains(query.to_answer.as_str()))
        || (!query.anonymous && plan.contact.sipuni == "anonymous")
        || (query.first_time && !new_client)
        || query.rating;
    if excluded {
        return None;
    }
    let ring_seconds = |leg: &Leg| {
        secs(
            leg.answer_ms
                .unwrap_or(leg.end_ms)
                .saturating_sub(leg.ring_ms),
        )
    };
    let call_id = match &plan.pbx_id {
        crate::scenario::PbxCallId::Sipuni(id) => id.clone(),
        crate::scenario::PbxCallId::Uis(id) => id.to_string(),
    };
    let employee_hung_up = plan.session_leg_id.is_multiple_of(2);
    let cells = query.columns.iter().map(|column| match column {
        Column::Kind => ["", "Входящий", "Исходящий", "Внутренний"][usize::from(kind)].to_owned(),
        Column::Status => match plan.outcome {
            Outcome::Answered => "Отвечен",
            Outcome::Busy => "Занято",
            Outcome::Missed | Outcome::Cancelled => "Не отвечен",
        }
        .to_owned(),
        Column::Time => started.format("%d.%m.%Y %H:%M:%S").to_string(),
        Column::TreeId => tree_number.clone(),
        Column::Tree => tree_name.clone(),
        Column::OutgoingLine if plan.direction == Direction::Out => plan.line.clone(),
        Column::From => from.clone(),
        Column::To => to.clone(),
        Column::Ringed => employees(&ringed, ring_seconds, query.names),
        Column::Talked => employees(&talked, Leg::talk_seconds, query.names),
        Column::Answered => answered_by.clone(),
        Column::CallSeconds => plan.total_seconds().to_string(),
        Column::TalkSeconds => plan.talk_seconds().to_string(),
        Column::AnswerSeconds if answered => secs(plan.wait_ms()).to_string(),
        Column::RecordId if answered => call_id.clone(),
        Column::HangupInitiator => match plan.outcome {
            Outcome::Answered if employee_hung_up => "Сотрудник",
            Outcome::Answered | Outcome::Cancelled => "Клиент",
            Outcome::Missed | Outcome::Busy => "АТС",
        }
        .to_owned(),
        Column::CallbackId => plan.origin.callback_id.clone().unwrap_or_default(),
        Column::RecordExists => u8::from(answered).to_string(),
        Column::NewClient => u8::from(new_client).to_string(),
        _ => String::new(),
    });
    Some(cells.collect())
}

/// `statistic/export`.
pub fn export(sim: &Sim, form: &Form) -> Result<Response, String> {
    let mut query = parse_query(form)?;
    // From here on `anonymous` means "list hidden numbers"; a cabinet configured with the
    // other reading of the flag lists them for `0` instead (open question 14).
    query.anonymous ^= sim.config.sipuni.anonymous_hides;
    let now = tokio::time::Instant::now();
    let mut entries: Vec<CallPlan> = sim
        .history
        .list(Provider::Sipuni)
        .into_iter()
        .filter(|e| !e.is_active(now))
        .map(|e| e.plan())
        .collect();
    entries.sort_by_key(|plan| plan.started_at);
    let mut seen = HashSet::new();
    let mut csv = String::from(BOM);
    let headers: Vec<&str> = query.columns.iter().map(|c| c.header()).collect();
    csv.push_str(&headers.join(";"));
    csv.push('\n');
    for plan in &entries {
        let new_client = seen.insert(plan.contact.sipuni.clone());
        if let Some(cells) = row(plan, new_client, &query, sim.config.sipuni.utc_offset) {
            let line: Vec<String> = cells.iter().map(|c| cell(c)).collect();
            csv.push_str(&line.join(";"));
            csv.push('\n');
        }
    }
    Ok((
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"statistic.csv\""),
            ),
        ],
        csv,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_only_when_needed() {
        assert_eq!(cell("201"), "201");
        assert_eq!(cell("VIP; срочно"), "\"VIP; срочно\"");
        assert_eq!(cell("a\"b"), "\"a\"\"b\"");
    }

    #[test]
    fn flags_choose_the_columns() {
        let form: Form = [("from", "12.05.2026"), ("to", "12.05.2026"), ("names", "1")]
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let query = parse_query(&form).unwrap();
        assert!(!query.columns.contains(&Column::TreeId));
        assert!(query.columns.contains(&Column::Answered));
        assert_eq!(query.end.to_string(), "2026-05-12 23:59:59");
        let mut full = form.clone();
        full.push(("crmLinks".to_owned(), "1".to_owned()));
        full.push(("showTreeId".to_owned(), "1".to_owned()));
        let query = parse_query(&full).unwrap();
        assert_eq!(query.columns.len(), 22);
        let mut bad = form;
        bad[0].1 = "2026-05-12".to_owned();
        assert!(parse_query(&bad).is_err());
        let anna = Employee {
            id: 1,
            name: "Анна Смирнова".to_owned(),
            extension: "201".to_owned(),
        };
        assert_eq!(employee_cell(&anna, 65, true), "201 (Смирнова Анна) 65");
        assert_eq!(employee_cell(&anna, 65, false), "201");
    }
}
