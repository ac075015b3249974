//! UIS Data API against a local test double: report paging, window splitting, directories,
//! the account, and the limits policy.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::support::{MockPbx, Recorded, Reply, UIS_KEY, uis_client, uis_config, uis_result};
use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use serde_json::{Value, json};
use trubka_pbx::uis::{CallDirection, CallSessionId, ReportPage, Sleeper};
use trubka_pbx::{LimitScope, PbxError, UisClient, UisConfig};

/// Moscow local time as UTC.
fn msk(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
    FixedOffset::east_opt(3 * 3600)
        .unwrap()
        .with_ymd_and_hms(y, mo, d, h, mi, s)
        .unwrap()
        .to_utc()
}

fn report_fields() -> Value {
    json!([
        "id",
        "start_time",
        "finish_time",
        "finish_reason",
        "direction",
        "source",
        "is_lost",
        "contact_phone_number",
        "virtual_phone_number",
        "communication_id",
        "wait_duration",
        "talk_duration",
        "clean_talk_duration",
        "total_duration",
        "is_transfer",
        "call_records",
        "employees",
        "last_answered_employee_id",
        "last_answered_employee_full_name",
        "call_api_external_id",
        "scenario_name"
    ])
}

#[tokio::test]
async fn calls_report_page_request_and_row() {
    let mock = MockPbx::start(|req| {
        uis_result(
            req,
            json!([{
                "id": 1197843161, "start_time": "2026-05-12 10:15:03",
                "finish_time": "2026-05-12 10:17:40", "direction": "out", "is_lost": false,
                "contact_phone_number": "79260000000", "virtual_phone_number": "74993720692",
                "communication_id": 1197843161, "talk_duration": 131, "clean_talk_duration": 120, "total_duration": 157,
                "is_transfer": false,
                "call_records": ["13f79da9cdad2dfaee5ef282712164a4"],
                "employees": [{"employee_id": 25, "employee_full_name": "Иванов Иван",
                               "is_answered": true, "is_talked": true}],
                "last_answered_employee_id": 25, "call_api_external_id": "crm-task-1842",
                "finish_reason": "subscriber_disconnects", "source": "callapi",
                "wait_duration": null, "scenario_name": null
            }]),
            Some(json!({"total_items": 1, "limits": {"day_remaining": 9990, "minute_remaining": 58}})),
        )
    })
    .await;
    let uis = uis_client(&mock);
    let page = uis
        .calls_report(
            msk(2026, 5, 12, 0, 0, 0),
            msk(2026, 5, 12, 23, 59, 59),
            ReportPage::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        mock.requests()[0].json(),
        json!({
            "jsonrpc": "2.0", "id": 1, "method": "get.calls_report",
            "params": {
                "access_token": UIS_KEY,
                "date_from": "2026-05-12 00:00:00",
                "date_till": "2026-05-12 23:59:59",
                "limit": 1000, "offset": 0,
                "include_ongoing_calls": false,
                "fields": report_fields(),
                "sort": [{"field": "start_time", "order": "asc"}]
            }
        })
    );
    assert_eq!(mock.requests()[0].path, "/uis/dataapi/v2.0");
    assert_eq!(page.total_items, 1);
    let row = &page.rows[0];
    assert_eq!(row.id, 1197843161);
    assert_eq!(
        row.start_time.unwrap().to_rfc3339(),
        "2026-05-12T10:15:03+03:00"
    );
    assert_eq!(
        row.finish_time.unwrap().to_utc(),
        msk(2026, 5, 12, 10, 17, 40)
    );
    assert_eq!(row.direction, Some(CallDirection::Out));
    assert_eq!(row.is_lost, Some(false));
    assert_eq!(row.talk_duration, Some(131));
    assert_eq!(row.clean_talk_duration, Some(120));
    assert_eq!(row.is_transfer, Some(false));
    assert_eq!(row.wait_duration, None);
    assert_eq!(
        row.employees[0].employee_full_name.as_deref(),
        Some("Иванов Иван")
    );
    assert_eq!(row.call_api_external_id.as_deref(), Some("crm-task-1842"));
    assert_eq!(
        uis.record_urls(row),
        vec![
            "https://app.uiscom.ru/system/media/talk/1197843161/13f79da9cdad2dfaee5ef282712164a4/"
        ]
    );
    let limits = uis.limits().unwrap();
    assert_eq!(limits.minute_remaining, Some(58));
    assert_eq!(limits.day_remaining, Some(9990));
    assert_eq!(limits.minute_reset, None);
}

