//! `trubka-sim`: the PBX simulator's command line. It only parses flags into a
//! [`SimConfig`], binds the listener and runs the library until Ctrl-C.

use std::{net::SocketAddr, time::Duration};

use anyhow::Context as _;
use chrono::FixedOffset;
use clap::Parser;
use trubka_sim::{
    ApiOutcome, BackfillConfig, Employee, GeneratorConfig, IpRange, NotificationKind, SimConfig,
    UisComponent,
};
use url::Url;

/// A faithful UIS and Sipuni simulator: sends the notifications real calls produce to a
/// Trubka relay, serves their recordings, and serves the PBX APIs (UIS Call API at
/// /uis/callapi/v4.0, Data API at /uis/dataapi/v2.0, Sipuni API under /sipuni/api/).
///
/// Calls started through the APIs end by the dialled number's last two digits: 00 busy,
/// 99 no answer, 98 cancelled (the caller gives up while it rings), anything else answered
/// (see --api-outcome).
#[derive(Debug, Parser)]
#[command(name = "trubka-sim", version)]
struct Args {
    /// Address to listen on.
    #[arg(long, env = "TRUBKA_SIM_LISTEN", default_value = "127.0.0.1:8766")]
    listen: SocketAddr,
    /// Base URL of the relay that receives the notifications.
    #[arg(
        long,
        env = "TRUBKA_SIM_RELAY",
        default_value = "http://127.0.0.1:8765"
    )]
    relay: Url,
    /// Token of the relay's UIS hook URLs (`/hooks/uis/{token}/{kind}`).
    #[arg(long, env = "TRUBKA_SIM_UIS_HOOK_TOKEN")]
    uis_hook_token: String,
    /// Token of the relay's Sipuni hook URL (`/hooks/sipuni/{token}`).
    #[arg(long, env = "TRUBKA_SIM_SIPUNI_HOOK_TOKEN")]
    sipuni_hook_token: String,
    /// An employee as ID:NAME:EXTENSION (repeatable); default: a cast of three.
    #[arg(long = "uis-employee", value_name = "ID:NAME:EXTENSION")]
    employees: Vec<Employee>,
    /// UIS API access token the simulated Call/Data API accepts.
    #[arg(long, env = "TRUBKA_SIM_UIS_API_KEY")]
    uis_api_key: Option<String>,
    /// UIS account id (`app_id`).
    #[arg(long)]
    uis_app_id: Option<u64>,
    /// A UIS virtual number, digits (repeatable); default: three numbers.
    #[arg(long = "uis-line", value_name = "NUMBER")]
    uis_lines: Vec<String>,
    /// Sipuni cabinet number.
    #[arg(long, env = "TRUBKA_SIM_SIPUNI_USER")]
    sipuni_user: Option<String>,
    /// Sipuni integration secret the simulated API checks hashes with.
    #[arg(long, env = "TRUBKA_SIM_SIPUNI_SECRET")]
    sipuni_secret: Option<String>,
    /// Switch on «Услуга совершение звонков по API»: without it callback/call_number and
    /// callback/call_tree are refused, as in a new cabinet.
    #[arg(long)]
    sipuni_api_calls: bool,
    /// A Sipuni city number, digits (repeatable); default: two numbers.
    #[arg(long = "sipuni-line", value_name = "NUMBER")]
    sipuni_lines: Vec<String>,
    /// Base URL at which the relay and agents reach this simulator (recording links).
    #[arg(long, env = "TRUBKA_SIM_PUBLIC_URL")]
    public_url: Option<Url>,
    /// Generate a steady stream of calls.
    #[arg(long)]
    generate: bool,
    /// Calls per minute when generating.
    #[arg(long, default_value_t = 6.0)]
    rate: f64,
    /// Stop generating after this many calls.
    #[arg(long)]
    calls: Option<u64>,
    /// Seed for every random choice (reproducible runs).
    #[arg(long)]
    seed: Option<u64>,
    /// Time factor: 1 real time, 10 ten times faster, 0 no waiting between notifications.
    #[arg(long, default_value_t = 1.0)]
    speed: f64,
    /// Share of generated Sipuni calls whose first event 1 arrives twice.
    #[arg(long)]
    sipuni_duplicate_probability: Option<f64>,
    /// Share of generated Sipuni calls that never send event 2.
    #[arg(long)]
    sipuni_missing_hangup_probability: Option<f64>,
    /// Share of generated Sipuni calls delivered as GET query strings.
    #[arg(long)]
    sipuni_get_probability: Option<f64>,
    /// Which UIS notifications the account has, as an integration guide sets them up:
    /// trubka (one per event type, per-kind URLs, as `trubka-relay uis-templates` prints),
    /// omnidesk, usedesk, salebot or envycrm (exactly what that seed's guide configures), or
    /// salebot-all (Salebot's template on every event type it fits, the guide's other reading).
    #[arg(long, default_value = "trubka", value_name = "SETUP")]
    uis_setup: trubka_sim::uis_setup::UisSetup,
    /// Do not send «Потерянный звонок» after a lost UIS call's «Завершение звонка» (the
    /// trubka setup).
    #[arg(long)]
    no_lost_call_notification: bool,
    /// Send the UIS notifications to this base URL instead of the relay (the hook path is
    /// kept): a cabinet whose notifications point at a wrong address, which the Data API's
    /// get.notifications then reports.
    #[arg(long, value_name = "URL")]
    uis_notification_url: Option<Url>,
    /// Client address or CIDR range the UIS API accepts (repeatable; 0.0.0.0/0 for every
    /// IPv4 address). Without any, as in a new cabinet, every address gets -32003
    /// ip_not_whitelisted.
    #[arg(long = "uis-allowed-ip", value_name = "IP[/BITS]")]
    uis_allowed_ips: Vec<IpRange>,
    /// Points per minute of each UIS API (every method costs one point).
    #[arg(long, default_value_t = 60)]
    uis_minute_limit: u64,
    /// Points per day (the account's day) of each UIS API.
    #[arg(long, default_value_t = 10_000)]
    uis_day_limit: u64,
    /// The UIS account's time zone as a UTC offset (`+05:00` for Yekaterinburg): notification
    /// times, Data API dates and `get.account` follow it.
    #[arg(long, default_value = "+03:00", value_parser = parse_offset)]
    uis_utc_offset: FixedOffset,
    /// The Sipuni cabinet's time zone as a UTC offset: `statistic/export` follows it.
    #[arg(long, default_value = "+03:00", value_parser = parse_offset)]
    sipuni_utc_offset: FixedOffset,
    /// A contact number the UIS Call API refuses with contact_in_blacklist (repeatable).
    #[arg(long = "uis-blacklist", value_name = "NUMBER")]
    uis_blacklist: Vec<String>,
    /// A UIS tariff option to switch off (repeatable): call_api_basic, call_api_management,
    /// call_api_scenario, data_api.
    #[arg(long = "uis-disable-component", value_name = "COMPONENT")]
    uis_disabled_components: Vec<UisComponent>,
    /// A UIS method the access token's user has no right to (repeatable), answered
    /// `forbidden`: e.g. create.tags.
    #[arg(long = "uis-forbid-method", value_name = "METHOD")]
    uis_forbidden_methods: Vec<String>,
    /// How calls started through the PBX APIs end: by-number (00 busy, 99 no answer,
    /// 98 cancelled, else answered), or always answered, missed, busy or cancelled.
    #[arg(long, default_value = "by-number")]
    api_outcome: ApiOutcome,
    /// A notification kind no call sends (repeatable): started, ringing, answered,
    /// leg_ended, ended, recording. The calls still appear in the history APIs.
    #[arg(long = "drop-notification", value_name = "KIND")]
    drop_notifications: Vec<NotificationKind>,
    /// UIS calls of the past to start the history with (never notified).
    #[arg(long, default_value_t = 0)]
    backfill_uis: u32,
    /// Sipuni calls of the past to start the history with (never notified).
    #[arg(long, default_value_t = 0)]
    backfill_sipuni: u32,
    /// Days before the start that back-filled calls are spread over.
    #[arg(long, default_value_t = 7)]
    backfill_days: u32,
    /// Tries per notification (first included) on connection errors and 5xx.
    #[arg(long, default_value_t = 4)]
    delivery_attempts: u32,
    /// Timeout of one request to the relay, in seconds.
    #[arg(long, default_value_t = 10)]
    delivery_timeout: u64,
}

