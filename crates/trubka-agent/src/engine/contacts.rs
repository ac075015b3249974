//! The address-book part of the façade: import, export, add/edit/delete, lookups with
//! explanations, and turning a caller into a contact.

use std::path::Path;

use serde::Serialize;

use super::{Engine, EngineError, now_ms};
use crate::contacts::import_csv::{self, BadRow, RowWarning};
use crate::contacts::matching;
use crate::contacts::team::{ContactEntry, ContactMeta, FoundContact};
use crate::contacts::{Contact, ContactDraft, ContactId, PhoneEntry, export_csv, vcard};
use crate::store::calls as call_sql;
use crate::store::contacts as sql;
use crate::store::directory;

/// What an import did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    /// `csv` or `vcard`.
    pub format: String,
    pub encoding: String,
    /// New contacts stored.
    pub imported: usize,
    /// Rows that matched a stored contact (same name and number) and were skipped, so that
    /// importing a file twice does not double it.
    pub unchanged: usize,
    /// Rows not imported, with line numbers and reasons.
    pub bad_rows: Vec<BadRow>,
    pub warnings: Vec<RowWarning>,
}

/// The file formats of export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    VCard,
}

impl ExportFormat {
    /// vCard for `.vcf`/`.vcard` files, CSV otherwise.
    pub fn for_path(path: &Path) -> ExportFormat {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("vcf" | "vcard") => ExportFormat::VCard,
            _ => ExportFormat::Csv,
        }
    }
}

/// The answer to "whose number is this".
#[derive(Debug, Clone, Serialize)]
pub struct Lookup {
    /// The number as looked up: E.164 when valid, else what was typed.
    pub query: String,
    pub national: String,
    /// Every matching contact, best first, each with its reason.
    pub matches: Vec<FoundContact>,
    /// Why nothing matched (when nothing did).
    pub no_match: Option<String>,
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> EngineError + '_ {
    move |source| EngineError::Io {
        path: path.display().to_string(),
        source,
    }
}

impl Engine {
    /// Imports a CSV or vCard file (told apart by content).
    pub async fn import_contacts(&self, path: &Path) -> Result<ImportReport, EngineError> {
        let bytes = tokio::fs::read(path).await.map_err(io_err(path))?;
        self.import_contacts_bytes(bytes).await
    }

    /// Imports CSV or vCard content.
    pub async fn import_contacts_bytes(&self, bytes: Vec<u8>) -> Result<ImportReport, EngineError> {
        let parser = self.inner.parser.clone();
        let (parsed, format) = tokio::task::spawn_blocking(move || {
            if vcard::is_vcard(&bytes) {
                Ok((vcard::parse(&bytes, &parser), "vcard"))
            } else {
                import_csv::parse(&bytes, &parser).map(|p| (p, "csv"))
            }
        })
        .await
        .map_err(|e| EngineError::Export(e.to_string()))??;
        let mut report = ImportReport {
            format: format.to_owned(),
            encoding: parsed.encoding.to_owned(),
            bad_rows: parsed.bad_rows,
            warnings: parsed.warnings,
            ..ImportReport::default()
        };
        let contacts = parsed.contacts;
        let (imported, unchanged) = self
            .inner
            .store
            .call(move |conn| {
                let tx = conn.transaction()?;
                let (mut imported, mut unchanged) = (0, 0);
                let now = now_ms();
                for (_, contact) in &contacts {
                    let e164s: Vec<&str> = contact
                        .numbers
                        .iter()
                        .filter_map(|n| n.e164.as_deref())
                        .collect();
                    if !e164s.is_empty()
                        && sql::find_same(&tx, &contact.draft.name, &e164s)?.is_some()
                    {
                        unchanged += 1;
                        continue;
                    }
                    sql::insert(&tx, contact, now)?;
                    imported += 1;
                }
                tx.commit()?;
                Ok::<_, crate::store::StoreError>((imported, unchanged))
            })
            .await?;
        report.imported = imported;
        report.unchanged = unchanged;
        Ok(report)
    }

    /// Every contact, in id order.
    pub async fn all_contacts(&self) -> Result<Vec<Contact>, EngineError> {
        self.inner
            .store
            .call(|conn| {
                let mut out = Vec::new();
                let mut after = 0;
                loop {
                    let ids = sql::ids_after(conn, after, 1000)?;
                    let Some(&last) = ids.last() else { break };
                    for id in ids {
                        out.extend(sql::get(conn, id)?);
                    }
                    after = last;
                }
                Ok::<_, EngineError>(out)
            })
            .await
    }

    /// Every contact in id order, each saying whether it is the team's or private.
    pub async fn all_contact_entries(&self) -> Result<Vec<ContactEntry>, EngineError> {
        self.inner
            .store
            .call(|conn| {
                let mut out = Vec::new();
                let mut after = 0;
                loop {
                    let ids = sql::ids_after(conn, after, 1000)?;
                    let Some(&last) = ids.last() else { break };
                    for id in ids {
                        if let Some(contact) = sql::get(conn, id)? {
                            let meta = directory::meta(conn, id)?;
                            out.push(ContactEntry { contact, meta });
                        }
                    }
                    after = last;
                }
                Ok::<_, EngineError>(out)
            })
            .await
    }

    /// Writes every contact to `path` as CSV, or vCard for `.vcf`.
    pub async fn export_contacts(
        &self,
        path: &Path,
        format: ExportFormat,
    ) -> Result<usize, EngineError> {
        let contacts = self.all_contacts().await?;
        let count = contacts.len();
        let bytes = match format {
            ExportFormat::Csv => {
                export_csv::write(&contacts).map_err(|e| EngineError::Export(e.to_string()))?
            }
            ExportFormat::VCard => vcard::write(&contacts).into_bytes(),
        };
        tokio::fs::write(path, bytes).await.map_err(io_err(path))?;
        Ok(count)
    }

