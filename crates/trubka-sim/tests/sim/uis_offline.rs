//! UIS offline requests driven by trubka-pbx's real `UisClient`: the sites and campaigns lists,
//! `upload.offline_messages` with the documented request shape, and each documented refusal
//! (with the Russian words `trubka_pbx::uis::offline::refusal` gives it).

use crate::common::Sim;
use chrono::{Duration, Utc};
use serde_json::json;
use trubka_pbx::uis::offline::refusal;
use trubka_pbx::uis::{OfflineMessage, UisClient};
use trubka_pbx::{DialNumber, PbxError};
use trubka_sim::options::UisComponent;

fn request(site: Option<u64>, campaign: Option<i64>) -> OfflineMessage {
    OfflineMessage {
        phone: DialNumber::parse("79261234567").unwrap(),
        message: "Перезвонить по поводу доставки".to_owned(),
        name: Some("Иван Петров".to_owned()),
        site_id: site,
        campaign_id: campaign,
        ext_id: Some("trubka:1:abc".to_owned()),
        at: Utc::now() - Duration::seconds(1),
    }
}

async fn mnemonic(uis: &UisClient, message: &OfflineMessage) -> (String, String) {
    match uis.upload_offline_message(message).await {
        Err(error @ PbxError::Uis { .. }) => (error.code().to_owned(), refusal(&error)),
        other => panic!("expected a UIS refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn sites_and_campaigns_are_listed_and_a_request_is_uploaded() {
    let sim = Sim::start().await;
    let uis = sim.uis();
    let sites = uis.sites().await.unwrap();
    let labels: Vec<String> = sites.iter().map(|s| s.label()).collect();
    assert_eq!(labels, ["trubka-demo.ru", "shop.trubka-demo.ru"]);
    let campaigns = uis.campaigns().await.unwrap();
    assert_eq!(campaigns[0].id, -1);
    assert_eq!(campaigns[0].label(), "Посетители без рекламной кампании");
    assert!(campaigns.iter().any(|c| c.is_inactive()));

    let uploaded = uis
        .upload_offline_message(&request(Some(80913), None))
        .await
        .unwrap();
    assert!(uploaded.id > 0);
    let logged = sim.requests_for("upload.offline_messages").await;
    assert_eq!(logged.len(), 1);
    assert_eq!(logged[0]["outcome"], "ok");
    let item = &logged[0]["params"]["params"]["offline_messages"][0];
    assert_eq!(item["phone"], "79261234567");
    assert_eq!(item["site_id"], 80913);
    assert_eq!(item["message"], "Перезвонить по поводу доставки");
    assert_eq!(item["name"], "Иван Петров");
    assert_eq!(item["ext_id"], "trubka:1:abc");
    assert!(item["campaign_id"].is_null());
    // Account-local time without a zone, as every Data API date.
    let when = item["date_time"].as_str().unwrap();
    assert_eq!(when.len(), 19, "{when}");

    // A campaign with its own site, and UIS's «no campaign» with a site, are accepted too.
    uis.upload_offline_message(&request(Some(80914), Some(401746)))
        .await
        .unwrap();
    uis.upload_offline_message(&request(Some(80913), Some(-1)))
        .await
        .unwrap();
    sim.stop().await;
}

#[tokio::test]
async fn every_documented_refusal_comes_back_with_its_mnemonic() {
    let sim = Sim::start().await;
    let uis = sim.uis();
    let (code, words) = mnemonic(&uis, &request(None, Some(401747))).await;
    assert_eq!(code, "campaign_is_inactive");
    assert!(words.contains("не активна"), "{words}");
    let (code, _) = mnemonic(&uis, &request(Some(1), None)).await;
    assert_eq!(code, "entity_not_found");
    let (code, _) = mnemonic(&uis, &request(None, Some(999))).await;
    assert_eq!(code, "entity_not_found");
    let (code, words) = mnemonic(&uis, &request(Some(80913), Some(401746))).await;
    assert_eq!(code, "invalid_parameters_combination");
    assert!(words.contains("друг"), "{words}");
    let mut future = request(Some(80913), None);
    future.at = Utc::now() + Duration::hours(2);
    let (code, _) = mnemonic(&uis, &future).await;
    assert_eq!(code, "invalid_date_time");
    let mut short = request(Some(80913), None);
    short.phone = DialNumber::parse("201").unwrap();
    let (code, words) = mnemonic(&uis, &short).await;
    assert_eq!(code, "invalid_parameter_value");
    assert!(words.contains("номер"), "{words}");

    // The client refuses what UIS would, before sending.
    assert!(matches!(
        uis.upload_offline_message(&request(None, None)).await,
        Err(PbxError::InvalidArgument(_))
    ));
    assert!(matches!(
        uis.upload_offline_message(&request(None, Some(-1))).await,
        Err(PbxError::InvalidArgument(_))
    ));

    // A raw request without a site, campaign or session is refused by the sim itself.
    let answer = sim
        .rpc(
            "/uis/dataapi/v2.0",
            &json!({"jsonrpc": "2.0", "id": 1, "method": "upload.offline_messages",
                    "params": {"access_token": crate::common::UIS_KEY,
                               "offline_messages": [{"phone": "79261234567"}]}})
            .to_string(),
        )
        .await;
    assert_eq!(
        answer["error"]["data"]["mnemonic"],
        "required_parameter_missed"
    );
    sim.stop().await;
}

#[tokio::test]
async fn without_the_option_uis_says_which_one_is_missing() {
    let sim = Sim::start_with(|config| {
        config.uis.disabled_components = vec![UisComponent::UploadOfflineMessages];
    })
    .await;
    let uis = sim.uis();
    let (code, words) = mnemonic(&uis, &request(Some(80913), None)).await;
    assert_eq!(code, "method_component_disabled");
    assert!(
        words.contains("Загрузка офлайн-заявок из внешней системы"),
        "{words}"
    );
    // The lists still work: they need only the Data API.
    assert_eq!(uis.sites().await.unwrap().len(), 2);
    sim.stop().await;
}
