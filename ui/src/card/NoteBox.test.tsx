import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { render } from "preact";
import { act } from "preact/test-utils";
import type { NoteDto } from "../ipc";

const tags = vi.fn<() => Promise<string[]>>();
const addNote = vi.fn<(callId: string, draft: { text: string; tags: string[] }) => Promise<NoteDto>>();
vi.mock("../ipc", async (original) => ({
  ...(await original<typeof import("../ipc")>()),
  api: { tags: () => tags(), addNote: (id: string, d: { text: string; tags: string[] }) => addNote(id, d) },
}));

const { NoteBox } = await import("./NoteBox");

let root: HTMLDivElement;
let holds: boolean[];
beforeEach(() => {
  root = document.createElement("div");
  document.body.append(root);
  holds = [];
  tags.mockReset();
  addNote.mockReset();
});
afterEach(() => {
  render(null, root);
  root.remove();
});

const q = <T extends HTMLElement = HTMLElement>(id: string) => root.querySelector<T>(`[data-testid="${id}"]`);
const flush = () => act(async () => await new Promise((r) => setTimeout(r, 0)));
const type = (text: string) =>
  act(() => {
    const area = q<HTMLTextAreaElement>("note-text")!;
    area.value = text;
    area.dispatchEvent(new Event("input", { bubbles: true }));
  });
const note = (text: string, tagList: string[]): NoteDto => ({ id: 1, call_id: "uis:7", author: "Анна", at: "2026-12-07T09:00:00Z", text, tags: tagList });

describe("the note box", () => {
  it("offers the admin's tags, saves the gist with the picked ones, and says so", async () => {
    tags.mockResolvedValue(["Доставка", "Возврат", "Жалоба"]);
    let answer: (n: NoteDto) => void = () => undefined;
    addNote.mockReturnValue(new Promise((r) => (answer = r)));
    act(() => render(<NoteBox callId="uis:7" onHold={(h) => holds.push(h)} />, root));
    await flush();
    const picks = [...root.querySelectorAll<HTMLButtonElement>("[data-testid=note-tag]")].map((b) => b.dataset.tag);
    expect(picks).toEqual(["Доставка", "Возврат", "Жалоба"]);
    expect(q<HTMLButtonElement>("note-save")!.disabled).toBe(true);

    await type("Просит счёт");
    act(() => root.querySelector<HTMLButtonElement>("[data-tag=Жалоба]")!.click());
    act(() => root.querySelector<HTMLButtonElement>("[data-tag=Доставка]")!.click());
    expect(holds.at(-1)).toBe(true);
    act(() => q<HTMLButtonElement>("note-save")!.click());
    await flush();
    expect(addNote).toHaveBeenCalledWith("uis:7", { text: "Просит счёт", tags: ["Доставка", "Жалоба"] });
    expect(q("note-box")!.dataset.phase).toBe("saving");
    expect(q("note-save")!.textContent).toBe("Сохраняем…");

    answer(note("Просит счёт", ["Доставка", "Жалоба"]));
    await flush();
    expect(q("note-saved")!.textContent).toContain("Заметка сохранена");
    expect(q("note-box")).toBeNull();
    expect(holds.at(-1)).toBe(false);
  });

  it("keeps the text after a failed save, shows why, and saves on retry", async () => {
    tags.mockResolvedValue([]);
    addNote.mockRejectedValueOnce({ kind: "network", message: "connection refused" });
    act(() => render(<NoteBox callId="uis:7" onHold={(h) => holds.push(h)} />, root));
    await flush();
    expect(root.querySelector("[data-testid=note-tag]")).toBeNull();
    await type("Перезвонить завтра");
    act(() => q<HTMLButtonElement>("note-save")!.click());
    await flush();
    expect(q("note-box")!.dataset.phase).toBe("failed");
    expect(q("note-error")!.textContent).toContain("Нет связи с релеем");
    expect(q<HTMLTextAreaElement>("note-text")!.value).toBe("Перезвонить завтра");
    expect(holds.at(-1)).toBe(true);

    addNote.mockResolvedValueOnce(note("Перезвонить завтра", []));
    expect(q("note-save")!.textContent).toBe("Повторить");
    act(() => q<HTMLButtonElement>("note-save")!.click());
    await flush();
    expect(addNote).toHaveBeenCalledTimes(2);
    expect(q("note-saved")).not.toBeNull();
  });

  it("still takes a gist when the tags cannot be read", async () => {
    tags.mockRejectedValue({ kind: "network", message: "down" });
    act(() => render(<NoteBox callId="uis:8" onHold={() => undefined} />, root));
    await flush();
    expect(root.textContent).toContain("Теги не загрузились");
    await type("   ");
    expect(q<HTMLButtonElement>("note-save")!.disabled).toBe(true);
    await type("Суть");
    expect(q<HTMLButtonElement>("note-save")!.disabled).toBe(false);
  });
});
