//! Webhook intake over real HTTP: store, stream, answer shapes, limits, duplicates.

use crate::common::*;
use serde_json::json;

#[tokio::test]
async fn a_uis_notification_is_stored_then_streamed_to_its_employee() {
    let relay = TestRelay::start().await;
    let anna = relay.agent("Анна", |a| a.uis_employee = Some("100".to_owned()));
    let (mut stream, head) = relay.connect_live(&anna).await;

    let (status, body) = relay.uis(&uis_ringing(1001, "100", 5001)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"ok": true, "events": ["uis:1001:ringing:5001"]})
    );
    assert_eq!(
        stream.event().await,
        (head + 1, "uis:1001:ringing:5001".to_owned())
    );
    relay.stop().await;
}

#[tokio::test]
async fn a_sipuni_event_is_answered_with_success_and_streamed() {
    let relay = TestRelay::start().await;
    let anna = relay.agent("Анна", |a| a.sipuni_ext = Some("201".to_owned()));
    let (mut stream, _) = relay.connect_live(&anna).await;

    let call = sipuni_call("1774372584.533596", "201", "1774372584");
    let (status, body) = relay.sipuni(&form(&call)).await;
    assert_eq!((status, body), (200, json!({"success": true})));
    let (_, id) = stream.event().await;
    assert!(id.starts_with("sipuni:1774372584.533596:ringing:"), "{id}");
    relay.stop().await;
}

#[tokio::test]
async fn a_uis_get_template_with_the_kind_in_the_url_is_accepted() {
    let relay = TestRelay::start().await;
    let url = relay.url(&format!(
        "/hooks/uis/{}/started?call_session_id=2002&virtual_phone_number=74951234567\
         &contact_phone_number=79261234567",
        relay.uis_token
    ));
    let (status, body) = read_json(relay.http.get(url).send().await.unwrap()).await;
    assert_eq!(
        (status, body),
        (
            200,
            json!({"ok": true, "events": ["uis:2002:started:call"]})
        )
    );
    relay.stop().await;
}

#[tokio::test]
async fn usedesk_url_words_are_kinds_and_an_unknown_word_names_the_accepted_ones() {
    let relay = TestRelay::start().await;
    let post = |path: String| {
        let url = relay.url(&path);
        let http = relay.http.clone();
        async move {
            read_json(
                http.post(url)
                    .json(&json!({"call_session_id": 3003, "talk_time_duration": 0}))
                    .send()
                    .await
                    .unwrap(),
            )
            .await
        }
    };
    let token = relay.uis_token.clone();
    let (status, body) = post(format!("/hooks/uis/{token}/call_finished")).await;
    assert_eq!(
        (status, body),
        (200, json!({"ok": true, "events": ["uis:3003:ended:call"]}))
    );
    let (status, body) = post(format!("/hooks/uis/{token}/hangup")).await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["error"]["code"], "unknown_hook_kind");
    let message = body["error"]["message"].as_str().unwrap();
    for word in [
        "ended",
        "call_finished",
        "incoming_call_started",
        "conversation_started",
    ] {
        assert!(message.contains(word), "{message}");
    }
    relay.stop().await;
}

#[tokio::test]
async fn a_notification_of_no_known_event_is_stored_as_an_update_and_ends_nothing() {
    let relay = TestRelay::start().await;
    let salebot = json!({"call_session_id": 4004, "notification_name": "Salebot",
        "wait_time_duration": 12, "employee_ids": [], "virtual_phone_number": "74951234567",
        "contact_info": {"contact_phone_number": "79261234567"}});
    let (status, body) = relay.uis(&salebot).await;
    assert_eq!(status, 200, "{body}");
    let id = body["events"][0].as_str().unwrap().to_owned();
    assert!(id.starts_with("uis:4004:update:"), "{id}");
    // The certain end that follows is stored, not taken for a duplicate.
    let ended = json!({"call_session_id": 4004, "notification_name": "Завершение звонка",
        "talk_time_duration": 170});
    let (status, body) = relay.uis(&ended).await;
    assert_eq!(
        (status, body),
        (200, json!({"ok": true, "events": ["uis:4004:ended:call"]}))
    );
    relay.stop().await;
}

