import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { render } from "preact";
import { act } from "preact/test-utils";
import type { CallActionsDto, CardDto, CardEvent, ControlRequestDto, TeamPresenceDto } from "../ipc";
import { setLanguage } from "../i18n";

const callActions = vi.fn<(id: string) => Promise<CallActionsDto>>();
const callControl = vi.fn<(id: string, r: ControlRequestDto) => Promise<void>>();
vi.mock("../ipc", async (original) => ({
  ...(await original<typeof import("../ipc")>()),
  api: {
    callActions: (id: string) => callActions(id),
    callControl: (id: string, r: ControlRequestDto) => callControl(id, r),
    teamPresence: (): Promise<TeamPresenceDto> =>
      Promise.resolve({
        me: "Мария",
        supervisor: true,
        agents: [
          { agent: "Анна", status: "available", reason: null, on_call: true, supervisor: false },
          { agent: "Мария", status: "available", reason: null, on_call: false, supervisor: true },
          { agent: "Игорь", status: "break", reason: "Обед", on_call: false, supervisor: false },
        ],
      }),
    liveCards: (): Promise<CardEvent[]> =>
      Promise.resolve([
        { pop: false, card: cardOf("sipuni:5", "talking", "2026-12-07T09:00:00Z") },
        { pop: false, card: cardOf("sipuni:6", "ringing", "2026-12-07T09:01:00Z") },
      ]),
  },
  on: () => Promise.resolve(() => undefined),
}));

function cardOf(callId: string, status: string, started: string): CardDto {
  return {
    call: { call_id: callId, status, started_at: started, answered_by: { name: "Анна", extension: "201", id: null, phone: null } },
    title: "Иван Петров",
    number: "+7 926 123-45-67",
  } as CardDto;
}

const { TeamView, callsInProgress } = await import("./TeamView");
const { tabsFor } = await import("./App");

let root: HTMLDivElement;
beforeEach(() => {
  root = document.createElement("div");
  document.body.append(root);
  callActions.mockReset();
  callControl.mockReset();
});
afterEach(() => {
  render(null, root);
  root.remove();
  setLanguage("ru");
});

const flush = () => act(async () => await new Promise((r) => setTimeout(r, 0)));
const q = (id: string) => root.querySelector<HTMLElement>(`[data-testid="${id}"]`);

describe("the supervisor's team view", () => {
  it("lists agents with status and calls in progress, and listens to a Sipuni call", async () => {
    callActions.mockResolvedValue({
      call_id: "sipuni:5",
      provider: "sipuni",
      actions: ["hangup", "coach"],
      blind_transfer: false,
      attended_transfer: false,
      coach_modes: ["listen", "whisper"],
    });
    act(() => render(<TeamView />, root));
    await flush();
    await flush();
    const rows = [...root.querySelectorAll<HTMLElement>('[data-testid="team-row"]')];
    expect(rows.map((r) => [r.dataset.agent, r.dataset.status])).toEqual([
      ["Анна", "available"],
      ["Мария", "available"],
      ["Игорь", "break"],
    ]);
    expect(rows[0].textContent).toContain("на звонке");
    expect(rows[2].textContent).toContain("Перерыв (Обед)");
    const calls = [...root.querySelectorAll<HTMLElement>('[data-testid="team-call"]')];
    expect(calls.map((c) => c.dataset.call)).toEqual(["sipuni:5"]);
    expect(calls[0].textContent).toContain("отвечает Анна");
    expect(q("coach-barge")!.getAttribute("aria-disabled")).toBe("true");
    callControl.mockResolvedValue(undefined);
    act(() => q("coach-whisper")!.click());
    await flush();
    expect(callControl).toHaveBeenCalledWith("sipuni:5", { action: "coach", mode: "whisper" });
  });

  it("only a supervisor gets the tab; calls in progress are the talking ones, newest first", () => {
    expect(tabsFor(false).map((x) => x.id)).not.toContain("team");
    expect(tabsFor(true).map((x) => x.id)).toEqual(["contacts", "history", "missed", "team", "settings"]);
    const cards = [cardOf("a", "talking", "2026-12-07T09:00:00Z"), cardOf("b", "ended", "2026-12-07T09:05:00Z"), cardOf("c", "talking", "2026-12-07T09:02:00Z")];
    expect(callsInProgress(cards).map((c) => c.call.call_id)).toEqual(["c", "a"]);
  });
});
