//! UIS calls: the exact notifications a relay receives, in order, with their shapes.

use crate::common::{Captured, Sim, UIS_TOKEN, fetch};
use serde_json::{Value, json};

fn kinds(requests: &[Captured]) -> Vec<&str> {
    requests.iter().map(Captured::uis_kind).collect()
}

fn session_of(call_id: &str) -> u64 {
    call_id.strip_prefix("uis:").unwrap().parse().unwrap()
}

#[tokio::test]
async fn answered_incoming_call_in_nested_templates() {
    let sim = Sim::start().await;
    let call_id = sim
        .call(json!({"provider":"uis","from":"+7 926 123-45-67","line":"74951234567","employee":"201","outcome":"answered"}))
        .await;
    let session = session_of(&call_id);
    let got = sim.capture.wait_for(6).await;
    assert_eq!(
        kinds(&got),
        [
            "started",
            "ringing",
            "answered",
            "leg_ended",
            "ended",
            "recording"
        ]
    );
    assert!(
        got.iter()
            .all(|r| r.path.starts_with(&format!("/hooks/uis/{UIS_TOKEN}/")))
    );
    let bodies: Vec<Value> = got.iter().map(Captured::json).collect();

    // «Входящий звонок на виртуальный номер»: contact known by number, no employee yet.
    let started = &bodies[0];
    assert_eq!(started["notification_name"], "Входящий звонок");
    assert_eq!(started["virtual_phone_number"], "74951234567");
    assert_eq!(
        started["contact_info"]["contact_phone_number"],
        "79261234567"
    );
    // The address book's «Фамилия Имя».
    assert_eq!(
        started["contact_info"]["contact_full_name"],
        "Васильева Ольга"
    );
    assert_eq!(started["contact_info"]["contact_id"], 31245);
    assert_eq!(started["call_info"]["call_session_id"], session);
    assert_eq!(started["call_info"]["direction"], "in");
    assert!(started.get("employee_info").is_none());

    // «Ожидание ответа» in Omnidesk's «Исходящее плечо»: the employee and the leg.
    let ringing = &bodies[1];
    assert_eq!(ringing["notification_name"], "Исходящее плечо");
    assert_eq!(ringing["employee_info"]["employee_id"], 2339292);
    assert_eq!(
        ringing["employee_info"]["employee_full_name"],
        "Анна Смирнова"
    );
    let leg = ringing["leg_id"].as_u64().expect("a numeric leg_id");
    assert_eq!(ringing["call_info"]["is_lost"], false);
    assert_eq!(ringing["call_record_file_info"]["file_link"], Value::Null);

    // «Начало разговора» in «Поднятие трубки»: both legs.
    let answered = &bodies[2];
    assert_eq!(answered["notification_name"], "Поднятие трубки");
    let legs = answered["leg_ids"].as_array().unwrap();
    assert_eq!(legs.len(), 2);
    assert!(legs.contains(&json!(leg)));
    assert_eq!(answered["call_info"]["call_session_id"], session);

    // «Окончание разговора» in «Завершение плеча».
    let leg_ended = &bodies[3];
    assert_eq!(leg_ended["notification_name"], "Завершение плеча");
    assert_eq!(leg_ended["call_info"]["is_operator"], true);
    let leg_talk = leg_ended["call_info"]["talk_time_duration"]
        .as_u64()
        .unwrap();
    assert!(leg_talk >= 20, "{leg_talk}");

    // «Завершение звонка»: durations, not lost, the scenario's last operation.
    let ended = &bodies[4];
    assert_eq!(ended["notification_name"], "Завершение звонка");
    let info = &ended["call_info"];
    let (talk, total, wait) = (
        info["talk_time_duration"].as_u64().unwrap(),
        info["total_time_duration"].as_u64().unwrap(),
        info["wait_time_duration"].as_u64().unwrap(),
    );
    assert!(
        talk >= leg_talk && total >= talk + wait - 1 && wait > 0,
        "{talk} {total} {wait}"
    );
    assert_eq!(info["is_lost"], false);
    assert_eq!(
        ended["last_scenario_operation_name"],
        "Переадресация на группу"
    );
    assert_eq!(ended["group_ids"], json!([81001]));
    assert_eq!(ended["employee_info"]["employee_id"], 2339292);

    // «Записанный разговор»: a link to the simulator that serves real MP3.
    let recording = &bodies[5];
    let file = &recording["call_record_file_info"];
    let link = file["file_link"].as_str().unwrap();
    assert!(
        link.starts_with(&format!("{}system/media/talk/{session}/", sim.url)),
        "{link}"
    );
    assert_eq!(file["call_record_duration"], leg_talk);
    assert_eq!(file["record_file_links"], json!([link]));
    let (status, content_type, audio) = fetch(&sim.client, link).await;
    assert_eq!(status, 200);
    assert_eq!(content_type, "audio/mpeg");
    assert!(audio.len() > 1000 && audio[..2] == [0xFF, 0xFB]);

    // Times are UIS-formatted and follow the call's timeline.
    let times: Vec<&str> = bodies
        .iter()
        .map(|b| b["notification_time"].as_str().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
    assert_eq!(times[0].len(), "2026-05-12 10:17:40.215000".len());
    sim.stop().await;
}

#[tokio::test]
async fn missed_call_rings_two_employees_then_lost_in_salebot_shape() {
    let sim = Sim::start().await;
    let call_id = sim
        .call(json!({"provider":"uis","from":"79031234500","employee":"2339292","next_employee":"202","outcome":"missed"}))
        .await;
    let got = sim.capture.wait_for(5).await;
    assert_eq!(
        kinds(&got),
        ["started", "ringing", "ringing", "ended", "ended"]
    );
    let bodies: Vec<Value> = got.iter().map(Captured::json).collect();
    assert_eq!(bodies[1]["employee_info"]["employee_id"], 2339292);
    assert_eq!(bodies[2]["employee_info"]["employee_id"], 2339293);
    assert_ne!(bodies[1]["leg_id"], bodies[2]["leg_id"]);
    assert_eq!(bodies[0]["contact_info"]["contact_full_name"], Value::Null);

    let ended = &bodies[3];
    assert_eq!(ended["notification_name"], "Завершение звонка");
    assert_eq!(ended["call_info"]["is_lost"], true);
    assert_eq!(ended["call_info"]["talk_time_duration"], 0);
    assert_eq!(ended["call_record_file_info"]["file_link"], Value::Null);

    // «Потерянный звонок» (Salebot template): flat with a nested contact.
    let lost = &bodies[4];
    assert_eq!(lost["notification_name"], "Потерянный звонок");
    assert_eq!(lost["employee_ids"], json!([2339292, 2339293]));
    assert_eq!(lost["call_session_id"], session_of(&call_id));
    assert_eq!(lost["contact_info"]["contact_phone_number"], "79031234500");
    assert!(lost["wait_time_duration"].as_u64().unwrap() >= 40);
    assert_eq!(lost["external_id"], Value::Null);
    sim.stop().await;
}

#[tokio::test]
async fn busy_call_in_flat_usedesk_templates() {
    let sim = Sim::start().await;
    let call_id = sim
        .call(json!({"provider":"uis","from":"8 (812) 333-44-55","employee":"203","outcome":"busy","shape":"flat"}))
        .await;
    let got = sim.capture.wait_for(4).await;
    assert_eq!(kinds(&got), ["started", "ringing", "ended", "ended"]);
    let bodies: Vec<Value> = got.iter().map(Captured::json).collect();

    let started = &bodies[0];
    assert_eq!(started["ud_channel_token"], "ud-7c1f9a52e04b4b8d");
    assert_eq!(started["app_id"], 44431);
    assert_eq!(started["call_session_id"], session_of(&call_id));
    assert_eq!(started["calling_phone_number"], "78123334455");
    assert_eq!(started["called_phone_number"], "74951234567");
    assert_eq!(started["contact_full_name"], "ООО «Балтснаб»");
    assert_eq!(started["cpn_region_name"], "Санкт-Петербург");
    assert_eq!(started["communication_type"], "call");
    assert_eq!(started["direction"], "in");
    assert!(started["notification_timestamp"].is_u64());

    let ringing = &bodies[1];
    assert_eq!(ringing["employee_id"], 2339294);
    assert!(ringing["leg_id"].is_u64());

    let ended = &bodies[2];
    assert_eq!(ended["is_lost"], true);
    assert_eq!(ended["finish_reason"], "employee_busy");
    assert_eq!(
        ended["noanswered_employee_full_names"],
        json!(["Мария Козлова"])
    );
    assert_eq!(ended["talked_employee_full_names"], json!([]));
    assert_eq!(ended["record_file_links"], json!([]));
    assert_eq!(ended["last_answered_employee_id"], Value::Null);

    let lost = &bodies[3];
    assert_eq!(lost["notification_name"], "Потерянный звонок");
    assert_eq!(lost["employee_ids"], json!([2339294]));
    sim.stop().await;
}

#[tokio::test]
async fn transfer_to_a_second_employee_in_flat_templates() {
    let sim = Sim::start().await;
    sim.call(json!({"provider":"uis","from":"89161112233","employee":"201","transfer_to":"202","shape":"flat","talk_seconds":70}))
        .await;
    let got = sim.capture.wait_for(10).await;
    assert_eq!(
        kinds(&got),
        [
            "started",
            "ringing",
            "answered",
            "leg_ended",
            "ringing",
            "answered",
            "leg_ended",
            "ended",
            "recording",
            "recording"
        ]
    );
    let bodies: Vec<Value> = got.iter().map(Captured::json).collect();
    let employee = |i: usize| bodies[i]["employee_id"].as_u64().unwrap();
    assert_eq!(
        [1, 2, 3, 4, 5, 6].map(employee),
        [2339292, 2339292, 2339292, 2339293, 2339293, 2339293]
    );
    assert_eq!(bodies[2]["answer_time"].as_str().unwrap().len(), 26);
    assert_eq!(bodies[3]["talk_time_duration"], 70);
    let ended = &bodies[7];
    assert_eq!(ended["is_transfer"], true);
    assert_eq!(ended["is_lost"], false);
    assert_eq!(ended["first_answered_employee_id"], 2339292);
    assert_eq!(ended["last_talked_employee_id"], 2339293);
    assert_eq!(ended["employee_id"], 2339293);
    assert_eq!(
        ended["talked_employee_full_names"],
        json!(["Анна Смирнова", "Игорь Петров"])
    );
    assert_eq!(ended["tag_names"], json!(["Целевой"]));
    let links = ended["record_file_links"].as_array().unwrap();
    assert_eq!(links.len(), 2);
    assert_eq!(bodies[8]["file_link"], links[0]);
    assert_eq!(bodies[9]["file_link"], links[1]);
    assert_eq!(bodies[9]["file_duration"], 70);
    sim.stop().await;
}

#[tokio::test]
async fn outgoing_call_in_nested_templates() {
    let sim = Sim::start().await;
    sim.call(json!({"provider":"uis","direction":"out","to":"+375 29 765-43-21","employee":"202"}))
        .await;
    let got = sim.capture.wait_for(6).await;
    assert_eq!(
        kinds(&got),
        [
            "started",
            "ringing",
            "answered",
            "leg_ended",
            "ended",
            "recording"
        ]
    );
    let bodies: Vec<Value> = got.iter().map(Captured::json).collect();
    let started = &bodies[0];
    assert_eq!(started["notification_name"], "Исходящий звонок");
    assert_eq!(started["call_info"]["direction"], "out");
    assert_eq!(started["call_info"]["call_source"], "sip");
    assert_eq!(started["call_info"]["scenario_name"], Value::Null);
    assert_eq!(started["employee_info"]["employee_id"], 2339293);
    assert_eq!(
        started["contact_info"]["contact_phone_number"],
        "375297654321"
    );
    assert!(bodies.iter().all(|b| b["call_info"]["direction"] == "out"));
    sim.stop().await;
}

#[tokio::test]
async fn query_shape_sends_get_notifications() {
    let sim = Sim::start().await;
    let call_id = sim
        .call(json!({"provider":"uis","from":"9057778899","employee":"201","shape":"query"}))
        .await;
    let got = sim.capture.wait_for(6).await;
    assert_eq!(
        kinds(&got),
        [
            "started",
            "ringing",
            "answered",
            "leg_ended",
            "ended",
            "recording"
        ]
    );
    assert!(got.iter().all(|r| r.method == "GET" && r.body.is_empty()));
    let started = got[0].fields();
    assert_eq!(started["event"], "call_start");
    assert_eq!(started["direction"], "in");
    assert_eq!(started["line_number"], "74951234567");
    assert_eq!(started["client_number"], "79057778899");
    assert_eq!(started["call_hash"], session_of(&call_id).to_string());
    assert_eq!(got[1].fields()["employee_id"], "2339292");
    let ended = got[4].fields();
    assert_eq!(ended["event"], "call_end");
    assert_eq!(ended["extension"], "044431201");
    let links: Vec<String> = serde_json::from_str(&ended["record_links"]).unwrap();
    assert_eq!(links.len(), 1);
    assert_eq!(got[5].fields()["file_link"], links[0]);
    sim.stop().await;
}

#[tokio::test]
async fn hidden_caller_and_cancelled_call() {
    let sim = Sim::start_with(|c| c.uis.lost_call_notification = false).await;
    sim.call(json!({"provider":"uis","from":"anonymous","outcome":"cancelled"}))
        .await;
    let got = sim.capture.wait_for(3).await;
    assert_eq!(kinds(&got), ["started", "ringing", "ended"]);
    let ended = got[2].json();
    assert_eq!(ended["contact_info"]["contact_phone_number"], Value::Null);
    assert_eq!(ended["call_info"]["is_lost"], true);
    sim.stop().await;
}
