import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { render } from "preact";
import { act } from "preact/test-utils";
import type { CallDto, CaseDto, CaseListDto } from "../../ipc";

const caseCalls = vi.fn<(ids: string[]) => Promise<CallDto[]>>();
const callNotes = vi.fn();
vi.mock("../../ipc", async (original) => ({
  ...(await original<typeof import("../../ipc")>()),
  api: { caseCalls: (ids: string[]) => caseCalls(ids), callNotes: (ids: string[]) => callNotes(ids) },
  on: () => Promise.resolve(() => undefined),
}));

const { Cases } = await import("./Cases");

function kase(key: string, extra: Partial<CaseDto> = {}): CaseDto {
  return {
    key, kind: "missed", status: "open", phone: "+79261234567", number: "+7 926 123-45-67", name: "Иван Петров", missed: 2,
    responsible: null, responsible_mine: false, opened_at: "2026-12-07T09:00:00Z", updated_at: "2026-12-07T09:00:00Z",
    calls: [key], callbacks: [], reached: false, gists: [], closure: null, claim: null, version: 1, ...extra,
  };
}

let root: HTMLDivElement;
beforeEach(() => {
  root = document.createElement("div");
  document.body.append(root);
  caseCalls.mockReset();
  callNotes.mockReset();
});
afterEach(() => {
  render(null, root);
  root.remove();
});

const show = (list: CaseListDto) =>
  act(() => render(<Cases store={{ list, error: null, reload: () => Promise.resolve(), put: () => undefined }} />, root));
const rows = () => [...root.querySelectorAll<HTMLElement>("[data-testid=case-row]")].map((r) => r.dataset.key);
const flush = () => act(async () => await new Promise((r) => setTimeout(r, 0)));

describe("the case list", () => {
  const cases = [
    kase("uis:1", { claim: { agent: "Игорь", at: "2026-12-07T09:05:00Z", expires_at: "2026-12-07T09:20:00Z", mine: false } }),
    kase("uis:2", { status: "waiting", name: null, missed: 0 }),
  ];

  it("opens on all open cases, shows who is calling back, and switches filters", () => {
    show({ cases, fresh: true, received_at: "2026-12-07T09:06:00Z" });
    expect(root.querySelector("[data-testid=cases-stale]")).toBeNull();
    expect(rows()).toEqual(["uis:1"]);
    const row = root.querySelector<HTMLElement>("[data-testid=case-row]")!;
    expect(row.textContent).toContain("Иван Петров");
    expect(row.textContent).toContain("2 пропущ.");
    expect(row.querySelector("[data-testid=case-claim-text]")!.textContent).toMatch(/Перезванивает Игорь, с/);
    // A colleague's claim: calling back would be refused, so the buttons wait.
    expect(row.querySelector<HTMLButtonElement>("[data-testid=case-dial]")!.disabled).toBe(true);
    expect(root.querySelector("[data-testid=case-filter-waiting]")!.textContent).toContain("1");
    act(() => root.querySelector<HTMLButtonElement>("[data-testid=case-filter-waiting]")!.click());
    expect(rows()).toEqual(["uis:2"]);
    act(() => root.querySelector<HTMLButtonElement>("[data-testid=case-filter-mine]")!.click());
    expect(root.querySelector("[data-testid=cases-empty]")!.textContent).toBe("Ваших обращений нет");
  });

  it("says that cases read without the relay may be out of date", () => {
    show({ cases, fresh: false, received_at: "2026-12-07T09:06:00Z" });
    expect(root.querySelector("[data-testid=cases-stale]")!.textContent).toMatch(/могут быть устаревшими/);
    expect(rows()).toEqual(["uis:1"]);
  });

  it("opens a case with its calls and the notes written on them", async () => {
    caseCalls.mockResolvedValue([
      {
        call_id: "uis:1", provider: "uis", direction: "in", status: "ended", outcome: "missed", missed: true, phone: "+79261234567",
        phone_raw: "79261234567", number: "+7 926 123-45-67", name: null, line: null, started_at: "2026-12-07T09:00:00Z",
        answered_at: null, ended_at: "2026-12-07T09:01:00Z", wait: 30, talk: null, answered_by: null, recordings: [], scenario: null, tags: [],
      } as unknown as CallDto,
    ]);
    callNotes.mockResolvedValue([
      { call_id: "uis:1", notes: [{ id: 3, call_id: "uis:1", author: "Игорь", at: "2026-12-07T09:10:00Z", text: "Просит счёт", tags: ["Доставка"] }], error: null },
    ]);
    show({ cases, fresh: true, received_at: null });
    act(() => root.querySelector<HTMLButtonElement>("[data-testid=case-open]")!.click());
    await flush();
    const view = root.querySelector<HTMLElement>("[data-testid=case-view]")!;
    expect(view.dataset.key).toBe("uis:1");
    expect(caseCalls).toHaveBeenCalledWith(["uis:1"]);
    expect(view.querySelectorAll("[data-testid=case-call]")).toHaveLength(1);
    const note = view.querySelector("[data-testid=call-note]")!.textContent;
    expect(note).toContain("Просит счёт");
    expect(note).toContain("Доставка");
    expect(note).toContain("Игорь");
    expect(view.querySelector("[data-testid=case-view-claim]")!.textContent).toMatch(/Перезванивает Игорь/);
  });
});
