//! `trubka-relay check`: reads the configuration, reaches each configured PBX API with
//! harmless requests and says in plain words what is wrong.
//!
//! - UIS Data API: `get.account` (the key, the IP allow-list, the Data API option; does the
//!   account's time zone have the offset of `[uis] utc_offset`?), then `get.virtual_numbers` (is `[uis] virtual_number` the account's?) and `get.employees` (does
//!   every agent's UIS employee id exist?).
//! - UIS Call API: `release.call` of a call session that cannot exist (the «Call API Базовый
//!   набор» option click-to-call needs: `call_session_not_found` means it is on,
//!   `component_disabled` off; nothing is released), then `list.calls`. That one belongs to
//!   the «Call API Управление вызовами» option, which click-to-call does not need, so that
//!   option being off is only a warning. «Уведомления» and «API Расширенный» have no harmless
//!   request to test them by; the check names them.
//! - Sipuni API: `statistic/export` of today in the cabinet's zone (the cabinet number and the
//!   secret key). Sipuni does not tell the cabinet's zone, so `[sipuni] utc_offset` is only
//!   shown. Then, with the signature proven, a `callback/call_number` order without a number
//!   ([`trubka_pbx::SipuniClient::probe_call_orders`]): refused for the missing number means
//!   «Услуга совершение звонков по API» is on, refused for the service means it is off.
//!
//! A refusal is explained by [`PbxError::user_message`], which names the tariff option or the
//! place in the cabinet to fix («Правила и настройки безопасности → API» for the IP allow-list,
//! «API Базовые отраслевые решения» for the Data API, …).
//!
//! Each line starts with ✓ (works), ✗ (must be fixed), ⚠ (worth a look) or – (not set up).
//! The result is `false` when any line is ✗; the binary then exits with status 1.

use std::io::{self, Write};

use chrono::{FixedOffset, Utc};
use trubka_core::PhoneParser;
use trubka_pbx::sipuni::StatisticsFilter;
use trubka_pbx::uis::{CallSessionId, ListCalls};
use trubka_pbx::{PbxError, UisMnemonic};

use crate::agents::Agent;
use crate::config::RelayConfig;
use crate::pbx::{PbxApis, SipuniApi, UisApi};
use crate::store::Store;

use super::zones;

/// Writes the check lines; `Ok(true)` when nothing must be fixed.
pub async fn run(config: &RelayConfig, out: &mut impl Write) -> io::Result<bool> {
    let mut report = Report { out, ok: true };
    report.line(Mark::Info, "Проверка настроек trubka-relay")?;
    match PhoneParser::new(&config.default_region) {
        Ok(_) => report.line(
            Mark::Ok,
            &format!("Регион номеров без кода страны: {}", config.default_region),
        )?,
        Err(e) => report.line(Mark::Fail, &format!("default_region: {e}"))?,
    }
    match &config.public_url {
        Some(url) if url.starts_with("https://") || url.starts_with("http://") => {
            report.line(Mark::Ok, &format!("Публичный адрес релея: {url}"))?
        }
        Some(url) => report.line(
            Mark::Fail,
            &format!("public_url «{url}» должен начинаться с https:// (или http://)"),
        )?,
        None => report.line(
            Mark::Warn,
            "public_url не задан: АТС не смогут отправлять события на локальный адрес релея",
        )?,
    }
    let agents: Vec<Agent> = match Store::open(&config.data_dir).and_then(|s| s.list_agents()) {
        Ok(agents) => agents.into_iter().filter(Agent::is_active).collect(),
        Err(e) => {
            report.line(
                Mark::Fail,
                &format!("База релея в {}: {e}", config.data_dir.display()),
            )?;
            Vec::new()
        }
    };
    let apis = match PbxApis::from_config(config) {
        Ok(apis) => apis,
        Err(e) => {
            report.line(Mark::Fail, &format!("Настройки АТС неверны: {e}"))?;
            PbxApis::default()
        }
    };
    match &apis.uis {
        Some(uis) => check_uis(&mut report, uis, &agents).await?,
        None => report.line(
            Mark::Off,
            "UIS API не настроен ([uis] api_key): звонки из Trubka и сверка истории через UIS \
             выключены",
        )?,
    }
    match &apis.sipuni {
        Some(sipuni) => check_sipuni(&mut report, sipuni).await?,
        None => report.line(
            Mark::Off,
            "Sipuni API не настроен ([sipuni] user и secret): звонки из Trubka и сверка истории \
             через Sipuni выключены",
        )?,
    }
    let ok = report.ok;
    if ok {
        report.line(Mark::Info, "Итог: ошибок нет.")?;
    } else {
        report.line(
            Mark::Info,
            "Итог: есть ошибки (✗) — исправьте их и запустите проверку снова.",
        )?;
    }
    Ok(ok)
}

