//! `[directory]`: the team directory's settings. `[directory.lookup]` names the CRM the relay
//! asks about a caller the directory does not know (`crate::directory::crm`); without it the
//! relay asks no one. `[directory.uis_sync]` keeps the UIS address book in the directory
//! (`crate::directory::uis_sync`); without it the relay reads no address book.
//!
//! The section is checked whole when the configuration is read (the URL template, the
//! headers, the answer's JSON pointers), so a typo stops every subcommand with what to fix
//! instead of failing on the first call. The defaults live in [`LookupConfig::default`] and
//! [`AnswerPointers::default`] only; docs/protocol.md and the packaged relay.toml quote them.

use std::collections::BTreeMap;

use serde::Deserialize;
use trubka_core::Lang;

/// The longest `timeout_ms`: a CRM slower than this is down for an agent's purposes (the
/// card has long popped), and each waiting request holds one of the bounded slots.
pub const MAX_TIMEOUT_MS: u64 = 30_000;

/// `[directory]`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DirectoryConfig {
    /// The CRM asked about unknown callers; absent, nobody is asked.
    pub lookup: Option<LookupConfig>,
    /// The UIS address book synced into the directory; absent, it is not read.
    pub uis_sync: Option<UisSyncConfig>,
}

/// The longest `interval_minutes`: a day.
pub const MAX_SYNC_MINUTES: u32 = 1_440;

/// `[directory.uis_sync]`: the UIS address book (`get.contacts`) read on an interval.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UisSyncConfig {
    /// Minutes between two reads of the address book (the first soon after start).
    pub interval_minutes: u32,
}

