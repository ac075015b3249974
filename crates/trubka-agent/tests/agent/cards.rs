//! Call cards: ringing here, answered here, answered by a colleague (withdrawn), ended,
//! missed; contact fields per settings; PBX names; previous calls; any event order.

use crate::common::{Call, anna, at, boris, engine, feed};
use tokio::sync::broadcast;
use trubka_agent::Engine;
use trubka_agent::cards::{Card, CardState};
use trubka_agent::contacts::{ContactDraft, PhoneEntry};
use trubka_agent::engine::EngineEvent;
use trubka_agent::relay_client::Delivery;
use trubka_core::{Employee, Outcome};

async fn add_ivan(engine: &trubka_agent::Engine) {
    engine
        .add_contact(ContactDraft {
            name: "Иван Петров".into(),
            company: Some("ООО Ромашка".into()),
            email: Some("ivan@romashka.ru".into()),
            position: Some("Директор".into()),
            phones: vec![PhoneEntry::new("8 (926) 123-45-67")],
            fields: [("Город".to_owned(), "Казань".to_owned())].into(),
            ..ContactDraft::default()
        })
        .await
        .unwrap();
}

/// The next thing the engine pushed, which must be a card update: the card and how it came.
async fn next_card(updates: &mut broadcast::Receiver<EngineEvent>) -> (Card, Delivery) {
    match updates.recv().await.unwrap() {
        EngineEvent::Card { card, delivery } => (*card, delivery),
        other => panic!("expected a card update, got {other:?}"),
    }
}

/// A new incoming call `session` from +7 926 123-45-67, fed as far as ringing at Anna's phone.
async fn ringing_for_anna(engine: &Engine, session: &str) -> Call {
    let call = Call::incoming(session, "+79261234567");
    feed(
        engine,
        vec![call.started(at(0, 0)), call.ringing(at(0, 1), anna())],
    )
    .await;
    call
}

#[tokio::test]
async fn lifecycle_of_a_call_answered_here() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(dir.path()).await;
    add_ivan(&engine).await;
    let mut updates = engine.subscribe();
    let call = Call::incoming("10", "+79261234567");
    let steps = [
        (call.started(at(0, 0)), CardState::Ringing),
        (call.ringing(at(0, 1), anna()), CardState::RingingHere),
        (
            call.answered(at(0, 5), Some(anna())),
            CardState::AnsweredHere,
        ),
        (
            call.ended(at(2, 0), Outcome::Answered, 115),
            CardState::Ended,
        ),
        (
            call.recording(at(2, 30), "https://rec/10.mp3"),
            CardState::Ended,
        ),
    ];
    for (event, expected) in steps {
        let card = engine.apply_event(event).await.unwrap();
        assert_eq!(card.state, expected);
        assert!(!card.withdrawn);
        assert_eq!(card.title, "Иван Петров");
        let labels: Vec<(&str, &str)> = card
            .fields
            .iter()
            .map(|f| (f.label.as_str(), f.value.as_str()))
            .collect();
        assert_eq!(
            labels,
            vec![
                ("Имя", "Иван Петров"),
                ("Компания", "ООО Ромашка"),
                ("Email", "ivan@romashka.ru")
            ]
        );
        let (pushed, delivery) = next_card(&mut updates).await;
        assert_eq!(pushed.state, expected);
        assert_eq!(delivery, Delivery::Live);
    }
    let card = engine.card("uis:10").await.unwrap();
    assert_eq!(card.call.recordings, vec!["https://rec/10.mp3".to_owned()]);
    assert_eq!(card.call.durations.talk, Some(115));
    assert_eq!(card.number, "+7 926 123-45-67");
    // The same event again changes nothing and is not pushed again.
    engine
        .apply_event(call.ended(at(2, 0), Outcome::Answered, 115))
        .await
        .unwrap();
    assert!(updates.try_recv().is_err());

    // Which fields show is a setting.
    engine
        .update_settings(|s| {
            s.card_fields = vec!["position".into(), "Город".into(), "notes".into()]
        })
        .await
        .unwrap();
    let card = engine.card("uis:10").await.unwrap();
    let keys: Vec<&str> = card.fields.iter().map(|f| f.value.as_str()).collect();
    assert_eq!(keys, vec!["Директор", "Казань"]);
}