#[tokio::test]
async fn calls_report_refuses_bad_pages_and_long_periods_without_asking() {
    let mock = MockPbx::start(|req| uis_result(req, json!([]), None)).await;
    let uis = uis_client(&mock);
    let (from, till) = (msk(2026, 1, 1, 0, 0, 0), msk(2026, 5, 1, 0, 0, 0));
    let err = uis
        .calls_report(from, till, ReportPage::default())
        .await
        .unwrap_err();
    assert!(matches!(err, PbxError::InvalidArgument(_)));
    let too_big = ReportPage {
        limit: 10_001,
        offset: 0,
    };
    let err = uis
        .calls_report(from, msk(2026, 1, 2, 0, 0, 0), too_big)
        .await
        .unwrap_err();
    assert!(matches!(err, PbxError::InvalidArgument(_)));
    let too_far = ReportPage {
        limit: 10,
        offset: 100_001,
    };
    assert!(uis.calls_report(from, from, too_far).await.is_err());
    assert!(
        uis.calls_report(till, from, ReportPage::default())
            .await
            .is_err()
    );
    assert!(uis.calls_report_all(till, from).await.is_err());
    assert!(mock.requests().is_empty());
}

/// Rows `offset..min(offset + limit, total)` of a report of `total` calls.
fn report_rows(req: &Recorded, total: u64) -> Reply {
    let params = req.params();
    let offset = params["offset"].as_u64().unwrap();
    let limit = params["limit"].as_u64().unwrap();
    let rows: Vec<Value> = (offset..total.min(offset + limit))
        .map(|i| json!({"id": 1_000_000 + i, "start_time": "2026-05-12 10:00:00"}))
        .collect();
    uis_result(req, json!(rows), Some(json!({"total_items": total})))
}

#[tokio::test]
async fn calls_report_all_pages_by_offset_until_total_items() {
    let mock = MockPbx::start(|req| report_rows(req, 2500)).await;
    let uis = uis_client(&mock);
    let rows = uis
        .calls_report_all(msk(2026, 5, 12, 0, 0, 0), msk(2026, 5, 12, 23, 59, 59))
        .await
        .unwrap();
    assert_eq!(rows.len(), 2500);
    assert_eq!(rows[0].id, 1_000_000);
    assert_eq!(rows[2499].id, 1_002_499);
    let requests = mock.requests();
    let offsets: Vec<u64> = requests
        .iter()
        .map(|r| r.params()["offset"].as_u64().unwrap())
        .collect();
    assert_eq!(offsets, vec![0, 1000, 2000]);
    for request in &requests {
        let params = request.params();
        assert_eq!(params["limit"], json!(1000));
        assert_eq!(params["date_from"], json!("2026-05-12 00:00:00"));
        assert_eq!(params["date_till"], json!("2026-05-12 23:59:59"));
    }
}

#[tokio::test]
async fn calls_report_all_uses_the_configured_page_limit_and_drops_repeats() {
    // The server repeats the last row of each page at the start of the next one, as happens
    // when calls arrive while paging.
    let mock = MockPbx::start(|req| {
        let offset = req.params()["offset"].as_u64().unwrap();
        let start = offset.saturating_sub(1);
        let rows: Vec<Value> = (start..(offset + 2).min(5))
            .map(|i| json!({"id": i}))
            .collect();
        uis_result(req, json!(rows), Some(json!({"total_items": 5})))
    })
    .await;
    let uis = UisClient::new(UisConfig {
        page_limit: 2,
        ..uis_config(&mock)
    })
    .unwrap();
    let rows = uis
        .calls_report_all(msk(2026, 5, 12, 0, 0, 0), msk(2026, 5, 12, 1, 0, 0))
        .await
        .unwrap();
    let ids: Vec<u64> = rows.iter().map(|r| r.id).collect();
    assert_eq!(ids, vec![0, 1, 2, 3, 4]);
    assert_eq!(mock.requests().len(), 3);
}

