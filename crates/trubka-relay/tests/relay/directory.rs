//! The team directory end to end: a real relay on 127.0.0.1:0 with its SQLite file, agents
//! over HTTP and WebSocket, and the admin's `trubka-relay contacts …` (the built binary) on
//! the same data folder while the relay runs.

use serde_json::{Value, json};
use trubka_core::Lang;
use trubka_protocol::ServerFrame;
use trubka_protocol::directory::{
    ChangeAction, ContactWithHistory, DirectoryContact, DirectoryPage, LookupAnswer,
};
use trubka_relay::RelayConfig;

use crate::common::{Got, Stream, TestRelay};
use crate::support::{CLIENTS_CSV, relay_cli_async, says};

/// `method path` as the agent with `token`, with a JSON body; status and JSON answer.
async fn call(
    relay: &TestRelay,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<&Value>,
) -> (u16, Value) {
    let mut request = relay
        .http
        .request(method, relay.url(path))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(body);
    }
    crate::common::read_json(request.send().await.unwrap()).await
}

async fn get(relay: &TestRelay, path: &str, token: &str) -> (u16, Value) {
    call(relay, reqwest::Method::GET, path, token, None).await
}

async fn post(relay: &TestRelay, path: &str, token: &str, body: &Value) -> (u16, Value) {
    call(relay, reqwest::Method::POST, path, token, Some(body)).await
}

async fn put(relay: &TestRelay, path: &str, token: &str, body: &Value) -> (u16, Value) {
    call(relay, reqwest::Method::PUT, path, token, Some(body)).await
}

fn decode<T: serde::de::DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value.clone()).unwrap_or_else(|e| panic!("{e}: {value}"))
}

/// Creates a contact as `token`; returns it.
async fn create(relay: &TestRelay, token: &str, body: Value) -> DirectoryContact {
    let (status, created) = post(relay, "/v1/directory/contacts", token, &body).await;
    assert_eq!(status, 201, "{created}");
    decode(created)
}

/// The next `directory` frame's version, skipping nothing else: a stream that gets another
/// frame first fails the test.
async fn directory_version(stream: &mut Stream) -> u64 {
    match stream.next_frame().await {
        Got::Frame(ServerFrame::Directory { version }) => version,
        other => panic!("expected directory, got {other:?}"),
    }
}

