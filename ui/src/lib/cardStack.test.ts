import { describe, expect, it } from "vitest";
import type { CardDto, CardEvent, CardStateDto } from "../bindings/ipc";
import { applyEvent, dismiss, expire, nextExpiry, startsRinging, type StackEntry } from "./cardStack";

function card(id: string, state: CardStateDto, extra: Partial<CardDto> = {}): CardDto {
  return {
    call: {
      call_id: id, provider: "uis", direction: "in", status: "ringing", outcome: null, missed: false,
      phone: "+79261234567", phone_raw: "79261234567", number: "+7 926 123-45-67", name: null, line: null,
      started_at: "2026-11-20T10:00:00Z", answered_at: null, ended_at: null, wait: null, talk: null,
      answered_by: null, answered_legs: [], recordings: [], scenario: null, tags: [],
    },
    state, withdrawn: state === "answered_elsewhere", title: "Иван", number: "+7 926 123-45-67",
    contact_id: null, company: null, explanation: null, team_contact: false, updated_by: null, updated_at: null,
    from_crm: false, crm_url: null, several_matches: false, fields: [],
    recent_calls: [], followup: null, received_ms: 0, ...extra,
  };
}
const ev = (c: CardDto, pop = true): CardEvent => ({ card: c, pop });

describe("card stack", () => {
  it("pops a ringing card and updates it in place", () => {
    let s: StackEntry[] = [];
    s = applyEvent(s, ev(card("a", "ringing_here")), 0);
    s = applyEvent(s, ev(card("b", "ringing_here")), 10);
    expect(s.map((e) => e.card.call.call_id)).toEqual(["b", "a"]);
    s = applyEvent(s, ev(card("a", "answered_here"), false), 20);
    expect(s.map((e) => [e.card.call.call_id, e.card.state])).toEqual([["b", "ringing_here"], ["a", "answered_here"]]);
    expect(s[1].since).toBe(0);
  });

  it("ignores updates that may not pop and cards already over", () => {
    expect(applyEvent([], ev(card("a", "ringing"), false), 0)).toEqual([]);
    expect(applyEvent([], ev(card("a", "ended")), 0)).toEqual([]);
  });

  it("withdraws when a colleague answers, after a short linger", () => {
    let s = applyEvent([], ev(card("a", "ringing_here")), 0);
    s = applyEvent(s, ev(card("a", "answered_elsewhere"), false), 1000);
    expect(s[0].card.state).toBe("answered_elsewhere");
    expect(nextExpiry(s)).toBe(4000);
    expect(expire(s, 3999)).toHaveLength(1);
    expect(expire(s, 4000)).toHaveLength(0);
  });

  it("keeps the first linger deadline across later updates and the follow-up across updates", () => {
    let s = applyEvent([], ev(card("a", "ringing_here", { followup: { id: 1 } as CardDto["followup"] })), 0);
    s = applyEvent(s, ev(card("a", "ended"), false), 100);
    s = applyEvent(s, ev(card("a", "ended"), false), 900);
    expect(s[0].leaveAt).toBe(5100);
    expect(s[0].card.followup).not.toBeNull();
  });

  it("dismisses by id and knows when a ring starts", () => {
    const one = applyEvent([], ev(card("a", "ringing_here")), 0);
    const two = applyEvent(one, ev(card("b", "ringing_here")), 0);
    expect(startsRinging([], one)).toBe(true);
    expect(startsRinging(one, one)).toBe(false);
    expect(startsRinging(one, two)).toBe(true);
    expect(dismiss(two, "a").map((e) => e.card.call.call_id)).toEqual(["b"]);
  });
});
