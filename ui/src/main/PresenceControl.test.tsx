import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { render } from "preact";
import { act } from "preact/test-utils";
import type { AgentPresenceDto, PresenceStatusDto } from "../ipc";
import { setLanguage } from "../i18n";

const presenceMine = vi.fn<() => Promise<AgentPresenceDto | null>>();
const presenceSet = vi.fn<(s: PresenceStatusDto, r: string | null) => Promise<AgentPresenceDto>>();
const breakReasons = vi.fn<() => Promise<string[]>>();
const handlers: Record<string, (payload: unknown) => void> = {};
vi.mock("../ipc", async (original) => ({
  ...(await original<typeof import("../ipc")>()),
  api: {
    presenceMine: () => presenceMine(),
    presenceSet: (s: PresenceStatusDto, r: string | null) => presenceSet(s, r),
    breakReasons: () => breakReasons(),
  },
  on: (name: string, handler: (payload: unknown) => void) => {
    handlers[name] = handler;
    return Promise.resolve(() => undefined);
  },
}));

const { PresenceControl, shortcutLabel } = await import("./PresenceControl");

const anna = (status: PresenceStatusDto | null, reason: string | null = null): AgentPresenceDto => ({
  agent: "Анна",
  status,
  reason,
  on_call: false,
  supervisor: false,
});

let root: HTMLDivElement;
beforeEach(() => {
  root = document.createElement("div");
  document.body.append(root);
  presenceMine.mockReset();
  presenceSet.mockReset();
  breakReasons.mockReset();
  breakReasons.mockResolvedValue(["Обед", "Обучение"]);
});
afterEach(() => {
  render(null, root);
  root.remove();
  setLanguage("ru");
});

const flush = () => act(async () => await new Promise((r) => setTimeout(r, 0)));
const q = (id: string) => root.querySelector<HTMLElement>(`[data-testid="${id}"]`);

async function show(mine: AgentPresenceDto | null) {
  presenceMine.mockResolvedValue(mine);
  act(() => render(<PresenceControl me="Анна" breakShortcut="CommandOrControl+Alt+B" />, root));
  await flush();
}

describe("the status control", () => {
  it("shows the status, the shortcut in its tooltip, and sets a break with a reason", async () => {
    await show(anna("available"));
    const button = q("presence-control")!;
    expect(button.textContent).toContain("На месте");
    expect(button.title).toContain("Ctrl+Alt+B");
    act(() => button.click());
    await flush();
    expect(q("presence-option-available")!.getAttribute("aria-checked")).toBe("true");
    presenceSet.mockResolvedValue(anna("break", "Обед"));
    act(() => q("presence-option-reason-Обед")!.click());
    await flush();
    expect(presenceSet).toHaveBeenCalledWith("break", "Обед");
    expect(q("presence-control")!.textContent).toContain("Перерыв (Обед)");
    expect(q("presence-menu")).toBeNull();
  });

  it("follows my presence events (tray, shortcut, PBX cabinet), not a colleague's", async () => {
    await show(anna("available"));
    act(() => handlers.presence({ ...anna("dnd"), agent: "Игорь" }));
    expect(q("presence-control")!.dataset.status).toBe("available");
    act(() => handlers.presence(anna("offline")));
    expect(q("presence-control")!.dataset.status).toBe("offline");
    expect(q("presence-control")!.textContent).toContain("Не на работе");
  });

  it("an unknown status says so, and a refusal shows the relay's words", async () => {
    await show(null);
    expect(q("presence-control")!.textContent).toContain("Статус неизвестен");
    act(() => q("presence-control")!.click());
    await flush();
    presenceSet.mockRejectedValue({ kind: "relay", message: "Такой причины перерыва нет: Обед, Обучение" });
    act(() => q("presence-option-dnd")!.click());
    await flush();
    expect(presenceSet).toHaveBeenCalledWith("dnd", null);
    expect(q("presence-error")!.textContent).toBe("Такой причины перерыва нет: Обед, Обучение");
  });

  it("English, and the shortcut as people write it", async () => {
    setLanguage("en");
    await show(anna("break"));
    expect(q("presence-control")!.textContent).toContain("Break");
    expect(shortcutLabel("CommandOrControl+Alt+B")).toBe("Ctrl+Alt+B");
  });
});
