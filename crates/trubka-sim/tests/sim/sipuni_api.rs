//! The Sipuni API driven by trubka-pbx's real `SipuniClient`: click-to-call and callback
//! orders that play their events to the relay, the md5 signature, the CSV export read by the
//! client's parser, and recordings.

use std::collections::BTreeMap;

use crate::common::{Captured, SIPUNI_SECRET, SIPUNI_USER, Sim};
use chrono::{FixedOffset, Utc};
use serde_json::{Value, json};
use trubka_pbx::{
    DialNumber,
    sipuni::{CallTreeOptions, SipuniCallKind, StatisticsFilter, sign},
};

fn events(requests: &[Captured]) -> Vec<BTreeMap<String, String>> {
    requests.iter().map(Captured::fields).collect()
}

fn today() -> chrono::NaiveDate {
    let msk = FixedOffset::east_opt(3 * 3600).unwrap();
    Utc::now().with_timezone(&msk).date_naive()
}

#[tokio::test]
async fn call_number_plays_the_outgoing_call_to_the_relay() {
    let sim = Sim::start().await;
    let accepted = sim
        .sipuni()
        .call_number(
            &DialNumber::parse("79261112233").unwrap(),
            "202",
            false,
            false,
        )
        .await
        .unwrap();
    assert_eq!(accepted.message.as_deref(), Some("OK"));

    let logged = sim.requests_for("callback/call_number").await;
    assert_eq!(logged.len(), 1);
    let request = &logged[0];
    assert_eq!(request["api"], "sipuni_api");
    assert_eq!(request["path"], "/sipuni/api/callback/call_number");
    assert_eq!(request["signature_ok"], true);
    let params = &request["params"];
    assert_eq!(params["user"], SIPUNI_USER);
    assert_eq!(params["phone"], "79261112233");
    assert_eq!(params["sipnumber"], "202");
    let pairs = [
        ("antiaon", "0"),
        ("phone", "79261112233"),
        ("reverse", "0"),
        ("sipnumber", "202"),
        ("user", SIPUNI_USER),
    ];
    assert_eq!(params["hash"], sign(&pairs, SIPUNI_SECRET));
    let call_id = request["call_id"].as_str().unwrap().to_owned();

    // Event 1 (and its repeat), 3, 2: an outgoing call of extension 202.
    let got = sim.capture.wait_for(4).await;
    let got = events(&got);
    let kinds: Vec<&str> = got.iter().map(|e| e["event"].as_str()).collect();
    assert_eq!(kinds, ["1", "1", "3", "2"]);
    for event in &got {
        assert_eq!(format!("sipuni:{}", event["call_id"]), call_id);
    }
    let ring = &got[0];
    assert_eq!(ring["src_num"], "064629202");
    assert_eq!(ring["short_src_num"], "202");
    assert_eq!(ring["dst_num"], "79261112233");
    assert_eq!(ring["treeName"], "Исходящая");
    assert_eq!(got[3]["status"], "ANSWER");
    sim.stop().await;
}

#[tokio::test]
async fn call_tree_orders_a_callback_through_the_scheme() {
    let sim = Sim::start().await;
    let options = CallTreeOptions {
        reverse: Some(true),
        call_attempt_time: Some(45),
    };
    let accepted = sim
        .sipuni()
        .call_tree(
            &DialNumber::parse("79031234599").unwrap(),
            "201",
            "000-913901",
            options,
        )
        .await
        .unwrap();
    let callback = accepted.callback_id.clone().expect("a callbackId");
    assert_eq!(accepted.reference(), Some(callback.as_str()));
    // 99 at the end: nobody answers.
    let got = events(&sim.capture.wait_for(3).await);
    let kinds: Vec<&str> = got.iter().map(|e| e["event"].as_str()).collect();
    assert_eq!(kinds, ["1", "1", "2"]);
    assert_eq!(got[0]["treeNumber"], "000-913901");
    assert_eq!(got[0]["treeName"], "Обратный звонок");
    assert_eq!(got[2]["status"], "NOANSWER");
    let logged = sim.requests_for("callback/call_tree").await;
    assert_eq!(logged[0]["signature_ok"], true);
    assert_eq!(logged[0]["params"]["callAttemptTime"], "45");

    let err = sim
        .sipuni()
        .call_tree(
            &DialNumber::parse("79031234567").unwrap(),
            "201",
            "000-000000",
            CallTreeOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), "sipuni_rejected");
    sim.stop().await;
}

