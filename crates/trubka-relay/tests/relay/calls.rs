//! `POST /v1/calls` over real HTTP against the real PBX simulator: UIS and Sipuni
//! click-to-call with the envelopes and signatures the PBXs check, the placed call's events
//! coming back on the agent's stream, and every refusal as the relay's answer to the agent.

use serde_json::{Value, json};
use trubka_core::{Direction, EventKind, Outcome};
use trubka_relay::RelayConfig;
use trubka_sim::{IpRange, SimConfig, UisComponent};

use crate::support::{ANNA_EXT, ANNA_UIS, IGOR_EXT, Pbx, UIS_LINE, next_of, until_kind};

fn anna(new: &mut trubka_relay::NewAgent) {
    new.uis_employee = Some(ANNA_UIS.to_owned());
}

fn igor_sipuni(new: &mut trubka_relay::NewAgent) {
    new.sipuni_ext = Some(IGOR_EXT.to_owned());
}

#[tokio::test]
async fn uis_click_to_call_is_signed_and_its_events_reach_the_agent() {
    let pbx = Pbx::start(|_| {}, |_| {}).await;
    let token = pbx.agent("Анна", anna);
    let mut stream = pbx.listen(&token).await;

    let (status, body) = pbx.dial(&token, json!({"to": "8 (926) 555-01-02"})).await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(body["provider"], "uis");
    assert_eq!(body["to"], "+79265550102");
    let call_id = body["call_id"].as_str().unwrap().to_owned();
    assert!(call_id.starts_with("uis:"), "{call_id}");

    let requests = pbx.sim_requests("uis_call_api").await;
    let [request] = requests.as_slice() else {
        panic!("one Call API request: {requests:?}")
    };
    assert_eq!(request["operation"], "start.employee_call");
    assert_eq!(request["signature_ok"], true);
    assert_eq!(request["outcome"], "ok");
    assert_eq!(request["params"]["jsonrpc"], "2.0");
    let params = &request["params"]["params"];
    assert_eq!(params["contact"], "79265550102");
    assert_eq!(params["virtual_phone_number"], UIS_LINE);
    assert_eq!(params["employee"]["id"], json!(2339292));
    assert_eq!(params["direction"], "out");
    assert_eq!(params["first_call"], "employee");
    assert!(
        params["external_id"]
            .as_str()
            .unwrap()
            .starts_with("trubka:1:")
    );
    assert_eq!(request["call_id"], call_id.as_str());

    // The sim plays the call; its webhooks come back to the agent like any other call's.
    let events = until_kind(&mut stream, &call_id, EventKind::Ended).await;
    assert_eq!(events[0].kind, EventKind::Started);
    assert_eq!(events[0].direction, Direction::Out);
    assert_eq!(
        events[0].contact.phone.as_ref().unwrap().e164(),
        "+79265550102"
    );
    let ended = events.last().unwrap();
    assert_eq!(ended.outcome, Some(Outcome::Answered));
    let (placed, failed) = pbx.metrics.calls(trubka_core::Provider::Uis);
    assert_eq!((placed, failed), (1, 0));
    pbx.stop().await;
}

#[tokio::test]
async fn a_scenario_call_goes_through_start_scenario_call() {
    let pbx = Pbx::start(|_| {}, |_| {}).await;
    let token = pbx.agent("Анна", anna);
    let (status, body) = pbx
        .dial(
            &token,
            json!({"to": "+7 926 555-01-03", "scenario_id": 27092}),
        )
        .await;
    assert_eq!(status, 202, "{body}");
    let requests = pbx.sim_requests("uis_call_api").await;
    assert_eq!(requests[0]["operation"], "start.scenario_call");
    assert_eq!(requests[0]["signature_ok"], true);
    assert_eq!(requests[0]["params"]["params"]["scenario_id"], json!(27092));
    assert_eq!(requests[0]["params"]["params"]["contact"], "79265550103");
    pbx.stop().await;
}

