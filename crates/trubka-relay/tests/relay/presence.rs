//! Presence (`GET|PUT /v1/presence`, `GET /v1/presence/reasons`, the `presence` frame) over
//! real HTTP against the real PBX simulator: a status set through the relay reaches both
//! PBXs and routing follows it; a status changed in the cabinet (the PBX's own API, not the
//! relay) shows after the read-back; who is on a call; every refusal.

use serde_json::{Value, json};
use trubka_core::EventKind;
use trubka_pbx::sipuni::SipuniStatus;
use trubka_pbx::{SipuniClient, SipuniConfig, UisClient, UisConfig};
use trubka_protocol::ServerFrame;
use trubka_protocol::control::{AgentPresence, PresenceStatus};
use trubka_relay::NewAgent;

use crate::common::{FolderRelay, Got, Stream};
use crate::support::{ANNA_EXT, IGOR_UIS, Pbx, anna, igor, until_kind};

/// The simulator's UIS statuses: «Не беспокоить» and the admin's «Обед».
const UIS_DND: u64 = 3;
const UIS_LUNCH: u64 = 7;

fn maria_sipuni_only(new: &mut NewAgent) {
    new.sipuni_ext = Some("203".to_owned());
}

async fn start() -> Pbx {
    Pbx::start(|_| {}, |sim| sim.speed = 20.0).await
}