async fn check_uis(
    report: &mut Report<'_, impl Write>,
    uis: &UisApi,
    agents: &[Agent],
) -> io::Result<()> {
    let data_api_works = match uis.client.account().await {
        Ok(account) => {
            report.line(
                Mark::Ok,
                &format!(
                    "UIS Data API (get.account): аккаунт «{}» (app_id {}), часовой пояс {}",
                    account.name.as_deref().unwrap_or("без названия"),
                    account.app_id,
                    account.timezone.as_deref().unwrap_or("не указан")
                ),
            )?;
            check_uis_zone(
                report,
                account.timezone.as_deref(),
                uis.client.account_utc_offset(),
            )?;
            true
        }
        Err(e) => {
            report.pbx_failure("UIS Data API (get.account)", &e)?;
            false
        }
    };
    check_uis_call_basic(report, uis).await?;
    match uis.client.list_calls(&ListCalls::default()).await {
        Ok(calls) => report.line(
            Mark::Ok,
            &format!(
                "UIS Call API (list.calls): доступен, звонков сейчас: {}",
                calls.len()
            ),
        )?,
        Err(PbxError::Uis {
            mnemonic: UisMnemonic::ComponentDisabled,
            ..
        }) => report.line(
            Mark::Warn,
            "UIS Call API: опция «Call API Управление вызовами» не подключена — для звонков из \
             Trubka она не нужна (нужен «Call API Базовый набор»), но проверить Call API \
             без неё нельзя",
        )?,
        Err(e) => report.pbx_failure("UIS Call API (list.calls)", &e)?,
    }
    report.line(
        Mark::Info,
        "  Не проверяются запросом: «Уведомления» (без них UIS не присылает события звонков) \
         и «API Расширенный» (соединение звонящего с персональным менеджером) — они \
         подключаются в «Администратор → Аккаунт → Тарифы и опции»",
    )?;
    if !data_api_works {
        return Ok(());
    }
    match &uis.virtual_number {
        None => report.line(
            Mark::Warn,
            "[uis] virtual_number не задан: звонки из Trubka через UIS работать не будут",
        )?,
        Some(number) => match uis.client.virtual_numbers().await {
            Ok(numbers)
                if numbers
                    .iter()
                    .any(|n| n.virtual_phone_number == number.as_str()) =>
            {
                report.line(
                    Mark::Ok,
                    &format!("Виртуальный номер {number} для исходящих звонков есть в аккаунте"),
                )?
            }
            Ok(_) => report.line(
                Mark::Fail,
                &format!(
                    "Виртуального номера {number} ([uis] virtual_number) нет в аккаунте UIS: \
                     укажите один из номеров раздела «Виртуальные номера»"
                ),
            )?,
            Err(e) => report.pbx_failure("UIS Data API (get.virtual_numbers)", &e)?,
        },
    }
    let mapped: Vec<&Agent> = agents.iter().filter(|a| a.uis_employee.is_some()).collect();
    if mapped.is_empty() {
        return Ok(());
    }
    match uis.client.employees().await {
        Ok(employees) => {
            let mut missing = 0;
            for agent in &mapped {
                let id = agent.uis_employee.as_deref().unwrap_or_default();
                if !employees.iter().any(|e| e.id.to_string() == id.trim()) {
                    missing += 1;
                    report.line(
                        Mark::Fail,
                        &format!(
                            "Оператор «{}»: сотрудника UIS с ID {id} нет в аккаунте — проверьте \
                             ID в «Сотрудники» и agent add --uis-employee",
                            agent.name
                        ),
                    )?;
                }
            }
            if missing == 0 {
                report.line(
                    Mark::Ok,
                    &format!("Сотрудники UIS всех операторов найдены ({})", mapped.len()),
                )?;
            }
        }
        Err(e) => report.pbx_failure("UIS Data API (get.employees)", &e)?,
    }
    Ok(())
}

