//! `check`'s line about `[directory.lookup]`: asks the CRM about a sample number, as the relay
//! would about an unknown caller, and says whether the answer could be read.

use std::io::{self, Write};
use std::time::Instant;

use trubka_core::tr;

use super::{Mark, Report};
use crate::config::RelayConfig;
use crate::directory::crm::{CrmClient, Outcome};

/// The number asked about: a Moscow number in E.164 and its national digits. Whoever it is,
/// «found» and «nobody» both prove the CRM answers in a shape the relay reads.
const PROBE: (&str, &str) = ("+74951234567", "4951234567");

pub(super) async fn crm(
    report: &mut Report<'_, impl Write>,
    config: &RelayConfig,
) -> io::Result<()> {
    let lang = report.lang;
    let Some(lookup) = &config.directory.lookup else {
        return report.line(
            Mark::Off,
            lang.pick(
                "Поиск звонящих в CRM не настроен ([directory.lookup])",
                "Caller lookup in a CRM is not set up ([directory.lookup])",
            ),
        );
    };
    let client = match CrmClient::new(lookup.clone()) {
        Ok(client) => client,
        Err(e) => {
            return report.line(
                Mark::Fail,
                &tr!(
                    lang,
                    "Поиск в CRM: не удаётся подготовить HTTP-клиент: {e}",
                    "CRM lookup: cannot set up the HTTP client: {e}"
                ),
            );
        }
    };
    let started = Instant::now();
    let outcome = client.ask(PROBE.0, PROBE.1).await;
    let ms = started.elapsed().as_millis();
    let number = PROBE.0;
    let timeout = lookup.timeout_ms;
    match outcome {
        Outcome::Found(contacts) => {
            let name = contacts.first().map(|c| c.name.clone()).unwrap_or_default();
            report.line(
                Mark::Ok,
                &tr!(
                    lang,
                    "Поиск в CRM работает: на {number} CRM ответила «{name}» за {ms} мс",
                    "CRM lookup works: for {number} the CRM answered «{name}» in {ms} ms"
                ),
            )
        }
        Outcome::NotFound => report.line(
            Mark::Ok,
            &tr!(
                lang,
                "Поиск в CRM работает: {number} CRM не знает (ответ за {ms} мс)",
                "CRM lookup works: the CRM knows nobody at {number} (answered in {ms} ms)"
            ),
        ),
        Outcome::Timeout => report.line(
            Mark::Warn,
            &tr!(
                lang,
                "Поиск в CRM: CRM не ответила за timeout_ms = {timeout} мс; события это не \
                 задерживает, но карточки останутся без имени из CRM",
                "CRM lookup: the CRM did not answer within timeout_ms = {timeout} ms; events \
                 are not delayed by it, but cards get no name from the CRM"
            ),
        ),
        Outcome::Error(reason) => report.line(
            Mark::Fail,
            &tr!(
                lang,
                "Поиск в CRM не работает: {reason}",
                "CRM lookup does not work: {reason}"
            ),
        ),
        Outcome::Garbage(reason) => report.line(
            Mark::Fail,
            &tr!(
                lang,
                "Поиск в CRM: ответ CRM не прочитать ({reason}); проверьте \
                 [directory.lookup.answer]",
                "CRM lookup: the CRM's answer cannot be read ({reason}); check \
                 [directory.lookup.answer]"
            ),
        ),
    }
}
