//! The Sipuni part of `check`: the cabinet number's form, then `statistic/export` of today in
//! the cabinet's zone (the signature), «Услуга совершение звонков по API» (an order without a
//! number, [`trubka_pbx::SipuniClient::probe_call_orders`]), and every agent's extension
//! against the cabinet's employees (`statistic/operators`).
//!
//! A wrong cabinet number and a wrong secret: the signature covers both, and no public source
//! shows Sipuni answering the two in different words (docs/protocol.md). What can be told
//! apart is told: a cabinet number that is not the 6 digits Sipuni cabinets have (often the
//! leading zero lost to a TOML number) is named as the cause; otherwise the refusal names both
//! values to compare with the cabinet. Sipuni does not tell the cabinet's zone, so
//! `[sipuni] utc_offset` is only shown.

use std::io::{self, Write};

use chrono::{Days, Utc};
use trubka_core::{Lang, tr};
use trubka_pbx::PbxError;
use trubka_pbx::sipuni::{SipuniOperator, StatisticsFilter};

use crate::agents::Agent;
use crate::config::RelayConfig;
use crate::pbx::SipuniApi;

use super::uis_agents::shell_word;
use super::{Mark, Report};

/// How many days of calls stand in for the employees list when Sipuni gives none.
const SEEN_DAYS: u64 = 7;

pub(super) async fn check(
    report: &mut Report<'_, impl Write>,
    sipuni: &SipuniApi,
    config: &RelayConfig,
    agents: &[Agent],
) -> io::Result<()> {
    let lang = report.lang;
    let cabinet = config.sipuni.user.as_deref().unwrap_or_default().trim();
    let cabinet_problem = cabinet_form(cabinet, lang);
    if let Some(problem) = &cabinet_problem {
        report.line(
            Mark::Fail,
            &format!("[sipuni] user = «{cabinet}»: {problem}"),
        )?;
    }
    // "Today" is the cabinet's day: the export is asked for local calendar days.
    let today = Utc::now().with_timezone(&sipuni.utc_offset).date_naive();
    match sipuni
        .client
        .export_statistics(today, today, &StatisticsFilter::default())
        .await
    {
        Ok(export) => report.line(
            Mark::Ok,
            &tr!(
                lang,
                "Sipuni API (statistic/export): номер кабинета и ключ приняты, звонков сегодня: \
                 {} (время кабинета читается как UTC{}, [sipuni] utc_offset)",
                "Sipuni API (statistic/export): the cabinet number and the key are accepted, \
                 calls today: {} (the cabinet's times are read as UTC{}, [sipuni] utc_offset)",
                export.rows.len(),
                sipuni.utc_offset
            ),
        )?,
        Err(e @ PbxError::Sipuni { .. }) => {
            report.pbx_failure("Sipuni API (statistic/export)", &e)?;
            let hint = match cabinet_problem {
                Some(_) => lang
                    .pick(
                        "  Sipuni не принял подпись: причина — номер кабинета (см. выше)",
                        "  Sipuni did not accept the signature: the cause is the cabinet number \
                         (see above)",
                    )
                    .to_owned(),
                None => tr!(
                    lang,
                    "  Sipuni не различает в ответе неверный номер кабинета и неверный ключ. \
                     Номер кабинета {cabinet} похож на настоящий — скорее всего неверен \
                     [sipuni] secret: скопируйте ключ заново из кабинета Sipuni целиком, без \
                     пробелов; если ключ верен, сверьте номер кабинета (он виден в кабинете \
                     Sipuni рядом с именем пользователя)",
                    "  Sipuni's answer does not tell a wrong cabinet number from a wrong key. \
                     The cabinet number {cabinet} looks real — most likely [sipuni] secret is \
                     wrong: copy the key again from the Sipuni cabinet, whole and without \
                     spaces; if the key is right, compare the cabinet number (the Sipuni \
                     cabinet shows it next to the user name)"
                ),
            };
            return report.line(Mark::Info, &hint);
        }
        Err(e) => return report.pbx_failure("Sipuni API (statistic/export)", &e),
    }
    check_call_orders(report, sipuni).await?;
    check_extensions(report, sipuni, cabinet, agents, today).await
}

