//! The terminal view: Russian labels, one or a few lines per item.

use chrono::{DateTime, Local, Utc};
use trubka_core::{CallStatus, Direction, Outcome};

use crate::calls::CallView;
use crate::cards::{Card, CardState, display_number, who};
use crate::contacts::team::ContactMeta;
use crate::engine::away::AwaySummary;
use crate::engine::contacts::{ImportReport, Lookup};
use crate::engine::directory::DirectoryStatus;
use crate::engine::{FollowUpItem, HistoryEntry};
use crate::relay_api::{CallRoute, RequestSent, RequestTargets};
use crate::relay_client::ConnectionStatus;
use trubka_protocol::directory::{ChangeAction, ContactWithHistory};

/// One scenario or scheme: `Исходящий обзвон  (UIS, сценарий 27092)`.
pub fn call_route(route: &CallRoute) -> String {
    let what = match route.provider.as_str() {
        "uis" => "UIS, сценарий",
        "sipuni" => "Sipuni, схема",
        other => other,
    };
    format!("{}  ({what} {})", route.name, route.id)
}

/// The sites and campaigns an offline request can be filed under.
pub fn request_targets(targets: &RequestTargets) -> String {
    let mut out = String::from("Сайты (--site):\n");
    if targets.sites.is_empty() {
        out.push_str("  нет\n");
    }
    for site in &targets.sites {
        out.push_str(&format!("  {}  ({})\n", site.name, site.id));
    }
    out.push_str("Рекламные кампании (--campaign):\n");
    if targets.campaigns.is_empty() {
        out.push_str("  нет\n");
    }
    for campaign in &targets.campaigns {
        let site = campaign
            .site
            .as_deref()
            .map(|s| format!(", сайт {s}"))
            .unwrap_or_default();
        let inactive = if campaign.active {
            ""
        } else {
            ", не активна"
        };
        out.push_str(&format!(
            "  {}  ({}{site}{inactive})\n",
            campaign.name, campaign.id
        ));
    }
    out
}

/// What was sent: `Заявка 1733 отправлена в UIS: +79261234567, сайт trubka-demo.ru`.
pub fn request_sent(sent: &RequestSent) -> String {
    let mut filed = Vec::new();
    if let Some(site) = &sent.site {
        filed.push(format!("сайт {site}"));
    }
    if let Some(campaign) = &sent.campaign {
        filed.push(format!("кампания «{campaign}»"));
    }
    let filed = if filed.is_empty() {
        String::new()
    } else {
        format!(", {}", filed.join(", "))
    };
    format!("Заявка {} отправлена в UIS: {}{filed}", sent.id, sent.phone)
}

pub(super) fn local(at: DateTime<Utc>) -> String {
    at.with_timezone(&Local).format("%d.%m %H:%M").to_string()
}

fn direction_label(direction: Direction) -> &'static str {
    match direction {
        Direction::In => "Входящий",
        Direction::Out => "Исходящий",
        Direction::Internal => "Внутренний",
    }
}

fn outcome_label(call: &CallView) -> &'static str {
    match (call.status, call.outcome) {
        (CallStatus::Ringing, _) => "звонит",
        (CallStatus::Talking, _) => "идёт разговор",
        (_, Some(Outcome::Answered)) => "состоялся",
        (_, Some(Outcome::Busy)) => "занято",
        (_, Some(Outcome::NoAnswer)) => "не ответили",
        (_, Some(Outcome::Cancelled)) => "отменён",
        (_, Some(Outcome::Failed | Outcome::Unavailable)) => "не удался",
        _ if call.missed => "пропущен",
        _ => "завершён",
    }
}

fn seconds(s: Option<u32>) -> String {
    match s {
        Some(s) => format!("{}:{:02}", s / 60, s % 60),
        None => "—".to_owned(),
    }
}