#[tokio::test]
async fn sipuni_click_to_call_is_signed_and_its_events_reach_the_agent() {
    let pbx = Pbx::start(|_| {}, |_| {}).await;
    let token = pbx.agent("Игорь", igor_sipuni);
    let mut stream = pbx.listen(&token).await;

    let (status, body) = pbx.dial(&token, json!({"to": "89265550104"})).await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(body["provider"], "sipuni");
    assert!(
        body["call_id"]
            .as_str()
            .unwrap()
            .starts_with("sipuni-callback:")
    );
    let requests = pbx.sim_requests("sipuni_api").await;
    let [request] = requests.as_slice() else {
        panic!("one Sipuni request: {requests:?}")
    };
    assert_eq!(request["operation"], "callback/call_number");
    assert_eq!(request["signature_ok"], true, "the md5 hash is right");
    assert_eq!(request["params"]["phone"], "79265550104");
    assert_eq!(request["params"]["sipnumber"], IGOR_EXT);
    assert_eq!(request["params"]["user"], crate::support::SIPUNI_USER);
    let call_id = request["call_id"].as_str().unwrap().to_owned();

    let events = until_kind(&mut stream, &call_id, EventKind::Ended).await;
    assert_eq!(events[0].kind, EventKind::Started);
    assert_eq!(events[0].direction, Direction::Out);
    assert_eq!(
        events
            .last()
            .unwrap()
            .employee
            .as_ref()
            .unwrap()
            .extension
            .as_deref(),
        Some(IGOR_EXT)
    );

    // Through a scheme, Sipuni gives a callback id.
    let (status, body) = pbx
        .dial(&token, json!({"to": "89265550105", "tree": "000-913901"}))
        .await;
    assert_eq!(status, 202, "{body}");
    let requests = pbx.sim_requests("sipuni_api").await;
    assert_eq!(requests[1]["operation"], "callback/call_tree");
    assert_eq!(requests[1]["signature_ok"], true);
    assert_eq!(requests[1]["params"]["tree"], "000-913901");
    let reference = body["call_id"].as_str().unwrap();
    assert!(
        reference.starts_with("sipuni-callback:") && reference.len() > "sipuni-callback:".len()
    );
    let _ = next_of(&mut stream, requests[1]["call_id"].as_str().unwrap()).await;
    pbx.stop().await;
}

#[tokio::test]
async fn numbers_a_person_types_are_normalised_and_bad_ones_refused() {
    let pbx = Pbx::start(|_| {}, |_| {}).await;
    let token = pbx.agent("Анна", anna);
    for typed in [
        "+7 (926) 555-01-06",
        "8-926-555-01-06",
        "9265550106",
        "79265550106",
    ] {
        let (status, body) = pbx.dial(&token, json!({ "to": typed })).await;
        assert_eq!(status, 202, "{typed}: {body}");
        assert_eq!(body["to"], "+79265550106", "{typed}");
    }
    for bad in ["", "201", "abc", "8 926 555", "anonymous"] {
        let (status, body) = pbx.dial(&token, json!({ "to": bad })).await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert_eq!(body["error"]["code"], "bad_number", "{bad}");
        assert!(!body["error"]["message"].as_str().unwrap().is_empty());
    }
    let (status, body) = pbx.dial(&token, json!({})).await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (400, &json!("bad_number"))
    );
    let (status, _) = pbx.dial("trk_wrong", json!({"to": "+79265550106"})).await;
    assert_eq!(status, 401);
    let response = pbx
        .http
        .post(pbx.relay_url("/v1/calls"))
        .bearer_auth(&token)
        .body("not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);

    // Nothing reached the PBX for a refused number.
    assert_eq!(pbx.sim_requests("uis_call_api").await.len(), 4);
    pbx.stop().await;
}

#[tokio::test]
async fn an_agent_the_relay_cannot_place_calls_for_is_told_why() {
    let pbx = Pbx::start(
        |config| {
            config.sipuni.user = None;
        },
        |_| {},
    )
    .await;
    let nobody = pbx.agent("Никто", |_| {});
    let (status, body) = pbx.dial(&nobody, json!({"to": "+79265550107"})).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "not_configured");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("ID сотрудника UIS"), "{message}");

    let sipuni_only = pbx.agent("Игорь", |new| {
        new.sipuni_ext = Some(ANNA_EXT.to_owned())
    });
    let (status, body) = pbx.dial(&sipuni_only, json!({"to": "+79265550107"})).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("[sipuni] user, secret")
    );
    pbx.stop().await;
}

