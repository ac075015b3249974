//! The team's cases on a real relay (issue 13): UIS notifications in, `GET /v1/cases`, the
//! `case` frame, claims, notes, tags and closing by hand out. Two agents watch the line
//! (Анна, UIS employee 100, and Игорь, 200); Пётр (300) watches none.

use crate::common::{FolderRelay, Got, LINE, Stream, TestRelay, WAIT, read_json};
use chrono::{Duration, FixedOffset, Timelike, Utc};
use serde_json::{Value, json};
use trubka_protocol::ServerFrame;
use trubka_protocol::cases::{CaseList, CaseView, WireCaseStatus};

const CLIENT: &str = "79261234567";

/// A notification time `minutes` from now, as UIS writes it (Moscow local time): claims are
/// compared with the relay's clock, so the calls happen now.
fn at(minutes: i64) -> String {
    static NOW: std::sync::OnceLock<chrono::DateTime<Utc>> = std::sync::OnceLock::new();
    let now = *NOW.get_or_init(|| Utc::now().with_nanosecond(0).unwrap());
    let moscow = FixedOffset::east_opt(3 * 3600).unwrap();
    (now + Duration::minutes(minutes))
        .with_timezone(&moscow)
        .format("%Y-%m-%d %H:%M:%S%.6f")
        .to_string()
}

/// An incoming call that rang employee `employee` and was lost.
fn missed(session: u64, employee: &str, minute: i64) -> Vec<Value> {
    let base = json!({
        "call_session_id": session,
        "virtual_phone_number": &LINE[1..],
        "contact_phone_number": CLIENT,
        "direction": "in"
    });
    let with = |extra: Value| {
        let mut payload = base.clone();
        for (k, v) in extra.as_object().unwrap() {
            payload[k] = v.clone();
        }
        payload
    };
    vec![
        with(
            json!({"notification_name": "Входящий звонок на виртуальный номер",
            "notification_time": at(minute)}),
        ),
        with(
            json!({"notification_name": "Ожидание ответа", "notification_time": at(minute),
            "employee_id": employee, "employee_full_name": format!("Сотрудник {employee}"),
            "leg_id": session * 10}),
        ),
        with(
            json!({"notification_name": "Потерянный звонок", "notification_time": at(minute + 1),
            "employee_id": employee, "wait_time_duration": 30, "talk_time_duration": 0,
            "total_time_duration": 30}),
        ),
    ]
}

/// An outgoing call from employee `employee` to the client, answered (and recorded).
fn call_back(session: u64, employee: &str, minute: i64, recorded: bool) -> Vec<Value> {
    let base = json!({
        "call_session_id": session,
        "virtual_phone_number": &LINE[1..],
        "contact_phone_number": CLIENT,
        "employee_id": employee,
        "direction": "out"
    });
    let with = |extra: Value| {
        let mut payload = base.clone();
        for (k, v) in extra.as_object().unwrap() {
            payload[k] = v.clone();
        }
        payload
    };
    let mut end = json!({"notification_name": "Завершение звонка",
        "notification_time": at(minute + 2), "talk_time_duration": 60,
        "total_time_duration": 70, "wait_time_duration": 10});
    if recorded {
        end["file_link"] = json!(format!(
            "https://app.uiscom.ru/system/media/talk/{session}/a/"
        ));
    }
    vec![
        with(json!({"notification_name": "Исходящий звонок", "notification_time": at(minute)})),
        with(
            json!({"notification_name": "Начало разговора", "notification_time": at(minute),
            "leg_ids": [session * 10]}),
        ),
        with(end),
    ]
}

struct Team {
    relay: TestRelay,
    anna: String,
    igor: String,
    petr: String,
    /// Ольга, a supervisor: sees every case.
    olga: String,
}

async fn team() -> Team {
    let relay = TestRelay::start().await;
    let anna = relay.agent("Анна", |a| {
        a.uis_employee = Some("100".to_owned());
        a.lines = vec![crate::common::line()];
    });
    let igor = relay.agent("Игорь", |a| {
        a.uis_employee = Some("200".to_owned());
        a.lines = vec![crate::common::line()];
    });
    let petr = relay.agent("Пётр", |a| a.uis_employee = Some("300".to_owned()));
    let olga = relay.agent("Ольга", |a| a.supervisor = true);
    Team {
        relay,
        anna,
        igor,
        petr,
        olga,
    }
}

