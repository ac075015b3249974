//! Offline requests («офлайн-заявки», Salebot's `uiscom_offline_messages`): the Data API method
//! `upload.offline_messages`, and the lists a request is filed under, `get.sites` and
//! `get.campaigns` (reference A.5.7, A.5.8; comagic.github.io `data_api/communication/
//! upload_offline_messages`).
//!
//! UIS wants each request tied to a site, a campaign, or a visitor session (this client files
//! it under a site or a campaign; campaign `-1`, «Посетители без рекламной кампании», needs a
//! site too), and a phone (E.164) or an email; `date_time` may not be in the future. The
//! method needs the Data API option «Загрузка офлайн-заявок из внешней системы»; every
//! documented refusal has a Russian explanation here ([`refusal`]), in the words of this
//! operation rather than the generic ones of [`PbxError::user_message`].

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::error::UisMnemonic;
use crate::uis::UisClient;
use crate::uis::jsonrpc::{bad, decode};
use crate::{DialNumber, PbxError, Result};

const SITE_FIELDS: &[&str] = &["id", "domain_name", "name"];
const CAMPAIGN_FIELDS: &[&str] = &["id", "name", "status", "site_id", "site_domain_name"];
const DATE_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

/// The campaign UIS lists as «Посетители без рекламной кампании»: it needs a site too.
pub const NO_CAMPAIGN: i64 = -1;

/// A site from `get.sites`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Site {
    pub id: u64,
    pub domain_name: Option<String>,
    pub name: Option<String>,
}

impl Site {
    /// What people call the site: its domain (Salebot's `uiscom_get_sites` keys), else its
    /// name, else its id.
    pub fn label(&self) -> String {
        non_empty(&self.domain_name)
            .or_else(|| non_empty(&self.name))
            .unwrap_or_else(|| self.id.to_string())
    }
}

/// An advertising campaign from `get.campaigns`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Campaign {
    /// `-1` is «Посетители без рекламной кампании».
    pub id: i64,
    pub name: Option<String>,
    /// `active` or `inactive` (UIS refuses requests for an inactive one).
    pub status: Option<String>,
    pub site_id: Option<u64>,
    pub site_domain_name: Option<String>,
}

impl Campaign {
    /// Its name (Salebot's `uiscom_get_campaigns` keys), else its id.
    pub fn label(&self) -> String {
        non_empty(&self.name).unwrap_or_else(|| self.id.to_string())
    }

    /// Whether UIS would refuse a request for it (`campaign_is_inactive`).
    pub fn is_inactive(&self) -> bool {
        self.status.as_deref() == Some("inactive")
    }
}

fn non_empty(text: &Option<String>) -> Option<String> {
    text.as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// One offline request to upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfflineMessage {
    /// The caller's number (E.164 digits).
    pub phone: DialNumber,
    pub message: String,
    /// The caller's name, when known.
    pub name: Option<String>,
    pub site_id: Option<u64>,
    pub campaign_id: Option<i64>,
    /// The request's id in the sender's system (`ext_id`).
    pub ext_id: Option<String>,
    /// When the request was made (now, usually); sent in the account's time zone.
    pub at: DateTime<Utc>,
}

/// What UIS answered for an uploaded request.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct UploadedMessage {
    pub id: u64,
}

impl UisClient {
    /// All sites (`get.sites`), paged.
    pub async fn sites(&self) -> Result<Vec<Site>> {
        self.get_all("get.sites", SITE_FIELDS).await
    }

    /// All campaigns (`get.campaigns`), paged.
    pub async fn campaigns(&self) -> Result<Vec<Campaign>> {
        self.get_all("get.campaigns", CAMPAIGN_FIELDS).await
    }

    /// Uploads one offline request (`upload.offline_messages`); UIS's id for it.
    pub async fn upload_offline_message(
        &self,
        request: &OfflineMessage,
    ) -> Result<UploadedMessage> {
        if request.site_id.is_none() && request.campaign_id.is_none() {
            return Err(PbxError::InvalidArgument(
                "an offline request needs a site or a campaign".to_owned(),
            ));
        }
        if request.campaign_id == Some(NO_CAMPAIGN) && request.site_id.is_none() {
            return Err(PbxError::InvalidArgument(
                "campaign -1 (visitors without a campaign) needs a site".to_owned(),
            ));
        }
        let mut item = Map::new();
        item.insert(
            "date_time".to_owned(),
            json!(self.local(request.at).format(DATE_FORMAT).to_string()),
        );
        item.insert("phone".to_owned(), json!(request.phone.as_str()));
        item.insert("message".to_owned(), json!(request.message));
        if let Some(name) = non_empty(&request.name) {
            item.insert("name".to_owned(), json!(name));
        }
        if let Some(site) = request.site_id {
            item.insert("site_id".to_owned(), json!(site));
        }
        if let Some(campaign) = request.campaign_id {
            item.insert("campaign_id".to_owned(), json!(campaign));
        }
        if let Some(ext_id) = &request.ext_id {
            item.insert("ext_id".to_owned(), json!(ext_id));
        }
        let mut params = Map::new();
        params.insert("offline_messages".to_owned(), json!([item]));
        let success = self.data_api("upload.offline_messages", params).await?;
        let uploaded: Vec<UploadedMessage> = match success.data {
            Value::Array(_) => decode(success.data, "upload.offline_messages data")?,
            other => vec![decode(other, "upload.offline_messages data")?],
        };
        uploaded
            .into_iter()
            .next()
            .ok_or_else(|| bad("upload.offline_messages returned no id".to_owned()))
    }
}

