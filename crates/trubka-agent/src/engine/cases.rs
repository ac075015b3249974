//! The team's cases (issue 13) as the desktop sees them: listed from the relay when it
//! answers, else from the local copy with the time it was last received (the list «may be
//! stale»); claim («Перезваниваю»), release, close, notes on calls and the admin's tags.
//!
//! Every view the relay sends — a list, a `case` frame, the answer to a claim or close — goes
//! into the copy (store::cases) and, for single cases, out as [`EngineEvent::Case`].

use chrono::{DateTime, Utc};
use serde::Serialize;
use trubka_core::PhoneNumber;
use trubka_protocol::cases::{CallNoteView, CaseView, NoteRequest, WireCaseKind, WireCaseStatus};

use super::{Engine, EngineError, EngineEvent, Inner, now_ms};
use crate::dial::DialError;
use crate::relay_api::{ApiError, DialAccepted};
use crate::store::calls as call_sql;
use crate::store::cases as case_sql;
use crate::store::{StoreError, from_millis};

/// What this desktop knows of a case beyond the relay's view: who the client is by its own
/// contacts, and how many of the case's calls were missed by its stored copies of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseLocal {
    /// The client's number for people to read (`+7 926 123-45-67`); `None`: hidden.
    pub number: Option<String>,
    /// The best matching contact's name.
    pub contact_name: Option<String>,
    /// The case's incoming calls nobody answered. A call this desktop has not stored (it was
    /// away, the replay is still coming) counts as missed in a missed-call case unless it is a
    /// call-back: until a conversation, the calls a missed-call case gathers are missed ones.
    pub missed: u32,
}

/// A list of cases and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseListing {
    /// The most recently changed first.
    pub cases: Vec<CaseView>,
    /// `false`: the relay did not answer and these are the stored copy, which may be stale.
    pub fresh: bool,
    /// When the copy was last received from the relay (`None`: never).
    pub received_at: Option<DateTime<Utc>>,
}

impl Engine {
    /// The cases this agent may see: from the relay (the copy is updated), or when the relay
    /// cannot be reached, the stored copy filtered alike, marked not fresh.
    pub async fn cases(
        &self,
        status: Option<WireCaseStatus>,
        mine: bool,
    ) -> Result<CaseListing, EngineError> {
        match self.cases_from_relay(status, mine).await {
            Ok(listing) => Ok(listing),
            Err(EngineError::Api(ApiError::Network(e))) => {
                tracing::info!("the relay is out of reach, listing the stored cases: {e}");
                self.stored_cases(status, mine).await
            }
            Err(e) => Err(e),
        }
    }

    /// The cases from the relay; the stored copy takes them.
    pub async fn cases_from_relay(
        &self,
        status: Option<WireCaseStatus>,
        mine: bool,
    ) -> Result<CaseListing, EngineError> {
        let list = self.api()?.cases(status, mine).await?;
        let now = now_ms();
        let views = list.cases.clone();
        let everything = status.is_none() && !mine;
        self.inner
            .store
            .call(move |conn| {
                if everything {
                    case_sql::replace_all(conn, &views, now)
                } else {
                    case_sql::remember(conn, &views, now).map(|_| ())
                }
            })
            .await?;
        Ok(CaseListing {
            cases: list.cases,
            fresh: true,
            received_at: Some(from_millis(now)),
        })
    }

    /// The stored copy, filtered by `status` and (by this agent's name) `mine`.
    pub async fn stored_cases(
        &self,
        status: Option<WireCaseStatus>,
        mine: bool,
    ) -> Result<CaseListing, EngineError> {
        let (views, received) = self.inner.store.call(|conn| case_sql::all(conn)).await?;
        let me = self.settings().me.map(|me| me.name);
        let is_mine = |view: &CaseView| {
            let named = |name: Option<&str>| me.as_deref().is_some_and(|me| name == Some(me));
            named(view.claim.as_ref().map(|c| c.agent.as_str()))
                || named(view.responsible.as_ref().and_then(|r| r.agent.as_deref()))
        };
        let cases = views
            .into_iter()
            .filter(|view| status.is_none_or(|s| view.status == s))
            .filter(|view| !mine || is_mine(view))
            .collect();
        Ok(CaseListing {
            cases,
            fresh: false,
            received_at: received.map(from_millis),
        })
    }

