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

#[path = "walkthrough/guide.rs"]
mod guide;

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener as StdListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use clap::Parser;
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use trubka_agent::EngineEvent;
use trubka_agent::profile::Profile;
use trubka_sim::{IpRange, SimConfig, UisComponent};
use url::Url;

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

/// A cabinet set up wrong in one way, or a slip of the admin's, and the troubleshooting row
/// (found by `key`) that tells the admin what to do about it.
struct Fault {
    pbx: Pbx,
    key: &'static str,
    sim: fn(&mut SimConfig),
    /// What the admin typed instead of what the guide says: `(from, to)` in a filled block.
    slip: Option<(&'static str, &'static str)>,
    /// Beyond the row's phrases: what only the real run can say (the address UIS saw).
    also: &'static [&'static str],
    /// Shows only after UIS sent notifications: a call is played, then the guide's last
    /// `check` is run again.
    after_call: bool,
}

/// The cabinet as the guide sets it up.
const SET_UP: fn(&mut SimConfig) = |_| {};

const FAULTS: &[Fault] = &[
    Fault {
        pbx: Pbx::Uis,
        key: "Ключ API UIS неверен",
        // The key in the cabinet is another one than the admin pasted.
        sim: |sim| sim.uis.api_key = Some("a-key-made-later".to_owned()),
        slip: None,
        also: &[],
        after_call: false,
    },
    Fault {
        pbx: Pbx::Uis,
        key: "IP-адреса релея",
        sim: |sim| sim.uis.allowed_ips = vec!["203.0.113.0/24".parse::<IpRange>().unwrap()],
        slip: None,
        also: &["127.0.0.1"],
        after_call: false,
    },
    Fault {
        pbx: Pbx::Uis,
        key: "не подключён Data API",
        sim: |sim| sim.uis.disabled_components = vec![UisComponent::DataApi],
        slip: None,
        also: &[],
        after_call: false,
    },
    Fault {
        pbx: Pbx::Uis,
        key: "Call API Базовый набор",
        sim: |sim| sim.uis.disabled_components = vec![UisComponent::CallApiBasic],
        slip: None,
        also: &[],
        after_call: false,
    },
    Fault {
        pbx: Pbx::Sipuni,
        key: "Sipuni отклонил запрос",
        sim: |sim| sim.sipuni.secret = Some("a-secret-made-later".to_owned()),
        slip: None,
        also: &[],
        after_call: false,
    },
    Fault {
        pbx: Pbx::Sipuni,
        key: "Услуга совершение звонков по API",
        sim: |sim| sim.sipuni.api_calls = false,
        slip: None,
        also: &[],
        after_call: false,
    },
    // The key not pasted: the guide's «…» left in relay.toml.
    Fault {
        pbx: Pbx::Uis,
        key: "это не ключ",
        sim: SET_UP,
        slip: Some(("api_key = \"walkthrough-uis-key\"", "api_key = \"…\"")),
        also: &[],
        after_call: false,
    },
    Fault {
        pbx: Pbx::Sipuni,
        key: "это не ключ",
        sim: SET_UP,
        slip: Some(("secret = \"walkthrough-sipuni-secret\"", "secret = \"…\"")),
        also: &[],
        after_call: false,
    },
    Fault {
        pbx: Pbx::Uis,
        key: "сотрудника UIS с ID",
        sim: SET_UP,
        slip: Some(("--uis-employee 2339292", "--uis-employee 2339929")),
        also: &["2339929"],
        after_call: false,
    },
    Fault {
        pbx: Pbx::Sipuni,
        key: "внутреннего номера",
        sim: SET_UP,
        slip: Some(("--sipuni-ext 201", "--sipuni-ext 210")),
        also: &["210"],
        after_call: false,
    },
    // The cabinet number through a spreadsheet: its leading zero lost.
    Fault {
        pbx: Pbx::Sipuni,
        key: "номер кабинета Sipuni",
        sim: SET_UP,
        slip: Some(("user = \"064629\"", "user = \"64629\"")),
        also: &[],
        after_call: false,
    },
    // The notifications point at an address that is not the relay's.
    Fault {
        pbx: Pbx::Uis,
        key: "адрес не этого релея",
        sim: |sim| {
            sim.uis.notification_base = Some(Url::parse("http://127.0.0.1:1/").unwrap());
            sim.delivery.attempts = 1;
        },
        slip: None,
        also: &["адрес не этого релея"],
        after_call: true,
    },
    // They carry the token of an earlier installation.
    Fault {
        pbx: Pbx::Uis,
        key: "не токен этого релея",
        sim: |sim| sim.uis.hook_token = "token-of-an-earlier-relay".to_owned(),
        slip: None,
        also: &["не токен этого релея"],
        after_call: true,
    },
];

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
                fault.key
            );
            let failed: Vec<&str> = text.lines().filter(|l| l.starts_with('✗')).collect();
            let said = |phrase: &str| failed.iter().any(|l| l.contains(phrase));
            let promised = guide::promised(&guide::read(name), fault.key);
            assert!(
                promised.iter().any(|pieces| pieces.iter().all(|p| said(p))),
                "{name}: the troubleshooting row promises ✗ {promised:?}; check said\n{text}"
            );
            for phrase in fault.also {
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
                running.token_in("UIS webhook URL:", "/hooks/uis/"),
                running.token_in("Sipuni webhook URL:", "/hooks/sipuni/"),
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
                let hook = match pbx {
                    Pbx::Uis => running.line_starting("UIS webhook URL:"),
                    Pbx::Sipuni => running.line_starting("Sipuni webhook URL:"),
                };
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

/// `trubka-cli listen` on the profile at `home`: the engine the command runs, until the card
/// of a call the simulator plays to the guide's agent.
async fn first_card(home: &Path, place: &Place, pbx: Pbx) -> String {
    let engine = trubka_agent::Engine::open(Profile::at(home).unwrap())
        .await
        .unwrap();
    let mut events = engine.subscribe();
    engine.start().unwrap();
    // The guide says the first two UIS notifications are enough for the first card: the
    // cabinet sends only those.
    let call = match pbx {
        Pbx::Uis => json!({
            "provider": "uis",
            "employee": UIS_EMPLOYEE,
            "drop_notifications": ["answered", "leg_ended", "ended", "recording"],
        }),
        Pbx::Sipuni => json!({"provider": "sipuni", "employee": SIPUNI_EXT}),
    };
    let response = reqwest::Client::new()
        .post(format!("http://{}/sim/calls", place.sim))
        .json(&call)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 202);
    let body: serde_json::Value = response.json().await.unwrap();
    let call = body["call_id"].as_str().unwrap().to_owned();
    let card = tokio::time::timeout(WAIT, async {
        loop {
            match events.recv().await {
                Ok(EngineEvent::Card { card, .. }) if card.call.call_id == call => return card,
                Ok(_) => {}
                Err(error) => panic!("the engine's events ended: {error}"),
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("no card of {call} within {WAIT:?}"));
    engine.stop();
    assert!(
        card.call.phone.is_some(),
        "the card has the caller's number"
    );
    card.call.call_id
}

/// Plays a call of the guide's agent and waits until the simulator has sent (or failed to
/// send) its last notification.
async fn play_and_wait(place: &Place, pbx: Pbx) {
    let (call, last) = match pbx {
        Pbx::Uis => (
            json!({"provider": "uis", "employee": UIS_EMPLOYEE}),
            "Завершение звонка",
        ),
        Pbx::Sipuni => (json!({"provider": "sipuni", "employee": SIPUNI_EXT}), "2"),
    };
    let http = reqwest::Client::new();
    let response = http
        .post(format!("http://{}/sim/calls", place.sim))
        .json(&call)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 202);
    let body: serde_json::Value = response.json().await.unwrap();
    let id = body["call_id"].as_str().unwrap().to_owned();
    tokio::time::timeout(WAIT, async {
        loop {
            let deliveries: serde_json::Value = http
                .get(format!("http://{}/sim/deliveries", place.sim))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let handled = deliveries.as_array().unwrap().iter().any(|d| {
                d["call_id"] == id.as_str() && d["what"].as_str().is_some_and(|w| w.contains(last))
            });
            if handled {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("the simulator did not send {last} of {id} in time"));
}

/// Where this walk's relay lives, and the guide's text with it filled in.
struct Place {
    config: PathBuf,
    data: PathBuf,
    port: u16,
    sim: SocketAddr,
    /// A folder with `trubka-relay` in it, first on the scripts' PATH.
    bin: PathBuf,
    calls: PathBuf,
}

impl Place {
    fn new(dir: &Path) -> Place {
        let bin = dir.join("bin");
        std::fs::create_dir(&bin).unwrap();
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_trubka-relay"), bin.join("trubka-relay"))
            .unwrap();
        let port = StdListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        Place {
            config: dir.join("relay.toml"),
            data: dir.join("relay-data"),
            port,
            sim: ([127, 0, 0, 1], 0).into(),
            bin,
            calls: dir.join("trubka-cli.calls"),
        }
    }

    fn relay_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The guide's `text` with this machine's values for what the guide cannot know.
    fn fill(&self, text: &str, token: Option<&str>) -> String {
        let mut text = text
            .replace("/etc/trubka/relay.toml", &self.config.display().to_string())
            .replace("/var/lib/trubka-relay", &self.data.display().to_string())
            .replace("https://relay.example.com", &self.relay_url())
            .replace("127.0.0.1:8765", &format!("127.0.0.1:{}", self.port))
            .replace("api_key = \"…\"", &format!("api_key = \"{UIS_KEY}\""))
            .replace("secret = \"…\"", &format!("secret = \"{SIPUNI_SECRET}\""));
        if let Some(token) = token {
            text = text.replace("trk_…", token);
        }
        assert!(
            !text.contains('…'),
            "a value the walkthrough cannot fill in:\n{text}"
        );
        text
    }

    /// The environment every command runs in: the PBX API addresses of the simulator, and
    /// nothing of the machine's own relay settings.
    fn command(&self, script: &str) -> Command {
        let mut command = Command::new("bash");
        command.args(["-euo", "pipefail", "-c", script]);
        for (name, _) in std::env::vars() {
            if name.starts_with("TRUBKA_RELAY_") {
                command.env_remove(name);
            }
        }
        let path = std::env::var_os("PATH").unwrap_or_default();
        let path = std::env::join_paths(
            std::iter::once(self.bin.clone()).chain(std::env::split_paths(&path)),
        )
        .unwrap();
        let sim = self.sim;
        command
            .env("PATH", path)
            .env("RUST_LOG", "warn")
            .env(
                "TRUBKA_RELAY_UIS_CALL_API_URL",
                format!("http://{sim}/uis/callapi/v4.0"),
            )
            .env(
                "TRUBKA_RELAY_UIS_DATA_API_URL",
                format!("http://{sim}/uis/dataapi/v2.0"),
            )
            .env("TRUBKA_RELAY_UIS_MEDIA_BASE", format!("http://{sim}"))
            .env(
                "TRUBKA_RELAY_SIPUNI_API_URL",
                format!("http://{sim}/sipuni/api"),
            )
            .stdin(Stdio::null());
        command
    }

    /// Runs a block to its end.
    async fn run(&self, script: &str) -> Output {
        let mut command = self.command(script);
        tokio::time::timeout(WAIT, tokio::task::spawn_blocking(move || command.output()))
            .await
            .unwrap_or_else(|_| panic!("{script} did not end within {WAIT:?}"))
            .unwrap()
            .unwrap()
    }

    /// The `trubka-cli` invocations of a block, each as its arguments: bash reads the block
    /// (quotes, line continuations) and a function in place of the program writes them down.
    fn cli_calls(&self, script: &str) -> Vec<Vec<String>> {
        let record = format!(
            "trubka-cli() {{ printf '%s\\0' \"$@\" >> {calls:?}; printf '\\n' >> {calls:?}; }}\n{script}",
            calls = self.calls.display().to_string()
        );
        let _ = std::fs::remove_file(&self.calls);
        let output = self.command(&record).output().unwrap();
        assert!(output.status.success(), "{script}: {output:?}");
        std::fs::read_to_string(&self.calls)
            .unwrap()
            .lines()
            .map(|line| {
                line.split('\0')
                    .filter(|arg| !arg.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .collect()
    }
}

/// `trubka-relay serve`, started from the guide's block; killed when dropped.
struct Running {
    child: Child,
    banner: Vec<String>,
}

impl Running {
    /// Starts the block (`exec`: the process is the relay) and reads what it prints up to
    /// the line that says it listens.
    fn serve(place: &Place, script: &str) -> Running {
        let mut child = place
            .command(&format!("exec {}", script.trim()))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (lines, banner) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                if lines.send(line).is_err() {
                    return;
                }
            }
        });
        let mut running = Running {
            child,
            banner: Vec::new(),
        };
        loop {
            let line = banner
                .recv_timeout(WAIT)
                .unwrap_or_else(|_| panic!("serve said nothing more after {:?}", running.banner));
            let done = line.starts_with("UIS route URL:");
            running.banner.push(line);
            if done {
                return running;
            }
        }
    }

    fn line_starting(&self, label: &str) -> String {
        let line = self.banner.iter().find(|l| l.starts_with(label));
        let line = line.unwrap_or_else(|| panic!("serve printed no {label:?}: {:?}", self.banner));
        line[label.len()..].trim().to_owned()
    }

    /// The hook token in the URL serve printed after `label`.
    fn token_in(&self, label: &str, path: &str) -> String {
        let url = self.line_starting(label);
        let at = url
            .find(path)
            .unwrap_or_else(|| panic!("{url} has no {path}"));
        url[at + path.len()..].trim_end_matches('/').to_owned()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Every `trubka-relay` and `trubka-cli` line in the README and the guides, marked or not
/// (the README's cheat sheets, `manager set`, …), is accepted by the program's own argument
/// parser: a renamed subcommand or flag fails here rather than at an admin's prompt. bash
/// reads each line (quotes, continuations, comments); the README's `a | b | c` shorthand for
/// several `trubka-cli` commands is read as that.
#[test]
fn every_command_in_the_readme_and_guides_parses() {
    let dir = tempfile::tempdir().unwrap();
    let calls = dir.path().join("calls");
    let mut seen = 0;
    for name in [
        "../README.md",
        "setup-uis.md",
        "setup-uis.en.md",
        "setup-sipuni.md",
        "setup-sipuni.en.md",
    ] {
        for line in command_lines(&guide::read(name)) {
            let script = format!(
                "record() {{ printf '%s\\0' \"$@\" >> {calls:?}; printf '\\n' >> {calls:?}; }}\n\
                 trubka-relay() {{ record trubka-relay \"$@\"; }}\n\
                 trubka-cli() {{ record trubka-cli \"$@\"; }}\n\
                 sudo() {{ \"$@\"; }}\n{line}",
                calls = calls.display().to_string()
            );
            let _ = std::fs::remove_file(&calls);
            let output = Command::new("bash")
                .args(["-euo", "pipefail", "-c", &script])
                .stdin(Stdio::null())
                .output()
                .unwrap();
            assert!(output.status.success(), "{name}: {line}: {output:?}");
            let recorded = std::fs::read_to_string(&calls).unwrap_or_default();
            for call in recorded.lines() {
                let argv: Vec<&str> = call.split('\0').filter(|a| !a.is_empty()).collect();
                let parsed = match argv[0] {
                    "trubka-relay" => trubka_relay::cli::Cli::try_parse_from(&argv)
                        .map(drop)
                        .map_err(|e| e.to_string()),
                    _ => trubka_agent::cli::Cli::try_parse_from(&argv)
                        .map(drop)
                        .map_err(|e| e.to_string()),
                };
                if let Err(error) = parsed {
                    panic!("{name}: {line}\n{error}");
                }
                seen += 1;
            }
        }
    }
    // The README's and the four guides' commands: far more than a handful.
    assert!(seen >= 40, "only {seen} commands found");
}

/// The lines of the code blocks of `text` that run `trubka-relay` or `trubka-cli` (after an
/// optional `sudo`), with `\` continuations joined and `a | b` shorthands spelled out.
fn command_lines(text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut in_code = false;
    let mut pending = String::new();
    for raw in text.lines() {
        let line = raw.trim();
        if line.starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if !in_code {
            continue;
        }
        if !pending.is_empty() {
            pending.push(' ');
            pending.push_str(line.trim_end_matches('\\'));
            if !line.ends_with('\\') {
                lines.push(std::mem::take(&mut pending));
            }
            continue;
        }
        let program = line.strip_prefix("sudo ").unwrap_or(line);
        if !(program.starts_with("trubka-relay ") || program.starts_with("trubka-cli ")) {
            continue;
        }
        if line.ends_with('\\') {
            pending = line.trim_end_matches('\\').to_owned();
        } else if program.starts_with("trubka-cli ") && line.contains(" | ") {
            // «history --missed | followups | …»: each piece is a trubka-cli command.
            let mut pieces = line.split(" | ");
            lines.push(pieces.next().unwrap().to_owned());
            lines.extend(pieces.map(|piece| format!("trubka-cli {piece}")));
        } else {
            lines.push(line.to_owned());
        }
    }
    lines
}
