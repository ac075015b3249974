//! What an agent picks by name instead of by id: the UIS scenarios and Sipuni routing schemes
//! («схемы», trees) a call can go through, and the sites and campaigns an offline request is
//! filed under.
//!
//! - UIS scenarios come from the Data API (`get.scenarios`), sites and campaigns from
//!   `get.sites` / `get.campaigns`; each list is kept for [`CACHE_FOR`], so opening the dial
//!   menu does not spend UIS points every time, and an admin's new scenario shows up within
//!   a minute.
//! - Sipuni documents no API that lists schemes (reference B.2.3 names `/api/schema/list`
//!   only from third-party clients, unconfirmed), so the admin names them in the relay
//!   configuration: `[sipuni] trees = { "Продажи" = "000-913901" }`.
//!
//! Names match trimmed and without regard to case; a name nobody knows is refused with the
//! list of the names that exist, so the agent can correct it.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Mutex;
use trubka_core::Provider;
use trubka_pbx::PbxError;
use trubka_pbx::uis::{Campaign, Scenario, Site};

use crate::pbx::UisApi;

/// How long a list fetched from UIS is reused.
pub const CACHE_FOR: Duration = Duration::from_secs(60);

/// A scenario or scheme an agent may call through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRoute {
    /// What the agent picks: the scenario's or the scheme's name.
    pub name: String,
    pub provider: Provider,
    /// The UIS scenario id, or the Sipuni scheme number (`000-913901`).
    pub id: String,
}

/// Why a name could not be turned into an id.
#[derive(Debug, thiserror::Error)]
pub enum ChoiceError {
    /// No such name; `known` lists the names there are (maybe none).
    #[error("unknown name «{name}»")]
    Unknown { name: String, known: Vec<String> },
    /// The same name is a UIS scenario and a Sipuni scheme, and the request did not say which.
    #[error("«{0}» is both a UIS scenario and a Sipuni scheme")]
    Ambiguous(String),
    /// The list could not be fetched.
    #[error(transparent)]
    Pbx(#[from] PbxError),
}

/// One list fetched from the PBX, reused while fresh.
struct Cached<T> {
    slot: Mutex<Option<(Instant, Arc<Vec<T>>)>>,
}

impl<T> Cached<T> {
    fn new() -> Cached<T> {
        Cached {
            slot: Mutex::new(None),
        }
    }

    /// The cached list, or a fresh one. The lock is held while fetching, so a burst of
    /// agents opening the menu at once costs one request.
    async fn get<F>(&self, fetch: F) -> Result<Arc<Vec<T>>, PbxError>
    where
        F: Future<Output = Result<Vec<T>, PbxError>>,
    {
        let mut slot = self.slot.lock().await;
        if let Some((at, list)) = slot.as_ref()
            && at.elapsed() < CACHE_FOR
        {
            return Ok(Arc::clone(list));
        }
        let list = Arc::new(fetch.await?);
        *slot = Some((Instant::now(), Arc::clone(&list)));
        Ok(list)
    }
}

/// The lists and the configured schemes.
pub struct Choices {
    trees: BTreeMap<String, String>,
    scenarios: Cached<Scenario>,
    sites: Cached<Site>,
    campaigns: Cached<Campaign>,
}

impl Choices {
    /// `trees`: `[sipuni] trees`, name → scheme number.
    pub fn new(trees: BTreeMap<String, String>) -> Choices {
        let trees = trees
            .into_iter()
            .map(|(name, number)| (name.trim().to_owned(), number.trim().to_owned()))
            .filter(|(name, number)| !name.is_empty() && !number.is_empty())
            .collect();
        Choices {
            trees,
            scenarios: Cached::new(),
            sites: Cached::new(),
            campaigns: Cached::new(),
        }
    }

