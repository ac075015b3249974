//! The setup guides, walked as an admin walks them, against trubka-sim.
//!
//! The test reads `docs/setup-uis.md`, `docs/setup-sipuni.md` and their English versions
//! itself: every code block marked `<!-- walkthrough -->` runs, in the guide's order. A `toml`
//! block is the relay's config file; every other block is a shell script run by bash with the
//! real `trubka-relay` binary on PATH. Only what cannot be the same on a test machine is
//! replaced: the config path, the data dir, the public URL and listening port (a free port on
//! 127.0.0.1), the API key or secret the guide leaves as «…», and the agent's token the guide
//! writes as `trk_…` (taken from the last line `agent add` printed, as the guide says). The
//! PBX's API addresses, which a real relay never changes, come from the environment
//! (`TRUBKA_RELAY_UIS_CALL_API_URL` …, as the guide says any key can).
//!
//! The simulator stands in for the cabinet set up as the guide says: the relay's address
//! allowed, «Услуга совершение звонков по API» on, notifications pointed at the URLs the relay
//! printed. `trubka-cli` lines are parsed and run by the CLI's own code (`login`); `listen` is
//! the same engine on the same profile, waiting for the first card of a call the simulator
//! plays. Then the walk is repeated with each fault in turn, switched on in the simulator (the
//! cabinet set up wrong) or typed into a command (the admin's slip), and `check` must print
//! what the guide's troubleshooting table promises for it, and exit with 1. Faults that only
//! show once UIS has sent notifications (pointed at another address, or with an earlier
//! relay's token) are checked after a call: the guide's last `check` is run again.
//!
//! The README's cheat sheets cannot run as they stand (a build, `sudo`, a `serve` in the
//! foreground): every `trubka-relay` and `trubka-cli` line there and in the guides is instead
//! given to the program's own argument parser.

#[path = "walkthrough/calls.rs"]
mod calls;
#[path = "walkthrough/commands.rs"]
mod commands;
#[path = "walkthrough/faults.rs"]
mod faults;
#[path = "walkthrough/guide.rs"]
mod guide;
#[path = "walkthrough/place.rs"]
mod place;

use std::process::Output;
use std::time::Duration;

use clap::Parser;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use trubka_sim::{IpRange, SimConfig};
use url::Url;

use calls::{first_card, play_and_wait};
use faults::{FAULTS, SET_UP};
use place::{Place, Running};

/// Longest wait for anything that should happen promptly.
const WAIT: Duration = Duration::from_secs(20);
/// What the admin pastes for «…» in the config: the key and the secret the cabinet gives.
const UIS_KEY: &str = "walkthrough-uis-key";
const SIPUNI_SECRET: &str = "walkthrough-sipuni-secret";
/// The employee the guides' `agent add` names (the simulator's Анна).
const UIS_EMPLOYEE: &str = "2339292";
const SIPUNI_EXT: &str = "201";

#[derive(Clone, Copy, Debug, PartialEq)]
enum Pbx {
    Uis,
    Sipuni,
}

/// What one walk through a guide ended with.
struct Walked {
    check: Output,
    /// The call the simulator played and the agent's engine showed a card of; a walk with a
    /// fault ends at `check` and the agent's login.
    card_of: Option<String>,
}

