import { afterEach, describe, expect, it } from "vitest";
import type { AgentPresenceDto, CallActionsDto, CardDto, ControlNoticeDto } from "../bindings/ipc";
import { setLanguage } from "../i18n";
import {
  buttonOfKey,
  coachButtons,
  controlButtons,
  handsOff,
  heldAfter,
  addNotice,
  keepHandedOff,
  NOTICE_CALLS,
  noticeText,
  pickerEntries,
  tooltip,
  transferKinds,
  transferPath,
  type ControlState,
} from "./control";

afterEach(() => setLanguage("ru"));

const uis: CallActionsDto = {
  call_id: "uis:1",
  provider: "uis",
  actions: ["hold", "resume", "hangup", "transfer", "transfer_complete", "transfer_cancel"],
  blind_transfer: true,
  attended_transfer: true,
  coach_modes: [],
};
const sipuni: CallActionsDto = {
  call_id: "sipuni:1",
  provider: "sipuni",
  actions: ["hangup"],
  blind_transfer: false,
  attended_transfer: false,
  coach_modes: [],
};

function state(extra: Partial<ControlState>): ControlState {
  return { actions: uis, actionsError: "", held: false, consulting: null, busy: false, ...extra };
}

const byId = (s: ControlState) => Object.fromEntries(controlButtons(s).map((b) => [b.id, b]));

describe("the card's buttons", () => {
  it("offers transfer, hold and hang up on UIS, each with its shortcut", () => {
    const buttons = controlButtons(state({}));
    expect(buttons.map((b) => [b.id, b.enabled])).toEqual([
      ["transfer", true],
      ["hold", true],
      ["hangup", true],
    ]);
    expect(tooltip(buttons[1])).toBe("Удержание — Alt+H");
  });

  it("shows what Sipuni cannot do disabled, with the reason", () => {
    const b = byId(state({ actions: sipuni }));
    expect(b.transfer.enabled).toBe(false);
    expect(b.transfer.why).toBe("Sipuni не даёт это сделать через API");
    expect(b.hold.enabled).toBe(false);
    expect(tooltip(b.hold)).toBe("Sipuni не даёт это сделать через API (Alt+H)");
    expect(b.hangup.enabled).toBe(true);
  });

  it("a PBX with attended transfers only still offers the transfer", () => {
    const b = byId(state({ actions: { ...uis, blind_transfer: false } }));
    expect(b.transfer.enabled).toBe(true);
    expect(transferKinds({ ...uis, blind_transfer: false })).toEqual({
      blind: "UIS не умеет переводить сразу — только с разговором",
      attended: "",
    });
  });

  it("while held: resume instead of hold; while consulting: connect and go back", () => {
    expect(byId(state({ held: true })).resume.label).toBe("Снять с удержания");
    const consulting = controlButtons(state({ consulting: "Игорь", held: true }));
    expect(consulting.map((b) => b.id)).toEqual(["complete", "cancel", "hangup"]);
    expect(consulting.every((b) => b.enabled)).toBe(true);
  });

  it("nothing is enabled until the relay answered, or when it failed or is busy", () => {
    expect(controlButtons(state({ actions: null })).some((b) => b.enabled)).toBe(false);
    const failed = controlButtons(state({ actions: null, actionsError: "Нет связи с релеем" }));
    expect(failed[0].why).toBe("Релей не сказал, что можно сделать с этим вызовом: Нет связи с релеем");
    expect(byId(state({ busy: true })).hangup.why).toBe("Выполняется…");
  });

  it("keys by their place on the keyboard (a Russian layout too), with Alt only", () => {
    const buttons = controlButtons(state({}));
    const key = (code: string, extra: Partial<KeyboardEvent> = {}) =>
      buttonOfKey({ altKey: true, ctrlKey: false, metaKey: false, code, ...extra }, buttons)?.id ?? null;
    expect(key("KeyT")).toBe("transfer");
    expect(key("KeyH")).toBe("hold");
    expect(key("KeyE")).toBe("hangup");
    expect(key("KeyT", { ctrlKey: true })).toBeNull();
    expect(key("KeyT", { altKey: false })).toBeNull();
    const consulting = controlButtons(state({ consulting: "Игорь" }));
    expect(buttonOfKey({ altKey: true, ctrlKey: false, metaKey: false, code: "Enter" }, consulting)?.id).toBe("complete");
    expect(buttonOfKey({ altKey: true, ctrlKey: false, metaKey: false, code: "Backspace" }, consulting)?.id).toBe("cancel");
  });

  it("English words too", () => {
    setLanguage("en");
    expect(byId(state({ actions: sipuni })).hold.why).toBe("Sipuni does not allow this through its API");
  });
});

const person = (agent: string, extra: Partial<AgentPresenceDto> = {}): AgentPresenceDto => ({
  agent,
  status: "available",
  reason: null,
  on_call: false,
  supervisor: false,
  ...extra,
});

