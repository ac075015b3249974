//! Offline requests («заявки») from the façade: the sites and campaigns a request can be filed
//! under, and sending one. The relay uploads it to UIS (`upload.offline_messages`) and
//! answers UIS's refusals in Russian; nothing is stored locally, UIS keeps the request.

use super::{Engine, EngineError};
use crate::dial::DialError;
use crate::relay_api::{NewRequest, RequestSent, RequestTargets};

impl Engine {
    /// What a request can be filed under (the account's sites and campaigns).
    pub async fn request_targets(&self) -> Result<RequestTargets, EngineError> {
        let api = self.api().map_err(|_| DialError::NotSignedIn)?;
        Ok(api.request_targets().await?)
    }

    /// Sends an offline request for a caller. The number is checked here first, so a typo
    /// fails before any request, in the same words as dialling.
    pub async fn send_request(&self, request: NewRequest) -> Result<RequestSent, EngineError> {
        let api = self.api().map_err(|_| DialError::NotSignedIn)?;
        let number = self.inner.parser.parse(&request.phone)?;
        let request = NewRequest {
            phone: number.e164().to_owned(),
            ..request
        };
        Ok(api.send_request(&request).await?)
    }
}
