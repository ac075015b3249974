//! Call control and presence from the engine and `trubka-cli`, against a real relay and the
//! real PBX simulator (trubka-sim, in process), each on 127.0.0.1:0 and pointed at the other:
//! hold, resume and hang up the agent's own call (and hear of it as an engine event), a
//! colleague's hang-up refused in the relay's words, an attended transfer the colleague's
//! engine hears of, a break that `presence()` and a colleague's engine show, a supervisor
//! listening and whispering on a Sipuni call (`Engine::coach`, `trubka-cli coach`), and the
//! same through the command line.

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::broadcast;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use trubka_agent::Engine;
use trubka_agent::engine::{EngineError, EngineEvent};
use trubka_agent::profile::Profile;
use trubka_agent::relay_api::ApiError;
use trubka_agent::relay_client::ConnectionStatus;
use trubka_protocol::control::{
    AgentPresence, CoachMode, ControlAction, ControlDone, PresenceStatus,
};
use trubka_relay::{NewAgent, Relay, RelayConfig, Store};
use trubka_sim::SimConfig;

use crate::common::{WAIT, cli, text};

const UIS_HOOK: &str = "uis-hook-token";
const SIPUNI_HOOK: &str = "sipuni-hook-token";
const UIS_KEY: &str = "uis-api-key";
const SIPUNI_USER: &str = "064629";
const SIPUNI_SECRET: &str = "sipuni-secret";
/// The simulator's cast: UIS employee ids and Sipuni extensions.
const ANNA_UIS: &str = "2339292";
const ANNA_EXT: &str = "201";
const IGOR_UIS: &str = "2339293";
const IGOR_EXT: &str = "202";

/// A relay and the simulator, both serving.
struct Pbx {
    dir: tempfile::TempDir,
    relay_url: String,
    sim_url: String,
    data: std::path::PathBuf,
    http: reqwest::Client,
    relay_stop: oneshot::Sender<()>,
    relay_task: JoinHandle<Result<(), trubka_relay::RelayError>>,
    sim_stop: oneshot::Sender<()>,
    sim_task: JoinHandle<Result<(), trubka_sim::SimError>>,
}

impl Pbx {
    async fn start() -> Pbx {
        let dir = tempfile::tempdir().unwrap();
        let relay_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let sim_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let relay_addr: SocketAddr = relay_listener.local_addr().unwrap();
        let sim_addr: SocketAddr = sim_listener.local_addr().unwrap();

        let relay_base = url::Url::parse(&format!("http://{relay_addr}")).unwrap();
        let mut sim = SimConfig::new(relay_base, UIS_HOOK, SIPUNI_HOOK);
        sim.uis.api_key = Some(UIS_KEY.to_owned());
        sim.sipuni.secret = Some(SIPUNI_SECRET.to_owned());
        sim.sipuni.user = SIPUNI_USER.to_owned();
        sim.uis.allowed_ips = vec!["127.0.0.1".parse().unwrap()];
        sim.sipuni.api_calls = true;
        // Timeline milliseconds per real millisecond: a call is answered within about 100 ms.
        sim.speed = 20.0;
        sim.seed = Some(7);
        let (sim_stop, sim_stopped) = oneshot::channel::<()>();
        let sim_task = tokio::spawn(trubka_sim::run(sim_listener, sim, async move {
            let _ = sim_stopped.await;
        }));

        let data = dir.path().join("relay");
        let mut config = RelayConfig {
            listen: relay_addr,
            data_dir: data.clone(),
            ..RelayConfig::default()
        };
        config.uis.hook_token = Some(UIS_HOOK.to_owned());
        config.uis.api_key = Some(UIS_KEY.to_owned());
        config.uis.call_api_url = format!("http://{sim_addr}/uis/callapi/v4.0");
        config.uis.data_api_url = format!("http://{sim_addr}/uis/dataapi/v2.0");
        config.uis.media_base = format!("http://{sim_addr}");
        config.uis.virtual_number = Some("74951234567".to_owned());
        config.sipuni.hook_token = Some(SIPUNI_HOOK.to_owned());
        config.sipuni.user = Some(SIPUNI_USER.to_owned());
        config.sipuni.secret = Some(SIPUNI_SECRET.to_owned());
        config.sipuni.api_url = format!("http://{sim_addr}/sipuni/api");
        config.reconcile.interval_secs = 0;
        config.reconcile.grace_secs = 0;
        config.presence_interval_secs = 0;
        let relay = Relay::open(config).unwrap();
        let (relay_stop, relay_stopped) = oneshot::channel::<()>();
        let relay_task = tokio::spawn(relay.serve(relay_listener, async move {
            let _ = relay_stopped.await;
        }));
        Pbx {
            dir,
            relay_url: format!("http://{relay_addr}"),
            sim_url: format!("http://{sim_addr}"),
            data,
            http: reqwest::Client::new(),
            relay_stop,
            relay_task,
            sim_stop,
            sim_task,
        }
    }

