//! `[tls]`: the relay's own HTTPS, with a certificate from files or from an ACME CA.
//!
//! UIS and Sipuni reach the relay over the internet and agents' tokens travel to it, so it
//! must speak HTTPS; a site that already has nginx or Caddy leaves `[tls]` out and puts the
//! relay behind them (docs/deploy/). The section is checked as a whole when the
//! configuration is read, so a half-written one (a key without its certificate, ACME
//! without a contact) stops every subcommand with what to fix instead of starting a relay
//! that cannot serve. The files themselves are read when `serve` starts and by `check`
//! (`crate::tls::files`).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use trubka_core::Lang;

/// Let's Encrypt's production directory, the default CA.
pub const LETS_ENCRYPT: &str = "https://acme-v02.api.letsencrypt.org/directory";

/// `[tls]` as written. Either `cert_file` + `key_file`, or `acme_domains` + `acme_contact`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TlsConfig {
    /// PEM certificate chain, the server's certificate first (`fullchain.pem`).
    pub cert_file: Option<PathBuf>,
    /// PEM private key of that certificate (PKCS#8, PKCS#1 or SEC1).
    pub key_file: Option<PathBuf>,
    /// Names to get a certificate for from the ACME CA; each must reach this relay on port
    /// 80 (the http-01 challenge), so `redirect_listen` is required with them.
    pub acme_domains: Vec<String>,
    /// Where the CA writes about expiring certificates: an e-mail (`mailto:` optional).
    pub acme_contact: Option<String>,
    /// The CA's ACME directory URL; Let's Encrypt production by default.
    pub acme_directory: String,
    /// A PEM root to trust for the directory instead of the system's (a test CA such as
    /// pebble's; never needed for Let's Encrypt).
    pub acme_ca_file: Option<PathBuf>,
    /// A certificate is renewed when fewer than this many days are left.
    pub acme_renew_days: u64,
    /// A plain-HTTP listener (`0.0.0.0:80`) that redirects every request to HTTPS and
    /// answers the ACME http-01 challenges. Optional with certificate files.
    pub redirect_listen: Option<SocketAddr>,
}

impl Default for TlsConfig {
    fn default() -> TlsConfig {
        TlsConfig {
            cert_file: None,
            key_file: None,
            acme_domains: Vec::new(),
            acme_contact: None,
            acme_directory: LETS_ENCRYPT.to_owned(),
            acme_ca_file: None,
            acme_renew_days: 30,
            redirect_listen: None,
        }
    }
}

/// Where the certificate comes from, once `[tls]` has been checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsSource<'a> {
    Files { cert: &'a Path, key: &'a Path },
    Acme(AcmeSettings<'a>),
}

/// The ACME half of `[tls]`, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcmeSettings<'a> {
    /// Lower-case, without duplicates, in the order written.
    pub domains: Vec<String>,
    /// `mailto:…`.
    pub contact: String,
    pub directory: &'a str,
    pub ca_file: Option<&'a Path>,
    pub renew_days: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlsConfigError {
    #[error(
        "[tls] says neither where the certificate is nor how to get one: give cert_file and \
         key_file, or acme_domains and acme_contact (or remove [tls] to serve plain HTTP \
         behind a proxy)"
    )]
    Empty,
    #[error(
        "[tls] has both certificate files and acme_domains: choose one (the files, or \
         certificates from the ACME CA)"
    )]
    FilesAndAcme,
    #[error("[tls] cert_file is given without key_file: give the certificate's private key too")]
    NoKeyFile,
    #[error("[tls] key_file is given without cert_file: give the certificate (fullchain) too")]
    NoCertFile,
    #[error("[tls] acme_{0} is set but acme_domains is empty: name the relay's domain")]
    AcmeWithoutDomains(&'static str),
    #[error(
        "[tls] acme_contact is missing: the CA needs an e-mail to warn about expiring \
         certificates (acme_contact = \"admin@example.com\")"
    )]
    NoContact,
    #[error("[tls] acme_contact {0:?} is not an e-mail address")]
    BadContact(String),
    #[error(
        "[tls] acme_domains {0:?} is not a domain name (write the name alone: \
         relay.example.com, no scheme, port, path or wildcard)"
    )]
    BadDomain(String),
    #[error("[tls] acme_directory {0:?} is not an https:// URL")]
    BadDirectory(String),
    #[error("[tls] acme_renew_days must be at least 1")]
    NoRenewDays,
    #[error(
        "[tls] acme_domains needs redirect_listen (e.g. \"0.0.0.0:80\"): the CA checks the \
         domain by fetching a file from it over plain HTTP on port 80"
    )]
    AcmeWithoutPort80,
    #[error("[tls] redirect_listen {0} is the same address as listen")]
    RedirectOnListen(SocketAddr),
}