impl Walked {
    fn check_text(&self) -> String {
        String::from_utf8_lossy(&self.check.stdout).into_owned()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_uis_guide_reaches_a_first_card() {
    for name in ["setup-uis.md", "setup-uis.en.md"] {
        let walked = walk(name, Pbx::Uis, SET_UP, None, End::FirstCard).await;
        let text = walked.check_text();
        assert_eq!(walked.check.status.code(), Some(0), "{name}: check\n{text}");
        assert!(!text.contains('✗'), "{name}: check\n{text}");
        assert!(text.contains("✓ UIS Data API (get.account)"), "{text}");
        let card_of = walked.card_of.as_deref().unwrap_or_default();
        assert!(card_of.starts_with("uis:"), "{card_of}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_sipuni_guide_reaches_a_first_card() {
    for name in ["setup-sipuni.md", "setup-sipuni.en.md"] {
        let walked = walk(name, Pbx::Sipuni, SET_UP, None, End::FirstCard).await;
        let text = walked.check_text();
        assert_eq!(walked.check.status.code(), Some(0), "{name}: check\n{text}");
        assert!(!text.contains('✗'), "{name}: check\n{text}");
        assert!(text.contains("✓ Sipuni API (statistic/export)"), "{text}");
        let card_of = walked.card_of.as_deref().unwrap_or_default();
        assert!(card_of.starts_with("sipuni:"), "{card_of}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn each_fault_gets_the_message_the_guide_promises() {
    for fault in FAULTS {
        for name in match fault.pbx {
            Pbx::Uis => ["setup-uis.md", "setup-uis.en.md"],
            Pbx::Sipuni => ["setup-sipuni.md", "setup-sipuni.en.md"],
        } {
            let end = if fault.after_call {
                End::CheckAfterACall
            } else {
                End::Check
            };
            let walked = walk(name, fault.pbx, fault.sim, fault.slip, end).await;
            let text = walked.check_text();
            assert_eq!(
                walked.check.status.code(),
                Some(1),
                "{name}, {}: check\n{text}",
                fault.key_in(name)
            );
            let failed: Vec<&str> = text.lines().filter(|l| l.starts_with('✗')).collect();
            let said = |phrase: &str| failed.iter().any(|l| l.contains(phrase));
            let promised = guide::promised(&guide::read(name), fault.key_in(name));
            assert!(
                promised.iter().any(|pieces| pieces.iter().all(|p| said(p))),
                "{name}: the troubleshooting row promises ✗ {promised:?}; check said\n{text}"
            );
            for phrase in fault.also_in(name) {
                assert!(
                    said(phrase),
                    "{name}: ✗ {phrase:?} expected; check said\n{text}"
                );
            }
        }
    }
}

/// Where a walk ends, after the guide's blocks.
#[derive(Clone, Copy, PartialEq)]
enum End {
    /// At the guide's last `check`.
    Check,
    /// A call is played and the guide's last `check` run again.
    CheckAfterACall,
    /// The agent's first card, of a call the simulator plays.
    FirstCard,
}

/// The label `serve` prints before `pbx`'s webhook URL, in the language the guide `name` sets
/// (`language = "en"` in the English guides' config).
fn hook_label(name: &str, pbx: Pbx) -> &'static str {
    match (name.ends_with(".en.md"), pbx) {
        (false, Pbx::Uis) => "URL вебхуков UIS:",
        (false, Pbx::Sipuni) => "URL вебхуков Sipuni:",
        (true, Pbx::Uis) => "UIS webhook URL:",
        (true, Pbx::Sipuni) => "Sipuni webhook URL:",
    }
}

/// Walks guide `name` with the simulator changed by `fault` and the admin's `slip` in the
/// commands, to `end`.
async fn walk(
    name: &str,
    pbx: Pbx,
    fault: fn(&mut SimConfig),
    slip: Option<(&str, &str)>,
    end: End,
) -> Walked {
    let blocks = guide::blocks(&guide::read(name));
    assert!(
        !blocks.is_empty(),
        "{name} marks no block with {}",
        guide::MARK
    );
    let dir = tempfile::tempdir().unwrap();
    let mut place = Place::new(dir.path());
    let sim_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    place.sim = sim_listener.local_addr().unwrap();
    let mut sim_listener = Some(sim_listener);

    let mut relay: Option<Running> = None;
    let mut sim: Option<oneshot::Sender<()>> = None;
    let mut token: Option<String> = None;
    let mut check: Option<(Output, String)> = None;
    let mut cli: Vec<Vec<String>> = Vec::new();
    let mut printed_hooks = false;
    let mut slipped = false;
    for block in &blocks {
        let mut text = place.fill(&block.text, token.as_deref());
        if let Some((from, to)) = slip.filter(|(from, _)| text.contains(from)) {
            text = text.replace(from, to);
            slipped = true;
        }
        if block.lang == "toml" {
            std::fs::write(&place.config, &text).unwrap();
            continue;
        }
        assert!(
            block.lang.is_empty() || block.lang == "sh",
            "{name}: a {:?} block is marked to run",
            block.lang
        );
        if text.contains("trubka-relay serve") {
            let running = Running::serve(&place, &text);
            // The cabinet is set up with the URLs the relay printed.
            let mut config = SimConfig::new(
                Url::parse(&place.relay_url()).unwrap(),
                running.token_in(hook_label(name, Pbx::Uis), "/hooks/uis/"),
                running.token_in(hook_label(name, Pbx::Sipuni), "/hooks/sipuni/"),
            );
            cabinet_as_the_guide_says(&mut config);
            fault(&mut config);
            let (stop, stopped) = oneshot::channel::<()>();
            tokio::spawn(trubka_sim::run(
                sim_listener.take().expect("one serve per guide"),
                config,
                async move {
                    let _ = stopped.await;
                },
            ));
            sim = Some(stop);
            relay = Some(running);
        } else if text.contains("trubka-cli") {
            cli.extend(place.cli_calls(&text));
        } else {
            let output = place.run(&text).await;
            let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
            if text.contains("trubka-relay check") {
                check = Some((output, text));
                continue;
            }
            assert!(
                output.status.success(),
                "{name}: {text}\n{stdout}\n{}",
                String::from_utf8_lossy(&output.stderr)
            );
            if text.contains("agent add") {
                // «Последняя строка вывода — токен оператора».
                let last = stdout.lines().rev().find(|l| !l.trim().is_empty());
                let last = last.unwrap_or_default().trim().to_owned();
                assert!(
                    last.starts_with("trk_"),
                    "{name}: agent add printed\n{stdout}"
                );
                token = Some(last);
            }
            if text.contains("uis-templates") || text.contains("sipuni-setup") {
                let running = relay.as_ref().expect("the relay runs before its printouts");
                let hook = running.line_starting(hook_label(name, pbx));
                assert!(
                    stdout.contains(&hook),
                    "{name}: the printout names another URL than {hook}:\n{stdout}"
                );
                printed_hooks = true;
            }
        }
    }
    assert!(printed_hooks, "{name} never prints the URLs to paste");
    assert!(
        slip.is_none() || slipped,
        "{name} has no {slip:?} to get wrong"
    );
    let (mut check, check_script) =
        check.unwrap_or_else(|| panic!("{name} never runs trubka-relay check"));
    assert!(relay.is_some(), "{name} never starts the relay");

    // The agent's part: `trubka-cli login …`, then `trubka-cli listen`.
    let home = dir.path().join("agent");
    let mut listened = false;
    for args in &cli {
        match args.first().map(String::as_str) {
            Some("login") => {
                let mut argv = vec!["trubka-cli".to_owned(), "--home".to_owned()];
                argv.push(home.display().to_string());
                argv.extend(args.iter().cloned());
                let parsed = trubka_agent::cli::Cli::try_parse_from(argv).unwrap();
                trubka_agent::cli::run(parsed)
                    .await
                    .unwrap_or_else(|e| panic!("{name}: trubka-cli {args:?}: {e}"));
            }
            Some("listen") => listened = true,
            other => panic!("{name}: the walkthrough does not know trubka-cli {other:?}"),
        }
    }
    assert!(listened, "{name} never has the agent listen");
    let card_of = match end {
        End::Check => None,
        End::CheckAfterACall => {
            play_and_wait(&place, pbx).await;
            check = place.run(&check_script).await;
            None
        }
        End::FirstCard => Some(first_card(&home, &place, pbx).await),
    };

    if let Some(stop) = sim {
        let _ = stop.send(());
    }
    drop(relay);
    Walked { check, card_of }
}

/// The cabinet after the guide's steps: the key the admin copied, the relay's address on the
/// allow-list, calls by API switched on; calls play at once.
fn cabinet_as_the_guide_says(config: &mut SimConfig) {
    config.uis.api_key = Some(UIS_KEY.to_owned());
    config.uis.allowed_ips = vec!["127.0.0.1".parse::<IpRange>().unwrap()];
    config.sipuni.secret = Some(SIPUNI_SECRET.to_owned());
    config.sipuni.api_calls = true;
    config.speed = 0.0;
    config.seed = Some(14);
}
