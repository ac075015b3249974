// Call control on the card (issue 11), as pure functions the card renders: which buttons a call
// in progress gets, each enabled or disabled with the reason why (never a button that fails),
// their keyboard shortcuts, the transfer picker's list, the notices of what was done to a call,
// and the stack bookkeeping for a card whose call was handed to a colleague.
import type {
  AgentPresenceDto,
  CallActionsDto,
  CallDto,
  CardDto,
  ControlActionDto,
  ControlNoticeDto,
  PresenceStatusDto,
} from "../bindings/ipc";
import { t, type Key } from "../i18n";
import { employee } from "../format";
import type { StackEntry } from "./cardStack";

/** The card's buttons. `transfer` opens the picker; `complete`/`cancel` end a consultation. */
export type ButtonId = "transfer" | "hold" | "resume" | "hangup" | "complete" | "cancel";

export interface ControlButton {
  id: ButtonId;
  label: string;
  /** What it sends (`transfer` opens the picker first). */
  action: ControlActionDto;
  enabled: boolean;
  /** Why it is disabled (the tooltip), empty when enabled. */
  why: string;
  /** The keyboard shortcut, as shown in the tooltip. */
  keys: string;
}

/** What the card knows of the call beyond the card itself. */
export interface ControlState {
  /** `null` while the relay's answer is awaited; an error text when it failed. */
  actions: CallActionsDto | null;
  actionsError: string;
  held: boolean;
  /** The colleague or number of an attended transfer in progress. */
  consulting: string | null;
  /** An action on its way to the relay. */
  busy: boolean;
}

/** Shortcuts by `KeyboardEvent.code` with Alt, so they work in any keyboard layout. */
export const SHORTCUTS: Record<ButtonId, { code: string; keys: string }> = {
  transfer: { code: "KeyT", keys: "Alt+T" },
  hold: { code: "KeyH", keys: "Alt+H" },
  resume: { code: "KeyH", keys: "Alt+H" },
  hangup: { code: "KeyE", keys: "Alt+E" },
  complete: { code: "Enter", keys: "Alt+Enter" },
  cancel: { code: "Backspace", keys: "Alt+Backspace" },
};

const LABELS: Record<ButtonId, Key> = {
  transfer: "control.transfer",
  hold: "control.hold",
  resume: "control.resume",
  hangup: "control.hangup",
  complete: "control.complete",
  cancel: "control.cancel",
};

const ACTION: Record<ButtonId, ControlActionDto> = {
  transfer: "transfer",
  hold: "hold",
  resume: "resume",
  hangup: "hangup",
  complete: "transfer_complete",
  cancel: "transfer_cancel",
};

/** The PBX's name as agents know it. */
export function providerName(provider: string): string {
  if (provider === "uis") return "UIS";
  if (provider === "sipuni") return "Sipuni";
  return provider;
}

/** Whether the card is of a call in progress that this agent is talking on. */
export function controllable(card: CardDto): boolean {
  return card.state === "answered_here" && card.call.status === "talking" && !card.withdrawn;
}

/**
 * The buttons of a call in progress, in order. What the PBX cannot do is disabled with its
 * reason; so is what does not fit the moment (resume when nothing is held, transfer during a
 * consultation), so the agent sees every action and why it waits.
 */
export function controlButtons(state: ControlState): ControlButton[] {
  const ids: ButtonId[] = state.consulting
    ? ["complete", "cancel", "hangup"]
    : ["transfer", state.held ? "resume" : "hold", "hangup"];
  return ids.map((id) => {
    const why = whyNot(id, state);
    return { id, label: t(LABELS[id]), action: ACTION[id], enabled: why === "", why, keys: SHORTCUTS[id].keys };
  });
}

function whyNot(id: ButtonId, state: ControlState): string {
  const { actions } = state;
  if (!actions) return state.actionsError ? t("control.why.unknown", { error: state.actionsError }) : t("control.working");
  const provider = providerName(actions.provider);
  if (!actions.actions.includes(ACTION[id])) return t("control.why.provider", { provider });
  if (id === "transfer" && !actions.blind_transfer && !actions.attended_transfer) return t("control.why.provider", { provider });
  if (state.busy) return t("control.working");
  return "";
}

