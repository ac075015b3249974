//! CRM lookup (`[directory.lookup]`) over real HTTP: a relay, an agent's stream and a CRM
//! on 127.0.0.1:0. The event frame always comes first (the CRM's answers are held until the
//! test has it); the contact follows as a `call_contact` frame, or never when the CRM knows
//! nobody, fails, or is not asked because the directory knows the number.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::common::*;
use crate::crm_stub::{Crm, Seen};
use serde_json::{Value, json};
use trubka_protocol::ServerFrame;
use trubka_protocol::directory::CrmContact;
use trubka_relay::RelayConfig;
use trubka_relay::config::{AnswerPointers, DirectoryConfig, LookupConfig, LookupMethod};

/// UIS «Ожидание ответа» from `number` (digits, as UIS writes them) ringing employee 100:
/// the first event of call `session`.
fn ringing(session: u64, number: &str) -> Value {
    let mut event = uis_ringing(session, "100", session * 10);
    event["contact_phone_number"] = json!(number);
    event
}

fn ended(session: u64, number: &str) -> Value {
    let mut event = uis_ended(session, "100");
    event["contact_phone_number"] = json!(number);
    event
}

fn with_lookup(lookup: LookupConfig) -> RelayConfig {
    RelayConfig {
        directory: DirectoryConfig {
            lookup: Some(lookup),
            ..DirectoryConfig::default()
        },
        ..RelayConfig::default()
    }
}

fn lookup(url: String) -> LookupConfig {
    LookupConfig {
        url,
        ..LookupConfig::default()
    }
}

/// A relay asking `lookup`'s CRM, and Анна (employee 100) connected.
async fn relay_with(lookup: LookupConfig) -> (TestRelay, Stream) {
    let relay = TestRelay::start_with(with_lookup(lookup)).await;
    let anna = relay.agent("Анна", |a| a.uis_employee = Some("100".to_owned()));
    let (stream, _) = relay.connect_live(&anna).await;
    (relay, stream)
}

/// Sends the webhook and checks the relay took it.
async fn hook(relay: &TestRelay, body: &Value) {
    let (status, answer) = relay.uis(body).await;
    assert_eq!(status, 200, "{answer}");
}

async fn expect_event(stream: &mut Stream, id: &str) {
    assert_eq!(stream.event().await.1, id);
}

async fn expect_contact(stream: &mut Stream) -> (String, String, Vec<CrmContact>) {
    match stream.next().await {
        Got::Frame(ServerFrame::CallContact {
            call_id,
            number,
            contacts,
        }) => (call_id, number, contacts),
        other => panic!("expected call_contact, got {other:?}"),
    }
}

/// The value of `trubka_relay_crm_lookups_total{outcome="…"}` (or another full series name).
fn counter(metrics: &str, series: &str) -> u64 {
    metrics
        .lines()
        .find_map(|line| line.strip_prefix(series)?.trim().parse().ok())
        .unwrap_or_else(|| panic!("{series} in {metrics}"))
}

fn outcome(outcome: &str) -> String {
    format!("trubka_relay_crm_lookups_total{{outcome=\"{outcome}\"}}")
}

