//! `check`'s line about `[directory.uis_sync]`: reads the UIS address book as a sync pass
//! would (`get.contacts`, every page) and says how many contacts it holds, or why the key
//! cannot read it — the «Адресная книга» right, the IP allow-list, the budget.

use std::io::{self, Write};

use trubka_core::tr;

use super::{Mark, Report};
use crate::config::RelayConfig;
use crate::pbx::PbxApis;

pub(super) async fn uis_book(
    report: &mut Report<'_, impl Write>,
    config: &RelayConfig,
    apis: &PbxApis,
) -> io::Result<()> {
    let lang = report.lang;
    let Some(sync) = &config.directory.uis_sync else {
        return report.line(
            Mark::Off,
            lang.pick(
                "Адресная книга UIS не подключена к справочнику ([directory.uis_sync])",
                "The UIS address book does not feed the directory ([directory.uis_sync])",
            ),
        );
    };
    let Some(api) = &apis.uis else {
        return report.line(
            Mark::Fail,
            lang.pick(
                "[directory.uis_sync] задан, но без [uis] api_key адресную книгу UIS не прочитать",
                "[directory.uis_sync] is set, but without [uis] api_key the UIS address book \
                 cannot be read",
            ),
        );
    };
    let minutes = sync.interval_minutes;
    match api.client.contacts().await {
        Ok(contacts) => {
            let count = contacts.len();
            report.line(
                Mark::Ok,
                &tr!(
                    lang,
                    "Адресная книга UIS (get.contacts) читается: контактов {count}; справочник \
                     берёт её раз в {minutes} мин",
                    "The UIS address book (get.contacts) can be read: {count} contacts; the \
                     directory takes it every {minutes} min"
                ),
            )
        }
        Err(error) => report.pbx_failure(
            lang.pick(
                "Адресная книга UIS (get.contacts)",
                "The UIS address book (get.contacts)",
            ),
            &error,
        ),
    }
}