#[tokio::test]
async fn agents_create_edit_attach_and_a_supervisor_deletes_each_change_in_the_history() {
    let relay = TestRelay::start().await;
    let anna = relay.agent("Анна", |_| {});
    let igor = relay.agent("Игорь", |_| {});
    let olga = relay.agent("Ольга", |a| a.supervisor = true);

    let created = create(
        &relay,
        &anna,
        json!({"name": " Иван Петров ", "phones": [{"raw": "8 (926) 123-45-67", "label": "mobile"}],
               "fields": {"ИНН": "7701234567"}, "crm_url": "https://crm.example.com/c/1"}),
    )
    .await;
    assert_eq!(created.fields.name, "Иван Петров");
    assert_eq!(created.updated_by.as_deref(), Some("Анна"));
    let id = created.id;
    let path = format!("/v1/directory/contacts/{id}");

    let (status, edited) = put(
        &relay,
        &path,
        &igor,
        &json!({"base_version": created.version, "name": "Иван Петров",
                "company": "ООО Ромашка",
                "phones": [{"raw": "8 (926) 123-45-67", "label": "mobile"}],
                "fields": {"ИНН": "7701234567"}, "crm_url": "https://crm.example.com/c/1"}),
    )
    .await;
    assert_eq!(status, 200, "{edited}");
    let edited: DirectoryContact = decode(edited);
    assert_eq!(edited.version, created.version + 1);
    assert_eq!(edited.updated_by.as_deref(), Some("Игорь"));

    let numbers = format!("{path}/numbers");
    let (status, attached) = post(
        &relay,
        &numbers,
        &anna,
        &json!({"raw": "+7 495 123-45-67", "label": "Рабочий"}),
    )
    .await;
    assert_eq!(status, 200, "{attached}");
    let attached: DirectoryContact = decode(attached);
    assert_eq!(attached.version, edited.version + 1);
    assert_eq!(attached.fields.phones.len(), 2);
    // The same number written another way is already there: nothing changes.
    let (status, again) = post(&relay, &numbers, &igor, &json!({"raw": "84951234567"})).await;
    assert_eq!(status, 200);
    assert_eq!(decode::<DirectoryContact>(again), attached);

    let (status, refused) = call(&relay, reqwest::Method::DELETE, &path, &anna, None).await;
    assert_eq!(status, 403, "{refused}");
    assert_eq!(refused["error"]["code"], "forbidden");
    let (status, _) = call(&relay, reqwest::Method::DELETE, &path, &olga, None).await;
    assert_eq!(status, 204);

    let (status, read) = get(&relay, &path, &igor).await;
    assert_eq!(status, 200);
    let read: ContactWithHistory = decode(read);
    assert!(read.contact.deleted);
    assert_eq!(read.contact.fields, Default::default());
    assert_eq!(read.contact.version, attached.version + 1);
    let history: Vec<(u64, &str, ChangeAction, Vec<&str>)> = read
        .history
        .iter()
        .map(|c| {
            let changed = c.changed.iter().map(String::as_str).collect();
            (c.version, c.author.as_str(), c.action, changed)
        })
        .collect();
    let v = created.version;
    assert_eq!(
        history,
        [
            (
                v + 3,
                "Ольга",
                ChangeAction::Deleted,
                vec!["name", "company", "phones", "crm_url", "ИНН"]
            ),
            (v + 2, "Анна", ChangeAction::NumberAttached, vec!["phones"]),
            (v + 1, "Игорь", ChangeAction::Edited, vec!["company"]),
            (
                v,
                "Анна",
                ChangeAction::Created,
                vec!["name", "phones", "crm_url", "ИНН"]
            ),
        ]
    );
    // A deleted contact's numbers find no one any more.
    let (_, found) = get(&relay, "/v1/directory/lookup?number=89261234567", &anna).await;
    assert_eq!(decode::<LookupAnswer>(found).contacts, []);
    relay.stop().await;
}

