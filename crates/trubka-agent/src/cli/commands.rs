//! What each `trubka-cli` command does, on top of the [`Engine`].

use std::collections::HashMap;
use std::io::Write;

use tokio::sync::broadcast::error::RecvError;

use super::args::{Cli, Command, FollowupsAction};
use super::render;
use crate::engine::{Engine, EngineError, EngineEvent, HistoryRequest};
use crate::invite::parse_invite;
use crate::profile::Profile;
use crate::relay_api::NewRequest;
use crate::relay_client::ConnectionStatus;
use crate::store::history::{HistoryCursor, HistoryFilter};

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error("{0}")]
    Usage(String),
    #[error("cannot write output: {0}")]
    Output(#[from] std::io::Error),
    #[error("{0}")]
    Stream(String),
}

pub(super) fn json_line(value: &impl serde::Serialize) -> Result<(), CliError> {
    let text = serde_json::to_string(value).map_err(|e| CliError::Usage(e.to_string()))?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}")?;
    out.flush()?;
    Ok(())
}

fn parse_cursor(text: &str) -> Result<HistoryCursor, CliError> {
    let bad = || {
        CliError::Usage(format!(
            "«{text}» is not a page cursor (expected STARTED:ID)"
        ))
    };
    let (started, id) = text.split_once(':').ok_or_else(bad)?;
    Ok(HistoryCursor {
        started_at: started.parse().map_err(|_| bad())?,
        id: id.parse().map_err(|_| bad())?,
    })
}

/// Runs one command.
pub async fn run(cli: Cli) -> Result<(), CliError> {
    let profile = Profile::resolve(cli.home).map_err(EngineError::from)?;
    let engine = Engine::open(profile).await?;
    match cli.command {
        Command::Login {
            relay,
            token,
            invite,
        } => {
            let (me, relay) = match (invite, relay, token) {
                (Some(link), _, _) => {
                    let invite = parse_invite(&link).map_err(|e| CliError::Usage(e.to_string()))?;
                    let me = engine.login_with_invite(&invite).await?;
                    (me, invite.relay)
                }
                (None, Some(relay), Some(token)) => (engine.login(&relay, &token).await?, relay),
                // clap requires both without --invite.
                _ => {
                    return Err(CliError::Usage(
                        "give --invite LINK, or --relay URL and --token TOKEN".to_owned(),
                    ));
                }
            };
            let mut mapping = Vec::new();
            if let Some(id) = &me.uis_employee {
                mapping.push(format!("UIS сотрудник {id}"));
            }
            if let Some(ext) = &me.sipuni_ext {
                mapping.push(format!("Sipuni доб. {ext}"));
            }
            println!(
                "Вход выполнен: {} ({}) на {}",
                me.name,
                mapping.join(", "),
                relay
            );
        }
        Command::Logout => {
            engine.logout().await?;
            println!(
                "Токен удалён из профиля {}",
                engine.profile().dir().display()
            );
        }
        Command::Listen { json } => listen(&engine, json).await?,
        Command::Dial { number, scenario } => {
            let (e164, accepted) = engine.dial_via(&number, scenario.as_deref()).await?;
            match scenario {
                Some(name) => println!(
                    "Звоним {e164} по сценарию «{}» (вызов {})",
                    name.trim(),
                    accepted.call_id
                ),
                None => println!("Звоним {e164} (вызов {})", accepted.call_id),
            }
        }
        Command::Scenarios { json } => {
            let routes = engine.scenarios().await?;
            if json {
                for route in &routes {
                    json_line(route)?;
                }
            } else if routes.is_empty() {
                println!("Сценариев и схем для вас не настроено");
            } else {
                for route in &routes {
                    println!("{}", render::call_route(route));
                }
            }
        }
        Command::Request {
            list: true, json, ..
        } => {
            let targets = engine.request_targets().await?;
            if json {
                json_line(&targets)?;
            } else {
                print!("{}", render::request_targets(&targets));
            }
        }
        Command::Request {
            phone,
            message,
            name,
            site,
            campaign,
            json,
            ..
        } => {
            let sent = engine
                .send_request(NewRequest {
                    phone: phone.unwrap_or_default(),
                    message: message.unwrap_or_default(),
                    name,
                    site,
                    campaign,
                })
                .await?;
            if json {
                json_line(&sent)?;
            } else {
                println!("{}", render::request_sent(&sent));
            }
        }
        Command::History {
            missed,
            incoming,
            outgoing,
            search,
            limit,
            before,
            json,
        } => {
            let filter = match (missed, incoming, outgoing) {
                (true, _, _) => HistoryFilter::Missed,
                (_, true, _) => HistoryFilter::In,
                (_, _, true) => HistoryFilter::Out,
                _ => HistoryFilter::All,
            };
            let before = before.as_deref().map(parse_cursor).transpose()?;
            let page = engine
                .history(HistoryRequest {
                    filter,
                    search,
                    before,
                    limit,
                })
                .await?;
            if json {
                for entry in &page.entries {
                    json_line(entry)?;
                }
            } else {
                if page.entries.is_empty() {
                    println!("Звонков нет");
                }
                for entry in &page.entries {
                    println!("{}", render::history_entry(entry));
                }
                if let Some(next) = page.next {
                    println!("… дальше: --before {}:{}", next.started_at, next.id);
                }
            }
        }
        Command::Followups {
            action: Some(FollowupsAction::Close { caller }),
            ..
        } => {
            let closed = engine.close_followup(&caller).await?;
            println!(
                "Закрыто: {} (пропущено: {})",
                closed.caller, closed.missed_count
            );
        }
        Command::Followups {
            action: None,
            all,
            json,
        } => {
            let items = engine.followups(!all, 500).await?;
            if json {
                for item in &items {
                    json_line(item)?;
                }
            } else {
                let badge = engine.badge().await?;
                println!(
                    "Перезвонить: {} абонентам, пропущено звонков: {}",
                    badge.open_followups, badge.missed_calls
                );
                for item in &items {
                    println!("{}", render::followup(item));
                }
            }
        }
        Command::Contacts { action } => super::contacts::run(&engine, action).await?,
        command @ (Command::Hold { .. }
        | Command::Resume { .. }
        | Command::Hangup { .. }
        | Command::Transfer { .. }
        | Command::Coach { .. }
        | Command::Actions { .. }
        | Command::Status { .. }) => super::control::run(&engine, command).await?,
        Command::Cases {
            action,
            status,
            mine,
            json,
        } => super::cases::run(&engine, action, status, mine, json).await?,
        Command::Note {
            call_id,
            text,
            tags,
            new_case,
            json,
        } => super::cases::note(&engine, &call_id, text, tags, new_case, json).await?,
    }
    Ok(())
}