#[tokio::test]
async fn a_pbx_that_never_answers_is_a_504_after_the_configured_timeout() {
    // The operating system accepts connections to a listener nobody serves: the request goes
    // out and no answer ever comes back.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_addr = silent.local_addr().unwrap();
    let pbx = Pbx::start(
        move |config| {
            config.pbx_timeout_secs = 1;
            config.uis.call_api_url = format!("http://{silent_addr}/uis/callapi/v4.0");
        },
        |_| {},
    )
    .await;
    let agent = pbx.agent("Анна", anna);
    let (status, body) = pbx.dial(&agent, json!({"to": "+79265550107"})).await;
    assert_eq!(status, 504, "{body}");
    assert_eq!(body["error"]["code"], "pbx_timeout");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("не ответил вовремя"), "{message}");
    drop(silent);
    pbx.stop().await;
}

/// One refusal: how the relay or the simulator is set up, what the agent dials, and the
/// status and code the agent gets.
struct Refusal {
    name: &'static str,
    relay: fn(&mut RelayConfig),
    sim: fn(&mut SimConfig),
    agent: fn(&mut trubka_relay::NewAgent),
    to: &'static str,
    /// A UIS scenario to run instead of a plain click-to-call.
    scenario_id: Option<u64>,
    status: u16,
    code: &'static str,
    /// A piece of the Russian message.
    says: &'static str,
}

const REFUSALS: &[Refusal] = &[
    Refusal {
        name: "blacklisted contact",
        relay: |_| {},
        sim: |sim| sim.uis.blacklist = vec!["79265554433".to_owned()],
        agent: anna,
        to: "+7 926 555-44-33",
        scenario_id: None,
        status: 403,
        code: "contact_in_blacklist",
        says: "чёрном списке",
    },
    Refusal {
        name: "the account's own line",
        relay: |_| {},
        sim: |_| {},
        agent: anna,
        to: "+7 495 123-45-67",
        scenario_id: None,
        status: 422,
        code: "own_virtual_phone_number_not_allowed",
        says: "виртуальный номер",
    },
    Refusal {
        name: "wrong API key",
        relay: |relay| relay.uis.api_key = Some("wrong-key".to_owned()),
        sim: |_| {},
        agent: anna,
        to: "+79265550108",
        scenario_id: None,
        status: 503,
        code: "access_token_invalid",
        says: "Ключ API UIS неверен",
    },
    Refusal {
        name: "IP not allow-listed",
        relay: |_| {},
        sim: |sim| sim.uis.allowed_ips = vec!["10.0.0.0/8".parse::<IpRange>().unwrap()],
        agent: anna,
        to: "+79265550108",
        scenario_id: None,
        status: 503,
        code: "ip_not_whitelisted",
        says: "IP-адреса релея",
    },
    Refusal {
        name: "Call API option off",
        relay: |_| {},
        sim: |sim| sim.uis.disabled_components = vec![UisComponent::CallApiBasic],
        agent: anna,
        to: "+79265550108",
        scenario_id: None,
        status: 503,
        code: "component_disabled",
        says: "не подключена нужная опция",
    },
    Refusal {
        name: "unknown employee",
        relay: |_| {},
        sim: |_| {},
        agent: |new| new.uis_employee = Some("999".to_owned()),
        to: "+79265550108",
        scenario_id: None,
        status: 503,
        code: "employee_not_found",
        says: "Сотрудник не найден",
    },
    Refusal {
        name: "caller ID not the account's",
        relay: |relay| relay.uis.virtual_number = Some("74950000000".to_owned()),
        sim: |_| {},
        agent: anna,
        to: "+79265550108",
        scenario_id: None,
        status: 503,
        code: "virtual_phone_number_not_found",
        says: "Виртуальный номер",
    },
    Refusal {
        name: "points spent",
        relay: |_| {},
        sim: |sim| sim.uis.day_limit = 1,
        agent: anna,
        to: "+79265550108",
        scenario_id: None,
        status: 429,
        code: "limit_exceeded",
        says: "лимит",
    },
    Refusal {
        name: "UIS unreachable",
        relay: |relay| relay.uis.call_api_url = "http://127.0.0.1:9/uis/callapi/v4.0".to_owned(),
        sim: |_| {},
        agent: anna,
        to: "+79265550108",
        scenario_id: None,
        status: 502,
        code: "pbx_unreachable",
        says: "Нет связи с UIS",
    },
    Refusal {
        name: "wrong Sipuni secret",
        relay: |relay| relay.sipuni.secret = Some("wrong-secret".to_owned()),
        sim: |_| {},
        agent: igor_sipuni,
        to: "+79265550108",
        scenario_id: None,
        status: 502,
        code: "sipuni_rejected",
        says: "Sipuni отклонил запрос",
    },
    Refusal {
        name: "Sipuni API calls service off",
        relay: |_| {},
        sim: |sim| sim.sipuni.api_calls = false,
        agent: igor_sipuni,
        to: "+79265550108",
        scenario_id: None,
        status: 502,
        code: "sipuni_rejected",
        says: "включите «Услуга совершение звонков по API» в кабинете Sipuni",
    },
    Refusal {
        name: "a new UIS cabinet allows no address",
        relay: |_| {},
        sim: |sim| sim.uis.allowed_ips.clear(),
        agent: anna,
        to: "+79265550108",
        scenario_id: None,
        status: 503,
        code: "ip_not_whitelisted",
        says: "Правила и настройки безопасности → API",
    },
    Refusal {
        name: "unknown Sipuni extension",
        relay: |_| {},
        sim: |_| {},
        agent: |new| new.sipuni_ext = Some("299".to_owned()),
        to: "+79265550108",
        scenario_id: None,
        status: 502,
        code: "sipuni_rejected",
        says: "Sipuni отклонил запрос",
    },
    Refusal {
        name: "unknown scenario",
        relay: |_| {},
        sim: |_| {},
        agent: anna,
        to: "+79265550108",
        scenario_id: Some(99999),
        status: 422,
        code: "scenario_not_found",
        says: "Сценарий UIS не найден",
    },
];

