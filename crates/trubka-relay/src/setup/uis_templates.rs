//! `trubka-relay uis-templates`: every UIS notification the admin creates, ready to paste.
//!
//! One HTTP notification per UIS event type, each to its own URL with the kind in the path
//! (`/hooks/uis/{token}/{kind}`), with a JSON body whose `{{variables}}` are written without
//! quotes: UIS substitutes JSON literals (reference A.6.4), so a quoted placeholder would
//! arrive double-quoted. Variables are those of the event type in reference A.6.2, which the
//! cabinet offers for it. A constant `"event"` word names the event in the body as well (it
//! also tells incoming from outgoing `started`, and a lost call from a finished one).

use std::io::{self, Write};

/// One notification to create in the UIS cabinet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UisNotification {
    /// «Тип события» in the cabinet.
    pub event_type: &'static str,
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

/// Prints every notification and the interactive call processing settings, in Russian.
pub fn write(out: &mut impl Write, public_url: &str, token: &str) -> io::Result<()> {
    writeln!(out, "Уведомления UIS для Trubka")?;
    writeln!(out, "==========================")?;
    writeln!(
        out,
        "В личном кабинете UIS откройте «Уведомления» и создайте по одному уведомлению на каждое \
         событие ниже (кнопка «Добавить уведомление»). Для каждого: способ отправки HTTP, метод \
         POST, URL и тело запроса — скопируйте как есть. Переменные {{{{…}}}} пишутся без \
         кавычек: UIS сам подставит значения. Для HTTP-уведомлений нужна опция тарифа \
         «API Базовый» («Уведомления» в старых тарифах)."
    )?;
    for (index, notification) in NOTIFICATIONS.iter().enumerate() {
        writeln!(out)?;
        writeln!(out, "{}. {}", index + 1, notification.event_type)?;
        writeln!(out, "   Название уведомления: {}", notification.name)?;
        writeln!(out, "   Тип события:          {}", notification.event_type)?;
        writeln!(out, "   Способ отправки:      HTTP")?;
        writeln!(out, "   Метод:                POST")?;
        writeln!(
            out,
            "   URL:                  {}",
            notification.url(public_url, token)
        )?;
        writeln!(out, "   Тело запроса (Content-Type: application/json):")?;
        writeln!(out, "{}", notification.body_template())?;
    }
    writeln!(out)?;
    writeln!(out, "Интерактивная обработка вызова: персональный менеджер")?;
    writeln!(out, "-----------------------------------------------------")?;
    writeln!(
        out,
        "Чтобы звонок клиента сразу шёл к его персональному менеджеру, добавьте в сценарий \
         виртуального номера (перед распределением на группу) операцию «Интерактивная \
         обработка вызова»:"
    )?;
    writeln!(out, "   URL:       {}", route_url(public_url, token))?;
    writeln!(out, "   Метод:     POST")?;
    writeln!(
        out,
        "   Параметры: numa (номер абонента), numb (виртуальный номер), call_session_id"
    )?;
    writeln!(
        out,
        "   Ветвление: код 1 → обычная обработка (следующая операция сценария); ту же операцию \
         укажите и на случай, если сервер не ответил."
    )?;
    writeln!(
        out,
        "Релей отвечает {{\"phones\":[\"7…\"]}} — UIS соединит клиента с телефоном менеджера, — \
         или {{\"returned_code\":1}}, если менеджер не назначен."
    )?;
    writeln!(
        out,
        "Назначить менеджера: trubka-relay manager set \"+7 926 123-45-67\" \"Анна\" \
         [--phone \"+7 903 000-00-01\"]"
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_type_is_printed_with_its_url_and_unquoted_variables() {
        let mut out = Vec::new();
        write(&mut out, "https://relay.example.com/", "T0K").unwrap();
        let text = String::from_utf8(out).unwrap();
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
}