/// The readable `listen` view prints a card only when what it shows has changed: an event
/// that changes nothing a person reads (a second leg's id, a repeated answer) stays quiet.
#[derive(Default)]
struct ShownCards(HashMap<String, String>);

impl ShownCards {
    /// How many calls it remembers; far more than are ever live at once.
    const CAPACITY: usize = 1_000;

    fn print(&mut self, card: &crate::cards::Card) {
        if let Some(text) = self.fresh(&card.call.call_id, render::card(card)) {
            println!("{text}");
        }
    }

    /// `text` when it differs from what was shown last for `call_id`, else `None`.
    fn fresh(&mut self, call_id: &str, text: String) -> Option<String> {
        if self.0.get(call_id) == Some(&text) {
            return None;
        }
        if self.0.len() >= Self::CAPACITY {
            self.0.clear();
        }
        self.0.insert(call_id.to_owned(), text.clone());
        Some(text)
    }
}

/// `listen`: cards as they change, until Ctrl-C or until the relay refuses the token.
async fn listen(engine: &Engine, json: bool) -> Result<(), CliError> {
    let mut events = engine.subscribe();
    let mut status = engine.status();
    let mut shown = ShownCards::default();
    engine.start()?;
    for card in engine.live_cards().await? {
        if json {
            json_line(&card)?;
        } else {
            shown.print(&card);
        }
    }
    loop {
        tokio::select! {
            event = events.recv() => match event {
                Ok(EngineEvent::Card { card, .. }) => {
                    if json {
                        json_line(&card)?;
                    } else {
                        shown.print(&card);
                    }
                }
                Ok(EngineEvent::Followups(badge)) if !json => {
                    println!("· перезвонить: {} абонентам, пропущено звонков: {}", badge.open_followups, badge.missed_calls);
                }
                Ok(EngineEvent::CaughtUp(summary)) if !json && summary.missed_total > 0 => {
                    println!("{}", render::away(&summary));
                }
                Ok(EngineEvent::Resync { .. }) if !json => {
                    println!("· релей потерял нашу точку возобновления: история сохранена, продолжаем с текущих событий");
                }
                Ok(_) => {}
                Err(RecvError::Lagged(missed)) => eprintln!("· пропущено обновлений экрана: {missed} (данные сохранены)"),
                Err(RecvError::Closed) => return Ok(()),
            },
            changed = status.changed() => {
                if changed.is_err() {
                    return Ok(());
                }
                let current = status.borrow_and_update().clone();
                if json {
                    eprintln!("{}", serde_json::to_string(&current).unwrap_or_default());
                } else {
                    eprintln!("{}", render::status(&current));
                }
                match current {
                    ConnectionStatus::TokenRevoked | ConnectionStatus::Rejected { .. } => {
                        return Err(CliError::Stream(current.label()));
                    }
                    _ => {}
                }
            }
            _ = tokio::signal::ctrl_c() => {
                engine.stop();
                return Ok(());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ShownCards;

    #[test]
    fn a_card_is_shown_again_only_when_its_text_changes() {
        let mut shown = ShownCards::default();
        assert_eq!(
            shown.fresh("uis:1", "звонит".into()).as_deref(),
            Some("звонит")
        );
        assert_eq!(shown.fresh("uis:1", "звонит".into()), None);
        assert_eq!(
            shown.fresh("uis:2", "звонит".into()).as_deref(),
            Some("звонит")
        );
        assert_eq!(
            shown.fresh("uis:1", "разговор".into()).as_deref(),
            Some("разговор")
        );
        assert_eq!(shown.fresh("uis:1", "разговор".into()), None);
    }

    #[test]
    fn memory_stays_bounded() {
        let mut shown = ShownCards::default();
        for i in 0..ShownCards::CAPACITY * 3 {
            assert!(
                shown
                    .fresh(&format!("uis:{i}"), "завершён".into())
                    .is_some()
            );
        }
        assert!(shown.0.len() <= ShownCards::CAPACITY);
    }
}
