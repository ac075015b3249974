//! Calls through a scenario picked by name, and offline requests («заявки») to UIS.

use serde::{Deserialize, Serialize};
use trubka_agent::relay_api::{
    CallRoute, NewRequest, RequestCampaign, RequestSent, RequestSite, RequestTargets,
};
use ts_rs::TS;

/// A UIS scenario or Sipuni scheme the agent may call through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CallRouteDto {
    pub name: String,
    /// `uis` or `sipuni`.
    pub provider: String,
    pub id: String,
}

impl From<&CallRoute> for CallRouteDto {
    fn from(r: &CallRoute) -> CallRouteDto {
        CallRouteDto {
            name: r.name.clone(),
            provider: r.provider.clone(),
            id: r.id.clone(),
        }
    }
}

/// A site an offline request can be filed under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct RequestSiteDto {
    #[ts(type = "number")]
    pub id: u64,
    pub name: String,
}

/// A campaign an offline request can be filed under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct RequestCampaignDto {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    pub site: Option<String>,
    pub active: bool,
}

/// The sites and campaigns of the UIS account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct RequestTargetsDto {
    pub sites: Vec<RequestSiteDto>,
    pub campaigns: Vec<RequestCampaignDto>,
}

impl From<RequestTargets> for RequestTargetsDto {
    fn from(t: RequestTargets) -> RequestTargetsDto {
        let site = |s: RequestSite| RequestSiteDto {
            id: s.id,
            name: s.name,
        };
        let campaign = |c: RequestCampaign| RequestCampaignDto {
            id: c.id,
            name: c.name,
            site: c.site,
            active: c.active,
        };
        RequestTargetsDto {
            sites: t.sites.into_iter().map(site).collect(),
            campaigns: t.campaigns.into_iter().map(campaign).collect(),
        }
    }
}

/// An offline request as the form sends it; `site` and `campaign` are names from the lists.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
pub struct RequestDraftDto {
    pub phone: String,
    pub message: String,
    pub name: Option<String>,
    pub site: Option<String>,
    pub campaign: Option<String>,
}

impl From<RequestDraftDto> for NewRequest {
    fn from(d: RequestDraftDto) -> NewRequest {
        let some =
            |text: Option<String>| text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
        NewRequest {
            phone: d.phone,
            message: d.message,
            name: some(d.name),
            site: some(d.site),
            campaign: some(d.campaign),
        }
    }
}

/// A request UIS accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct RequestSentDto {
    #[ts(type = "number")]
    pub id: u64,
    pub phone: String,
    pub site: Option<String>,
    pub campaign: Option<String>,
}

impl From<RequestSent> for RequestSentDto {
    fn from(s: RequestSent) -> RequestSentDto {
        RequestSentDto {
            id: s.id,
            phone: s.phone,
            site: s.site,
            campaign: s.campaign,
        }
    }
}
