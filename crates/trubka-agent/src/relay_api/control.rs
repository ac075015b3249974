//! Call control and presence (`/v1/calls/{call_id}/control`, `/v1/calls/{call_id}/actions`,
//! `/v1/presence`, `/v1/presence/reasons`), in trubka-protocol's `control` types: the relay
//! serialises the same structs. A refusal comes back as [`ApiError::Relay`] with the relay's
//! Russian message (403 `not_your_call`, 409 `invalid_state`, …).

use trubka_protocol::control::{
    AgentPresence, BreakReasons, CallActions, ControlDone, ControlRequest, PresenceList,
    PresenceUpdate,
};

use super::{ApiError, Feature, RelayApi};

/// What an older relay lacks when these routes are missing.
const CONTROL: Feature = Feature::Other("call control and presence");

impl RelayApi {
    /// `POST /v1/calls/{call_id}/control`: one action on a call in progress.
    pub async fn call_control(
        &self,
        call_id: &str,
        request: &ControlRequest,
    ) -> Result<ControlDone, ApiError> {
        let url = self.call_url(call_id, "control")?;
        self.send(self.http.post(url).json(request), Some(CONTROL))
            .await
    }

    /// `GET /v1/calls/{call_id}/actions`: what the call's PBX lets this agent do with it.
    pub async fn call_actions(&self, call_id: &str) -> Result<CallActions, ApiError> {
        let url = self.call_url(call_id, "actions")?;
        self.send(self.http.get(url), Some(CONTROL)).await
    }

    /// `GET /v1/presence`: every active agent's status.
    pub async fn presence(&self) -> Result<PresenceList, ApiError> {
        let url = self.endpoint("v1/presence");
        self.send(self.http.get(url), Some(CONTROL)).await
    }

    /// `PUT /v1/presence`: sets this agent's own status; answers their entry.
    pub async fn set_presence(&self, update: &PresenceUpdate) -> Result<AgentPresence, ApiError> {
        let url = self.endpoint("v1/presence");
        self.send(self.http.put(url).json(update), Some(CONTROL))
            .await
    }

    /// `GET /v1/presence/reasons`: the break reasons an agent may pick.
    pub async fn break_reasons(&self) -> Result<Vec<String>, ApiError> {
        let url = self.endpoint("v1/presence/reasons");
        let body: BreakReasons = self.send(self.http.get(url), Some(CONTROL)).await?;
        Ok(body.reasons)
    }

    /// `v1/calls/{call_id}/{what}` with the call id as one path segment: ids hold `:` and
    /// `.` (`sipuni:1774372584.533596`), and a typed id must not reach another route.
    fn call_url(&self, call_id: &str, what: &str) -> Result<url::Url, ApiError> {
        let mut url = self.endpoint("v1/calls/");
        url.path_segments_mut()
            .map_err(|()| ApiError::BadUrl(self.base.to_string()))?
            .pop_if_empty()
            .push(call_id.trim())
            .push(what);
        Ok(url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_id_stays_one_path_segment() {
        let api = RelayApi::new("http://127.0.0.1:9/base", "t").unwrap();
        assert_eq!(
            api.call_url("sipuni:1774372584.533596", "control")
                .unwrap()
                .as_str(),
            "http://127.0.0.1:9/base/v1/calls/sipuni:1774372584.533596/control"
        );
        assert_eq!(
            api.call_url("../me", "actions").unwrap().as_str(),
            "http://127.0.0.1:9/base/v1/calls/..%2Fme/actions"
        );
    }
}