/// «Call API Базовый набор», which click-to-call needs, tested by releasing call session 0:
/// no call has it, so the option being on answers `call_session_not_found` (or a refusal of
/// the value), and off `component_disabled`. Failed requests cost no UIS points.
async fn check_uis_call_basic(report: &mut Report<'_, impl Write>, uis: &UisApi) -> io::Result<()> {
    match uis.client.release_call(CallSessionId(0)).await {
        Ok(()) => report.line(
            Mark::Ok,
            "UIS Call API (release.call): «Call API Базовый набор» подключён",
        ),
        Err(PbxError::Uis {
            mnemonic: UisMnemonic::CallSessionNotFound | UisMnemonic::InvalidParameterValue,
            ..
        }) => report.line(
            Mark::Ok,
            "UIS Call API (release.call): «Call API Базовый набор» подключён — звонки из \
             Trubka через UIS возможны",
        ),
        Err(PbxError::Uis {
            mnemonic: UisMnemonic::ComponentDisabled,
            ..
        }) => report.line(
            Mark::Fail,
            "UIS Call API: опция «Call API Базовый набор» не подключена — звонки из Trubka \
             через UIS не будут работать. Подключите её в «Администратор → Аккаунт → Тарифы \
             и опции» (она входит в «API Базовые отраслевые решения»)",
        ),
        Err(e) => report.pbx_failure("UIS Call API (release.call)", &e),
    }
}

/// Compares the account's zone with `[uis] utc_offset`, which the relay reads notification
/// and report times with: a wrong offset shifts every call time by the difference.
fn check_uis_zone(
    report: &mut Report<'_, impl Write>,
    zone: Option<&str>,
    configured: FixedOffset,
) -> io::Result<()> {
    let Some(zone) = zone.map(str::trim).filter(|zone| !zone.is_empty()) else {
        return report.line(
            Mark::Warn,
            &format!(
                "UIS не сообщил часовой пояс аккаунта: убедитесь, что [uis] utc_offset \
                 ({configured}) — его смещение от UTC"
            ),
        );
    };
    match zones::current_offset(zone) {
        Some(actual) if actual == configured => report.line(
            Mark::Ok,
            &format!(
                "Часовой пояс аккаунта UIS {zone} совпадает с [uis] utc_offset ({configured})"
            ),
        ),
        Some(actual) => report.line(
            Mark::Warn,
            &format!(
                "Часовой пояс аккаунта UIS — {zone} (UTC{actual}), а [uis] utc_offset = \
                 {configured}: время звонков UIS будет сдвинуто на {}. Укажите в [uis] \
                 utc_offset = \"{actual}\" (или TRUBKA_RELAY_UIS_UTC_OFFSET={actual})",
                difference(actual, configured)
            ),
        ),
        None => report.line(
            Mark::Warn,
            &format!(
                "Часовой пояс аккаунта UIS «{zone}» проверить не удалось: убедитесь, что \
                 [uis] utc_offset ({configured}) — его смещение от UTC"
            ),
        ),
    }
}

/// How far apart two offsets are, in words: «2 ч», «30 мин», «1 ч 30 мин».
fn difference(a: FixedOffset, b: FixedOffset) -> String {
    let minutes = (a.local_minus_utc() - b.local_minus_utc()).unsigned_abs() / 60;
    match (minutes / 60, minutes % 60) {
        (hours, 0) => format!("{hours} ч"),
        (0, minutes) => format!("{minutes} мин"),
        (hours, minutes) => format!("{hours} ч {minutes} мин"),
    }
}

async fn check_sipuni(report: &mut Report<'_, impl Write>, sipuni: &SipuniApi) -> io::Result<()> {
    // "Today" is the cabinet's day: the export is asked for local calendar days.
    let today = Utc::now().with_timezone(&sipuni.utc_offset).date_naive();
    match sipuni
        .client
        .export_statistics(today, today, &StatisticsFilter::default())
        .await
    {
        Ok(export) => report.line(
            Mark::Ok,
            &format!(
                "Sipuni API (statistic/export): номер кабинета и ключ приняты, звонков сегодня: \
                 {} (время кабинета читается как UTC{}, [sipuni] utc_offset)",
                export.rows.len(),
                sipuni.utc_offset
            ),
        ),
        Err(e) => return report.pbx_failure("Sipuni API (statistic/export)", &e),
    }?;
    check_sipuni_call_orders(report, sipuni).await
}