/// «☎ Входящий +7 926 123-45-67 — Иван Петров (ООО Ромашка) — звонит» and detail lines.
pub fn card(card: &Card) -> String {
    let icon = match card.state {
        CardState::RingingHere | CardState::Ringing | CardState::Dialing => "☎",
        CardState::AnsweredHere | CardState::Talking => "🗣",
        CardState::Missed => "✗",
        CardState::AnsweredElsewhere => "↷",
        CardState::Ended => "✓",
    };
    let mut who = card.title.clone();
    if let Some(company) = card.fields.iter().find(|f| f.key == "company") {
        who.push_str(&format!(" ({})", company.value));
    } else if card.contacts.is_empty() && !card.crm.is_empty() {
        who.push_str(" (из CRM)");
    } else if card.contacts.is_empty() && card.pbx_name.is_some() {
        who.push_str(" (имя из АТС)");
    } else if card.contacts.is_empty() {
        who = "неизвестный".to_owned();
    }
    let mut state = card.state.label().to_owned();
    if card.state == CardState::AnsweredElsewhere
        && let Some(by) = &card.call.answered_by
    {
        state = format!("ответил(а) {}", by.label());
    }
    let mut out = format!(
        "{icon} {} {} — {who} — {state}",
        direction_label(card.call.direction),
        card.number
    );
    if card.several_matches {
        out.push_str(&format!(
            "\n   несколько контактов с этим номером: {}",
            card.contacts.len()
        ));
        for m in &card.contacts {
            out.push_str(&format!("\n     · {}", m.contact().display_name()));
        }
    }
    let fields: Vec<String> = card
        .fields
        .iter()
        .filter(|f| f.key != "name" && f.key != "company")
        .map(|f| format!("{}: {}", f.label, f.value))
        .collect();
    if !fields.is_empty() {
        out.push_str(&format!("\n   {}", fields.join("; ")));
    }
    if let Some(url) = &card.crm_url {
        out.push_str(&format!("\n   открыть в CRM: {url}"));
    }
    if card.call.is_ended() && card.call.talked() {
        out.push_str(&format!(
            "\n   разговор {}",
            seconds(card.call.durations.talk)
        ));
    }
    for url in &card.call.recordings {
        out.push_str(&format!("\n   запись: {url}"));
    }
    if !card.recent_calls.is_empty() {
        let recent: Vec<String> = card
            .recent_calls
            .iter()
            .map(|c| {
                format!(
                    "{} {}, {}",
                    local(c.started_at),
                    direction_label(c.direction).to_lowercase(),
                    outcome_label(c)
                )
            })
            .collect();
        out.push_str(&format!("\n   прошлые звонки: {}", recent.join("; ")));
    }
    out
}

/// One history line.
pub fn history_entry(entry: &HistoryEntry) -> String {
    let call = &entry.call;
    let arrow = match call.direction {
        Direction::In if call.missed => "✗",
        Direction::In => "←",
        Direction::Out => "→",
        Direction::Internal => "↔",
    };
    let name = entry
        .contact_name
        .clone()
        .or(call.pbx_name.clone())
        .unwrap_or_default();
    let by = call
        .answered_by
        .as_ref()
        .map(|e| format!(", ответил(а) {}", e.label()))
        .unwrap_or_default();
    let rec = if call.recordings.is_empty() {
        String::new()
    } else {
        format!(", записей: {}", call.recordings.len())
    };
    format!(
        "{} {arrow} {:<18} {:<24} {} {}{by}{rec}  [{}]",
        local(call.started_at),
        display_number(call),
        name,
        outcome_label(call),
        seconds(call.durations.talk),
        call.call_id
    )
}

/// One follow-up line.
pub fn followup(item: &FollowUpItem) -> String {
    let f = &item.followup;
    let name = item
        .contact_name
        .as_deref()
        .map(|n| format!(" — {n}"))
        .unwrap_or_default();
    let status = match (f.open, f.closed_reason) {
        (true, _) => "перезвонить".to_owned(),
        (false, Some(reason)) => format!("закрыто: {}", reason.label()),
        (false, None) => "закрыто".to_owned(),
    };
    format!(
        "{}{name} — пропущено: {} (последний {}) — {status}",
        item.number,
        f.missed_count,
        local(f.last_missed_at)
    )
}

/// The answer to `contacts find`.
pub fn lookup(lookup: &Lookup, explain: bool) -> String {
    if lookup.matches.is_empty() {
        return match (&lookup.no_match, explain) {
            (Some(why), true) => why.clone(),
            _ => format!("{}: контакт не найден", lookup.query),
        };
    }
    let mut lines = Vec::new();
    if lookup.matches.len() > 1 {
        lines.push(format!(
            "{}: найдено контактов: {}",
            lookup.query,
            lookup.matches.len()
        ));
    }
    for m in &lookup.matches {
        let c = m.contact();
        let mut line = format!("#{} {}", c.id, c.display_name());
        if let Some(company) = &c.company {
            line.push_str(&format!(" ({company})"));
        }
        line.push_str(&format!(" — {}", whose(&m.meta)));
        if let Some(url) = &m.meta.crm_url {
            line.push_str(&format!("\n   CRM: {url}"));
        }
        if explain {
            line.push_str(&format!("\n   {}", m.matched.explanation));
        }
        lines.push(line);
    }
    lines.join("\n")
}

