import { describe, expect, it, vi } from "vitest";
import type { CallNotesDto } from "../bindings/ipc";
import { NoteCache } from "./notes";

const note = (call_id: string, id: number) => ({ id, call_id, author: "Игорь", at: "2026-12-07T09:00:00Z", text: `заметка ${id}`, tags: [] });

describe("the notes cache", () => {
  it("asks the relay once per call, again after forgetting, and not at all for known calls", async () => {
    const fetch = vi.fn(async (ids: string[]): Promise<CallNotesDto[]> => ids.map((id) => ({ call_id: id, notes: [note(id, 1)], error: null })));
    const cache = new NoteCache(fetch);
    await Promise.all([cache.load(["a", "b"]), cache.load(["b"])]);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(cache.get("b")?.[0].text).toBe("заметка 1");
    await cache.load(["a", "b"]);
    expect(fetch).toHaveBeenCalledTimes(1);
    cache.forget(["a"]);
    await cache.load(["a", "b"]);
    expect(fetch).toHaveBeenLastCalledWith(["a"]);
  });

  it("asks again for a call whose notes failed, and takes a saved note at once", async () => {
    let down = true;
    const cache = new NoteCache(async (ids) => ids.map((id) => ({ call_id: id, notes: [], error: down ? "нет связи" : null })));
    await cache.load(["a"]);
    expect(cache.get("a")).toBeUndefined();
    down = false;
    await cache.load(["a"]);
    expect(cache.get("a")).toEqual([]);
    cache.add(note("a", 9));
    cache.add(note("a", 9));
    expect(cache.get("a")?.map((n) => n.id)).toEqual([9]);
  });
});
