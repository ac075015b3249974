//! The UIS address book in the team directory (`[directory.uis_sync]`) against the real
//! simulator: its contacts reach the directory as changes by «UIS»; a second pass with nothing
//! changed writes nothing; a change made in the cabinet reaches the contact while an agent's
//! note and number on it stay; a contact deleted at UIS goes, one added comes; a client the
//! admin imported is linked, not doubled, and stays when UIS forgets it; a book UIS refuses to
//! give writes nothing and is counted. Passes are run by the test (`UisSync::run_once`), the
//! cabinet's edits through the simulator's `/sim/uis/contacts`.

use serde_json::{Value, json};
use trubka_protocol::directory::{
    ChangeAction, ContactWithHistory, DirectoryContact, LookupAnswer,
};
use trubka_relay::RelayConfig;
use trubka_relay::cli::{CliError, ContactsCommand};
use trubka_relay::directory::uis_sync::UisSyncError;

use crate::common::read_json;
use crate::support::{Pbx, anna};

/// The cast's contacts in the simulator's address book at start.
const CAST_CONTACTS: usize = 6;

async fn lookup(pbx: &Pbx, token: &str, number: &str) -> Vec<DirectoryContact> {
    let path = format!("/v1/directory/lookup?number={}", number.replace('+', "%2B"));
    let (status, answer) = pbx.get_as(token, &path).await;
    assert_eq!(status, 200, "{answer}");
    serde_json::from_value::<LookupAnswer>(answer)
        .unwrap()
        .contacts
}

async fn history(pbx: &Pbx, token: &str, id: i64) -> ContactWithHistory {
    let path = format!("/v1/directory/contacts/{id}");
    let (status, answer) = pbx.get_as(token, &path).await;
    assert_eq!(status, 200, "{answer}");
    serde_json::from_value(answer).unwrap()
}

/// `PUT /sim/uis/contacts/{id}`: the cabinet creates or changes a contact.
async fn cabinet_put(pbx: &Pbx, id: u64, body: Value) {
    let response = pbx
        .http
        .put(pbx.sim_url(&format!("/sim/uis/contacts/{id}")))
        .json(&body)
        .send()
        .await
        .unwrap();
    let (status, answer) = read_json(response).await;
    assert!(status == 200 || status == 201, "{status} {answer}");
}