/// Why `cabinet` cannot be a Sipuni cabinet number, if it cannot. Every cabinet number seen
/// in public sources is 6 digits with leading zeros (`064629`, `018315`, `070196`).
fn cabinet_form(cabinet: &str, lang: Lang) -> Option<String> {
    if cabinet.is_empty() || !cabinet.bytes().all(|b| b.is_ascii_digit()) {
        return Some(
            lang.pick(
                "номер кабинета Sipuni состоит из цифр (например 064629) — укажите его, а не \
                 логин или e-mail",
                "a Sipuni cabinet number is digits (such as 064629) — give it, not a login or \
                 an e-mail",
            )
            .to_owned(),
        );
    }
    match cabinet.len() {
        6 => None,
        len if len < 6 => Some(tr!(
            lang,
            "номер кабинета Sipuni — 6 цифр, здесь {len}: вероятно, потерян ведущий ноль \
             ({:0>6}). В relay.toml пишите номер в кавычках: user = \"{:0>6}\"",
            "a Sipuni cabinet number is 6 digits, here {len}: a leading zero was probably lost \
             ({:0>6}). In relay.toml write the number in quotes: user = \"{:0>6}\"",
            cabinet,
            cabinet
        )),
        len => Some(tr!(
            lang,
            "номер кабинета Sipuni — 6 цифр, здесь {len}: сверьте его с кабинетом Sipuni",
            "a Sipuni cabinet number is 6 digits, here {len}: compare it with the Sipuni cabinet"
        )),
    }
}

/// «Услуга совершение звонков по API», asked with an order that cannot dial anything. Only
/// after the export worked: then a refusal is not about the signature.
async fn check_call_orders(
    report: &mut Report<'_, impl Write>,
    sipuni: &SipuniApi,
) -> io::Result<()> {
    let lang = report.lang;
    match sipuni.client.probe_call_orders().await {
        Err(e) if e.is_sipuni_api_calls_off() => report.line(
            Mark::Fail,
            lang.pick(
                "Sipuni: «Услуга совершение звонков по API» не подключена — звонки из Trubka \
                 через Sipuni не будут работать. Включите «Услуга совершение звонков по API» в \
                 кабинете Sipuni (для сотрудников, которые звонят из Trubka)",
                "Sipuni: «Услуга совершение звонков по API» (the API calls service) is not \
                 switched on — calls from Trubka through Sipuni will not work. Switch on \
                 «Услуга совершение звонков по API» in the Sipuni cabinet (for the employees \
                 who call from Trubka)",
            ),
        ),
        Err(PbxError::Sipuni { .. }) => report.line(
            Mark::Ok,
            lang.pick(
                "Sipuni API (callback/call_number без номера): заказы звонков принимаются — \
                 «Услуга совершение звонков по API» подключена",
                "Sipuni API (callback/call_number without a number): call orders are accepted \
                 — «Услуга совершение звонков по API» (the API calls service) is on",
            ),
        ),
        Ok(_) => report.line(
            Mark::Warn,
            lang.pick(
                "Sipuni принял заказ звонка без номера: проверить «Услуга совершение звонков \
                 по API» не удалось — убедитесь, что она подключена в кабинете Sipuni",
                "Sipuni accepted a call order without a number: «Услуга совершение звонков по \
                 API» (the API calls service) could not be checked — make sure it is on in the \
                 Sipuni cabinet",
            ),
        ),
        Err(e) => report.pbx_failure("Sipuni API (callback/call_number)", &e),
    }
}

