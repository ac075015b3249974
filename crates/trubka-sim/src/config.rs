//! The simulator's configuration: one typed struct, the only source of defaults.
//!
//! The binary fills [`SimConfig`] from its flags; tests and the demo build it with
//! [`SimConfig::new`] and change the fields they care about.

use std::{fmt, str::FromStr, time::Duration};

use chrono::FixedOffset;
use url::Url;

pub use crate::options::{ApiOutcome, IpRange, UisComponent};
use crate::{account, cast, error::SimError, request::NotificationKind, uis_setup::UisSetup};

/// An employee of the simulated call center, known to both PBXs.
///
/// UIS identifies employees by `id`; Sipuni by the short internal number (`extension`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Employee {
    /// UIS employee id (`employee_id` in notifications), e.g. `2339292`.
    pub id: u64,
    /// Full name as the PBX shows it (`employee_full_name`).
    pub name: String,
    /// Short internal number, e.g. `201` (Sipuni `short_dst_num`, UIS `extension_phone_number`).
    pub extension: String,
}

impl FromStr for Employee {
    type Err = SimError;

    /// Parses `ID:NAME:EXTENSION`; the name may itself contain colons.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let invalid = || SimError::InvalidEmployee(s.to_owned());
        let (id, rest) = s.split_once(':').ok_or_else(invalid)?;
        let (name, extension) = rest.rsplit_once(':').ok_or_else(invalid)?;
        let id = id.trim().parse().map_err(|_| invalid())?;
        let name = name.trim();
        let extension = extension.trim();
        if name.is_empty() || extension.is_empty() || !extension.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(invalid());
        }
        Ok(Self {
            id,
            name: name.to_owned(),
            extension: extension.to_owned(),
        })
    }
}

impl fmt::Display for Employee {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name, self.extension)
    }
}

/// The simulated UIS account.
#[derive(Debug, Clone)]
pub struct UisConfig {
    /// Token in the relay's UIS hook URLs: `/hooks/uis/{hook_token}/{kind}`.
    pub hook_token: String,
    /// Call API / Data API access token the API part of the simulator accepts.
    pub api_key: Option<String>,
    /// Account id (`app_id` in notifications).
    pub app_id: u64,
    /// Virtual numbers of the account, digits only (`74951234567`). Never empty.
    pub lines: Vec<String>,
    /// Which notifications the account has, after which integration guide
    /// ([`crate::uis_setup`]).
    pub setup: UisSetup,
    /// With the default setup, also send «Потерянный звонок» (to the `ended` URL) after
    /// «Завершение звонка» of a lost incoming call, as an account with both notifications
    /// configured receives.
    pub lost_call_notification: bool,
    /// Where the cabinet's notifications point instead of the relay (the hook path is kept):
    /// a notification set up with a wrong address, which `get.notifications` then reports.
    pub notification_base: Option<Url>,
    /// Client addresses the API accepts («Правила и настройки безопасности → API»). Empty,
    /// as a new cabinet starts, refuses every address with `-32003 ip_not_whitelisted`;
    /// `0.0.0.0/0` accepts every IPv4 address.
    pub allowed_ips: Vec<IpRange>,
    /// Points per minute of each API (Call API, Data API); every method costs one point.
    pub minute_limit: u64,
    /// Points per day (the account's day) of each API.
    pub day_limit: u64,
    /// Contact numbers the Call API refuses to call (`contact_in_blacklist`), digits.
    pub blacklist: Vec<String>,
    /// Tariff options switched off (`component_disabled`).
    pub disabled_components: Vec<UisComponent>,
    /// Methods the access token's user has no right to (`-32003 forbidden`, «Нет прав на
    /// доступ к методу»), e.g. `create.tags` for a key whose user may not edit tags.
    pub forbidden_methods: Vec<String>,
    /// The account's time zone: notification times and Data API dates are local to it, and
    /// `get.account` names it. Moscow (UTC+3) by default.
    pub utc_offset: FixedOffset,
}

/// Calls of the past the history starts with (never played, no notifications).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackfillConfig {
    /// UIS calls.
    pub uis_calls: u32,
    /// Sipuni calls.
    pub sipuni_calls: u32,
    /// Spread over this many days before the start.
    pub days: u32,
}

