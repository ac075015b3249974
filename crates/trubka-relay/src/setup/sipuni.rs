//! `trubka-relay sipuni-setup`: the Sipuni settings the admin makes, ready to paste.

use std::io::{self, Write};

use trubka_pbx::SIPUNI_API_CALLS;

/// The «События на АТС» URL: `{public_url}/hooks/sipuni/{token}`.
pub fn events_url(public_url: &str, token: &str) -> String {
    format!("{}/hooks/sipuni/{token}", public_url.trim_end_matches('/'))
}

/// Prints the steps, in Russian.
pub fn write(out: &mut impl Write, public_url: &str, token: &str) -> io::Result<()> {
    writeln!(out, "Sipuni для Trubka")?;
    writeln!(out, "=================")?;
    writeln!(out)?;
    writeln!(out, "1. События на АТС (звонки в реальном времени)")?;
    writeln!(
        out,
        "   Личный кабинет Sipuni → «Настройки» → «API» → «События на АТС» → «Подключить услугу»."
    )?;
    writeln!(out, "   URL: {}", events_url(public_url, token))?;
    writeln!(
        out,
        "   Сохраните. Релей отвечает {{\"success\":true}} на каждое событие; если Sipuni не \
         получает такого ответа, он перестаёт отправлять события."
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "2. Ключ API (звонки из Trubka и сверка с историей звонков)"
    )?;
    writeln!(
        out,
        "   «Настройки» → «API» (раздел «Интеграция»): скопируйте номер кабинета (user) и \
         секретный ключ. Запишите их в конфигурацию релея:"
    )?;
    writeln!(out, "     [sipuni]")?;
    writeln!(out, "     user = \"064629\"        # номер кабинета")?;
    writeln!(out, "     secret = \"…\"           # секретный ключ")?;
    writeln!(
        out,
        "   или в переменные окружения TRUBKA_RELAY_SIPUNI_USER и TRUBKA_RELAY_SIPUNI_SECRET, и \
         перезапустите релей."
    )?;
    writeln!(
        out,
        "   Для звонков из Trubka подключите в кабинете Sipuni «{SIPUNI_API_CALLS}» (для \
         сотрудников, которые звонят): без неё Sipuni отклоняет каждый заказ звонка. Сверке \
         истории она не нужна."
    )?;
    writeln!(out)?;
    writeln!(out, "3. Операторы")?;
    writeln!(
        out,
        "   Каждому оператору — его внутренний номер Sipuni, например: trubka-relay agent add \
         --name \"Анна\" --sipuni-ext 201"
    )?;
    writeln!(out)?;
    writeln!(out, "4. Проверка")?;
    writeln!(
        out,
        "   trubka-relay check — проверит ключ, доступ к API Sipuni и «{SIPUNI_API_CALLS}» \
         (заказом без номера: никому не позвонит) и объяснит, что не так."
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_events_url_carries_the_token() {
        let mut out = Vec::new();
        write(&mut out, "https://relay.example.com", "S1P").unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("URL: https://relay.example.com/hooks/sipuni/S1P\n"));
        assert!(text.contains("События на АТС"));
        assert!(text.contains("«Услуга совершение звонков по API»"));
    }
}
