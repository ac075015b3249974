//! Generates the per-command permissions (`allow-<command>`) that `capabilities/` grants
//! window by window.

const COMMANDS: &[&str] = &[
    "status",
    "sign_in",
    "sign_out",
    "settings_get",
    "settings_update",
    "ui_ready",
    "invite_pending",
    "invite_accept",
    "invite_dismiss",
    "update_status",
    "update_check",
    "update_install",
    "contacts_list",
    "contact_save",
    "contact_delete",
    "contacts_import",
    "lookup_number",
    "attach_number",
    "contact_from_call",
    "contact_history",
    "open_crm_link",
    "history_page",
    "followups_list",
    "followup_close",
    "dial",
    "cases_list",
    "case_claim",
    "case_release",
    "case_close",
    "case_dial",
    "case_calls",
    "call_notes",
    "note_add",
    "tags_list",
    "scenarios_list",
    "request_targets",
    "request_send",
    "live_cards",
    "card_prefs",
    "card_window_fit",
    "card_window_hide",
    "card_rendered",
    "open_in_main",
    "call_actions",
    "call_control",
    "team_presence",
    "presence_mine",
    "presence_set",
    "break_reasons",
];

fn main() {
    println!("cargo:rerun-if-changed=../ui/src/i18n");
    println!("cargo:rerun-if-changed=../ui/dist");
    assert!(
        std::path::Path::new("../ui/dist/index.html").exists()
            && std::path::Path::new("../ui/dist/card.html").exists(),
        "the web UI is not built: run `npm --prefix ui ci && npm --prefix ui run build` \
         (or `make test-app`) before building the trubka app"
    );
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build");
}
