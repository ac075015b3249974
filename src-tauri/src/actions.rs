//! Dialling from outside the main window (a `tel:` link, the global shortcut, a
//! notification's «Перезвонить», the card): ask the engine, then tell the main window how it
//! went (and the OS, when the main window is hidden).

use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager};
use ts_rs::TS;

use crate::dto::DialResult;
use crate::error::CommandError;
use crate::i18n::t;
use crate::state::AppState;

/// Where a dial request came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DialSource {
    Link,
    Shortcut,
    Notification,
    Card,
}

/// The `dial` event the main window shows as a toast.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct DialEvent {
    pub source: DialSource,
    /// What was asked for, as typed.
    pub text: String,
    pub result: Option<DialResult>,
    pub error: Option<CommandError>,
}

/// Dials `text` in the background and reports the outcome.
pub fn dial(app: &AppHandle, text: String, source: DialSource) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let engine = app.state::<AppState>().engine.clone();
        let outcome = engine.dial(&text).await;
        let event = match outcome {
            Ok((number, accepted)) => {
                tracing::info!(%number, call_id = %accepted.call_id, ?source, "dial accepted");
                DialEvent {
                    source,
                    text,
                    result: Some(DialResult {
                        number,
                        call_id: accepted.call_id,
                    }),
                    error: None,
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, ?source, "dial failed");
                DialEvent {
                    source,
                    text,
                    result: None,
                    error: Some(CommandError::from(e)),
                }
            }
        };
        if !crate::windows::main_visible(&app) {
            let lang = app.state::<AppState>().prefs().language;
            let (summary, body) = match (&event.result, &event.error) {
                (Some(r), _) => (
                    t(lang, "notify.dialing", &[("number", &r.number)]),
                    String::new(),
                ),
                (None, Some(e)) => (
                    t(lang, "notify.dial_failed", &[("number", &event.text)]),
                    e.message.clone(),
                ),
                (None, None) => return,
            };
            crate::notifications::plain(&app, summary, body);
        }
        let _ = app.emit_to(crate::windows::MAIN, "dial", &event);
    });
}
