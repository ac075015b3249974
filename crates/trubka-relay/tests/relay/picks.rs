//! What the seeds' users pick by name, against the real PBX simulator: a call through a UIS
//! scenario or a Sipuni scheme named as the agent knows it (`GET /v1/scenarios`, `POST
//! /v1/calls {"scenario": …}`), the scenario call's events reaching the agent who placed it
//! whoever answers, each agent's own caller ID, and offline requests («заявки») uploaded to
//! UIS under a site or a campaign picked by name, with UIS's refusals in Russian.

use serde_json::{Value, json};
use trubka_core::{EventKind, PhoneNumber};
use trubka_sim::UisComponent;

use crate::support::{ANNA_EXT, ANNA_UIS, IGOR_UIS, Pbx, UIS_HOOK, UIS_LINE, until_kind};

fn trees(config: &mut trubka_relay::RelayConfig) {
    config.sipuni.trees = [
        ("Продажи".to_owned(), "000-913901".to_owned()),
        ("Сервис".to_owned(), "000-913902".to_owned()),
    ]
    .into();
}

fn anna(new: &mut trubka_relay::NewAgent) {
    new.uis_employee = Some(ANNA_UIS.to_owned());
    new.sipuni_ext = Some(ANNA_EXT.to_owned());
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

async fn post(pbx: &Pbx, token: &str, path: &str, body: Value) -> (u16, Value) {
    let response = pbx
        .http
        .post(pbx.relay_url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    crate::common::read_json(response).await
}

/// Every stored event the agent `token` may see: a replay from the start, up to `caught_up`.
async fn replayed(pbx: &Pbx, token: &str) -> Vec<trubka_core::CallEvent> {
    let mut stream = pbx.connect(token, "since=0").await;
    stream.hello().await;
    let mut events = Vec::new();
    loop {
        match stream.next_frame().await {
            crate::common::Got::Frame(trubka_protocol::ServerFrame::Event { event, .. }) => {
                events.push(*event)
            }
            crate::common::Got::Frame(trubka_protocol::ServerFrame::CaughtUp { .. }) => break,
            other => panic!("expected a replay, got {other:?}"),
        }
    }
    stream.close().await;
    events
}

#[tokio::test]
async fn an_agent_lists_scenarios_and_schemes_and_calls_through_one_by_name() {
    let pbx = Pbx::start(trees, |_| {}).await;
    let token = pbx.agent("Анна", anna);

    let (status, body) = get(&pbx, &token, "/v1/scenarios").await;
    assert_eq!(status, 200, "{body}");
    let routes = body["scenarios"].as_array().unwrap();
    assert!(
        routes.contains(&json!({"name": "Исходящий обзвон", "provider": "uis", "id": "27092"}))
    );
    assert!(routes.contains(&json!({"name": "Продажи", "provider": "sipuni", "id": "000-913901"})));
    // One Data API request, then the cached list.
    let (status, _) = get(&pbx, &token, "/v1/scenarios").await;
    assert_eq!(status, 200);
    let lists = pbx.sim_requests("uis_data_api").await;
    assert_eq!(
        lists
            .iter()
            .filter(|r| r["operation"] == "get.scenarios")
            .count(),
        1
    );

    // A UIS scenario by name, typed loosely.
    let (status, body) = pbx
        .dial(
            &token,
            json!({"to": "+7 926 555-01-20", "scenario": "  исходящий ОБЗВОН "}),
        )
        .await;
    assert_eq!(status, 202, "{body}");
    let calls = pbx.sim_requests("uis_call_api").await;
    assert_eq!(calls[0]["operation"], "start.scenario_call");
    assert_eq!(calls[0]["params"]["params"]["scenario_id"], json!(27092));

    // A Sipuni scheme by name.
    let (status, body) = pbx
        .dial(&token, json!({"to": "89265550121", "scenario": "Продажи"}))
        .await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(body["provider"], "sipuni");
    let orders = pbx.sim_requests("sipuni_api").await;
    assert_eq!(orders[0]["operation"], "callback/call_tree");
    assert_eq!(orders[0]["params"]["tree"], "000-913901");
    assert_eq!(orders[0]["params"]["sipnumber"], ANNA_EXT);

    // An unknown name: 422 listing every name there is, and nothing reaches the PBX.
    let (status, body) = pbx
        .dial(&token, json!({"to": "89265550122", "scenario": "Склад"}))
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "unknown_scenario");
    let message = body["error"]["message"].as_str().unwrap();
    for name in ["«Склад»", "«Исходящий обзвон»", "«Продажи»", "«Сервис»"]
    {
        assert!(message.contains(name), "{message} should name {name}");
    }
    // A name and an id at once is a mistake, not a choice.
    let (status, body) = pbx
        .dial(
            &token,
            json!({"to": "89265550122", "scenario": "Продажи", "tree": "000-1"}),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(pbx.sim_requests("uis_call_api").await.len(), 1);
    assert_eq!(pbx.sim_requests("sipuni_api").await.len(), 1);

    // An agent without a Sipuni extension is offered no schemes.
    let uis_only = pbx.agent("Игорь", |new| {
        new.uis_employee = Some(IGOR_UIS.to_owned())
    });
    let (_, body) = get(&pbx, &uis_only, "/v1/scenarios").await;
    assert!(
        body["scenarios"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["provider"] == "uis"),
        "{body}"
    );
    let (status, _) = get(&pbx, "trk_wrong", "/v1/scenarios").await;
    assert_eq!(status, 401);
    pbx.stop().await;
}

#[tokio::test]
async fn a_scenario_call_reaches_the_agent_who_placed_it_whoever_answers() {
    let pbx = Pbx::start(|_| {}, |_| {}).await;
    let anna = pbx.agent("Анна", |new| {
        new.uis_employee = Some(ANNA_UIS.to_owned())
    });
    let igor = pbx.agent("Игорь", |new| {
        new.uis_employee = Some(IGOR_UIS.to_owned())
    });
    let maria = pbx.agent("Мария", |new| {
        new.uis_employee = Some("2339294".to_owned())
    });
    let mut anna_stream = pbx.listen(&anna).await;

    // The simulator's scenario puts Игорь on a call to this number.
    let (status, body) = pbx
        .dial(
            &anna,
            json!({"to": "+7 926 555-01-12", "scenario": "Исходящий обзвон"}),
        )
        .await;
    assert_eq!(status, 202, "{body}");
    let call_id = body["call_id"].as_str().unwrap().to_owned();
    let events = until_kind(&mut anna_stream, &call_id, EventKind::Ended).await;
    assert_eq!(events[0].kind, EventKind::Started);
    let answered = events
        .iter()
        .find(|e| e.kind == EventKind::Answered)
        .expect("Анна sees the answer");
    assert_eq!(
        answered.employee.as_ref().unwrap().id.as_deref(),
        Some(IGOR_UIS),
        "Игорь answered, and Анна, who placed the call, still follows it"
    );
    // Игорь sees the call he answered; Мария, not on it, sees nothing of it.
    let igor_events = replayed(&pbx, &igor).await;
    assert!(igor_events.iter().any(|e| e.call_id.0 == call_id));
    assert!(replayed(&pbx, &maria).await.is_empty());
    pbx.stop().await;
}

#[tokio::test]
async fn only_external_ids_the_relay_recorded_route_a_call() {
    let pbx = Pbx::start(|_| {}, |_| {}).await;
    let anna = pbx.agent("Анна", |new| {
        new.uis_employee = Some(ANNA_UIS.to_owned())
    });
    let (status, body) = pbx
        .dial(
            &anna,
            json!({"to": "+7 926 555-01-12", "scenario_id": 27092}),
        )
        .await;
    assert_eq!(status, 202, "{body}");
    let calls = pbx.sim_requests("uis_call_api").await;
    let external_id = calls[0]["params"]["params"]["external_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(external_id.starts_with("trubka:1:"), "{external_id}");

    // A notification that outran UIS's answer: another session id, the recorded external_id.
    // And one whose external_id merely looks like the relay's.
    for (session, external) in [
        (900_000_001u64, external_id.as_str()),
        (900_000_002, "trubka:1:forged"),
    ] {
        let hook = json!({
            "notification_name": "Исходящий звонок",
            "notification_time": "2026-11-20 10:15:03.000000",
            "call_session_id": session,
            "external_id": external,
            "virtual_phone_number": UIS_LINE,
            "contact_phone_number": "79265550199",
            "direction": "out"
        });
        let response = pbx
            .http
            .post(pbx.relay_url(&format!("/hooks/uis/{UIS_HOOK}")))
            .json(&hook)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
    }
    let events = replayed(&pbx, &anna).await;
    assert!(events.iter().any(|e| e.call_id.0 == "uis:900000001"));
    assert!(events.iter().all(|e| e.call_id.0 != "uis:900000002"));
    pbx.stop().await;
}

#[tokio::test]
async fn each_agent_calls_with_their_own_caller_id_else_the_relays() {
    let pbx = Pbx::start(
        |_| {},
        |sim| {
            sim.uis.lines.push("74957654321".to_owned());
        },
    )
    .await;
    let own = pbx.agent("Анна", |new| {
        new.uis_employee = Some(ANNA_UIS.to_owned());
        new.virtual_number = Some(PhoneNumber::from_e164("+74957654321").unwrap());
    });
    let default = pbx.agent("Игорь", |new| {
        new.uis_employee = Some(IGOR_UIS.to_owned())
    });
    for token in [&own, &default] {
        let (status, body) = pbx.dial(token, json!({"to": "+79265550123"})).await;
        assert_eq!(status, 202, "{body}");
    }
    let calls = pbx.sim_requests("uis_call_api").await;
    assert_eq!(
        calls[0]["params"]["params"]["virtual_phone_number"],
        "74957654321"
    );
    assert_eq!(
        calls[1]["params"]["params"]["virtual_phone_number"],
        UIS_LINE
    );
    pbx.stop().await;
}

#[tokio::test]
async fn an_offline_request_is_filed_under_a_site_or_campaign_picked_by_name() {
    let pbx = Pbx::start(|_| {}, |_| {}).await;
    let token = pbx.agent("Анна", anna);

    let (status, targets) = get(&pbx, &token, "/v1/requests/targets").await;
    assert_eq!(status, 200, "{targets}");
    assert!(
        targets["sites"]
            .as_array()
            .unwrap()
            .contains(&json!({"id": 80913, "name": "trubka-demo.ru"}))
    );
    assert!(targets["campaigns"].as_array().unwrap().contains(&json!({
        "id": 401745, "name": "Яндекс.Директ: поиск", "site": "trubka-demo.ru", "active": true
    })));

    let (status, body) = post(
        &pbx,
        &token,
        "/v1/requests",
        json!({"phone": "8 (926) 123-45-67", "message": "Перезвонить после обеда",
               "name": "Иван Петров", "site": "TRUBKA-demo.ru"}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["phone"], "+79261234567");
    assert_eq!(body["site"], "trubka-demo.ru");
    assert!(body["id"].as_u64().unwrap() > 0);
    let uploads: Vec<Value> = pbx
        .sim_requests("uis_data_api")
        .await
        .into_iter()
        .filter(|r| r["operation"] == "upload.offline_messages")
        .collect();
    let item = &uploads[0]["params"]["params"]["offline_messages"][0];
    assert_eq!(item["phone"], "79261234567");
    assert_eq!(item["site_id"], 80913);
    assert_eq!(item["message"], "Перезвонить после обеда");
    assert_eq!(item["name"], "Иван Петров");
    assert!(item["ext_id"].as_str().unwrap().starts_with("trubka:1:"));

    let (status, body) = post(
        &pbx,
        &token,
        "/v1/requests",
        json!({"phone": "+79261234567", "message": "Счёт", "campaign": "Контекст магазина"}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["campaign"], "Контекст магазина");

    // What is wrong is said in words, before or by UIS.
    for (request, status, code, says) in [
        (
            json!({"phone": "+79261234567", "message": "x"}),
            400,
            "bad_request",
            "«trubka-demo.ru»",
        ),
        (
            json!({"phone": "+79261234567", "message": " ", "site": "trubka-demo.ru"}),
            400,
            "bad_request",
            "текст",
        ),
        (
            json!({"phone": "201", "message": "x", "site": "trubka-demo.ru"}),
            400,
            "bad_number",
            "внутренний",
        ),
        (
            json!({"phone": "+79261234567", "message": "x", "site": "nope.ru"}),
            422,
            "unknown_site",
            "«shop.trubka-demo.ru»",
        ),
        (
            json!({"phone": "+79261234567", "message": "x", "campaign": "Нет такой"}),
            422,
            "unknown_campaign",
            "«Осенняя распродажа»",
        ),
        (
            json!({"phone": "+79261234567", "message": "x", "campaign": "Посетители без рекламной кампании"}),
            400,
            "bad_request",
            "сайт",
        ),
        (
            json!({"phone": "+79261234567", "message": "x", "campaign": "Осенняя распродажа"}),
            422,
            "campaign_is_inactive",
            "не активна",
        ),
        (
            json!({"phone": "+79261234567", "message": "x", "site": "trubka-demo.ru", "campaign": "Контекст магазина"}),
            422,
            "invalid_parameters_combination",
            "друг другу",
        ),
    ] {
        let (got, body) = post(&pbx, &token, "/v1/requests", request.clone()).await;
        assert_eq!(got, status, "{request}: {body}");
        assert_eq!(body["error"]["code"], code, "{request}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains(says), "{request}: {message}");
    }
    pbx.stop().await;
}

#[tokio::test]
async fn without_the_uis_option_the_agent_is_told_which_one_to_connect() {
    let pbx = Pbx::start(
        |_| {},
        |sim| {
            sim.uis.disabled_components = vec![UisComponent::UploadOfflineMessages];
        },
    )
    .await;
    let token = pbx.agent("Анна", anna);
    let (status, body) = post(
        &pbx,
        &token,
        "/v1/requests",
        json!({"phone": "+79261234567", "message": "x", "site": "trubka-demo.ru"}),
    )
    .await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"]["code"], "method_component_disabled");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("Загрузка офлайн-заявок из внешней системы"),
        "{message}"
    );
    pbx.stop().await;
}
