//! Team contacts written from this desktop: every write goes to the relay
//! (`/v1/directory/contacts…`), and the contact the relay answers with is applied to the
//! local copy at once, so the agent sees the change without waiting for the sync; the sync
//! brings everyone else's changes. Refusals become words an agent can act on: 409 names who
//! changed the contact meanwhile, 403 says deleting is for supervisors.

use trubka_protocol::directory::{
    AttachNumber, ContactFields, ContactUpdate, ContactWithHistory, DirectoryContact, DirectoryId,
};

use super::{Engine, EngineError, now_ms};
use crate::contacts::team::ContactEntry;
use crate::contacts::{ContactDraft, ContactId};
use crate::relay_api::ApiError;
use crate::store::directory as dir_sql;
use crate::store::{StoreError, contacts as sql};

impl Engine {
    /// Whether new contacts go to the team: the desktop is signed in to a relay.
    pub fn team_by_default(&self) -> bool {
        self.settings().relay_url.is_some()
    }

    /// A stored contact with whose it is (team or private) and its CRM link.
    pub async fn contact_entry(&self, id: ContactId) -> Result<Option<ContactEntry>, EngineError> {
        Ok(self.inner.store.call(move |conn| entry(conn, id)).await?)
    }

    /// Creates a team contact on the relay (this agent its author) and returns the local
    /// copy.
    pub async fn create_team_contact(
        &self,
        draft: ContactDraft,
        crm_url: Option<String>,
    ) -> Result<ContactEntry, EngineError> {
        let fields = self.checked(draft, crm_url)?;
        let created = self.api()?.create_directory_contact(&fields).await?;
        self.keep(created).await
    }

    /// Replaces a team contact's fields. `base_version` is the version the edit started
    /// from (a contact entry's `team.version`): the relay refuses the edit when someone
    /// changed the contact after it.
    pub async fn update_team_contact(
        &self,
        team_id: DirectoryId,
        base_version: Option<u64>,
        draft: ContactDraft,
        crm_url: Option<String>,
    ) -> Result<ContactEntry, EngineError> {
        let fields = self.checked(draft, crm_url)?;
        let update = ContactUpdate {
            base_version,
            fields,
        };
        let api = self.api()?;
        match api.update_directory_contact(team_id, &update).await {
            Ok(updated) => self.keep(updated).await,
            Err(e) => Err(self.refusal(team_id, e).await),
        }
    }

    /// Adds a number (any format) to a team contact: the card's «Добавить номер к
    /// контакту» for a team contact.
    pub async fn attach_number_to_team_contact(
        &self,
        team_id: DirectoryId,
        number: &str,
        label: Option<String>,
    ) -> Result<ContactEntry, EngineError> {
        // The same check a private contact's number gets, before anything is sent.
        self.inner.parser.keys(number)?;
        let attach = AttachNumber {
            raw: number.trim().to_owned(),
            label,
        };
        let api = self.api()?;
        match api.attach_directory_number(team_id, &attach).await {
            Ok(updated) => self.keep(updated).await,
            Err(e) => Err(self.refusal(team_id, e).await),
        }
    }

    /// Deletes a team contact (supervisors only) and drops the local copy.
    pub async fn delete_team_contact(&self, team_id: DirectoryId) -> Result<(), EngineError> {
        let api = self.api()?;
        if let Err(e) = api.delete_directory_contact(team_id).await {
            return Err(self.refusal(team_id, e).await);
        }
        self.inner
            .store
            .call(move |conn| match dir_sql::local_id(conn, team_id)? {
                Some(id) => sql::delete(conn, id),
                None => Ok(()),
            })
            .await?;
        self.inner.directory_touched().await
    }

    /// A team contact as the relay has it, with who changed what (newest first).
    pub async fn contact_history(
        &self,
        team_id: DirectoryId,
    ) -> Result<ContactWithHistory, EngineError> {
        match self.api()?.directory_contact(team_id).await {
            Ok(found) => Ok(found),
            Err(e) => Err(self.refusal(team_id, e).await),
        }
    }

    /// The draft checked by the same rules as a private contact's, as the relay takes it.
    fn checked(
        &self,
        draft: ContactDraft,
        crm_url: Option<String>,
    ) -> Result<ContactFields, EngineError> {
        let prepared = draft.prepare(&self.inner.parser)?;
        Ok(ContactFields::from_draft(prepared.draft, crm_url))
    }

    /// Applies the relay's answer to the local copy and returns the stored entry.
    async fn keep(&self, contact: DirectoryContact) -> Result<ContactEntry, EngineError> {
        let parser = self.inner.parser.clone();
        let team_id = contact.id;
        let stored = self
            .inner
            .store
            .call(move |conn| {
                let tx = conn.transaction()?;
                dir_sql::apply_contact(&tx, &parser, &contact, now_ms())?;
                tx.commit()?;
                match dir_sql::local_id(conn, team_id)? {
                    Some(id) => entry(conn, id),
                    None => Ok(None),
                }
            })
            .await?;
        self.inner.directory_touched().await?;
        stored.ok_or(EngineError::NoSuchTeamContact(team_id))
    }

    /// The words for a refused write or read of team contact `team_id`.
    async fn refusal(&self, team_id: DirectoryId, error: ApiError) -> EngineError {
        match error {
            ApiError::Relay { status: 409, .. } => {
                // Who changed it: the relay's current copy says. The sync brings it here.
                let by = match self.api() {
                    Ok(api) => api
                        .directory_contact(team_id)
                        .await
                        .ok()
                        .and_then(|found| found.contact.updated_by),
                    Err(_) => None,
                };
                self.inner.directory.behind();
                EngineError::EditConflict {
                    by: by.unwrap_or_else(|| "коллега / a colleague".to_owned()),
                }
            }
            ApiError::Relay { status: 403, .. } => EngineError::NotSupervisor,
            ApiError::Relay { status: 404, .. } => {
                // Deleted meanwhile: the sync brings the tombstone that drops the copy.
                self.inner.directory.behind();
                EngineError::NoSuchTeamContact(team_id)
            }
            other => EngineError::Api(other),
        }
    }
}

/// Contact `id` with its meta, if stored.
fn entry(conn: &rusqlite::Connection, id: ContactId) -> Result<Option<ContactEntry>, StoreError> {
    match sql::get(conn, id)? {
        Some(contact) => Ok(Some(ContactEntry {
            meta: dir_sql::meta(conn, id)?,
            contact,
        })),
        None => Ok(None),
    }
}