/// The simulated Sipuni cabinet.
#[derive(Debug, Clone)]
pub struct SipuniConfig {
    /// Token in the relay's Sipuni hook URL: `/hooks/sipuni/{hook_token}`.
    pub hook_token: String,
    /// Cabinet number (`user_id` in events), e.g. `064629`.
    pub user: String,
    /// Integration secret the API part of the simulator checks request hashes with.
    pub secret: Option<String>,
    /// «Услуга совершение звонков по API» is switched on: without it `callback/call_number`
    /// and `callback/call_tree` are refused (a new cabinet starts without it).
    pub api_calls: bool,
    /// `statistic/operators` answers (the cast's extensions). Off, it is an unknown method,
    /// as it would be if Sipuni had no such method: only medium-confidence sources show it.
    pub operators_list: bool,
    /// `statistic/export`'s `anonymous=1` hides calls from hidden numbers (and `0` lists
    /// them) instead of the default reading, the other way round: public sources disagree
    /// (open question 14), so clients are tested against both.
    pub anonymous_hides: bool,
    /// City numbers of the cabinet, digits only. Never empty.
    pub lines: Vec<String>,
    /// Share of generated calls whose first event 1 arrives twice (timestamp +1 s).
    pub duplicate_event1_probability: f64,
    /// Share of generated calls whose event 2 (hang-up) never arrives.
    pub missing_hangup_probability: f64,
    /// Share of generated calls whose event 3 carries only `call_id`, `timestamp`, `channel`.
    pub sparse_answer_probability: f64,
    /// Share of generated calls whose events are sent as GET query strings instead of forms.
    pub get_probability: f64,
    /// The cabinet's time zone: `statistic/export` times and days are local to it (webhook
    /// times are Unix seconds). Moscow (UTC+3) by default.
    pub utc_offset: FixedOffset,
}

/// The steady stream of calls of `--generate`.
#[derive(Debug, Clone, PartialEq)]
pub struct GeneratorConfig {
    /// Calls started per minute (wall-clock, not scaled by `speed`).
    pub calls_per_minute: f64,
    /// Stop after this many calls; `None` runs until shutdown.
    pub calls: Option<u64>,
}

/// How notifications reach the relay.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryConfig {
    /// Tries per notification, the first included; retried on connection errors and 5xx.
    pub attempts: u32,
    /// Wait before the first retry; doubled for each further retry.
    pub initial_backoff: Duration,
    /// Limit for one HTTP exchange with the relay.
    pub timeout: Duration,
}

/// Everything the simulator needs to run.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Base URL of the relay, e.g. `http://127.0.0.1:8765`; hooks are appended to its path.
    pub relay_url: Url,
    /// Base URL under which the relay and agents reach this simulator (recording links).
    /// `None`: `http://` and the listener's address (`0.0.0.0` becomes `127.0.0.1`).
    pub public_url: Option<Url>,
    /// The UIS account.
    pub uis: UisConfig,
    /// The Sipuni cabinet.
    pub sipuni: SipuniConfig,
    /// The call center's employees; both PBXs ring them. Never empty.
    pub employees: Vec<Employee>,
    /// Time factor: 1 plays calls in real time, 10 ten times faster, 0 sends every
    /// notification of a call back to back. Timestamps inside notifications always follow
    /// the call's own (unscaled) timeline.
    pub speed: f64,
    /// Seed for every random choice; `None` seeds from the OS.
    pub seed: Option<u64>,
    /// `Some` starts the generator.
    pub generator: Option<GeneratorConfig>,
    /// Delivery to the relay.
    pub delivery: DeliveryConfig,
    /// How calls started through the PBX APIs end.
    pub api_outcome: ApiOutcome,
    /// Notifications no call sends (on top of a request's own `drop_notifications`).
    pub drop_notifications: Vec<NotificationKind>,
    /// Past calls to fill the history with at start.
    pub backfill: Option<BackfillConfig>,
}

impl SimConfig {
    /// A configuration with the default account, cabinet and cast.
    pub fn new(
        relay_url: Url,
        uis_hook_token: impl Into<String>,
        sipuni_hook_token: impl Into<String>,
    ) -> Self {
        Self {
            relay_url,
            public_url: None,
            uis: UisConfig {
                hook_token: uis_hook_token.into(),
                api_key: None,
                app_id: cast::UIS_APP_ID,
                lines: cast::UIS_LINES.iter().map(|s| (*s).to_owned()).collect(),
                setup: UisSetup::default(),
                lost_call_notification: true,
                notification_base: None,
                allowed_ips: Vec::new(),
                minute_limit: 60,
                day_limit: 10_000,
                blacklist: Vec::new(),
                disabled_components: Vec::new(),
                forbidden_methods: Vec::new(),
                utc_offset: account::moscow_offset(),
            },
            sipuni: SipuniConfig {
                hook_token: sipuni_hook_token.into(),
                user: cast::SIPUNI_USER.to_owned(),
                secret: None,
                api_calls: false,
                operators_list: true,
                anonymous_hides: false,
                lines: cast::SIPUNI_LINES.iter().map(|s| (*s).to_owned()).collect(),
                duplicate_event1_probability: 0.3,
                missing_hangup_probability: 0.05,
                sparse_answer_probability: 0.2,
                get_probability: 0.1,
                utc_offset: account::moscow_offset(),
            },
            employees: cast::default_employees(),
            speed: 1.0,
            seed: None,
            generator: None,
            delivery: DeliveryConfig {
                attempts: 4,
                initial_backoff: Duration::from_millis(250),
                timeout: Duration::from_secs(10),
            },
            api_outcome: ApiOutcome::ByNumber,
            drop_notifications: Vec::new(),
            backfill: None,
        }
    }

