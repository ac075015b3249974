//! Renders every IPC type into one TypeScript module, `ui/src/bindings/ipc.ts`.
//!
//! `cargo test -p trubka bindings` fails when the committed file differs from what the Rust
//! types say; `UPDATE_BINDINGS=1 cargo test -p trubka bindings` rewrites it.

use ts_rs::TS;

use super::calls::{CardFieldDto, CardStateDto, CursorDto, EmployeeDto, HistoryFilterDto};
use super::contacts::{BadRowDto, MatchDto, NumberDto, PhoneDraftDto, RowWarningDto, TeamDto};
use super::*;
use crate::error::{CommandError, ErrorKind};

/// The file's path relative to the `src-tauri` folder.
pub const PATH: &str = "../ui/src/bindings/ipc.ts";

fn decl<T: TS>() -> String {
    format!("export {}\n", T::decl())
}

/// The whole generated module.
pub fn render() -> String {
    let decls = [
        decl::<ErrorKind>(),
        decl::<CommandError>(),
        decl::<ConnectionDto>(),
        decl::<Notice>(),
        decl::<StatusDto>(),
        decl::<PopupMode>(),
        decl::<Language>(),
        decl::<SettingsDto>(),
        decl::<SettingsPatch>(),
        decl::<NumberDto>(),
        decl::<TeamDto>(),
        decl::<ContactDto>(),
        decl::<super::directory::ChangeActionDto>(),
        decl::<super::directory::ContactChangeDto>(),
        decl::<PhoneDraftDto>(),
        decl::<ContactDraftDto>(),
        decl::<BadRowDto>(),
        decl::<RowWarningDto>(),
        decl::<ImportReportDto>(),
        decl::<MatchDto>(),
        decl::<LookupDto>(),
        decl::<EmployeeDto>(),
        decl::<CallDto>(),
        decl::<HistoryFilterDto>(),
        decl::<CursorDto>(),
        decl::<HistoryQuery>(),
        decl::<HistoryPageDto>(),
        decl::<FollowUpDto>(),
        decl::<CardStateDto>(),
        decl::<CardFieldDto>(),
        decl::<CardDto>(),
        decl::<DialResult>(),
        decl::<cases::PersonDto>(),
        decl::<cases::CallbackDto>(),
        decl::<cases::GistDto>(),
        decl::<cases::ClosureDto>(),
        decl::<cases::ClaimDto>(),
        decl::<cases::CaseDto>(),
        decl::<cases::CaseListDto>(),
        decl::<cases::NoteDto>(),
        decl::<cases::CallNotesDto>(),
        decl::<cases::NoteDraftDto>(),
        decl::<requests::CallRouteDto>(),
        decl::<requests::RequestSiteDto>(),
        decl::<requests::RequestCampaignDto>(),
        decl::<requests::RequestTargetsDto>(),
        decl::<requests::RequestDraftDto>(),
        decl::<requests::RequestSentDto>(),
        decl::<crate::actions::DialSource>(),
        decl::<crate::actions::DialEvent>(),
        decl::<crate::events::CardEvent>(),
        decl::<crate::commands::card::CardPrefs>(),
        decl::<crate::invite::InviteDto>(),
        decl::<crate::updates::UpdatePhase>(),
        decl::<crate::updates::UpdateDto>(),
        decl::<control::ControlActionDto>(),
        decl::<control::CoachModeDto>(),
        decl::<control::CallActionsDto>(),
        decl::<control::ControlRequestDto>(),
        decl::<control::CallNoteDto>(),
        decl::<control::ControlNoticeDto>(),
        decl::<control::PresenceStatusDto>(),
        decl::<control::AgentPresenceDto>(),
        decl::<control::TeamPresenceDto>(),
    ];
    let mut out = String::from(
        "// Generated from src-tauri/src/dto by `UPDATE_BINDINGS=1 cargo test -p trubka bindings`.\n\
         // Do not edit by hand: a test fails when this file and the Rust types differ.\n\n",
    );
    out.push_str(&decls.join("\n"));
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    #[test]
    fn bindings_are_fresh() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(super::PATH);
        let fresh = super::render();
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::create_dir_all(path.parent().expect("has a parent")).expect("bindings dir");
            std::fs::write(&path, &fresh).expect("write bindings");
            return;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == fresh,
            "{} is stale: run `UPDATE_BINDINGS=1 cargo test -p trubka bindings` and commit it",
            path.display()
        );
    }
}
