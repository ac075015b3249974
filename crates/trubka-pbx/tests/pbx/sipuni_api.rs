//! Sipuni API against a local test double: the exact signed form bodies, every accepted
//! answer shape, the CSV export and recordings. Expected hashes were computed with
//! `printf '%s' '<values>+<secret>' | md5sum`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::support::{MockPbx, Reply};
use chrono::NaiveDate;
use serde_json::json;
use trubka_core::Provider;
use trubka_pbx::sipuni::{CallTreeOptions, SipuniCallKind, StatisticsFilter};
use trubka_pbx::{DialNumber, PbxError, SipuniClient, SipuniConfig};

fn client(mock: &MockPbx) -> SipuniClient {
    SipuniClient::new(SipuniConfig {
        api_url: mock.url("/sipuni/api/"),
        user: "064629".to_owned(),
        secret: "s3cr3tK3y".to_owned(),
        timeout: Duration::from_secs(5),
    })
    .unwrap()
}

fn phone() -> DialNumber {
    DialNumber::parse("+79260000000").unwrap()
}

#[tokio::test]
async fn call_number_posts_the_signed_form() {
    let mock = MockPbx::start(|_| Reply::json(json!({"success": true, "message": "OK"}))).await;
    let accepted = client(&mock)
        .call_number(&phone(), "201", false, false)
        .await
        .unwrap();
    assert_eq!(accepted.message.as_deref(), Some("OK"));
    let request = &mock.requests()[0];
    assert_eq!(request.path, "/sipuni/api/callback/call_number");
    assert_eq!(request.content_type, "application/x-www-form-urlencoded");
    // md5("0+79260000000+0+201+064629+s3cr3tK3y")
    assert_eq!(
        request.text(),
        "antiaon=0&phone=79260000000&reverse=0&sipnumber=201&user=064629\
         &hash=dacc0b3e4649ec5ab72b5715b8dadec0"
    );
}

#[tokio::test]
async fn call_number_flags_change_the_values_and_the_hash() {
    let mock =
        MockPbx::start(|_| Reply::json(json!({"id": 17, "callId": "1774372584.533596"}))).await;
    let accepted = client(&mock)
        .call_number(&phone(), "201", true, true)
        .await
        .unwrap();
    assert_eq!(accepted.reference(), Some("1774372584.533596"));
    assert_eq!(accepted.id.as_deref(), Some("17"));
    let body = mock.requests()[0].text();
    assert!(
        body.starts_with("antiaon=1&phone=79260000000&reverse=1&sipnumber=201&user=064629&hash=")
    );
    assert!(!body.ends_with("dacc0b3e4649ec5ab72b5715b8dadec0"));
}

#[tokio::test]
async fn call_tree_always_signs_reverse_and_attempt_time_in_name_order() {
    let answers = Arc::new(Mutex::new(vec![
        Reply::json(json!({"callbackId": 991})),
        Reply::json(json!({"success": "true"})),
    ]));
    let mock = MockPbx::start(move |_| answers.lock().unwrap().remove(0)).await;
    let sipuni = client(&mock);
    let options = CallTreeOptions {
        reverse: Some(true),
        call_attempt_time: Some(45),
    };
    let accepted = sipuni
        .call_tree(&phone(), "201", "000-913901", options)
        .await
        .unwrap();
    assert_eq!(accepted.callback_id.as_deref(), Some("991"));
    sipuni
        .call_tree(&phone(), "201", "000-913901", CallTreeOptions::default())
        .await
        .unwrap();
    let requests = mock.requests();
    assert_eq!(requests[0].path, "/sipuni/api/callback/call_tree");
    // md5("45+79260000000+1+201+000-913901+064629+s3cr3tK3y")
    assert_eq!(
        requests[0].text(),
        "callAttemptTime=45&phone=79260000000&reverse=1&sipnumber=201&tree=000-913901\
         &user=064629&hash=d486e935a06b9415bbb087355d404124"
    );
    // Without options both are still sent, with their defaults, and signed:
    // md5("30+79260000000+0+201+000-913901+064629+s3cr3tK3y")
    assert_eq!(
        requests[1].text(),
        "callAttemptTime=30&phone=79260000000&reverse=0&sipnumber=201&tree=000-913901\
         &user=064629&hash=8c78ce03c0aaebaa31d2800f3108a78c"
    );
}

