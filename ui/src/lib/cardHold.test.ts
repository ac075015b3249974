import { describe, expect, it } from "vitest";
import type { CardDto } from "../bindings/ipc";
import { LINGER_MS, expire, hold, nextExpiry, type StackEntry } from "./cardStack";

const card = (state: CardDto["state"]) => ({ call: { call_id: "c1" }, state, withdrawn: false }) as CardDto;

describe("a card held for a note", () => {
  it("stays past its time while held and lingers again once let go", () => {
    const ended: StackEntry[] = [{ card: card("ended"), since: 0, leaveAt: 5000 }];
    const held = hold(ended, "c1", true, 1000);
    expect(expire(held, 60_000)).toBe(held);
    expect(nextExpiry(held)).toBeNull();
    expect(hold(held, "c1", true, 2000)).toBe(held);

    const released = hold(held, "c1", false, 60_000);
    expect(released[0].leaveAt).toBe(60_000 + LINGER_MS.ended!);
    expect(expire(released, 60_000 + 1)).toHaveLength(1);
    expect(expire(released, 60_000 + LINGER_MS.ended! + 1)).toHaveLength(0);
  });

  it("leaves an unknown card and a live call's card without a time", () => {
    const live: StackEntry[] = [{ card: card("answered_here"), since: 0, leaveAt: null }];
    expect(hold(live, "other", true, 0)).toBe(live);
    expect(hold(hold(live, "c1", true, 0), "c1", false, 10)[0].leaveAt).toBeNull();
  });
});