impl Default for UisSyncConfig {
    fn default() -> UisSyncConfig {
        UisSyncConfig {
            interval_minutes: 15,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UisSyncConfigError {
    #[error("[directory.uis_sync] interval_minutes = {0}: between 1 and {MAX_SYNC_MINUTES}")]
    Interval(u32),
}

impl UisSyncConfigError {
    pub fn localized(&self, lang: Lang) -> String {
        match (self, lang) {
            (UisSyncConfigError::Interval(_), Lang::En) => self.to_string(),
            (UisSyncConfigError::Interval(minutes), _) => format!(
                "[directory.uis_sync] interval_minutes = {minutes}: нужно от 1 до {MAX_SYNC_MINUTES}"
            ),
        }
    }
}

impl UisSyncConfig {
    pub fn validate(&self) -> Result<(), UisSyncConfigError> {
        if (1..=MAX_SYNC_MINUTES).contains(&self.interval_minutes) {
            Ok(())
        } else {
            Err(UisSyncConfigError::Interval(self.interval_minutes))
        }
    }

    /// Applies `TRUBKA_RELAY_DIRECTORY_UIS_SYNC_<key>`: `MINUTES` sets the interval (and turns the
    /// sync on); empty turns it off whatever the file says.
    pub(crate) fn apply_env(
        sync: &mut Option<UisSyncConfig>,
        key: &str,
        value: &str,
    ) -> Result<bool, String> {
        match key {
            "MINUTES" if value.trim().is_empty() => *sync = None,
            "MINUTES" => {
                let minutes = value
                    .trim()
                    .parse()
                    .map_err(|_| format!("`{value}` is not a number of minutes"))?;
                sync.get_or_insert_with(UisSyncConfig::default)
                    .interval_minutes = minutes;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }
}

/// `[directory.lookup]`: one HTTP request per unknown caller's number, its answer cached.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LookupConfig {
    /// The request's URL, with `{e164}` (`+74951234567`), `{digits}` (`74951234567`) or
    /// `{national}` (`4951234567`) where the number goes (URL-encoded). http or https.
    pub url: String,
    /// `GET` (the default) or `POST`, which sends `{"number": "+74951234567"}` as JSON.
    pub method: LookupMethod,
    /// Sent with every request, e.g. `{ Authorization = "Bearer …" }`.
    pub headers: BTreeMap<String, String>,
    /// How long the CRM may take to answer; a slower answer counts as a timeout. The call's
    /// events never wait for it.
    pub timeout_ms: u64,
    /// How long an answer naming someone is kept before the CRM is asked again.
    pub cache_secs: u64,
    /// How long «nobody» (404, an empty list) is kept: shorter, so a client the CRM learns
    /// about during the day is found on their next call.
    pub negative_cache_secs: u64,
    /// Where the fields are in the answer (`[directory.lookup.answer]`).
    pub answer: AnswerPointers,
}

impl Default for LookupConfig {
    fn default() -> LookupConfig {
        LookupConfig {
            url: String::new(),
            method: LookupMethod::Get,
            headers: BTreeMap::new(),
            timeout_ms: 800,
            cache_secs: 86_400,
            negative_cache_secs: 600,
            answer: AnswerPointers::default(),
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub enum LookupMethod {
    #[default]
    #[serde(rename = "GET", alias = "get")]
    Get,
    #[serde(rename = "POST", alias = "post")]
    Post,
}

/// JSON pointers (RFC 6901) into the CRM's answer. `list` points at the contacts: an array
/// of objects or one object (`""`, the default, is the whole answer). The others are read
/// inside each contact; a missing value is an empty field.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AnswerPointers {
    pub list: String,
    pub name: String,
    pub company: String,
    pub email: String,
    /// The client's page in the CRM («Открыть в CRM»).
    pub url: String,
    /// An object whose members become the contact's extra fields.
    pub fields: String,
}

impl Default for AnswerPointers {
    fn default() -> AnswerPointers {
        AnswerPointers {
            list: String::new(),
            name: "/name".to_owned(),
            company: "/company".to_owned(),
            email: "/email".to_owned(),
            url: "/url".to_owned(),
            fields: "/fields".to_owned(),
        }
    }
}

/// A `[directory.lookup]` that cannot work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LookupConfigError {
    #[error(
        "[directory.lookup] has no url: give the CRM's address with the number in it, e.g. \
         url = \"https://crm.example.com/api/phones/{{digits}}\" (or remove the section)"
    )]
    NoUrl,
    #[error(
        "[directory.lookup] url {url:?}: «{variable}» is not one of the url's variables; use {{e164}}, \
         {{digits}} or {{national}}"
    )]
    UnknownUrlVariable { url: String, variable: String },
    #[error("[directory.lookup] url {url:?} is not a URL: {reason}")]
    BadUrl { url: String, reason: String },
    #[error("[directory.lookup] url {url:?} is not an http:// or https:// URL")]
    BadScheme { url: String },
    #[error("[directory.lookup] headers: {name:?} is not a valid header name or its value is not")]
    BadHeader { name: String },
    #[error("[directory.lookup] timeout_ms = {0}: between 1 and {MAX_TIMEOUT_MS}")]
    Timeout(u64),
    #[error(
        "[directory.lookup.answer] {key} = {pointer:?} is not a JSON pointer: write \"\" for \
         the whole answer or a path such as \"/client/name\""
    )]
    BadPointer { key: &'static str, pointer: String },
}

impl LookupConfigError {
    /// The message for the admin in `lang`; the `Display` stays English, for the log.
    pub fn localized(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            LookupConfigError::NoUrl => "в [directory.lookup] нет url: укажите адрес CRM с \
             номером в нём, например url = \"https://crm.example.com/api/phones/{digits}\" (или \
             уберите раздел)"
                .to_owned(),
            LookupConfigError::UnknownUrlVariable { url, variable } => format!(
                "[directory.lookup] url «{url}»: «{variable}» — такой переменной нет; можно \
                 {{e164}}, {{digits}} или {{national}}"
            ),
            LookupConfigError::BadUrl { url, reason } => {
                format!("[directory.lookup] url «{url}» — не адрес: {reason}")
            }
            LookupConfigError::BadScheme { url } => {
                format!("[directory.lookup] url «{url}» — не адрес http:// или https://")
            }
            LookupConfigError::BadHeader { name } => format!(
                "[directory.lookup] headers: «{name}» — недопустимое имя заголовка или его \
                 значение"
            ),
            LookupConfigError::Timeout(ms) => {
                format!("[directory.lookup] timeout_ms = {ms}: нужно от 1 до {MAX_TIMEOUT_MS}")
            }
            LookupConfigError::BadPointer { key, pointer } => format!(
                "[directory.lookup.answer] {key} = «{pointer}» — не JSON pointer: пишите \"\" \
                 для всего ответа или путь вида \"/client/name\""
            ),
        }
    }
}

