//! `trubka-relay uis-templates`: every UIS notification the admin creates, ready to paste.
//!
//! One HTTP notification per UIS event type, each to its own URL with the kind in the path
//! (`/hooks/uis/{token}/{kind}`), with a JSON body whose `{{variables}}` are written without
//! quotes: UIS substitutes JSON literals (reference A.6.4), so a quoted placeholder would
//! arrive double-quoted. Variables are those of the event type in reference A.6.2, which the
//! cabinet offers for it. A constant `"event"` word names the event in the body as well (it
//! also tells incoming from outgoing `started`, and a lost call from a finished one).

use std::io::{self, Write};

use trubka_core::Lang;

/// One notification to create in the UIS cabinet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UisNotification {
    /// «Тип события» in the cabinet.
    pub event_type: &'static str,
    /// The event type in English, said beside the cabinet's name in the English printout.
    pub gloss: &'static str,
    /// «Название уведомления» to give it (also sent as `notification_name`).
    pub name: &'static str,
    /// The relay's kind, the last segment of the URL.
    pub kind: &'static str,
    /// The constant `"event"` word of the body.
    pub event: &'static str,
    /// Variables of the body, after the ones every notification has.
    pub variables: &'static [&'static str],
}

/// Variables every body starts with.
const COMMON: &[&str] = &[
    "notification_name",
    "notification_time",
    "call_session_id",
    "virtual_phone_number",
];

/// The notifications, in the order a call produces them.
pub const NOTIFICATIONS: &[UisNotification] = &[
    UisNotification {
        event_type: "Входящий звонок на виртуальный номер",
        gloss: "incoming call to a virtual number",
        name: "Trubka: входящий звонок",
        kind: "started",
        event: "incoming call",
        variables: &[
            "contact_phone_number",
            "contact_full_name",
            "communication_number",
            "scenario_name",
        ],
    },
    UisNotification {
        event_type: "Исходящий звонок",
        gloss: "outgoing call",
        name: "Trubka: исходящий звонок",
        kind: "started",
        event: "outgoing call",
        variables: &[
            "contact_phone_number",
            "contact_full_name",
            "employee_id",
            "employee_full_name",
            "employee_phone_number",
        ],
    },
    UisNotification {
        event_type: "Ожидание ответа",
        gloss: "waiting for an answer",
        name: "Trubka: ожидание ответа",
        kind: "ringing",
        event: "ringing",
        variables: &[
            "direction",
            "contact_phone_number",
            "employee_id",
            "employee_full_name",
            "leg_id",
            "call_source",
            "external_id",
        ],
    },
    UisNotification {
        event_type: "Начало разговора",
        gloss: "talk started",
        name: "Trubka: начало разговора",
        kind: "answered",
        event: "answered",
        variables: &[
            "direction",
            "contact_phone_number",
            "employee_id",
            "employee_full_name",
            "leg_ids",
            "call_source",
            "external_id",
        ],
    },
    UisNotification {
        event_type: "Окончание разговора",
        gloss: "talk ended",
        name: "Trubka: окончание разговора",
        kind: "leg_ended",
        event: "talk finished",
        variables: &[
            "direction",
            "contact_phone_number",
            "employee_id",
            "employee_full_name",
            "leg_ids",
            "talk_time_duration",
            "scenario_name",
            "external_id",
        ],
    },
    UisNotification {
        event_type: "Завершение звонка",
        gloss: "call finished",
        name: "Trubka: завершение звонка",
        kind: "ended",
        event: "call finished",
        variables: &[
            "direction",
            "contact_phone_number",
            "communication_number",
            "employee_id",
            "employee_full_name",
            "talk_time_duration",
            "total_time_duration",
            "wait_time_duration",
            "scenario_name",
            "tag_names",
            "call_source",
            "external_id",
        ],
    },
    UisNotification {
        event_type: "Потерянный звонок",
        gloss: "lost call",
        name: "Trubka: потерянный звонок",
        kind: "ended",
        event: "lost",
        variables: &[
            "contact_phone_number",
            "contact_full_name",
            "communication_number",
            "employee_ids",
            "wait_time_duration",
            "scenario_name",
        ],
    },
    UisNotification {
        event_type: "Записанный разговор",
        gloss: "recorded talk",
        name: "Trubka: записанный разговор",
        kind: "recording",
        event: "record ready",
        variables: &[
            "contact_phone_number",
            "contact_full_name",
            "employee_id",
            "employee_full_name",
            "file_link",
            "file_duration",
            "tag_names",
        ],
    },
];

