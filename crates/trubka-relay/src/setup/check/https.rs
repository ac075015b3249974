//! `check`'s lines about `[tls]`: which certificate the relay serves and until when, whether
//! it names the public address, and for ACME whether one has been issued yet.

use std::io::{self, Write};

use chrono::{DateTime, Utc};
use trubka_core::tr;

use super::{Mark, Report};
use crate::config::{RelayConfig, TlsSource};
use crate::tls::{LoadedCert, files, stored_certificate_for};

/// Fewer days than this left on a certificate from files is worth a warning: nothing renews
/// it but the admin (or their certbot).
const FILES_WARN_DAYS: i64 = 14;

pub(super) fn https(report: &mut Report<'_, impl Write>, config: &RelayConfig) -> io::Result<()> {
    let Some(tls) = &config.tls else {
        return Ok(());
    };
    let lang = report.lang;
    let source = match tls.source(config.listen) {
        Ok(source) => source,
        Err(error) => return report.line(Mark::Fail, &error.localized(lang)),
    };
    match source {
        TlsSource::Files { cert, key } => match files::load(cert, key) {
            Ok(loaded) => {
                let days = days_left(&loaded);
                let what = cert.display().to_string();
                if (0..FILES_WARN_DAYS).contains(&days) {
                    let date = date(&loaded.not_after);
                    report.line(
                        Mark::Warn,
                        &tr!(
                            lang,
                            "Сертификат HTTPS {what} истекает через {days} дн. ({date}): \
                             положите продлённый на его место",
                            "The HTTPS certificate {what} expires in {days} day(s) ({date}): \
                             put the renewed one in its place"
                        ),
                    )?;
                } else {
                    valid(report, &what, &loaded)?;
                }
                names_public_url(report, config, &loaded)
            }
            Err(error) => report.line(Mark::Fail, &error.localized(lang)),
        },
        TlsSource::Acme(settings) => {
            match stored_certificate_for(&settings, &config.data_dir) {
                None => {
                    let domains = settings.domains.join(", ");
                    let directory = settings.directory;
                    report.line(
                        Mark::Info,
                        &tr!(
                            lang,
                            "Сертификата ACME для {domains} ещё нет: serve получит его у \
                             {directory} (порт 80 сервера должен быть открыт из интернета)",
                            "No ACME certificate for {domains} yet: serve gets one from \
                             {directory} (the server's port 80 must be open to the internet)"
                        ),
                    )
                }
                Some(Err(error)) => {
                    let error = error.localized(lang);
                    report.line(
                    Mark::Warn,
                    &tr!(
                        lang,
                        "Сохранённый сертификат ACME не годится ({error}); serve получит новый",
                        "The stored ACME certificate cannot be used ({error}); serve gets a new one"
                    ),
                )
                }
                Some(Ok(loaded)) => {
                    let renew = i64::try_from(settings.renew_days).unwrap_or(i64::MAX);
                    // One day's grace: serve renews when due, and may be at it right now.
                    if days_left(&loaded) < renew - 1 {
                        let date = date(&loaded.not_after);
                        report.line(
                            Mark::Warn,
                            &tr!(
                                lang,
                                "Сертификат ACME действует до {date}, и его пора было продлить: \
                                 если serve запущен, причина — в его журнале (ACME)",
                                "The ACME certificate is valid until {date} and is past its \
                                 renewal date: if serve runs, its log says why (ACME)"
                            ),
                        )?;
                    } else {
                        valid(report, "ACME", &loaded)?;
                    }
                    names_public_url(report, config, &loaded)
                }
            }
        }
    }
}

/// ✓ with the names and expiry, or ✗ when it has expired.
fn valid(report: &mut Report<'_, impl Write>, what: &str, loaded: &LoadedCert) -> io::Result<()> {
    let lang = report.lang;
    let (names, date, days) = (
        loaded.names.join(", "),
        date(&loaded.not_after),
        days_left(loaded),
    );
    if loaded.not_after <= Utc::now() {
        return report.line(
            Mark::Fail,
            &tr!(
                lang,
                "Сертификат HTTPS {what} истёк {date}: клиенты его не примут",
                "The HTTPS certificate {what} expired on {date}: clients refuse it"
            ),
        );
    }
    report.line(
        Mark::Ok,
        &tr!(
            lang,
            "Сертификат HTTPS {what} для {names} действует до {date} (ещё {days} дн.)",
            "HTTPS certificate {what} for {names}, valid until {date} ({days} days left)"
        ),
    )
}

/// A certificate that does not name `public_url`'s host is refused by every client that was
/// given that address.
fn names_public_url(
    report: &mut Report<'_, impl Write>,
    config: &RelayConfig,
    loaded: &LoadedCert,
) -> io::Result<()> {
    let host = config
        .public_url
        .as_deref()
        .and_then(|url| url::Url::parse(url).ok())
        .and_then(|url| url.host_str().map(str::to_ascii_lowercase));
    let Some(host) = host else {
        return Ok(());
    };
    if loaded.names.iter().any(|name| matches(name, &host)) {
        return Ok(());
    }
    let names = loaded.names.join(", ");
    report.line(
        Mark::Fail,
        &tr!(
            report.lang,
            "Сертификат выдан для {names}, а public_url — {host}: АТС и приложение его не \
             примут; нужен сертификат для {host}",
            "The certificate is for {names} but public_url is {host}: the PBXs and the app \
             refuse it; it must be for {host}"
        ),
    )
}

/// A certificate name covers `host`: equal, or a wildcard one label deep.
fn matches(name: &str, host: &str) -> bool {
    match name.strip_prefix("*.") {
        Some(parent) => host.split_once('.').is_some_and(|(_, rest)| rest == parent),
        None => name == host,
    }
}

fn days_left(loaded: &LoadedCert) -> i64 {
    (loaded.not_after - Utc::now()).num_days()
}

fn date(at: &DateTime<Utc>) -> String {
    at.format("%Y-%m-%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_cover_one_label() {
        assert!(matches("relay.example.com", "relay.example.com"));
        assert!(matches("*.example.com", "relay.example.com"));
        assert!(!matches("*.example.com", "a.relay.example.com"));
        assert!(!matches("*.example.com", "example.com"));
        assert!(!matches("other.example.com", "relay.example.com"));
    }
}
