//! The address book: list and search, add/edit/delete, import, lookups, and turning a
//! caller into a contact.

use tauri::State;
use tauri::ipc::{InvokeBody, Request};

use crate::dto::{ContactDraftDto, ContactDto, ImportReportDto, LookupDto};
use crate::error::{CommandError, CommandResult, ErrorKind};
use crate::state::AppState;

/// Every contact (empty `search`), or those whose name or company contains `search`
/// (3 characters or more), or whose number matches it (a number in any format).
#[tauri::command]
pub async fn contacts_list(
    state: State<'_, AppState>,
    search: Option<String>,
) -> CommandResult<Vec<ContactDto>> {
    let engine = &state.engine;
    let text = search.unwrap_or_default();
    let text = text.trim();
    if text.is_empty() {
        let entries = engine.all_contact_entries().await?;
        Ok(entries.iter().map(ContactDto::from).collect())
    } else if engine.parser().keys(text).is_ok_and(|k| k.e164.is_some()) {
        let lookup = engine.find_contacts(text).await?;
        Ok(lookup
            .matches
            .iter()
            .map(|m| ContactDto::of(m.contact(), &m.meta))
            .collect())
    } else {
        let entries = engine.search_contacts(text, 500).await?;
        Ok(entries.iter().map(ContactDto::from).collect())
    }
}

/// Creates (`id` absent) or updates a contact; returns it as stored. A new contact goes to
/// the team directory when `team` says so, or by default when signed in to a relay; an
/// update goes wherever the contact is (a team contact's on the relay). `crm_url` is a team
/// contact's CRM link as the form holds it (`None` clears it); private contacts have none.
#[tauri::command]
pub async fn contact_save(
    state: State<'_, AppState>,
    id: Option<i64>,
    draft: ContactDraftDto,
    team: Option<bool>,
    crm_url: Option<String>,
) -> CommandResult<ContactDto> {
    let engine = &state.engine;
    let id = match id {
        Some(id) => {
            match engine.contact_meta(id).await?.team {
                Some(stamp) => {
                    engine
                        .update_team_contact(stamp.id, Some(stamp.version), draft.into(), crm_url)
                        .await?;
                }
                None => engine.update_contact(id, draft.into()).await?,
            }
            id
        }
        None if team.unwrap_or_else(|| engine.team_by_default()) => {
            engine
                .create_team_contact(draft.into(), crm_url)
                .await?
                .contact
                .id
        }
        None => engine.add_contact(draft.into()).await?,
    };
    stored(engine, id).await
}

/// Contact `id` as stored, with whose it is.
async fn stored(engine: &trubka_agent::Engine, id: i64) -> CommandResult<ContactDto> {
    let entry = engine.contact_entry(id).await?.ok_or_else(|| {
        CommandError::new(ErrorKind::NotFound, format!("no contact with id {id}"))
    })?;
    Ok(ContactDto::from(&entry))
}

#[tauri::command]
pub async fn contact_delete(state: State<'_, AppState>, id: i64) -> CommandResult<()> {
    Ok(state.engine.delete_contact(id).await?)
}

/// Imports a CSV or vCard file sent as the raw request body.
#[tauri::command]
pub async fn contacts_import(
    state: State<'_, AppState>,
    request: Request<'_>,
) -> CommandResult<ImportReportDto> {
    let InvokeBody::Raw(bytes) = request.body() else {
        return Err(CommandError::new(
            ErrorKind::Invalid,
            "the file must be sent as raw bytes",
        ));
    };
    let report = state.engine.import_contacts_bytes(bytes.clone()).await?;
    Ok(ImportReportDto::from(&report))
}

/// Whose number is this, with the reasons.
#[tauri::command]
pub async fn lookup_number(state: State<'_, AppState>, number: String) -> CommandResult<LookupDto> {
    Ok(LookupDto::from(&state.engine.find_contacts(&number).await?))
}

/// Adds a caller's number to an existing contact (a team contact's on the relay, so
/// colleagues' cards know the caller too).
#[tauri::command]
pub async fn attach_number(
    state: State<'_, AppState>,
    contact_id: i64,
    number: String,
) -> CommandResult<ContactDto> {
    let engine = &state.engine;
    engine.attach_number(contact_id, &number, None).await?;
    stored(engine, contact_id).await
}

/// Creates a contact from a call's caller.
#[tauri::command]
pub async fn contact_from_call(
    state: State<'_, AppState>,
    call_id: String,
    name: String,
) -> CommandResult<ContactDto> {
    let engine = &state.engine;
    let id = engine.contact_from_call(&call_id, &name).await?;
    stored(engine, id).await
}
