//! The IPC commands, one module per screen. Each is a thin adapter: take the typed input,
//! call the engine (or a window/OS helper), map the answer to a DTO.

pub mod calls;
pub mod card;
pub mod cases;
pub mod contacts;
pub mod control;
pub mod directory;
pub mod invite;
pub mod requests;
pub mod session;
pub mod updates;

/// Every command, for `invoke_handler`. The list is also in `build.rs` (for the generated
/// per-command permissions) and in `capabilities/` (which window may call which).
#[macro_export]
macro_rules! command_handler {
    () => {
        tauri::generate_handler![
            $crate::commands::session::status,
            $crate::commands::session::sign_in,
            $crate::commands::session::sign_out,
            $crate::commands::session::settings_get,
            $crate::commands::session::settings_update,
            $crate::commands::session::ui_ready,
            $crate::commands::invite::invite_pending,
            $crate::commands::invite::invite_accept,
            $crate::commands::invite::invite_dismiss,
            $crate::commands::updates::update_status,
            $crate::commands::updates::update_check,
            $crate::commands::updates::update_install,
            $crate::commands::contacts::contacts_list,
            $crate::commands::contacts::contact_save,
            $crate::commands::contacts::contact_delete,
            $crate::commands::contacts::contacts_import,
            $crate::commands::contacts::lookup_number,
            $crate::commands::contacts::attach_number,
            $crate::commands::contacts::contact_from_call,
            $crate::commands::directory::contact_history,
            $crate::commands::directory::open_crm_link,
            $crate::commands::calls::history_page,
            $crate::commands::calls::followups_list,
            $crate::commands::calls::followup_close,
            $crate::commands::calls::dial,
            $crate::commands::cases::cases_list,
            $crate::commands::cases::case_claim,
            $crate::commands::cases::case_release,
            $crate::commands::cases::case_close,
            $crate::commands::cases::case_dial,
            $crate::commands::cases::case_calls,
            $crate::commands::cases::call_notes,
            $crate::commands::cases::note_add,
            $crate::commands::cases::tags_list,
            $crate::commands::requests::scenarios_list,
            $crate::commands::requests::request_targets,
            $crate::commands::requests::request_send,
            $crate::commands::card::live_cards,
            $crate::commands::card::card_prefs,
            $crate::commands::card::card_window_fit,
            $crate::commands::card::card_window_hide,
            $crate::commands::card::card_rendered,
            $crate::commands::card::open_in_main,
            $crate::commands::control::call_actions,
            $crate::commands::control::call_control,
            $crate::commands::control::team_presence,
            $crate::commands::control::presence_mine,
            $crate::commands::control::presence_set,
            $crate::commands::control::break_reasons,
        ]
    };
}