/// A part of the URL template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part<'a> {
    Text(&'a str),
    E164,
    Digits,
    National,
}

impl LookupConfig {
    /// Checks the section whole: the URL (with a sample number in it), the headers, the
    /// timeout and the pointers.
    pub fn validate(&self) -> Result<(), LookupConfigError> {
        if self.url.trim().is_empty() {
            return Err(LookupConfigError::NoUrl);
        }
        let sample = self.url_for("+74951234567", "4951234567")?;
        match url::Url::parse(&sample) {
            Ok(parsed) if matches!(parsed.scheme(), "http" | "https") && parsed.has_host() => {}
            Ok(_) => {
                return Err(LookupConfigError::BadScheme {
                    url: self.url.clone(),
                });
            }
            Err(e) => {
                return Err(LookupConfigError::BadUrl {
                    url: self.url.clone(),
                    reason: e.to_string(),
                });
            }
        }
        for (name, value) in &self.headers {
            let valid = axum::http::HeaderName::from_bytes(name.as_bytes()).is_ok()
                && axum::http::HeaderValue::from_str(value).is_ok();
            if !valid {
                return Err(LookupConfigError::BadHeader { name: name.clone() });
            }
        }
        if !(1..=MAX_TIMEOUT_MS).contains(&self.timeout_ms) {
            return Err(LookupConfigError::Timeout(self.timeout_ms));
        }
        let answer = &self.answer;
        for (key, pointer) in [
            ("list", &answer.list),
            ("name", &answer.name),
            ("company", &answer.company),
            ("email", &answer.email),
            ("url", &answer.url),
            ("fields", &answer.fields),
        ] {
            if !is_json_pointer(pointer) {
                return Err(LookupConfigError::BadPointer {
                    key,
                    pointer: pointer.clone(),
                });
            }
        }
        Ok(())
    }

    /// The request URL for a number: `e164` with its `+`, `national` the national
    /// significant number. Each value is URL-encoded (`+` becomes `%2B`).
    pub fn url_for(&self, e164: &str, national: &str) -> Result<String, LookupConfigError> {
        let digits = e164.trim_start_matches('+');
        let mut url = String::with_capacity(self.url.len() + 16);
        for part in self.parts()? {
            let value = match part {
                Part::Text(text) => {
                    url.push_str(text);
                    continue;
                }
                Part::E164 => e164,
                Part::Digits => digits,
                Part::National => national,
            };
            url.extend(url::form_urlencoded::byte_serialize(value.as_bytes()));
        }
        Ok(url)
    }

    fn parts(&self) -> Result<Vec<Part<'_>>, LookupConfigError> {
        let mut parts = Vec::new();
        let mut rest = self.url.as_str();
        // Bounded: every pass consumes at least the `{` it found.
        while let Some(open) = rest.find('{') {
            parts.push(Part::Text(&rest[..open]));
            let after = &rest[open + 1..];
            let close = after.find('}');
            let name = close.map_or(after, |close| &after[..close]);
            parts.push(match (name, close) {
                ("e164", Some(_)) => Part::E164,
                ("digits", Some(_)) => Part::Digits,
                ("national", Some(_)) => Part::National,
                _ => {
                    return Err(LookupConfigError::UnknownUrlVariable {
                        url: self.url.clone(),
                        variable: format!("{{{name}{}", if close.is_some() { "}" } else { "" }),
                    });
                }
            });
            rest = &after[name.len() + 1..];
        }
        parts.push(Part::Text(rest));
        Ok(parts)
    }

    /// Applies one `TRUBKA_RELAY_DIRECTORY_LOOKUP_*` variable (name after that prefix) to
    /// `lookup`, creating the section with its defaults when the file has none. Only the URL
    /// and the `Authorization` header (a secret some keep out of files) are read from the
    /// environment; `Ok(false)` for any other name.
    pub(crate) fn apply_env(
        lookup: &mut Option<LookupConfig>,
        key: &str,
        value: String,
    ) -> Result<bool, String> {
        match key {
            // Empty: no lookup, whatever the file says.
            "URL" if value.is_empty() => *lookup = None,
            "URL" => lookup.get_or_insert_with(LookupConfig::default).url = value,
            "AUTHORIZATION" => {
                let headers = &mut lookup.get_or_insert_with(LookupConfig::default).headers;
                headers.retain(|name, _| !name.eq_ignore_ascii_case("authorization"));
                if !value.is_empty() {
                    headers.insert("Authorization".to_owned(), value);
                }
            }
            _ => return Ok(false),
        }
        Ok(true)
    }
}

