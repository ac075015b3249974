//! Missed-call follow-ups: grouping until a conversation, closing by an answered call or a
//! successful call-back, by hand, anonymous callers, late and out-of-order deliveries.

use crate::common::{Call, anna, at, boris, engine, feed};
use trubka_agent::followups::CloseReason;
use trubka_core::Outcome;

const CALLER: &str = "+79261234567";

#[tokio::test]
async fn repeated_missed_calls_group_until_a_call_back_is_answered() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(dir.path()).await;
    let caller = |s: &str| Call::incoming(s, CALLER);
    feed(&engine, caller("1").missed(1)).await;
    feed(&engine, caller("2").missed(2)).await;
    feed(&engine, Call::incoming("x", "+79030000000").missed(3)).await;
    feed(&engine, caller("3").missed(4)).await;
    let badge = engine.badge().await.unwrap();
    assert_eq!((badge.open_followups, badge.missed_calls), (2, 4));
    let open = engine.followups(true, 10).await.unwrap();
    let mine = open.iter().find(|f| f.followup.caller == CALLER).unwrap();
    assert_eq!(mine.followup.calls, vec!["uis:1", "uis:2", "uis:3"]);
    assert_eq!(mine.number, "+7 926 123-45-67");

    // A call-back nobody answers leaves it open.
    feed(&engine, Call::outgoing("cb1", CALLER).unanswered_out(5)).await;
    assert_eq!(engine.badge().await.unwrap().open_followups, 2);
    // An answered call-back closes it.
    feed(&engine, Call::outgoing("cb2", CALLER).talked(6, anna())).await;
    let all = engine.followups(false, 10).await.unwrap();
    let closed = all.iter().find(|f| f.followup.caller == CALLER).unwrap();
    assert!(!closed.followup.open);
    assert_eq!(closed.followup.closed_reason, Some(CloseReason::CalledBack));
    assert_eq!(closed.followup.closed_by_call.as_deref(), Some("uis:cb2"));
    assert_eq!(engine.badge().await.unwrap().open_followups, 1);

    // A new missed call after the conversation opens a new follow-up.
    feed(&engine, caller("4").missed(7)).await;
    let open = engine.followups(true, 10).await.unwrap();
    let again = open.iter().find(|f| f.followup.caller == CALLER).unwrap();
    assert_eq!(again.followup.calls, vec!["uis:4"]);
    assert_ne!(again.followup.id, closed.followup.id);

    // The caller calls again and a colleague answers: closed as answered.
    feed(&engine, caller("5").talked(8, boris())).await;
    let all = engine.followups(false, 10).await.unwrap();
    let second = all
        .iter()
        .find(|f| f.followup.id == again.followup.id)
        .unwrap();
    assert_eq!(second.followup.closed_reason, Some(CloseReason::Answered));
}

#[tokio::test]
async fn closing_by_hand_and_anonymous_callers() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(dir.path()).await;
    feed(&engine, Call::incoming("1", CALLER).missed(1)).await;
    feed(&engine, Call::anonymous("2").missed(2)).await;
    // Anonymous callers cannot be called back: no follow-up, but the call is in history.
    assert_eq!(engine.badge().await.unwrap().open_followups, 1);
    let closed = engine.close_followup("8 (926) 123-45-67").await.unwrap();
    assert_eq!(closed.closed_reason, Some(CloseReason::Manual));
    assert_eq!(engine.badge().await.unwrap().open_followups, 0);
    assert!(engine.close_followup("8 (926) 123-45-67").await.is_err());
    assert!(engine.close_followup("anonymous").await.is_err());
}

#[tokio::test]
async fn late_and_out_of_order_deliveries_follow_start_times() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(dir.path()).await;
    // Real order: missed A (10:01), answered B (10:05), missed C (10:10).
    // Delivered: C, B, A.
    feed(&engine, Call::incoming("C", CALLER).missed(10)).await;
    feed(&engine, Call::incoming("B", CALLER).talked(5, anna())).await;
    feed(&engine, Call::incoming("A", CALLER).missed(1)).await;
    let all = engine.followups(false, 10).await.unwrap();
    let open: Vec<_> = all.iter().filter(|f| f.followup.open).collect();
    let closed: Vec<_> = all.iter().filter(|f| !f.followup.open).collect();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].followup.calls, vec!["uis:C"]);
    assert_eq!(closed.len(), 1);
    assert_eq!(closed[0].followup.calls, vec!["uis:A"]);
    assert_eq!(closed[0].followup.closed_by_call.as_deref(), Some("uis:B"));

    // A conversation delivered after the missed calls around it closes only the older ones.
    let dir2 = tempfile::tempdir().unwrap();
    let engine2 = crate::common::engine(dir2.path()).await;
    feed(&engine2, Call::incoming("A", CALLER).missed(1)).await;
    feed(&engine2, Call::incoming("C", CALLER).missed(10)).await;
    feed(&engine2, Call::incoming("B", CALLER).talked(5, anna())).await;
    let all2 = engine2.followups(false, 10).await.unwrap();
    let shape = |list: &Vec<trubka_agent::engine::FollowUpItem>| {
        let mut v: Vec<(bool, Vec<String>)> = list
            .iter()
            .map(|f| (f.followup.open, f.followup.calls.clone()))
            .collect();
        v.sort();
        v
    };
    assert_eq!(shape(&all2), shape(&all));

    // A call first seen as missed whose `answered` arrives late leaves its follow-up.
    let late = Call::incoming("D", "+79035550000");
    feed(
        &engine,
        vec![
            late.started(at(20, 0)),
            late.ended(at(20, 40), Outcome::Missed, 0),
        ],
    )
    .await;
    assert_eq!(engine.badge().await.unwrap().open_followups, 2);
    feed(&engine, vec![late.answered(at(20, 10), Some(anna()))]).await;
    assert_eq!(engine.badge().await.unwrap().open_followups, 1);
}