/// A notification of an unknown event type (a Salebot template with a made-up name) tells who
/// called and whom the PBX named; it is shown, but never popped: the call may be long over.
#[tokio::test]
async fn an_update_of_an_unknown_event_is_shown_quietly_and_decides_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(dir.path()).await;
    let mut updates = engine.subscribe();
    let call = Call::incoming("12", "+79261234567");
    let update = trubka_core::CallEvent {
        employee: Some(anna()),
        ..call.event(trubka_core::EventKind::Update, at(0, 30), "h1")
    };
    let card = engine.apply_event(update).await.unwrap();
    assert_eq!(card.call.outcome, None);
    assert!(!card.call.missed);
    assert_eq!(next_card(&mut updates).await.1, Delivery::Quiet);
    // The certain end that follows is live, and decides.
    let card = engine
        .apply_event(call.ended(at(1, 0), Outcome::Missed, 0))
        .await
        .unwrap();
    assert_eq!(card.state, CardState::Missed);
    assert_eq!(next_card(&mut updates).await.1, Delivery::Live);
}

#[tokio::test]
async fn card_withdraws_when_a_colleague_answers() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(dir.path()).await;
    let call = ringing_for_anna(&engine, "20").await;
    feed(&engine, vec![call.ringing(at(0, 1), boris())]).await;
    assert_eq!(
        engine.card("uis:20").await.unwrap().state,
        CardState::RingingHere
    );
    let card = engine
        .apply_event(call.answered(at(0, 6), Some(boris())))
        .await
        .unwrap();
    assert_eq!(card.state, CardState::AnsweredElsewhere);
    assert!(card.withdrawn);
    assert_eq!(
        card.call.answered_by.as_ref().unwrap().name.as_deref(),
        Some("Борис")
    );
    // The end of the call does not bring the card back.
    let card = engine
        .apply_event(call.ended(at(1, 0), Outcome::Answered, 54))
        .await
        .unwrap();
    assert!(card.withdrawn);

    // Sipuni: "here" is the extension.
    let sipuni = Call {
        id: trubka_core::CallId::new(trubka_core::Provider::Sipuni, "s1"),
        ..Call::incoming("x", "+79261234567")
    };
    let ext = |e: &str| Employee {
        extension: Some(e.into()),
        ..Employee::default()
    };
    let mut ringing = sipuni.ringing(at(5, 0), ext("201"));
    ringing.provider = trubka_core::Provider::Sipuni;
    assert_eq!(
        engine.apply_event(ringing).await.unwrap().state,
        CardState::RingingHere
    );
    let mut answered = sipuni.answered(at(5, 3), Some(ext("202")));
    answered.provider = trubka_core::Provider::Sipuni;
    answered.id = sipuni.id.event_id(trubka_core::EventKind::Answered, "202");
    assert!(engine.apply_event(answered).await.unwrap().withdrawn);
}

#[tokio::test]
async fn missed_call_with_pbx_name_and_previous_calls() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(dir.path()).await;
    engine
        .update_settings(|s| s.recent_calls = 2)
        .await
        .unwrap();
    let number = "+79031112233";
    for (i, minute) in [(1, 1), (2, 2), (3, 3)] {
        feed(
            &engine,
            Call::incoming(&format!("p{i}"), number).talked(minute, anna()),
        )
        .await;
    }
    let call = Call::incoming("30", number).named("Сидоров (из АТС)");
    let mut last = None;
    for event in call.missed(10) {
        last = Some(engine.apply_event(event).await.unwrap());
    }
    let card = last.unwrap();
    assert_eq!(card.state, CardState::Missed);
    assert_eq!(card.title, "Сидоров (из АТС)");
    assert_eq!(card.pbx_name.as_deref(), Some("Сидоров (из АТС)"));
    assert!(card.contacts.is_empty() && card.fields.is_empty());
    let recent: Vec<&str> = card
        .recent_calls
        .iter()
        .map(|c| c.call_id.as_str())
        .collect();
    assert_eq!(recent, vec!["uis:p3", "uis:p2"]);

    let hidden = Call::anonymous("31");
    let mut card = None;
    for event in hidden.missed(11) {
        card = Some(engine.apply_event(event).await.unwrap());
    }
    let card = card.unwrap();
    assert_eq!(
        (card.state, card.number.as_str()),
        (CardState::Missed, "anonymous")
    );
    assert!(card.recent_calls.is_empty());
}