/// Each agent's extension among the cabinet's employees; when Sipuni gives no list, among the
/// extensions of the last days' calls, which can only warn (an extension nobody called from
/// is not necessarily wrong).
async fn check_extensions(
    report: &mut Report<'_, impl Write>,
    sipuni: &SipuniApi,
    cabinet: &str,
    agents: &[Agent],
    today: chrono::NaiveDate,
) -> io::Result<()> {
    let mapped: Vec<(&Agent, &str)> = agents
        .iter()
        .filter_map(|a| Some((a, a.sipuni_ext.as_deref()?.trim())))
        .collect();
    if mapped.is_empty() {
        return Ok(());
    }
    let lang = report.lang;
    match sipuni.client.operators().await {
        Ok(operators) => {
            let known: Vec<&str> = operators.iter().map(|o| o.login.as_str()).collect();
            let mut wrong = 0;
            for (agent, ext) in &mapped {
                if operators
                    .iter()
                    .any(|o: &SipuniOperator| o.is_extension(cabinet, ext))
                {
                    continue;
                }
                wrong += 1;
                let (name, word) = (&agent.name, shell_word(&agent.name));
                let there = if known.is_empty() {
                    lang.pick("никого", "nobody").to_owned()
                } else {
                    known.join(", ")
                };
                report.line(
                    Mark::Fail,
                    &tr!(
                        lang,
                        "Оператор «{name}»: внутреннего номера {ext} нет среди сотрудников \
                         кабинета Sipuni (есть: {there}) — исправьте: trubka-relay agent edit \
                         {word} --sipuni-ext НОМЕР",
                        "Agent «{name}»: the internal number {ext} is not among the Sipuni \
                         cabinet's employees (there are: {there}) — fix it: trubka-relay agent \
                         edit {word} --sipuni-ext NUMBER"
                    ),
                )?;
            }
            if wrong == 0 {
                report.line(
                    Mark::Ok,
                    &tr!(
                        lang,
                        "Внутренние номера Sipuni всех операторов есть в кабинете ({})",
                        "The Sipuni internal numbers of all agents are in the cabinet ({})",
                        mapped.len()
                    ),
                )?;
            }
            Ok(())
        }
        Err(e) => {
            report.line(
                Mark::Warn,
                &tr!(
                    lang,
                    "Sipuni API (statistic/operators): список сотрудников получить не удалось \
                     ({}) — внутренние номера сверяются со звонками за {SEEN_DAYS} дней",
                    "Sipuni API (statistic/operators): the list of employees could not be fetched \
                     ({}) — the internal numbers are compared with the calls of the last \
                     {SEEN_DAYS} days",
                    e.user_message_in(lang)
                ),
            )?;
            seen_in_calls(report, sipuni, &mapped, today).await
        }
    }
}

async fn seen_in_calls(
    report: &mut Report<'_, impl Write>,
    sipuni: &SipuniApi,
    mapped: &[(&Agent, &str)],
    today: chrono::NaiveDate,
) -> io::Result<()> {
    let from = today
        .checked_sub_days(Days::new(SEEN_DAYS))
        .unwrap_or(today);
    let export = match sipuni
        .client
        .export_statistics(from, today, &StatisticsFilter::default())
        .await
    {
        Ok(export) => export,
        Err(e) => return report.pbx_failure("Sipuni API (statistic/export)", &e),
    };
    let seen: Vec<String> = export.rows.iter().flat_map(extensions_of).collect();
    for (agent, ext) in mapped {
        if !seen.iter().any(|s| s == ext) {
            let (name, word) = (&agent.name, shell_word(&agent.name));
            report.line(
                Mark::Warn,
                &tr!(
                    report.lang,
                    "Оператор «{name}»: внутренний номер {ext} не встречался в звонках за \
                     {SEEN_DAYS} дней — если оператор звонил, номер неверен: trubka-relay agent \
                     edit {word} --sipuni-ext НОМЕР",
                    "Agent «{name}»: the internal number {ext} appears in no call of the last \
                     {SEEN_DAYS} days — if the agent made calls, the number is wrong: \
                     trubka-relay agent edit {word} --sipuni-ext NUMBER"
                ),
            )?;
        }
    }
    Ok(())
}

/// The short internal numbers a row names: who answered, and the leading numbers of the
/// «Кому звонили», «Кто разговаривал», «Откуда» and «Куда» cells (`205 (Фамилия Имя) 65`).
fn extensions_of(row: &trubka_pbx::sipuni::SipuniCallRow) -> Vec<String> {
    let cells = [&row.ringed, &row.talked, &row.from, &row.to];
    let mut found: Vec<String> = row
        .answered_by
        .iter()
        .filter_map(|cell| cell.number.clone())
        .collect();
    for cell in cells.into_iter().flatten() {
        for part in cell.split([',', ';']) {
            let digits: String = part
                .trim()
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            // Extensions are short; longer digit runs are phone numbers.
            if (1..=5).contains(&digits.len()) {
                found.push(digits);
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cabinet_numbers_are_six_digits() {
        let ru = Lang::Ru;
        assert_eq!(cabinet_form("064629", ru), None);
        assert!(
            cabinet_form("64629", ru)
                .unwrap()
                .contains("user = \"064629\"")
        );
        assert!(
            cabinet_form("admin@example.com", ru)
                .unwrap()
                .contains("из цифр")
        );
        assert!(
            cabinet_form("0646290", ru)
                .unwrap()
                .contains("6 цифр, здесь 7")
        );
        let en = cabinet_form("64629", Lang::En).unwrap();
        assert!(
            en.starts_with("a Sipuni cabinet number is 6 digits, here 5"),
            "{en}"
        );
        assert!(en.contains("user = \"064629\""), "{en}");
    }
}
