import { describe, expect, it } from "vitest";
import { moveIndex } from "./listNav";
import { debounce, latest } from "./debounce";

describe("list keyboard movement", () => {
  it("moves and clamps", () => {
    expect(moveIndex("ArrowDown", -1, 3)).toBe(0);
    expect(moveIndex("ArrowDown", 2, 3)).toBe(2);
    expect(moveIndex("ArrowUp", -1, 3)).toBe(2);
    expect(moveIndex("ArrowUp", 0, 3)).toBe(0);
    expect(moveIndex("PageDown", 0, 30)).toBe(10);
    expect(moveIndex("End", 0, 30)).toBe(29);
    expect(moveIndex("Home", 20, 30)).toBe(0);
    expect(moveIndex("a", 0, 3)).toBeNull();
    expect(moveIndex("ArrowDown", 0, 0)).toBeNull();
  });
});

describe("debounce and latest", () => {
  it("runs the last call of a burst once", async () => {
    const seen: string[] = [];
    const d = debounce((s: string) => seen.push(s), 10);
    d("a");
    d("ab");
    d("abc");
    await new Promise((r) => setTimeout(r, 30));
    expect(seen).toEqual(["abc"]);
  });

  it("drops answers overtaken by a newer request", async () => {
    const slow = latest((ms: number) => new Promise<number>((r) => setTimeout(() => r(ms), ms)));
    const [first, second] = await Promise.all([slow(30), slow(5)]);
    expect(first).toBeUndefined();
    expect(second).toBe(5);
  });
});
