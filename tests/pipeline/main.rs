//! The whole chain with real parts: trubka-sim plays calls the way UIS and Sipuni report them,
//! a real trubka-relay (SQLite in a temp folder, HTTP and WebSocket on 127.0.0.1) stores and
//! routes them, and real agent engines (trubka-agent, their own SQLite caches) show the cards.
//!
//! Every wait is bounded; no assertion is about how long anything took.

mod directory;
mod seeds;
mod system;

use serde_json::json;
use system::{ANNA, IGOR, System};
use trubka_agent::cards::CardState;
use trubka_core::Outcome;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uis_call_answered_by_anna_pops_her_card_with_the_contact_and_ends_with_a_recording() {
    let system = System::start().await;
    let anna = system.agent(ANNA).await;
    anna.engine
        .import_contacts_bytes(
            "ФИО;Телефон;Компания;E-mail\nИван Петров;8 (926) 123-45-67;ООО Ромашка;ivan@romashka.ru\n"
                .as_bytes()
                .to_vec(),
        )
        .await
        .unwrap();

    let call_id = system
        .call(json!({"provider":"uis","from":"+7 926 123-45-67","employee":"2339292","outcome":"answered"}))
        .await;

    let card = anna
        .card_until(&call_id, "ended with its recording", |card| {
            card.state == CardState::Ended && !card.call.recordings.is_empty()
        })
        .await;
    assert_eq!(card.title, "Иван Петров");
    assert_eq!(card.call.phone.as_deref(), Some("+79261234567"));
    assert_eq!(card.call.outcome, Some(Outcome::Answered));
    assert_eq!(
        card.call.answered_by.as_ref().and_then(|e| e.id.as_deref()),
        Some("2339292")
    );
    assert!(
        card.contacts[0]
            .matched
            .explanation
            .contains("8 (926) 123-45-67"),
        "{}",
        card.contacts[0].matched.explanation
    );
    assert!(
        card.fields.iter().any(|f| f.value == "ООО Ромашка"),
        "{:?}",
        card.fields
    );

    // The recording the PBX announced is real audio served by the (simulated) PBX.
    let recording = system
        .http
        .get(&card.call.recordings[0])
        .send()
        .await
        .unwrap();
    assert!(recording.status().is_success());
    assert_eq!(recording.headers()["content-type"], "audio/mpeg");
    assert!(!recording.bytes().await.unwrap().is_empty());

    system.stop(vec![anna]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_never_sees_a_colleagues_call_but_the_supervisor_sees_both() {
    let system = System::start().await;
    let anna = system.agent(ANNA).await;
    let igor = system.agent(IGOR).await;
    let maria = system.agent(system::MARIA).await;

    let annas = system
        .call(
            json!({"provider":"sipuni","from":"79031112233","employee":"201","outcome":"answered"}),
        )
        .await;
    let igors = system
        .call(json!({"provider":"uis","from":"89035556677","line":"78122428080","employee":"2339293","outcome":"answered"}))
        .await;
    anna.card_until(&annas, "ended", |c| c.call.is_ended())
        .await;
    igor.card_until(&igors, "ended", |c| c.call.is_ended())
        .await;
    maria
        .card_until(&annas, "ended", |c| c.call.is_ended())
        .await;
    maria
        .card_until(&igors, "ended", |c| c.call.is_ended())
        .await;

    // Anna also watches the main line +7 495 123-45-67, so Igor's calls go to other lines.
    // The relay delivers in sequence order; Anna's and Igor's streams have caught up past
    // each other's calls (a later call each reached them), so absence here is final.
    let annas_later = system
        .call(json!({"provider":"uis","from":"89035550000","employee":"2339292","outcome":"busy"}))
        .await;
    let igors_later = system
        .call(json!({"provider":"sipuni","from":"89035550001","line":"78123097788","employee":"202","outcome":"busy"}))
        .await;
    anna.card_until(&annas_later, "ended", |c| c.call.is_ended())
        .await;
    igor.card_until(&igors_later, "ended", |c| c.call.is_ended())
        .await;
    assert!(
        anna.engine.call(&igors).await.unwrap().is_none(),
        "Anna got Igor's call"
    );
    assert!(
        anna.engine.call(&igors_later).await.unwrap().is_none(),
        "Anna got Igor's call"
    );
    assert!(
        igor.engine.call(&annas).await.unwrap().is_none(),
        "Igor got Anna's call"
    );
    assert!(
        igor.engine.call(&annas_later).await.unwrap().is_none(),
        "Igor got Anna's call"
    );

    system.stop(vec![anna, igor, maria]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_a_colleague_answers_annas_card_withdraws() {
    let system = System::start().await;
    let anna = system.agent(ANNA).await;
    let igor = system.agent(IGOR).await;

    // Rings Anna first; she does not pick up, the PBX rings Igor, who answers.
    let call_id = system
        .call(
            json!({"provider":"uis","from":"+7 916 765-43-21","employee":"2339292",
                     "next_employee":"2339293","outcome":"answered"}),
        )
        .await;
    let annas = anna
        .card_until(&call_id, "answered elsewhere", |c| {
            c.state == CardState::AnsweredElsewhere || c.withdrawn
        })
        .await;
    assert!(annas.withdrawn);
    let igors = igor
        .card_until(&call_id, "ended", |c| c.call.is_ended())
        .await;
    assert_eq!(igors.call.outcome, Some(Outcome::Answered));
    assert_eq!(
        igors
            .call
            .answered_by
            .as_ref()
            .and_then(|e| e.id.as_deref()),
        Some("2339293")
    );

    system.stop(vec![anna, igor]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missed_sipuni_calls_from_one_caller_make_one_followup_until_a_call_back_talks() {
    let system = System::start().await;
    let anna = system.agent(ANNA).await;

    for _ in 0..2 {
        let missed = system
            .call(json!({"provider":"sipuni","from":"8 (812) 123-45-67","employee":"201","outcome":"missed","ivr_seconds":0}))
            .await;
        anna.card_until(&missed, "missed", |c| c.state == CardState::Missed)
            .await;
    }
    let followups = anna.engine.followups(true, 10).await.unwrap();
    assert_eq!(followups.len(), 1, "{followups:?}");
    assert_eq!(followups[0].followup.caller, "+78121234567");
    assert_eq!(followups[0].followup.missed_count, 2);
    assert_eq!(anna.engine.badge().await.unwrap().open_followups, 1);

    // Anna calls back and they talk: the follow-up closes by itself.
    let back = system
        .call(json!({"provider":"sipuni","direction":"out","to":"+7 812 123-45-67","employee":"201","outcome":"answered"}))
        .await;
    let card = anna.card_until(&back, "ended", |c| c.call.is_ended()).await;
    let open = anna.engine.followups(true, 10).await.unwrap();
    assert!(open.is_empty(), "{open:#?}\n{card:#?}");
    assert_eq!(anna.engine.badge().await.unwrap().open_followups, 0);

    system.stop(vec![anna]).await;
}