describe("the transfer picker's list", () => {
  const team = [
    person("Анна"),
    person("Борис", { status: "break", reason: "Обед" }),
    person("Вера", { on_call: true }),
    person("Игорь"),
    person("Дина", { status: null }),
  ];

  it("leaves me out, puts the free first, then those on a call, breaks last", () => {
    const list = pickerEntries(team, "", "анна");
    expect(list.map((e) => [e.to, e.tone])).toEqual([
      ["Игорь", "free"],
      ["Вера", "on_call"],
      ["Дина", "unknown"],
      ["Борис", "break"],
    ]);
    expect(list[3].detail).toBe("Перерыв (Обед)");
    expect(list[1].detail).toBe("На месте, на звонке");
  });

  it("finds by any part of the name, and offers a typed number", () => {
    expect(pickerEntries(team, "гор", null).map((e) => e.to)).toEqual(["Игорь"]);
    const typed = pickerEntries(team, "8 926 123-45-67", "Анна");
    expect(typed[0]).toMatchObject({ to: "8 926 123-45-67", tone: "number", label: "На номер 8 926 123-45-67" });
    expect(pickerEntries(team, "203", null)[0].to).toBe("203");
    expect(pickerEntries(team, "Зоя", null)).toEqual([]);
  });
});

const notice = (extra: Partial<ControlNoticeDto>): ControlNoticeDto => ({
  call_id: "uis:1",
  action: "transfer",
  by: "Анна",
  to: "Игорь",
  to_me: false,
  by_me: false,
  notes: [],
  ...extra,
});

describe("what was done to a call", () => {
  it("says who transfers to whom, and to the colleague that it is theirs", () => {
    expect(noticeText(notice({}))).toBe("Анна переводит вызов: Игорь");
    expect(noticeText(notice({ to_me: true }))).toBe("Анна переводит вызов вам");
    expect(noticeText(notice({ action: "hold", to: null }))).toBe("Анна: клиент на удержании");
  });

  it("follows hold and resume by anyone, and withdraws the card once I completed a transfer", () => {
    expect(heldAfter([notice({ action: "hold" })], false)).toBe(true);
    expect(heldAfter([notice({ action: "hold" }), notice({ action: "resume" })], false)).toBe(false);
    expect(handsOff(notice({ action: "transfer_complete", by_me: true }))).toBe(true);
    expect(handsOff(notice({ action: "transfer_complete", by_me: false }))).toBe(false);
    expect(handsOff(notice({ action: "transfer", by_me: true }))).toBe(false);
  });

  it("a handed-off card gets a time to leave, once, and keeps it through later updates", () => {
    const card = { call: { call_id: "uis:1" } } as CardDto;
    const other = { call: { call_id: "uis:2" } } as CardDto;
    const stack = [
      { card, since: 0, leaveAt: null },
      { card: other, since: 0, leaveAt: null },
    ];
    const once = keepHandedOff(stack, new Set(["uis:1"]), 1000);
    expect(once.map((e) => e.leaveAt)).toEqual([4000, null]);
    expect(keepHandedOff(once, new Set(["uis:1"]), 2000)).toBe(once);
    expect(keepHandedOff(stack, new Set(), 1000)).toBe(stack);
  });

  it("keeps each call's notices in order, and the latest calls only", () => {
    let all = addNotice({}, notice({ action: "hold" }));
    all = addNotice(all, notice({ action: "resume" }));
    expect(all["uis:1"].map((n) => n.action)).toEqual(["hold", "resume"]);
    for (let i = 0; i < NOTICE_CALLS + 5; i++) all = addNotice(all, notice({ call_id: `uis:x${i}` }));
    expect(Object.keys(all)).toHaveLength(NOTICE_CALLS);
    expect(all["uis:1"]).toBeUndefined();
    // A call heard of again counts as the latest.
    all = addNotice(all, notice({ call_id: "uis:x5", action: "hangup" }));
    expect(Object.keys(all).at(-1)).toBe("uis:x5");
    expect(all["uis:x5"]).toHaveLength(2);
  });

  it("history names a transfer's employees in order", () => {
    const e = (name: string) => ({ name, extension: null, id: null, phone: null });
    expect(transferPath({ answered_legs: [e("Анна"), e("Игорь")] })).toBe("Анна → Игорь");
    expect(transferPath({ answered_legs: [e("Анна")] })).toBe("");
  });
});

describe("a supervisor's ways into a call", () => {
  it("Sipuni: listen and whisper; nobody can barge in", () => {
    const b = coachButtons({ ...sipuni, actions: ["hangup", "coach"], coach_modes: ["listen", "whisper"] });
    expect(b.map((x) => [x.id, x.enabled])).toEqual([
      ["listen", true],
      ["whisper", true],
      ["barge", false],
    ]);
    expect(b[2].title).toBe("Ни UIS, ни Sipuni не дают вмешаться в разговор через API");
  });

  it("UIS: one «Подключиться», the modes disabled with why", () => {
    const b = coachButtons({ ...uis, actions: [...uis.actions, "coach"] });
    expect(b.map((x) => [x.id, x.enabled, x.mode])).toEqual([
      ["listen", false, "listen"],
      ["whisper", false, "whisper"],
      ["barge", false, null],
      ["join", true, null],
    ]);
    expect(b[0].title).toContain("как настроен коучинг");
  });

  it("no coach offered: every button says why", () => {
    const b = coachButtons(uis);
    expect(b.every((x) => !x.enabled)).toBe(true);
    expect(b[0].title).toBe("UIS не даёт супервизору подключиться к этому вызову");
    expect(coachButtons(null, "403")[0].title).toContain("403");
  });
});