const OPTION_HINT: &str = "подключите её в «Аккаунт → Тарифы и опции» личного кабинета UIS";

/// Why UIS refused an offline request, in Russian an agent can act on (or pass to the admin).
pub fn refusal(error: &PbxError) -> String {
    let PbxError::Uis {
        mnemonic, field, ..
    } = error
    else {
        return error.user_message();
    };
    let field = field.as_deref().unwrap_or_default();
    match mnemonic {
        UisMnemonic::ComponentDisabled | UisMnemonic::MethodComponentDisabled => format!(
            "Заявки не отправляются: в UIS не подключена опция «Загрузка офлайн-заявок из \
             внешней системы» (в списке компонентов Data API — «Загрузка оффлайн-сообщений из \
             внешней системы») или сам Data API; {OPTION_HINT}. Обратитесь к администратору."
        ),
        UisMnemonic::ParameterComponentDisabled => format!(
            "UIS не принимает заявку с этим полем{}: для него нужна опция, которая не \
             подключена; {OPTION_HINT} или выберите другой сайт или кампанию",
            quoted(field)
        ),
        UisMnemonic::CampaignIsInactive => "Рекламная кампания не активна в UIS: выберите другую \
             кампанию или только сайт"
            .to_owned(),
        UisMnemonic::EntityNotFound => "Сайт или рекламная кампания не найдены в UIS (возможно, \
             удалены): обновите список и выберите снова"
            .to_owned(),
        UisMnemonic::InvalidParametersCombination => "Сайт и рекламная кампания не подходят друг \
             другу: выберите кампанию этого сайта или только сайт"
            .to_owned(),
        UisMnemonic::RequiredParameterMissed if field.contains("phone") => {
            "UIS требует номер телефона клиента: укажите его".to_owned()
        }
        UisMnemonic::RequiredParameterMissed => {
            "UIS требует сайт или рекламную кампанию заявки: выберите один из списка".to_owned()
        }
        UisMnemonic::InvalidParameterValue | UisMnemonic::DataTypeError
            if field.contains("phone") =>
        {
            "UIS не принял номер телефона клиента: проверьте его".to_owned()
        }
        UisMnemonic::InvalidParameterValue | UisMnemonic::DataTypeError
            if field.contains("site") || field.contains("campaign") =>
        {
            "UIS не принял сайт или рекламную кампанию: обновите список и выберите снова".to_owned()
        }
        UisMnemonic::InvalidDateTime => "UIS не принял время заявки: проверьте часы сервера \
             релея и часовой пояс аккаунта ([uis] utc_offset). Обратитесь к администратору."
            .to_owned(),
        UisMnemonic::TariffRestrictions => "Тариф UIS не позволяет загружать заявки: \
             администратор меняет тариф в личном кабинете UIS или через поддержку UIS"
            .to_owned(),
        UisMnemonic::DataLimitExceeded => "В UIS достигнут предел количества заявок: \
             обратитесь к администратору или в поддержку UIS"
            .to_owned(),
        UisMnemonic::DuplicateEntity | UisMnemonic::AlreadyInUse => {
            "Эта заявка уже загружена в UIS".to_owned()
        }
        _ => error.user_message(),
    }
}

fn quoted(field: &str) -> String {
    if field.is_empty() {
        String::new()
    } else {
        format!(" «{field}»")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uis(mnemonic: &str, field: Option<&str>) -> PbxError {
        PbxError::Uis {
            code: -32602,
            mnemonic: UisMnemonic::parse(mnemonic),
            message: "m".to_owned(),
            field: field.map(str::to_owned),
        }
    }

    #[test]
    fn labels_follow_what_salebot_shows() {
        let site = Site {
            id: 80913,
            domain_name: Some("test.ru".to_owned()),
            name: Some("Тест".to_owned()),
        };
        assert_eq!(site.label(), "test.ru");
        let bare = Site {
            id: 7,
            domain_name: Some(" ".to_owned()),
            name: None,
        };
        assert_eq!(bare.label(), "7");
        let campaign: Campaign = serde_json::from_value(json!({
            "id": -1, "name": "Посетители без рекламной кампании", "status": "active",
            "site_id": null, "site_domain_name": null
        }))
        .unwrap();
        assert_eq!(campaign.id, NO_CAMPAIGN);
        assert_eq!(campaign.label(), "Посетители без рекламной кампании");
        assert!(!campaign.is_inactive());
    }

    #[test]
    fn every_documented_refusal_has_words_of_its_own() {
        let component = refusal(&uis("method_component_disabled", None));
        assert!(component.contains("Загрузка офлайн-заявок из внешней системы"));
        assert!(refusal(&uis("campaign_is_inactive", None)).contains("не активна"));
        assert!(refusal(&uis("entity_not_found", None)).contains("не найдены"));
        assert!(refusal(&uis("invalid_parameter_value", Some("phone"))).contains("номер"));
        assert!(refusal(&uis("invalid_date_time", None)).contains("часы"));
        assert!(refusal(&uis("tariff_restrictions", None)).contains("Тариф"));
        assert!(refusal(&uis("invalid_parameters_combination", None)).contains("друг"));
        // Everything else keeps the generic explanation.
        let ip = uis("ip_not_whitelisted", None);
        assert_eq!(refusal(&ip), ip.user_message());
    }
}
