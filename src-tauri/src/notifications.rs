//! OS notifications (notify-rust): an incoming call when the card will not pop (popup off,
//! or the main window is hidden), and a missed call with a «Перезвонить» action that dials.
//!
//! The notification service may be missing (no session bus, no daemon): the app keeps
//! working and puts [`Notice::NotificationsUnavailable`] on the status line. Every D-Bus call
//! runs on its own thread; an action waits there until the notification is closed.

use std::collections::HashSet;
use std::sync::Mutex;

use notify_rust::{Notification, Timeout};
use tauri::{AppHandle, Manager};

use crate::dto::calls::CardStateDto;
use crate::dto::{CardDto, Notice, PopupMode};
use crate::i18n::t;
use crate::state::AppState;

const ACTION_CALLBACK: &str = "callback";
/// Call ids remembered so that each call is announced once per kind.
const REMEMBER: usize = 512;

/// Which calls were announced already.
#[derive(Default)]
pub struct Notifier {
    announced: Mutex<HashSet<(String, &'static str)>>,
}

impl Notifier {
    fn first_time(&self, call_id: &str, kind: &'static str) -> bool {
        let mut seen = self.announced.lock().unwrap_or_else(|e| e.into_inner());
        if seen.len() > REMEMBER {
            seen.clear();
        }
        seen.insert((call_id.to_owned(), kind))
    }
}

/// Asks the notification service who it is; records a notice when there is none.
pub fn probe(app: &AppHandle) {
    let app = app.clone();
    std::thread::spawn(move || match notify_rust::get_server_information() {
        Ok(info) => {
            tracing::info!(server = %info.name, "notification service found");
            app.state::<AppState>().clear_notice("notifications");
        }
        Err(e) => unavailable(&app, &e.to_string()),
    });
}

fn unavailable(app: &AppHandle, detail: &str) {
    tracing::warn!(error = %detail, "no notification service; calls are shown in the app only");
    app.state::<AppState>()
        .set_notice(Notice::NotificationsUnavailable {
            detail: detail.to_owned(),
        });
    crate::events::refresh_status(app);
}

fn who(card: &CardDto) -> String {
    if card.title == card.number {
        card.number.clone()
    } else {
        format!("{} ({})", card.title, card.number)
    }
}

/// Announces what a card update calls for.
pub fn on_card(app: &AppHandle, card: &CardDto, main_visible: bool) {
    let state = app.state::<AppState>();
    let prefs = state.prefs();
    let notifier = app.state::<Notifier>();
    let lang = prefs.language;
    match card.state {
        CardStateDto::RingingHere
            if (prefs.popup == PopupMode::Off || !main_visible)
                && notifier.first_time(&card.call.call_id, "incoming") =>
        {
            let summary = t(lang, "notify.incoming", &[("who", &who(card))]);
            let body = card
                .company
                .clone()
                .or_else(|| card.call.line.clone())
                .unwrap_or_default();
            send(app, summary, body, None);
        }
        CardStateDto::Missed if notifier.first_time(&card.call.call_id, "missed") => {
            let summary = t(lang, "notify.missed", &[("who", &who(card))]);
            let body = card.company.clone().unwrap_or_default();
            let callback = card
                .call
                .phone
                .clone()
                .map(|phone| (t(lang, "notify.callback", &[]), phone));
            send(app, summary, body, callback);
        }
        _ => {}
    }
}

/// Shows a plain notification (dial results from the tray, shortcut or a link).
pub fn plain(app: &AppHandle, summary: String, body: String) {
    send(app, summary, body, None);
}

fn send(app: &AppHandle, summary: String, body: String, callback: Option<(String, String)>) {
    let app = app.clone();
    std::thread::spawn(move || {
        let mut n = Notification::new();
        n.appname("Trubka")
            .summary(&summary)
            .body(&body)
            .icon("call-start")
            .timeout(Timeout::Milliseconds(15_000));
        if let Some((label, _)) = &callback {
            n.action(ACTION_CALLBACK, label);
        }
        match n.show() {
            Ok(handle) => {
                app.state::<AppState>().clear_notice("notifications");
                if let Some((_, phone)) = callback {
                    wait_for_callback(&app, handle, phone);
                }
            }
            Err(e) => unavailable(&app, &e.to_string()),
        }
    });
}

#[cfg(all(unix, not(target_os = "macos")))]
fn wait_for_callback(app: &AppHandle, handle: notify_rust::NotificationHandle, phone: String) {
    handle.wait_for_action(|action| {
        if action == ACTION_CALLBACK {
            crate::actions::dial(app, phone.clone(), crate::actions::DialSource::Notification);
        }
    });
}

#[cfg(not(all(unix, not(target_os = "macos"))))]
fn wait_for_callback(_app: &AppHandle, _handle: notify_rust::NotificationHandle, _phone: String) {}
