//! `trubka-cli hold | resume | hangup | transfer | coach | actions | status`: call control and the
//! agents' statuses through the relay. The relay refuses in Russian (not your call, the call
//! ended, the PBX cannot do it); the refusal is printed as it came and the command fails.

use trubka_protocol::control::{
    AgentPresence, CallActions, CoachMode, ControlAction, ControlDone, PresenceList, PresenceStatus,
};

use super::args::{CoachArg, Command, StatusArg};
use super::commands::{CliError, json_line};
use crate::engine::Engine;

/// Runs one call-control or status command (other commands are not this module's).
pub async fn run(engine: &Engine, command: Command) -> Result<(), CliError> {
    match command {
        Command::Hold { call_id } => println!("{}", done(&engine.hold(&call_id).await?)),
        Command::Resume { call_id } => println!("{}", done(&engine.resume(&call_id).await?)),
        Command::Hangup { call_id } => println!("{}", done(&engine.hangup(&call_id).await?)),
        Command::Transfer {
            call_id,
            complete: true,
            ..
        } => println!("{}", done(&engine.transfer_complete(&call_id).await?)),
        Command::Transfer {
            call_id,
            cancel: true,
            ..
        } => println!("{}", done(&engine.transfer_cancel(&call_id).await?)),
        Command::Transfer {
            call_id,
            to: Some(to),
            attended,
            ..
        } => {
            let accepted = engine.transfer(&call_id, &to, attended).await?;
            let to = to.trim();
            if attended {
                println!(
                    "Соединяем с {to} для разговора перед переводом (вызов {}); затем \
                     transfer --complete или --cancel",
                    accepted.call_id
                );
            } else {
                println!("Переводим вызов {} на {to}", accepted.call_id);
            }
        }
        Command::Transfer { .. } => {
            return Err(CliError::Usage(
                "give --to NAME|NUMBER, --complete or --cancel".to_owned(),
            ));
        }
        Command::Coach {
            call_id,
            mode,
            phone,
        } => {
            let mode = mode.map(|m| match m {
                CoachArg::Listen => CoachMode::Listen,
                CoachArg::Whisper => CoachMode::Whisper,
            });
            println!("{}", done(&engine.coach(&call_id, mode, phone).await?));
        }
        Command::Actions { call_id, json } => {
            let actions = engine.actions(&call_id).await?;
            if json {
                json_line(&actions)?;
            } else {
                println!("{}", offered(&actions));
            }
        }
        Command::Status { reasons: true, .. } => {
            let reasons = engine.break_reasons().await?;
            if reasons.is_empty() {
                println!("Причин перерыва не настроено");
            }
            for reason in &reasons {
                println!("{reason}");
            }
        }
        Command::Status {
            status: Some(status),
            reason,
            json,
            ..
        } => {
            let mine = engine.set_presence(status.into(), reason).await?;
            if json {
                json_line(&mine)?;
            } else {
                println!("Ваш статус: {}", status_text(&mine));
            }
        }
        Command::Status { json: true, .. } => json_line(&engine.presence().await?)?,
        Command::Status { .. } => print!("{}", presence_table(&engine.presence().await?)),
        other => {
            return Err(CliError::Usage(format!(
                "not a call-control command: {other:?}"
            )));
        }
    }
    Ok(())
}

impl From<StatusArg> for PresenceStatus {
    fn from(arg: StatusArg) -> PresenceStatus {
        match arg {
            StatusArg::Available => PresenceStatus::Available,
            StatusArg::Break => PresenceStatus::Break,
            StatusArg::Dnd => PresenceStatus::Dnd,
            StatusArg::Offline => PresenceStatus::Offline,
        }
    }
}

/// What the PBX accepted: `Вызов uis:1197843161 на удержании`.
fn done(done: &ControlDone) -> String {
    let what = match done.action {
        ControlAction::Hold => "на удержании",
        ControlAction::Resume => "снят с удержания",
        ControlAction::Hangup => "завершён",
        ControlAction::Transfer => "переводится",
        ControlAction::TransferComplete => "переведён",
        ControlAction::TransferCancel => "возвращён вам: перевод отменён",
        ControlAction::Coach => "— вы подключены супервизором",
    };
    format!("Вызов {} {what}", done.call_id)
}

