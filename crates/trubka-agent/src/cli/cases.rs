//! `trubka-cli cases …` and `trubka-cli note …`: the team's cases (issue 13) — a table from
//! the relay, or the stored copy with the time it was received when the relay is out of
//! reach; claiming («Перезваниваю»), releasing and closing a case; a note on a call.

use chrono::{DateTime, Utc};
use trubka_protocol::cases::{CaseView, NoteRequest, WireCaseKind, WireCaseStatus};

use super::args::CasesAction;
use super::commands::{CliError, json_line};
use super::render::local;
use crate::engine::Engine;
use crate::engine::cases::CaseListing;

/// Runs `cases`: the list when `action` is none.
pub async fn run(
    engine: &Engine,
    action: Option<CasesAction>,
    status: Option<String>,
    mine: bool,
    json: bool,
) -> Result<(), CliError> {
    match action {
        None => {
            let status = status
                .map(|text| {
                    WireCaseStatus::parse(text.trim()).ok_or_else(|| {
                        CliError::Usage(format!(
                            "«{text}» — нет такого статуса / no such status \
                             (open, waiting, closed)"
                        ))
                    })
                })
                .transpose()?;
            let listing = engine.cases(status, mine).await?;
            if json {
                json_line(&listing)?;
            } else {
                print!("{}", listing_text(&listing));
            }
        }
        Some(CasesAction::Claim { id }) => {
            let view = engine.claim_case(&id).await?;
            println!("Вы перезваниваете: {} / You are calling back", title(&view));
        }
        Some(CasesAction::Release { id }) => {
            let view = engine.release_case(&id).await?;
            println!("Обращение свободно: {} / The case is free", title(&view));
        }
        Some(CasesAction::Close { id, reason }) => {
            let view = engine.close_case(&id, reason.as_deref()).await?;
            let reason = view
                .closure
                .as_ref()
                .and_then(|c| c.reason.as_deref())
                .map(|r| format!(" ({r})"))
                .unwrap_or_default();
            println!("Обращение закрыто: {}{reason} / Case closed", title(&view));
        }
    }
    Ok(())
}

/// Runs `note CALL_ID TEXT [--tag TAG]…`.
pub async fn note(
    engine: &Engine,
    call_id: &str,
    text: String,
    tags: Vec<String>,
    new_case: bool,
    json: bool,
) -> Result<(), CliError> {
    let request = NoteRequest {
        text,
        tags,
        new_case,
    };
    let note = engine.add_note(call_id, &request).await?;
    if json {
        json_line(&note)?;
    } else {
        let tags = if note.tags.is_empty() {
            String::new()
        } else {
            format!(" [{}]", note.tags.join(", "))
        };
        println!(
            "Заметка к звонку {} сохранена{tags} / Note saved",
            note.call_id
        );
    }
    Ok(())
}

/// «Пропущенный звонок с +7…», worded here: the relay sends the kind and number.
pub fn title(view: &CaseView) -> String {
    match (view.kind, view.number.as_deref()) {
        (WireCaseKind::Missed, Some(n)) => format!("Пропущенный звонок с {n}"),
        (WireCaseKind::Missed, None) => "Пропущенный звонок со скрытого номера".to_owned(),
        (WireCaseKind::Incoming, Some(n)) => format!("Входящий звонок с {n}"),
        (WireCaseKind::Incoming, None) => "Входящий звонок со скрытого номера".to_owned(),
        (WireCaseKind::Outgoing, Some(n)) => format!("Исходящий звонок на {n}"),
        (WireCaseKind::Outgoing, None) => "Исходящий звонок".to_owned(),
    }
}

fn status_label(status: WireCaseStatus) -> &'static str {
    match status {
        WireCaseStatus::Open => "открыто",
        WireCaseStatus::Waiting => "в ожидании",
        WireCaseStatus::Closed => "закрыто",
    }
}

/// The table, preceded by a line saying the copy may be stale when it is not from the relay.
pub fn listing_text(listing: &CaseListing) -> String {
    let mut out = String::new();
    if !listing.fresh {
        out.push_str(&stale_line(listing.received_at));
        out.push('\n');
    }
    if listing.cases.is_empty() {
        out.push_str("Обращений нет / No cases\n");
        return out;
    }
    let header = [
        "ID",
        "СТАТУС",
        "ОБРАЩЕНИЕ",
        "ОТВЕТСТВЕННЫЙ",
        "ПЕРЕЗВАНИВАЕТ",
        "ИЗМЕНЕНО",
    ];
    let rows: Vec<[String; 6]> = listing
        .cases
        .iter()
        .map(|view| {
            let mut what = title(view);
            if let Some(name) = &view.contact_name {
                what.push_str(&format!(" — {name}"));
            }
            if view.reached {
                what.push_str(" ✓");
            }
            let responsible = view
                .responsible
                .as_ref()
                .map_or_else(|| "—".to_owned(), crate::people::label);
            let claim = view
                .claim
                .as_ref()
                .map(|c| c.agent.clone())
                .unwrap_or_else(|| "—".to_owned());
            [
                view.key.clone(),
                status_label(view.status).to_owned(),
                what,
                responsible,
                claim,
                local(view.updated_at),
            ]
        })
        .collect();
    let mut widths = header.map(|h| h.chars().count());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        format!("{}\n", padded.join("  ").trim_end())
    };
    out.push_str(&line(&header.map(str::to_owned)));
    for row in &rows {
        out.push_str(&line(row));
    }
    out
}

fn stale_line(received_at: Option<DateTime<Utc>>) -> String {
    match received_at {
        Some(at) => format!(
            "Ретранслятор недоступен: список на {} может быть устаревшим / The relay is out of \
             reach: the list as of {} may be stale",
            local(at),
            at.to_rfc3339()
        ),
        None => "Ретранслятор недоступен, а сохранённых обращений нет / The relay is out of \
                 reach and no cases are stored"
            .to_owned(),
    }
}