    /// Adds an agent mapped on both PBXs; returns its token.
    fn agent(&self, name: &str, uis: &str, ext: &str) -> String {
        self.add(name, uis, ext, false)
    }

    /// Adds a supervisor mapped on both PBXs; returns its token.
    fn supervisor(&self, name: &str, uis: &str, ext: &str) -> String {
        self.add(name, uis, ext, true)
    }

    fn add(&self, name: &str, uis: &str, ext: &str, supervisor: bool) -> String {
        let new = NewAgent {
            name: name.to_owned(),
            uis_employee: Some(uis.to_owned()),
            sipuni_ext: Some(ext.to_owned()),
            supervisor,
            ..NewAgent::default()
        };
        Store::open(&self.data)
            .unwrap()
            .add_agent(&new)
            .unwrap()
            .1
            .0
    }

    /// A signed-in engine of `token`, its stream connected; its events from before that.
    async fn engine(&self, name: &str, token: &str) -> (Engine, broadcast::Receiver<EngineEvent>) {
        let profile = Profile::at(self.dir.path().join(name)).unwrap();
        let engine = Engine::open(profile).await.unwrap();
        engine.login(&self.relay_url, token).await.unwrap();
        let events = engine.subscribe();
        let mut status = engine.status();
        engine.start().unwrap();
        tokio::time::timeout(
            WAIT,
            status.wait_for(|s| matches!(s, ConnectionStatus::Connected { .. })),
        )
        .await
        .expect("the stream connects")
        .unwrap();
        (engine, events)
    }

    /// A long incoming UIS call to the extension `employee`; its call id.
    async fn call(&self, employee: &str) -> String {
        self.call_on("uis", employee).await
    }

    /// A long incoming call on `provider` to the extension `employee`; its call id.
    async fn call_on(&self, provider: &str, employee: &str) -> String {
        let body = json!({"provider": provider, "from": "+7 926 123-45-67", "employee": employee,
                          "ivr_seconds": 1, "ring_seconds": 1, "talk_seconds": 900});
        let response = self
            .http
            .post(format!("{}/sim/calls", self.sim_url))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 202);
        let body: Value = response.json().await.unwrap();
        body["call_id"].as_str().unwrap().to_owned()
    }

    async fn stop(self) {
        let _ = self.sim_stop.send(());
        let _ = tokio::time::timeout(WAIT, self.sim_task).await;
        let _ = self.relay_stop.send(());
        tokio::time::timeout(WAIT, self.relay_task)
            .await
            .expect("relay stops in time")
            .unwrap()
            .unwrap();
    }
}

/// The next engine event `pick` takes, skipping the others; bounded by [`WAIT`].
async fn next_of<T>(
    events: &mut broadcast::Receiver<EngineEvent>,
    mut pick: impl FnMut(EngineEvent) -> Option<T>,
) -> T {
    tokio::time::timeout(WAIT, async {
        // Bounded by the timeout around it.
        loop {
            if let Some(found) = pick(events.recv().await.unwrap()) {
                return found;
            }
        }
    })
    .await
    .expect("the engine event comes")
}

/// Waits until the agent's card of `call_id` shows them talking.
async fn answered(events: &mut broadcast::Receiver<EngineEvent>, call_id: &str) {
    next_of(events, |event| match event {
        EngineEvent::Card { card, .. }
            if card.call.call_id == call_id
                && card.state == trubka_agent::cards::CardState::AnsweredHere =>
        {
            Some(())
        }
        _ => None,
    })
    .await;
}

/// Retries `action` while the simulator still moves the call into the state it needs
/// (409 `invalid_state`); bounded: 100 tries, 5 s.
async fn once_ready<F, Fut>(action: F) -> Result<ControlDone, EngineError>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<ControlDone, EngineError>>,
{
    let mut last = action().await;
    for _ in 0..100 {
        match &last {
            Err(EngineError::Api(ApiError::Relay { code, .. })) if code == "invalid_state" => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                last = action().await;
            }
            _ => break,
        }
    }
    last
}

