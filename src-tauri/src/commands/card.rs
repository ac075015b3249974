//! What the call-card window calls: the live cards when it loads, its preferences, fitting
//! and hiding itself, and the latency probe.

use serde::Serialize;
use tauri::{AppHandle, Emitter, State};
use ts_rs::TS;

use crate::dto::{CardDto, Language};
use crate::error::CommandResult;
use crate::state::AppState;

/// What the card window needs from the preferences.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CardPrefs {
    pub language: Language,
    pub sound: bool,
}

/// Cards of calls that are not over, for a card window that (re)loads; each says whether
/// the popup mode lets it on screen.
#[tauri::command]
pub async fn live_cards(
    state: State<'_, AppState>,
) -> CommandResult<Vec<crate::events::CardEvent>> {
    let now = crate::events::now_ms();
    let prefs = state.prefs();
    let cards = state.engine.live_cards().await?;
    Ok(cards
        .iter()
        .map(|c| {
            let card = CardDto::of(c, None, now);
            crate::events::CardEvent {
                pop: prefs.pops(&card),
                card,
            }
        })
        .collect())
}

#[tauri::command]
pub fn card_prefs(state: State<'_, AppState>) -> CardPrefs {
    let prefs = state.prefs();
    CardPrefs {
        language: prefs.language,
        sound: prefs.sound,
    }
}

/// Fits the card window to its content's height (CSS pixels).
#[tauri::command]
pub fn card_window_fit(app: AppHandle, height: f64) -> CommandResult<()> {
    Ok(crate::windows::fit_card(&app, height)?)
}

/// The card window has nothing left to show.
#[tauri::command]
pub fn card_window_hide(app: AppHandle) {
    crate::windows::hide_card(&app);
}

/// The card window drew an update: logs the event-to-visible latency.
#[tauri::command]
pub fn card_rendered(call_id: String, state: String, received_ms: i64) {
    let latency = crate::events::now_ms() - received_ms;
    tracing::info!(target: "trubka::perf", %call_id, %state, latency_ms = latency, "card visible");
    crate::perf::line(&format!(
        "card_visible call={call_id} state={state} ms={latency}"
    ));
}

/// Opens the main window on a screen (`contact:ID`, `new-contact:NUMBER`, `attach:NUMBER`,
/// `missed`).
#[tauri::command]
pub fn open_in_main(app: AppHandle, target: String) {
    crate::windows::show_main(&app);
    let _ = app.emit_to(crate::windows::MAIN, "open", target);
}
