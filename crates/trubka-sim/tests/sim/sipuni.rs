//! Sipuni calls: events 1–4 as form fields (or GET queries), in order, with the quirks of
//! real Sipuni.

use std::collections::BTreeMap;

use crate::common::{Captured, SIPUNI_TOKEN, Sim, fetch};
use serde_json::json;

type Fields = BTreeMap<String, String>;

fn events(requests: &[Captured]) -> Vec<Fields> {
    for r in requests {
        assert_eq!(r.path, format!("/hooks/sipuni/{SIPUNI_TOKEN}"));
    }
    requests.iter().map(Captured::fields).collect()
}

fn numbers(events: &[Fields]) -> Vec<&str> {
    events.iter().map(|e| e["event"].as_str()).collect()
}

fn ts(e: &Fields, key: &str) -> i64 {
    e[key].parse().unwrap()
}

#[tokio::test]
async fn answered_call_with_the_duplicate_event_1() {
    let sim = Sim::start().await;
    let call_id = sim
        .call(json!({"provider":"sipuni","from":"8 903 555 12 12","line":"74992136070","employee":"201","outcome":"answered"}))
        .await;
    let id = call_id.strip_prefix("sipuni:").unwrap();
    let (secs, seq) = id.split_once('.').unwrap();
    assert!(secs.parse::<i64>().is_ok() && seq.len() == 6, "{id}");
    let got = sim.capture.wait_for(4).await;
    let ev = events(&got);
    assert_eq!(numbers(&ev), ["1", "1", "3", "2"]);
    assert!(ev.iter().all(|e| e["call_id"] == id));

    let call = &ev[0];
    assert_eq!(call["src_type"], "1");
    assert_eq!(call["src_num"], "89035551212");
    assert_eq!(call["short_src_num"], "89035551212");
    assert_eq!(call["dst_type"], "2");
    assert_eq!(call["dst_num"], "064629201");
    assert_eq!(call["short_dst_num"], "201");
    assert_eq!(call["pbxdstnum"], "74992136070");
    assert_eq!(call["user_id"], "064629");
    assert_eq!(call["treeName"], "Входящая");
    assert_eq!(call["is_inner_call"], "0");
    assert!(call["channel"].starts_with("SIP/06462974992136070-"));

    // The repeat differs only in its timestamp, one second later.
    let mut repeat = ev[1].clone();
    assert_eq!(ts(&repeat, "timestamp"), ts(call, "timestamp") + 1);
    repeat.insert("timestamp".into(), call["timestamp"].clone());
    assert_eq!(&repeat, call);

    let answer = &ev[2];
    assert_eq!(answer["short_dst_num"], "201");
    assert!(answer["channel"].starts_with("SIP/064629201-"));

    let hangup = &ev[3];
    assert_eq!(hangup["status"], "ANSWER");
    assert_eq!(hangup["dst_type"], "1");
    assert_eq!(hangup["dst_num"], "74992136070_id265648");
    assert_eq!(hangup["short_dst_num"], "74992136070_id265648");
    assert_eq!(hangup["last_called"], "201");
    assert_eq!(ts(hangup, "call_answer_timestamp"), ts(answer, "timestamp"));
    assert!(ts(hangup, "call_start_timestamp") < ts(call, "timestamp"));
    assert!(ts(hangup, "timestamp") > ts(answer, "timestamp"));

    let link = &hangup["call_record_link"];
    let prefix = format!("{}sipuni/api/crm/record?id={id}&hash=", sim.url);
    assert!(link.starts_with(&prefix), "{link}");
    let (status, content_type, audio) = fetch(&sim.client, link).await;
    assert_eq!(status, 200);
    assert_eq!(content_type, "audio/mpeg");
    assert!(audio.len() > 1000);
    let forged = format!("{prefix}0000");
    assert_eq!(fetch(&sim.client, &forged).await.0, 403);
    sim.stop().await;
}

#[tokio::test]
async fn missed_call_rings_two_employees() {
    let sim = Sim::start().await;
    sim.call(json!({"provider":"sipuni","from":"+7 926 123-45-67","employee":"201","next_employee":"202","outcome":"missed"}))
        .await;
    let got = sim.capture.wait_for(4).await;
    let ev = events(&got);
    assert_eq!(numbers(&ev), ["1", "1", "1", "2"]);
    assert_eq!(ev[0]["short_dst_num"], "201");
    assert_eq!(ev[1]["short_dst_num"], "201");
    assert_eq!(ev[2]["short_dst_num"], "202");
    assert_eq!(ev[0]["src_num"], "79261234567");
    let hangup = &ev[3];
    assert_eq!(hangup["status"], "NOANSWER");
    assert_eq!(hangup["call_answer_timestamp"], "0");
    assert_eq!(hangup["last_called"], "202");
    assert_eq!(hangup["dst_num"], "74992136070_id265648");
    // Real Sipuni links a record even for a missed call; it is the ringback.
    let (status, _, audio) = fetch(&sim.client, &hangup["call_record_link"]).await;
    assert_eq!(status, 200);
    assert!(!audio.is_empty());
    sim.stop().await;
}

