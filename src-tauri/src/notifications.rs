//! OS notifications: an incoming call when the card will not pop (popup off, or the main
//! window is hidden), a missed call with a «Перезвонить» action that dials, and after a
//! reconnect one summary of the calls missed while away («Показать» opens them). What to say
//! is decided here; the system shows it ([`Notifications`]).
//!
//! The notification service may be missing (no session bus, no daemon): the app keeps
//! working and puts [`Notice::NotificationsUnavailable`] on the status line. Every call to
//! the service runs on its own thread; a button waits there until the notification closes.

use std::collections::HashSet;
use std::sync::Mutex;

use tauri::{AppHandle, Manager};

use trubka_agent::cards;
use trubka_agent::engine::away::{AwaySummary, MissedWhileAway};

use crate::dto::calls::CardStateDto;
use crate::dto::{CardDto, Language, Notice, PopupMode};
use crate::i18n::t;
use crate::platform::{Button, Notifications, Os, Toast};
use crate::state::AppState;

const ACTION_CALLBACK: &str = "callback";
const ACTION_SHOW_MISSED: &str = "show-missed";
/// Callers named in the "while you were away" notification; the rest are counted.
const AWAY_NAMED: usize = 3;

/// What a notification's button does.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Action {
    /// Dials this number back.
    CallBack(String),
    /// Opens the main window on the missed calls.
    ShowMissed,
}
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
    std::thread::spawn(move || match Os::notification_service() {
        Ok(server) => {
            tracing::info!(%server, "notification service found");
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
    cards::who(&card.title, &card.number)
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
                .map(|phone| (t(lang, "notify.callback", &[]), Action::CallBack(phone)));
            send(app, summary, body, callback);
        }
        _ => {}
    }
}

/// Announces the calls missed while the app was away (asleep, offline, closed): one
/// notification for all of them instead of one per call; a single missed call gets the
/// usual notification with «Перезвонить». Calls announced already are not announced again.
pub fn on_caught_up(app: &AppHandle, summary: &AwaySummary) {
    let notifier = app.state::<Notifier>();
    let fresh: Vec<&MissedWhileAway> = summary
        .missed
        .iter()
        .filter(|m| notifier.first_time(&m.call_id, "missed"))
        .collect();
    let unnamed = summary.missed_total - summary.missed.len();
    let lang = app.state::<AppState>().prefs().language;
    if let Some((title, body, action)) = away_notification(lang, &fresh, unnamed) {
        send(app, title, body, Some(action));
    }
}

/// The words and button of the "while you were away" notification, if there is news.
fn away_notification(
    lang: Language,
    fresh: &[&MissedWhileAway],
    unnamed: usize,
) -> Option<(String, String, (String, Action))> {
    match (fresh, unnamed) {
        ([], 0) => None,
        ([one], 0) => {
            let title = t(lang, "notify.missed", &[("who", &who_missed(one))]);
            let action = one
                .phone
                .clone()
                .map(Action::CallBack)
                .unwrap_or(Action::ShowMissed);
            let label = match action {
                Action::CallBack(_) => t(lang, "notify.callback", &[]),
                Action::ShowMissed => t(lang, "notify.show_missed", &[]),
            };
            Some((title, String::new(), (label, action)))
        }
        _ => {
            let count = (fresh.len() + unnamed).to_string();
            let title = t(lang, "notify.away", &[("count", &count)]);
            let mut names: Vec<String> = fresh
                .iter()
                .take(AWAY_NAMED)
                .map(|m| who_missed(m))
                .collect();
            let more = fresh.len().saturating_sub(AWAY_NAMED) + unnamed;
            if more > 0 {
                names.push(t(lang, "notify.and_more", &[("count", &more.to_string())]));
            }
            let label = t(lang, "notify.show_missed", &[]);
            Some((title, names.join(", "), (label, Action::ShowMissed)))
        }
    }
}

fn who_missed(missed: &MissedWhileAway) -> String {
    cards::who(&missed.title, &missed.number)
}

/// Shows a plain notification (dial results from the tray, shortcut or a link).
pub fn plain(app: &AppHandle, summary: String, body: String) {
    send(app, summary, body, None);
}

fn send(app: &AppHandle, summary: String, body: String, action: Option<(String, Action)>) {
    let app = app.clone();
    std::thread::spawn(move || {
        let toast = Toast {
            summary,
            body,
            button: action.as_ref().map(|(label, action)| Button {
                key: action_id(action),
                label: label.clone(),
            }),
        };
        match Os::show_notification(&toast) {
            Ok(shown) => {
                app.state::<AppState>().clear_notice("notifications");
                if let Some((_, action)) = action
                    && Os::button_pressed(shown)
                {
                    act(&app, &action);
                }
            }
            Err(e) => unavailable(&app, &e.to_string()),
        }
    });
}

fn action_id(action: &Action) -> &'static str {
    match action {
        Action::CallBack(_) => ACTION_CALLBACK,
        Action::ShowMissed => ACTION_SHOW_MISSED,
    }
}

/// What a pressed button does.
fn act(app: &AppHandle, action: &Action) {
    match action {
        Action::CallBack(phone) => {
            crate::actions::dial(app, phone.clone(), crate::actions::DialSource::Notification)
        }
        Action::ShowMissed => crate::commands::card::open_in_main(app.clone(), "missed".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn missed(n: u32, title: &str) -> MissedWhileAway {
        MissedWhileAway {
            call_id: format!("uis:{n}"),
            title: title.to_owned(),
            number: format!("+7 903 111-22-{n:02}"),
            phone: Some(format!("+790311122{n:02}")),
            started_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn nothing_new_while_away_says_nothing() {
        assert_eq!(away_notification(Language::Ru, &[], 0), None);
    }

    #[test]
    fn one_call_missed_while_away_offers_to_call_back() {
        let one = missed(1, "Иван Петров");
        let (title, body, (label, action)) = away_notification(Language::Ru, &[&one], 0).unwrap();
        assert_eq!(title, "Пропущенный звонок: Иван Петров (+7 903 111-22-01)");
        assert_eq!(body, "");
        assert_eq!(label, "Перезвонить");
        assert_eq!(action, Action::CallBack("+79031112201".to_owned()));

        let hidden = MissedWhileAway {
            phone: None,
            ..missed(2, "+7 903 111-22-02")
        };
        let (title, _, (label, action)) = away_notification(Language::En, &[&hidden], 0).unwrap();
        assert_eq!(title, "Missed call: +7 903 111-22-02");
        assert_eq!((label.as_str(), action), ("Show", Action::ShowMissed));
    }

    #[test]
    fn several_calls_missed_while_away_are_one_summary_naming_the_newest() {
        let calls: Vec<MissedWhileAway> =
            (1..=5).map(|n| missed(n, &format!("Клиент {n}"))).collect();
        let refs: Vec<&MissedWhileAway> = calls.iter().collect();
        let (title, body, (label, action)) = away_notification(Language::Ru, &refs, 2).unwrap();
        assert_eq!(title, "Пока вас не было — пропущенные звонки: 7");
        assert_eq!(
            body,
            "Клиент 1 (+7 903 111-22-01), Клиент 2 (+7 903 111-22-02), \
             Клиент 3 (+7 903 111-22-03), и ещё 4"
        );
        assert_eq!((label.as_str(), action), ("Показать", Action::ShowMissed));
    }

    #[test]
    fn calls_counted_but_not_named_still_make_a_summary() {
        let (title, body, _) = away_notification(Language::En, &[], 40).unwrap();
        assert_eq!(title, "While you were away — missed calls: 40");
        assert_eq!(body, "and 40 more");
    }
}