impl UisNotification {
    /// The URL to paste: `{public_url}/hooks/uis/{token}/{kind}`.
    pub fn url(&self, public_url: &str, token: &str) -> String {
        format!(
            "{}/hooks/uis/{token}/{}",
            public_url.trim_end_matches('/'),
            self.kind
        )
    }

    /// Every variable of the body, in order.
    pub fn all_variables(&self) -> impl Iterator<Item = &'static str> {
        COMMON.iter().chain(self.variables).copied()
    }

    /// The body template: JSON with the `{{variables}}` unquoted.
    pub fn body_template(&self) -> String {
        let mut lines = vec![format!("  \"event\": \"{}\"", self.event)];
        lines.extend(
            self.all_variables()
                .map(|variable| format!("  \"{variable}\": {{{{{variable}}}}}")),
        );
        format!("{{\n{}\n}}", lines.join(",\n"))
    }
}

/// The interactive call processing URL: `{public_url}/hooks/uis/{token}/route`.
pub fn route_url(public_url: &str, token: &str) -> String {
    format!(
        "{}/hooks/uis/{token}/route",
        public_url.trim_end_matches('/')
    )
}

/// Prints every notification and the interactive call processing settings, in `lang`. What is
/// pasted into the cabinet (names, event types, URLs, bodies) is the same in both languages;
/// in English the cabinet's Russian names stand in «», to be pasted without them.
pub fn write(out: &mut impl Write, public_url: &str, token: &str, lang: Lang) -> io::Result<()> {
    let quoted = |name: &str| match lang {
        Lang::Ru => name.to_owned(),
        Lang::En => format!("«{name}»"),
    };
    heading(
        out,
        lang.pick("Уведомления UIS для Trubka", "UIS notifications for Trubka"),
        '=',
    )?;
    writeln!(
        out,
        "{}",
        lang.pick(
            "В личном кабинете UIS откройте «Уведомления» и создайте по одному уведомлению на \
             каждое событие ниже (кнопка «Добавить уведомление»). Для каждого: способ отправки \
             HTTP, метод POST, URL и тело запроса — скопируйте как есть. Переменные {{…}} \
             пишутся без кавычек: UIS сам подставит значения. Для HTTP-уведомлений нужна опция \
             тарифа «API Базовый» («Уведомления» в старых тарифах).",
            "In the UIS cabinet open «Уведомления» (Notifications) and create one notification \
             for each event below (button «Добавить уведомление», add notification). For each: \
             sending method HTTP, method POST, the URL and the request body — copy them as they \
             are; names in «» are pasted without the «». The {{…}} variables are written \
             without quotes: UIS substitutes the values itself. HTTP notifications need the \
             tariff option «API Базовый» (API basic; «Уведомления» in older tariffs).",
        )
    )?;
    for (index, notification) in NOTIFICATIONS.iter().enumerate() {
        let event_type = quoted(notification.event_type);
        let name = quoted(notification.name);
        let url = notification.url(public_url, token);
        writeln!(out)?;
        match lang {
            Lang::Ru => writeln!(out, "{}. {event_type}", index + 1)?,
            Lang::En => writeln!(out, "{}. {event_type} ({})", index + 1, notification.gloss)?,
        }
        let lines = match lang {
            Lang::Ru => [
                format!("   Название уведомления: {name}"),
                format!("   Тип события:          {event_type}"),
                "   Способ отправки:      HTTP".to_owned(),
                "   Метод:                POST".to_owned(),
                format!("   URL:                  {url}"),
                "   Тело запроса (Content-Type: application/json):".to_owned(),
            ],
            Lang::En => [
                format!("   Notification name:    {name}"),
                format!("   Event type:           {event_type}"),
                "   Sending method:       HTTP".to_owned(),
                "   Method:               POST".to_owned(),
                format!("   URL:                  {url}"),
                "   Request body (Content-Type: application/json):".to_owned(),
            ],
        };
        for line in lines {
            writeln!(out, "{line}")?;
        }
        writeln!(out, "{}", notification.body_template())?;
    }
    writeln!(out)?;
    heading(
        out,
        lang.pick(
            "Интерактивная обработка вызова: персональный менеджер",
            "Interactive call processing: the personal manager",
        ),
        '-',
    )?;
    writeln!(
        out,
        "{}",
        lang.pick(
            "Чтобы звонок клиента сразу шёл к его персональному менеджеру, добавьте в сценарий \
             виртуального номера (перед распределением на группу) операцию «Интерактивная \
             обработка вызова»:",
            "For a customer's call to go straight to their personal manager, add to the virtual \
             number's scenario (before the distribution to a group) the operation \
             «Интерактивная обработка вызова» (interactive call processing):",
        )
    )?;
    let route = route_url(public_url, token);
    let lines = match lang {
        Lang::Ru => [
            format!("   URL:       {route}"),
            "   Метод:     POST".to_owned(),
            "   Параметры: numa (номер абонента), numb (виртуальный номер), call_session_id"
                .to_owned(),
            "   Ветвление: код 1 → обычная обработка (следующая операция сценария); ту же \
             операцию укажите и на случай, если сервер не ответил."
                .to_owned(),
            "Релей отвечает {\"phones\":[\"7…\"]} — UIS соединит клиента с телефоном \
             менеджера, — или {\"returned_code\":1}, если менеджер не назначен."
                .to_owned(),
            "Назначить менеджера: trubka-relay manager set \"+7 926 123-45-67\" \"Анна\" \
             [--phone \"+7 903 000-00-01\"]"
                .to_owned(),
        ],
        Lang::En => [
            format!("   URL:        {route}"),
            "   Method:     POST".to_owned(),
            "   Parameters: numa (the caller's number), numb (the virtual number), \
             call_session_id"
                .to_owned(),
            "   Branching:  code 1 → the usual processing (the scenario's next operation); give \
             the same operation for the case the server did not answer."
                .to_owned(),
            "The relay answers {\"phones\":[\"7…\"]} — UIS puts the customer through to the \
             manager's phone — or {\"returned_code\":1} when no manager is assigned."
                .to_owned(),
            "To assign a manager: trubka-relay manager set \"+7 926 123-45-67\" \"Anna\" \
             [--phone \"+7 903 000-00-01\"]"
                .to_owned(),
        ],
    };
    for line in lines {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// A title underlined with `rule` to its length.
pub(super) fn heading(out: &mut impl Write, title: &str, rule: char) -> io::Result<()> {
    let line: String = std::iter::repeat_n(rule, title.chars().count()).collect();
    writeln!(out, "{title}\n{line}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_type_is_printed_with_its_url_and_unquoted_variables() {
        let mut out = Vec::new();
        write(&mut out, "https://relay.example.com/", "T0K", Lang::Ru).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("\n1. Входящий звонок на виртуальный номер\n"),
            "{text}"
        );
        assert!(
            text.contains("   Название уведомления: Trubka: входящий звонок\n"),
            "{text}"
        );
        for notification in NOTIFICATIONS {
            assert!(text.contains(notification.event_type));
            let url = format!(
                "https://relay.example.com/hooks/uis/T0K/{}",
                notification.kind
            );
            assert!(text.contains(&url), "{url}");
            assert!(text.contains(&notification.body_template()));
        }
        assert!(text.contains("https://relay.example.com/hooks/uis/T0K/route"));
        assert!(!text.contains("\"{{"), "placeholders are never quoted");
        let body = NOTIFICATIONS[0].body_template();
        assert!(body.starts_with("{\n  \"event\": \"incoming call\",\n"));
        assert!(body.contains("  \"call_session_id\": {{call_session_id}},\n"));
    }

    #[test]
    fn the_english_printout_pastes_the_same_names_urls_and_bodies() {
        let mut out = Vec::new();
        write(&mut out, "https://relay.example.com", "T0K", Lang::En).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("UIS notifications for Trubka\n"), "{text}");
        assert!(
            text.contains(
                "\n1. «Входящий звонок на виртуальный номер» (incoming call to a virtual number)\n"
            ),
            "{text}"
        );
        for notification in NOTIFICATIONS {
            let name = format!("   Notification name:    «{}»\n", notification.name);
            let kind = format!("   Event type:           «{}»\n", notification.event_type);
            assert!(text.contains(&name) && text.contains(&kind), "{name}{kind}");
            assert!(text.contains(&notification.body_template()));
        }
        assert!(text.contains("   URL:        https://relay.example.com/hooks/uis/T0K/route\n"));
    }
}