#[tokio::test]
async fn busy_and_cancelled_statuses() {
    let sim = Sim::start().await;
    sim.call(json!({"provider":"sipuni","from":"375447001122","employee":"203","outcome":"busy","duplicate_event1":false}))
        .await;
    let got = sim.capture.wait_for(2).await;
    let ev = events(&got);
    assert_eq!(numbers(&ev), ["1", "2"]);
    assert_eq!(ev[1]["status"], "BUSY");
    assert_eq!(ev[1]["last_called"], "203");

    sim.call(json!({"provider":"sipuni","from":"anonymous","outcome":"cancelled","duplicate_event1":false,"line":"78123097788"}))
        .await;
    let got = sim.capture.wait_for(4).await;
    let ev = events(&got[2..]);
    assert_eq!(numbers(&ev), ["1", "2"]);
    assert_eq!(ev[0]["src_num"], "anonymous");
    assert_eq!(ev[1]["status"], "CANCEL");
    assert_eq!(ev[1]["dst_num"], "78123097788_id265649");
    sim.stop().await;
}

#[tokio::test]
async fn transfer_sends_event_4_and_rings_the_second_employee() {
    let sim = Sim::start().await;
    sim.call(
        json!({"provider":"sipuni","from":"79031234500","employee":"201","transfer_to":"202"}),
    )
    .await;
    let got = sim.capture.wait_for(7).await;
    let ev = events(&got);
    assert_eq!(numbers(&ev), ["1", "1", "3", "4", "1", "3", "2"]);
    let secondary = &ev[3];
    assert_eq!(secondary["status"], "ANSWER");
    assert_eq!(secondary["short_dst_num"], "201");
    assert_eq!(secondary["last_called"], "201");
    assert_eq!(
        ts(secondary, "call_answer_timestamp"),
        ts(&ev[2], "timestamp")
    );
    assert!(secondary.contains_key("call_record_link"));
    let second = &ev[4];
    assert_eq!(second["short_dst_num"], "202");
    assert_eq!(second["transfer_from"], "201");
    assert_eq!(ev[5]["short_dst_num"], "202");
    let hangup = &ev[6];
    assert_eq!(hangup["status"], "ANSWER");
    assert_eq!(hangup["last_called"], "202");
    assert_eq!(ts(hangup, "call_answer_timestamp"), ts(&ev[2], "timestamp"));
    sim.stop().await;
}

#[tokio::test]
async fn outgoing_call_from_an_extension() {
    let sim = Sim::start().await;
    sim.call(json!({"provider":"sipuni","direction":"out","to":"8 903 555 12 12","employee":"202","duplicate_event1":false}))
        .await;
    let got = sim.capture.wait_for(3).await;
    let ev = events(&got);
    assert_eq!(numbers(&ev), ["1", "3", "2"]);
    let call = &ev[0];
    assert_eq!(call["src_type"], "2");
    assert_eq!(call["src_num"], "064629202");
    assert_eq!(call["short_src_num"], "202");
    assert_eq!(call["dst_type"], "1");
    assert_eq!(call["dst_num"], "89035551212");
    assert_eq!(call["pbxdstnum"], "+79035551212");
    assert_eq!(call["treeName"], "Исходящая");
    assert_eq!(ev[2]["status"], "ANSWER");
    assert_eq!(ev[2]["last_called"], "89035551212");
    assert_eq!(ev[2]["dst_num"], "89035551212");
    sim.stop().await;
}

#[tokio::test]
async fn internal_call_between_extensions() {
    let sim = Sim::start().await;
    sim.call(json!({"provider":"sipuni","from":"203","employee":"201","duplicate_event1":false}))
        .await;
    let got = sim.capture.wait_for(3).await;
    let ev = events(&got);
    assert_eq!(ev[0]["src_type"], "2");
    assert_eq!(ev[0]["src_num"], "064629203");
    assert_eq!(ev[0]["short_src_num"], "203");
    assert_eq!(ev[0]["is_inner_call"], "1");
    sim.stop().await;
}

#[tokio::test]
async fn quirks_sparse_answer_missing_hangup_and_get() {
    let sim = Sim::start().await;
    sim.call(json!({"provider":"sipuni","from":"9057778899","method":"get","sparse_answer":true,"missing_hangup":true}))
        .await;
    let got = sim.capture.wait_for(3).await;
    assert_eq!(got.len(), 3, "no event 2");
    assert!(got.iter().all(|r| r.method == "GET"));
    let ev = events(&got);
    assert_eq!(numbers(&ev), ["1", "1", "3"]);
    assert_eq!(ev[0]["src_num"], "9057778899");
    let keys: Vec<&str> = ev[2].keys().map(String::as_str).collect();
    assert_eq!(keys, ["call_id", "channel", "event", "timestamp"]);
    sim.stop().await;
}