fn action_label(action: ControlAction) -> &'static str {
    match action {
        ControlAction::Hold => "удержание (hold)",
        ControlAction::Resume => "снять с удержания (resume)",
        ControlAction::Hangup => "завершить (hangup)",
        ControlAction::Transfer => "перевод (transfer)",
        ControlAction::TransferComplete => "завершить перевод (transfer --complete)",
        ControlAction::TransferCancel => "отменить перевод (transfer --cancel)",
        ControlAction::Coach => "подключиться супервизором",
    }
}

/// The actions a call's PBX offers, one a line.
fn offered(actions: &CallActions) -> String {
    let mut out = format!("Вызов {} ({}):", actions.call_id, actions.provider);
    if actions.actions.is_empty() {
        out.push_str("\n  действий нет");
    }
    for action in &actions.actions {
        out.push_str("\n  ");
        out.push_str(action_label(*action));
    }
    if actions.actions.contains(&ControlAction::Transfer) {
        let kinds = match (actions.blind_transfer, actions.attended_transfer) {
            (true, true) => "сразу или с разговором (--attended)",
            (true, false) => "только сразу",
            (false, true) => "только с разговором (--attended)",
            (false, false) => "нет",
        };
        out.push_str(&format!("\n  перевод: {kinds}"));
    }
    out
}

fn status_label(status: Option<PresenceStatus>) -> &'static str {
    match status {
        Some(PresenceStatus::Available) => "на месте",
        Some(PresenceStatus::Break) => "перерыв",
        Some(PresenceStatus::Dnd) => "не беспокоить",
        Some(PresenceStatus::Offline) => "не на работе",
        None => "неизвестно",
    }
}

/// `перерыв (обед)`.
fn status_text(presence: &AgentPresence) -> String {
    match &presence.reason {
        Some(reason) => format!("{} ({reason})", status_label(presence.status)),
        None => status_label(presence.status).to_owned(),
    }
}

/// Everyone's status: name, status (with its reason), on a call, supervisor.
fn presence_table(list: &PresenceList) -> String {
    if list.agents.is_empty() {
        return "Агентов нет\n".to_owned();
    }
    let rows: Vec<[String; 3]> = list
        .agents
        .iter()
        .map(|agent| {
            let mut name = agent.agent.clone();
            if agent.supervisor {
                name.push_str(" (супервизор)");
            }
            let call = if agent.on_call {
                "на звонке"
            } else {
                ""
            };
            [name, status_text(agent), call.to_owned()]
        })
        .collect();
    let header = ["Агент", "Статус", "Звонок"].map(str::to_owned);
    let width = |column: usize| {
        rows.iter()
            .chain(std::iter::once(&header))
            .map(|row| row[column].chars().count())
            .max()
            .unwrap_or(0)
    };
    let widths = [width(0), width(1)];
    let mut out = String::new();
    for row in std::iter::once(&header).chain(rows.iter()) {
        let line = format!(
            "{}  {}  {}",
            pad(&row[0], widths[0]),
            pad(&row[1], widths[1]),
            row[2]
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// `text` padded with spaces to `width` characters (Cyrillic counts one a letter).
fn pad(text: &str, width: usize) -> String {
    let fill = width.saturating_sub(text.chars().count());
    format!("{text}{}", " ".repeat(fill))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_presence_table_lines_up_cyrillic_names() {
        let list = PresenceList {
            agents: vec![
                AgentPresence {
                    agent: "Анна".to_owned(),
                    status: Some(PresenceStatus::Break),
                    reason: Some("обед".to_owned()),
                    on_call: false,
                    supervisor: false,
                },
                AgentPresence {
                    agent: "Игорь".to_owned(),
                    status: None,
                    reason: None,
                    on_call: true,
                    supervisor: true,
                },
            ],
        };
        let table = presence_table(&list);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[1].starts_with("Анна  "));
        assert!(lines[1].contains("перерыв (обед)"));
        assert!(lines[2].ends_with("на звонке"));
        let status_at = |line: &str, word: &str| {
            let byte = line.find(word).unwrap();
            line[..byte].chars().count()
        };
        assert_eq!(
            status_at(lines[1], "перерыв"),
            status_at(lines[2], "неизвестно")
        );
    }
}
