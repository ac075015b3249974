//! Call control (`POST /v1/calls/{call_id}/control`, `GET /v1/calls/{call_id}/actions`) over
//! real HTTP against the real PBX simulator: each action on the agent's own call, and every
//! refusal — another agent's call (nothing sent to the PBX), an ended call, the PBX refusing,
//! the PBX silent or slow (one deadline for the whole action), what a PBX cannot do.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use trubka_core::{CallEvent, EventKind};
use trubka_protocol::ServerFrame;
use trubka_protocol::control::{ControlAction, ControlNotice};
use trubka_relay::NewAgent;
use trubka_relay::metrics::actions::PbxOutcome;

use crate::common::{Got, Stream};

use crate::support::{ANNA_EXT, IGOR_EXT, IGOR_UIS, Pbx, anna, igor, until_kind};

/// Timeline milliseconds per real millisecond: a call is answered within about 100 ms and a
/// colleague rung by `make.call` answers within about 200 ms.
const SPEED: f64 = 20.0;

fn maria_supervisor(new: &mut NewAgent) {
    new.uis_employee = Some("2339294".to_owned());
    new.sipuni_ext = Some("203".to_owned());
    new.supervisor = true;
}

async fn start() -> Pbx {
    Pbx::start(|_| {}, |sim| sim.speed = SPEED).await
}

/// A long incoming call of `provider` to the extension `employee`, answered; its call id once
/// the agent's stream carried `answered`.
async fn talking(pbx: &Pbx, token: &str, provider: &str, employee: &str) -> String {
    let mut stream = pbx.listen(token).await;
    let call_id = pbx
        .sim_call(json!({"provider": provider, "from": "+7 926 123-45-67",
                         "employee": employee, "ivr_seconds": 1, "ring_seconds": 1,
                         "talk_seconds": 900}))
        .await;
    until_kind(&mut stream, &call_id, EventKind::Answered).await;
    stream.close().await;
    call_id
}

async fn control(pbx: &Pbx, token: &str, call_id: &str, body: Value) -> (u16, Value) {
    let response = pbx
        .http
        .post(pbx.relay_url(&format!("/v1/calls/{call_id}/control")))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    crate::common::read_json(response).await
}

async fn actions(pbx: &Pbx, token: &str, call_id: &str) -> (u16, Value) {
    pbx.get_as(token, &format!("/v1/calls/{call_id}/actions"))
        .await
}

/// The control methods (not lists) the simulator received, in order.
async fn control_methods(pbx: &Pbx) -> Vec<String> {
    let mut names = Vec::new();
    for api in ["uis_call_api", "sipuni_api"] {
        for request in pbx.sim_requests(api).await {
            let operation = request["operation"].as_str().unwrap_or_default();
            if !(operation.starts_with("list.")
                || operation.starts_with("start.")
                || operation.starts_with("callback/"))
            {
                names.push(operation.to_owned());
            }
        }
    }
    names
}

/// Frames of `call_id` on `stream` until its event of `kind`: its events, and the
/// call-control notices among them (other calls' events are skipped).
async fn follow(
    stream: &mut Stream,
    call_id: &str,
    kind: EventKind,
) -> (Vec<CallEvent>, Vec<ControlNotice>) {
    let (mut events, mut notices) = (Vec::new(), Vec::new());
    // Bounded by the stream's wait for each frame.
    loop {
        match stream.next().await {
            Got::Frame(ServerFrame::Event { event, .. }) if event.call_id.0 == call_id => {
                let done = event.kind == kind;
                events.push(*event);
                if done {
                    return (events, notices);
                }
            }
            Got::Frame(ServerFrame::Event { .. }) => {}
            Got::Frame(ServerFrame::CallControl { notice }) => notices.push(*notice),
            other => panic!("expected frames of {call_id}, got {other:?}"),
        }
    }
}

/// The next call-control notice on `stream`, skipping events.
async fn next_notice(stream: &mut Stream) -> ControlNotice {
    // Bounded by the stream's wait for each frame.
    loop {
        match stream.next().await {
            Got::Frame(ServerFrame::CallControl { notice }) => return *notice,
            Got::Frame(ServerFrame::Event { .. }) => {}
            other => panic!("expected a call-control notice, got {other:?}"),
        }
    }
}

