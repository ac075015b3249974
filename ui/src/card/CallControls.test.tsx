import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { render } from "preact";
import { act } from "preact/test-utils";
import type { CallActionsDto, CardDto, ControlRequestDto, TeamPresenceDto } from "../ipc";
import { setLanguage } from "../i18n";

const callActions = vi.fn<(id: string) => Promise<CallActionsDto>>();
const callControl = vi.fn<(id: string, r: ControlRequestDto) => Promise<void>>();
const teamPresence = vi.fn<() => Promise<TeamPresenceDto>>();
vi.mock("../ipc", async (original) => ({
  ...(await original<typeof import("../ipc")>()),
  api: {
    callActions: (id: string) => callActions(id),
    callControl: (id: string, r: ControlRequestDto) => callControl(id, r),
    teamPresence: () => teamPresence(),
  },
  on: () => Promise.resolve(() => undefined),
}));

const { CallControls } = await import("./CallControls");

const uis: CallActionsDto = {
  call_id: "uis:7",
  provider: "uis",
  actions: ["hold", "resume", "hangup", "transfer", "transfer_complete", "transfer_cancel"],
  blind_transfer: true,
  attended_transfer: true,
  coach_modes: [],
};

const card = { call: { call_id: "uis:7", status: "talking" }, state: "answered_here", withdrawn: false } as CardDto;

let root: HTMLDivElement;
let handedOff: ReturnType<typeof vi.fn>;
beforeEach(() => {
  root = document.createElement("div");
  document.body.append(root);
  callActions.mockReset();
  callControl.mockReset();
  teamPresence.mockReset();
  handedOff = vi.fn();
  teamPresence.mockResolvedValue({
    me: "Анна",
    supervisor: false,
    agents: [
      { agent: "Анна", status: "available", reason: null, on_call: true, supervisor: false },
      { agent: "Игорь", status: "available", reason: null, on_call: false, supervisor: false },
      { agent: "Борис", status: "break", reason: "Обед", on_call: false, supervisor: false },
    ],
  });
});
afterEach(() => {
  render(null, root);
  root.remove();
  setLanguage("ru");
});

const flush = () => act(async () => await new Promise((r) => setTimeout(r, 0)));
const q = (id: string) => root.querySelector<HTMLElement>(`[data-testid="${id}"]`);
const all = (id: string) => [...root.querySelectorAll<HTMLElement>(`[data-testid="${id}"]`)];

async function show(actions: CallActionsDto) {
  callActions.mockResolvedValue(actions);
  act(() => render(<CallControls card={card} notices={[]} primary onHandedOff={handedOff} />, root));
  await flush();
}