impl TlsConfigError {
    /// The message for the admin in `lang` (`serve`'s error and `check`'s line); the
    /// `Display` stays English, for the log.
    pub fn localized(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            TlsConfigError::Empty => "в [tls] не сказано ни где сертификат, ни как его получить: \
             укажите cert_file и key_file или acme_domains и acme_contact (или уберите [tls], \
             чтобы релей отвечал по HTTP за прокси)"
                .to_owned(),
            TlsConfigError::FilesAndAcme => "в [tls] заданы и файлы сертификата, и acme_domains: \
             выберите одно (файлы или сертификаты от ACME)"
                .to_owned(),
            TlsConfigError::NoKeyFile => {
                "[tls] cert_file задан без key_file: укажите и закрытый ключ сертификата".to_owned()
            }
            TlsConfigError::NoCertFile => {
                "[tls] key_file задан без cert_file: укажите и сертификат (fullchain)".to_owned()
            }
            TlsConfigError::AcmeWithoutDomains(key) => {
                format!("[tls] acme_{key} задан, а acme_domains пуст: назовите домен релея")
            }
            TlsConfigError::NoContact => "[tls] нет acme_contact: центру сертификации нужен адрес \
             почты для предупреждений об истечении сертификатов (acme_contact = \
             \"admin@example.com\")"
                .to_owned(),
            TlsConfigError::BadContact(contact) => {
                format!("[tls] acme_contact «{contact}» — не адрес почты")
            }
            TlsConfigError::BadDomain(domain) => format!(
                "[tls] acme_domains «{domain}» — не доменное имя (одно имя: relay.example.com, без \
             схемы, порта, пути и звёздочки)"
            ),
            TlsConfigError::BadDirectory(url) => {
                format!("[tls] acme_directory «{url}» — не адрес https://")
            }
            TlsConfigError::NoRenewDays => "[tls] acme_renew_days — не меньше 1".to_owned(),
            TlsConfigError::AcmeWithoutPort80 => "для [tls] acme_domains нужен redirect_listen \
             (например, \"0.0.0.0:80\"): центр сертификации проверяет домен, скачивая с него \
             файл по HTTP на порту 80"
                .to_owned(),
            TlsConfigError::RedirectOnListen(addr) => {
                format!("[tls] redirect_listen {addr} — тот же адрес, что listen")
            }
        }
    }
}

impl TlsConfig {
    /// Checks the section as a whole (no file is read here) and says where the
    /// certificate comes from. `listen` is the relay's HTTPS address.
    pub fn source(&self, listen: SocketAddr) -> Result<TlsSource<'_>, TlsConfigError> {
        if self.redirect_listen == Some(listen) {
            return Err(TlsConfigError::RedirectOnListen(listen));
        }
        let files = self.cert_file.is_some() || self.key_file.is_some();
        if files && !self.acme_domains.is_empty() {
            return Err(TlsConfigError::FilesAndAcme);
        }
        match (&self.cert_file, &self.key_file) {
            (Some(cert), Some(key)) => return Ok(TlsSource::Files { cert, key }),
            (Some(_), None) => return Err(TlsConfigError::NoKeyFile),
            (None, Some(_)) => return Err(TlsConfigError::NoCertFile),
            (None, None) => {}
        }
        if self.acme_domains.is_empty() {
            return Err(match (&self.acme_contact, &self.acme_ca_file) {
                (Some(_), _) => TlsConfigError::AcmeWithoutDomains("contact"),
                (None, Some(_)) => TlsConfigError::AcmeWithoutDomains("ca_file"),
                (None, None) if self.acme_directory != LETS_ENCRYPT => {
                    TlsConfigError::AcmeWithoutDomains("directory")
                }
                (None, None) => TlsConfigError::Empty,
            });
        }
        let mut domains: Vec<String> = Vec::new();
        for raw in &self.acme_domains {
            let domain = raw.trim().trim_end_matches('.').to_ascii_lowercase();
            if !is_domain(&domain) {
                return Err(TlsConfigError::BadDomain(raw.clone()));
            }
            if !domains.contains(&domain) {
                domains.push(domain);
            }
        }
        let contact = contact(self.acme_contact.as_deref())?;
        match url::Url::parse(&self.acme_directory) {
            Ok(url) if url.scheme() == "https" && url.host().is_some() => {}
            _ => return Err(TlsConfigError::BadDirectory(self.acme_directory.clone())),
        }
        if self.acme_renew_days == 0 {
            return Err(TlsConfigError::NoRenewDays);
        }
        if self.redirect_listen.is_none() {
            return Err(TlsConfigError::AcmeWithoutPort80);
        }
        Ok(TlsSource::Acme(AcmeSettings {
            domains,
            contact,
            directory: &self.acme_directory,
            ca_file: self.acme_ca_file.as_deref(),
            renew_days: self.acme_renew_days,
        }))
    }
}

