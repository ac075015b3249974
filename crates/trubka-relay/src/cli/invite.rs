//! `trubka-relay agent invite NAME`, and the invite link `agent add` prints: a one-time
//! `{public_url}/join/{code}` the agent opens to sign in (see [`crate::invites`]).

use std::io::Write;

use chrono::{DateTime, TimeDelta, Utc};
use clap::Args;
use trubka_core::tr;

use super::CliError;
use crate::agents::Agent;
use crate::config::RelayConfig;
use crate::invites::{DEFAULT_VALIDITY, join_url, parse_validity};
use crate::store::Store;

/// How long a link made now works (`agent add` and `agent invite`).
#[derive(Debug, Clone, Args)]
pub struct Validity {
    /// How long the invite link works: minutes, hours or days (90m, 72h, 7d; at most 30d).
    #[arg(long, value_name = "DURATION", default_value = "72h", value_parser = parse_validity)]
    pub expires: TimeDelta,
}

impl Default for Validity {
    fn default() -> Validity {
        Validity {
            expires: DEFAULT_VALIDITY,
        }
    }
}

#[derive(Debug, Args)]
pub struct InviteAgent {
    /// The agent's name.
    pub name: String,
    #[command(flatten)]
    pub validity: Validity,
    /// The relay's public base URL (default: `public_url` of the config).
    #[arg(long, value_name = "URL")]
    pub public_url: Option<String>,
}

/// The public base URL links are made on, when there is one.
fn public_url<'a>(config: &'a RelayConfig, flag: Option<&'a str>) -> Option<&'a str> {
    flag.or(config.public_url.as_deref())
        .map(str::trim)
        .filter(|url| !url.is_empty())
}