/// Retries `action` while the simulator is still moving the call to the state it needs
/// (409 `invalid_state`); bounded: 5 s.
async fn once_ready(pbx: &Pbx, token: &str, call_id: &str, body: Value) -> (u16, Value) {
    let mut last = (0, Value::Null);
    for _ in 0..100 {
        last = control(pbx, token, call_id, body.clone()).await;
        if !(last.0 == 409 && last.1["error"]["code"] == "invalid_state") {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    last
}

#[tokio::test]
async fn hold_resume_and_hangup_on_the_agents_own_uis_call() {
    let pbx = start().await;
    let token = pbx.agent("Анна", anna);
    let maria = pbx.agent("Мария", maria_supervisor);
    let mut supervisor = pbx.listen(&maria).await;
    let call_id = talking(&pbx, &token, "uis", ANNA_EXT).await;

    let (status, body) = actions(&pbx, &token, &call_id).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["provider"], "uis");
    assert_eq!(
        body["actions"],
        json!([
            "hold",
            "resume",
            "hangup",
            "transfer",
            "transfer_complete",
            "transfer_cancel"
        ])
    );
    assert_eq!(body["attended_transfer"], true);

    let (status, body) = control(&pbx, &token, &call_id, json!({"action": "hold"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({"call_id": call_id, "action": "hold"}));
    // Every card of the call shows it: the supervisor's too.
    let notice = next_notice(&mut supervisor).await;
    assert_eq!(
        (notice.call_id.as_str(), notice.action, notice.by.as_str()),
        (call_id.as_str(), ControlAction::Hold, "Анна")
    );
    // Held already: UIS refuses, and the agent is told when hold works.
    let (status, body) = control(&pbx, &token, &call_id, json!({"action": "hold"})).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "invalid_state");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("удержание — только во время разговора"),
        "{body}"
    );
    let (status, body) = control(&pbx, &token, &call_id, json!({"action": "resume"})).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = control(&pbx, &token, &call_id, json!({"action": "hangup"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        control_methods(&pbx).await,
        ["hold.call", "hold.call", "unhold.call", "release.call"]
    );
    let hold = pbx.sim_requests("uis_call_api").await;
    let hold = hold.iter().find(|r| r["operation"] == "hold.call").unwrap();
    assert_eq!(hold["signature_ok"], true);
    assert_eq!(hold["params"]["params"]["contact_message"]["type"], "tts");

    // Over: refused whether the end was stored yet or UIS says the session is gone.
    let (status, body) = control(&pbx, &token, &call_id, json!({"action": "hold"})).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "call_ended");
    pbx.stop().await;
}

#[tokio::test]
async fn another_agents_call_is_refused_and_nothing_reaches_the_pbx() {
    let pbx = start().await;
    let anna_token = pbx.agent("Анна", anna);
    let igor_token = pbx.agent("Игорь", igor);
    let call_id = talking(&pbx, &anna_token, "uis", ANNA_EXT).await;
    let before = pbx.sim_requests("uis_call_api").await.len();

    for body in [
        json!({"action": "hold"}),
        json!({"action": "hangup"}),
        json!({"action": "transfer", "to": "Игорь"}),
        json!({"action": "transfer_complete"}),
    ] {
        let (status, answer) = control(&pbx, &igor_token, &call_id, body.clone()).await;
        assert_eq!(status, 403, "{body}: {answer}");
        assert_eq!(answer["error"]["code"], "not_your_call");
    }
    // A call the relay never heard of, and a coach without being a supervisor.
    let (status, answer) =
        control(&pbx, &igor_token, "uis:999999", json!({"action": "hold"})).await;
    assert_eq!(
        (status, &answer["error"]["code"]),
        (403, &json!("not_your_call"))
    );
    let (status, answer) = control(
        &pbx,
        &igor_token,
        &call_id,
        json!({"action": "coach", "phone": "202"}),
    )
    .await;
    assert_eq!(
        (status, &answer["error"]["code"]),
        (403, &json!("forbidden"))
    );
    let (_, offered) = actions(&pbx, &igor_token, &call_id).await;
    assert!(
        !offered["actions"]
            .as_array()
            .unwrap()
            .contains(&json!("coach"))
    );
    // Nothing was sent to the PBX for any of them.
    assert_eq!(pbx.sim_requests("uis_call_api").await.len(), before);
    assert!(control_methods(&pbx).await.is_empty());

    // Bad bodies and tokens.
    let (status, _) = control(&pbx, "trk_wrong", &call_id, json!({"action": "hold"})).await;
    assert_eq!(status, 401);
    let (status, answer) = control(&pbx, &anna_token, &call_id, json!({"action": "barge"})).await;
    assert_eq!(
        (status, &answer["error"]["code"]),
        (400, &json!("bad_request"))
    );
    pbx.stop().await;
}

#[tokio::test]
async fn an_attended_transfer_to_a_colleague_by_name_moves_the_call_to_them() {
    let pbx = start().await;
    let anna_token = pbx.agent("Анна", anna);
    let igor_token = pbx.agent("Игорь", igor);
    let mut igor_stream = pbx.listen(&igor_token).await;
    let call_id = talking(&pbx, &anna_token, "uis", ANNA_EXT).await;
    // What Анна wrote before handing the call over reaches Игорь with the notice, before the
    // relay lets him see the call.
    let written = pbx
        .http
        .post(pbx.relay_url(&format!("/v1/calls/{call_id}/notes")))
        .bearer_auth(&anna_token)
        .json(&json!({"text": "Хочет вернуть заказ 1043"}))
        .send()
        .await
        .unwrap();
    assert_eq!(written.status().as_u16(), 201);

    let (status, body) = control(
        &pbx,
        &anna_token,
        &call_id,
        json!({"action": "transfer", "to": "игорь", "attended": true}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let make = pbx.sim_requests("uis_call_api").await;
    let make = make.iter().find(|r| r["operation"] == "make.call").unwrap();
    // The colleague's UIS internal number, from get.employees.
    assert_eq!(make["params"]["params"]["to"], IGOR_EXT);
    // The colleague's card: who transfers the call, and the call when his phone rings.
    let (ringing, notices) = follow(&mut igor_stream, &call_id, EventKind::Ringing).await;
    let employee = ringing.last().unwrap().employee.clone().unwrap();
    assert_eq!(employee.id.as_deref(), Some(IGOR_UIS));
    let notice = match notices.as_slice() {
        [notice] => notice.clone(),
        [] => next_notice(&mut igor_stream).await,
        more => panic!("one notice: {more:?}"),
    };
    let notes = notice
        .notes
        .clone()
        .expect("the notes come with the notice");
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(notes[0].text, "Хочет вернуть заказ 1043");
    assert_eq!(
        notice,
        ControlNotice {
            call_id: call_id.clone(),
            action: ControlAction::Transfer,
            by: "Анна".to_owned(),
            to: Some("Игорь".to_owned()),
            notes: Some(notes),
        }
    );

    // Completed once Igor answered; then the call is his, not Anna's.
    let (status, body) = once_ready(
        &pbx,
        &anna_token,
        &call_id,
        json!({"action": "transfer_complete"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = once_ready(&pbx, &anna_token, &call_id, json!({"action": "hold"})).await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (403, &json!("not_your_call")),
        "{body}"
    );
    let (status, body) = once_ready(&pbx, &igor_token, &call_id, json!({"action": "hold"})).await;
    assert_eq!(status, 200, "{body}");
    // Igor's hold is retried until the PBX has moved the contact to him.
    let sent = control_methods(&pbx).await;
    assert_eq!(sent[..3], ["hold.call", "make.call", "transfer.talk"]);
    assert!(sent[3..].iter().all(|m| m == "hold.call"), "{sent:?}");
    pbx.stop().await;
}

#[tokio::test]
async fn a_cancelled_consultation_and_a_blind_transfer_to_a_number() {
    let pbx = start().await;
    let token = pbx.agent("Анна", anna);
    pbx.agent("Игорь", igor);
    let call_id = talking(&pbx, &token, "uis", ANNA_EXT).await;

    let (status, body) = control(
        &pbx,
        &token,
        &call_id,
        json!({"action": "transfer", "to": "203", "attended": true}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) =
        once_ready(&pbx, &token, &call_id, json!({"action": "transfer_cancel"})).await;
    assert_eq!(status, 200, "{body}");
    // A name that is nobody's is not dialled.
    let (status, body) = control(
        &pbx,
        &token,
        &call_id,
        json!({"action": "transfer", "to": "Пётр"}),
    )
    .await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (422, &json!("unknown_agent"))
    );
    assert!(body["error"]["message"].as_str().unwrap().contains("Игорь"));
    // A number the PBX has no phone for: refused, and the contact is taken off hold again.
    let (status, body) = once_ready(
        &pbx,
        &token,
        &call_id,
        json!({"action": "transfer", "to": "+7 999 000-00-01"}),
    )
    .await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"]["code"], "no_active_phone_number");
    let (status, body) = once_ready(
        &pbx,
        &token,
        &call_id,
        json!({"action": "transfer", "to": IGOR_EXT}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        control_methods(&pbx).await,
        [
            "hold.call",
            "make.call",
            "restore.talk",
            "hold.call",
            "make.call",
            "unhold.call",
            "hold.call",
            "make.call",
            "transfer.talk"
        ]
    );
    let make = pbx.sim_requests("uis_call_api").await;
    let tos: Vec<&Value> = make
        .iter()
        .filter(|r| r["operation"] == "make.call")
        .map(|r| &r["params"]["params"]["to"])
        .collect();
    assert_eq!(
        tos,
        [&json!("203"), &json!("79990000001"), &json!(IGOR_EXT)]
    );
    pbx.stop().await;
}

#[tokio::test]
async fn a_supervisor_coaches_an_agents_call() {
    let pbx = start().await;
    let anna_token = pbx.agent("Анна", anna);
    let maria = pbx.agent("Мария", maria_supervisor);
    let call_id = talking(&pbx, &anna_token, "uis", ANNA_EXT).await;

    let (_, offered) = actions(&pbx, &maria, &call_id).await;
    assert!(
        offered["actions"]
            .as_array()
            .unwrap()
            .contains(&json!("coach"))
    );
    assert_eq!(offered["coach_modes"], json!([]));
    // No coach in the cabinet and no number given: UIS says what to do.
    let (status, body) = control(&pbx, &maria, &call_id, json!({"action": "coach"})).await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (422, &json!("coach_not_found"))
    );
    // UIS has no listen/whisper choice.
    let (status, body) = control(
        &pbx,
        &maria,
        &call_id,
        json!({"action": "coach", "mode": "whisper"}),
    )
    .await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (422, &json!("not_supported"))
    );
    let (status, body) = control(
        &pbx,
        &maria,
        &call_id,
        json!({"action": "coach", "phone": "203"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let coach = pbx.sim_requests("uis_call_api").await;
    let coach: Vec<&Value> = coach
        .iter()
        .filter(|r| r["operation"] == "add.coach")
        .collect();
    assert_eq!(coach[1]["params"]["params"]["phone_number"], "203");
    pbx.stop().await;
}

#[tokio::test]
async fn sipuni_offers_hangup_and_spy_mode_but_no_transfer() {
    let pbx = start().await;
    let anna_token = pbx.agent("Анна", anna);
    let maria = pbx.agent("Мария", maria_supervisor);
    let call_id = talking(&pbx, &anna_token, "sipuni", ANNA_EXT).await;

    let (_, offered) = actions(&pbx, &anna_token, &call_id).await;
    assert_eq!(offered["actions"], json!(["hangup"]));
    let (_, offered) = actions(&pbx, &maria, &call_id).await;
    assert_eq!(offered["actions"], json!(["hangup", "coach"]));
    assert_eq!(offered["coach_modes"], json!(["listen", "whisper"]));

    for body in [
        json!({"action": "transfer", "to": "Игорь"}),
        json!({"action": "hold"}),
        json!({"action": "transfer_complete"}),
    ] {
        let (status, answer) = control(&pbx, &anna_token, &call_id, body.clone()).await;
        assert_eq!(status, 422, "{body}: {answer}");
        assert_eq!(answer["error"]["code"], "not_supported");
        assert!(
            answer["error"]["message"]
                .as_str()
                .unwrap()
                .contains("Sipuni")
        );
    }
    let (status, body) = control(&pbx, &maria, &call_id, json!({"action": "coach"})).await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (400, &json!("bad_request"))
    );
    let (status, body) = control(
        &pbx,
        &maria,
        &call_id,
        json!({"action": "coach", "mode": "listen"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let mut stream = pbx.listen(&anna_token).await;
    let (status, body) = control(&pbx, &anna_token, &call_id, json!({"action": "hangup"})).await;
    assert_eq!(status, 200, "{body}");
    let (_, notices) = follow(&mut stream, &call_id, EventKind::Ended).await;
    assert_eq!(notices[0].action, ControlAction::Hangup);
    let sent = pbx.sim_requests("sipuni_api").await;
    let spy = sent
        .iter()
        .find(|r| r["operation"] == "events/call/spymode")
        .unwrap();
    assert_eq!(spy["signature_ok"], true);
    assert_eq!(spy["params"]["sipnumber"], "203");
    assert_eq!(spy["params"]["whisper"], "0");
    let sipuni_id = call_id.strip_prefix("sipuni:").unwrap();
    let hangup = sent
        .iter()
        .find(|r| r["operation"] == "events/call/hangup")
        .unwrap();
    assert_eq!(hangup["params"]["callId"], sipuni_id);
    let (status, body) = control(&pbx, &anna_token, &call_id, json!({"action": "hangup"})).await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (409, &json!("call_ended")),
        "{body}"
    );
    pbx.stop().await;
}

#[tokio::test]
async fn a_silent_pbx_is_a_504_within_the_timeout() {
    // A Call API that accepts connections and never answers.
    let (silent_addr, holding) = crate::support::silent_server().await;
    let pbx = Pbx::start(
        |config| {
            config.uis.call_api_url = format!("http://{silent_addr}/callapi");
            config.pbx_timeout_secs = 1;
        },
        |sim| sim.speed = SPEED,
    )
    .await;
    let token = pbx.agent("Анна", anna);
    let mut stream = pbx.listen(&token).await;
    let call_id = pbx
        .sim_call(
            json!({"provider": "uis", "from": "+7 926 123-45-67", "employee": ANNA_EXT,
                         "ivr_seconds": 1, "ring_seconds": 1, "talk_seconds": 900}),
        )
        .await;
    until_kind(&mut stream, &call_id, EventKind::Answered).await;

    let asked = tokio::time::timeout(
        crate::common::WAIT,
        control(&pbx, &token, &call_id, json!({"action": "hold"})),
    )
    .await
    .expect("the relay answers within its PBX timeout");
    assert_eq!(asked.0, 504, "{}", asked.1);
    assert_eq!(asked.1["error"]["code"], "pbx_timeout");
    holding.abort();
    pbx.stop().await;
}

/// A UIS Call API in front of the simulator's at `sim`: every request waits `delay` before it
/// is passed on, and a request of the `silent` method is never answered — a PBX that went
/// slow, or silent in the middle of a transfer.
fn stalling_call_api(
    sim: SocketAddr,
    delay: Duration,
    silent: Option<&'static str>,
) -> axum::Router {
    let http = reqwest::Client::new();
    axum::Router::new().fallback(
        move |uri: axum::http::Uri, body: axum::body::Bytes| async move {
            let asked: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            if silent.is_some_and(|method| asked["method"] == method) {
                std::future::pending::<()>().await;
            }
            tokio::time::sleep(delay).await;
            let answer = http
                .post(format!("http://{sim}{uri}"))
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            let status = axum::http::StatusCode::from_u16(answer.status().as_u16()).unwrap();
            (status, answer.bytes().await.unwrap())
        },
    )
}

/// Relay and simulator with the Call API behind [`stalling_call_api`] and a 2 s PBX timeout;
/// an answered call of Anna's and her token.
async fn stalling(delay: Duration, silent: Option<&'static str>) -> (Pbx, String, String) {
    // The simulator's address is known once it runs: the proxy is bound first, served after.
    let proxy = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy_addr = proxy.local_addr().unwrap();
    let pbx = Pbx::start(
        |config| {
            config.uis.call_api_url = format!("http://{proxy_addr}/uis/callapi/v4.0");
            config.pbx_timeout_secs = 2;
        },
        |sim| sim.speed = SPEED,
    )
    .await;
    let app = stalling_call_api(pbx.sim_addr, delay, silent);
    // Serves until the test's runtime ends.
    tokio::spawn(async move { axum::serve(proxy, app).await.unwrap() });
    let token = pbx.agent("Анна", anna);
    pbx.agent("Игорь", igor);
    let call_id = talking(&pbx, &token, "uis", ANNA_EXT).await;
    (pbx, token, call_id)
}

/// `action` on `call_id`, and how long the relay took to answer; bounded by [`WAIT`].
///
/// [`WAIT`]: crate::common::WAIT
async fn timed(pbx: &Pbx, token: &str, call_id: &str, action: Value) -> (u16, Value, Duration) {
    let started = Instant::now();
    let (status, body) =
        tokio::time::timeout(crate::common::WAIT, control(pbx, token, call_id, action))
            .await
            .expect("the relay answers within its PBX timeout");
    (status, body, started.elapsed())
}

#[tokio::test]
async fn a_transfer_the_pbx_leaves_after_the_hold_is_a_504_that_names_the_hold() {
    let (pbx, token, call_id) = Box::pin(stalling(Duration::ZERO, Some("make.call"))).await;
    let mut stream = pbx.listen(&token).await;

    let transfer = json!({"action": "transfer", "to": "Игорь"});
    let (status, body, took) = timed(&pbx, &token, &call_id, transfer).await;
    assert_eq!(status, 504, "{body}");
    assert_eq!(body["error"]["code"], "pbx_timeout");
    let message = body["error"]["message"].as_str().unwrap();
    for words in ["за 2 с", "на удержании", "«Снять с удержания»"] {
        assert!(message.contains(words), "{words:?} in {message}");
    }
    // One deadline: the 2 s of the action, plus a generous margin for a loaded machine.
    assert!(took < Duration::from_secs(6), "{took:?}");
    // The hold reached the PBX and nothing was undone behind the agent's back.
    assert_eq!(control_methods(&pbx).await, ["hold.call"]);
    let counted = "trubka_relay_control_actions_total{action=\"transfer\",outcome=\"timeout\"} 1\n";
    let metrics = pbx
        .http
        .get(pbx.relay_url("/metrics"))
        .send()
        .await
        .unwrap();
    assert!(metrics.text().await.unwrap().contains(counted));
    assert_eq!(
        pbx.metrics
            .actions
            .controls(ControlAction::Transfer, PbxOutcome::Refused),
        0
    );

    // The hold the PBX accepted is told to the call's cards, which then offer to take it off.
    let held = next_notice(&mut stream).await;
    assert_eq!(
        (held.action, held.by.as_str()),
        (ControlAction::Hold, "Анна")
    );
    stream.close().await;

    // What the message says to do works: the caller is taken back.
    let (status, body) = control(&pbx, &token, &call_id, json!({"action": "resume"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(control_methods(&pbx).await, ["hold.call", "unhold.call"]);
    pbx.stop().await;
}

#[tokio::test]
async fn a_slow_pbx_gets_one_deadline_for_the_whole_action_not_one_per_request() {
    // Each request alone is within the 2 s timeout; list.calls and hold.call together are not.
    let (pbx, token, call_id) = Box::pin(stalling(Duration::from_millis(1800), None)).await;

    let (status, body, took) = timed(&pbx, &token, &call_id, json!({"action": "hold"})).await;
    assert_eq!(status, 504, "{body}");
    assert_eq!(body["error"]["code"], "pbx_timeout");
    let message = body["error"]["message"].as_str().unwrap();
    for words in ["не подтвердила удержание", "софтфон"] {
        assert!(message.contains(words), "{words:?} in {message}");
    }
    assert!(took < Duration::from_secs(6), "{took:?}");
    assert_eq!(
        pbx.metrics
            .actions
            .controls(ControlAction::Hold, PbxOutcome::Timeout),
        1
    );
    pbx.stop().await;
}
