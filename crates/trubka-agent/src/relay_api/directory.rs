//! The team directory's endpoints (`/v1/directory/…`), decoded into trubka-protocol's wire
//! shapes: the relay serialises the same structs.

use trubka_protocol::directory::{
    AttachNumber, ContactFields, ContactUpdate, ContactWithHistory, DirectoryContact, DirectoryId,
    DirectoryPage, LookupAnswer,
};

use super::{ApiError, Feature, RelayApi, error_for, network};

/// What an older relay lacks when these routes are missing.
const DIRECTORY: Feature = Feature::Other("the team directory");

impl RelayApi {
    /// `GET /v1/directory/changes?since=V&limit=N`: the contacts changed after version
    /// `since`, tombstones included, oldest change first.
    pub async fn directory_changes(
        &self,
        since: u64,
        limit: usize,
    ) -> Result<DirectoryPage, ApiError> {
        let mut url = self.endpoint("v1/directory/changes");
        url.query_pairs_mut()
            .append_pair("since", &since.to_string())
            .append_pair("limit", &limit.to_string());
        self.send(self.http.get(url), Some(DIRECTORY)).await
    }

    /// `GET /v1/directory/contacts/{id}`: a team contact and who changed what.
    pub async fn directory_contact(&self, id: DirectoryId) -> Result<ContactWithHistory, ApiError> {
        let url = self.endpoint(&format!("v1/directory/contacts/{id}"));
        self.send(self.http.get(url), Some(DIRECTORY)).await
    }

    /// `POST /v1/directory/contacts`: a new team contact, this agent its author.
    pub async fn create_directory_contact(
        &self,
        fields: &ContactFields,
    ) -> Result<DirectoryContact, ApiError> {
        let url = self.endpoint("v1/directory/contacts");
        self.send(self.http.post(url).json(fields), Some(DIRECTORY))
            .await
    }

    /// `PUT /v1/directory/contacts/{id}`: new fields; 409 when changed after `base_version`.
    pub async fn update_directory_contact(
        &self,
        id: DirectoryId,
        update: &ContactUpdate,
    ) -> Result<DirectoryContact, ApiError> {
        let url = self.endpoint(&format!("v1/directory/contacts/{id}"));
        self.send(self.http.put(url).json(update), Some(DIRECTORY))
            .await
    }

    /// `POST /v1/directory/contacts/{id}/numbers`: one more number for a team contact.
    pub async fn attach_directory_number(
        &self,
        id: DirectoryId,
        number: &AttachNumber,
    ) -> Result<DirectoryContact, ApiError> {
        let url = self.endpoint(&format!("v1/directory/contacts/{id}/numbers"));
        self.send(self.http.post(url).json(number), Some(DIRECTORY))
            .await
    }

    /// `DELETE /v1/directory/contacts/{id}`: supervisors only (403 otherwise).
    pub async fn delete_directory_contact(&self, id: DirectoryId) -> Result<(), ApiError> {
        let url = self.endpoint(&format!("v1/directory/contacts/{id}"));
        let response = self
            .http
            .delete(url)
            .bearer_auth(&self.token)
            .send()
            .await
            .map_err(network)?;
        let status = response.status().as_u16();
        if (200..300).contains(&status) {
            return Ok(());
        }
        let body = response.text().await.map_err(network)?;
        Err(error_for(status, &body, Some(DIRECTORY)))
    }

    /// `GET /v1/directory/lookup?number=N`: who the relay says the number belongs to, with
    /// the CRM's answer when the directory knows no one.
    pub async fn directory_lookup(&self, number: &str) -> Result<LookupAnswer, ApiError> {
        let mut url = self.endpoint("v1/directory/lookup");
        url.query_pairs_mut().append_pair("number", number);
        self.send(self.http.get(url), Some(DIRECTORY)).await
    }
}