#[tokio::test]
async fn call_orders_are_refused_until_api_calls_are_switched_on() {
    // A new cabinet: «Услуга совершение звонков по API» is off.
    let sim = Sim::start_with(|c| c.sipuni.api_calls = false).await;
    let phone = DialNumber::parse("79261112233").unwrap();
    let err = sim
        .sipuni()
        .call_number(&phone, "201", false, false)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "sipuni_rejected");
    assert!(err.is_sipuni_api_calls_off(), "{err:?}");
    assert!(
        err.user_message()
            .contains("включите «Услуга совершение звонков по API» в кабинете Sipuni"),
        "{}",
        err.user_message()
    );
    let err = sim
        .sipuni()
        .call_tree(&phone, "201", "000-913901", CallTreeOptions::default())
        .await
        .unwrap_err();
    assert!(err.is_sipuni_api_calls_off(), "{err:?}");
    // Correctly signed, refused for the service alone; the export still works without it.
    let logged = sim.requests_for("callback/call_tree").await;
    assert_eq!(logged[0]["signature_ok"], true);
    assert_eq!(logged[0]["params"]["reverse"], "0");
    assert_eq!(logged[0]["params"]["callAttemptTime"], "30");
    sim.sipuni()
        .export_statistics(today(), today(), &StatisticsFilter::default())
        .await
        .unwrap();
    // A wrong hash is still told apart from the missing service.
    let err = sim
        .sipuni_with_secret("wrong")
        .call_number(&phone, "201", false, false)
        .await
        .unwrap_err();
    assert!(!err.is_sipuni_api_calls_off());
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert!(sim.capture.snapshot().is_empty());
    sim.stop().await;
}