#[tokio::test]
async fn refusals_say_what_is_wrong() {
    let relay = TestRelay::start().await;
    let anna = relay.agent("Анна", |_| {});
    let contact = create(
        &relay,
        &anna,
        json!({"name": "Мария", "phones": [{"raw": "+79031112233"}]}),
    )
    .await;
    let path = format!("/v1/directory/contacts/{}", contact.id);
    // Someone else's edit came first.
    let body = json!({"base_version": contact.version, "name": "Мария Иванова"});
    assert_eq!(put(&relay, &path, &anna, &body).await.0, 200);
    let (status, stale) = put(
        &relay,
        &path,
        &anna,
        &json!({"base_version": contact.version, "name": "М."}),
    )
    .await;
    assert_eq!(status, 409, "{stale}");
    assert_eq!(stale["error"]["code"], "conflict");
    says(
        stale["error"]["message"].as_str().unwrap(),
        &["changed after version"],
    );

    let cases = [
        (json!({"name": "  ", "phones": []}), 422, "empty_contact"),
        (
            json!({"name": "Пётр", "phones": [{"raw": "12"}]}),
            422,
            "bad_number",
        ),
        (
            json!({"name": "Пётр", "crm_url": "javascript:alert(1)"}),
            422,
            "bad_crm_url",
        ),
        (json!({"name": 5}), 400, "bad_request"),
    ];
    for (body, expected, code) in cases {
        let (status, answer) = post(&relay, "/v1/directory/contacts", &anna, &body).await;
        assert_eq!(
            (status, answer["error"]["code"].as_str()),
            (expected, Some(code)),
            "{answer}"
        );
        assert!(!answer["error"]["message"].as_str().unwrap().is_empty());
    }
    let not_json = relay
        .http
        .post(relay.url("/v1/directory/contacts"))
        .bearer_auth(&anna)
        .body("{not json")
        .send()
        .await
        .unwrap();
    let (status, answer) = crate::common::read_json(not_json).await;
    assert_eq!(status, 400);
    says(
        answer["error"]["message"].as_str().unwrap(),
        &["the body must be JSON like"],
    );
    for missing in ["/v1/directory/contacts/999", "/v1/directory/contacts/abc"] {
        let (status, answer) = get(&relay, missing, &anna).await;
        assert_eq!(status, 404, "{answer}");
    }
    let (status, _) = post(
        &relay,
        "/v1/directory/contacts/999/numbers",
        &anna,
        &json!({"raw": "+79031112233"}),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = get(&relay, "/v1/directory/changes?since=x", &anna).await;
    assert_eq!(status, 400);
    let (status, _) = get(&relay, "/v1/directory/changes", "trk_unknown").await;
    assert_eq!(status, 401);
    relay.stop().await;
}

#[tokio::test]
async fn pages_of_changes_end_with_more_false_and_carry_tombstones() {
    let relay = TestRelay::start().await;
    let anna = relay.agent("Анна", |_| {});
    let olga = relay.agent("Ольга", |a| a.supervisor = true);
    let mut ids = Vec::new();
    for n in 0..5 {
        let phone = format!("+7903111220{n}");
        ids.push(
            create(
                &relay,
                &anna,
                json!({"name": format!("Клиент {n}"), "phones": [{"raw": phone}]}),
            )
            .await
            .id,
        );
    }
    let deleted = format!("/v1/directory/contacts/{}", ids[1]);
    assert_eq!(
        call(&relay, reqwest::Method::DELETE, &deleted, &olga, None)
            .await
            .0,
        204
    );
    let edited = format!("/v1/directory/contacts/{}", ids[3]);
    assert_eq!(
        put(
            &relay,
            &edited,
            &anna,
            &json!({"name": "Клиент 3 (VIP)", "phones": [{"raw": "+79031112203"}]})
        )
        .await
        .0,
        200
    );

    let mut since = 0;
    let mut seen = Vec::new();
    let mut pages = 0;
    // Bounded: 5 contacts in pages of 2 take 3 pages.
    for _ in 0..10 {
        let (status, page) = get(
            &relay,
            &format!("/v1/directory/changes?since={since}&limit=2"),
            &anna,
        )
        .await;
        assert_eq!(status, 200, "{page}");
        let page: DirectoryPage = decode(page);
        assert_eq!(page.version, 7);
        pages += 1;
        assert!(page.contacts.len() <= 2);
        for contact in &page.contacts {
            assert!(contact.version > since);
            since = contact.version;
            seen.push((contact.id, contact.deleted, contact.fields.name.clone()));
        }
        if !page.more {
            break;
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(
        seen,
        [
            (ids[0], false, "Клиент 0".to_owned()),
            (ids[2], false, "Клиент 2".to_owned()),
            (ids[4], false, "Клиент 4".to_owned()),
            (ids[1], true, String::new()),
            (ids[3], false, "Клиент 3 (VIP)".to_owned()),
        ]
    );
    let (_, last) = get(&relay, "/v1/directory/changes?since=7", &anna).await;
    let last: DirectoryPage = decode(last);
    assert!(last.contacts.is_empty() && !last.more);
    relay.stop().await;
}

#[tokio::test]
async fn lookup_ranks_as_the_desktop_e164_phones_then_legacy_ones_then_extra_fields() {
    // In Ukraine a Russian mobile written without +7 is no valid number: a legacy entry,
    // found by its national digits only.
    let relay = TestRelay::start_with(RelayConfig {
        default_region: "UA".to_owned(),
        ..RelayConfig::default()
    })
    .await;
    let anna = relay.agent("Анна", |_| {});
    let in_field = create(
        &relay,
        &anna,
        json!({"name": "Склад", "fields": {"Доп. телефон": "+7 926 123-45-67"}}),
    )
    .await;
    let legacy = create(
        &relay,
        &anna,
        json!({"name": "Старая запись", "phones": [{"raw": "926 123-45-67"}]}),
    )
    .await;
    let e164 = create(
        &relay,
        &anna,
        json!({"name": "Иван", "phones": [{"raw": "+7 (926) 123-45-67"}]}),
    )
    .await;
    create(
        &relay,
        &anna,
        json!({"name": "Другой", "phones": [{"raw": "+7 926 123-45-68"}]}),
    )
    .await;

    let (status, answer) = get(&relay, "/v1/directory/lookup?number=%2B79261234567", &anna).await;
    assert_eq!(status, 200, "{answer}");
    let answer: LookupAnswer = decode(answer);
    assert_eq!(answer.number, "+79261234567");
    let order: Vec<_> = answer.contacts.iter().map(|c| c.id).collect();
    assert_eq!(order, [e164.id, legacy.id, in_field.id]);
    assert!(answer.crm.is_empty());

    let (status, answer) = get(&relay, "/v1/directory/lookup?number=12", &anna).await;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (422, Some("bad_number"))
    );
    relay.stop().await;
}

#[tokio::test]
async fn a_stream_gets_the_directory_version_after_caught_up_and_each_new_one() {
    let relay = TestRelay::start().await;
    let anna = relay.agent("Анна", |_| {});
    let igor = relay.agent("Игорь", |_| {});
    let mut stream = relay.connect(&anna, "since=0").await;
    stream.hello().await;
    assert_eq!(stream.caught_up().await, 0);
    assert_eq!(directory_version(&mut stream).await, 0);

    // A change by HTTP goes out at once.
    let created = create(
        &relay,
        &igor,
        json!({"name": "Иван", "phones": [{"raw": "+79261234567"}]}),
    )
    .await;
    assert_eq!(directory_version(&mut stream).await, created.version);

    // A connection without `since` hears the version right after hello.
    let (mut fresh, _) = relay.connect_live(&igor).await;
    assert_eq!(directory_version(&mut fresh).await, created.version);

    // The admin imports on the same data folder while the relay runs: the poll notices.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("clients.csv");
    std::fs::write(
        &file,
        "Имя;Телефон\nМария;+79031112233\nПётр;+79031112234\n",
    )
    .unwrap();
    let said = relay_cli_async(
        &["contacts", "import", file.to_str().unwrap()],
        &relay.data_dir(),
        Lang::Ru,
    )
    .await;
    says(&said, &["Импортировано 2, пропущено 0"]);
    for stream in [&mut stream, &mut fresh] {
        // Bounded by WAIT per frame; the import's version comes within a poll or two.
        assert_eq!(directory_version(stream).await, created.version + 2);
    }
    stream.close().await;
    fresh.close().await;
    relay.stop().await;
}

#[tokio::test]
async fn import_reports_bad_rows_by_line_and_a_second_run_updates_instead_of_duplicating() {
    let relay = TestRelay::start().await;
    let anna = relay.agent("Анна", |_| {});
    let data = relay.data_dir();
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("clients.csv");
    std::fs::write(&csv, CLIENTS_CSV).unwrap();
    let csv_arg = csv.to_str().unwrap().to_owned();

    let first = relay_cli_async(&["contacts", "import", &csv_arg], &data, Lang::Ru).await;
    says(
        &first,
        &[
            "clients.csv: строка 3: нет ни имени, ни номера телефона",
            "clients.csv: строка 4: «12» — не номер телефона",
            "Импортировано 2, пропущено 2 (новых 2, обновлено 0, без изменений 0",
        ],
    );
    let again = relay_cli_async(&["contacts", "import", &csv_arg], &data, Lang::Ru).await;
    says(
        &again,
        &["Импортировано 2, пропущено 2 (новых 0, обновлено 0, без изменений 2"],
    );

    // The same people with one more number and a new company: merged into them.
    std::fs::write(
        &csv,
        "Name,Phone,Company\nиван петров,+79261234567,ООО Ромашка\nПётр Сидоров,\"+74957654321, +79990001122\",\n",
    )
    .unwrap();
    let merged = relay_cli_async(&["contacts", "import", &csv_arg], &data, Lang::Ru).await;
    says(
        &merged,
        &["Импортировано 2, пропущено 0 (новых 0, обновлено 2, без изменений 0"],
    );
    let listed = relay_cli_async(&["contacts", "list"], &data, Lang::Ru).await;
    says(
        &listed,
        &[
            "ИМЯ",
            "ТЕЛЕФОНЫ",
            "Иван Петров",
            "Пётр Сидоров",
            "Контактов: 2",
        ],
    );
    let (_, found) = get(&relay, "/v1/directory/lookup?number=89990001122", &anna).await;
    let found: LookupAnswer = decode(found);
    assert_eq!(found.contacts.len(), 1);
    let peter = &found.contacts[0];
    assert_eq!(peter.fields.name, "Пётр Сидоров");
    assert_eq!(peter.fields.phones.len(), 3);
    assert_eq!(peter.updated_by.as_deref(), Some("import"));
    let (_, ivan) = get(&relay, "/v1/directory/lookup?number=89261234567", &anna).await;
    let ivan: LookupAnswer = decode(ivan);
    assert_eq!(
        ivan.contacts[0].fields.company.as_deref(),
        Some("ООО Ромашка")
    );
    assert_eq!(ivan.contacts[0].fields.fields["Город"], "Москва");
    let (_, history) = get(
        &relay,
        &format!("/v1/directory/contacts/{}", ivan.contacts[0].id),
        &anna,
    )
    .await;
    let history: ContactWithHistory = decode(history);
    let actions: Vec<_> = history
        .history
        .iter()
        .map(|c| (c.action, c.author.as_str(), c.changed.clone()))
        .collect();
    assert_eq!(
        actions,
        [
            (ChangeAction::Imported, "import", vec!["company".to_owned()]),
            (
                ChangeAction::Imported,
                "import",
                vec![
                    "name".to_owned(),
                    "company".to_owned(),
                    "phones".to_owned(),
                    "Город".to_owned()
                ]
            ),
        ]
    );

    // vCard: a card without name or number is reported at the line it starts on.
    let vcf = dir.path().join("cards.vcf");
    std::fs::write(
        &vcf,
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ольга Смирнова\r\nTEL;TYPE=CELL:+7 916 000-11-22\r\nEND:VCARD\r\n\
         BEGIN:VCARD\r\nVERSION:3.0\r\nORG:Пусто\r\nEND:VCARD\r\n",
    )
    .unwrap();
    let cards = relay_cli_async(
        &["contacts", "import", vcf.to_str().unwrap()],
        &data,
        Lang::Ru,
    )
    .await;
    says(
        &cards,
        &[
            "cards.vcf: строка 6: нет ни имени, ни номера телефона",
            "Импортировано 1, пропущено 1",
        ],
    );
    relay.stop().await;
}

#[tokio::test]
async fn lookup_gives_the_crms_cached_answer_only_while_no_team_contact_has_the_number() {
    let relay = TestRelay::start().await;
    let anna = relay.agent("Анна", |_| {});
    // What the CRM lookup (`[directory.lookup]`) keeps after asking the CRM about a caller.
    let db = rusqlite::Connection::open(relay.data_dir().join("relay.db")).unwrap();
    let answer = json!([{"name": "Иван из CRM", "url": "https://crm.example.com/c/7"}]);
    let later = chrono::Utc::now().timestamp_millis() + 3_600_000;
    db.execute(
        "INSERT INTO crm_answers(number, answer, fetched_at, expires_at) VALUES (?1, ?2, 0, ?3)",
        rusqlite::params!["+79261234567", answer.to_string(), later],
    )
    .unwrap();
    let (status, found) = get(&relay, "/v1/directory/lookup?number=8+926+123-45-67", &anna).await;
    assert_eq!(status, 200, "{found}");
    let found: LookupAnswer = decode(found);
    assert_eq!(found.number, "+79261234567");
    assert!(found.contacts.is_empty());
    assert_eq!(found.crm.len(), 1);
    assert_eq!(found.crm[0].name, "Иван из CRM");

    let ivan = create(
        &relay,
        &anna,
        json!({"name": "Иван", "phones": [{"raw": "+79261234567"}]}),
    )
    .await;
    let (_, found) = get(&relay, "/v1/directory/lookup?number=89261234567", &anna).await;
    let found: LookupAnswer = decode(found);
    assert_eq!(
        found.contacts.iter().map(|c| c.id).collect::<Vec<_>>(),
        [ivan.id]
    );
    assert!(found.crm.is_empty());
    relay.stop().await;
}