#[tokio::test]
async fn status_shows_what_was_heard_and_what_was_turned_away_without_the_token() {
    let relay = TestRelay::start().await;
    let (status, _) = relay.uis(&uis_ringing(5005, "100", 7001)).await;
    assert_eq!(status, 200);
    let stale = relay.url("/hooks/sipuni/an-old-token-from-last-year");
    let response = relay
        .http
        .post(stale)
        .body("event=2&call_id=1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);

    // The refusal is kept once the writer has committed it; wait for it, bounded.
    let deadline = tokio::time::Instant::now() + WAIT;
    let refused = loop {
        let refused = relay.store().rejected(5).unwrap();
        if !refused.is_empty() || tokio::time::Instant::now() > deadline {
            break refused;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert_eq!(refused[0].reason_code, "wrong_token");
    assert!(
        refused[0].message.contains("sipuni-setup"),
        "{}",
        refused[0].message
    );

    let config = trubka_relay::RelayConfig {
        data_dir: relay.data_dir(),
        ..trubka_relay::RelayConfig::default()
    };
    let mut out = Vec::new();
    trubka_relay::cli::status(&config, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("uis:5005:ringing:7001"), "{text}");
    assert!(text.contains("UIS    ended      —"), "{text}");
    assert!(text.contains("Sipuni: ни одного уведомления"), "{text}");
    assert!(text.contains("sipuni wrong_token"), "{text}");
    // The storage part: sizes, the events kept, the retention in effect.
    assert!(text.contains("База данных:\n  relay.db "), "{text}");
    assert!(text.contains("события с №1 ("), "{text}");
    assert!(text.contains("события 90 дн."), "{text}");
    assert!(
        !text.contains("an-old-token"),
        "the token must never be kept: {text}"
    );

    let metrics = relay.metrics().await;
    assert!(
        metrics.contains("trubka_relay_webhooks_wrong_token_total{provider=\"sipuni\"} 1"),
        "{metrics}"
    );
    relay.stop().await;
}

#[tokio::test]
async fn unknown_tokens_and_kinds_are_404_without_a_hint() {
    let relay = TestRelay::start().await;
    let wrong_token = relay.url("/hooks/uis/not-the-token");
    let response = relay
        .http
        .post(wrong_token)
        .json(&uis_started(1))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let body = response.text().await.unwrap();
    assert!(!body.contains("token"), "{body}");

    let wrong_kind = relay.url(&format!("/hooks/uis/{}/hangup", relay.uis_token));
    let response = relay
        .http
        .post(wrong_kind)
        .json(&uis_started(1))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);

    // A Sipuni URL with the UIS token is a wrong token too.
    let crossed = relay.url(&format!("/hooks/sipuni/{}", relay.uis_token));
    let response = relay
        .http
        .post(crossed)
        .body("event=1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    relay.stop().await;
}

#[tokio::test]
async fn a_body_over_one_mebibyte_is_413() {
    let relay = TestRelay::start().await;
    let url = relay.url(&format!("/hooks/uis/{}", relay.uis_token));
    let body = vec![b'x'; 2 * 1024 * 1024];
    let response = relay.http.post(url).body(body).send().await.unwrap();
    let (status, body) = read_json(response).await;
    assert_eq!(status, 413);
    assert_eq!(body["error"]["code"], "payload_too_large");
    relay.stop().await;
}

#[tokio::test]
async fn garbage_is_400_with_the_error_shape_and_kept_for_the_admin() {
    let relay = TestRelay::start().await;
    let url = relay.url(&format!("/hooks/uis/{}", relay.uis_token));
    let response = relay
        .http
        .post(url)
        .header("content-type", "application/json")
        .body("{\"call_session_id\": ")
        .send()
        .await
        .unwrap();
    let (status, body) = read_json(response).await;
    assert_eq!(status, 400);
    let error = &body["error"];
    assert!(
        error["code"].is_string() && error["message"].is_string(),
        "{body}"
    );
    assert_eq!(body.as_object().unwrap().len(), 1, "{body}");

    let (status, body) = relay.sipuni(&[("event", "9"), ("call_id", "1.2")]).await;
    assert_eq!(status, 400);
    assert_eq!(body["success"], json!(false));
    assert!(body["error"]["code"].is_string(), "{body}");

    // Rejections are queued ahead of this webhook, so they are committed once it is.
    assert_eq!(relay.uis(&uis_started(3003)).await.0, 200);
    let rejected = relay.store().rejected(10).unwrap();
    assert_eq!(rejected.len(), 2);
    assert_eq!(rejected[0].provider, "sipuni");
    assert_eq!(rejected[0].query, "");
    assert_eq!(rejected[0].body, b"event=9&call_id=1.2");
    assert_eq!(rejected[1].provider, "uis");
    assert_eq!(rejected[1].body, b"{\"call_session_id\": ");
    relay.stop().await;
}

#[tokio::test]
async fn a_retried_webhook_is_stored_once_and_delivered_once() {
    let relay = TestRelay::start().await;
    let anna = relay.agent("Анна", |a| {
        a.uis_employee = Some("100".to_owned());
        a.sipuni_ext = Some("201".to_owned());
    });
    let (mut stream, head) = relay.connect_live(&anna).await;

    let ringing = uis_ringing(1001, "100", 5001);
    let first = relay.uis(&ringing).await;
    let again = relay.uis(&ringing).await;
    assert_eq!(first, again);

    // Sipuni sends event 1 twice, the copy one second later.
    let call = sipuni_call("1774372584.533596", "201", "1774372584");
    let copy = sipuni_call("1774372584.533596", "201", "1774372585");
    assert_eq!(relay.sipuni(&form(&call)).await.0, 200);
    assert_eq!(relay.sipuni(&form(&copy)).await.0, 200);
    let hangup = sipuni_hangup("1774372584.533596", "201");
    assert_eq!(relay.sipuni(&form(&hangup)).await.0, 200);

    // Frames come in seq order, so the hangup right after the first event 1 proves that
    // neither copy was delivered.
    assert_eq!(
        stream.event().await,
        (head + 1, "uis:1001:ringing:5001".to_owned())
    );
    let (seq, id) = stream.event().await;
    assert_eq!(seq, head + 2);
    assert!(id.contains(":ringing:"), "{id}");
    let (seq, id) = stream.event().await;
    assert_eq!(seq, head + 3);
    assert!(id.starts_with("sipuni:1774372584.533596:ended:"), "{id}");

    let metrics = relay.metrics().await;
    assert!(
        metrics.contains("trubka_relay_events_duplicate_total 2\n"),
        "{metrics}"
    );
    assert!(
        metrics
            .contains("trubka_relay_webhooks_total{provider=\"sipuni\",outcome=\"duplicate\"} 1\n"),
        "{metrics}"
    );
    relay.stop().await;
}

#[tokio::test]
async fn health_and_metrics_report_the_relay() {
    let relay = TestRelay::start().await;
    let health = relay.http.get(relay.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(health.text().await.unwrap().trim(), "ok");

    let anna = relay.agent("Анна", |a| a.uis_employee = Some("100".to_owned()));
    let (mut stream, _) = relay.connect_live(&anna).await;
    assert_eq!(relay.uis(&uis_ringing(1001, "100", 1)).await.0, 200);
    stream.event().await;
    assert_eq!(relay.sipuni(&[("event", "x")]).await.0, 400);

    let response = relay.http.get(relay.url("/metrics")).send().await.unwrap();
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = response.text().await.unwrap();
    for expected in [
        "trubka_relay_webhooks_received_total{provider=\"uis\"} 1\n",
        "trubka_relay_webhooks_total{provider=\"uis\",outcome=\"stored\"} 1\n",
        "trubka_relay_webhooks_total{provider=\"sipuni\",outcome=\"rejected\"} 1\n",
        "trubka_relay_events_stored_total 1\n",
        "trubka_relay_streams_open 1\n",
        "trubka_relay_frames_sent_total ",
        "trubka_relay_slow_consumer_disconnects_total 0\n",
        "trubka_relay_write_batch_size_count ",
        "trubka_relay_ingest_latency_seconds_count 1\n",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    relay.stop().await;
}
