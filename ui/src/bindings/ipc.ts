// Generated from src-tauri/src/dto by `UPDATE_BINDINGS=1 cargo test -p trubka bindings`.
// Do not edit by hand: a test fails when this file and the Rust types differ.

export type ErrorKind = "not_signed_in" | "unauthorized" | "network" | "relay" | "dial_not_supported" | "bad_number" | "bad_url" | "invalid" | "not_found" | "storage" | "io" | "keyring" | "internal" | "conflict" | "forbidden" | "invite_used" | "invite_expired" | "invite_revoked" | "invite_unknown";

export type CommandError = { kind: ErrorKind, message: string, };

export type ConnectionDto = { "state": "signed_out" } | { "state": "connecting" } | { "state": "connected", agent: string, } | { "state": "reconnecting", attempt: number, retry_at: string, error: string, } | { "state": "token_revoked" } | { "state": "rejected", code: number, reason: string, };

export type Notice = { "kind": "keyring_fallback", path: string, detail: string, } | { "kind": "notifications_unavailable", detail: string, } | { "kind": "shortcut_unavailable", shortcut: string, detail: string, } | { "kind": "resynced", count: number, };

export type StatusDto = { connection: ConnectionDto, notices: Array<Notice>, open_followups: number, missed_calls: number, };

export type PopupMode = "ring" | "answer" | "off";

export type Language = "ru" | "en";

export type SettingsDto = { relay_url: string | null, 
/**
 * The signed-in agent's name.
 */
agent: string | null, 
/**
 * The signed-in agent is a supervisor (may delete team contacts), as the relay said at
 * sign-in.
 */
supervisor: boolean, 
/**
 * Contact fields shown on a card, in order.
 */
card_fields: Array<string>, 
/**
 * Fields that can be chosen: the built-in ones and every extra field in the contacts.
 */
available_fields: Array<string>, popup: PopupMode, sound: boolean, language: Language, autostart: boolean, 
/**
 * The global shortcut that dials the selected or copied number.
 */
shortcut: string, 
/**
 * A break while the screen is locked or the system sleeps (off by default).
 */
auto_break: boolean, 
/**
 * The global shortcut that starts and ends a break.
 */
break_shortcut: string, 
/**
 * Open the caller's contact in the main window when this agent answers (off by default).
 */
open_contact_on_answer: boolean, 
/**
 * Where the token is kept: `keyring` or `file`.
 */
token_store: string, 
/**
 * The profile folder.
 */
profile_dir: string, };

export type SettingsPatch = { card_fields?: Array<string>, popup?: PopupMode, sound?: boolean, language?: Language, autostart?: boolean, auto_break?: boolean, open_contact_on_answer?: boolean, };

export type NumberDto = { raw: string, label: string | null, 
/**
 * The extra field it was found in, for numbers that are not phone entries.
 */
field: string | null, 
/**
 * E.164 when the number is valid; dialling uses it.
 */
e164: string | null, };

export type TeamDto = { 
/**
 * The relay's id of the contact.
 */
id: number, 
/**
 * The directory version of its last change.
 */
version: number, 
/**
 * Who made the last change: an agent's name, `import` or `admin`.
 */
updated_by: string | null, 
/**
 * When, RFC 3339 UTC.
 */
updated_at: string, };

export type ContactDto = { id: number, name: string, company: string | null, email: string | null, position: string | null, notes: string | null, numbers: Array<NumberDto>, fields: { [key in string]?: string }, 
/**
 * The team directory's contact (`null`: private, kept on this desktop only).
 */
team: TeamDto | null, 
/**
 * «Открыть в CRM»: the client's page in the CRM.
 */
crm_url: string | null, };

export type ChangeActionDto = "created" | "edited" | "number_attached" | "deleted" | "imported";

export type ContactChangeDto = { 
/**
 * The directory version this change made.
 */
version: number, 
/**
 * When, RFC 3339 UTC.
 */
at: string, 
/**
 * An agent's name, `import` or `admin`.
 */
author: string, action: ChangeActionDto, 
/**
 * The fields it set or cleared: `name`, `phones`, `crm_url`, an extra field's name, …
 */
changed: Array<string>, };

export type PhoneDraftDto = { raw: string, label: string | null, };

export type ContactDraftDto = { name: string, company: string | null, email: string | null, position: string | null, notes: string | null, phones: Array<PhoneDraftDto>, fields: { [key in string]?: string }, };

export type BadRowDto = { line: number, kind: string, value: string | null, 
/**
 * The engine's own sentence.
 */
message: string, };

export type RowWarningDto = { line: number, message: string, };

export type ImportReportDto = { format: string, encoding: string, imported: number, unchanged: number, bad_rows: Array<BadRowDto>, warnings: Array<RowWarningDto>, };