/// `trubka-cli ARGS` again while the simulator still moves the call into the state the action
/// needs (409 `invalid_state`); bounded: 50 tries, 5 s.
async fn cli_once_ready(home: &std::path::Path, args: &[&str]) -> std::process::Output {
    let mut output = cli(home, args).await;
    for _ in 0..50 {
        if output.status.success() || !text(&output.stderr).contains("invalid_state") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        output = cli(home, args).await;
    }
    output
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agent_holds_resumes_and_hangs_up_their_own_call() {
    let pbx = Pbx::start().await;
    let anna_token = pbx.agent("Анна", ANNA_UIS, ANNA_EXT);
    let igor_token = pbx.agent("Игорь", IGOR_UIS, IGOR_EXT);
    let (anna, mut events) = pbx.engine("anna", &anna_token).await;
    let (igor, _) = pbx.engine("igor", &igor_token).await;

    let call_id = pbx.call(ANNA_EXT).await;
    answered(&mut events, &call_id).await;

    let offered = anna.actions(&call_id).await.unwrap();
    assert_eq!(offered.provider, "uis");
    for action in [
        ControlAction::Hold,
        ControlAction::Resume,
        ControlAction::Hangup,
    ] {
        assert!(offered.actions.contains(&action), "{offered:?}");
    }
    assert!(!offered.actions.contains(&ControlAction::Coach));

    let held = once_ready(|| anna.hold(&call_id)).await.unwrap();
    assert_eq!(
        (held.call_id.as_str(), held.action),
        (call_id.as_str(), ControlAction::Hold)
    );
    // Everyone following the call hears of it: the agent's own engine too.
    let notice = next_of(&mut events, |event| match event {
        EngineEvent::CallControl(notice) => Some(notice),
        _ => None,
    })
    .await;
    assert_eq!(notice.call_id, call_id);
    assert_eq!(notice.action, ControlAction::Hold);
    assert_eq!(notice.by, "Анна");

    let resumed = once_ready(|| anna.resume(&call_id)).await.unwrap();
    assert_eq!(resumed.action, ControlAction::Resume);

    // A colleague's call is not Igor's to end: refused in the relay's words, call untouched.
    let refused = igor.hangup(&call_id).await.unwrap_err();
    match &refused {
        EngineError::Api(ApiError::Relay {
            status: 403,
            code,
            message,
        }) => {
            assert_eq!(code, "not_your_call");
            assert!(!message.is_empty());
            assert!(refused.to_string().contains(message.as_str()), "{refused}");
        }
        other => panic!("expected 403 not_your_call, got {other:?}"),
    }

    let ended = anna.hangup(&call_id).await.unwrap();
    assert_eq!(ended.action, ControlAction::Hangup);
    // An ended call takes no more actions.
    let again = once_ready(|| anna.hold(&call_id)).await.unwrap_err();
    assert!(
        matches!(&again, EngineError::Api(ApiError::Relay { status: 409, code, .. }) if code == "call_ended"),
        "{again:?}"
    );

    anna.stop();
    igor.stop();
    pbx.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_attended_transfer_tells_the_colleague_and_moves_the_call_to_them() {
    let pbx = Pbx::start().await;
    let anna_token = pbx.agent("Анна", ANNA_UIS, ANNA_EXT);
    let igor_token = pbx.agent("Игорь", IGOR_UIS, IGOR_EXT);
    let (anna, mut events) = pbx.engine("anna", &anna_token).await;
    let (igor, mut igor_events) = pbx.engine("igor", &igor_token).await;
    let call_id = pbx.call(ANNA_EXT).await;
    answered(&mut events, &call_id).await;

    let started = once_ready(|| anna.transfer(&call_id, " игорь ", true))
        .await
        .unwrap();
    assert_eq!(started.action, ControlAction::Transfer);
    // The colleague's engine learns who transfers which call to him, and his phone rings
    // (the relay then holds an event that names him: the call may become his).
    let (mut notice, mut rung) = (None, false);
    // Bounded: each pass takes one frame of the two kinds, within WAIT.
    for _ in 0..20 {
        if notice.is_some() && rung {
            break;
        }
        next_of(&mut igor_events, |event| match event {
            EngineEvent::CallControl(heard) if heard.call_id == call_id => {
                notice = Some(heard);
                Some(())
            }
            EngineEvent::Card { card, .. }
                if card.call.call_id == call_id
                    && card.state == trubka_agent::cards::CardState::RingingHere =>
            {
                rung = true;
                Some(())
            }
            _ => None,
        })
        .await;
    }
    assert!(rung, "Igor's phone rings");
    let notice = notice.expect("Igor hears of the transfer");
    assert_eq!(notice.action, ControlAction::Transfer);
    assert_eq!(notice.by, "Анна");
    assert_eq!(notice.to.as_deref(), Some("Игорь"));

    // Completed once Igor answered; then the call is his, not Anna's.
    let done = once_ready(|| anna.transfer_complete(&call_id))
        .await
        .unwrap();
    assert_eq!(done.action, ControlAction::TransferComplete);
    let refused = once_ready(|| anna.hold(&call_id)).await.unwrap_err();
    assert!(
        matches!(&refused, EngineError::Api(ApiError::Relay { status: 403, code, .. }) if code == "not_your_call"),
        "{refused:?}"
    );
    let held = once_ready(|| igor.hold(&call_id)).await;
    assert_eq!(held.unwrap().action, ControlAction::Hold);

    anna.stop();
    igor.stop();
    pbx.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_break_shows_in_presence_and_on_a_colleagues_engine() {
    let pbx = Pbx::start().await;
    let anna_token = pbx.agent("Анна", ANNA_UIS, ANNA_EXT);
    let igor_token = pbx.agent("Игорь", IGOR_UIS, IGOR_EXT);
    let (anna, _) = pbx.engine("anna", &anna_token).await;
    let (igor, mut igor_events) = pbx.engine("igor", &igor_token).await;

    let mine = anna
        .set_presence(PresenceStatus::Break, Some(" обед ".to_owned()))
        .await
        .unwrap();
    assert_eq!(mine.agent, "Анна");
    assert_eq!(mine.status, Some(PresenceStatus::Break));
    assert_eq!(mine.reason.as_deref(), Some("обед"));

    let everyone = igor.presence().await.unwrap();
    let anna_now: &AgentPresence = everyone
        .agents
        .iter()
        .find(|a| a.agent == "Анна")
        .expect("Анна in the list");
    assert_eq!(anna_now.status, Some(PresenceStatus::Break));
    assert_eq!(anna_now.reason.as_deref(), Some("обед"));
    let heard = next_of(&mut igor_events, |event| match event {
        EngineEvent::Presence(presence) => Some(presence),
        _ => None,
    })
    .await;
    assert_eq!(heard.agent, "Анна");
    assert_eq!(heard.status, Some(PresenceStatus::Break));

    // A reason goes only with a break: refused in words, nothing changed.
    let refused = anna
        .set_presence(PresenceStatus::Dnd, Some("обед".to_owned()))
        .await
        .unwrap_err();
    assert!(
        matches!(
            &refused,
            EngineError::Api(ApiError::Relay { status: 400, .. })
        ),
        "{refused:?}"
    );
    let still = anna.presence().await.unwrap();
    let anna_still = still.agents.iter().find(|a| a.agent == "Анна").unwrap();
    assert_eq!(anna_still.status, Some(PresenceStatus::Break));

    anna.stop();
    igor.stop();
    pbx.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_hold_transfer_and_hangup_from_the_command_line() {
    let pbx = Pbx::start().await;
    let anna_token = pbx.agent("Анна", ANNA_UIS, ANNA_EXT);
    pbx.agent("Игорь", IGOR_UIS, IGOR_EXT);
    let home = pbx.dir.path().join("cli");
    let login = cli(
        &home,
        &["login", "--relay", &pbx.relay_url, "--token", &anna_token],
    )
    .await;
    assert!(login.status.success(), "{}", text(&login.stderr));

    let set = cli(&home, &["status", "break", "обед"]).await;
    assert!(set.status.success(), "{}", text(&set.stderr));
    assert!(
        text(&set.stdout).contains("перерыв"),
        "{}",
        text(&set.stdout)
    );
    let table = cli(&home, &["status"]).await;
    assert!(table.status.success(), "{}", text(&table.stderr));
    let out = text(&table.stdout);
    let anna_row = out.lines().find(|l| l.contains("Анна")).expect(&out);
    assert!(
        anna_row.contains("перерыв") && anna_row.contains("обед"),
        "{out}"
    );
    assert!(out.lines().any(|l| l.contains("Игорь")), "{out}");

    // An unknown status is refused before any request.
    let bad = cli(&home, &["status", "lunch"]).await;
    assert!(!bad.status.success());

    // Back to work: on a break the PBX would send the call below to Igor.
    let back = cli(&home, &["status", "available"]).await;
    assert!(back.status.success(), "{}", text(&back.stderr));
    assert!(
        text(&back.stdout).contains("на месте"),
        "{}",
        text(&back.stdout)
    );

    // A call Anna watches from an engine of her own, to know when it is answered.
    let (watcher, mut events) = pbx.engine("watcher", &anna_token).await;
    let call_id = pbx.call(ANNA_EXT).await;
    answered(&mut events, &call_id).await;
    let held = cli_once_ready(&home, &["hold", &call_id]).await;
    assert!(held.status.success(), "{}", text(&held.stderr));
    assert!(
        text(&held.stdout).contains("на удержании"),
        "{}",
        text(&held.stdout)
    );
    let resumed = cli_once_ready(&home, &["resume", &call_id]).await;
    assert!(resumed.status.success(), "{}", text(&resumed.stderr));
    // A consultation with Igor, then back to the contact.
    let asked = cli_once_ready(
        &home,
        &["transfer", &call_id, "--to", "Игорь", "--attended"],
    )
    .await;
    assert!(asked.status.success(), "{}", text(&asked.stderr));
    assert!(
        text(&asked.stdout).contains("Игорь"),
        "{}",
        text(&asked.stdout)
    );
    let cancelled = cli_once_ready(&home, &["transfer", &call_id, "--cancel"]).await;
    assert!(cancelled.status.success(), "{}", text(&cancelled.stderr));
    assert!(
        text(&cancelled.stdout).contains("перевод отменён"),
        "{}",
        text(&cancelled.stdout)
    );
    // Neither a colleague nor --complete/--cancel: refused before any request.
    let bare = cli(&home, &["transfer", &call_id]).await;
    assert!(!bare.status.success());
    let hung = cli(&home, &["hangup", &call_id]).await;
    assert!(hung.status.success(), "{}", text(&hung.stderr));
    // Ended: a second hang-up is refused in the relay's words, and the command fails.
    let again = cli(&home, &["hangup", &call_id]).await;
    assert!(!again.status.success());
    assert!(
        text(&again.stderr).contains("call_ended"),
        "{}",
        text(&again.stderr)
    );

    watcher.stop();
    pbx.stop().await;
}

/// The relay's refusal code of `result`, or a panic naming what came instead.
fn refusal_code(result: Result<ControlDone, EngineError>) -> (u16, String) {
    match result {
        Err(EngineError::Api(ApiError::Relay { status, code, .. })) => (status, code),
        other => panic!("expected the relay's refusal, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supervisor_listens_and_whispers_on_a_call_and_an_agent_may_not() {
    let pbx = Pbx::start().await;
    let anna_token = pbx.agent("Анна", ANNA_UIS, ANNA_EXT);
    let maria_token = pbx.supervisor("Мария", "2339294", "203");
    let (anna, mut events) = pbx.engine("anna", &anna_token).await;
    let (maria, _) = pbx.engine("maria", &maria_token).await;
    let call_id = pbx.call_on("sipuni", ANNA_EXT).await;
    answered(&mut events, &call_id).await;

    // Sipuni offers the supervisor listen and whisper, and Anna no coach at all.
    let offered = maria.actions(&call_id).await.unwrap();
    assert_eq!(offered.provider, "sipuni");
    assert!(
        offered.actions.contains(&ControlAction::Coach),
        "{offered:?}"
    );
    assert_eq!(offered.coach_modes, [CoachMode::Listen, CoachMode::Whisper]);
    let anna_offered = anna.actions(&call_id).await.unwrap();
    assert!(!anna_offered.actions.contains(&ControlAction::Coach));

    let listening = maria
        .coach(&call_id, Some(CoachMode::Listen), None)
        .await
        .unwrap();
    assert_eq!(
        (listening.call_id.as_str(), listening.action),
        (call_id.as_str(), ControlAction::Coach)
    );
    // Sipuni needs a mode; an agent who is no supervisor may not coach at all.
    assert_eq!(
        refusal_code(maria.coach(&call_id, None, None).await),
        (400, "bad_request".to_owned())
    );
    assert_eq!(
        refusal_code(anna.coach(&call_id, Some(CoachMode::Listen), None).await),
        (403, "forbidden".to_owned())
    );

    // The same from the command line, whispering this time.
    let home = pbx.dir.path().join("cli-maria");
    let login = cli(
        &home,
        &["login", "--relay", &pbx.relay_url, "--token", &maria_token],
    )
    .await;
    assert!(login.status.success(), "{}", text(&login.stderr));
    let whisper = cli(&home, &["coach", &call_id, "--mode", "whisper"]).await;
    assert!(whisper.status.success(), "{}", text(&whisper.stderr));
    assert!(
        text(&whisper.stdout).contains("супервизором"),
        "{}",
        text(&whisper.stdout)
    );
    // Barge-in is no mode of either PBX: refused before any request.
    let barge = cli(&home, &["coach", &call_id, "--mode", "barge"]).await;
    assert!(!barge.status.success());

    anna.stop();
    maria.stop();
    pbx.stop().await;
}