#[tokio::test]
async fn bad_signatures_and_unknown_extensions_are_refused() {
    let sim = Sim::start().await;
    let phone = DialNumber::parse("79261112233").unwrap();
    let err = sim
        .sipuni_with_secret("wrong")
        .call_number(&phone, "201", false, false)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "sipuni_rejected");
    assert!(
        err.user_message().contains("hash"),
        "{}",
        err.user_message()
    );
    let logged = sim.requests_for("callback/call_number").await;
    assert_eq!(logged[0]["signature_ok"], false);
    assert_eq!(logged[0]["status"], 200);
    let err = sim
        .sipuni()
        .call_number(&phone, "209", false, false)
        .await
        .unwrap_err();
    assert!(err.user_message().contains("209"), "{}", err.user_message());
    let err = sim
        .sipuni_with_secret("wrong")
        .export_statistics(today(), today(), &StatisticsFilter::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "sipuni_rejected");
    let err = sim
        .sipuni_with_secret("wrong")
        .record("1.2")
        .await
        .unwrap_err();
    assert_eq!(err.code(), "sipuni_rejected");

    // The raw answer: HTTP 200 with success false.
    let response = sim
        .client
        .post(sim.url.join("sipuni/api/callback/call_number").unwrap())
        .form(&[
            ("user", SIPUNI_USER),
            ("phone", "79261112233"),
            ("sipnumber", "201"),
            ("hash", "0"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["success"], false);
    assert!(body["message"].as_str().unwrap().contains("hash"));
    let response = sim
        .client
        .post(sim.url.join("sipuni/api/no/such").unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert!(sim.capture.snapshot().is_empty());
    sim.stop().await;
}

#[tokio::test]
async fn the_export_lists_every_call_and_the_client_reads_it() {
    let sim = Sim::start().await;
    sim.call(
        json!({"provider":"sipuni","from":"89161112233","employee":"201",
                    "outcome":"answered","talk_seconds":65,"missing_hangup":true}),
    )
    .await;
    sim.call(
        json!({"provider":"sipuni","from":"+7 926 123-45-67","employee":"202",
                    "outcome":"missed","drop_notifications":["ringing","ended"]}),
    )
    .await;
    sim.sipuni()
        .call_number(
            &DialNumber::parse("79031234500").unwrap(),
            "203",
            false,
            false,
        )
        .await
        .unwrap();
    sim.call(json!({"provider":"uis","from":"79261112233"}))
        .await;
    // Answered: 1, 1, 3 (no 2); missed: nothing; busy API call: 1, 1, 2; UIS: 6.
    sim.capture.wait_for(12).await;

    let sipuni = sim.sipuni();
    let export = sipuni
        .export_statistics(today(), today(), &StatisticsFilter::default())
        .await
        .unwrap();
    assert_eq!(export.rejected, vec![]);
    assert_eq!(export.rows.len(), 3);
    let answered = &export.rows[0];
    assert_eq!(answered.kind, Some(SipuniCallKind::Incoming));
    assert_eq!(answered.status.as_deref(), Some("Отвечен"));
    assert_eq!(answered.from.as_deref(), Some("89161112233"));
    assert_eq!(answered.to.as_deref(), Some("74992136070"));
    assert_eq!(answered.tree_id.as_deref(), Some("000-1734442"));
    assert_eq!(answered.tree_name.as_deref(), Some("Входящая"));
    let who = answered.answered_by.as_ref().unwrap();
    assert_eq!(who.raw, "201 (Смирнова Анна) 65");
    assert_eq!(
        (
            who.number.as_deref(),
            who.name.as_deref(),
            who.suffix.as_deref()
        ),
        (Some("201"), Some("Смирнова Анна"), Some("65"))
    );
    assert_eq!(answered.talk_duration, Some(65));
    assert_eq!(answered.record_exists, Some(true));
    assert_eq!(answered.new_client, Some(true));
    assert!(answered.was_answered());
    let missed = &export.rows[1];
    assert_eq!(missed.status.as_deref(), Some("Не отвечен"));
    assert!(!missed.was_answered());
    assert_eq!(missed.record_id, None);
    let outgoing = &export.rows[2];
    assert_eq!(outgoing.kind, Some(SipuniCallKind::Outgoing));
    assert_eq!(outgoing.status.as_deref(), Some("Занято"));
    assert_eq!(outgoing.from.as_deref(), Some("203"));
    assert_eq!(outgoing.outgoing_line.as_deref(), Some("74992136070"));
    assert!(answered.time <= missed.time && missed.time <= outgoing.time);

    // The recording of the answered call, by its «ID записи».
    let audio = sipuni
        .record(answered.record_id.as_deref().unwrap())
        .await
        .unwrap();
    assert_eq!(audio[..2], [0xFF, 0xFB]);
    let err = sipuni.record("1.000000").await.unwrap_err();
    assert_eq!(err.code(), "sipuni_rejected");

    // Filters, and the flags that shape the columns (crmLinks signed too).
    let filter = StatisticsFilter {
        state: trubka_pbx::sipuni::AnsweredFilter::Answered,
        crm_links: true,
        names: false,
        show_tree_id: false,
        ..StatisticsFilter::default()
    };
    let only_answered = sipuni
        .export_statistics(today(), today(), &filter)
        .await
        .unwrap();
    assert_eq!(only_answered.rows.len(), 1);
    let row = &only_answered.rows[0];
    assert_eq!(row.answered_by.as_ref().unwrap().raw, "201");
    assert_eq!(row.tree_id, None);
    let logged = sim.requests_for("statistic/export").await;
    assert_eq!(logged.len(), 2);
    assert!(logged.iter().all(|r| r["signature_ok"] == true));
    assert_eq!(logged[1]["params"]["crmLinks"], "1");
    let raw = sim
        .client
        .post(sim.url.join("sipuni/api/statistic/export").unwrap())
        .body(
            serde_urlencoded::to_string(signed(&[("from", "01.01.2020"), ("to", "01.01.2020")]))
                .unwrap(),
        )
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .unwrap();
    assert_eq!(
        raw.headers()["content-type"].to_str().unwrap(),
        "text/csv; charset=utf-8"
    );
    let bytes = raw.bytes().await.unwrap();
    assert!(
        bytes.starts_with("\u{feff}Тип;Статус;Время;Схема;Откуда;Куда;Кто ответил;".as_bytes())
    );
    assert_eq!(bytes.iter().filter(|b| **b == b'\n').count(), 1);
    sim.stop().await;
}

/// A form with `user` and a correct `hash`.
fn signed(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut all: Vec<(&str, &str)> = pairs.to_vec();
    all.push(("user", SIPUNI_USER));
    let hash = sign(&all, SIPUNI_SECRET);
    let mut form: Vec<(String, String)> = all
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    form.push(("hash".to_owned(), hash));
    form
}
