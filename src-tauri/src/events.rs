//! The background pump from the engine to the windows: connection status to the status
//! line and the tray; card updates to the card window (showing it when the popup mode says
//! so), the main window's lists and the OS notifications; follow-up and resync news to the
//! status line; colleagues' statuses to every window and this agent's own to the tray
//! ([`crate::presence`]); call-control notices to every card of the call, with the notes on
//! the call for the colleague it is being transferred to.
//!
//! Cards replayed after a reconnect (calls that happened while the app was asleep, offline
//! or closed) update the lists but neither pop nor notify; when the replay is over, the
//! calls still going on pop as live ones and the missed ones get one summary notification.
//! A call this agent answers live opens the caller's contact in the main window once, when
//! the setting says so ([`crate::open_on_answer`]); replayed answers never do.

use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager};
use tokio::sync::broadcast::error::RecvError;
use trubka_agent::cards::Card;
use trubka_agent::engine::EngineEvent;
use trubka_agent::relay_client::Delivery;
use ts_rs::TS;

use crate::dto::control::{CallNoteDto, ControlNoticeDto};
use crate::dto::{CardDto, ConnectionDto, FollowUpDto, Notice};
use crate::open_on_answer::AnswerWatch;
use crate::state::AppState;
use crate::windows::{self, CARD, MAIN};

/// The `card` event the card window receives.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CardEvent {
    pub card: CardDto,
    /// Whether this update may bring the card on screen (the popup mode says so); updates
    /// of cards already on screen are shown anyway.
    pub pop: bool,
}

pub(crate) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Sends the current status line to every window.
pub fn refresh_status(app: &AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let status = app.state::<AppState>().status().await;
        let _ = app.emit("status", &status);
    });
}

/// Starts the pump.
pub fn spawn(app: &AppHandle) {
    let engine = app.state::<AppState>().engine.clone();
    let mut status = engine.status();
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        let mut was_connected = false;
        loop {
            let connection = ConnectionDto::from(&*status.borrow_and_update());
            crate::tray::refresh(&handle, Some(&connection));
            refresh_status(&handle);
            // Presence frames are live only: a stream that (re)connects reads the list.
            let connected = matches!(connection, ConnectionDto::Connected { .. });
            if connected && !was_connected {
                crate::presence::load(&handle);
            }
            was_connected = connected;
            if status.changed().await.is_err() {
                break;
            }
        }
    });
    let mut events = engine.subscribe();
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        let mut answers = AnswerWatch::default();
        loop {
            match events.recv().await {
                Ok(EngineEvent::Card { card, delivery }) => {
                    on_card(&handle, &mut answers, &card, delivery).await
                }
                Ok(EngineEvent::CaughtUp(summary)) => {
                    for card in &summary.ongoing {
                        on_card(&handle, &mut answers, card, Delivery::Live).await;
                    }
                    crate::notifications::on_caught_up(&handle, &summary);
                }
                Ok(EngineEvent::Followups(_)) => {
                    refresh_status(&handle);
                    let _ = handle.emit_to(MAIN, "followups-changed", ());
                }
                Ok(EngineEvent::Resync { resync_count, .. }) => {
                    let count = u32::try_from(resync_count).unwrap_or(u32::MAX);
                    handle
                        .state::<AppState>()
                        .set_notice(Notice::Resynced { count });
                    refresh_status(&handle);
                }
                // The contacts list shows team contacts: it re-reads them.
                Ok(EngineEvent::Directory(_)) => {
                    let _ = handle.emit_to(MAIN, "directory-changed", ());
                }
                // The case list and an open case view take the changed case in place.
                Ok(EngineEvent::Case(case)) => {
                    crate::commands::cases::announce(&handle, &case).await;
                }
                Ok(EngineEvent::Presence(presence)) => {
                    crate::presence::on_frame(&handle, &presence);
                }
                Ok(EngineEvent::CallControl(notice)) => {
                    let handle = handle.clone();
                    tauri::async_runtime::spawn(async move { on_control(&handle, &notice).await });
                }
                Err(RecvError::Lagged(missed)) => {
                    tracing::warn!(
                        missed,
                        "card updates came faster than shown; resending live cards"
                    );
                    resend_live(&handle, &mut answers).await;
                }
                Err(RecvError::Closed) => break,
            }
        }
    });
}

/// Something done to a call: to every window (each card of the call shows it). The colleague
/// the call is transferred to gets the notes on it so far: with the notice, or from a relay
/// that does not send them, read once.
async fn on_control(app: &AppHandle, notice: &trubka_protocol::control::ControlNotice) {
    let engine = app.state::<AppState>().engine.clone();
    let me = engine.settings().me.map(|m| m.name);
    let mut dto = ControlNoticeDto::of(notice, me.as_deref());
    if dto.wants_notes() {
        let notes = match &notice.notes {
            Some(notes) => Ok(notes.clone()),
            None => engine.notes(&dto.call_id).await,
        };
        match notes {
            Ok(notes) => dto.notes = notes.iter().map(CallNoteDto::from).collect(),
            Err(e) => tracing::info!(error = %e, call = %dto.call_id, "no notes on the call"),
        }
    }
    let _ = app.emit("call-control", &dto);
}

async fn on_card(app: &AppHandle, answers: &mut AnswerWatch, card: &Card, delivery: Delivery) {
    let received = now_ms();
    let state = app.state::<AppState>();
    let dto = CardDto::of(card, None, received);
    let live = delivery == Delivery::Live;
    let pop = live && state.prefs().pops(&dto);
    let _ = app.emit_to(
        CARD,
        "card",
        &CardEvent {
            card: dto.clone(),
            pop,
        },
    );
    if pop {
        windows::show_card(app);
    }
    let _ = app.emit_to(MAIN, "call-updated", &dto.call);
    if live {
        crate::notifications::on_card(app, &dto, windows::main_visible(app));
    }
    // After the notification, which looks at whether the main window is on screen.
    let open_contact = state.prefs().open_contact_on_answer;
    if let Some(target) = answers.target(&dto, live, open_contact) {
        crate::commands::card::open_in_main(app.clone(), target);
    }
    if let Some(followup) = open_followup(app, dto.call.phone.as_deref()).await {
        let _ = app.emit_to(
            CARD,
            "card",
            &CardEvent {
                card: CardDto {
                    followup: Some(followup),
                    ..dto
                },
                pop: false,
            },
        );
    }
}

/// The caller's open follow-up, looked up after the card is on screen.
async fn open_followup(app: &AppHandle, phone: Option<&str>) -> Option<FollowUpDto> {
    let phone = phone?;
    let engine = app.state::<AppState>().engine.clone();
    let list = engine.followups(true, 200).await.ok()?;
    list.iter()
        .find(|f| f.followup.caller == phone)
        .map(FollowUpDto::from)
}

async fn resend_live(app: &AppHandle, answers: &mut AnswerWatch) {
    let engine = app.state::<AppState>().engine.clone();
    if let Ok(cards) = engine.live_cards().await {
        for card in &cards {
            on_card(app, answers, card, Delivery::Live).await;
        }
    }
}
