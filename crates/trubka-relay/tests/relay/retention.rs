//! `[retention]` on a running relay: old calls are deleted while webhooks keep being stored,
//! an agent resuming from before them is told (`caught_up.pruned_before`), the counters show
//! what was removed, and settings that would lose what is still needed are refused.

use crate::common::*;
use chrono::{TimeDelta, Utc};
use trubka_protocol::ServerFrame;
use trubka_relay::RelayConfig;
use trubka_relay::config::RetentionConfig;

fn uis(id: &str) -> impl FnOnce(&mut trubka_relay::NewAgent) {
    let id = id.to_owned();
    move |a| a.uis_employee = Some(id)
}

/// A day after every event stored now is past the default 90 days.
fn past_retention() -> chrono::DateTime<Utc> {
    Utc::now() + TimeDelta::days(91)
}

async fn caught_up(stream: &mut Stream) -> (u64, Option<u64>) {
    match stream.next_frame().await {
        Got::Frame(ServerFrame::CaughtUp {
            replayed,
            pruned_before,
        }) => (replayed, pruned_before),
        other => panic!("expected caught_up, got {other:?}"),
    }
}

#[tokio::test]
async fn an_agent_resuming_from_before_what_is_kept_is_told_and_gets_the_rest() {
    let relay = TestRelay::start().await;
    let anna = relay.agent("Анна", uis("100"));
    for session in 1..=5 {
        assert_eq!(
            relay.uis(&uis_ringing(session, "100", session)).await.0,
            200
        );
    }
    let report = relay.retention.run_once(past_retention()).await.unwrap();
    // Calls 1-4 go; call 5 holds the newest event, which numbering continues from.
    assert_eq!(report.events_deleted, 4);

    let mut stream = relay
        .connect(&anna, &format!("since=2&epoch={}", relay.epoch))
        .await;
    assert_eq!(stream.hello().await, 5);
    assert_eq!(stream.event().await, (5, "uis:5:ringing:5".to_owned()));
    assert_eq!(caught_up(&mut stream).await, (1, Some(5)));
    stream.close().await;

    // From a point retention has not reached past, nothing is said.
    let mut stream = relay
        .connect(&anna, &format!("since=4&epoch={}", relay.epoch))
        .await;
    stream.hello().await;
    assert_eq!(stream.event().await.0, 5);
    assert_eq!(caught_up(&mut stream).await, (1, None));
    // New events continue the numbering.
    assert_eq!(relay.uis(&uis_ringing(6, "100", 6)).await.0, 200);
    assert_eq!(stream.event().await, (6, "uis:6:ringing:6".to_owned()));
    stream.close().await;
    relay.stop().await;
}

#[tokio::test]
async fn webhooks_are_stored_and_streamed_while_a_pass_deletes_in_small_batches() {
    const OLD_CALLS: u64 = 300;
    const DURING: u64 = 60;
    let config = RelayConfig {
        retention: RetentionConfig {
            batch_rows: 100,
            ..RetentionConfig::default()
        },
        ..RelayConfig::default()
    };
    let relay = std::sync::Arc::new(TestRelay::start_with(config).await);
    let anna = relay.agent("Анна", uis("100"));
    for session in 1..=OLD_CALLS {
        assert_eq!(relay.uis(&uis_started(session)).await.0, 200);
        assert_eq!(relay.uis(&uis_ended(session, "100")).await.0, 200);
    }
    let (mut stream, head) = relay.connect_live(&anna).await;
    assert_eq!(head, 2 * OLD_CALLS);

    let pass = tokio::spawn({
        let relay = std::sync::Arc::clone(&relay);
        async move { relay.retention.run_once(past_retention()).await }
    });
    for n in 1..=DURING {
        let session = 10_000 + n;
        assert_eq!(relay.uis(&uis_ringing(session, "100", n)).await.0, 200);
    }
    let report = pass.await.unwrap().unwrap();
    // Each batch looks at 100 events: the old log took several.
    assert!(report.batches >= 6, "{report:?}");
    assert!(report.events_deleted >= 2 * OLD_CALLS - 1, "{report:?}");
    assert!(report.bytes_freed > 0, "{report:?}");
    // Every webhook sent meanwhile reached the agent, in order, none lost.
    let mut seqs = Vec::new();
    for _ in 0..DURING {
        seqs.push(stream.event().await.0);
    }
    let expected: Vec<u64> = (2 * OLD_CALLS + 1..=2 * OLD_CALLS + DURING).collect();
    assert_eq!(seqs, expected);

    let metrics = relay.metrics().await;
    let value = |name: &str| -> u64 {
        metrics
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name} ")))
            .unwrap_or_else(|| panic!("{name} in {metrics}"))
            .parse()
            .unwrap()
    };
    assert_eq!(
        value("trubka_relay_retention_events_deleted_total"),
        report.events_deleted
    );
    assert_eq!(
        value("trubka_relay_retention_freed_bytes_total"),
        report.bytes_freed
    );
    assert_eq!(
        value("trubka_relay_retention_batch_seconds_count"),
        report.batches
    );
    stream.close().await;
    let relay = std::sync::Arc::into_inner(relay).expect("the pass is over");
    let storage = relay.store().storage().unwrap();
    assert_eq!(storage.newest, 2 * OLD_CALLS + DURING);
    assert!(storage.pruned_before.is_some());
    relay.stop().await;
}

#[tokio::test]
async fn a_pass_before_anything_is_old_changes_nothing() {
    let relay = TestRelay::start().await;
    let anna = relay.agent("Анна", uis("100"));
    for session in 1..=3 {
        assert_eq!(
            relay.uis(&uis_ringing(session, "100", session)).await.0,
            200
        );
    }
    let report = relay.retention.run_once(Utc::now()).await.unwrap();
    assert_eq!((report.events_deleted, report.raw_erased), (0, 0));
    let mut stream = relay.connect(&anna, "since=0").await;
    stream.hello().await;
    assert_eq!(stream.events(3).await.len(), 3);
    assert_eq!(caught_up(&mut stream).await, (3, None));
    stream.close().await;
    relay.stop().await;
}

#[test]
fn settings_that_would_lose_what_reconciliation_needs_are_refused_at_start() {
    let env = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    };
    let err = RelayConfig::load(
        None,
        env(&[
            ("TRUBKA_RELAY_RETENTION_EVENTS_DAYS", "5"),
            ("TRUBKA_RELAY_RETENTION_RAW_PAYLOAD_DAYS", "1"),
        ]),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("events_days = 5"), "{err}");
    assert!(err.contains("catch_up_secs"), "{err}");
    let (config, unknown) = RelayConfig::load(
        None,
        env(&[
            ("TRUBKA_RELAY_RETENTION_EVENTS_DAYS", "30"),
            ("TRUBKA_RELAY_RETENTION_RAW_PAYLOAD_DAYS", "7"),
        ]),
    )
    .unwrap();
    assert!(unknown.is_empty());
    assert_eq!(
        (
            config.retention.events_days,
            config.retention.raw_payload_days
        ),
        (30, 7)
    );

    let dir = tempfile::tempdir().unwrap();
    let config = RelayConfig {
        data_dir: dir.path().to_owned(),
        retention: RetentionConfig {
            raw_payload_days: 60,
            events_days: 30,
            ..RetentionConfig::default()
        },
        ..RelayConfig::default()
    };
    let err = trubka_relay::Relay::open(config).err().expect("refused");
    assert!(err.to_string().contains("raw_payload_days = 60"), "{err}");
}
