//! The UIS part of `check`: `get.account` (the key, the IP allow-list, the Data API option;
//! does the account's time zone have the offset of `[uis] utc_offset`?), the Call API options,
//! and `get.virtual_numbers` for `[uis] virtual_number`; then the agents ([`super::uis_agents`])
//! and the notifications UIS sent ([`super::uis_notifications`]).
//!
//! «Call API Базовый набор» is tested by `release.call` of a call session that cannot exist
//! (`call_session_not_found` means on, `component_disabled` off; nothing is released), then
//! `list.calls`, which belongs to «Call API Управление вызовами»: click-to-call does not need
//! it, so that option being off is only a warning. «API Расширенный» has no harmless request.

use std::io::{self, Write};

use chrono::FixedOffset;
use trubka_core::{Lang, tr};
use trubka_pbx::uis::{CallSessionId, ListCalls};
use trubka_pbx::{PbxError, UisMnemonic};

use crate::config::RelayConfig;
use crate::pbx::UisApi;
use crate::setup::zones;

use super::{Mark, RelayData, Report, uis_agents, uis_notifications};

/// Every UIS line.
pub(super) async fn check(
    report: &mut Report<'_, impl Write>,
    uis: &UisApi,
    config: &RelayConfig,
    relay: &RelayData,
) -> io::Result<()> {
    let lang = report.lang;
    let data_api_works = match uis.client.account().await {
        Ok(account) => {
            let name = account
                .name
                .as_deref()
                .unwrap_or(lang.pick("без названия", "unnamed"));
            let app_id = account.app_id;
            let zone = account
                .timezone
                .as_deref()
                .unwrap_or(lang.pick("не указан", "not given"));
            report.line(
                Mark::Ok,
                &tr!(
                    lang,
                    "UIS Data API (get.account): аккаунт «{name}» (app_id {app_id}), часовой \
                     пояс {zone}",
                    "UIS Data API (get.account): account «{name}» (app_id {app_id}), time zone \
                     {zone}"
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
            &tr!(
                lang,
                "UIS Call API (list.calls): доступен, звонков сейчас: {}",
                "UIS Call API (list.calls): available, calls now: {}",
                calls.len()
            ),
        )?,
        Err(PbxError::Uis {
            mnemonic: UisMnemonic::ComponentDisabled,
            ..
        }) => report.line(
            Mark::Warn,
            lang.pick(
                "UIS Call API: опция «Call API Управление вызовами» не подключена — для звонков \
                 из Trubka она не нужна (нужен «Call API Базовый набор»), но проверить Call API \
                 без неё нельзя",
                "UIS Call API: the option «Call API Управление вызовами» (Call API call \
                 management) is not enabled — calls from Trubka do not need it (they need \
                 «Call API Базовый набор», Call API basic set), but Call API cannot be checked \
                 without it",
            ),
        )?,
        Err(e) => report.pbx_failure("UIS Call API (list.calls)", &e)?,
    }
    report.line(
        Mark::Info,
        lang.pick(
            "  Не проверяется запросом: «API Расширенный» (соединение звонящего с персональным \
             менеджером); «Уведомления» (без них UIS не присылает события звонков) проверяются \
             ниже по отчёту отправленных уведомлений. Опции подключаются в «Администратор → \
             Аккаунт → Тарифы и опции»",
            "  No request checks «API Расширенный» (API advanced: putting the caller through \
             to their personal manager); «Уведомления» (notifications: without them UIS sends \
             no call events) are checked below from the report of sent notifications. Options \
             are enabled in «Администратор → Аккаунт → Тарифы и опции» (Administrator → \
             Account → Tariffs and options)",
        ),
    )?;
    if !data_api_works {
        return Ok(());
    }
    match &uis.virtual_number {
        None => report.line(
            Mark::Warn,
            lang.pick(
                "[uis] virtual_number не задан: звонки из Trubka через UIS работать не будут",
                "[uis] virtual_number is not set: calls from Trubka through UIS will not work",
            ),
        )?,
        Some(number) => match uis.client.virtual_numbers().await {
            Ok(numbers)
                if numbers
                    .iter()
                    .any(|n| n.virtual_phone_number == number.as_str()) =>
            {
                report.line(
                    Mark::Ok,
                    &tr!(
                        lang,
                        "Виртуальный номер {number} для исходящих звонков есть в аккаунте",
                        "The virtual number {number} for outgoing calls is in the account"
                    ),
                )?
            }
            Ok(_) => report.line(
                Mark::Fail,
                &tr!(
                    lang,
                    "Виртуального номера {number} ([uis] virtual_number) нет в аккаунте UIS: \
                     укажите один из номеров раздела «Виртуальные номера»",
                    "The virtual number {number} ([uis] virtual_number) is not in the UIS \
                     account: give one of the numbers of «Виртуальные номера» (Virtual numbers)"
                ),
            )?,
            Err(e) => report.pbx_failure("UIS Data API (get.virtual_numbers)", &e)?,
        },
    }
    uis_agents::check(report, uis, &relay.agents, &config.default_region).await?;
    uis_notifications::check(report, uis, config, relay.uis_hook_token.as_deref()).await?;
    Ok(())
}

/// «Call API Базовый набор», which click-to-call needs, tested by releasing call session 0:
/// no call has it, so the option being on answers `call_session_not_found` (or a refusal of
/// the value), and off `component_disabled`. Failed requests cost no UIS points.
async fn check_uis_call_basic(report: &mut Report<'_, impl Write>, uis: &UisApi) -> io::Result<()> {
    let lang = report.lang;
    match uis.client.release_call(CallSessionId(0)).await {
        Ok(()) => report.line(
            Mark::Ok,
            lang.pick(
                "UIS Call API (release.call): «Call API Базовый набор» подключён",
                "UIS Call API (release.call): «Call API Базовый набор» (Call API basic set) is \
                 enabled",
            ),
        ),
        Err(PbxError::Uis {
            mnemonic: UisMnemonic::CallSessionNotFound | UisMnemonic::InvalidParameterValue,
            ..
        }) => report.line(
            Mark::Ok,
            lang.pick(
                "UIS Call API (release.call): «Call API Базовый набор» подключён — звонки из \
                 Trubka через UIS возможны",
                "UIS Call API (release.call): «Call API Базовый набор» (Call API basic set) is \
                 enabled — calls from Trubka through UIS can be made",
            ),
        ),
        Err(PbxError::Uis {
            mnemonic: UisMnemonic::ComponentDisabled,
            ..
        }) => report.line(
            Mark::Fail,
            lang.pick(
                "UIS Call API: опция «Call API Базовый набор» не подключена — звонки из Trubka \
                 через UIS не будут работать. Подключите её в «Администратор → Аккаунт → \
                 Тарифы и опции» (она входит в «API Базовые отраслевые решения»)",
                "UIS Call API: the option «Call API Базовый набор» (Call API basic set) is not \
                 enabled — calls from Trubka through UIS will not work. Enable it in \
                 «Администратор → Аккаунт → Тарифы и опции» (Administrator → Account → Tariffs \
                 and options; it is part of «API Базовые отраслевые решения», API basic \
                 industry solutions)",
            ),
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
    let lang = report.lang;
    let Some(zone) = zone.map(str::trim).filter(|zone| !zone.is_empty()) else {
        return report.line(
            Mark::Warn,
            &tr!(
                lang,
                "UIS не сообщил часовой пояс аккаунта: убедитесь, что [uis] utc_offset \
                 ({configured}) — его смещение от UTC",
                "UIS did not tell the account's time zone: make sure [uis] utc_offset \
                 ({configured}) is its offset from UTC"
            ),
        );
    };
    match zones::current_offset(zone) {
        Some(actual) if actual == configured => report.line(
            Mark::Ok,
            &tr!(
                lang,
                "Часовой пояс аккаунта UIS {zone} совпадает с [uis] utc_offset ({configured})",
                "The UIS account's time zone {zone} matches [uis] utc_offset ({configured})"
            ),
        ),
        Some(actual) => {
            let shift = difference(actual, configured, lang);
            report.line(
                Mark::Warn,
                &tr!(
                    lang,
                    "Часовой пояс аккаунта UIS — {zone} (UTC{actual}), а [uis] utc_offset = \
                     {configured}: время звонков UIS будет сдвинуто на {shift}. Укажите в [uis] \
                     utc_offset = \"{actual}\" (или TRUBKA_RELAY_UIS_UTC_OFFSET={actual})",
                    "The UIS account's time zone is {zone} (UTC{actual}), but [uis] utc_offset = \
                     {configured}: UIS call times will be shifted by {shift}. Set [uis] \
                     utc_offset = \"{actual}\" (or TRUBKA_RELAY_UIS_UTC_OFFSET={actual})"
                ),
            )
        }
        None => report.line(
            Mark::Warn,
            &tr!(
                lang,
                "Часовой пояс аккаунта UIS «{zone}» проверить не удалось: убедитесь, что \
                 [uis] utc_offset ({configured}) — его смещение от UTC",
                "The UIS account's time zone «{zone}» could not be checked: make sure [uis] \
                 utc_offset ({configured}) is its offset from UTC"
            ),
        ),
    }
}

/// How far apart two offsets are, in words: «2 ч», «30 мин», «1 ч 30 мин» (`2 h`, `30 min`,
/// `1 h 30 min`).
fn difference(a: FixedOffset, b: FixedOffset, lang: Lang) -> String {
    let minutes = (a.local_minus_utc() - b.local_minus_utc()).unsigned_abs() / 60;
    let (h, min) = lang.pick(("ч", "мин"), ("h", "min"));
    match (minutes / 60, minutes % 60) {
        (hours, 0) => format!("{hours} {h}"),
        (0, minutes) => format!("{minutes} {min}"),
        (hours, minutes) => format!("{hours} {h} {minutes} {min}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn east(hours: i32) -> FixedOffset {
        FixedOffset::east_opt(hours * 3600).unwrap()
    }

    fn zone_lines(zone: Option<&str>, configured: FixedOffset) -> (bool, String) {
        zone_lines_in(zone, configured, Lang::Ru)
    }

    fn zone_lines_in(zone: Option<&str>, configured: FixedOffset, lang: Lang) -> (bool, String) {
        let mut out = Vec::new();
        let mut report = Report {
            out: &mut out,
            ok: true,
            lang,
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
        assert_eq!(difference(east(3), east(5), Lang::Ru), "2 ч");
        assert_eq!(difference(half, east(5), Lang::Ru), "30 мин");
        assert_eq!(difference(half, east(4), Lang::Ru), "1 ч 30 мин");
        assert_eq!(difference(half, east(4), Lang::En), "1 h 30 min");
    }

    #[test]
    fn zone_lines_are_said_in_english_too() {
        let (ok, text) = zone_lines_in(Some("Asia/Novosibirsk"), east(3), Lang::En);
        assert!(
            ok && text.starts_with("⚠ The UIS account's time zone is"),
            "{text}"
        );
        assert!(text.contains("shifted by 4 h"), "{text}");
        assert!(text.contains("utc_offset = \"+07:00\""), "{text}");
        let (_, text) = zone_lines_in(None, east(3), Lang::En);
        assert!(text.starts_with("⚠ UIS did not tell"), "{text}");
        let (_, text) = zone_lines_in(Some("Europe/Moscow"), east(3), Lang::En);
        assert!(
            text.starts_with("✓ The UIS account's time zone Europe/Moscow matches"),
            "{text}"
        );
    }
}