fn until(expires_at: DateTime<Utc>) -> String {
    expires_at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// `agent invite NAME`: a new link; the agent's earlier unused links stop working.
pub(super) fn invite(
    config: &RelayConfig,
    store: &Store,
    args: &InviteAgent,
    out: &mut impl Write,
) -> Result<(), CliError> {
    let base = public_url(config, args.public_url.as_deref()).ok_or(CliError::NoPublicUrl)?;
    let invite = store.invite(&args.name, args.validity.expires)?;
    let (name, until) = (&invite.agent.name, until(invite.expires_at));
    let said = tr!(
        config.language,
        "Ссылка-приглашение для {name} (срабатывает один раз, до {until}; прежние ссылки \
         оператора больше не действуют). Вход по ней заменяет токен оператора: компьютер, где \
         он входил раньше, выйдет при следующем подключении.",
        "Invite link for {name} (works once, until {until}; earlier links of this agent no \
         longer work). Signing in with it replaces the agent's token: a PC signed in before \
         is signed out at its next connection."
    );
    writeln!(out, "{said}")?;
    writeln!(out, "{}", join_url(base, &invite.code.0))?;
    Ok(())
}

/// What `agent add` prints about the new agent's link, before the token line.
pub(super) fn after_add(
    config: &RelayConfig,
    store: &Store,
    agent: &Agent,
    validity: &Validity,
    out: &mut impl Write,
) -> Result<(), CliError> {
    let Some(base) = public_url(config, None) else {
        let name = &agent.name;
        let said = tr!(
            config.language,
            "Ссылки-приглашения нет: не задан public_url. Впишите в настройки https-адрес \
             релея и выполните: trubka-relay agent invite {name:?}",
            "No invite link: public_url is not set. Set it in the config to the relay's https \
             address, then run: trubka-relay agent invite {name:?}"
        );
        writeln!(out, "{said}")?;
        return Ok(());
    };
    let invite = store.invite(&agent.name, validity.expires)?;
    let until = until(invite.expires_at);
    let said = tr!(
        config.language,
        "Ссылка-приглашение (отправьте её оператору; срабатывает один раз, до {until}; вход \
         по ней заменяет токен ниже):",
        "Invite link (send it to the agent; works once, until {until}; signing in with it \
         replaces the token below):"
    );
    writeln!(out, "{said}")?;
    writeln!(out, "{}", join_url(base, &invite.code.0))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::super::Cli;
    use super::super::agent::tests::run;
    use super::*;
    use crate::agents::AgentToken;
    use crate::invites::{InviteCode, InviteState};
    use crate::store::StoreError;

    /// The code of the link in `out` on the relay `base`.
    fn code_in(out: &str, base: &str) -> InviteCode {
        let link = out
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{base}/join/")))
            .unwrap_or_else(|| panic!("no link in\n{out}"));
        InviteCode(link.to_owned())
    }

    #[test]
    fn add_prints_a_link_before_the_token_and_invite_makes_a_new_one() {
        let dir = tempfile::tempdir().unwrap();
        let mut config = RelayConfig {
            data_dir: dir.path().to_owned(),
            language: trubka_core::Lang::En,
            ..RelayConfig::default()
        };
        let out = run(&config, &["agent", "add", "--name", "Анна"]).unwrap();
        assert!(
            out.contains("No invite link: public_url is not set"),
            "{out}"
        );
        assert!(out.contains("trubka-relay agent invite \"Анна\""), "{out}");
        assert!(out.lines().last().unwrap().starts_with("trk_"), "{out}");
        assert!(matches!(
            run(&config, &["agent", "invite", "Анна"]),
            Err(CliError::NoPublicUrl)
        ));

        config.public_url = Some("https://relay.example.com/".to_owned());
        let out = run(
            &config,
            &["agent", "add", "--name", "Игорь", "--expires", "2h"],
        )
        .unwrap();
        let token = AgentToken(out.lines().last().unwrap().to_owned());
        assert!(token.0.starts_with("trk_"), "{out}");
        let first = code_in(&out, "https://relay.example.com");
        let store = Store::open(dir.path()).unwrap();
        let status = store.invite_status(&first).unwrap().unwrap();
        assert_eq!(status.state, InviteState::Valid);
        let left = status.expires_at - Utc::now();
        assert!(left <= TimeDelta::hours(2) && left > TimeDelta::minutes(110));

        let out = run(
            &config,
            &[
                "agent",
                "invite",
                "Игорь",
                "--public-url",
                "https://other.example",
            ],
        )
        .unwrap();
        assert!(out.contains("replaces the agent's token"), "{out}");
        let on_other = code_in(&out, "https://other.example");
        assert_eq!(
            store.invite_status(&first).unwrap().unwrap().state,
            InviteState::Revoked
        );
        config.language = trubka_core::Lang::Ru;
        let out = run(&config, &["agent", "invite", "Игорь"]).unwrap();
        assert!(out.contains("заменяет токен оператора"), "{out}");
        let second = code_in(&out, "https://relay.example.com");
        assert_eq!(
            store.invite_status(&on_other).unwrap().unwrap().state,
            InviteState::Revoked
        );
        let (_, new_token) = store.redeem_invite(&second).unwrap();
        assert!(store.agent_by_token(&token).unwrap().is_none());
        assert!(store.agent_by_token(&new_token).unwrap().is_some());

        let parses = |args: &[&str]| {
            Cli::try_parse_from(std::iter::once("trubka-relay").chain(args.iter().copied())).is_ok()
        };
        assert!(!parses(&["agent", "invite", "Игорь", "--expires", "31d"]));
        assert!(parses(&["agent", "invite", "Игорь", "--expires", "30d"]));
        assert!(matches!(
            run(&config, &["agent", "invite", "Никто"]),
            Err(CliError::Store(StoreError::NoSuchAgent(_)))
        ));
        // --expires is read with the arguments, before any agent is made.
        assert!(!parses(&[
            "agent",
            "add",
            "--name",
            "Пётр",
            "--expires",
            "1y"
        ]));
    }
}
