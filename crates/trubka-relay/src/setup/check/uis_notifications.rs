//! Which notifications UIS sent in the last days, where to and with what result
//! (`get.notifications`, the report of sent notifications; it needs the «Data API для
//! настройки» option and a `report_id` from `get.reports_list`). A notification pointed at
//! another address than this relay's `public_url`, or with a token that is not the relay's,
//! or whose deliveries fail, is found here without a real call.
//!
//! One line per notification (by name): its event, how many were sent, the URL with the hook
//! token masked, and the last status or error. The token is never printed.

use std::collections::BTreeMap;
use std::io::{self, Write};

use chrono::{Duration, Utc};
use trubka_core::{Lang, tr};
use trubka_pbx::uis::{SentNotification, UserReport};
use trubka_pbx::{PbxError, UisMnemonic};
use url::Url;

use crate::config::RelayConfig;
use crate::pbx::UisApi;

use super::{Mark, Report};

/// How far back the report is read.
pub(super) const DAYS: i64 = 7;
/// The most notifications read (one page, newest first).
const LIMIT: u32 = 1000;

pub(super) async fn check(
    report: &mut Report<'_, impl Write>,
    uis: &UisApi,
    config: &RelayConfig,
    hook_token: Option<&str>,
) -> io::Result<()> {
    let reports = match uis.client.reports_list().await {
        Ok(reports) => reports,
        Err(e) => return unavailable(report, "get.reports_list", &e),
    };
    let Some(report_id) = notifications_report(&reports) else {
        return report.line(
            Mark::Warn,
            report.lang.pick(
                "UIS не дал ни одного отчёта пользователя (get.reports_list): отправленные \
                 уведомления проверить нельзя — посмотрите их в кабинете UIS",
                "UIS gave no user report (get.reports_list): the sent notifications cannot be \
                 checked — look at them in the UIS cabinet",
            ),
        );
    };
    let till = Utc::now();
    let from = till - Duration::days(DAYS);
    let sent = match uis.client.notifications(report_id, from, till, LIMIT).await {
        Ok(sent) => sent,
        Err(e) => return unavailable(report, "get.notifications", &e),
    };
    summarise(report, &sent, config.public_url.as_deref(), hook_token)
}

/// The report to read notifications through: one whose type or name says notifications, else
/// the first. The docs require a `report_id` but name no report type for notifications.
fn notifications_report(reports: &[UserReport]) -> Option<u64> {
    reports
        .iter()
        .find(|r| {
            r.kind
                .as_deref()
                .is_some_and(|k| k.contains("notification"))
                || r.name
                    .as_deref()
                    .is_some_and(|n| n.to_lowercase().contains("уведомлен"))
        })
        .or(reports.first())
        .map(|r| r.id)
}

/// The report is a help, not a requirement: without it the check says why and goes on.
fn unavailable(report: &mut Report<'_, impl Write>, method: &str, e: &PbxError) -> io::Result<()> {
    let lang = report.lang;
    let text = match e {
        PbxError::Uis {
            mnemonic:
                UisMnemonic::ComponentDisabled
                | UisMnemonic::MethodComponentDisabled
                | UisMnemonic::ParameterComponentDisabled,
            ..
        } => tr!(
            lang,
            "UIS Data API ({method}): опция «Data API для настройки» не подключена — \
             отправленные уведомления проверить нельзя (для работы релея она не нужна)",
            "UIS Data API ({method}): the option «Data API для настройки» (Data API for setup) \
             is not enabled — the sent notifications cannot be checked (the relay does not \
             need it to work)"
        ),
        e => tr!(
            lang,
            "UIS Data API ({method}): отправленные уведомления проверить не удалось: {} [{}]",
            "UIS Data API ({method}): the sent notifications could not be checked: {} [{}]",
            e.user_message_in(lang),
            e.code()
        ),
    };
    report.line(Mark::Warn, &text)
}

