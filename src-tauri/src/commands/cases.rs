//! The team's cases (issue 13): the case list (from the relay, or the last known copy marked
//! stale), a case's calls and notes, claiming («Перезваниваю»), releasing, closing, calling
//! back from a case, notes with tags on a call (the card's note box), and the `case-changed`
//! event for a case the relay changed.

use futures_util::StreamExt;
use tauri::{AppHandle, Emitter, Manager, State};
use trubka_agent::engine::cases::CaseListing;
use trubka_agent::engine::{Engine, EngineError};
use trubka_agent::relay_api::ApiError;
use trubka_protocol::cases::{CaseView, NoteRequest, WireCaseStatus};

use crate::dto::cases::{CallNotesDto, CaseDto, CaseListDto, NoteDraftDto, NoteDto};
use crate::dto::{CallDto, DialResult};
use crate::error::CommandResult;
use crate::state::AppState;

/// Calls whose notes one `call_notes` asks for at most; the relay is asked this many at once.
const NOTES_AT_MOST: usize = 100;
const NOTES_AT_ONCE: usize = 4;

fn me(engine: &Engine) -> Option<String> {
    engine.settings().me.map(|me| me.name)
}

async fn dto(engine: &Engine, view: &CaseView) -> CommandResult<CaseDto> {
    let locals = engine.case_locals(std::slice::from_ref(view)).await?;
    Ok(CaseDto::of(view, &locals[0], me(engine).as_deref()))
}

/// The cases to work on: open and waiting ones. When the relay is out of reach, the last
/// known cases, with `fresh: false`.
#[tauri::command]
pub async fn cases_list(state: State<'_, AppState>) -> CommandResult<CaseListDto> {
    let engine = &state.engine;
    let open = engine.cases(Some(WireCaseStatus::Open), false).await?;
    // The relay just failed to answer: the stored copy, without waiting for it again.
    let waiting = if open.fresh {
        engine.cases(Some(WireCaseStatus::Waiting), false).await?
    } else {
        engine
            .stored_cases(Some(WireCaseStatus::Waiting), false)
            .await?
    };
    let listing = CaseListing {
        fresh: open.fresh && waiting.fresh,
        received_at: open.received_at.min(waiting.received_at),
        cases: open.cases.into_iter().chain(waiting.cases).collect(),
    };
    let locals = engine.case_locals(&listing.cases).await?;
    Ok(CaseListDto::of(&listing, &locals, me(engine).as_deref()))
}

/// «Перезваниваю»: claims the case (refused with the colleague's name while theirs is live).
#[tauri::command]
pub async fn case_claim(state: State<'_, AppState>, key: String) -> CommandResult<CaseDto> {
    let view = state.engine.claim_case(&key).await?;
    dto(&state.engine, &view).await
}

/// Gives this agent's claim up.
#[tauri::command]
pub async fn case_release(state: State<'_, AppState>, key: String) -> CommandResult<CaseDto> {
    let view = state.engine.release_case(&key).await?;
    dto(&state.engine, &view).await
}

/// Closes the case by hand; a blank reason is none.
#[tauri::command]
pub async fn case_close(
    state: State<'_, AppState>,
    key: String,
    reason: Option<String>,
) -> CommandResult<CaseDto> {
    let view = state.engine.close_case(&key, reason.as_deref()).await?;
    dto(&state.engine, &view).await
}

/// «Перезвонить» from a case: the relay claims the case, then places the call.
#[tauri::command]
pub async fn case_dial(
    state: State<'_, AppState>,
    key: String,
    number: String,
) -> CommandResult<DialResult> {
    let (number, accepted) = state.engine.dial_case(&number, &key).await?;
    Ok(DialResult {
        number,
        call_id: accepted.call_id,
    })
}

/// This desktop's stored copies of `call_ids` (a case's calls), in the same order; calls it
/// has not stored are left out.
#[tauri::command]
pub async fn case_calls(
    state: State<'_, AppState>,
    call_ids: Vec<String>,
) -> CommandResult<Vec<CallDto>> {
    let mut out = Vec::with_capacity(call_ids.len());
    for id in &call_ids {
        if let Some(view) = state.engine.call(id).await? {
            out.push(CallDto::of(&view, None));
        }
    }
    Ok(out)
}

/// The notes on each of `call_ids` (at most [`NOTES_AT_MOST`]), a few asked at once; a call
/// whose notes could not be read carries the error instead.
#[tauri::command]
pub async fn call_notes(
    state: State<'_, AppState>,
    call_ids: Vec<String>,
) -> CommandResult<Vec<CallNotesDto>> {
    let engine = state.engine.clone();
    let asked = call_ids.into_iter().take(NOTES_AT_MOST).map(|call_id| {
        let engine = engine.clone();
        async move {
            match engine.notes(&call_id).await {
                Ok(notes) => CallNotesDto {
                    call_id,
                    notes: notes.iter().map(NoteDto::from).collect(),
                    error: None,
                },
                // A call the relay does not show this agent (or no longer keeps) has no notes
                // for them: known, not asked again.
                Err(EngineError::Api(ApiError::Relay { status: 404, .. })) => CallNotesDto {
                    call_id,
                    notes: Vec::new(),
                    error: None,
                },
                Err(e) => CallNotesDto {
                    call_id,
                    notes: Vec::new(),
                    error: Some(e.to_string()),
                },
            }
        }
    });
    Ok(futures_util::stream::iter(asked)
        .buffered(NOTES_AT_ONCE)
        .collect()
        .await)
}

/// Writes the gist of a call with tags from the admin's list (the card's note box), and tells
/// the main window, whose history and case view show the call's notes.
#[tauri::command]
pub async fn note_add(
    app: AppHandle,
    state: State<'_, AppState>,
    call_id: String,
    draft: NoteDraftDto,
) -> CommandResult<NoteDto> {
    let note = NoteRequest {
        text: draft.text.trim().to_owned(),
        tags: draft.tags,
        new_case: false,
    };
    let saved = NoteDto::from(&state.engine.add_note(&call_id, &note).await?);
    let _ = app.emit_to(crate::windows::MAIN, "note-added", &saved);
    Ok(saved)
}

/// The admin's tags, in their order.
#[tauri::command]
pub async fn tags_list(state: State<'_, AppState>) -> CommandResult<Vec<String>> {
    Ok(state.engine.tags().await?)
}

/// Tells the main window a case changed (a `case` frame, or this desktop's own claim or
/// close), as the window shows cases.
pub async fn announce(app: &AppHandle, view: &CaseView) {
    let engine = app.state::<AppState>().engine.clone();
    match dto(&engine, view).await {
        Ok(case) => {
            let _ = app.emit_to(crate::windows::MAIN, "case-changed", &case);
        }
        Err(e) => tracing::warn!(error = %e, key = %view.key, "cannot show a changed case"),
    }
}