/// `""`, or `/`-separated tokens whose `~` is always `~0` or `~1` (RFC 6901).
fn is_json_pointer(pointer: &str) -> bool {
    if pointer.is_empty() {
        return true;
    }
    pointer.starts_with('/')
        && pointer
            .split('~')
            .skip(1)
            .all(|after| after.starts_with(['0', '1']))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_url(url: &str) -> LookupConfig {
        LookupConfig {
            url: url.to_owned(),
            ..LookupConfig::default()
        }
    }

    #[test]
    fn the_number_goes_into_the_url_encoded_in_each_form() {
        let lookup = with_url("https://crm.example.com/find?phone={e164}&d={digits}&n={national}");
        lookup.validate().unwrap();
        assert_eq!(
            lookup.url_for("+79261234567", "9261234567").unwrap(),
            "https://crm.example.com/find?phone=%2B79261234567&d=79261234567&n=9261234567"
        );
        let plain = with_url("http://10.0.0.5:8080/api/phones");
        assert_eq!(
            plain.url_for("+79261234567", "9261234567").unwrap(),
            "http://10.0.0.5:8080/api/phones"
        );
    }

    #[test]
    fn a_section_that_cannot_work_is_refused_with_what_to_fix() {
        assert_eq!(with_url(" ").validate(), Err(LookupConfigError::NoUrl));
        let err = with_url("https://crm/{phone}").validate().unwrap_err();
        assert!(
            matches!(&err, LookupConfigError::UnknownUrlVariable { variable, .. } if variable == "{phone}"),
            "{err:?}"
        );
        let err = with_url("https://crm/{e164").validate().unwrap_err();
        assert!(
            matches!(&err, LookupConfigError::UnknownUrlVariable { variable, .. } if variable == "{e164"),
            "{err:?}"
        );
        assert!(matches!(
            with_url("crm.example.com/{digits}").validate(),
            Err(LookupConfigError::BadUrl { .. })
        ));
        assert!(matches!(
            with_url("ftp://crm.example.com/{digits}").validate(),
            Err(LookupConfigError::BadScheme { .. })
        ));
        let mut lookup = with_url("https://crm/{digits}");
        lookup.headers.insert("Bad Name".to_owned(), "x".to_owned());
        assert!(matches!(
            lookup.validate(),
            Err(LookupConfigError::BadHeader { .. })
        ));
        let mut lookup = with_url("https://crm/{digits}");
        lookup.timeout_ms = 0;
        assert_eq!(lookup.validate(), Err(LookupConfigError::Timeout(0)));
        let mut lookup = with_url("https://crm/{digits}");
        lookup.answer.company = "client.company".to_owned();
        assert!(matches!(
            lookup.validate(),
            Err(LookupConfigError::BadPointer { key: "company", .. })
        ));
        lookup.answer.company = "/a~2b".to_owned();
        assert!(lookup.validate().is_err());
        lookup.answer.company = "/client/org~1name".to_owned();
        lookup.validate().unwrap();
    }

    #[test]
    fn every_error_reads_in_russian_and_in_english() {
        let errors = [
            LookupConfigError::NoUrl,
            LookupConfigError::UnknownUrlVariable {
                url: "https://crm/{phone}".to_owned(),
                variable: "{phone}".to_owned(),
            },
            LookupConfigError::BadUrl {
                url: "crm".to_owned(),
                reason: "relative URL without a base".to_owned(),
            },
            LookupConfigError::BadScheme {
                url: "ftp://crm".to_owned(),
            },
            LookupConfigError::BadHeader {
                name: "Bad Name".to_owned(),
            },
            LookupConfigError::Timeout(0),
            LookupConfigError::BadPointer {
                key: "name",
                pointer: "name".to_owned(),
            },
        ];
        for error in errors {
            let (ru, en) = (error.localized(Lang::Ru), error.localized(Lang::En));
            assert_eq!(trubka_core::cyrillic_outside_quotes(&en), "", "{en}");
            assert!(
                ru.chars().filter(|c| matches!(c, 'а'..='я')).count() > 3,
                "not Russian: {ru}"
            );
        }
    }

    /// docs/protocol.md's sample configuration states the defaults; this keeps it honest.
    #[test]
    fn the_documented_section_is_valid_and_shows_the_defaults() {
        let doc = include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../docs/protocol.md"
        ));
        let start = doc
            .find("\n[directory.lookup]")
            .expect("a [directory.lookup] section in protocol.md");
        let section = &doc[start..];
        let end = section
            .find("\n[updates]")
            .expect("[updates] after [directory.lookup]");
        #[derive(Deserialize)]
        struct File {
            directory: DirectoryConfig,
        }
        let file: File = toml::from_str(&section[..end]).unwrap();
        assert_eq!(file.directory.uis_sync, Some(UisSyncConfig::default()));
        let mut lookup = file.directory.lookup.expect("the lookup");
        lookup.validate().unwrap();
        assert_eq!(lookup.headers.len(), 1);
        lookup.url.clear();
        lookup.headers.clear();
        assert_eq!(lookup, LookupConfig::default());
    }

    #[test]
    fn the_environment_sets_the_url_and_the_authorization_only() {
        let mut lookup = None;
        assert_eq!(
            LookupConfig::apply_env(&mut lookup, "URL", "https://crm/{e164}".to_owned()),
            Ok(true)
        );
        assert_eq!(
            LookupConfig::apply_env(&mut lookup, "AUTHORIZATION", "Bearer s3".to_owned()),
            Ok(true)
        );
        assert_eq!(
            LookupConfig::apply_env(&mut lookup, "TIMEOUT", "5".to_owned()),
            Ok(false)
        );
        let set = lookup.clone().unwrap();
        assert_eq!(set.url, "https://crm/{e164}");
        assert_eq!(set.headers["Authorization"], "Bearer s3");
        assert_eq!(set.timeout_ms, LookupConfig::default().timeout_ms);
        LookupConfig::apply_env(&mut lookup, "URL", String::new()).unwrap();
        assert_eq!(lookup, None);
    }

    #[test]
    fn the_uis_sync_interval_is_checked_and_set_from_the_environment() {
        let section: DirectoryConfig =
            toml::from_str("[uis_sync]\ninterval_minutes = 60\n").unwrap();
        assert_eq!(section.uis_sync.as_ref().unwrap().interval_minutes, 60);
        assert!(toml::from_str::<DirectoryConfig>("[uis_sync]\nevery = 1\n").is_err());
        for minutes in [0, MAX_SYNC_MINUTES + 1] {
            let error = UisSyncConfig {
                interval_minutes: minutes,
            }
            .validate()
            .unwrap_err();
            assert!(error.localized(Lang::Ru).contains("нужно от 1 до 1440"));
            assert!(error.localized(Lang::En).contains("between 1 and 1440"));
        }
        let mut sync = None;
        assert_eq!(
            UisSyncConfig::apply_env(&mut sync, "MINUTES", "5"),
            Ok(true)
        );
        assert_eq!(
            sync,
            Some(UisSyncConfig {
                interval_minutes: 5
            })
        );
        assert!(UisSyncConfig::apply_env(&mut sync, "MINUTES", "often").is_err());
        assert_eq!(UisSyncConfig::apply_env(&mut sync, "EVERY", "5"), Ok(false));
        UisSyncConfig::apply_env(&mut sync, "MINUTES", "").unwrap();
        assert_eq!(sync, None);
    }
}