export type MatchDto = { contact: ContactDto, 
/**
 * `e164_equal`, `national_equal`, `field_e164_equal` or `field_national_equal`.
 */
rule: string, explanation: string, };

export type LookupDto = { query: string, matches: Array<MatchDto>, no_match: string | null, };

export type EmployeeDto = { name: string | null, extension: string | null, id: string | null, 
/**
 * The phone or SIP line UIS reported for the employee, when it named them that way.
 */
phone: string | null, };

export type CallDto = { call_id: string, provider: string | null, 
/**
 * `in`, `out` or `internal`.
 */
direction: string, 
/**
 * `ringing`, `talking` or `ended`.
 */
status: string, outcome: string | null, missed: boolean, phone: string | null, phone_raw: string, 
/**
 * The number for people to read (`+7 926 123-45-67`), or what the PBX sent.
 */
number: string, 
/**
 * The best matching contact's name (history) or the PBX's name for the customer.
 */
name: string | null, line: string | null, started_at: string, answered_at: string | null, ended_at: string | null, wait: number | null, talk: number | null, answered_by: EmployeeDto | null, 
/**
 * Every employee who talked to the caller, in the order they handed the call on: more
 * than one after a transfer ([`talked_legs`]).
 */
answered_legs: Array<EmployeeDto>, recordings: Array<string>, scenario: string | null, tags: Array<string>, };

export type HistoryFilterDto = "all" | "in" | "out" | "missed";

export type CursorDto = { started_at: number, id: number, };

export type HistoryQuery = { filter: HistoryFilterDto, search?: string, before?: CursorDto, limit?: number, };

export type HistoryPageDto = { calls: Array<CallDto>, next: CursorDto | null, };

export type FollowUpDto = { id: number, 
/**
 * E.164.
 */
caller: string, 
/**
 * For people to read.
 */
number: string, name: string | null, open: boolean, missed_count: number, first_missed_at: string, last_missed_at: string, 
/**
 * The missed calls' ids, oldest first.
 */
calls: Array<string>, closed_reason: string | null, };

export type CardStateDto = "ringing_here" | "ringing" | "dialing" | "answered_here" | "talking" | "answered_elsewhere" | "ended" | "missed";

export type CardFieldDto = { key: string, value: string, };

export type CardDto = { call: CallDto, state: CardStateDto, 
/**
 * A colleague took the call: the card withdraws.
 */
withdrawn: boolean, title: string, 
/**
 * The number for people to read.
 */
number: string, 
/**
 * The best matching contact, when any matched.
 */
contact_id: number | null, company: string | null, 
/**
 * Why the best contact matched.
 */
explanation: string | null, 
/**
 * The best contact is the team directory's (`false`: private, or no contact).
 */
team_contact: boolean, 
/**
 * Who last changed the best contact, when it is the team's, and when (RFC 3339).
 */
updated_by: string | null, updated_at: string | null, 
/**
 * No contact knows the number and the title and fields come from the CRM.
 */
from_crm: boolean, 
/**
 * «Открыть в CRM»: the best contact's CRM link, else the CRM answer's.
 */
crm_url: string | null, several_matches: boolean, fields: Array<CardFieldDto>, recent_calls: Array<CallDto>, 
/**
 * The caller's open follow-up (earlier missed calls), if any.
 */
followup: FollowUpDto | null, 
/**
 * Milliseconds since the Unix epoch when the shell received this update (latency probe).
 */
received_ms: number, };

export type DialResult = { 
/**
 * The number dialled, E.164.
 */
number: string, call_id: string, };

export type PersonDto = { 
/**
 * The agent's name in Trubka.
 */
agent: string | null, name: string | null, extension: string | null, id: string | null, phone: string | null, };

export type CallbackDto = { call_id: string, by: PersonDto | null, at: string, answered: boolean, recorded: boolean, };

export type GistDto = { call_id: string, by: PersonDto | null, at: string, text: string, };

export type ClosureDto = { at: string, by: PersonDto | null, reason: string | null, 
/**
 * `manual`, `not_attached` or `new_case`.
 */
cause: string, new_case: string | null, };

export type ClaimDto = { agent: string, at: string, expires_at: string, 
/**
 * The signed-in agent holds it.
 */
mine: boolean, };

export type CaseDto = { key: string, 
/**
 * `missed`, `incoming` or `outgoing`.
 */
kind: string, 
/**
 * `open`, `waiting` or `closed`.
 */
status: string, 
/**
 * E.164 (what dialling takes); `None`: a hidden number.
 */
phone: string | null, 
/**
 * The number for people to read; `None`: a hidden number.
 */
number: string | null, 
/**
 * The matching contact's name, else the name the PBX gave.
 */
name: string | null, 
/**
 * Incoming calls of the case nobody answered.
 */
missed: number, responsible: PersonDto | null, 
/**
 * The signed-in agent is the responsible.
 */
responsible_mine: boolean, opened_at: string, updated_at: string, calls: Array<string>, callbacks: Array<CallbackDto>, 
/**
 * A call-back reached the client (the receiver turns green).
 */
reached: boolean, gists: Array<GistDto>, closure: ClosureDto | null, claim: ClaimDto | null, version: number, };