#[tokio::test]
async fn every_pbx_refusal_reaches_the_agent_with_a_status_and_words() {
    for refusal in REFUSALS {
        let pbx = Pbx::start(refusal.relay, refusal.sim).await;
        let token = pbx.agent("Оператор", refusal.agent);
        // "points spent": the first call uses the only point of the day.
        if refusal.code == "limit_exceeded" {
            let (status, body) = pbx.dial(&token, json!({"to": "+79265550109"})).await;
            assert_eq!(status, 202, "{body}");
        }
        let mut request = json!({ "to": refusal.to });
        if let Some(scenario_id) = refusal.scenario_id {
            request["scenario_id"] = json!(scenario_id);
        }
        let (status, body) = pbx.dial(&token, request).await;
        assert_eq!(status, refusal.status, "{}: {body}", refusal.name);
        assert_eq!(body["error"]["code"], refusal.code, "{}", refusal.name);
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.contains(refusal.says),
            "{}: {message:?} should say {:?}",
            refusal.name,
            refusal.says
        );
        let provider = if refusal.code == "sipuni_rejected" {
            trubka_core::Provider::Sipuni
        } else {
            trubka_core::Provider::Uis
        };
        assert!(pbx.metrics.calls(provider).1 >= 1, "{}", refusal.name);
        pbx.stop().await;
    }
}

#[tokio::test]
async fn a_spent_budget_says_when_to_retry() {
    let pbx = Pbx::start(|_| {}, |sim| sim.uis.minute_limit = 1).await;
    let token = pbx.agent("Анна", anna);
    let (status, _) = pbx.dial(&token, json!({"to": "+79265550110"})).await;
    assert_eq!(status, 202);
    let response = pbx
        .http
        .post(pbx.relay_url("/v1/calls"))
        .bearer_auth(&token)
        .json(&json!({"to": "+79265550111"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 429);
    let retry: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "limit_exceeded");
    pbx.stop().await;
}