/** Which button a key press means, if any (Alt + the button's key, no Ctrl or Meta). */
export function buttonOfKey(e: Pick<KeyboardEvent, "altKey" | "ctrlKey" | "metaKey" | "code">, buttons: ControlButton[]): ControlButton | null {
  if (!e.altKey || e.ctrlKey || e.metaKey) return null;
  return buttons.find((b) => SHORTCUTS[b.id].code === e.code) ?? null;
}

/** The tooltip of a button: the reason it is disabled, or its label with its shortcut. */
export function tooltip(b: ControlButton): string {
  return b.enabled ? t("control.keys", { label: b.label, keys: b.keys }) : `${b.why} (${b.keys})`;
}

/** The two kinds of transfer, each with why it is not possible (empty when it is). */
export function transferKinds(actions: CallActionsDto | null): { blind: string; attended: string } {
  if (!actions) return { blind: t("control.working"), attended: t("control.working") };
  const provider = providerName(actions.provider);
  return {
    blind: actions.blind_transfer ? "" : t("control.why.no_blind", { provider }),
    attended: actions.attended_transfer ? "" : t("control.why.no_attended", { provider }),
  };
}

/** A colleague in the transfer picker. */
export interface PickerEntry {
  /** What `transfer`'s `to` takes: the agent's name, or the number as typed. */
  to: string;
  label: string;
  /** `free`, `on_call`, `break`, `dnd`, `offline`, `unknown`, or `number`. */
  tone: string;
  /** The status in words: «На месте», «на звонке», «Перерыв (Обед)». */
  detail: string;
}

const STATUS_KEY: Record<PresenceStatusDto, Key> = {
  available: "presence.available",
  break: "presence.break",
  dnd: "presence.dnd",
  offline: "presence.offline",
};

/** A status in words with its reason: «Перерыв (Обед)». */
export function statusText(p: Pick<AgentPresenceDto, "status" | "reason"> | null): string {
  const word = p?.status ? t(STATUS_KEY[p.status]) : t("presence.unknown");
  return p?.reason ? `${word} (${p.reason})` : word;
}

function toneOf(p: AgentPresenceDto): string {
  if (p.on_call) return "on_call";
  if (!p.status) return "unknown";
  return p.status === "available" ? "free" : p.status;
}

/** Order in the picker: free first, then on a call, then the rest. */
const TONE_ORDER = ["free", "on_call", "unknown", "dnd", "break", "offline"];

/** Whether typed text is meant as a number: digits with the usual separators, 2 digits or more. */
export function looksLikeNumber(text: string): boolean {
  const trimmed = text.trim();
  return /^\+?[\d\s()\-.]+$/.test(trimmed) && trimmed.replace(/\D/g, "").length >= 2;
}

/**
 * The colleagues matching `query` (by any part of the name, any letter case), the agent
 * themself left out, free ones first; and the typed number as its own entry.
 */
export function pickerEntries(team: AgentPresenceDto[], query: string, me: string | null): PickerEntry[] {
  const q = query.trim().toLowerCase();
  const meLower = me?.toLowerCase() ?? null;
  const people = team
    .filter((p) => p.agent.toLowerCase() !== meLower)
    .filter((p) => !q || p.agent.toLowerCase().includes(q))
    .map((p) => ({
      to: p.agent,
      label: p.agent,
      tone: toneOf(p),
      detail: p.on_call ? `${statusText(p)}, ${t("presence.on_call")}` : statusText(p),
    }))
    .sort((a, b) => TONE_ORDER.indexOf(a.tone) - TONE_ORDER.indexOf(b.tone) || a.label.localeCompare(b.label, "ru"));
  if (looksLikeNumber(query)) {
    const number = query.trim();
    return [{ to: number, label: t("control.to_number", { number }), tone: "number", detail: "" }, ...people];
  }
  return people;
}

/** A notice in words, as every card of the call shows it. */
export function noticeText(n: ControlNoticeDto): string {
  const to = n.to ?? "";
  switch (n.action) {
    case "transfer":
      return n.to_me ? t("control.notice.transfer_to_me", { by: n.by }) : t("control.notice.transfer", { by: n.by, to });
    case "transfer_complete":
      return t("control.notice.transfer_complete", { by: n.by });
    case "transfer_cancel":
      return t("control.notice.transfer_cancel", { by: n.by });
    case "hold":
      return t("control.notice.hold", { by: n.by });
    case "resume":
      return t("control.notice.resume", { by: n.by });
    case "hangup":
      return t("control.notice.hangup", { by: n.by });
    case "coach":
      return t("control.notice.coach", { by: n.by });
  }
}