#[tokio::test]
async fn every_answer_shape_public_clients_see_is_read() {
    let answers = Arc::new(Mutex::new(vec![
        Reply::json(json!({"result": "success"})),
        Reply::json(json!({"callID": "1774372584.533596"})),
        Reply::json(json!({"id": "42"})),
        Reply::raw(200, "text/plain", "OK"),
        Reply::raw(200, "text/plain; charset=utf-8", "Error: wrong sipnumber"),
        Reply::raw(200, "text/html", "Произошла ошибка, попробуйте позже"),
        Reply::json(json!({
            "success": false,
            "message": "Услуга «Совершение звонков по API» не подключена"
        })),
    ]));
    let mock = MockPbx::start(move |_| answers.lock().unwrap().remove(0)).await;
    let sipuni = client(&mock);
    let number = phone();
    let call = || sipuni.call_number(&number, "201", false, false);
    assert_eq!(call().await.unwrap().reference(), None);
    assert_eq!(call().await.unwrap().reference(), Some("1774372584.533596"));
    assert_eq!(call().await.unwrap().reference(), Some("42"));
    assert_eq!(call().await.unwrap().message.as_deref(), Some("OK"));
    let err = call().await.unwrap_err();
    assert!(matches!(&err, PbxError::Sipuni { message } if message == "Error: wrong sipnumber"));
    assert_eq!(err.code(), "sipuni_rejected");
    let err = call().await.unwrap_err();
    assert_eq!(
        err.user_message(),
        "Sipuni отклонил запрос: Произошла ошибка, попробуйте позже"
    );
    let err = call().await.unwrap_err();
    assert!(err.is_sipuni_api_calls_off());
    assert!(
        err.user_message()
            .contains("включите «Услуга совершение звонков по API» в кабинете Sipuni"),
        "{}",
        err.user_message()
    );
}

#[tokio::test]
async fn call_refusals_and_bad_arguments() {
    let mock =
        MockPbx::start(|_| Reply::json(json!({"success": false, "message": "Неверный hash"})))
            .await;
    let sipuni = client(&mock);
    let err = sipuni
        .call_number(&phone(), "201", false, false)
        .await
        .unwrap_err();
    assert!(matches!(&err, PbxError::Sipuni { message } if message == "Неверный hash"));
    assert_eq!(err.code(), "sipuni_rejected");
    assert_eq!(err.user_message(), "Sipuni отклонил запрос: Неверный hash");
    assert!(err.to_string().contains("Sipuni rejected the request"));

    let bad_ext = sipuni
        .call_number(&phone(), "20 1", false, false)
        .await
        .unwrap_err();
    assert!(matches!(bad_ext, PbxError::InvalidArgument(_)));
    let no_tree = sipuni
        .call_tree(&phone(), "201", " ", CallTreeOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(no_tree, PbxError::InvalidArgument(_)));
    assert_eq!(mock.requests().len(), 1);
}

#[tokio::test]
async fn call_http_errors() {
    let mock = MockPbx::start(|_| Reply::raw(401, "text/plain", "Unauthorized")).await;
    let err = client(&mock)
        .call_number(&phone(), "201", false, false)
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        PbxError::Http {
            provider: Provider::Sipuni,
            status: 401,
            ..
        }
    ));
    assert!(err.user_message().contains("Sipuni отказал в доступе"));
}

const EXPORT: &str = "\u{feff}Тип;Статус;Время;Схема;Откуда;Куда;Кто ответил;\
Длительность звонка, сек;Длительность разговора, сек;Время ответа, сек;ID записи;Запись существует\r\n\
Входящий;Отвечен;12.05.2026 10:15:03;Входящая;79260000000;74993720692;205 (Фамилия Имя) 65;157;131;12;1774372584.533596;1\r\n\
Входящий;Не отвечен;12.05.2026 10:20:00;Входящая;79261112233;74993720692;;40;0;;;0\r\n\
Исходящий;Отвечен;12.05.2026 ??;;201;79260000000;;;;;;\r\n";

#[tokio::test]
async fn export_posts_every_parameter_and_parses_the_csv() {
    let mock = MockPbx::start(|_| Reply::raw(200, "text/csv; charset=utf-8", EXPORT)).await;
    let day = NaiveDate::from_ymd_opt(2026, 5, 12).unwrap();
    let export = client(&mock)
        .export_statistics(day, day, &StatisticsFilter::default())
        .await
        .unwrap();
    let request = &mock.requests()[0];
    assert_eq!(request.path, "/sipuni/api/statistic/export");
    // md5("1+0+0+0+12.05.2026++1+1+1+1+1+1++1+0+00:00+23:59+12.05.2026++++0+064629+s3cr3tK3y")
    assert_eq!(
        request.text(),
        "anonymous=1&crmLinks=0&dtmfUserAnswer=0&firstTime=0&from=12.05.2026&fromNumber=\
         &hangupinitor=1&ignoreSpecChar=1&names=1&numbersInvolved=1&numbersRinged=1\
         &outgoingLine=1&rating=&showTreeId=1&state=0&timeFrom=00%3A00&timeTo=23%3A59\
         &to=12.05.2026&toAnswer=&toNumber=&tree=&type=0&user=064629\
         &hash=965592b179e82efd70ca2552539bd236"
    );
    assert_eq!(export.rows.len(), 2);
    let first = &export.rows[0];
    assert_eq!(first.kind, Some(SipuniCallKind::Incoming));
    assert_eq!(
        first.answered_by.as_ref().unwrap().number.as_deref(),
        Some("205")
    );
    assert_eq!(first.record_id.as_deref(), Some("1774372584.533596"));
    assert_eq!(first.record_exists, Some(true));
    assert!(!export.rows[1].was_answered());
    assert_eq!(export.rejected.len(), 1);
    assert_eq!(export.rejected[0].0, 4);
    assert!(export.rejected[0].1.contains("12.05.2026 ??"));
}

