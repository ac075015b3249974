// Typed wrappers over the Tauri commands. Types come from bindings/ipc.ts (generated from
// the Rust DTOs); nothing here is written twice.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type {
  AgentPresenceDto,
  CallActionsDto,
  CallDto,
  CallRouteDto,
  CardEvent,
  CardPrefs,
  CallNotesDto,
  CaseDto,
  CaseListDto,
  CommandError,
  ContactChangeDto,
  ControlNoticeDto,
  ControlRequestDto,
  ContactDraftDto,
  ContactDto,
  DialEvent,
  DialResult,
  FollowUpDto,
  InviteDto,
  HistoryPageDto,
  HistoryQuery,
  ImportReportDto,
  LookupDto,
  NoteDraftDto,
  NoteDto,
  PopupMode,
  PresenceStatusDto,
  RequestDraftDto,
  RequestSentDto,
  RequestTargetsDto,
  SettingsDto,
  SettingsPatch,
  StatusDto,
  TeamPresenceDto,
  UpdateDto,
} from "./bindings/ipc";

export type * from "./bindings/ipc";

/** Whether a thrown value is the shell's CommandError. */
export function isCommandError(e: unknown): e is CommandError {
  return typeof e === "object" && e !== null && "kind" in e && "message" in e;
}

export const api = {
  status: () => invoke<StatusDto>("status"),
  signIn: (relayUrl: string, token: string) => invoke<SettingsDto>("sign_in", { relayUrl, token }),
  signOut: () => invoke<void>("sign_out"),
  settings: () => invoke<SettingsDto>("settings_get"),
  updateSettings: (patch: SettingsPatch) => invoke<SettingsDto>("settings_update", { patch }),
  uiReady: () => invoke<void>("ui_ready"),
  invitePending: () => invoke<InviteDto | null>("invite_pending"),
  inviteAccept: () => invoke<SettingsDto>("invite_accept"),
  inviteDismiss: () => invoke<void>("invite_dismiss"),
  updateStatus: () => invoke<UpdateDto>("update_status"),
  updateCheck: () => invoke<UpdateDto>("update_check"),
  updateInstall: () => invoke<UpdateDto>("update_install"),
  contacts: (search: string) => invoke<ContactDto[]>("contacts_list", { search }),
  /** `team` for a new contact (absent: the team when signed in); `crmUrl` for a team contact. */
  saveContact: (id: number | null, draft: ContactDraftDto, team: boolean | null = null, crmUrl: string | null = null) =>
    invoke<ContactDto>("contact_save", { id, draft, team, crmUrl }),
  deleteContact: (id: number) => invoke<void>("contact_delete", { id }),
  importContacts: (bytes: Uint8Array) => invoke<ImportReportDto>("contacts_import", bytes),
  lookup: (number: string) => invoke<LookupDto>("lookup_number", { number }),
  attachNumber: (contactId: number, number: string) => invoke<ContactDto>("attach_number", { contactId, number }),
  contactHistory: (id: number) => invoke<ContactChangeDto[]>("contact_history", { id }),
  openCrm: (url: string) => invoke<void>("open_crm_link", { url }),
  contactFromCall: (callId: string, name: string) => invoke<ContactDto>("contact_from_call", { callId, name }),
  history: (query: HistoryQuery) => invoke<HistoryPageDto>("history_page", { query }),
  followups: (all: boolean) => invoke<FollowUpDto[]>("followups_list", { all }),
  closeFollowup: (caller: string) => invoke<void>("followup_close", { caller }),
  dial: (number: string, scenario: string | null = null) => invoke<DialResult>("dial", { number, scenario }),
  scenarios: () => invoke<CallRouteDto[]>("scenarios_list"),
  cases: () => invoke<CaseListDto>("cases_list"),
  caseClaim: (key: string) => invoke<CaseDto>("case_claim", { key }),
  caseRelease: (key: string) => invoke<CaseDto>("case_release", { key }),
  caseClose: (key: string, reason: string | null) => invoke<CaseDto>("case_close", { key, reason }),
  caseDial: (key: string, number: string) => invoke<DialResult>("case_dial", { key, number }),
  caseCalls: (callIds: string[]) => invoke<CallDto[]>("case_calls", { callIds }),
  callNotes: (callIds: string[]) => invoke<CallNotesDto[]>("call_notes", { callIds }),
  addNote: (callId: string, draft: NoteDraftDto) => invoke<NoteDto>("note_add", { callId, draft }),
  tags: () => invoke<string[]>("tags_list"),
  requestTargets: () => invoke<RequestTargetsDto>("request_targets"),
  sendRequest: (draft: RequestDraftDto) => invoke<RequestSentDto>("request_send", { draft }),
  liveCards: () => invoke<CardEvent[]>("live_cards"),
  cardPrefs: () => invoke<CardPrefs>("card_prefs"),
  cardFit: (height: number) => invoke<void>("card_window_fit", { height }),
  cardHide: () => invoke<void>("card_window_hide"),
  cardRendered: (callId: string, state: string, receivedMs: number) =>
    invoke<void>("card_rendered", { callId, state, receivedMs }),
  openInMain: (target: string) => invoke<void>("open_in_main", { target }),
  callActions: (callId: string) => invoke<CallActionsDto>("call_actions", { callId }),
  callControl: (callId: string, request: ControlRequestDto) => invoke<void>("call_control", { callId, request }),
  teamPresence: () => invoke<TeamPresenceDto>("team_presence"),
  presenceMine: () => invoke<AgentPresenceDto | null>("presence_mine"),
  presenceSet: (status: PresenceStatusDto, reason: string | null = null) =>
    invoke<AgentPresenceDto>("presence_set", { status, reason }),
  breakReasons: () => invoke<string[]>("break_reasons"),
};

/** The events the shell sends, by name. */
export interface ShellEvents {
  status: StatusDto;
  card: CardEvent;
  "call-updated": CallDto;
  "followups-changed": null;
  "prefs-changed": PopupMode;
  dial: DialEvent;
  "shortcut-no-number": null;
  open: string;
  invite: InviteDto | null;
  update: UpdateDto;
  "directory-changed": null;
  presence: AgentPresenceDto;
  "presence-failed": CommandError;
  "call-control": ControlNoticeDto;
  "case-changed": CaseDto;
  "note-added": NoteDto;
}

export function on<K extends keyof ShellEvents>(name: K, handler: (payload: ShellEvents[K]) => void): Promise<UnlistenFn> {
  return listen<ShellEvents[K]>(name, (e) => handler(e.payload));
}