pub(super) fn summarise(
    report: &mut Report<'_, impl Write>,
    sent: &[SentNotification],
    public_url: Option<&str>,
    hook_token: Option<&str>,
) -> io::Result<()> {
    let lang = report.lang;
    if sent.is_empty() {
        return report.line(
            Mark::Warn,
            &tr!(
                lang,
                "UIS не отправлял уведомлений за {DAYS} дней (get.notifications): если звонки \
                 были, уведомления не настроены или выключены — настройте их по выводу \
                 trubka-relay uis-templates",
                "UIS sent no notifications in {DAYS} days (get.notifications): if there were \
                 calls, the notifications are not set up or are switched off — set them up as \
                 trubka-relay uis-templates prints"
            ),
        );
    }
    let relay = public_url.and_then(|u| Url::parse(u.trim()).ok());
    // Newest first, as asked; grouped by the notification's name.
    let mut groups: BTreeMap<String, Vec<&SentNotification>> = BTreeMap::new();
    for notification in sent {
        let name = notification
            .notification_name
            .clone()
            .or_else(|| notification.event_type.value.clone())
            .unwrap_or_else(|| lang.pick("без названия", "unnamed").to_owned());
        groups.entry(name).or_default().push(notification);
    }
    report.line(
        Mark::Info,
        &tr!(
            lang,
            "Уведомления, отправленные UIS за {DAYS} дней (get.notifications): {}",
            "Notifications UIS sent in {DAYS} days (get.notifications): {}",
            sent.len()
        ),
    )?;
    for (name, list) in groups {
        let last = list[0];
        let event = last
            .event_type
            .value
            .as_deref()
            .unwrap_or(lang.pick("событие не указано", "event not given"));
        let target = last.notification_send_to.as_deref().unwrap_or_default();
        let shown = masked(target, lang);
        let failed = list.iter().filter(|n| !n.delivered()).count();
        let when = last
            .notification_send_date_time
            .as_deref()
            .unwrap_or(lang.pick("время не указано", "time not given"));
        let count = list.len();
        // The event is said only when the name does not say it already.
        let head = if name == event {
            tr!(
                lang,
                "Уведомление «{name}»: {count} за {DAYS} дней",
                "Notification «{name}»: {count} in {DAYS} days"
            )
        } else {
            tr!(
                lang,
                "Уведомление «{name}» ({event}): {count} за {DAYS} дней",
                "Notification «{name}» («{event}»): {count} in {DAYS} days"
            )
        };
        if let Some(problem) = wrong_target(target, relay.as_ref(), hook_token, lang) {
            report.line(
                Mark::Fail,
                &tr!(
                    lang,
                    "{head} — {problem}: отправляется на {shown}. Исправьте адрес уведомления \
                     в кабинете UIS (раздел «Уведомления») на напечатанный trubka-relay \
                     uis-templates",
                    "{head} — {problem}: it is sent to {shown}. Change the notification's \
                     address in the UIS cabinet (section «Уведомления», Notifications) to the \
                     one trubka-relay uis-templates prints"
                ),
            )?;
        } else if !last.delivered() {
            let why = failure(last, lang);
            report.line(
                Mark::Fail,
                &tr!(
                    lang,
                    "{head}, не доставлено {failed} — последнее ({when}) не доставлено на \
                     {shown}: {why}",
                    "{head}, {failed} not delivered — the last one ({when}) was not delivered \
                     to {shown}: {why}"
                ),
            )?;
        } else if failed > 0 {
            report.line(
                Mark::Warn,
                &tr!(
                    lang,
                    "{head}, из них не доставлено {failed}; последнее ({when}) доставлено на \
                     {shown}",
                    "{head}, {failed} of them not delivered; the last one ({when}) was \
                     delivered to {shown}"
                ),
            )?;
        } else {
            report.line(
                Mark::Ok,
                &tr!(
                    lang,
                    "{head}, все доставлены на {shown}, последнее {when}",
                    "{head}, all delivered to {shown}, the last one {when}"
                ),
            )?;
        }
    }
    Ok(())
}