impl Args {
    fn into_config(self) -> SimConfig {
        let mut config = SimConfig::new(self.relay, self.uis_hook_token, self.sipuni_hook_token);
        if !self.employees.is_empty() {
            config.employees = self.employees;
        }
        config.uis.api_key = self.uis_api_key;
        if let Some(app_id) = self.uis_app_id {
            config.uis.app_id = app_id;
        }
        if !self.uis_lines.is_empty() {
            config.uis.lines = self.uis_lines;
        }
        config.uis.setup = self.uis_setup;
        config.uis.lost_call_notification = !self.no_lost_call_notification;
        config.uis.notification_base = self.uis_notification_url;
        if let Some(user) = self.sipuni_user {
            config.sipuni.user = user;
        }
        config.sipuni.secret = self.sipuni_secret;
        config.sipuni.api_calls = self.sipuni_api_calls;
        if !self.sipuni_lines.is_empty() {
            config.sipuni.lines = self.sipuni_lines;
        }
        if let Some(p) = self.sipuni_duplicate_probability {
            config.sipuni.duplicate_event1_probability = p;
        }
        if let Some(p) = self.sipuni_missing_hangup_probability {
            config.sipuni.missing_hangup_probability = p;
        }
        if let Some(p) = self.sipuni_get_probability {
            config.sipuni.get_probability = p;
        }
        config.public_url = self.public_url;
        config.speed = self.speed;
        config.seed = self.seed;
        config.generator = self.generate.then_some(GeneratorConfig {
            calls_per_minute: self.rate,
            calls: self.calls,
        });
        config.uis.allowed_ips = self.uis_allowed_ips;
        config.uis.minute_limit = self.uis_minute_limit;
        config.uis.day_limit = self.uis_day_limit;
        config.uis.blacklist = self.uis_blacklist;
        config.uis.disabled_components = self.uis_disabled_components;
        config.uis.forbidden_methods = self.uis_forbidden_methods;
        config.uis.utc_offset = self.uis_utc_offset;
        config.sipuni.utc_offset = self.sipuni_utc_offset;
        config.api_outcome = self.api_outcome;
        config.drop_notifications = self.drop_notifications;
        config.backfill =
            (self.backfill_uis > 0 || self.backfill_sipuni > 0).then_some(BackfillConfig {
                uis_calls: self.backfill_uis,
                sipuni_calls: self.backfill_sipuni,
                days: self.backfill_days,
            });
        config.delivery.attempts = self.delivery_attempts;
        config.delivery.timeout = Duration::from_secs(self.delivery_timeout.max(1));
        config
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let args = Args::parse();
    let listen = args.listen;
    let config = args.into_config();
    config.validate().context("invalid options")?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    trubka_sim::run(listener, config, async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot wait for Ctrl-C; stopping");
        }
    })
    .await
    .context("simulator failed")
}