export type CaseListDto = { cases: Array<CaseDto>, 
/**
 * `false`: the relay did not answer; these are the last known cases and may be stale.
 */
fresh: boolean, 
/**
 * When the cases were last received from the relay (`None`: never).
 */
received_at: string | null, };

export type NoteDto = { id: number, call_id: string, author: string, at: string, text: string, tags: Array<string>, };

export type CallNotesDto = { call_id: string, notes: Array<NoteDto>, error: string | null, };

export type NoteDraftDto = { text: string, tags: Array<string>, };

export type CallRouteDto = { name: string, 
/**
 * `uis` or `sipuni`.
 */
provider: string, id: string, };

export type RequestSiteDto = { id: number, name: string, };

export type RequestCampaignDto = { id: number, name: string, site: string | null, active: boolean, };

export type RequestTargetsDto = { sites: Array<RequestSiteDto>, campaigns: Array<RequestCampaignDto>, };

export type RequestDraftDto = { phone: string, message: string, name: string | null, site: string | null, campaign: string | null, };

export type RequestSentDto = { id: number, phone: string, site: string | null, campaign: string | null, };

export type DialSource = "link" | "shortcut" | "notification" | "card";

export type DialEvent = { source: DialSource, 
/**
 * What was asked for, as typed.
 */
text: string, result: DialResult | null, error: CommandError | null, };

export type CardEvent = { card: CardDto, 
/**
 * Whether this update may bring the card on screen (the popup mode says so); updates
 * of cards already on screen are shown anyway.
 */
pop: boolean, };

export type CardPrefs = { language: Language, sound: boolean, };

export type InviteDto = { 
/**
 * The relay the link signs in to.
 */
relay: string, 
/**
 * Who it signs in, once the relay said.
 */
agent: string | null, 
/**
 * RFC 3339, once the relay said.
 */
expires_at: string | null, 
/**
 * Still asking the relay.
 */
checking: boolean, 
/**
 * Why the link cannot be used (used, expired, revoked, unknown, no relay).
 */
error: CommandError | null, };

export type UpdatePhase = "idle" | "checking" | "current" | "available" | "downloading" | "installing" | "installed" | "unpackaged" | "failed" | "no_key";

export type UpdateDto = { phase: UpdatePhase, 
/**
 * This app's version.
 */
current_version: string, 
/**
 * The newer version, once found.
 */
version: string | null, 
/**
 * What is new, as the admin wrote it.
 */
notes: string | null, 
/**
 * Bytes downloaded so far, and of how many (when the relay said).
 */
downloaded: number, total: number | null, 
/**
 * Why the check or the install failed: the updater's own words (a refused signature,
 * an unreachable relay, a package the system would not install).
 */
error: string | null, };

export type ControlActionDto = "hold" | "resume" | "hangup" | "transfer" | "transfer_complete" | "transfer_cancel" | "coach";

export type CoachModeDto = "listen" | "whisper";

export type CallActionsDto = { call_id: string, 
/**
 * `uis` or `sipuni`: the tooltips of what is not offered name the PBX.
 */
provider: string, actions: Array<ControlActionDto>, blind_transfer: boolean, attended_transfer: boolean, coach_modes: Array<CoachModeDto>, };

export type ControlRequestDto = { "action": "hold" } | { "action": "resume" } | { "action": "hangup" } | { "action": "transfer", to: string, attended: boolean, } | { "action": "transfer_complete" } | { "action": "transfer_cancel" } | { "action": "coach", mode?: CoachModeDto, };

export type CallNoteDto = { author: string, at: string, text: string, tags: Array<string>, };

export type ControlNoticeDto = { call_id: string, action: ControlActionDto, 
/**
 * The agent who did it.
 */
by: string, 
/**
 * A transfer's colleague or number.
 */
to: string | null, 
/**
 * Whether `to` is this agent: the call is being handed to them.
 */
to_me: boolean, 
/**
 * Whether `by` is this agent.
 */
by_me: boolean, 
/**
 * The notes on the call so far, for the colleague it is handed to (empty otherwise).
 */
notes: Array<CallNoteDto>, };

export type PresenceStatusDto = "available" | "break" | "dnd" | "offline";

export type AgentPresenceDto = { agent: string, 
/**
 * `null` until the relay has read it from the PBX.
 */
status: PresenceStatusDto | null, reason: string | null, on_call: boolean, supervisor: boolean, };

export type TeamPresenceDto = { me: string | null, supervisor: boolean, agents: Array<AgentPresenceDto>, };