async fn send(relay: &TestRelay, payloads: &[Value]) {
    for payload in payloads {
        let (status, body) = relay.uis(payload).await;
        assert_eq!(status, 200, "{body}");
    }
}

async fn call(
    relay: &TestRelay,
    method: reqwest::Method,
    token: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = relay
        .http
        .request(method, relay.url(path))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    read_json(request.send().await.unwrap()).await
}

async fn cases(relay: &TestRelay, token: &str, query: &str) -> CaseList {
    let (status, body) = call(
        relay,
        reqwest::Method::GET,
        token,
        &format!("/v1/cases{query}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_value(body).unwrap()
}

/// Polls `GET /v1/cases` until `done` holds (the worker runs beside ingest), within WAIT.
async fn wait_cases(
    relay: &TestRelay,
    token: &str,
    done: impl Fn(&[CaseView]) -> bool,
) -> Vec<CaseView> {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let list = cases(relay, token, "").await;
        if done(&list.cases) {
            return list.cases;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "cases never got there: {:?}",
            list.cases
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// The next `case` frame that satisfies `wanted`, skipping events and other cases' frames.
async fn case_frame(stream: &mut Stream, wanted: impl Fn(&CaseView) -> bool) -> CaseView {
    // Bounded by WAIT per frame: the relay sends a few frames per call here.
    loop {
        match stream.next_frame().await {
            Got::Frame(ServerFrame::Case { case }) if wanted(&case) => return *case,
            Got::Frame(_) => continue,
            Got::Closed(code) => panic!("stream closed ({code:?}) before the case frame"),
        }
    }
}

#[tokio::test]
async fn missed_calls_group_into_one_case_both_agents_see_and_a_claim_keeps_others_off() {
    let Team {
        relay,
        anna,
        igor,
        petr,
        ..
    } = team().await;
    let (mut anna_stream, _) = relay.connect_live(&anna).await;
    let (mut igor_stream, _) = relay.connect_live(&igor).await;

    send(&relay, &missed(1, "100", -30)).await;
    let seen = case_frame(&mut igor_stream, |c| c.key == "uis:1").await;
    assert_eq!(seen.status, WireCaseStatus::Open);
    let listed = wait_cases(&relay, &anna, |c| c.len() == 1).await;
    let case = &listed[0];
    assert_eq!(case.key, "uis:1");
    assert_eq!(case.number.as_deref(), Some("+79261234567"));
    let responsible = case.responsible.as_ref().unwrap();
    assert_eq!(responsible.agent.as_deref(), Some("Анна"));
    assert_eq!(responsible.employee_id.as_deref(), Some("100"));
    assert!(cases(&relay, &petr, "").await.cases.is_empty());

    // A second missed call from the same number joins the open case.
    send(&relay, &missed(2, "200", -20)).await;
    let grown = case_frame(&mut anna_stream, |c| c.calls.len() == 2).await;
    assert_eq!(grown.key, "uis:1");
    assert_eq!(grown.calls, ["uis:1", "uis:2"]);
    assert_eq!(cases(&relay, &igor, "?status=open").await.cases.len(), 1);
    assert!(
        cases(&relay, &igor, "?status=waiting")
            .await
            .cases
            .is_empty()
    );

    // Анна claims it: Игорь sees who within the frame, and his own claim is refused.
    let (status, body) = call(
        &relay,
        reqwest::Method::POST,
        &anna,
        "/v1/cases/uis:1/claim",
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["claim"]["agent"], "Анна");
    let claimed = case_frame(&mut igor_stream, |c| c.claim.is_some()).await;
    assert_eq!(claimed.claim.unwrap().agent, "Анна");
    let (status, body) = call(
        &relay,
        reqwest::Method::POST,
        &igor,
        "/v1/cases/uis:1/claim",
        None,
    )
    .await;
    assert_eq!(status, 409, "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("Уже перезванивает Анна"), "{message}");
    let mine = cases(&relay, &anna, "?mine=1").await.cases;
    assert_eq!(mine.len(), 1);
    assert!(cases(&relay, &igor, "?mine=1").await.cases.is_empty());
    let (status, _) = call(
        &relay,
        reqwest::Method::POST,
        &petr,
        "/v1/cases/uis:1/claim",
        None,
    )
    .await;
    assert_eq!(status, 404);
    // Игорь may not release Анна's claim.
    let (status, _) = call(
        &relay,
        reqwest::Method::DELETE,
        &igor,
        "/v1/cases/uis:1/claim",
        None,
    )
    .await;
    assert_eq!(status, 403);

    // Анна calls back; the client answers and the call is recorded: the case waits, the
    // receiver turns green, and her claim ends with her call.
    send(&relay, &call_back(3, "100", 0, true)).await;
    let waiting = case_frame(&mut igor_stream, |c| c.status == WireCaseStatus::Waiting).await;
    assert!(waiting.reached);
    assert!(waiting.claim.is_none(), "{waiting:?}");
    assert_eq!(waiting.callbacks.len(), 1);
    assert_eq!(
        waiting.callbacks[0].by.as_ref().unwrap().agent.as_deref(),
        Some("Анна")
    );
    let listed = cases(&relay, &igor, "?status=waiting").await.cases;
    assert_eq!(listed.len(), 1);
    assert!(listed[0].claim.is_none());
    relay.stop().await;
}

#[tokio::test]
async fn a_call_back_without_a_recording_leaves_the_case_open_under_the_default_rule() {
    let Team { relay, anna, .. } = team().await;
    send(&relay, &missed(1, "100", -30)).await;
    send(&relay, &call_back(2, "100", -10, false)).await;
    let listed = wait_cases(&relay, &anna, |c| {
        c.first().is_some_and(|c| c.callbacks.len() == 1)
    })
    .await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].status, WireCaseStatus::Open);
    assert!(!listed[0].reached);
    assert!(listed[0].callbacks[0].answered);
    assert!(!listed[0].callbacks[0].recorded);
    relay.stop().await;
}

/// The cases without what depends on when the relay wrote them.
fn comparable(cases: &[CaseView]) -> Vec<CaseView> {
    let mut cases: Vec<CaseView> = cases
        .iter()
        .map(|c| CaseView {
            version: 0,
            updated_at: chrono::DateTime::<Utc>::UNIX_EPOCH,
            ..c.clone()
        })
        .collect();
    cases.sort_by(|a, b| a.key.cmp(&b.key));
    cases
}

#[tokio::test]
async fn events_delivered_in_another_order_give_the_same_cases() {
    let mut payloads: Vec<Value> = Vec::new();
    payloads.extend(missed(1, "100", -40));
    payloads.extend(missed(2, "200", -30));
    payloads.extend(call_back(3, "200", -20, true));
    payloads.extend(missed(4, "100", -10));

    let forward = team().await;
    send(&forward.relay, &payloads).await;
    let reversed = team().await;
    let mut backwards = payloads.clone();
    backwards.reverse();
    send(&reversed.relay, &backwards).await;

    // The worker follows ingest: poll until both relays have caught up and agree.
    let deadline = tokio::time::Instant::now() + WAIT;
    let a = loop {
        let a = cases(&forward.relay, &forward.olga, "").await.cases;
        let b = cases(&reversed.relay, &reversed.olga, "").await.cases;
        let settled = a.iter().map(|c| c.calls.len()).sum::<usize>() == 4;
        if settled && comparable(&a) == comparable(&b) {
            break a;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the cases differ: {a:?}\n{b:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(a.len(), 2);
    let first = a.iter().find(|c| c.key == "uis:1").unwrap();
    assert_eq!(first.status, WireCaseStatus::Waiting);
    assert_eq!(first.calls, ["uis:1", "uis:2", "uis:3"]);
    let second = a.iter().find(|c| c.key == "uis:4").unwrap();
    assert_eq!(second.status, WireCaseStatus::Open);
    forward.relay.stop().await;
    reversed.relay.stop().await;
}

/// Sets the admin's tags as `trubka-relay tags set` does.
fn set_tags(relay: &TestRelay, tags: &[&str]) {
    let config = trubka_relay::RelayConfig {
        data_dir: relay.data_dir(),
        ..trubka_relay::RelayConfig::default()
    };
    let command = trubka_relay::cli::TagsCommand::Set {
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
    };
    let mut out = Vec::new();
    trubka_relay::cli::tags(&config, &command, &mut out).unwrap();
    assert!(
        String::from_utf8(out)
            .unwrap()
            .contains(&tags.len().to_string())
    );
}

#[tokio::test]
async fn notes_with_the_admins_tags_reach_the_case_and_a_case_closes_by_hand_with_a_reason() {
    let Team {
        relay,
        anna,
        igor,
        petr,
        ..
    } = team().await;
    set_tags(&relay, &["Доставка", "Возврат"]);
    let (status, body) = call(&relay, reqwest::Method::GET, &igor, "/v1/tags", None).await;
    assert_eq!(
        (status, &body["tags"]),
        (200, &json!(["Доставка", "Возврат"]))
    );
    send(&relay, &missed(1, "100", -30)).await;
    wait_cases(&relay, &igor, |c| c.len() == 1).await;

    // A tag not on the list is refused, naming the list.
    let note = json!({"text": "Просит перезвонить после обеда", "tags": ["Жалоба"]});
    let (status, body) = call(
        &relay,
        reqwest::Method::POST,
        &anna,
        "/v1/calls/uis:1/notes",
        Some(note),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "unknown_tag");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Доставка, Возврат")
    );

    let note = json!({"text": "Просит перезвонить после обеда", "tags": ["Доставка"]});
    let (status, body) = call(
        &relay,
        reqwest::Method::POST,
        &anna,
        "/v1/calls/uis:1/notes",
        Some(note.clone()),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["author"], "Анна");
    // Пётр may not see the call: neither write nor read its notes.
    let (status, _) = call(
        &relay,
        reqwest::Method::POST,
        &petr,
        "/v1/calls/uis:1/notes",
        Some(note),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = call(
        &relay,
        reqwest::Method::GET,
        &petr,
        "/v1/calls/uis:1/notes",
        None,
    )
    .await;
    assert_eq!(status, 404);

    // Игорь reads Анна's note, and finds its gist in the case.
    let (status, body) = call(
        &relay,
        reqwest::Method::GET,
        &igor,
        "/v1/calls/uis:1/notes",
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["notes"][0]["text"], "Просит перезвонить после обеда");
    assert_eq!(body["notes"][0]["tags"], json!(["Доставка"]));
    let listed = wait_cases(&relay, &igor, |c| {
        c.first().is_some_and(|c| !c.gists.is_empty())
    })
    .await;
    assert_eq!(listed[0].gists[0].text, "Просит перезвонить после обеда");
    assert_eq!(
        listed[0].gists[0].by.as_ref().unwrap().agent.as_deref(),
        Some("Анна")
    );

    // Игорь closes it with a reason; Анна's stream hears it.
    let (mut anna_stream, _) = relay.connect_live(&anna).await;
    let (status, _) = call(
        &relay,
        reqwest::Method::POST,
        &petr,
        "/v1/cases/uis:1/close",
        Some(json!({"reason": "дубль"})),
    )
    .await;
    assert_eq!(status, 404);
    let (status, body) = call(
        &relay,
        reqwest::Method::POST,
        &igor,
        "/v1/cases/uis:1/close",
        Some(json!({"reason": "Клиент дозвонился сам"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let closed: CaseView = serde_json::from_value(body).unwrap();
    assert_eq!(closed.status, WireCaseStatus::Closed);
    let closure = closed.closure.unwrap();
    assert_eq!(closure.reason.as_deref(), Some("Клиент дозвонился сам"));
    assert_eq!(closure.by.unwrap().agent.as_deref(), Some("Игорь"));
    let heard = case_frame(&mut anna_stream, |c| c.status == WireCaseStatus::Closed).await;
    assert_eq!(heard.key, "uis:1");
    // A closed case takes no claim.
    let (status, _) = call(
        &relay,
        reqwest::Method::POST,
        &anna,
        "/v1/cases/uis:1/claim",
        None,
    )
    .await;
    assert_eq!(status, 409);
    assert_eq!(cases(&relay, &anna, "?status=closed").await.cases.len(), 1);
    relay.stop().await;
}

/// `GET /v1/cases` as `token` from the relay at `addr`, asked again until `done` holds (at
/// most [`WAIT`]).
async fn cases_until(
    http: &reqwest::Client,
    addr: std::net::SocketAddr,
    token: &str,
    done: impl Fn(&[CaseView]) -> bool,
) -> Vec<CaseView> {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let response = http
            .get(format!("http://{addr}/v1/cases"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let cases = response.json::<CaseList>().await.unwrap().cases;
        if done(&cases) {
            return cases;
        }
        assert!(tokio::time::Instant::now() < deadline, "{cases:?}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// [`cases_until`] the first case holds both calls of the test.
async fn both_calls_in_one_case(
    http: &reqwest::Client,
    addr: std::net::SocketAddr,
    token: &str,
) -> Vec<CaseView> {
    cases_until(http, addr, token, |cases| {
        cases.first().is_some_and(|c| c.calls.len() == 2)
    })
    .await
}

/// A supervisor on the relay whose data is in `data`; returns its token.
fn supervisor(data: &std::path::Path) -> String {
    let store = trubka_relay::Store::open(data).unwrap();
    crate::common::add_agent(&store, "Ольга", |new| new.supervisor = true)
}

#[tokio::test]
async fn a_call_stored_but_never_folded_before_a_crash_gets_its_case_on_start() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let relay = FolderRelay::start(&data, trubka_relay::RelayConfig::default()).await;
    let olga = supervisor(&data);
    let http = reqwest::Client::new();
    let call = missed(1, "100", -10);
    // The call comes in and rings: the case worker folds it and gives it its number.
    relay.uis(&http, &call[..2]).await;
    let conn = rusqlite::Connection::open(data.join("relay.db")).unwrap();
    let numbered = || -> i64 {
        conn.query_row(
            "SELECT count(*) FROM call_clients WHERE call_id = 'uis:1'",
            [],
            |row| row.get(0),
        )
        .unwrap()
    };
    let deadline = tokio::time::Instant::now() + WAIT;
    while numbered() == 0 {
        assert!(tokio::time::Instant::now() < deadline, "never numbered");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    relay.stop().await;

    // «Потерянный звонок» is stored as the writer stores it, and the relay dies before its
    // case worker folds it (here: no relay runs at all).
    let body = serde_json::to_vec(&call[2]).unwrap();
    let request = trubka_protocol::hook::HookRequest {
        query: "",
        content_type: Some("application/json"),
        body: &body,
    };
    let phones = trubka_core::PhoneParser::russia();
    let events = trubka_protocol::uis::parse_uis(&request, None, &phones).unwrap();
    let mut store = trubka_relay::Store::open(&data).unwrap();
    assert_eq!(store.append_events(&events).unwrap().stored, 1);
    drop(store);

    let relay = FolderRelay::start(&data, trubka_relay::RelayConfig::default()).await;
    let cases = cases_until(&http, relay.addr, &olga, |cases| !cases.is_empty()).await;
    assert_eq!(cases.len(), 1, "{cases:?}");
    assert_eq!(cases[0].status, WireCaseStatus::Open);
    assert_eq!(cases[0].calls.len(), 1);
    let owed: i64 = conn
        .query_row("SELECT count(*) FROM cases_owed", [], |row| row.get(0))
        .unwrap();
    assert_eq!(owed, 0, "the fold settled what was owed");
    relay.stop().await;
}

#[tokio::test]
async fn a_database_whose_calls_have_no_cases_gets_them_on_start() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let relay = FolderRelay::start(&data, trubka_relay::RelayConfig::default()).await;
    let olga = supervisor(&data);
    let http = reqwest::Client::new();
    let calls = [missed(1, "100", -30), missed(2, "100", -20)].concat();
    relay.uis(&http, &calls).await;
    let before = both_calls_in_one_case(&http, relay.addr, &olga).await;
    relay.stop().await;

    // As a relay from before cases would have left it: calls, no numbers, no cases.
    let conn = rusqlite::Connection::open(data.join("relay.db")).unwrap();
    conn.execute_batch("DELETE FROM call_clients; DELETE FROM cases;")
        .unwrap();
    drop(conn);

    let relay = FolderRelay::start(&data, trubka_relay::RelayConfig::default()).await;
    let after = both_calls_in_one_case(&http, relay.addr, &olga).await;
    assert_eq!(comparable(&before), comparable(&after));
    relay.stop().await;

    // Stopped between the backfill's two passes: every call has its number, the cases of the
    // numbers are still owed. The next start derives them.
    let conn = rusqlite::Connection::open(data.join("relay.db")).unwrap();
    conn.execute_batch(
        "DELETE FROM cases;
         INSERT INTO meta(key, value) VALUES ('cases_backfill_after', '')",
    )
    .unwrap();
    drop(conn);
    let relay = FolderRelay::start(&data, trubka_relay::RelayConfig::default()).await;
    let resumed = both_calls_in_one_case(&http, relay.addr, &olga).await;
    assert_eq!(comparable(&before), comparable(&resumed));
    let conn = rusqlite::Connection::open(data.join("relay.db")).unwrap();
    let owed = || -> i64 {
        conn.query_row(
            "SELECT count(*) FROM meta WHERE key = 'cases_backfill_after'",
            [],
            |row| row.get(0),
        )
        .unwrap()
    };
    // Done, the second pass is owed no more.
    let deadline = tokio::time::Instant::now() + WAIT;
    while owed() > 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the backfill never ended"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    relay.stop().await;
}