/// A UTC offset as people write it: `+05:00`, `-03:30`, `+5`. (The relay has its own, more
/// forgiving reader; the simulator shares no code with what it tests.)
fn parse_offset(text: &str) -> Result<FixedOffset, String> {
    let bad = || format!("`{text}` is not a UTC offset like +05:00");
    let text = text.trim();
    let (sign, rest) = match text.as_bytes().first() {
        Some(b'+') => (1, &text[1..]),
        Some(b'-') => (-1, &text[1..]),
        _ => return Err(bad()),
    };
    let (hours, minutes) = rest.split_once(':').unwrap_or((rest, "0"));
    let hours: i32 = hours.parse().map_err(|_| bad())?;
    let minutes: i32 = minutes.parse().map_err(|_| bad())?;
    if hours > 14 || minutes > 59 {
        return Err(bad());
    }
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60)).ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::parse_offset;

    #[test]
    fn offsets_are_read_with_a_sign() {
        let east = |text: &str| parse_offset(text).map(|o| o.local_minus_utc() / 60);
        assert_eq!(east("+05:00"), Ok(300));
        assert_eq!(east("+5"), Ok(300));
        assert_eq!(east("-03:30"), Ok(-210));
        for bad in ["5", "", "+25", "+05:75", "Asia/Omsk"] {
            assert!(parse_offset(bad).is_err(), "{bad}");
        }
    }
}