    /// «Перезваниваю»: claims the case; a colleague's live claim is refused with their name.
    pub async fn claim_case(&self, key: &str) -> Result<CaseView, EngineError> {
        let view = self.api()?.claim_case(key).await?;
        self.inner.case_changed(view.clone()).await?;
        Ok(view)
    }

    /// Gives this agent's claim up.
    pub async fn release_case(&self, key: &str) -> Result<CaseView, EngineError> {
        let view = self.api()?.release_case(key).await?;
        self.inner.case_changed(view.clone()).await?;
        Ok(view)
    }

    /// Closes the case by hand, with an optional reason.
    pub async fn close_case(
        &self,
        key: &str,
        reason: Option<&str>,
    ) -> Result<CaseView, EngineError> {
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        let view = self.api()?.close_case(key, reason).await?;
        self.inner.case_changed(view.clone()).await?;
        Ok(view)
    }

    /// Writes the gist of a call, with tags from the admin's list.
    pub async fn add_note(
        &self,
        call_id: &str,
        note: &NoteRequest,
    ) -> Result<CallNoteView, EngineError> {
        Ok(self.api()?.add_note(call_id, note).await?)
    }

    /// The notes on a call, oldest first.
    pub async fn notes(&self, call_id: &str) -> Result<Vec<CallNoteView>, EngineError> {
        Ok(self.api()?.notes(call_id).await?.notes)
    }

    /// Calls the client of a case back (`POST /v1/calls` with the case): the relay claims the
    /// case first and refuses with the colleague's name while their claim is live.
    pub async fn dial_case(
        &self,
        number: &str,
        key: &str,
    ) -> Result<(String, DialAccepted), EngineError> {
        let api = self.api().map_err(|_| DialError::NotSignedIn)?;
        let number = self.inner.parser.parse(number).map_err(DialError::from)?;
        let accepted = api.dial_case(&number, key).await.map_err(DialError::from)?;
        Ok((number.e164().to_owned(), accepted))
    }

    /// For each case, in order: its number for people, the contact it matches and its missed
    /// calls, from this desktop's store.
    pub async fn case_locals(&self, cases: &[CaseView]) -> Result<Vec<CaseLocal>, EngineError> {
        let views = cases.to_vec();
        let parser = self.inner.parser.clone();
        Ok(self
            .inner
            .store
            .call(move |conn| {
                let mut out = Vec::with_capacity(views.len());
                for view in views {
                    let keys = view.number.as_deref().and_then(|n| parser.keys(n).ok());
                    let contact_name = match &keys {
                        Some(keys) => crate::contacts::matching::best_name(conn, keys)?,
                        None => None,
                    };
                    let missed_case = view.kind == WireCaseKind::Missed;
                    let callback =
                        |call: &String| view.callbacks.iter().any(|c| &c.call_id == call);
                    let mut missed = 0;
                    for call in view.calls.iter().filter(|c| !callback(c)) {
                        missed += match call_sql::view_of(conn, call)? {
                            Some(stored) => u32::from(stored.missed),
                            None => u32::from(missed_case),
                        };
                    }
                    out.push(CaseLocal {
                        number: view.number.map(|n| match PhoneNumber::from_e164(&n) {
                            Some(phone) => phone.international(),
                            None => n,
                        }),
                        contact_name,
                        missed,
                    });
                }
                Ok::<_, StoreError>(out)
            })
            .await?)
    }

    /// The admin's tags, in their order.
    pub async fn tags(&self) -> Result<Vec<String>, EngineError> {
        Ok(self.api()?.tags().await?.tags)
    }
}

impl Inner {
    /// A case's new view (a frame, or the answer to this desktop's claim or close): into the
    /// copy unless it holds a newer one, and out to subscribers.
    pub(crate) async fn case_changed(&self, view: CaseView) -> Result<(), StoreError> {
        let stored = view.clone();
        let written = self
            .store
            .call(move |conn| case_sql::remember(conn, &[stored], now_ms()))
            .await?;
        if written > 0 {
            let _ = self.events.send(EngineEvent::Case(Box::new(view)));
        }
        Ok(())
    }
}