/** Whether the caller is on hold after `notices` (the latest hold or resume wins). */
export function heldAfter(notices: ControlNoticeDto[], held: boolean): boolean {
  let now = held;
  for (const n of notices) {
    if (n.action === "hold") now = true;
    else if (n.action === "resume" || n.action === "transfer_cancel") now = false;
  }
  return now;
}

/** Whether this notice hands this agent's call to a colleague: the card withdraws. */
export function handsOff(n: ControlNoticeDto): boolean {
  return n.by_me && n.action === "transfer_complete";
}

/** How long a handed-off card stays to show it, as a card answered elsewhere does. */
export const HANDED_OFF_MS = 3000;

/** Marks the cards of `handedOff` calls to leave (once; a later card update keeps the time). */
export function keepHandedOff(stack: StackEntry[], handedOff: ReadonlySet<string>, now: number): StackEntry[] {
  let changed = false;
  const next = stack.map((e) => {
    if (!handedOff.has(e.card.call.call_id) || e.leaveAt !== null) return e;
    changed = true;
    return { ...e, leaveAt: now + HANDED_OFF_MS };
  });
  return changed ? next : stack;
}

/** How many calls' notices the card window keeps: a notice may come before its call's card
 * (the colleague a call is transferred to), so they are not tied to the stack. */
export const NOTICE_CALLS = 50;

/** Adds a notice to its call's list; the calls heard of longest ago go past [`NOTICE_CALLS`]. */
export function addNotice(all: Record<string, ControlNoticeDto[]>, n: ControlNoticeDto): Record<string, ControlNoticeDto[]> {
  const { [n.call_id]: list = [], ...rest } = all;
  const kept = Object.entries(rest).slice(-(NOTICE_CALLS - 1));
  return { ...Object.fromEntries(kept), [n.call_id]: [...list, n] };
}

/** «Анна → Игорь» when more than one employee talked to the caller (a transfer), else "". */
export function transferPath(c: Pick<CallDto, "answered_legs">): string {
  const names = c.answered_legs.map(employee).filter((n, i, all) => i === 0 || n !== all[i - 1]);
  return names.length > 1 ? names.join(" → ") : "";
}

/** A supervisor's way into a call in the team view. */
export interface CoachButton {
  id: "listen" | "whisper" | "barge" | "join";
  label: string;
  /** The `mode` sent; `null` for UIS, which joins as the cabinet's coaching says. */
  mode: "listen" | "whisper" | null;
  enabled: boolean;
  /** The reason it is disabled, or what it does. */
  title: string;
}

/**
 * «Слушать», «Подсказывать», «Вмешаться», and for UIS «Подключиться»: Sipuni listens or
 * whispers as asked; UIS `add.coach` has no mode (the employee's coaching in the cabinet
 * decides), so it gets one button and the modes say why; neither PBX can barge in.
 */
export function coachButtons(actions: CallActionsDto | null, error = ""): CoachButton[] {
  const modes = ["listen", "whisper"] as const;
  const label = { listen: t("coach.listen"), whisper: t("coach.whisper") };
  const barge: CoachButton = { id: "barge", label: t("coach.barge"), mode: null, enabled: false, title: t("coach.why.barge") };
  if (!actions) {
    const why = error ? t("control.why.unknown", { error }) : t("control.working");
    return [...modes.map((m) => ({ id: m, label: label[m], mode: m, enabled: false, title: why })), { ...barge, title: why }];
  }
  const provider = providerName(actions.provider);
  const offered = actions.actions.includes("coach");
  const uis = offered && actions.coach_modes.length === 0;
  const buttons: CoachButton[] = modes.map((m) => {
    const why = !offered
      ? t("coach.why.not_offered", { provider })
      : uis
        ? t("coach.why.uis_mode")
        : actions.coach_modes.includes(m)
          ? ""
          : t("coach.why.mode", { provider });
    return { id: m, label: label[m], mode: m, enabled: why === "", title: why || label[m] };
  });
  buttons.push(barge);
  if (uis) buttons.push({ id: "join", label: t("coach.join"), mode: null, enabled: true, title: t("coach.join_uis") });
  return buttons;
}