/// Waits (bounded) until the relay counts `count` lookups with `outcome`.
async fn wait_for_outcome(relay: &TestRelay, name: &str, count: u64) {
    let series = outcome(name);
    let reached = tokio::time::timeout(WAIT, async {
        // Bounded by the timeout around it.
        loop {
            if counter(&relay.metrics().await, &series) >= count {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(reached.is_ok(), "{series} never reached {count}");
}

/// The call's next event after the lookup is over: proves no `call_contact` came between.
async fn no_contact_before(relay: &TestRelay, stream: &mut Stream, session: u64, number: &str) {
    hook(relay, &ended(session, number)).await;
    expect_event(stream, &format!("uis:{session}:ended:call")).await;
}

#[tokio::test]
async fn an_unknown_caller_gets_the_event_first_then_the_crms_contact_and_the_cache_serves_the_next_call()
 {
    let crm = Crm::gated(None).await;
    crm.answer(
        "79261110001",
        200,
        r#"{"name":"Иван Петров","company":"ООО Ромашка","email":"ivan@example.com",
            "url":"https://crm.example.com/clients/7","fields":{"ИНН":"7701234567","Сделок":3}}"#,
    );
    let (relay, mut stream) = relay_with(lookup(crm.url("/phones/{digits}"))).await;

    hook(&relay, &ringing(2001, "79261110001")).await;
    // The CRM holds its answer: the event went out without it.
    expect_event(&mut stream, "uis:2001:ringing:20010").await;
    crm.wait_for_requests(1).await;
    crm.open();
    let (call_id, number, contacts) = expect_contact(&mut stream).await;
    assert_eq!(
        (call_id.as_str(), number.as_str()),
        ("uis:2001", "+79261110001")
    );
    let fields = BTreeMap::from([
        ("ИНН".to_owned(), "7701234567".to_owned()),
        ("Сделок".to_owned(), "3".to_owned()),
    ]);
    assert_eq!(
        contacts,
        vec![CrmContact {
            name: "Иван Петров".to_owned(),
            company: Some("ООО Ромашка".to_owned()),
            email: Some("ivan@example.com".to_owned()),
            url: Some("https://crm.example.com/clients/7".to_owned()),
            fields,
        }]
    );
    assert_eq!(
        crm.seen(),
        vec![Seen {
            method: "GET",
            number: "79261110001".to_owned(),
            authorization: None,
        }]
    );

    // The next call from the number: the cached answer, no request.
    hook(&relay, &ringing(2002, "79261110001")).await;
    expect_event(&mut stream, "uis:2002:ringing:20020").await;
    let (call_id, _, cached) = expect_contact(&mut stream).await;
    assert_eq!((call_id.as_str(), cached), ("uis:2002", contacts));
    assert_eq!(crm.seen().len(), 1);
    let metrics = relay.metrics().await;
    assert_eq!(counter(&metrics, &outcome("found")), 1);
    assert_eq!(counter(&metrics, "trubka_relay_crm_cache_hits_total"), 1);
    relay.stop().await;
}

#[tokio::test]
async fn a_crm_of_its_own_shape_is_read_with_pointers_asked_by_post_with_its_token() {
    let crm = Crm::gated(Some("s3cret")).await;
    crm.answer(
        "+79261110002",
        200,
        r#"{"data":{"clients":[
            {"title":"Анна Смирнова","org":{"name":"ИП Смирнова"},"links":{"card":"https://crm/a"}},
            {"title":"Пётр Смирнов","extra":{"Город":"Казань"}}
        ]}}"#,
    );
    let mut config = lookup(crm.url("/lookup"));
    config.method = LookupMethod::Post;
    config
        .headers
        .insert("Authorization".to_owned(), "Bearer s3cret".to_owned());
    config.answer = AnswerPointers {
        list: "/data/clients".to_owned(),
        name: "/title".to_owned(),
        company: "/org/name".to_owned(),
        email: "/mail".to_owned(),
        url: "/links/card".to_owned(),
        fields: "/extra".to_owned(),
    };
    let (relay, mut stream) = relay_with(config).await;

    hook(&relay, &ringing(2101, "79261110002")).await;
    expect_event(&mut stream, "uis:2101:ringing:21010").await;
    crm.wait_for_requests(1).await;
    crm.open();
    let (_, number, contacts) = expect_contact(&mut stream).await;
    assert_eq!(number, "+79261110002");
    let names: Vec<&str> = contacts.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["Анна Смирнова", "Пётр Смирнов"]);
    assert_eq!(contacts[0].company.as_deref(), Some("ИП Смирнова"));
    assert_eq!(contacts[0].url.as_deref(), Some("https://crm/a"));
    assert_eq!(contacts[1].fields["Город"], "Казань");
    assert_eq!(
        crm.seen(),
        vec![Seen {
            method: "POST",
            number: "+79261110002".to_owned(),
            authorization: Some("Bearer s3cret".to_owned()),
        }]
    );
    relay.stop().await;
}

#[tokio::test]
async fn nobody_sends_no_contact_and_is_remembered_for_the_negative_time() {
    let crm = Crm::start(None).await;
    crm.answer("79261110004", 200, "[]");
    let (relay, mut stream) = relay_with(lookup(crm.url("/phones/{digits}"))).await;

    // 404 (the stub's answer for a number it was not told about), then an empty list.
    hook(&relay, &ringing(2201, "79261110003")).await;
    expect_event(&mut stream, "uis:2201:ringing:22010").await;
    wait_for_outcome(&relay, "not_found", 1).await;
    no_contact_before(&relay, &mut stream, 2201, "79261110003").await;
    hook(&relay, &ringing(2202, "79261110004")).await;
    expect_event(&mut stream, "uis:2202:ringing:22020").await;
    wait_for_outcome(&relay, "not_found", 2).await;
    no_contact_before(&relay, &mut stream, 2202, "79261110004").await;

    // Called again: «nobody» is still fresh, so the CRM is not asked.
    hook(&relay, &ringing(2203, "79261110003")).await;
    expect_event(&mut stream, "uis:2203:ringing:22030").await;
    no_contact_before(&relay, &mut stream, 2203, "79261110003").await;
    assert_eq!(crm.seen().len(), 2);
    let metrics = relay.metrics().await;
    assert_eq!(counter(&metrics, "trubka_relay_crm_cache_hits_total"), 1);
    assert_eq!(counter(&metrics, &outcome("found")), 0);
    relay.stop().await;
}