    /// The routes an agent may call through: UIS scenarios when `uis` is given (the agent
    /// can place UIS calls), the configured Sipuni schemes when `sipuni` is true. Sorted by
    /// provider, then name.
    pub async fn routes(
        &self,
        uis: Option<&UisApi>,
        sipuni: bool,
    ) -> Result<Vec<CallRoute>, PbxError> {
        let mut routes = Vec::new();
        if let Some(api) = uis {
            let scenarios = self.scenarios.get(api.client.scenarios()).await?;
            routes.extend(scenarios.iter().map(|s| {
                CallRoute {
                    name: s
                        .name
                        .as_deref()
                        .map(str::trim)
                        .filter(|n| !n.is_empty())
                        .map_or_else(|| s.id.to_string(), str::to_owned),
                    provider: Provider::Uis,
                    id: s.id.to_string(),
                }
            }));
        }
        if sipuni {
            routes.extend(self.trees.iter().map(|(name, number)| CallRoute {
                name: name.clone(),
                provider: Provider::Sipuni,
                id: number.clone(),
            }));
        }
        routes.sort_by(|a, b| (a.provider.as_str(), &a.name).cmp(&(b.provider.as_str(), &b.name)));
        Ok(routes)
    }

    /// The route called `name` among [`Choices::routes`]; `provider` narrows the search when
    /// the agent said which PBX.
    pub async fn route(
        &self,
        uis: Option<&UisApi>,
        sipuni: bool,
        name: &str,
        provider: Option<Provider>,
    ) -> Result<CallRoute, ChoiceError> {
        let routes = self.routes(uis, sipuni).await?;
        let routes: Vec<CallRoute> = routes
            .into_iter()
            .filter(|r| provider.is_none_or(|p| p == r.provider))
            .collect();
        let mut found = routes.iter().filter(|r| same_name(&r.name, name));
        match (found.next(), found.next()) {
            (Some(route), None) => Ok(route.clone()),
            (Some(_), Some(_)) => Err(ChoiceError::Ambiguous(name.trim().to_owned())),
            (None, _) => Err(ChoiceError::Unknown {
                name: name.trim().to_owned(),
                known: routes.into_iter().map(|r| r.name).collect(),
            }),
        }
    }

    /// The account's sites (`get.sites`).
    pub async fn sites(&self, api: &UisApi) -> Result<Arc<Vec<Site>>, PbxError> {
        self.sites.get(api.client.sites()).await
    }

    /// The account's campaigns (`get.campaigns`).
    pub async fn campaigns(&self, api: &UisApi) -> Result<Arc<Vec<Campaign>>, PbxError> {
        self.campaigns.get(api.client.campaigns()).await
    }
}

/// Names as people type them: surrounding spaces and letter case do not matter.
pub fn same_name(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn schemes_are_matched_by_name_and_unknown_names_list_the_known_ones() {
        let choices = Choices::new(BTreeMap::from([
            ("Продажи".to_owned(), "000-913901".to_owned()),
            (" Сервис ".to_owned(), " 000-913902 ".to_owned()),
            ("Пусто".to_owned(), " ".to_owned()),
        ]));
        let route = choices.route(None, true, "  продажи ", None).await.unwrap();
        assert_eq!(route.id, "000-913901");
        assert_eq!(route.provider, Provider::Sipuni);
        match choices.route(None, true, "Склад", None).await {
            Err(ChoiceError::Unknown { name, known }) => {
                assert_eq!(name, "Склад");
                assert_eq!(known, ["Продажи", "Сервис"]);
            }
            other => panic!("{other:?}"),
        }
        // An agent without Sipuni sees no schemes at all.
        assert!(choices.routes(None, false).await.unwrap().is_empty());
        assert!(matches!(
            choices
                .route(None, true, "Продажи", Some(Provider::Uis))
                .await,
            Err(ChoiceError::Unknown { .. })
        ));
    }

    #[tokio::test]
    async fn a_list_is_fetched_once_while_fresh() {
        let cache: Cached<u8> = Cached::new();
        let first = cache.get(async { Ok(vec![1]) }).await.unwrap();
        let second = cache.get(async { Ok(vec![2]) }).await.unwrap();
        assert_eq!((first[0], second[0]), (1, 1));
        let failing: Cached<u8> = Cached::new();
        let error = failing
            .get(async { Err(PbxError::InvalidArgument("x".to_owned())) })
            .await;
        assert!(error.is_err());
        // A failure is not cached.
        assert_eq!(failing.get(async { Ok(vec![3]) }).await.unwrap()[0], 3);
    }
}