/// `admin@example.com` or `mailto:admin@example.com` → the latter.
fn contact(raw: Option<&str>) -> Result<String, TlsConfigError> {
    let raw = raw.map(str::trim).filter(|c| !c.is_empty());
    let Some(raw) = raw else {
        return Err(TlsConfigError::NoContact);
    };
    let address = raw.strip_prefix("mailto:").unwrap_or(raw);
    let valid = address.split_once('@').is_some_and(|(user, host)| {
        !user.is_empty()
            && is_domain(host)
            && !address.chars().any(|c| c.is_whitespace() || c == ',')
    });
    if !valid {
        return Err(TlsConfigError::BadContact(raw.to_owned()));
    }
    Ok(format!("mailto:{address}"))
}

/// A DNS name a CA can validate over http-01: letters, digits and hyphens in labels of at
/// most 63, no wildcard (http-01 cannot prove one), no IP address.
fn is_domain(name: &str) -> bool {
    let labels_ok = !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    labels_ok && name.parse::<std::net::IpAddr>().is_err()
}

#[cfg(test)]
mod tests {
    use super::*;

    const LISTEN: &str = "0.0.0.0:443";

    fn parse(text: &str) -> Result<TlsSource<'static>, TlsConfigError> {
        let config: TlsConfig = toml::from_str(text).unwrap();
        let config: &'static TlsConfig = Box::leak(Box::new(config));
        config.source(LISTEN.parse().unwrap())
    }

    #[test]
    fn files_or_acme_each_complete() {
        assert_eq!(
            parse("cert_file = \"/c.pem\"\nkey_file = \"/k.pem\"\n").unwrap(),
            TlsSource::Files {
                cert: Path::new("/c.pem"),
                key: Path::new("/k.pem")
            }
        );
        let TlsSource::Acme(acme) = parse(
            "acme_domains = [\"Relay.Example.com.\", \"relay.example.com\", \"b.example.com\"]\n\
             acme_contact = \"admin@example.com\"\nredirect_listen = \"0.0.0.0:80\"\n",
        )
        .unwrap() else {
            panic!("ACME expected");
        };
        assert_eq!(acme.domains, ["relay.example.com", "b.example.com"]);
        assert_eq!(acme.contact, "mailto:admin@example.com");
        assert_eq!(acme.directory, LETS_ENCRYPT);
        assert_eq!(acme.renew_days, 30);
    }

    #[test]
    fn every_half_written_section_says_what_is_missing() {
        let acme = "acme_contact = \"a@b.ru\"\nredirect_listen = \"0.0.0.0:80\"\n";
        let cases: &[(String, TlsConfigError)] = &[
            (String::new(), TlsConfigError::Empty),
            ("cert_file = \"/c\"\n".into(), TlsConfigError::NoKeyFile),
            ("key_file = \"/k\"\n".into(), TlsConfigError::NoCertFile),
            (
                format!("cert_file = \"/c\"\nacme_domains = [\"a.ru\"]\n{acme}"),
                TlsConfigError::FilesAndAcme,
            ),
            (
                acme.to_owned(),
                TlsConfigError::AcmeWithoutDomains("contact"),
            ),
            (
                "acme_directory = \"https://ca.test/dir\"\n".into(),
                TlsConfigError::AcmeWithoutDomains("directory"),
            ),
            (
                "acme_domains = [\"a.ru\"]\nredirect_listen = \"0.0.0.0:80\"\n".into(),
                TlsConfigError::NoContact,
            ),
            (
                format!("acme_domains = [\"https://a.ru\"]\n{acme}"),
                TlsConfigError::BadDomain("https://a.ru".into()),
            ),
            (
                format!("acme_domains = [\"*.a.ru\"]\n{acme}"),
                TlsConfigError::BadDomain("*.a.ru".into()),
            ),
            (
                format!("acme_domains = [\"10.0.0.1\"]\n{acme}"),
                TlsConfigError::BadDomain("10.0.0.1".into()),
            ),
            (
                "acme_domains = [\"a.ru\"]\nacme_contact = \"admin\"\n".into(),
                TlsConfigError::BadContact("admin".into()),
            ),
            (
                format!("acme_domains = [\"a.ru\"]\nacme_directory = \"http://ca/dir\"\n{acme}"),
                TlsConfigError::BadDirectory("http://ca/dir".into()),
            ),
            (
                format!("acme_domains = [\"a.ru\"]\nacme_renew_days = 0\n{acme}"),
                TlsConfigError::NoRenewDays,
            ),
            (
                "acme_domains = [\"a.ru\"]\nacme_contact = \"a@b.ru\"\n".into(),
                TlsConfigError::AcmeWithoutPort80,
            ),
            (
                format!("cert_file = \"/c\"\nkey_file = \"/k\"\nredirect_listen = \"{LISTEN}\"\n"),
                TlsConfigError::RedirectOnListen(LISTEN.parse().unwrap()),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(parse(text).unwrap_err(), *expected, "{text}");
        }
    }
}