/// Whose a contact is, for a listing: the team's (with its last change) or private.
pub fn whose(meta: &ContactMeta) -> String {
    match &meta.team {
        Some(team) => match &team.updated_by {
            Some(by) => format!("команда / team, изменил(а) {by} {}", local(team.updated_at)),
            None => "команда / team".to_owned(),
        },
        None => "личный / private".to_owned(),
    }
}

/// The team directory's copy: «Справочник команды: версия N, контактов M».
pub fn directory_status(status: &DirectoryStatus) -> String {
    let mut out = format!(
        "Справочник команды: версия {}, контактов {} / Team directory: version {}, {} contacts",
        status.version, status.contacts, status.version, status.contacts
    );
    if let Some(error) = &status.error {
        out.push_str(&format!(
            "\n   последняя синхронизация не удалась / last sync failed: {error}"
        ));
    }
    out
}

/// A team contact's history, newest change first.
pub fn contact_history(found: &ContactWithHistory) -> String {
    let c = &found.contact;
    let mut out = format!("{} — версия / version {}", c.fields.name, c.version);
    for change in &found.history {
        let action = match change.action {
            ChangeAction::Created => "создан / created",
            ChangeAction::Edited => "изменён / edited",
            ChangeAction::NumberAttached => "добавлен номер / number attached",
            ChangeAction::Deleted => "удалён / deleted",
            ChangeAction::Imported => "импортирован / imported",
        };
        let at = DateTime::parse_from_rfc3339(&change.at)
            .map(|at| local(at.with_timezone(&Utc)))
            .unwrap_or_else(|_| change.at.clone());
        out.push_str(&format!("\n   {at} {}: {action}", change.author));
        if !change.changed.is_empty() {
            out.push_str(&format!(" ({})", change.changed.join(", ")));
        }
    }
    out
}

/// The summary of an import.
pub fn import_report(report: &ImportReport) -> String {
    let mut lines = vec![format!(
        "Импортировано: {}; уже были: {}; с ошибками: {} ({}, {})",
        report.imported,
        report.unchanged,
        report.bad_rows.len(),
        report.format,
        report.encoding
    )];
    for bad in &report.bad_rows {
        lines.push(format!("  строка {}: {}", bad.line, bad.reason));
    }
    for warning in &report.warnings {
        lines.push(format!("  строка {}: {}", warning.line, warning.message));
    }
    lines.join("\n")
}

/// A connection status line.
pub fn status(status: &ConnectionStatus) -> String {
    format!("· {}", status.label())
}

/// What was missed while the terminal was away, newest first.
pub fn away(summary: &AwaySummary) -> String {
    let mut lines = vec![format!(
        "· пока вас не было — пропущенные звонки: {}",
        summary.missed_total
    )];
    for missed in &summary.missed {
        lines.push(format!(
            "  {}  {}",
            local(missed.started_at),
            who(&missed.title, &missed.number)
        ));
    }
    if summary.missed_total > summary.missed.len() {
        lines.push(format!(
            "  и ещё {}",
            summary.missed_total - summary.missed.len()
        ));
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::engine::away::MissedWhileAway;

    #[test]
    fn the_away_summary_names_the_newest_and_counts_the_rest() {
        let at = Utc.with_ymd_and_hms(2026, 5, 12, 8, 30, 0).unwrap();
        let summary = AwaySummary {
            replayed: 40,
            missed: vec![
                MissedWhileAway {
                    call_id: "uis:2".into(),
                    title: "Иван Петров".into(),
                    number: "+7 926 123-45-67".into(),
                    phone: Some("+79261234567".into()),
                    started_at: at,
                },
                MissedWhileAway {
                    call_id: "uis:1".into(),
                    title: "скрытый номер".into(),
                    number: "скрытый номер".into(),
                    phone: None,
                    started_at: at,
                },
            ],
            missed_total: 5,
            ongoing: Vec::new(),
        };
        let text = away(&summary);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "· пока вас не было — пропущенные звонки: 5");
        assert!(
            lines[1].ends_with("  Иван Петров (+7 926 123-45-67)"),
            "{text}"
        );
        assert!(lines[2].ends_with("  скрытый номер"), "{text}");
        assert_eq!(lines[3], "  и ещё 3");
    }
}
