//! The simulator's own API, delivery retries, the generator, timing and shutdown.

use std::{
    collections::HashSet,
    sync::atomic::Ordering,
    time::{Duration, Instant},
};

use crate::common::{Sim, fetch};
use reqwest::StatusCode as ReqwestStatus;
use serde_json::{Value, json};
use trubka_sim::GeneratorConfig;

#[tokio::test]
async fn bad_call_requests_get_coded_errors() {
    let sim = Sim::start().await;
    let (status, body) = sim
        .post_call(json!({"provider":"uis","employee":"999"}))
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "unknown_employee");
    let (status, body) = sim
        .post_call(json!({"provider":"uis","outcome":"missed","transfer_to":"202"}))
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "unsupported_combination");
    let (status, body) = sim.post_call(json!({"provider":"asterisk"})).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "invalid_request");
    let (status, body) = sim
        .post_call(json!({"provider":"uis","from":"позвоните мне"}))
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "invalid_number");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(sim.capture.snapshot().is_empty());
    sim.stop().await;
}

#[tokio::test]
async fn requests_are_listed_with_their_params() {
    let sim = Sim::start().await;
    sim.call(json!({"provider":"sipuni","from":"79031234500","outcome":"busy"}))
        .await;
    let (status, _) = sim
        .post_call(json!({"provider":"uis","employee":"x"}))
        .await;
    assert_eq!(status, 400);
    let listed = sim.get_json("sim/requests").await;
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0]["method"], "POST");
    assert_eq!(listed[0]["path"], "/sim/calls");
    assert_eq!(listed[0]["api"], "sim");
    assert_eq!(listed[0]["params"]["from"], "79031234500");
    assert_eq!(listed[1]["params"]["employee"], "x");
    let seq = listed[0]["seq"].as_u64().unwrap();
    let since = sim.get_json(&format!("sim/requests?since={seq}")).await;
    assert_eq!(since.as_array().unwrap().len(), 1);
    let cleared = sim
        .client
        .delete(sim.url.join("sim/requests").unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(cleared.status(), ReqwestStatus::NO_CONTENT);
    assert_eq!(sim.get_json("sim/requests").await, json!([]));
    sim.stop().await;
}

#[tokio::test]
async fn server_errors_are_retried_a_bounded_number_of_times() {
    let sim = Sim::start_with(|c| c.delivery.attempts = 3).await;
    // The relay fails five times: the first notification is tried three times and dropped,
    // the second one twice before it gets through.
    sim.capture.fail_first.store(5, Ordering::SeqCst);
    sim.call(json!({"provider":"uis","from":"79031234500","outcome":"busy"}))
        .await;
    let got = sim.capture.wait_for(3 + 3 + 1 + 1).await;
    let kinds: Vec<&str> = got.iter().map(|r| r.uis_kind()).collect();
    assert_eq!(
        kinds,
        [
            "started", "started", "started", "ringing", "ringing", "ringing", "ended", "ended"
        ]
    );
    // The retried bodies are identical: the relay must dedupe them.
    assert_eq!(got[0].body, got[1].body);
    let deliveries = sim.get_json("sim/deliveries").await;
    let deliveries = deliveries.as_array().unwrap();
    assert_eq!(deliveries.len(), 4);
    assert_eq!(deliveries[0]["attempts"], 3);
    assert_eq!(deliveries[0]["status"], 503);
    assert_eq!(deliveries[1]["attempts"], 3);
    assert_eq!(deliveries[1]["status"], 200);
    assert_eq!(deliveries[2]["attempts"], 1);
    assert!(
        deliveries[0]["url"]
            .as_str()
            .unwrap()
            .ends_with("/hooks/uis/***/started")
    );
    sim.stop().await;
}

