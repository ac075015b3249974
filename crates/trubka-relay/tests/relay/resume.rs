//! Resume with `since`: exactly the missed events, `caught_up`, then live ones; `reset` when the history
//! asked for is not this relay's; 1012 on shutdown.

use crate::common::*;
use trubka_protocol::ServerFrame;

fn uis(id: &str) -> impl FnOnce(&mut trubka_relay::NewAgent) {
    let id = id.to_owned();
    move |a| a.uis_employee = Some(id)
}

#[tokio::test]
async fn reconnecting_with_since_gets_exactly_the_missed_events_then_live_ones() {
    let relay = TestRelay::start().await;
    let anna = relay.agent("Анна", uis("100"));
    let _igor = relay.agent("Игорь", uis("200"));
    let (mut stream, _) = relay.connect_live(&anna).await;
    for leg in 1..=3 {
        assert_eq!(relay.uis(&uis_ringing(leg, "100", leg)).await.0, 200);
    }
    let mut last = 0;
    for _ in 0..3 {
        last = stream.event().await.0;
    }
    stream.close().await;

    // Missed: three of Анна's, interleaved with Игорь's.
    for leg in 4..=6 {
        assert_eq!(
            relay.uis(&uis_ringing(leg + 100, "200", leg + 100)).await.0,
            200
        );
        assert_eq!(relay.uis(&uis_ringing(leg, "100", leg)).await.0, 200);
    }
    let mut stream = relay
        .connect(&anna, &format!("since={last}&epoch={}", relay.epoch))
        .await;
    let head = stream.hello().await;
    assert_eq!(head, 9);
    assert_eq!(stream.event().await, (5, "uis:4:ringing:4".to_owned()));
    assert_eq!(stream.event().await, (7, "uis:5:ringing:5".to_owned()));
    assert_eq!(stream.event().await, (9, "uis:6:ringing:6".to_owned()));
    assert_eq!(
        stream.caught_up().await,
        3,
        "the replay ends with caught_up"
    );
    assert_eq!(relay.uis(&uis_ringing(7, "100", 7)).await.0, 200);
    assert_eq!(stream.event().await, (10, "uis:7:ringing:7".to_owned()));
    relay.stop().await;
}

#[tokio::test]
async fn an_agent_reconnecting_while_events_pour_in_gets_each_exactly_once() {
    const EVENTS: u64 = 150;
    let relay = std::sync::Arc::new(TestRelay::start().await);
    let anna = relay.agent("Анна", uis("100"));
    let poster = tokio::spawn({
        let relay = std::sync::Arc::clone(&relay);
        async move {
            for n in 1..=EVENTS {
                assert_eq!(relay.uis(&uis_ringing(n, "100", n)).await.0, 200);
                assert_eq!(relay.uis(&uis_ringing(n + 1000, "200", n)).await.0, 200);
            }
        }
    });

    // Read a few frames per connection, hang up, resume; bounded by the event count.
    let mut received: Vec<String> = Vec::new();
    let mut last = 0;
    let mut connections = 0;
    while (received.len() as u64) < EVENTS {
        connections += 1;
        assert!(connections <= EVENTS, "no progress");
        let mut stream = relay.connect(&anna, &format!("since={last}")).await;
        stream.hello().await;
        for _ in 0..(connections % 7 + 1) {
            if received.len() as u64 == EVENTS {
                break;
            }
            let (seq, id) = stream.event().await;
            assert!(seq > last, "seq {seq} after {last}");
            last = seq;
            received.push(id);
        }
        stream.close().await;
    }
    poster.await.unwrap();
    let expected: Vec<String> = (1..=EVENTS)
        .map(|n| format!("uis:{n}:ringing:{n}"))
        .collect();
    assert_eq!(received, expected);
}

#[tokio::test]
async fn another_epoch_or_a_future_since_gets_a_reset_then_live_events() {
    let relay = TestRelay::start().await;
    let anna = relay.agent("Анна", uis("100"));
    assert_eq!(relay.uis(&uis_ringing(1, "100", 1)).await.0, 200);

    for query in [
        "since=0&epoch=0123456789abcdef",
        "since=99",
        "epoch=0123456789abcdef",
    ] {
        let mut stream = relay.connect(&anna, query).await;
        assert_eq!(stream.hello().await, 1, "{query}");
        match stream.next().await {
            Got::Frame(ServerFrame::Reset { epoch }) => assert_eq!(epoch, relay.epoch, "{query}"),
            other => panic!("{query}: expected reset, got {other:?}"),
        }
        stream.close().await;
    }

    // After a reset the agent is at the head: the next frame is the next event.
    let mut stream = relay.connect(&anna, "since=99").await;
    stream.hello().await;
    assert!(matches!(
        stream.next().await,
        Got::Frame(ServerFrame::Reset { .. })
    ));
    assert_eq!(relay.uis(&uis_ringing(2, "100", 2)).await.0, 200);
    assert_eq!(stream.event().await, (2, "uis:2:ringing:2".to_owned()));
    relay.stop().await;
}

#[tokio::test]
async fn a_supervisor_resuming_from_zero_gets_the_whole_log() {
    let relay = TestRelay::start().await;
    let boss = relay.agent("Мария", |a| a.supervisor = true);
    assert_eq!(relay.uis(&uis_started(1)).await.0, 200);
    assert_eq!(relay.uis(&uis_ringing(1, "100", 1)).await.0, 200);
    assert_eq!(
        relay
            .sipuni(&form(&sipuni_call("9.9", "201", "1774372584")))
            .await
            .0,
        200
    );
    let mut stream = relay.connect(&boss, "since=0").await;
    assert_eq!(stream.hello().await, 3);
    let ids = stream.events(3).await;
    assert_eq!(ids[..2], ["uis:1:started:call", "uis:1:ringing:1"]);
    assert!(ids[2].starts_with("sipuni:9.9:ringing:"), "{ids:?}");
    relay.stop().await;
}

#[tokio::test]
async fn shutdown_closes_streams_with_1012() {
    let relay = TestRelay::start().await;
    let anna = relay.agent("Анна", uis("100"));
    let (mut stream, _) = relay.connect_live(&anna).await;
    let stopping = tokio::spawn(relay.stop());
    assert_eq!(stream.closed().await, Some(1012));
    stopping.await.unwrap();
}
