//! The calls part of the façade: cards, history, follow-ups and the badge.

use super::{
    Engine, EngineError, EngineEvent, FollowUpItem, HistoryEntries, HistoryEntry, HistoryRequest,
    classify_search, now_ms,
};
use crate::calls::CallView;
use crate::cards::{self, Card};
use crate::followups::{self, Badge, FollowUp};
use crate::store::calls as call_sql;
use crate::store::history::{self, HistoryPage};
use crate::store::{StoreError, followups as followup_sql};

impl Engine {
    /// The card of a stored call.
    pub async fn card(&self, call_id: &str) -> Result<Card, EngineError> {
        let (parser, settings, id) = (
            self.inner.parser.clone(),
            self.settings(),
            call_id.to_owned(),
        );
        self.inner
            .store
            .call(move |conn| {
                let view = call_sql::view_of(conn, &id)?.ok_or(EngineError::NoSuchCall(id))?;
                Ok(cards::build(conn, &parser, &settings, view, now_ms())?)
            })
            .await
    }

    /// Cards of calls that are not over, started within the last 12 hours, newest first.
    pub async fn live_cards(&self) -> Result<Vec<Card>, EngineError> {
        let (parser, settings) = (self.inner.parser.clone(), self.settings());
        let since = now_ms() - 12 * 3600 * 1000;
        self.inner
            .store
            .call(move |conn| {
                let views = call_sql::unfinished(conn, since)?;
                views
                    .into_iter()
                    .map(|v| cards::build(conn, &parser, &settings, v, now_ms()))
                    .collect::<Result<_, _>>()
            })
            .await
            .map_err(|e: StoreError| e.into())
    }

    /// One page of call history, each call with the name of its best matching contact.
    pub async fn history(&self, request: HistoryRequest) -> Result<HistoryEntries, EngineError> {
        let search = request
            .search
            .as_deref()
            .and_then(|t| classify_search(&self.inner.parser, t));
        let parser = self.inner.parser.clone();
        Ok(self
            .inner
            .store
            .call(move |conn| {
                let HistoryPage { calls, next } = history::page(
                    conn,
                    request.filter,
                    search.as_ref(),
                    request.before,
                    request.limit,
                )?;
                let mut entries = Vec::with_capacity(calls.len());
                for call in calls {
                    let keys = match call.phone.as_deref() {
                        Some(e164) => parser.keys(e164).ok(),
                        None => parser.keys(&call.phone_raw).ok(),
                    };
                    let contact_name = match keys {
                        Some(keys) => crate::contacts::matching::best_name(conn, &keys)?,
                        None => None,
                    };
                    entries.push(HistoryEntry { call, contact_name });
                }
                Ok::<_, StoreError>(HistoryEntries { entries, next })
            })
            .await?)
    }

    /// The stored view of one call.
    pub async fn call(&self, call_id: &str) -> Result<Option<CallView>, EngineError> {
        let id = call_id.to_owned();
        Ok(self
            .inner
            .store
            .call(move |conn| call_sql::view_of(conn, &id))
            .await?)
    }

    /// Follow-ups, latest missed call first: open ones only, or all.
    pub async fn followups(
        &self,
        open_only: bool,
        limit: usize,
    ) -> Result<Vec<FollowUpItem>, EngineError> {
        let parser = self.inner.parser.clone();
        self.inner
            .store
            .call(move |conn| {
                let list = followup_sql::list(conn, open_only, limit)?;
                list.into_iter()
                    .map(|followup| {
                        let keys = parser.keys(&followup.caller)?;
                        Ok(FollowUpItem {
                            number: parser.parse(&followup.caller)?.international(),
                            contact_name: crate::contacts::matching::best_name(conn, &keys)?,
                            followup,
                        })
                    })
                    .collect::<Result<Vec<_>, EngineError>>()
            })
            .await
    }

    /// Closes the caller's open follow-up by hand; `caller` in any format.
    pub async fn close_followup(&self, caller: &str) -> Result<FollowUp, EngineError> {
        let e164 = self.inner.parser.parse(caller)?.e164().to_owned();
        let closed = self
            .inner
            .store
            .call(move |conn| {
                let closed = followups::close_by_hand(conn, &e164, now_ms())?;
                Ok::<_, StoreError>((closed.ok_or(e164), followups::badge(conn)?))
            })
            .await?;
        let _ = self.inner.events.send(EngineEvent::Followups(closed.1));
        closed.0.map_err(EngineError::NoOpenFollowUp)
    }

    /// The badge counts: open follow-ups and the missed calls in them.
    pub async fn badge(&self) -> Result<Badge, EngineError> {
        Ok(self.inner.store.call(|conn| followups::badge(conn)).await?)
    }
}
