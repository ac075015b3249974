//! `trubka-relay sipuni-setup`: the Sipuni settings the admin makes, ready to paste.

use std::io::{self, Write};

use trubka_core::Lang;
use trubka_pbx::SIPUNI_API_CALLS;

use super::uis_templates::heading;

/// The «События на АТС» URL: `{public_url}/hooks/sipuni/{token}`.
pub fn events_url(public_url: &str, token: &str) -> String {
    format!("{}/hooks/sipuni/{token}", public_url.trim_end_matches('/'))
}

/// Prints the steps, in `lang`. The URL and the relay.toml lines are the same in both; the
/// cabinet's Russian names stand in «» in English too.
pub fn write(out: &mut impl Write, public_url: &str, token: &str, lang: Lang) -> io::Result<()> {
    let url = events_url(public_url, token);
    heading(
        out,
        lang.pick("Sipuni для Trubka", "Sipuni for Trubka"),
        '=',
    )?;
    let steps: [&str; 7] = match lang {
        Lang::Ru => [
            "",
            "1. События на АТС (звонки в реальном времени)",
            "   Личный кабинет Sipuni → «Настройки» → «API» → «События на АТС» → «Подключить \
             услугу».",
            "   Сохраните. Релей отвечает {\"success\":true} на каждое событие; если Sipuni не \
             получает такого ответа, он перестаёт отправлять события.",
            "",
            "2. Ключ API (звонки из Trubka и сверка с историей звонков)",
            "   «Настройки» → «API» (раздел «Интеграция»): скопируйте номер кабинета (user) и \
             секретный ключ. Запишите их в конфигурацию релея:",
        ],
        Lang::En => [
            "",
            "1. PBX events (calls in real time)",
            "   Sipuni cabinet → «Настройки» (Settings) → «API» → «События на АТС» (PBX events) \
             → «Подключить услугу» (connect the service).",
            "   Save. The relay answers {\"success\":true} to every event; when Sipuni does not \
             get this answer, it stops sending events.",
            "",
            "2. API key (calls from Trubka and the check against the call history)",
            "   «Настройки» → «API» (section «Интеграция», Integration): copy the cabinet number \
             (user) and the secret key. Write them into the relay's configuration:",
        ],
    };
    for (index, line) in steps.iter().enumerate() {
        writeln!(out, "{line}")?;
        if index == 2 {
            writeln!(out, "   URL: {url}")?;
        }
    }
    let (cabinet, secret) = lang.pick(
        ("номер кабинета", "секретный ключ"),
        ("cabinet number", "secret key"),
    );
    writeln!(out, "     [sipuni]")?;
    writeln!(out, "     user = \"064629\"        # {cabinet}")?;
    writeln!(out, "     secret = \"…\"           # {secret}")?;
    let rest = match lang {
        Lang::Ru => [
            "   или в переменные окружения TRUBKA_RELAY_SIPUNI_USER и TRUBKA_RELAY_SIPUNI_SECRET, \
             и перезапустите релей."
                .to_owned(),
            format!(
                "   Для звонков из Trubka подключите в кабинете Sipuni «{SIPUNI_API_CALLS}» (для \
                 сотрудников, которые звонят): без неё Sipuni отклоняет каждый заказ звонка. \
                 Сверке истории она не нужна."
            ),
            String::new(),
            "3. Операторы".to_owned(),
            "   Каждому оператору — его внутренний номер Sipuni, например: trubka-relay agent \
             add --name \"Анна\" --sipuni-ext 201"
                .to_owned(),
            String::new(),
            "4. Проверка".to_owned(),
            format!(
                "   trubka-relay check — проверит ключ, доступ к API Sipuni и \
                 «{SIPUNI_API_CALLS}» (заказом без номера: никому не позвонит) и объяснит, что \
                 не так."
            ),
        ],
        Lang::En => [
            "   or into the environment variables TRUBKA_RELAY_SIPUNI_USER and \
             TRUBKA_RELAY_SIPUNI_SECRET, and restart the relay."
                .to_owned(),
            format!(
                "   For calls from Trubka switch on «{SIPUNI_API_CALLS}» (the API calls service) \
                 in the Sipuni cabinet (for the employees who call): without it Sipuni refuses \
                 every call order. The history check does not need it."
            ),
            String::new(),
            "3. Agents".to_owned(),
            "   Give each agent their Sipuni internal number, for example: trubka-relay agent \
             add --name \"Anna\" --sipuni-ext 201"
                .to_owned(),
            String::new(),
            "4. Check".to_owned(),
            format!(
                "   trubka-relay check — checks the key, access to the Sipuni API and \
                 «{SIPUNI_API_CALLS}» (with an order without a number: it calls nobody) and \
                 explains what is wrong."
            ),
        ],
    };
    for line in rest {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_events_url_carries_the_token() {
        for lang in [Lang::Ru, Lang::En] {
            let mut out = Vec::new();
            write(&mut out, "https://relay.example.com", "S1P", lang).unwrap();
            let text = String::from_utf8(out).unwrap();
            assert!(
                text.contains(
                    "«Подключить услугу».\n   URL: https://relay.example.com/hooks/sipuni/S1P\n"
                ) || text.contains(
                    "(connect the service).\n   URL: https://relay.example.com/hooks/sipuni/S1P\n"
                ),
                "{text}"
            );
            assert!(text.contains("«События на АТС»"), "{text}");
            assert!(
                text.contains("«Услуга совершение звонков по API»"),
                "{text}"
            );
            assert!(text.contains("     user = \"064629\"        # "), "{text}");
        }
    }
}
