//! History: directions, outcomes, durations, who answered, late recordings, filters,
//! search by number in any format / by trailing digits / by name, keyset paging.

use crate::common::{Call, anna, at, boris, engine, feed};
use trubka_agent::contacts::{ContactDraft, PhoneEntry};
use trubka_agent::engine::HistoryRequest;
use trubka_agent::store::history::HistoryFilter;
use trubka_core::{CallStatus, Direction, Outcome};

fn ids(page: &trubka_agent::engine::HistoryEntries) -> Vec<&str> {
    page.entries
        .iter()
        .map(|e| e.call.call_id.as_str())
        .collect()
}

#[tokio::test]
async fn history_lists_filters_searches_and_pages() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(dir.path()).await;
    engine
        .add_contact(ContactDraft {
            name: "Иван Петров".into(),
            phones: vec![PhoneEntry::new("8 (812) 123-45-67")],
            ..ContactDraft::default()
        })
        .await
        .unwrap();
    let ivan = "+78121234567";
    feed(&engine, Call::incoming("1", ivan).talked(1, anna())).await;
    feed(
        &engine,
        Call::incoming("2", "+79031112233")
            .named("Сидоров")
            .missed(2),
    )
    .await;
    feed(&engine, Call::outgoing("3", ivan).talked(3, anna())).await;
    feed(
        &engine,
        Call::incoming("4", "+79161234567").talked(4, boris()),
    )
    .await;
    feed(&engine, Call::anonymous("5").missed(5)).await;

    let all = engine
        .history(HistoryRequest {
            limit: 50,
            ..HistoryRequest::default()
        })
        .await
        .unwrap();
    assert_eq!(ids(&all), vec!["uis:5", "uis:4", "uis:3", "uis:2", "uis:1"]);
    let first = &all.entries[4];
    assert_eq!(first.contact_name.as_deref(), Some("Иван Петров"));
    assert_eq!(
        (first.call.direction, first.call.outcome),
        (Direction::In, Some(Outcome::Answered))
    );
    assert_eq!(first.call.durations.talk, Some(45));
    assert_eq!(
        all.entries[1]
            .call
            .answered_by
            .as_ref()
            .unwrap()
            .name
            .as_deref(),
        Some("Борис")
    );

    let by = |filter| HistoryRequest {
        filter,
        limit: 50,
        ..HistoryRequest::default()
    };
    assert_eq!(
        ids(&engine.history(by(HistoryFilter::Missed)).await.unwrap()),
        vec!["uis:5", "uis:2"]
    );
    assert_eq!(
        ids(&engine.history(by(HistoryFilter::Out)).await.unwrap()),
        vec!["uis:3"]
    );
    assert_eq!(
        ids(&engine.history(by(HistoryFilter::In)).await.unwrap()),
        vec!["uis:5", "uis:4", "uis:2", "uis:1"]
    );

    let search = |text: &str| HistoryRequest {
        search: Some(text.into()),
        limit: 50,
        ..HistoryRequest::default()
    };
    for typed in ["8 (812) 123-45-67", "+78121234567", "8-812-1234567"] {
        assert_eq!(
            ids(&engine.history(search(typed)).await.unwrap()),
            vec!["uis:3", "uis:1"],
            "{typed}"
        );
    }
    assert_eq!(
        ids(&engine.history(search("45-67")).await.unwrap()),
        vec!["uis:4", "uis:3", "uis:1"]
    );
    assert_eq!(
        ids(&engine.history(search("петров")).await.unwrap()),
        vec!["uis:3", "uis:1"]
    );
    assert_eq!(
        ids(&engine.history(search("Сидор")).await.unwrap()),
        vec!["uis:2"]
    );
    let missed_ivan = HistoryRequest {
        filter: HistoryFilter::Missed,
        ..search("Петров")
    };
    assert!(
        engine
            .history(missed_ivan)
            .await
            .unwrap()
            .entries
            .is_empty()
    );

    // Keyset paging walks everything once.
    let mut seen = Vec::new();
    let mut before = None;
    loop {
        let page = engine
            .history(HistoryRequest {
                limit: 2,
                before,
                ..HistoryRequest::default()
            })
            .await
            .unwrap();
        seen.extend(ids(&page).into_iter().map(str::to_owned));
        match page.next {
            Some(next) => before = Some(next),
            None => break,
        }
    }
    assert_eq!(seen, vec!["uis:5", "uis:4", "uis:3", "uis:2", "uis:1"]);
}

#[tokio::test]
async fn late_recordings_are_added_to_the_call() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(dir.path()).await;
    let call = Call::incoming("7", "+79261234567");
    feed(&engine, call.talked(1, anna())).await;
    let before = engine
        .history(HistoryRequest {
            limit: 1,
            ..HistoryRequest::default()
        })
        .await
        .unwrap();
    assert!(before.entries[0].call.recordings.is_empty());
    feed(
        &engine,
        vec![
            call.recording(at(20, 0), "https://rec/7-a.mp3"),
            call.recording(at(21, 0), "https://rec/7-b.mp3"),
        ],
    )
    .await;
    let after = engine
        .history(HistoryRequest {
            limit: 1,
            ..HistoryRequest::default()
        })
        .await
        .unwrap();
    let entry = &after.entries[0].call;
    assert_eq!(
        entry.recordings,
        vec![
            "https://rec/7-a.mp3".to_owned(),
            "https://rec/7-b.mp3".to_owned()
        ]
    );
    assert_eq!(
        (entry.status, entry.outcome),
        (CallStatus::Ended, Some(Outcome::Answered))
    );
    // A recording that arrives for a call never seen before still makes a history entry.
    let orphan = Call::incoming("8", "+79261234567");
    feed(
        &engine,
        vec![orphan.recording(at(30, 0), "https://rec/8.mp3")],
    )
    .await;
    let call8 = engine.call("uis:8").await.unwrap().unwrap();
    assert_eq!(call8.recordings.len(), 1);
    let _ = Outcome::Answered;
}
