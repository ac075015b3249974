import { afterEach, describe, expect, it } from "vitest";
import type { CaseDto, CaseListDto } from "../../bindings/ipc";
import { setLanguage } from "../../i18n";
import { badgeCount, caller, caseTitle, claimText, closeReason, counts, filterCases, matches, mergeCase, person, staleNotice } from "./logic";

function kase(key: string, extra: Partial<CaseDto> = {}): CaseDto {
  return {
    key, kind: "missed", status: "open", phone: "+79261234567", number: "+7 926 123-45-67", name: null, missed: 1,
    responsible: null, responsible_mine: false, opened_at: "2026-12-07T09:00:00Z", updated_at: "2026-12-07T09:00:00Z",
    calls: [key], callbacks: [], reached: false, gists: [], closure: null, claim: null, version: 1, ...extra,
  };
}

const anna = { agent: "Анна", name: "Анна Смирнова", extension: "201", id: "2339292", phone: null };
const igor = { agent: "Игорь", name: "Игорь Лебедев", extension: "202", id: "2339293", phone: null };
const claim = (agent: string, mine: boolean) => ({ agent, at: "2026-12-07T09:05:00Z", expires_at: "2026-12-07T09:20:00Z", mine });

afterEach(() => setLanguage("ru"));

describe("the case filters", () => {
  const list = [
    kase("mine-open", { responsible: anna, responsible_mine: true }),
    kase("mine-waiting", { status: "waiting", responsible: anna, responsible_mine: true }),
    kase("igor-claimed-by-me", { responsible: igor, claim: claim("Анна", true) }),
    kase("igor-open", { responsible: igor }),
    kase("nobody", {}),
    kase("nobody-waiting", { status: "waiting" }),
    kase("closed-mine", { status: "closed", responsible: anna, responsible_mine: true }),
  ];
  const keys = (f: Parameters<typeof filterCases>[1]) => filterCases(list, f).map((c) => c.key).sort();

  it("«Мои» holds the cases I answer for or call back, open or waiting, never closed ones", () => {
    expect(keys("mine")).toEqual(["igor-claimed-by-me", "mine-open", "mine-waiting"]);
  });
  it("«Без ответственного» holds the cases nobody answers for", () => {
    expect(keys("unassigned")).toEqual(["nobody", "nobody-waiting"]);
  });
  it("«Все открытые» and «В ожидании» split by status", () => {
    expect(keys("open")).toEqual(["igor-claimed-by-me", "igor-open", "mine-open", "nobody"]);
    expect(keys("waiting")).toEqual(["mine-waiting", "nobody-waiting"]);
    expect(matches(list[6], "open")).toBe(false);
  });
  it("counts each filter, and the badge counts the open cases that are mine or nobody's", () => {
    expect(counts(list)).toEqual({ mine: 3, unassigned: 2, open: 4, waiting: 2 });
    expect(badgeCount(list)).toBe(3);
    expect(badgeCount([kase("igor", { responsible: igor })])).toBe(0);
    expect(badgeCount([])).toBe(0);
  });
  it("lists the most recently changed first", () => {
    const older = kase("a", { updated_at: "2026-12-07T08:00:00Z" });
    const newer = kase("b", { updated_at: "2026-12-07T10:00:00Z" });
    expect(filterCases([older, newer], "open").map((c) => c.key)).toEqual(["b", "a"]);
  });
});

describe("a changed case", () => {
  it("replaces an older version, is added when new and not closed, and an older one changes nothing", () => {
    const list = [kase("a", { version: 5 }), kase("b", { version: 6 })];
    const claimed = kase("a", { version: 7, claim: claim("Игорь", false) });
    expect(mergeCase(list, claimed)[0].claim?.agent).toBe("Игорь");
    expect(mergeCase(list, kase("a", { version: 4 }))).toBe(list);
    expect(mergeCase(list, kase("c", { version: 8 })).map((c) => c.key)).toEqual(["c", "a", "b"]);
    expect(mergeCase(list, kase("d", { version: 9, status: "closed" }))).toBe(list);
    expect(mergeCase(list, kase("a", { version: 9, status: "closed" }))[0].status).toBe("closed");
  });
});

describe("how a case reads", () => {
  it("words the title in the reader's language, a hidden number too", () => {
    expect(caseTitle(kase("a"))).toBe("Пропущенный звонок с +7 926 123-45-67");
    expect(caseTitle(kase("a", { number: null, phone: null }))).toBe("Пропущенный звонок со скрытого номера");
    setLanguage("en");
    expect(caseTitle(kase("a", { kind: "outgoing" }))).toBe("Outgoing call to +7 926 123-45-67");
  });
  it("names the caller by the contact, else the number", () => {
    expect(caller(kase("a", { name: "Иван Петров" }))).toBe("Иван Петров");
    expect(caller(kase("a"))).toBe("+7 926 123-45-67");
    expect(caller(kase("a", { number: null }))).toBe("Скрытый номер");
  });
  it("says who is calling back and since when", () => {
    const now = new Date("2026-12-07T12:00:00Z");
    expect(claimText(kase("a"), now)).toBe("");
    expect(claimText(kase("a", { claim: claim("Игорь", false) }), now)).toMatch(/^Перезванивает Игорь, с \d\d:05$/);
    expect(claimText(kase("a", { claim: claim("Анна", true) }), now)).toMatch(/^Перезваниваю я, с \d\d:05$/);
  });
  it("names a person by the agent, else as the PBX named them, else nobody", () => {
    expect(person(anna)).toBe("Анна");
    expect(person({ ...anna, agent: null })).toBe("Анна Смирнова");
    expect(person({ agent: null, name: null, extension: "203", id: null, phone: null })).toBe("доб. 203");
    expect(person(null)).toBe("никто");
  });
  it("takes a blank close reason as none", () => {
    expect(closeReason("  ")).toBeNull();
    expect(closeReason(" дубль ")).toBe("дубль");
  });
});

describe("the stale notice", () => {
  const now = new Date("2026-12-07T12:00:00Z");
  const listing = (fresh: boolean, received_at: string | null): CaseListDto => ({ cases: [], fresh, received_at });

  it("is absent for a list the relay just gave", () => {
    expect(staleNotice(listing(true, "2026-12-07T11:59:00Z"), now)).toBeNull();
    expect(staleNotice(null, now)).toBeNull();
  });
  it("says when the stored cases were received and that they may be out of date", () => {
    expect(staleNotice(listing(false, "2026-12-07T11:30:00Z"), now)).toMatch(/^Нет связи с релеем: обращения на \d\d:30, могут быть устаревшими$/);
    setLanguage("en");
    expect(staleNotice(listing(false, "2026-12-07T11:30:00Z"), now)).toMatch(/may be out of date$/);
    expect(staleNotice(listing(false, null), now)).toBe("No connection to the relay, and no cases received yet");
  });
});
