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
    let contacts = if text.is_empty() {
        engine.all_contacts().await?
    } else if engine.parser().keys(text).is_ok_and(|k| k.e164.is_some()) {
        engine
            .find_contacts(text)
            .await?
            .matches
            .into_iter()
            .map(|m| m.contact)
            .collect()
    } else {
        engine.search_contacts(text, 500).await?
    };
    Ok(contacts.iter().map(ContactDto::from).collect())
}

/// Creates (`id` absent) or updates a contact; returns it as stored.
#[tauri::command]
pub async fn contact_save(
    state: State<'_, AppState>,
    id: Option<i64>,
    draft: ContactDraftDto,
) -> CommandResult<ContactDto> {
    let engine = &state.engine;
    let id = match id {
        Some(id) => {
            engine.update_contact(id, draft.into()).await?;
            id
        }
        None => engine.add_contact(draft.into()).await?,
    };
    let contact = engine.contact(id).await?.ok_or_else(|| {
        CommandError::new(ErrorKind::NotFound, format!("no contact with id {id}"))
    })?;
    Ok(ContactDto::from(&contact))
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

/// Adds a caller's number to an existing contact.
#[tauri::command]
pub async fn attach_number(
    state: State<'_, AppState>,
    contact_id: i64,
    number: String,
) -> CommandResult<ContactDto> {
    let engine = &state.engine;
    engine.attach_number(contact_id, &number, None).await?;
    let contact = engine.contact(contact_id).await?.ok_or_else(|| {
        CommandError::new(
            ErrorKind::NotFound,
            format!("no contact with id {contact_id}"),
        )
    })?;
    Ok(ContactDto::from(&contact))
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
    let contact = engine.contact(id).await?.ok_or_else(|| {
        CommandError::new(ErrorKind::NotFound, format!("no contact with id {id}"))
    })?;
    Ok(ContactDto::from(&contact))
}