#[tokio::test]
async fn a_crm_that_is_down_costs_the_event_nothing_and_is_counted_as_an_error() {
    // A port nobody listens on any more.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/phones/{{digits}}", closed.local_addr().unwrap());
    drop(closed);
    let (relay, mut stream) = relay_with(lookup(url)).await;

    hook(&relay, &ringing(2301, "79261110005")).await;
    expect_event(&mut stream, "uis:2301:ringing:23010").await;
    wait_for_outcome(&relay, "error", 1).await;
    no_contact_before(&relay, &mut stream, 2301, "79261110005").await;
    relay.stop().await;
}

#[tokio::test]
async fn a_crm_slower_than_the_timeout_is_given_up_while_the_event_is_long_delivered() {
    // The CRM would answer after 5 s; the relay waits 300 ms.
    let crm = Crm::gated(None).await;
    crm.answer("79261110006", 200, r#"{"name":"Слишком поздно"}"#);
    let config = LookupConfig {
        timeout_ms: 300,
        ..lookup(crm.url("/phones/{digits}"))
    };
    let (relay, mut stream) = relay_with(config).await;

    hook(&relay, &ringing(2401, "79261110006")).await;
    expect_event(&mut stream, "uis:2401:ringing:24010").await;
    // The event arrived while the CRM still holds its answer.
    crm.wait_for_requests(1).await;
    wait_for_outcome(&relay, "timeout", 1).await;
    crm.open();
    no_contact_before(&relay, &mut stream, 2401, "79261110006").await;

    // A timeout says nothing about the number: the next call asks again.
    hook(&relay, &ringing(2402, "79261110006")).await;
    expect_event(&mut stream, "uis:2402:ringing:24020").await;
    crm.wait_for_requests(2).await;
    let (call_id, _, contacts) = expect_contact(&mut stream).await;
    assert_eq!(
        (call_id.as_str(), contacts[0].name.as_str()),
        ("uis:2402", "Слишком поздно")
    );
    relay.stop().await;
}

#[tokio::test]
async fn garbage_from_the_crm_is_counted_not_cached_and_sends_nothing() {
    let crm = Crm::gated(None).await;
    crm.answer("79261110007", 200, "<html>Внутренняя ошибка</html>");
    crm.answer("79261110008", 200, r#"{"name":{"first":"Иван"}}"#);
    let (relay, mut stream) = relay_with(lookup(crm.url("/phones/{digits}"))).await;

    hook(&relay, &ringing(2501, "79261110007")).await;
    expect_event(&mut stream, "uis:2501:ringing:25010").await;
    crm.wait_for_requests(1).await;
    crm.open();
    wait_for_outcome(&relay, "garbage", 1).await;
    no_contact_before(&relay, &mut stream, 2501, "79261110007").await;

    hook(&relay, &ringing(2502, "79261110008")).await;
    expect_event(&mut stream, "uis:2502:ringing:25020").await;
    wait_for_outcome(&relay, "garbage", 2).await;
    no_contact_before(&relay, &mut stream, 2502, "79261110008").await;

    // Not kept: the next call from the number asks again.
    hook(&relay, &ringing(2503, "79261110007")).await;
    expect_event(&mut stream, "uis:2503:ringing:25030").await;
    wait_for_outcome(&relay, "garbage", 3).await;
    assert_eq!(crm.seen().len(), 3);
    relay.stop().await;
}

#[tokio::test]
async fn calls_from_a_number_being_asked_about_share_the_one_request() {
    let crm = Crm::gated(None).await;
    crm.answer("79261110009", 200, r#"{"name":"Ольга"}"#);
    let (relay, mut stream) = relay_with(lookup(crm.url("/phones/{digits}"))).await;

    hook(&relay, &ringing(2601, "79261110009")).await;
    expect_event(&mut stream, "uis:2601:ringing:26010").await;
    crm.wait_for_requests(1).await;
    hook(&relay, &ringing(2602, "79261110009")).await;
    expect_event(&mut stream, "uis:2602:ringing:26020").await;
    crm.open();
    let mut calls = vec![
        expect_contact(&mut stream).await.0,
        expect_contact(&mut stream).await.0,
    ];
    calls.sort();
    assert_eq!(calls, ["uis:2601", "uis:2602"]);
    assert_eq!(crm.seen().len(), 1);
    relay.stop().await;
}

#[tokio::test]
async fn a_number_the_directory_knows_is_not_sent_to_the_crm() {
    let crm = Crm::start(None).await;
    crm.answer("79261110010", 200, r#"{"name":"Из CRM"}"#);
    let (relay, mut stream) = relay_with(lookup(crm.url("/phones/{digits}"))).await;
    let db = rusqlite::Connection::open(relay.data_dir().join("relay.db")).unwrap();
    db.execute_batch(
        "INSERT INTO directory_contacts(id, version, fields, search, updated_by, updated_at)
             VALUES (1, 1, '{\"name\":\"Из справочника\"}', 'из справочника', 'admin', 0);
         INSERT INTO directory_numbers(contact_id, position, raw, e164, national)
             VALUES (1, 0, '+7 926 111-00-10', '+79261110010', '9261110010');",
    )
    .unwrap();

    hook(&relay, &ringing(2701, "79261110010")).await;
    expect_event(&mut stream, "uis:2701:ringing:27010").await;
    no_contact_before(&relay, &mut stream, 2701, "79261110010").await;
    // An unknown number after it is asked about: the known one never was.
    hook(&relay, &ringing(2702, "79261110011")).await;
    expect_event(&mut stream, "uis:2702:ringing:27020").await;
    wait_for_outcome(&relay, "not_found", 1).await;
    let asked: Vec<String> = crm.seen().into_iter().map(|s| s.number).collect();
    assert_eq!(asked, ["79261110011"]);
    relay.stop().await;
}

/// The README's `[directory.lookup]` example is a configuration the relay takes.
#[test]
fn the_readme_example_is_a_configuration_the_relay_takes() {
    let readme = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md"));
    let example = readme
        .split("```toml\n")
        .skip(1)
        .filter_map(|block| block.split("```").next())
        .find(|block| block.contains("[directory.lookup]"))
        .expect("a [directory.lookup] example in the README");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("relay.toml");
    std::fs::write(&path, example).unwrap();
    let (config, _) = RelayConfig::load(Some(&path), Vec::new()).unwrap_or_else(|e| panic!("{e}"));
    let lookup = config.directory.lookup.expect("the lookup read");
    assert_eq!(lookup.headers.len(), 1);
    assert_eq!(lookup.timeout_ms, LookupConfig::default().timeout_ms);
}

/// `check` asks the CRM about a sample number and says whether the lookup works.
#[tokio::test]
async fn check_says_whether_the_crm_answers_in_a_shape_the_relay_reads() {
    use trubka_core::Lang;
    use trubka_relay::config::locate::ConfigSource;
    use trubka_relay::setup::check;

    let crm = Crm::start(Some("s3cret")).await;
    crm.answer("74951234567", 200, r#"{"name":"Проверка"}"#);
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let down = format!("http://{}/phones/{{digits}}", closed.local_addr().unwrap());
    drop(closed);
    let dir = tempfile::tempdir().unwrap();
    let with_token = |url: String| {
        let mut lookup = lookup(url);
        lookup
            .headers
            .insert("Authorization".to_owned(), "Bearer s3cret".to_owned());
        lookup
    };
    let cases = [
        (
            with_token(crm.url("/phones/{digits}")),
            Lang::Ru,
            "✓ Поиск в CRM работает: на +74951234567 CRM ответила «Проверка»",
        ),
        (
            lookup(crm.url("/phones/{digits}")),
            Lang::En,
            "✗ CRM lookup does not work: the CRM answered HTTP 401 Unauthorized",
        ),
        (
            with_token(down),
            Lang::En,
            "✗ CRM lookup does not work: error sending request",
        ),
    ];
    for (lookup, language, expected) in cases {
        let config = RelayConfig {
            data_dir: dir.path().join("data"),
            language,
            ..with_lookup(lookup)
        };
        let source = ConfigSource::Local(dir.path().join("relay.toml"));
        let mut out = Vec::new();
        check::run(&config, &source, &mut out).await.unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains(expected), "{expected}\n{text}");
    }
}

/// Beyond 32 requests waiting on the CRM, a new unknown caller is not looked up: counted as
/// skipped, its event delivered all the same.
#[tokio::test]
async fn a_caller_beyond_the_requests_in_flight_is_skipped_not_queued() {
    let crm = Crm::gated(None).await;
    // Requests wait for the gate, not for the relay's timeout.
    let config = LookupConfig {
        timeout_ms: 30_000,
        ..lookup(crm.url("/phones/{digits}"))
    };
    let (relay, mut stream) = relay_with(config).await;
    for n in 0..33u64 {
        let number = format!("792622200{n:02}");
        hook(&relay, &ringing(2800 + n, &number)).await;
        expect_event(
            &mut stream,
            &format!("uis:{}:ringing:{}", 2800 + n, (2800 + n) * 10),
        )
        .await;
    }
    crm.wait_for_requests(32).await;
    wait_for_outcome(&relay, "skipped", 1).await;
    crm.open();
    wait_for_outcome(&relay, "not_found", 32).await;
    assert_eq!(crm.seen().len(), 32);
    relay.stop().await;
}