#[tokio::test]
async fn calls_report_all_splits_periods_longer_than_three_months() {
    let mock = MockPbx::start(|req| {
        let from = req.params()["date_from"].as_str().unwrap().to_owned();
        let id = from[..10].replace('-', "").parse::<u64>().unwrap();
        uis_result(
            req,
            json!([{"id": id, "start_time": from}]),
            Some(json!({"total_items": 1})),
        )
    })
    .await;
    let uis = uis_client(&mock);
    let rows = uis
        .calls_report_all(msk(2026, 1, 1, 0, 0, 0), msk(2026, 7, 15, 12, 0, 0))
        .await
        .unwrap();
    let windows: Vec<(String, String)> = mock
        .requests()
        .iter()
        .map(|r| {
            let p = r.params();
            (
                p["date_from"].as_str().unwrap().to_owned(),
                p["date_till"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected = [
        ("2026-01-01 00:00:00", "2026-03-31 23:59:59"),
        ("2026-04-01 00:00:00", "2026-06-29 23:59:59"),
        ("2026-06-30 00:00:00", "2026-07-15 12:00:00"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(windows, expected);
    assert_eq!(rows.len(), 3);
}

#[tokio::test]
async fn calls_report_all_halves_a_window_offset_cannot_cover() {
    // The whole day holds more calls than offset 100 000 can reach; each half holds 3.
    let mock = MockPbx::start(|req| {
        let p = req.params();
        let whole_day = p["date_from"] == json!("2026-05-12 00:00:00")
            && p["date_till"] == json!("2026-05-12 23:59:59");
        if whole_day {
            uis_result(
                req,
                json!([{"id": 1}]),
                Some(json!({"total_items": 250_000})),
            )
        } else {
            let base = if p["date_from"] == json!("2026-05-12 00:00:00") {
                10
            } else {
                20
            };
            let rows: Vec<Value> = (base..base + 3).map(|i| json!({"id": i})).collect();
            uis_result(req, json!(rows), Some(json!({"total_items": 3})))
        }
    })
    .await;
    let uis = uis_client(&mock);
    let rows = uis
        .calls_report_all(msk(2026, 5, 12, 0, 0, 0), msk(2026, 5, 12, 23, 59, 59))
        .await
        .unwrap();
    let ids: Vec<u64> = rows.iter().map(|r| r.id).collect();
    assert_eq!(ids, vec![10, 11, 12, 20, 21, 22]);
    let windows: Vec<(Value, Value)> = mock
        .requests()
        .iter()
        .map(|r| {
            (
                r.params()["date_from"].clone(),
                r.params()["date_till"].clone(),
            )
        })
        .collect();
    assert_eq!(
        windows,
        vec![
            (json!("2026-05-12 00:00:00"), json!("2026-05-12 23:59:59")),
            (json!("2026-05-12 00:00:00"), json!("2026-05-12 11:59:59")),
            (json!("2026-05-12 12:00:00"), json!("2026-05-12 23:59:59")),
        ]
    );
}

#[tokio::test]
async fn directories_are_paged_and_read() {
    let mock = MockPbx::start(|req| {
        let json = req.json();
        let offset = json["params"]["offset"].as_u64().unwrap_or(0);
        match json["method"].as_str().unwrap() {
            "get.employees" => {
                let all = [
                    json!({"id": 25, "full_name": "Иванов Иван", "login": "ivanov", "status_id": 1,
                           "phone_numbers": [{"phone_id": 7, "phone_number": "79260000001",
                                              "channels_count": 1, "dial_time": 20, "status": "active"}],
                           "extension": {"extension_phone_number": "201"}}),
                    json!({"id": 26, "full_name": "Петрова Анна", "login": null, "status_id": null,
                           "phone_numbers": null, "extension": null}),
                    json!({"id": 27, "full_name": "Сидоров Пётр"}),
                ];
                let page: Vec<Value> = all.iter().skip(offset as usize).take(2).cloned().collect();
                uis_result(req, json!(page), Some(json!({"total_items": 3})))
            }
            "get.virtual_numbers" => uis_result(
                req,
                json!([{"id": 3, "virtual_phone_number": "74993720692", "name": "Основной",
                        "status": "active",
                        "scenarios": [{"scenario_id": 23456, "scenario_name": "Входящие",
                                       "call_processing_rule_id": 1, "is_active": true}]}]),
                Some(json!({"total_items": 1})),
            ),
            "get.scenarios" => uis_result(
                req,
                json!([{"id": 23456, "name": "Входящие"}, {"id": 23457, "name": "Исходящие"}]),
                Some(json!({"total_items": 2})),
            ),
            other => panic!("unexpected method {other}"),
        }
    })
    .await;
    let uis = UisClient::new(UisConfig {
        page_limit: 2,
        ..uis_config(&mock)
    })
    .unwrap();

    let employees = uis.employees().await.unwrap();
    assert_eq!(employees.len(), 3);
    assert_eq!(employees[0].phone_numbers[0].phone_number, "79260000001");
    assert_eq!(
        employees[0]
            .extension
            .as_ref()
            .unwrap()
            .extension_phone_number
            .as_deref(),
        Some("201")
    );
    assert!(employees[1].phone_numbers.is_empty());
    let requests = mock.requests();
    assert_eq!(
        requests[0].json(),
        json!({
            "jsonrpc": "2.0", "id": 1, "method": "get.employees",
            "params": {"access_token": UIS_KEY, "limit": 2, "offset": 0,
                       "fields": ["id", "full_name", "login", "status_id", "phone_numbers", "extension"]}
        })
    );
    assert_eq!(requests[1].params()["offset"], json!(2));
    assert_eq!(requests.len(), 2);

    let numbers = uis.virtual_numbers().await.unwrap();
    assert_eq!(numbers[0].virtual_phone_number, "74993720692");
    assert_eq!(numbers[0].scenarios[0].scenario_id, 23456);
    assert_eq!(
        mock.requests()[2].json(),
        json!({
            "jsonrpc": "2.0", "id": 3, "method": "get.virtual_numbers",
            "params": {"access_token": UIS_KEY, "limit": 2, "offset": 0,
                       "fields": ["id", "virtual_phone_number", "name", "status", "scenarios"]}
        })
    );

    let scenarios = uis.scenarios().await.unwrap();
    assert_eq!(scenarios.len(), 2);
    assert_eq!(scenarios[1].name.as_deref(), Some("Исходящие"));
    assert_eq!(
        mock.requests()[3].json(),
        json!({
            "jsonrpc": "2.0", "id": 4, "method": "get.scenarios",
            "params": {"access_token": UIS_KEY, "limit": 2, "offset": 0, "fields": ["id", "name"]}
        })
    );
}

#[tokio::test]
async fn account_is_read_from_an_array_or_an_object_with_meta_data() {
    let answers = Arc::new(Mutex::new(vec![
        json!({"data": [{"app_id": 4321, "name": "Рога и копыта", "timezone": "Europe/Moscow"}],
               "metadata": {"limits": {"minute_remaining": 30}}}),
        json!({"data": {"app_id": 4321, "name": null, "timezone": "Asia/Yekaterinburg"},
               "meta_data": {"limits": {"minute_remaining": 29}}}),
        json!({"data": []}),
    ]));
    let mock = MockPbx::start(move |req| {
        let result = answers.lock().unwrap().remove(0);
        Reply::json(json!({"jsonrpc": "2.0", "id": req.json()["id"], "result": result}))
    })
    .await;
    let uis = uis_client(&mock);
    let account = uis.account().await.unwrap();
    assert_eq!(account.app_id, 4321);
    assert_eq!(account.timezone.as_deref(), Some("Europe/Moscow"));
    assert_eq!(
        mock.requests()[0].json(),
        json!({"jsonrpc": "2.0", "id": 1, "method": "get.account", "params": {"access_token": UIS_KEY}})
    );
    assert_eq!(uis.limits().unwrap().minute_remaining, Some(30));
    let account = uis.account().await.unwrap();
    assert_eq!(account.timezone.as_deref(), Some("Asia/Yekaterinburg"));
    assert_eq!(uis.limits().unwrap().minute_remaining, Some(29));
    assert_eq!(uis.account().await.unwrap_err().code(), "pbx_bad_response");
}

#[derive(Default)]
struct RecordingSleeper {
    slept: Mutex<Vec<Duration>>,
}

impl Sleeper for RecordingSleeper {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        self.slept.lock().unwrap().push(duration);
        Box::pin(async {})
    }
}

#[tokio::test]
async fn spent_minute_budget_waits_minute_reset_before_the_next_call() {
    let answers = Arc::new(Mutex::new(vec![
        json!({"minute_limit": 60, "minute_remaining": 0, "minute_reset": 42,
               "day_limit": 10000, "day_remaining": 9950, "day_reset": 43200}),
        json!({"minute_remaining": 59, "minute_reset": 60}),
        json!({"minute_remaining": 58, "minute_reset": 59}),
    ]));
    let mock = MockPbx::start(move |req| {
        let limits = answers.lock().unwrap().remove(0);
        uis_result(
            req,
            json!({"success": "true"}),
            Some(json!({"limits": limits})),
        )
    })
    .await;
    let sleeper = Arc::new(RecordingSleeper::default());
    let uis = uis_client(&mock).with_sleeper(sleeper.clone());
    uis.release_call(CallSessionId(1)).await.unwrap();
    assert!(sleeper.slept.lock().unwrap().is_empty());
    assert_eq!(uis.limits().unwrap().minute_reset, Some(42));
    uis.release_call(CallSessionId(1)).await.unwrap();
    uis.release_call(CallSessionId(1)).await.unwrap();
    let slept = sleeper.slept.lock().unwrap().clone();
    assert_eq!(slept.len(), 1, "only the call after the spent budget waits");
    assert!(slept[0] <= Duration::from_secs(42));
    assert!(slept[0] > Duration::from_secs(40));
    assert_eq!(mock.requests().len(), 3);
}

#[tokio::test]
async fn spent_day_budget_and_long_minute_resets_fail_without_a_request() {
    let mock = MockPbx::start(|req| {
        uis_result(
            req,
            json!({"success": true}),
            Some(json!({"limits": {"day_remaining": 0, "day_reset": 7200, "minute_remaining": 5}})),
        )
    })
    .await;
    let uis = uis_client(&mock);
    uis.release_call(CallSessionId(1)).await.unwrap();
    let err = uis.release_call(CallSessionId(1)).await.unwrap_err();
    match &err {
        PbxError::LimitExhausted { scope, reset_after } => {
            assert_eq!(*scope, LimitScope::Day);
            assert!(*reset_after > Duration::from_secs(7100));
        }
        other => panic!("expected LimitExhausted, got {other:?}"),
    }
    assert_eq!(err.code(), "limit_exceeded");
    assert!(err.user_message().contains("дневной лимит"));
    assert_eq!(mock.requests().len(), 1);

    let mock = MockPbx::start(|req| {
        uis_result(
            req,
            json!({"success": true}),
            Some(json!({"limits": {"minute_remaining": 0, "minute_reset": 50}})),
        )
    })
    .await;
    let sleeper = Arc::new(RecordingSleeper::default());
    let uis = UisClient::new(UisConfig {
        max_limit_wait: Duration::from_secs(10),
        ..uis_config(&mock)
    })
    .unwrap()
    .with_sleeper(sleeper.clone());
    uis.release_call(CallSessionId(1)).await.unwrap();
    let err = uis.release_call(CallSessionId(1)).await.unwrap_err();
    assert!(matches!(
        err,
        PbxError::LimitExhausted {
            scope: LimitScope::Minute,
            ..
        }
    ));
    assert!(sleeper.slept.lock().unwrap().is_empty());
    assert_eq!(mock.requests().len(), 1);
}

#[tokio::test]
async fn paging_without_total_items_goes_on_while_pages_are_full() {
    let mock = MockPbx::start(|req| {
        let offset = req.params()["offset"].as_u64().unwrap();
        let rows: Vec<Value> = (offset..(offset + 2).min(5))
            .map(|i| json!({"id": i}))
            .collect();
        uis_result(req, json!(rows), None)
    })
    .await;
    let uis = UisClient::new(UisConfig {
        page_limit: 2,
        ..uis_config(&mock)
    })
    .unwrap();
    let (from, till) = (msk(2026, 5, 12, 0, 0, 0), msk(2026, 5, 12, 1, 0, 0));
    let rows = uis.calls_report_all(from, till).await.unwrap();
    assert_eq!(rows.len(), 5);
    let offsets: Vec<u64> = mock
        .requests()
        .iter()
        .map(|r| r.params()["offset"].as_u64().unwrap())
        .collect();
    assert_eq!(offsets, vec![0, 2, 4]);

    let page = uis
        .calls_report(
            from,
            till,
            ReportPage {
                limit: 2,
                offset: 4,
            },
        )
        .await
        .unwrap();
    assert_eq!(page.rows.len(), 1);
    assert_eq!(page.total_items, 5);
}
