//! The team's cases on the relay (`/v1/cases…`, `/v1/calls/{id}/notes`, `/v1/tags`),
//! decoded into trubka-protocol's wire shapes: the relay serialises the same structs. The
//! relay's refusals (409 «Уже перезванивает …», 404, 422 `unknown_tag`) come back as
//! [`ApiError::Relay`] with its message.

use trubka_protocol::cases::{
    CallNoteView, CallNotes, CaseList, CaseView, CloseRequest, NoteRequest, TagList, WireCaseStatus,
};
use url::Url;

use super::{ApiError, DialAccepted, Feature, RelayApi};
use trubka_core::PhoneNumber;

/// `POST /v1/calls` from a case: the number and the case's key.
#[derive(serde::Serialize)]
struct DialFromCase<'a> {
    to: &'a str,
    case: &'a str,
}

/// What an older relay lacks when these routes are missing.
const CASES: Feature = Feature::Other("the team's cases");

/// One case or call: a 404 there is the relay's «no such case (or call) for you», in its own
/// words, not a relay without cases — the list and the tags tell an older relay apart.
const ONE: Option<Feature> = None;

impl RelayApi {
    /// `/v1/{first}/{id}/{rest…}` with `id` (a case key or call id, `uis:…`) as one segment.
    fn item_url(&self, first: &str, id: &str, rest: &[&str]) -> Url {
        let mut url = self.endpoint("v1/");
        url.path_segments_mut()
            .expect("an http(s) base has path segments")
            .pop_if_empty()
            .push(first)
            .push(id)
            .extend(rest);
        url
    }

    /// `GET /v1/cases?status=…&mine=1`: the cases this agent may see, the most recently
    /// changed first.
    pub async fn cases(
        &self,
        status: Option<WireCaseStatus>,
        mine: bool,
    ) -> Result<CaseList, ApiError> {
        let mut url = self.endpoint("v1/cases");
        if let Some(status) = status {
            url.query_pairs_mut().append_pair("status", status.as_str());
        }
        if mine {
            url.query_pairs_mut().append_pair("mine", "1");
        }
        self.send(self.http.get(url), Some(CASES)).await
    }

    /// `POST /v1/cases/{key}/claim` («Перезваниваю»): 409 while a colleague's claim is live.
    pub async fn claim_case(&self, key: &str) -> Result<CaseView, ApiError> {
        let url = self.item_url("cases", key, &["claim"]);
        self.send(self.http.post(url), ONE).await
    }

    /// `DELETE /v1/cases/{key}/claim`: gives the claim up.
    pub async fn release_case(&self, key: &str) -> Result<CaseView, ApiError> {
        let url = self.item_url("cases", key, &["claim"]);
        self.send(self.http.delete(url), ONE).await
    }

    /// `POST /v1/cases/{key}/close`, with an optional reason.
    pub async fn close_case(&self, key: &str, reason: Option<&str>) -> Result<CaseView, ApiError> {
        let url = self.item_url("cases", key, &["close"]);
        let body = CloseRequest {
            reason: reason.map(str::to_owned),
        };
        self.send(self.http.post(url).json(&body), ONE).await
    }

    /// `POST /v1/calls {"to": …, "case": KEY}`: calls the client back from a case, which the
    /// relay claims first (409 «Уже перезванивает …» while a colleague's claim is live).
    pub async fn dial_case(&self, to: &PhoneNumber, case: &str) -> Result<DialAccepted, ApiError> {
        let body = DialFromCase {
            to: to.e164(),
            case,
        };
        let request = self.http.post(self.endpoint("v1/calls")).json(&body);
        self.send(request, Some(Feature::Dial)).await
    }

    /// `POST /v1/calls/{call_id}/notes`: the gist of a call and its tags.
    pub async fn add_note(
        &self,
        call_id: &str,
        note: &NoteRequest,
    ) -> Result<CallNoteView, ApiError> {
        let url = self.item_url("calls", call_id, &["notes"]);
        self.send(self.http.post(url).json(note), ONE).await
    }

    /// `GET /v1/calls/{call_id}/notes`, oldest first.
    pub async fn notes(&self, call_id: &str) -> Result<CallNotes, ApiError> {
        let url = self.item_url("calls", call_id, &["notes"]);
        self.send(self.http.get(url), ONE).await
    }

    /// `GET /v1/tags`: the admin's list of tags, in its order.
    pub async fn tags(&self) -> Result<TagList, ApiError> {
        let url = self.endpoint("v1/tags");
        self.send(self.http.get(url), Some(CASES)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_one_path_segment_written_as_it_is() {
        let api = RelayApi::new("http://127.0.0.1:9/base", "t").expect("url");
        assert_eq!(
            api.item_url("cases", "uis:1197843161", &["claim"]).as_str(),
            "http://127.0.0.1:9/base/v1/cases/uis:1197843161/claim"
        );
        assert_eq!(
            api.item_url("calls", "a/b", &["notes"]).as_str(),
            "http://127.0.0.1:9/base/v1/calls/a%2Fb/notes"
        );
    }
}