/// `DELETE /sim/uis/contacts/{id}`: the cabinet deletes a contact.
async fn cabinet_delete(pbx: &Pbx, id: u64) {
    let response = pbx
        .http
        .delete(pbx.sim_url(&format!("/sim/uis/contacts/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 204);
}

/// The one team contact `number` belongs to.
async fn only(pbx: &Pbx, token: &str, number: &str) -> DirectoryContact {
    let mut found = lookup(pbx, token, number).await;
    assert_eq!(found.len(), 1, "{number}: {found:?}");
    found.remove(0)
}

#[tokio::test]
async fn the_address_book_fills_the_directory_and_follows_the_cabinet() {
    let pbx = Pbx::start(|_| {}, |_| {}).await;
    let token = pbx.agent("Анна", anna);
    assert!(lookup(&pbx, &token, "+79261234567").await.is_empty());

    let first = pbx.uis_sync.run_once().await.unwrap();
    assert_eq!(
        (first.read, first.added, first.updated, first.deleted),
        (CAST_CONTACTS, CAST_CONTACTS, 0, 0)
    );
    assert!(first.skipped.is_empty(), "{:?}", first.skipped);
    let olga = only(&pbx, &token, "8 926 123-45-67").await;
    assert_eq!(olga.fields.name, "Васильева Ольга");
    assert_eq!(olga.fields.fields["Группы"], "Клиенты");
    assert_eq!(olga.updated_by.as_deref(), Some("UIS"));
    // A Belarusian number written by UIS without its + is still Belarusian.
    let ales = only(&pbx, &token, "+375 29 765-43-21").await;
    assert_eq!(ales.fields.phones[0].raw, "+375297654321");
    let company = only(&pbx, &token, "8 (812) 333-44-55").await;
    assert_eq!(company.fields.name, "ООО «Балтснаб»");

    // Nothing changed at UIS: nothing is written.
    let again = pbx.uis_sync.run_once().await.unwrap();
    assert_eq!((again.added, again.updated, again.deleted), (0, 0, 0));
    assert_eq!(again.version, first.version);

    // Анна writes a note and adds a number of her own.
    let mut fields = olga.fields.clone();
    fields.notes = Some("Звонить после 18:00".to_owned());
    fields.phones.push(trubka_protocol::directory::WirePhone {
        raw: "+7 495 111-22-33".to_owned(),
        label: Some("рабочий".to_owned()),
    });
    let mut body = serde_json::to_value(&fields).unwrap();
    body["base_version"] = json!(olga.version);
    let response = pbx
        .http
        .put(pbx.relay_url(&format!("/v1/directory/contacts/{}", olga.id)))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);

    // In the cabinet: Ольга gets an e-mail and a second mobile, Дмитрий is deleted, a new
    // organisation comes.
    cabinet_put(
        &pbx,
        31245,
        json!({"last_name": "Васильева", "first_name": "Ольга", "groups": ["Клиенты"],
               "phone_numbers": ["+7 926 123-45-67", "8 903 765-43-21"],
               "emails": ["olga@vector.ru"]}),
    )
    .await;
    cabinet_delete(&pbx, 31246).await;
    cabinet_put(
        &pbx,
        40001,
        json!({"organization_name": "ООО «Северный ветер»",
               "phone_numbers": ["8 (812) 600-00-00"]}),
    )
    .await;
    let third = pbx.uis_sync.run_once().await.unwrap();
    assert_eq!(
        (third.read, third.added, third.updated, third.deleted),
        (CAST_CONTACTS, 1, 1, 1)
    );

    let olga = only(&pbx, &token, "+79037654321").await;
    assert_eq!(olga.fields.email.as_deref(), Some("olga@vector.ru"));
    assert_eq!(olga.fields.notes.as_deref(), Some("Звонить после 18:00"));
    let raws: Vec<&str> = olga.fields.phones.iter().map(|p| p.raw.as_str()).collect();
    assert_eq!(raws, ["+79261234567", "+7 495 111-22-33", "+79037654321"]);
    let changes: Vec<(ChangeAction, String)> = history(&pbx, &token, olga.id)
        .await
        .history
        .into_iter()
        .map(|c| (c.action, c.author))
        .collect();
    assert_eq!(
        changes,
        [
            (ChangeAction::Imported, "UIS".to_owned()),
            (ChangeAction::Edited, "Анна".to_owned()),
            (ChangeAction::Imported, "UIS".to_owned()),
        ]
    );
    assert!(lookup(&pbx, &token, "+79161112233").await.is_empty());
    let wind = only(&pbx, &token, "+78126000000").await;
    assert_eq!(wind.fields.name, "ООО «Северный ветер»");
    assert_eq!(pbx.metrics.uis_sync_passes(), (3, 0));
    let text = pbx.metrics.render();
    assert!(
        text.contains("trubka_relay_uis_sync_contacts_total{change=\"added\"} 7"),
        "{text}"
    );
}

#[tokio::test]
async fn an_imported_client_is_linked_not_doubled_and_stays_when_uis_forgets_it() {
    let pbx = Pbx::start(|_| {}, |_| {}).await;
    let token = pbx.agent("Анна", anna);
    let file = pbx.dir.path().join("clients.csv");
    std::fs::write(
        &file,
        "Имя;Телефон;Комментарий\nВасильева Ольга;8 926 123-45-67;Клиент с 2019 года\n",
    )
    .unwrap();
    let config = RelayConfig {
        data_dir: pbx.config.data_dir.clone(),
        ..RelayConfig::default()
    };
    let import = ContactsCommand::Import { file };
    trubka_relay::cli::contacts(&config, &import, &mut Vec::new())
        .await
        .unwrap();

    let report = pbx.uis_sync.run_once().await.unwrap();
    assert_eq!(
        (report.added, report.updated),
        (CAST_CONTACTS - 1, 1),
        "{report:?}"
    );
    let olga = only(&pbx, &token, "+79261234567").await;
    assert_eq!(olga.fields.notes.as_deref(), Some("Клиент с 2019 года"));
    assert_eq!(olga.fields.fields["Группы"], "Клиенты");

    // Deleted at UIS: the team's own contact stays (unlinked); one the sync made goes.
    cabinet_delete(&pbx, 31245).await;
    cabinet_delete(&pbx, 31246).await;
    let report = pbx.uis_sync.run_once().await.unwrap();
    assert_eq!(report.deleted, 1, "{report:?}");
    assert_eq!(only(&pbx, &token, "+79261234567").await.id, olga.id);
    assert!(lookup(&pbx, &token, "+79161112233").await.is_empty());
}

#[tokio::test]
async fn a_book_uis_refuses_writes_nothing_and_is_counted() {
    let pbx = Pbx::start(
        |_| {},
        |sim| sim.uis.forbidden_methods = vec!["get.contacts".to_owned()],
    )
    .await;
    let token = pbx.agent("Анна", anna);
    let error = pbx.uis_sync.run_once().await.unwrap_err();
    assert!(matches!(error, UisSyncError::Pbx(_)), "{error:?}");
    assert_eq!(pbx.metrics.uis_sync_passes(), (0, 1));
    assert!(lookup(&pbx, &token, "+79261234567").await.is_empty());

    // The admin's `contacts uis-sync` says why, in Russian.
    let error =
        trubka_relay::cli::contacts(&pbx.config, &ContactsCommand::UisSync, &mut Vec::new())
            .await
            .unwrap_err();
    assert!(matches!(error, CliError::UisSync(_)), "{error:?}");
    let said = error.localized(trubka_core::Lang::Ru);
    assert!(
        said.starts_with("не удаётся прочитать адресную книгу UIS"),
        "{said}"
    );
}