/// «Услуга совершение звонков по API», asked with an order that cannot dial anything. Only
/// after the export worked: then a refusal is not about the signature.
async fn check_sipuni_call_orders(
    report: &mut Report<'_, impl Write>,
    sipuni: &SipuniApi,
) -> io::Result<()> {
    match sipuni.client.probe_call_orders().await {
        Err(e) if e.is_sipuni_api_calls_off() => report.line(
            Mark::Fail,
            "Sipuni: «Услуга совершение звонков по API» не подключена — звонки из Trubka через \
             Sipuni не будут работать. Включите «Услуга совершение звонков по API» в кабинете \
             Sipuni (для сотрудников, которые звонят из Trubka)",
        ),
        Err(PbxError::Sipuni { .. }) => report.line(
            Mark::Ok,
            "Sipuni API (callback/call_number без номера): заказы звонков принимаются — \
             «Услуга совершение звонков по API» подключена",
        ),
        Ok(_) => report.line(
            Mark::Warn,
            "Sipuni принял заказ звонка без номера: проверить «Услуга совершение звонков по \
             API» не удалось — убедитесь, что она подключена в кабинете Sipuni",
        ),
        Err(e) => report.pbx_failure("Sipuni API (callback/call_number)", &e),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    Ok,
    Fail,
    Warn,
    Off,
    Info,
}

struct Report<'a, W: Write> {
    out: &'a mut W,
    ok: bool,
}

impl<W: Write> Report<'_, W> {
    fn line(&mut self, mark: Mark, text: &str) -> io::Result<()> {
        let prefix = match mark {
            Mark::Ok => "✓ ",
            Mark::Fail => "✗ ",
            Mark::Warn => "⚠ ",
            Mark::Off => "– ",
            Mark::Info => "",
        };
        if mark == Mark::Fail {
            self.ok = false;
        }
        writeln!(self.out, "{prefix}{text}")
    }

    /// A failed PBX request: the Russian explanation and the stable code.
    fn pbx_failure(&mut self, what: &str, error: &PbxError) -> io::Result<()> {
        self.line(
            Mark::Fail,
            &format!("{what}: {} [{}]", error.user_message(), error.code()),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn east(hours: i32) -> FixedOffset {
        FixedOffset::east_opt(hours * 3600).unwrap()
    }

    fn zone_lines(zone: Option<&str>, configured: FixedOffset) -> (bool, String) {
        let mut out = Vec::new();
        let mut report = Report {
            out: &mut out,
            ok: true,
        };
        check_uis_zone(&mut report, zone, configured).unwrap();
        let ok = report.ok;
        (ok, String::from_utf8(out).unwrap())
    }

    #[test]
    fn a_matching_zone_is_confirmed() {
        let (ok, text) = zone_lines(Some("Asia/Yekaterinburg"), east(5));
        assert!(ok);
        assert!(
            text.starts_with("✓ Часовой пояс аккаунта UIS Asia/Yekaterinburg"),
            "{text}"
        );
    }

    #[test]
    fn a_different_zone_is_a_warning_saying_what_to_set() {
        let (ok, text) = zone_lines(Some("Asia/Novosibirsk"), east(3));
        // A warning, not a failure: the relay works, the times are shifted.
        assert!(ok);
        assert!(text.starts_with("⚠ "), "{text}");
        assert!(text.contains("utc_offset = \"+07:00\""), "{text}");
        assert!(text.contains("сдвинуто на 4 ч"), "{text}");
        assert!(
            text.contains("TRUBKA_RELAY_UIS_UTC_OFFSET=+07:00"),
            "{text}"
        );
    }

    #[test]
    fn an_unknown_or_missing_zone_cannot_be_checked() {
        let (ok, text) = zone_lines(Some("America/New_York"), east(3));
        assert!(ok && text.starts_with("⚠ "), "{text}");
        assert!(text.contains("проверить не удалось"), "{text}");
        assert!(text.contains("+03:00"), "{text}");
        let (ok, text) = zone_lines(None, east(3));
        assert!(ok && text.starts_with("⚠ UIS не сообщил"), "{text}");
    }

    #[test]
    fn differences_are_said_in_hours_and_minutes() {
        let half = FixedOffset::east_opt(5 * 3600 + 1800).unwrap();
        assert_eq!(difference(east(3), east(5)), "2 ч");
        assert_eq!(difference(half, east(5)), "30 мин");
        assert_eq!(difference(half, east(4)), "1 ч 30 мин");
    }
}