    /// Stores a new contact.
    pub async fn add_contact(&self, draft: ContactDraft) -> Result<ContactId, EngineError> {
        let prepared = draft.prepare(&self.inner.parser)?;
        Ok(self
            .inner
            .store
            .call(move |conn| sql::insert(conn, &prepared, now_ms()))
            .await?)
    }

    /// Replaces a contact's fields and numbers: a team contact's on the relay (from the
    /// version held here, keeping its CRM link), a private one's here.
    pub async fn update_contact(
        &self,
        id: ContactId,
        draft: ContactDraft,
    ) -> Result<(), EngineError> {
        let meta = self.contact_meta(id).await?;
        if let Some(team) = meta.team {
            self.update_team_contact(team.id, Some(team.version), draft, meta.crm_url)
                .await?;
            return Ok(());
        }
        let prepared = draft.prepare(&self.inner.parser)?;
        Ok(self
            .inner
            .store
            .call(move |conn| {
                let tx = conn.transaction()?;
                sql::update(&tx, id, &prepared, now_ms())?;
                tx.commit()?;
                Ok::<_, crate::store::StoreError>(())
            })
            .await?)
    }

    /// Deletes a contact: a team contact on the relay (supervisors only), a private one here.
    pub async fn delete_contact(&self, id: ContactId) -> Result<(), EngineError> {
        if let Some(team) = self.contact_meta(id).await?.team {
            return self.delete_team_contact(team.id).await;
        }
        Ok(self
            .inner
            .store
            .call(move |conn| sql::delete(conn, id))
            .await?)
    }

    /// Whether contact `id` is the team's, and its CRM link.
    pub async fn contact_meta(&self, id: ContactId) -> Result<ContactMeta, EngineError> {
        Ok(self
            .inner
            .store
            .call(move |conn| directory::meta(conn, id))
            .await?)
    }

    pub async fn contact(&self, id: ContactId) -> Result<Option<Contact>, EngineError> {
        Ok(self
            .inner
            .store
            .call(move |conn| sql::get(conn, id))
            .await?)
    }

    /// Contacts whose name or company contains `text` (3 characters or more), team and
    /// private alike, each saying whose it is.
    pub async fn search_contacts(
        &self,
        text: &str,
        limit: usize,
    ) -> Result<Vec<ContactEntry>, EngineError> {
        let text = text.to_owned();
        self.inner
            .store
            .call(move |conn| {
                let ids = sql::search(conn, &text, limit)?;
                let mut out = Vec::with_capacity(ids.len());
                for id in ids {
                    if let Some(contact) = sql::get(conn, id)? {
                        let meta = directory::meta(conn, id)?;
                        out.push(ContactEntry { contact, meta });
                    }
                }
                Ok::<_, EngineError>(out)
            })
            .await
    }

    /// Whose number is this: every match, ranked, with reasons.
    pub async fn find_contacts(&self, number: &str) -> Result<Lookup, EngineError> {
        let keys = self.inner.parser.keys(number)?;
        self.inner
            .store
            .call(move |conn| {
                let matches = matching::find(conn, &keys)?;
                let no_match = matches
                    .is_empty()
                    .then(|| matching::explain_no_match(&keys));
                Ok::<_, EngineError>(Lookup {
                    query: keys.e164.clone().unwrap_or_else(|| keys.raw.clone()),
                    national: keys.national.clone(),
                    matches,
                    no_match,
                })
            })
            .await
    }

    /// Adds a number (any format) to an existing contact: "this caller is Иван Петров". A
    /// team contact gets it on the relay, so colleagues' cards know the caller too.
    pub async fn attach_number(
        &self,
        id: ContactId,
        number: &str,
        label: Option<String>,
    ) -> Result<(), EngineError> {
        if let Some(team) = self.contact_meta(id).await?.team {
            self.attach_number_to_team_contact(team.id, number, label)
                .await?;
            return Ok(());
        }
        let keys = self.inner.parser.keys(number)?;
        let stored = crate::contacts::StoredNumber {
            raw: keys.raw,
            label,
            field: None,
            e164: keys.e164,
            national: keys.national,
        };
        Ok(self
            .inner
            .store
            .call(move |conn| sql::add_number(conn, id, &stored, now_ms()))
            .await?)
    }

    /// Creates a contact from a stored call's caller: their number, and `name` (or the name
    /// the PBX gave when `name` is empty). Signed in to a relay, it goes to the team
    /// directory, as every contact an agent adds does; otherwise it stays on this desktop.
    pub async fn contact_from_call(
        &self,
        call_id: &str,
        name: &str,
    ) -> Result<ContactId, EngineError> {
        let id = call_id.to_owned();
        let view = self
            .inner
            .store
            .call(move |conn| call_sql::view_of(conn, &id))
            .await?
            .ok_or_else(|| EngineError::NoSuchCall(call_id.to_owned()))?;
        let number = view.phone.clone().unwrap_or(view.phone_raw.clone());
        let name = if name.trim().is_empty() {
            view.pbx_name.clone().unwrap_or_default()
        } else {
            name.to_owned()
        };
        let draft = ContactDraft {
            name,
            phones: vec![PhoneEntry::new(number)],
            ..ContactDraft::default()
        };
        if self.team_by_default() {
            return Ok(self.create_team_contact(draft, None).await?.contact.id);
        }
        self.add_contact(draft).await
    }
}
