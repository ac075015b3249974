//! Matching a caller to contacts across number formats, with the reason for every match.

use std::collections::BTreeMap;

use trubka_agent::Engine;
use trubka_agent::contacts::matching::MatchRule;
use trubka_agent::contacts::{ContactDraft, PhoneEntry};
use trubka_agent::profile::Profile;

fn contact(name: &str, phones: &[&str]) -> ContactDraft {
    ContactDraft {
        name: name.into(),
        phones: phones.iter().map(|p| PhoneEntry::new(*p)).collect(),
        ..ContactDraft::default()
    }
}

#[tokio::test]
async fn st_petersburg_and_toll_free_numbers_match_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let engine = crate::common::engine(dir.path()).await;
    let ivan = engine
        .add_contact(contact("Иван Петров", &["8 (812) 123-45-67"]))
        .await
        .unwrap();
    let hotline = engine
        .add_contact(contact("Горячая линия", &["8-800-555-35-35"]))
        .await
        .unwrap();
    for typed in [
        "+78121234567",
        "8 812 123 45 67",
        "78121234567",
        "+7 (812) 123-45-67",
        "8-812-1234567",
    ] {
        let found = engine.find_contacts(typed).await.unwrap();
        assert_eq!(found.matches.len(), 1, "{typed}");
        let m = &found.matches[0];
        assert_eq!(
            (m.matched.contact.id, m.matched.rule),
            (ivan, MatchRule::E164Equal),
            "{typed}"
        );
        assert_eq!(
            m.matched.explanation,
            "+78121234567 matched stored \"8 (812) 123-45-67\" of Иван Петров (E.164 equal)"
        );
    }
    for typed in ["+7 (800) 555-35-35", "88005553535", "8 800 555 35 35"] {
        let found = engine.find_contacts(typed).await.unwrap();
        assert_eq!(found.matches[0].matched.contact.id, hotline, "{typed}");
        assert_eq!(found.query, "+78005553535");
    }
    // The 8 of 8-812 and 8-800 is a trunk prefix, not part of the number: no mix-up with 812/800.
    let other = engine.find_contacts("+7 812 555-35-35").await.unwrap();
    assert!(other.matches.is_empty());
    assert!(
        other
            .no_match
            .unwrap()
            .contains("+78125553535 matched no contact")
    );
}

#[tokio::test]
async fn legacy_entries_without_country_code_match_by_national_digits() {
    let dir = tempfile::tempdir().unwrap();
    // A profile whose default region is Ukraine: Russian numbers typed without +7 do not form
    // valid Ukrainian numbers and are kept as national digits.
    let engine = Engine::open(Profile::at(dir.path().join("ua")).unwrap())
        .await
        .unwrap();
    engine
        .update_settings(|s| s.default_region = "UA".into())
        .await
        .unwrap();
    drop(engine);
    let engine = Engine::open(Profile::at(dir.path().join("ua")).unwrap())
        .await
        .unwrap();
    let id = engine
        .add_contact(contact("Сергей (старая запись)", &["926 123-45-67"]))
        .await
        .unwrap();
    let stored = engine.contact(id).await.unwrap().unwrap();
    assert_eq!(stored.numbers[0].e164, None);
    assert_eq!(stored.numbers[0].national, "9261234567");
    let found = engine.find_contacts("+7 926 123-45-67").await.unwrap();
    assert_eq!(found.matches.len(), 1);
    assert_eq!(found.matches[0].matched.rule, MatchRule::NationalEqual);
    assert_eq!(
        found.matches[0].matched.explanation,
        "+79261234567 matched stored \"926 123-45-67\" of Сергей (старая запись) \
         (national number equal; stored without a country code)"
    );

    // In Russia: a number in a range newer than the numbering metadata is kept as digits and
    // still found when the PBX writes it another way.
    let ru_dir = tempfile::tempdir().unwrap();
    let ru = crate::common::engine(ru_dir.path()).await;
    ru.add_contact(contact("Новый диапазон", &["+7 (100) 123-45-67"]))
        .await
        .unwrap();
    let found = ru.find_contacts("8 100 123 45 67").await.unwrap();
    assert_eq!(found.matches[0].matched.contact.name, "Новый диапазон");
    assert_eq!(found.matches[0].matched.rule, MatchRule::NationalEqual);
}

#[tokio::test]
async fn several_matches_are_all_returned_ranked_phones_before_fields() {
    let dir = tempfile::tempdir().unwrap();
    let engine = crate::common::engine(dir.path()).await;
    let office = engine
        .add_contact(contact("ООО Ромашка, приёмная", &["+7 495 123-45-67"]))
        .await
        .unwrap();
    let mut with_field = contact("Пётр Иванов", &["+7 916 000-11-22"]);
    with_field.fields = BTreeMap::from([
        (
            "Рабочий (через секретаря)".to_owned(),
            "8 (495) 123-45-67".to_owned(),
        ),
        ("Адрес".to_owned(), "ул. Ленина, 5".to_owned()),
    ]);
    let petr = engine.add_contact(with_field).await.unwrap();
    let colleague = engine
        .add_contact(contact("Ромашка, бухгалтерия", &["74951234567"]))
        .await
        .unwrap();

    let found = engine.find_contacts("(495) 123-45-67").await.unwrap();
    let ranked: Vec<(i64, MatchRule)> = found
        .matches
        .iter()
        .map(|m| (m.matched.contact.id, m.matched.rule))
        .collect();
    assert_eq!(
        ranked,
        vec![
            (office, MatchRule::E164Equal),
            (colleague, MatchRule::E164Equal),
            (petr, MatchRule::FieldE164Equal),
        ]
    );
    assert_eq!(
        found.matches[2].matched.explanation,
        "+74951234567 matched stored field «Рабочий (через секретаря)» \"8 (495) 123-45-67\" of \
         Пётр Иванов (E.164 equal, in an extra field)"
    );
    // An address with a house number is not taken for a phone number.
    assert!(engine.find_contacts("5").await.is_err());
}

#[tokio::test]
async fn a_caller_becomes_a_contact_or_is_attached_to_one() {
    let dir = tempfile::tempdir().unwrap();
    let engine = crate::common::engine(dir.path()).await;
    let call = crate::common::Call::incoming("1", "+79261234567").named("Клиент с сайта");
    crate::common::feed(&engine, call.missed(1)).await;
    let created = engine.contact_from_call("uis:1", "").await.unwrap();
    let c = engine.contact(created).await.unwrap().unwrap();
    assert_eq!(c.name, "Клиент с сайта");
    assert_eq!(c.numbers[0].e164.as_deref(), Some("+79261234567"));

    let card = engine.card("uis:1").await.unwrap();
    assert_eq!(card.title, "Клиент с сайта");
    assert_eq!(card.contacts[0].matched.contact.id, created);

    let other = engine
        .add_contact(contact("Ольга", &["+7 903 000-00-01"]))
        .await
        .unwrap();
    engine
        .attach_number(other, "8 (926) 123-45-67", Some("личный".into()))
        .await
        .unwrap();
    let card = engine.card("uis:1").await.unwrap();
    assert!(card.several_matches);
    assert_eq!(card.contacts.len(), 2);
    assert!(engine.contact_from_call("uis:404", "x").await.is_err());
    engine.delete_contact(created).await.unwrap();
    assert_eq!(engine.card("uis:1").await.unwrap().title, "Ольга");
}