#[tokio::test]
async fn export_json_error_and_bad_period() {
    let mock = MockPbx::start(|_| {
        Reply::json(json!({"success": false, "message": "Доступ к API запрещён"}))
    })
    .await;
    let sipuni = client(&mock);
    let day = NaiveDate::from_ymd_opt(2026, 5, 12).unwrap();
    let err = sipuni
        .export_statistics(day, day, &StatisticsFilter::default())
        .await
        .unwrap_err();
    assert!(matches!(&err, PbxError::Sipuni { message } if message == "Доступ к API запрещён"));
    let earlier = NaiveDate::from_ymd_opt(2026, 5, 11).unwrap();
    let err = sipuni
        .export_statistics(day, earlier, &StatisticsFilter::default())
        .await
        .unwrap_err();
    assert!(matches!(err, PbxError::InvalidArgument(_)));
    assert_eq!(mock.requests().len(), 1);
}

#[tokio::test]
async fn export_refused_in_plain_text_is_an_error_not_an_empty_log() {
    let mock = MockPbx::start(|_| {
        Reply::raw(
            200,
            "text/csv; charset=utf-8",
            "\u{feff}Error: hash is wrong\n",
        )
    })
    .await;
    let day = NaiveDate::from_ymd_opt(2026, 5, 12).unwrap();
    let err = client(&mock)
        .export_statistics(day, day, &StatisticsFilter::default())
        .await
        .unwrap_err();
    assert!(matches!(&err, PbxError::Sipuni { message } if message == "Error: hash is wrong"));
}

#[tokio::test]
async fn record_returns_the_audio_bytes() {
    let audio: Vec<u8> = b"ID3\x04\x00\x00\x00\x00\x00\x00\xff\xfb\x90\x00".to_vec();
    let served = audio.clone();
    let mock = MockPbx::start(move |_| Reply::raw(200, "audio/mpeg", served.clone())).await;
    let bytes = client(&mock).record("1774372584.533596").await.unwrap();
    assert_eq!(bytes.as_ref(), audio.as_slice());
    let request = &mock.requests()[0];
    assert_eq!(request.path, "/sipuni/api/statistic/record");
    // md5("1774372584.533596+064629+s3cr3tK3y")
    assert_eq!(
        request.text(),
        "id=1774372584.533596&user=064629&hash=2b17930f93dbbbf2624b25407fdb720e"
    );
}

#[tokio::test]
async fn record_errors() {
    let answers = Arc::new(Mutex::new(vec![
        Reply::json(json!({"success": false, "message": "Запись не найдена"})),
        Reply::raw(404, "text/html", "<h1>404</h1>"),
        Reply::raw(200, "audio/mpeg", Vec::new()),
    ]));
    let mock = MockPbx::start(move |_| answers.lock().unwrap().remove(0)).await;
    let sipuni = client(&mock);
    let err = sipuni.record("42").await.unwrap_err();
    assert!(matches!(&err, PbxError::Sipuni { message } if message == "Запись не найдена"));
    let err = sipuni.record("42").await.unwrap_err();
    assert!(matches!(err, PbxError::Http { status: 404, .. }));
    let err = sipuni.record("42").await.unwrap_err();
    assert_eq!(err.code(), "pbx_bad_response");
    assert!(matches!(
        sipuni.record(" ").await,
        Err(PbxError::InvalidArgument(_))
    ));
    assert_eq!(mock.requests().len(), 3);
}

#[tokio::test]
async fn slow_sipuni_is_a_timeout() {
    let mock =
        MockPbx::start(|_| Reply::json(json!({"success": true})).after(Duration::from_secs(3)))
            .await;
    let sipuni = SipuniClient::new(SipuniConfig {
        api_url: mock.url("/sipuni/api"),
        user: "064629".to_owned(),
        secret: "s3cr3tK3y".to_owned(),
        timeout: Duration::from_millis(200),
    })
    .unwrap();
    let err = sipuni
        .call_number(&phone(), "201", false, false)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            PbxError::Timeout {
                provider: Provider::Sipuni
            }
        ),
        "{err:?}"
    );
}