#[tokio::test]
async fn an_unreachable_relay_does_not_stop_the_simulator() {
    let sim = Sim::start_with(|c| {
        c.relay_url = url::Url::parse("http://127.0.0.1:9/").unwrap();
        c.delivery.attempts = 2;
    })
    .await;
    sim.call(json!({"provider":"sipuni","outcome":"busy","duplicate_event1":false}))
        .await;
    for _ in 0..200 {
        let deliveries = sim.get_json("sim/deliveries").await;
        if deliveries.as_array().unwrap().len() == 2 {
            assert_eq!(deliveries[0]["attempts"], 2);
            assert_eq!(deliveries[0]["status"], Value::Null);
            assert!(deliveries[0]["error"].is_string());
            sim.stop().await;
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("deliveries were not recorded");
}

#[tokio::test]
async fn the_generator_makes_a_bounded_varied_stream() {
    let sim = Sim::start_with(|c| {
        c.seed = Some(2024);
        c.generator = Some(GeneratorConfig {
            calls_per_minute: 6000.0,
            calls: Some(12),
        });
    })
    .await;
    let mut calls = HashSet::new();
    for _ in 0..300 {
        let deliveries = sim.get_json("sim/deliveries").await;
        calls = deliveries
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["call_id"].as_str().unwrap().to_owned())
            .collect();
        if calls.len() == 12 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(calls.len(), 12, "{calls:?}");
    assert!(calls.iter().any(|c| c.starts_with("uis:")));
    assert!(calls.iter().any(|c| c.starts_with("sipuni:")));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let deliveries = sim.get_json("sim/deliveries").await;
    let all: HashSet<&str> = deliveries
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["call_id"].as_str().unwrap())
        .collect();
    assert_eq!(all.len(), 12, "the generator stops at --calls");
    sim.stop().await;
}

#[tokio::test]
async fn speed_scales_the_call_timeline() {
    // A 20 s call (2 s menu, 4 s ringing, 10 s talk, …) played 100 times faster.
    let sim = Sim::start_with(|c| c.speed = 100.0).await;
    let started = Instant::now();
    sim.call(json!({"provider":"uis","from":"79031234500","ivr_seconds":2,"ring_seconds":4,"talk_seconds":10}))
        .await;
    sim.capture.wait_for(5).await;
    let until_ended = started.elapsed();
    assert!(
        until_ended >= Duration::from_millis(160),
        "ended after {until_ended:?}"
    );
    sim.capture.wait_for(6).await;
    sim.stop().await;
}

#[tokio::test]
async fn shutdown_stops_calls_in_progress() {
    let sim = Sim::start_with(|c| c.speed = 1.0).await;
    sim.call(json!({"provider":"uis","ivr_seconds":1,"ring_seconds":30}))
        .await;
    sim.capture.wait_for(1).await;
    let started = Instant::now();
    let capture = sim.capture.clone();
    sim.stop().await;
    assert!(started.elapsed() < Duration::from_secs(5));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        capture.snapshot().len(),
        1,
        "nothing is sent after shutdown"
    );
}

#[tokio::test]
async fn recordings_support_ranges_and_unknown_ids_are_404() {
    let sim = Sim::start().await;
    sim.call(json!({"provider":"uis","talk_seconds":30})).await;
    let got = sim.capture.wait_for(6).await;
    let recording = got[5].json();
    let link = recording["call_record_file_info"]["file_link"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, content_type, whole) = fetch(&sim.client, &link).await;
    assert_eq!(status, 200);
    assert_eq!(content_type, "audio/mpeg");
    // 30 s at 32 kbit/s.
    assert!(
        (118_000..=122_000).contains(&whole.len()),
        "{}",
        whole.len()
    );
    let part = sim
        .client
        .get(&link)
        .header("Range", "bytes=100-199")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), ReqwestStatus::PARTIAL_CONTENT);
    assert_eq!(
        part.headers()["content-range"],
        format!("bytes 100-199/{}", whole.len()).as_str()
    );
    assert_eq!(part.bytes().await.unwrap().as_ref(), &whole[100..200]);
    let missing = sim.url.join("recordings/ffff.mp3").unwrap();
    assert_eq!(fetch(&sim.client, missing.as_str()).await.0, 404);
    let health = fetch(&sim.client, sim.url.join("healthz").unwrap().as_str()).await;
    assert_eq!(health.0, 200);
    sim.stop().await;
}