/// Иван's call `session` in order: it rings at Anna and Boris, Boris answers and talks 56 s,
/// the recording comes last.
fn boris_answers_ivan(session: &str) -> Vec<trubka_core::CallEvent> {
    let call = Call::incoming(session, "+79261234567").named("Иван");
    vec![
        call.started(at(0, 0)),
        call.ringing(at(0, 1), anna()),
        call.ringing(at(0, 1), boris()),
        call.answered(at(0, 4), Some(boris())),
        call.ended(at(1, 0), Outcome::Answered, 56),
        call.recording(at(1, 30), &format!("https://rec/{session}.mp3")),
    ]
}

/// Every order of the events gives the same card.
#[tokio::test]
async fn out_of_order_events_give_the_same_card() {
    let events = boris_answers_ivan("40");
    let orders: Vec<Vec<usize>> = vec![
        vec![0, 1, 2, 3, 4, 5],
        vec![5, 4, 3, 2, 1, 0],
        vec![4, 0, 5, 2, 3, 1],
        vec![3, 3, 1, 5, 0, 4, 2, 4],
    ];
    let mut cards = Vec::new();
    for order in orders {
        let dir = tempfile::tempdir().unwrap();
        let engine = engine(dir.path()).await;
        add_ivan(&engine).await;
        for i in order {
            engine.apply_event(events[i].clone()).await.unwrap();
        }
        let card = engine.card("uis:40").await.unwrap();
        cards.push(serde_json::to_value(&card).unwrap());
    }
    assert_eq!(cards[0]["state"], "answered_elsewhere");
    for card in &cards[1..] {
        assert_eq!(card, &cards[0]);
    }
}

/// A call's kept state and its stored events give one view: applied in any order, with the
/// kept states forgotten now and then (the call folded again from what is stored), a call
/// ends as the fold of all its events does.
#[test]
fn a_kept_call_state_and_the_stored_events_give_the_same_view() {
    use trubka_agent::calls::CallView;
    use trubka_agent::numbers::NumberParser;
    use trubka_agent::store::calls::{LiveCalls, apply_event};

    let events = boris_answers_ivan("41");
    let whole = CallView::from_events(events.clone()).unwrap();
    let parser = NumberParser::new("RU").unwrap();
    let runs: [(Vec<usize>, Option<usize>); 4] = [
        (vec![0, 1, 2, 3, 4, 5], None),
        (vec![5, 4, 3, 2, 1, 0], Some(2)),
        (vec![4, 0, 5, 2, 3, 1], Some(1)),
        (vec![3, 3, 1, 5, 0, 4, 2, 4], Some(3)),
    ];
    for (order, forget_every) in runs {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = trubka_agent::store::open_connection(&dir.path().join("t.db")).unwrap();
        let mut live = LiveCalls::default();
        let mut last = None;
        for (n, &i) in order.iter().enumerate() {
            if forget_every.is_some_and(|k| n % k == 0) {
                live.clear();
            }
            let applied = apply_event(&mut conn, &parser, &mut live, &events[i], None, 1).unwrap();
            last = Some(applied.view);
        }
        assert_eq!(
            last.as_ref(),
            Some(&whole),
            "{order:?}, forgetting every {forget_every:?}"
        );
        assert_eq!(live.len(), 1);
    }
}

#[tokio::test]
async fn a_card_withdraws_once_its_agent_transferred_the_call() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(dir.path()).await;
    let call = ringing_for_anna(&engine, "30").await;
    feed(&engine, vec![call.answered(at(0, 4), Some(anna()))]).await;
    // Anna consults Boris: both talk, the card stays hers.
    feed(
        &engine,
        vec![
            call.ringing(at(1, 0), boris()),
            call.answered(at(1, 4), Some(boris())),
        ],
    )
    .await;
    assert_eq!(
        engine.card("uis:30").await.unwrap().state,
        CardState::AnsweredHere
    );
    // The transfer ends her leg while Boris talks on: her card withdraws, and a restart's
    // live cards do not bring it back as hers.
    let left = trubka_core::CallEvent {
        employee: Some(anna()),
        outcome: Some(Outcome::Answered),
        ..call.event(trubka_core::EventKind::LegEnded, at(1, 10), "anna")
    };
    let card = engine.apply_event(left).await.unwrap();
    assert_eq!(card.state, CardState::AnsweredElsewhere);
    assert!(card.withdrawn);
    // The call's end: ended for her, not withdrawn as if a colleague took it from the start.
    let card = engine
        .apply_event(call.ended(at(3, 0), Outcome::Answered, 170))
        .await
        .unwrap();
    assert_eq!(card.state, CardState::Ended);
}