/// What is wrong with where a notification goes, if anything: another host than the relay's
/// `public_url`, a path outside the relay's UIS hooks, or another hook token.
fn wrong_target(
    target: &str,
    relay: Option<&Url>,
    hook_token: Option<&str>,
    lang: Lang,
) -> Option<String> {
    let Ok(url) = Url::parse(target.trim()) else {
        return Some(
            lang.pick(
                "адрес уведомления не является URL",
                "the notification's address is not a URL",
            )
            .to_owned(),
        );
    };
    let relay = relay?;
    if url.scheme() != relay.scheme()
        || url.host_str() != relay.host_str()
        || url.port_or_known_default() != relay.port_or_known_default()
    {
        let public_url = relay.as_str().trim_end_matches('/');
        return Some(tr!(
            lang,
            "адрес не этого релея (public_url {public_url})",
            "the address is not this relay's (public_url {public_url})"
        ));
    }
    let prefix = format!("{}/hooks/uis/", relay.path().trim_end_matches('/'));
    let Some(rest) = url.path().strip_prefix(&prefix) else {
        return Some(tr!(
            lang,
            "путь не начинается с {prefix}",
            "the path does not start with {prefix}"
        ));
    };
    let token = rest.split('/').next().unwrap_or_default();
    match hook_token {
        Some(expected) if token != expected => Some(
            lang.pick(
                "в адресе не токен этого релея (старый или из другой установки)",
                "the address carries a token that is not this relay's (an old one or another \
                 installation's)",
            )
            .to_owned(),
        ),
        _ => None,
    }
}

/// The URL without its secrets: the segment after `hooks/uis/` and any long token-like
/// segment become `***`, the query is dropped.
pub(super) fn masked(target: &str, lang: Lang) -> String {
    let Ok(mut url) = Url::parse(target.trim()) else {
        return lang.pick("(не URL)", "(not a URL)").to_owned();
    };
    let segments: Vec<String> = url
        .path_segments()
        .map(|s| s.map(str::to_owned).collect())
        .unwrap_or_default();
    let mut shown = Vec::with_capacity(segments.len());
    for (i, segment) in segments.iter().enumerate() {
        let after_hook = i >= 2 && segments[i - 2] == "hooks" && segments[i - 1] == "uis";
        let token_like = segment.len() >= 16
            && segment
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        shown.push(if after_hook || token_like {
            "***".to_owned()
        } else {
            segment.clone()
        });
    }
    url.set_query(None);
    url.set_path(&shown.join("/"));
    url.to_string()
}

fn failure(notification: &SentNotification, lang: Lang) -> String {
    let kind = notification
        .notification_error_type
        .value
        .as_deref()
        .or(notification.notification_status.value.as_deref())
        .unwrap_or(lang.pick("ошибка", "error"));
    // UIS's own words, which may be Russian, are quoted in English.
    match (notification.notification_error_message.as_deref(), lang) {
        (Some(message), Lang::Ru) if !message.trim().is_empty() => {
            format!("{kind}: {}", message.trim())
        }
        (Some(message), Lang::En) if !message.trim().is_empty() => {
            format!("{kind}: «{}»", message.trim())
        }
        _ => kind.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_masked() {
        assert_eq!(
            masked(
                "https://relay.example.com/hooks/uis/secret-token/started?x=1",
                Lang::Ru
            ),
            "https://relay.example.com/hooks/uis/***/started"
        );
        assert_eq!(
            masked(
                "https://crm.example.com/hook/0123456789abcdef0123/x",
                Lang::En
            ),
            "https://crm.example.com/hook/***/x"
        );
    }

    #[test]
    fn targets_are_compared_with_the_relay() {
        let relay = Url::parse("https://relay.example.com").unwrap();
        let good = "https://relay.example.com/hooks/uis/t0k/started";
        let ru = Lang::Ru;
        assert_eq!(wrong_target(good, Some(&relay), Some("t0k"), ru), None);
        let elsewhere = "https://old.example.com/hooks/uis/t0k/started";
        assert!(
            wrong_target(elsewhere, Some(&relay), None, ru)
                .unwrap()
                .contains("не этого релея")
        );
        assert!(
            wrong_target(elsewhere, Some(&relay), None, Lang::En)
                .unwrap()
                .contains("the address is not this relay's")
        );
        assert!(
            wrong_target(good, Some(&relay), Some("other"), ru)
                .unwrap()
                .contains("не токен этого релея")
        );
        assert!(
            wrong_target(good, Some(&relay), Some("other"), Lang::En)
                .unwrap()
                .contains("a token that is not this relay's")
        );
        assert!(
            wrong_target("https://relay.example.com/uis/t0k", Some(&relay), None, ru)
                .unwrap()
                .contains("/hooks/uis/")
        );
    }
}