async fn put(pbx: &Pbx, token: &str, body: Value) -> (u16, Value) {
    let response = pbx
        .http
        .put(pbx.relay_url("/v1/presence"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    crate::common::read_json(response).await
}

async fn get(pbx: &Pbx, token: &str, path: &str) -> (u16, Value) {
    let response = pbx
        .http
        .get(pbx.relay_url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    crate::common::read_json(response).await
}

/// The presence of `name` in `GET /v1/presence`.
async fn presence_of(pbx: &Pbx, token: &str, name: &str) -> Value {
    let (status, body) = get(pbx, token, "/v1/presence").await;
    assert_eq!(status, 200, "{body}");
    body["agents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["agent"] == name)
        .cloned()
        .unwrap_or_else(|| panic!("{name} in {body}"))
}

/// The next `presence` frame on `stream`, skipping events.
async fn next_presence(stream: &mut Stream) -> AgentPresence {
    // Bounded by the stream's own per-frame wait.
    loop {
        match stream.next_frame().await {
            Got::Frame(ServerFrame::Presence { presence }) => return *presence,
            Got::Frame(
                ServerFrame::Event { .. }
                | ServerFrame::CaughtUp { .. }
                | ServerFrame::Case { .. }
                | ServerFrame::Directory { .. },
            ) => {}
            other => panic!("expected a presence frame, got {other:?}"),
        }
    }
}

/// The UIS Data API and Sipuni API as the cabinet would change them: straight at the
/// simulator, not through the relay.
fn cabinet(pbx: &Pbx) -> (UisClient, SipuniClient) {
    let uis = UisClient::new(UisConfig {
        call_api_url: pbx.config.uis.call_api_url.clone(),
        data_api_url: pbx.config.uis.data_api_url.clone(),
        access_token: crate::support::UIS_KEY.to_owned(),
        ..UisConfig::default()
    })
    .unwrap();
    let sipuni = SipuniClient::new(SipuniConfig {
        api_url: pbx.config.sipuni.api_url.clone(),
        user: crate::support::SIPUNI_USER.to_owned(),
        secret: crate::support::SIPUNI_SECRET.to_owned(),
        timeout: std::time::Duration::from_secs(5),
    })
    .unwrap();
    (uis, sipuni)
}

#[tokio::test]
async fn a_break_set_through_the_relay_sends_the_next_call_to_a_colleague() {
    let pbx = start().await;
    let anna_token = pbx.agent("Анна", anna);
    let igor_token = pbx.agent("Игорь", igor);
    let mut igor_stream = pbx.listen(&igor_token).await;

    let (status, body) = put(
        &pbx,
        &anna_token,
        json!({"status": "break", "reason": "обед"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["agent"], "Анна");
    assert_eq!(body["status"], "break");
    assert_eq!(body["reason"], "обед");
    // Written to both PBXs the agent is on.
    let data = pbx.sim_requests("uis_data_api").await;
    let update = data
        .iter()
        .find(|r| r["operation"] == "update.employees")
        .unwrap();
    assert_eq!(update["params"]["params"]["id"], json!(2339292));
    assert_eq!(update["params"]["params"]["status_id"], json!(UIS_LUNCH));
    let sipuni = pbx.sim_requests("sipuni_api").await;
    let set = sipuni
        .iter()
        .find(|r| r["operation"] == "workplace/setUserStatus")
        .unwrap();
    assert_eq!(set["signature_ok"], true);
    assert_eq!(set["params"]["sipnumber"], ANNA_EXT);
    assert_eq!(set["params"]["status"], "1");
    // Colleagues hear of it at once.
    let heard = next_presence(&mut igor_stream).await;
    assert_eq!(heard.agent, "Анна");
    assert_eq!(heard.status, Some(PresenceStatus::Break));
    assert_eq!(heard.reason.as_deref(), Some("обед"));
    let anna_now = presence_of(&pbx, &igor_token, "Анна").await;
    assert_eq!(anna_now["status"], "break");

    // A call for Anna rings Igor instead.
    let call_id = pbx
        .sim_call(
            json!({"provider": "uis", "from": "+7 926 123-45-67", "employee": ANNA_EXT,
                         "ivr_seconds": 1, "ring_seconds": 1, "talk_seconds": 30}),
        )
        .await;
    let ringing = until_kind(&mut igor_stream, &call_id, EventKind::Ringing).await;
    let employee = ringing.last().unwrap().employee.clone().unwrap();
    assert_eq!(employee.id.as_deref(), Some(IGOR_UIS));

    // Back to work: available on both.
    let (status, body) = put(&pbx, &anna_token, json!({"status": "available"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body.get("reason"), None);
    let sipuni = pbx.sim_requests("sipuni_api").await;
    let last = sipuni
        .iter()
        .rfind(|r| r["operation"] == "workplace/setUserStatus")
        .unwrap();
    assert_eq!(last["params"]["status"], "0");
    pbx.stop().await;
}

#[tokio::test]
async fn a_status_changed_in_the_cabinet_shows_after_the_read_back() {
    let pbx = start().await;
    let anna_token = pbx.agent("Анна", anna);
    pbx.agent("Игорь", igor);
    pbx.agent("Мария", maria_sipuni_only);
    let (uis, sipuni) = cabinet(&pbx);

    // Never read yet: no status.
    assert_eq!(
        presence_of(&pbx, &anna_token, "Игорь").await["status"],
        Value::Null
    );
    pbx.presence.run_once().await;
    for name in ["Анна", "Игорь", "Мария"] {
        let now = presence_of(&pbx, &anna_token, name).await;
        assert_eq!(now["status"], "available", "{name}: {now}");
        assert_eq!(now["on_call"], false);
    }

    let mut stream = pbx.listen(&anna_token).await;
    uis.set_employee_status(IGOR_UIS.parse().unwrap(), UIS_DND)
        .await
        .unwrap();
    sipuni
        .set_user_status("203", SipuniStatus::Away)
        .await
        .unwrap();
    // Not shown until the relay reads it back.
    assert_eq!(
        presence_of(&pbx, &anna_token, "Игорь").await["status"],
        "available"
    );
    pbx.presence.run_once().await;
    let mut heard = [
        next_presence(&mut stream).await,
        next_presence(&mut stream).await,
    ];
    heard.sort_by(|a, b| a.agent.cmp(&b.agent));
    assert_eq!(
        (heard[0].agent.as_str(), heard[0].status),
        ("Игорь", Some(PresenceStatus::Dnd))
    );
    assert_eq!(
        (heard[1].agent.as_str(), heard[1].status),
        ("Мария", Some(PresenceStatus::Offline))
    );
    assert_eq!(
        presence_of(&pbx, &anna_token, "Игорь").await["status"],
        "dnd"
    );
    assert_eq!(
        presence_of(&pbx, &anna_token, "Мария").await["status"],
        "offline"
    );

    // An admin's own status reads as a break with its name.
    uis.set_employee_status(IGOR_UIS.parse().unwrap(), UIS_LUNCH)
        .await
        .unwrap();
    // Anna talks: the read-back shows her on a call.
    let call_id = pbx
        .sim_call(
            json!({"provider": "uis", "from": "+7 926 123-45-67", "employee": ANNA_EXT,
                         "ivr_seconds": 1, "ring_seconds": 1, "talk_seconds": 900}),
        )
        .await;
    until_kind(&mut stream, &call_id, EventKind::Answered).await;
    pbx.presence.run_once().await;
    let igor_now = presence_of(&pbx, &anna_token, "Игорь").await;
    assert_eq!(
        (&igor_now["status"], &igor_now["reason"]),
        (&json!("break"), &json!("Обед"))
    );
    let anna_now = presence_of(&pbx, &anna_token, "Анна").await;
    assert_eq!(anna_now["on_call"], true, "{anna_now}");
    assert_eq!(anna_now["status"], "available");
    pbx.stop().await;
}

#[tokio::test]
async fn break_reasons_come_from_the_cabinet_and_refusals_say_why() {
    let pbx = start().await;
    let anna_token = pbx.agent("Анна", anna);
    let maria = pbx.agent("Мария", maria_sipuni_only);
    let nobody = pbx.agent("Пётр", |_| {});

    let (status, body) = get(&pbx, &anna_token, "/v1/presence/reasons").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["reasons"], json!(["Обед", "Обучение"]));

    let (status, body) = put(
        &pbx,
        &anna_token,
        json!({"status": "break", "reason": "Сон"}),
    )
    .await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (422, &json!("unknown_reason"))
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Обучение")
    );
    let (status, body) = put(&pbx, &maria, json!({"status": "dnd"})).await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (422, &json!("not_supported"))
    );
    let (status, body) = put(&pbx, &nobody, json!({"status": "available"})).await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (422, &json!("not_configured"))
    );
    for bad in [
        json!({"status": "lunch"}),
        json!({"status": "available", "reason": "Обед"}),
        json!({}),
    ] {
        let (status, body) = put(&pbx, &anna_token, bad.clone()).await;
        assert_eq!(
            (status, &body["error"]["code"]),
            (400, &json!("bad_request")),
            "{bad}"
        );
    }
    // Nothing was written for any refusal.
    let written = pbx.sim_requests("uis_data_api").await;
    assert!(!written.iter().any(|r| r["operation"] == "update.employees"));
    let written = pbx.sim_requests("sipuni_api").await;
    assert!(written.is_empty(), "{written:?}");
    let (status, _) = get(&pbx, "trk_wrong", "/v1/presence").await;
    assert_eq!(status, 401);

    // A Sipuni break keeps the reason the agent gave, through the read-back too.
    let (status, body) = put(&pbx, &maria, json!({"status": "break", "reason": "Врач"})).await;
    assert_eq!(status, 200, "{body}");
    pbx.presence.run_once().await;
    let now = presence_of(&pbx, &maria, "Мария").await;
    assert_eq!(
        (&now["status"], &now["reason"]),
        (&json!("break"), &json!("Врач"))
    );
    pbx.stop().await;
}

#[tokio::test]
async fn a_silent_pbx_is_a_504_and_the_status_stays_as_it_was() {
    // A Data API that accepts connections and never answers.
    let (silent_addr, holding) = crate::support::silent_server().await;
    let pbx = Pbx::start(
        |config| {
            config.uis.data_api_url = format!("http://{silent_addr}/dataapi");
            config.pbx_timeout_secs = 1;
        },
        |_| {},
    )
    .await;
    let anna_token = pbx.agent("Анна", anna);
    let (status, body) = tokio::time::timeout(
        crate::common::WAIT,
        put(&pbx, &anna_token, json!({"status": "break"})),
    )
    .await
    .expect("the relay answers within its PBX timeout");
    assert_eq!(
        (status, &body["error"]["code"]),
        (504, &json!("pbx_timeout")),
        "{body}"
    );
    assert_eq!(
        presence_of(&pbx, &anna_token, "Анна").await["status"],
        Value::Null
    );
    // Nothing reached Sipuni either: the agent's status is not half set.
    assert!(pbx.sim_requests("sipuni_api").await.is_empty());
    holding.abort();
    pbx.stop().await;
}

/// The next `presence` frame about `name` on `stream`, skipping events, control notices and
/// other agents' presence.
async fn presence_frame_of(stream: &mut Stream, name: &str) -> AgentPresence {
    // Bounded by the stream's own per-frame wait.
    loop {
        match stream.next_frame().await {
            Got::Frame(ServerFrame::Presence { presence }) if presence.agent == name => {
                return *presence;
            }
            Got::Frame(_) => {}
            other => panic!("expected a presence frame of {name}, got {other:?}"),
        }
    }
}

/// The next `presence` frame that shows `name` on a call (or off one, `on_call` false),
/// skipping others: a read-back may announce a status meanwhile.
async fn on_call_frame(stream: &mut Stream, name: &str, on_call: bool) -> AgentPresence {
    // Bounded by the stream's own per-frame wait.
    loop {
        let heard = presence_frame_of(stream, name).await;
        if heard.on_call == on_call {
            return heard;
        }
    }
}

async fn hang_up(pbx: &Pbx, token: &str, call_id: &str) -> (u16, Value) {
    let response = pbx
        .http
        .post(pbx.relay_url(&format!("/v1/calls/{call_id}/control")))
        .bearer_auth(token)
        .json(&json!({"action": "hangup"}))
        .send()
        .await
        .unwrap();
    crate::common::read_json(response).await
}

async fn metrics(pbx: &Pbx) -> String {
    let response = pbx
        .http
        .get(pbx.relay_url("/metrics"))
        .send()
        .await
        .unwrap();
    response.text().await.unwrap()
}

#[tokio::test]
async fn on_a_call_follows_the_event_log_for_sipuni_and_between_uis_read_backs() {
    let pbx = Pbx::start(
        |_| {},
        |sim| {
            sim.speed = 20.0;
            sim.sipuni.missing_hangup_probability = 0.0;
        },
    )
    .await;
    let maria = pbx.agent("Мария", maria_sipuni_only);
    let anna_token = pbx.agent("Анна", anna);
    let igor_token = pbx.agent("Игорь", igor);
    let mut stream = pbx.listen(&igor_token).await;

    // A Sipuni call Мария answers: no read-back runs (Sipuni lists no calls anyway), the
    // event log puts her on a call, and colleagues hear of it.
    let sipuni_call = pbx
        .sim_call(
            json!({"provider": "sipuni", "from": "+7 926 123-45-67", "employee": "203",
                         "ivr_seconds": 1, "ring_seconds": 1, "talk_seconds": 900}),
        )
        .await;
    let heard = presence_frame_of(&mut stream, "Мария").await;
    assert!(heard.on_call, "{heard:?}");
    assert_eq!(heard.status, None, "no status was read or set");
    assert_eq!(
        presence_of(&pbx, &igor_token, "Мария").await["on_call"],
        true
    );
    assert_eq!(
        presence_of(&pbx, &igor_token, "Анна").await["on_call"],
        false
    );

    // A UIS call Анна answers shows before any read-back of `list.calls`, and the read-back
    // agrees.
    let uis_call = pbx
        .sim_call(
            json!({"provider": "uis", "from": "+7 926 765-43-21", "employee": ANNA_EXT,
                         "ivr_seconds": 1, "ring_seconds": 1, "talk_seconds": 900}),
        )
        .await;
    on_call_frame(&mut stream, "Анна", true).await;
    pbx.presence.run_once().await;
    assert_eq!(
        presence_of(&pbx, &igor_token, "Анна").await["on_call"],
        true
    );
    assert_eq!(
        presence_of(&pbx, &igor_token, "Мария").await["on_call"],
        true
    );

    // Each call ends: the event log takes them off it at once.
    let (status, body) = hang_up(&pbx, &maria, &sipuni_call).await;
    assert_eq!(status, 200, "{body}");
    on_call_frame(&mut stream, "Мария", false).await;
    // A colleague may not hang up another's call: refused before the PBX is asked.
    let (status, _) = hang_up(&pbx, &maria, &uis_call).await;
    assert_eq!(status, 403);
    let (status, body) = hang_up(&pbx, &anna_token, &uis_call).await;
    assert_eq!(status, 200, "{body}");
    on_call_frame(&mut stream, "Анна", false).await;
    assert_eq!(
        presence_of(&pbx, &igor_token, "Анна").await["on_call"],
        false
    );

    // /metrics counted the control actions, the read-back and a status write.
    let (status, _) = put(&pbx, &maria, json!({"status": "break"})).await;
    assert_eq!(status, 200);
    let (status, _) = put(&pbx, &maria, json!({"status": "dnd"})).await;
    assert_eq!(status, 422);
    let text = metrics(&pbx).await;
    for line in [
        "trubka_relay_control_actions_total{action=\"hangup\",outcome=\"done\"} 2\n",
        "trubka_relay_control_actions_total{action=\"hangup\",outcome=\"not_allowed\"} 1\n",
        "trubka_relay_control_actions_total{action=\"hold\",outcome=\"done\"} 0\n",
        "trubka_relay_presence_writes_total{outcome=\"done\"} 1\n",
        "trubka_relay_presence_writes_total{outcome=\"not_allowed\"} 1\n",
        "trubka_relay_presence_readbacks_total{provider=\"uis\",outcome=\"ok\"} 1\n",
        "trubka_relay_presence_readbacks_total{provider=\"sipuni\",outcome=\"ok\"} 1\n",
    ] {
        assert!(text.contains(line), "{line} in\n{text}");
    }
    pbx.stop().await;
}

/// A relay over the data folder `data` with no PBX API and no read-back: «on a call» can
/// come from its event log only.
async fn log_only_relay(data: &std::path::Path) -> FolderRelay {
    let config = trubka_relay::RelayConfig {
        presence_interval_secs: 0,
        ..trubka_relay::RelayConfig::default()
    };
    FolderRelay::start(data, config).await
}

/// What these tests ask of a relay restarted over its data folder.
impl FolderRelay {
    /// Whether `GET /v1/presence` shows `name` on a call.
    async fn on_call(&self, http: &reqwest::Client, token: &str, name: &str) -> bool {
        let response = http
            .get(format!("http://{}/v1/presence", self.addr))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let (status, body) = crate::common::read_json(response).await;
        assert_eq!(status, 200, "{body}");
        let agent = body["agents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["agent"] == name)
            .unwrap_or_else(|| panic!("{name} in {body}"));
        agent["on_call"].as_bool().unwrap()
    }

    /// Polls `GET /v1/presence` until `name`'s «on a call» is `on_call`, for at most
    /// [`crate::common::WAIT`].
    async fn until_on_call(&self, http: &reqwest::Client, token: &str, name: &str, on_call: bool) {
        let deadline = tokio::time::Instant::now() + crate::common::WAIT;
        while self.on_call(http, token, name).await != on_call {
            assert!(
                tokio::time::Instant::now() < deadline,
                "{name} never showed on_call = {on_call}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    /// `token`'s live stream.
    async fn listen(&self, token: &str) -> Stream {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let mut request = format!("ws://{}/v1/stream", self.addr)
            .into_client_request()
            .unwrap();
        request
            .headers_mut()
            .insert("authorization", format!("Bearer {token}").parse().unwrap());
        let (socket, _) = tokio::time::timeout(
            crate::common::WAIT,
            tokio_tungstenite::connect_async(request),
        )
        .await
        .expect("connect in time")
        .expect("stream accepted");
        Stream { socket }
    }
}

/// A UIS notification `name` of incoming call `session`, `minutes` from now as UIS writes
/// the time (Moscow local), for `employee` (none: the call only reached the line), with
/// `extra` fields.
fn uis_note(name: &str, session: u64, employee: Option<&str>, minutes: i64, extra: Value) -> Value {
    let moscow = chrono::FixedOffset::east_opt(3 * 3600).unwrap();
    let time = (chrono::Utc::now() + chrono::Duration::minutes(minutes))
        .with_timezone(&moscow)
        .format("%Y-%m-%d %H:%M:%S%.6f")
        .to_string();
    let mut note = json!({
        "notification_name": name,
        "notification_time": time,
        "call_session_id": session,
        "virtual_phone_number": "74951234567",
        "contact_phone_number": "79261234567",
        "direction": "in"
    });
    if let Some(employee) = employee {
        note["employee_id"] = json!(employee);
        note["employee_full_name"] = json!(format!("Сотрудник {employee}"));
    }
    for (key, value) in extra.as_object().unwrap() {
        note[key] = value.clone();
    }
    note
}

/// Call `session` reaching the line, ringing `employee` and answered by them, `minutes` from
/// now; no end.
fn uis_answered_call(session: u64, employee: &str, minutes: i64) -> Vec<Value> {
    let leg = session * 10;
    [
        ("Входящий звонок на виртуальный номер", None, json!({})),
        ("Ожидание ответа", Some(employee), json!({"leg_id": leg})),
        (
            "Начало разговора",
            Some(employee),
            json!({"leg_ids": [leg]}),
        ),
    ]
    .into_iter()
    .map(|(name, employee, extra)| uis_note(name, session, employee, minutes, extra))
    .collect()
}

/// The end of call `session`, `minutes` from now.
fn uis_call_end(session: u64, employee: &str, minutes: i64) -> Value {
    uis_note(
        "Завершение звонка",
        session,
        Some(employee),
        minutes,
        json!({"talk_time_duration": 115, "total_time_duration": 120, "wait_time_duration": 5}),
    )
}

#[tokio::test]
async fn a_call_going_on_when_the_relay_restarts_shows_at_once_and_ends_with_its_end() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let store = trubka_relay::Store::open(&data).unwrap();
    let add = |name: &str, employee: &str| {
        let new = NewAgent {
            name: name.to_owned(),
            uis_employee: Some(employee.to_owned()),
            ..NewAgent::default()
        };
        store.add_agent(&new).unwrap().1.0
    };
    let anna = add("Анна", "100");
    let igor = add("Игорь", "200");
    drop(store);
    let http = reqwest::Client::new();

    let relay = log_only_relay(&data).await;
    // Анна answered a call ten minutes ago and still talks. Игорь's call this morning ended;
    // another of his, answered five hours ago, never heard its end (lost): past the 4 hours
    // a call is believed to go on silent.
    relay.uis(&http, &uis_answered_call(1, "100", -10)).await;
    let mut igors = uis_answered_call(2, "200", -30);
    igors.push(uis_call_end(2, "200", -25));
    igors.extend(uis_answered_call(3, "200", -300));
    relay.uis(&http, &igors).await;
    relay.until_on_call(&http, &igor, "Анна", true).await;
    // Stopped mid-call; what the case worker holds is folded before it stops.
    relay.stop().await;

    // Started again on the same data folder: no event of the call has come since, and nothing
    // reads the PBX back, yet Анна is on a call as soon as the relay answers.
    let relay = log_only_relay(&data).await;
    relay.until_on_call(&http, &igor, "Анна", true).await;
    assert!(!relay.on_call(&http, &anna, "Игорь").await);
    let mut stream = relay.listen(&igor).await;

    // The end webhook takes her off it, announced to colleagues.
    relay.uis(&http, &[uis_call_end(1, "100", 0)]).await;
    on_call_frame(&mut stream, "Анна", false).await;
    assert!(!relay.on_call(&http, &igor, "Анна").await);
    relay.stop().await;

    // Nothing is left for the next start to take for a call going on.
    let conn = rusqlite::Connection::open(data.join("relay.db")).unwrap();
    let kept: i64 = conn
        .query_row("SELECT count(*) FROM calls_talking", [], |row| row.get(0))
        .unwrap();
    assert_eq!(kept, 0);
}