describe("call control on the card", () => {
  it("a Sipuni call: hold and transfer are shown disabled with the reason, and clicking does nothing", async () => {
    await show({ ...uis, call_id: "sipuni:1", provider: "sipuni", actions: ["hangup"], blind_transfer: false, attended_transfer: false });
    const hold = q("control-hold")!;
    expect(hold.getAttribute("aria-disabled")).toBe("true");
    expect(hold.title).toBe("Sipuni не даёт это сделать через API (Alt+H)");
    act(() => hold.click());
    await flush();
    expect(callControl).not.toHaveBeenCalled();
    expect(q("control-hangup")!.getAttribute("aria-disabled")).toBeNull();
  });

  it("hold, then resume; a refusal shows in the relay's words", async () => {
    await show(uis);
    callControl.mockResolvedValue(undefined);
    act(() => q("control-hold")!.click());
    await flush();
    expect(callControl).toHaveBeenLastCalledWith("uis:7", { action: "hold" });
    expect(q("control-held")).not.toBeNull();
    callControl.mockRejectedValue({ kind: "relay", message: "Вызов уже завершён" });
    act(() => q("control-resume")!.click());
    await flush();
    expect(q("control-error")!.textContent).toBe("Вызов уже завершён");
  });

  it("Alt+E hangs up, Alt+H holds (by key position, so a Russian layout works)", async () => {
    await show(uis);
    callControl.mockResolvedValue(undefined);
    act(() => void window.dispatchEvent(new KeyboardEvent("keydown", { altKey: true, code: "KeyH", key: "р" })));
    await flush();
    expect(callControl).toHaveBeenLastCalledWith("uis:7", { action: "hold" });
    act(() => void window.dispatchEvent(new KeyboardEvent("keydown", { altKey: true, code: "KeyE", key: "у" })));
    await flush();
    expect(callControl).toHaveBeenLastCalledWith("uis:7", { action: "hangup" });
  });

  it("an attended transfer from the picker, then «Соединить» hands the call off", async () => {
    await show(uis);
    act(() => q("control-transfer")!.click());
    await flush();
    const entries = all("transfer-entry");
    // Me left out; the free colleague first, the one on a break last.
    expect(entries.map((e) => e.dataset.to)).toEqual(["Игорь", "Борис"]);
    expect(entries[1].textContent).toContain("Перерыв (Обед)");
    callControl.mockResolvedValue(undefined);
    act(() => q("transfer-attended")!.click());
    await flush();
    expect(callControl).toHaveBeenLastCalledWith("uis:7", { action: "transfer", to: "Игорь", attended: true });
    expect(q("transfer-picker")).toBeNull();
    expect(q("control-consulting")!.textContent).toContain("Игорь");
    expect(handedOff).not.toHaveBeenCalled();
    act(() => q("control-complete")!.click());
    await flush();
    expect(callControl).toHaveBeenLastCalledWith("uis:7", { action: "transfer_complete" });
    expect(handedOff).toHaveBeenCalledTimes(1);
  });

  it("a typed number, blind; blind is disabled with why where the PBX cannot", async () => {
    await show(uis);
    act(() => q("control-transfer")!.click());
    await flush();
    const search = q("transfer-search") as HTMLInputElement;
    search.value = "8 926 123-45-67";
    act(() => void search.dispatchEvent(new Event("input", { bubbles: true })));
    callControl.mockResolvedValue(undefined);
    act(() => void search.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", shiftKey: true, bubbles: true })));
    await flush();
    expect(callControl).toHaveBeenLastCalledWith("uis:7", { action: "transfer", to: "8 926 123-45-67", attended: false });
    expect(handedOff).toHaveBeenCalledTimes(1);

    render(null, root);
    await show({ ...uis, blind_transfer: false });
    act(() => q("control-transfer")!.click());
    await flush();
    expect(q("transfer-blind")!.title).toBe("UIS не умеет переводить сразу — только с разговором");
    callControl.mockClear();
    act(() => q("transfer-blind")!.click());
    await flush();
    expect(callControl).not.toHaveBeenCalled();
  });
});

describe("what every card of the call shows", () => {
  it("the colleague a call is transferred to sees who and the notes so far", async () => {
    const { ControlNotices } = await import("./CallControls");
    const { noticeText } = await import("../lib/control");
    act(() =>
      render(
        <ControlNotices
          text={noticeText}
          notices={[
            {
              call_id: "uis:7", action: "transfer", by: "Анна", to: "Игорь", to_me: true, by_me: false,
              notes: [{ author: "Анна", at: "2026-12-07T10:00:00Z", text: "Хочет вернуть заказ", tags: ["Возврат"] }],
            },
          ]}
        />,
        root,
      ),
    );
    expect(q("control-notice")!.textContent).toBe("Анна переводит вызов вам");
    expect(q("control-notice")!.className).toContain("to-me");
    expect(q("handover-notes")!.textContent).toContain("Анна: Хочет вернуть заказ · Возврат");
    act(() => render(<ControlNotices text={noticeText} notices={[]} />, root));
    expect(q("control-notices")).toBeNull();
  });
});