    /// Checks ranges and consistency; [`crate::run`] calls it first.
    pub fn validate(&self) -> Result<(), SimError> {
        let bad = |msg: String| Err(SimError::Config(msg));
        if !(self.speed.is_finite() && self.speed >= 0.0) {
            return bad(format!(
                "speed must be 0 or a positive number, not {}",
                self.speed
            ));
        }
        if self.employees.is_empty() {
            return bad("at least one employee is needed".into());
        }
        for (i, a) in self.employees.iter().enumerate() {
            if self.employees[..i]
                .iter()
                .any(|b| b.id == a.id || b.extension == a.extension)
            {
                return bad(format!("employee {a} repeats an id or an extension"));
            }
        }
        if self.uis.hook_token.is_empty() || self.sipuni.hook_token.is_empty() {
            return bad("hook tokens must not be empty".into());
        }
        if self.relay_url.cannot_be_a_base() {
            return bad(format!("relay URL {} cannot carry a path", self.relay_url));
        }
        for (what, lines) in [("UIS", &self.uis.lines), ("Sipuni", &self.sipuni.lines)] {
            if lines.is_empty() {
                return bad(format!("the {what} account needs at least one line"));
            }
            if let Some(line) = lines
                .iter()
                .find(|l| l.is_empty() || !l.bytes().all(|b| b.is_ascii_digit()))
            {
                return bad(format!("{what} line {line:?} must be digits only"));
            }
        }
        if self.sipuni.user.is_empty() || !self.sipuni.user.bytes().all(|b| b.is_ascii_digit()) {
            return bad(format!(
                "Sipuni cabinet {:?} must be digits only",
                self.sipuni.user
            ));
        }
        let probabilities = [
            (
                "duplicate event 1",
                self.sipuni.duplicate_event1_probability,
            ),
            ("missing hang-up", self.sipuni.missing_hangup_probability),
            ("sparse answer", self.sipuni.sparse_answer_probability),
            ("GET", self.sipuni.get_probability),
        ];
        for (what, p) in probabilities {
            if !(0.0..=1.0).contains(&p) {
                return bad(format!("{what} probability {p} is outside 0..=1"));
            }
        }
        if let Some(generator) = &self.generator {
            let rate = generator.calls_per_minute;
            if !(rate.is_finite() && rate > 0.0 && rate <= 6000.0) {
                return bad(format!(
                    "rate must be in (0, 6000] calls per minute, not {rate}"
                ));
            }
        }
        if self.delivery.attempts == 0 || self.delivery.attempts > 10 {
            return bad("delivery attempts must be between 1 and 10".into());
        }
        if self.uis.minute_limit == 0 || self.uis.day_limit == 0 {
            return bad("UIS API limits must be at least 1 point".into());
        }
        if let Some(backfill) = &self.backfill {
            let calls = u64::from(backfill.uis_calls) + u64::from(backfill.sipuni_calls);
            if calls > crate::history::CAPACITY as u64 / 2 {
                return bad(format!(
                    "back-fill of {calls} calls exceeds {}",
                    crate::history::CAPACITY / 2
                ));
            }
            if backfill.days == 0 || backfill.days > 366 {
                return bad("back-fill days must be 1..=366".into());
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn employee_parses_names_with_colons_and_spaces() {
        let e: Employee = "2339292:Анна: старший смены:201".parse().unwrap();
        assert_eq!(e.id, 2339292);
        assert_eq!(e.name, "Анна: старший смены");
        assert_eq!(e.extension, "201");
        assert!("2339292:Анна".parse::<Employee>().is_err());
        assert!("x:Анна:201".parse::<Employee>().is_err());
        assert!("1::201".parse::<Employee>().is_err());
        assert!("1:Анна:20a".parse::<Employee>().is_err());
    }

    #[test]
    fn default_config_is_valid_and_checks_ranges() {
        let url = Url::parse("http://127.0.0.1:8765").unwrap();
        let mut config = SimConfig::new(url, "u", "s");
        config.validate().unwrap();
        config.speed = -1.0;
        assert!(config.validate().is_err());
        config.speed = 0.0;
        config.sipuni.get_probability = 1.5;
        assert!(config.validate().is_err());
        config.sipuni.get_probability = 0.0;
        config.employees.push(config.employees[0].clone());
        assert!(config.validate().is_err());
    }
}
