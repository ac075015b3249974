import { describe, expect, it } from "vitest";
import type { ContactDto } from "../bindings/ipc";
import { setLanguage } from "../i18n";
import { authorName, changeText, deletion, inScope, lastChange, scopeCounts } from "./directory";

const team = (id: number, by: string | null = "Игорь Лебедев"): Pick<ContactDto, "id" | "team"> => ({
  id,
  team: { id: 100 + id, version: 7, updated_by: by, updated_at: "2026-03-02T11:05:00Z" },
});
const own = (id: number): Pick<ContactDto, "id" | "team"> => ({ id, team: null });

describe("team and private contacts", () => {
  const list = [team(1), own(2), team(3), own(4), own(5)];

  it("filter by scope, keeping the order", () => {
    expect(inScope(list, "all").map((c) => c.id)).toEqual([1, 2, 3, 4, 5]);
    expect(inScope(list, "team").map((c) => c.id)).toEqual([1, 3]);
    expect(inScope(list, "private").map((c) => c.id)).toEqual([2, 4, 5]);
    expect(scopeCounts(list)).toEqual({ all: 5, team: 2, private: 3 });
    expect(scopeCounts([])).toEqual({ all: 0, team: 0, private: 0 });
  });

  it("team contacts are deleted by supervisors only, private ones by anyone", () => {
    expect(deletion(team(1), false)).toEqual({ allowed: false, why: "team.delete_supervisors" });
    expect(deletion(team(1), true)).toEqual({ allowed: true, why: null });
    expect(deletion(own(2), false)).toEqual({ allowed: true, why: null });
  });
});

describe("who changed what", () => {
  it("reads a history entry in Russian and in English", () => {
    setLanguage("ru");
    expect(changeText({ action: "edited", changed: ["phones", "position", "crm_url", "Договор"] })).toBe(
      "изменил(а): телефоны, должность, ссылка в CRM, Договор",
    );
    expect(changeText({ action: "number_attached", changed: ["phones"] })).toBe("добавил(а) номер");
    expect(changeText({ action: "edited", changed: [] })).toBe("изменил(а)");
    expect(authorName("import")).toBe("импорт из файла");
    expect(authorName("UIS")).toBe("адресная книга UIS");
    expect(changeText({ action: "imported", changed: ["email", "phones"], author: "UIS" })).toBe(
      "синхронизация: email, телефоны",
    );
    expect(changeText({ action: "imported", changed: ["name"], author: "import" })).toBe("импортировал(а) из файла");
    expect(authorName("Игорь Лебедев")).toBe("Игорь Лебедев");
    setLanguage("en");
    expect(changeText({ action: "edited", changed: ["name", "company"] })).toBe("changed: name, company");
    expect(changeText({ action: "created", changed: ["name"] })).toBe("created the contact");
    expect(authorName("admin")).toBe("administrator");
    expect(authorName(null)).toBe("someone unknown");
    expect(authorName("UIS")).toBe("UIS address book");
    expect(changeText({ action: "imported", changed: ["company"], author: "UIS" })).toBe("synced: company");
    setLanguage("ru");
  });

  it("says who changed a team contact last and when; nothing for a private one", () => {
    setLanguage("ru");
    const now = new Date("2026-03-02T18:00:00Z");
    const line = lastChange(team(1), now);
    expect(line).toMatch(/^Последнее изменение: Игорь Лебедев, \d\d:\d\d$/);
    expect(lastChange(team(1, "import"), now)).toMatch(/^Последнее изменение: импорт из файла, /);
    expect(lastChange(own(2), now)).toBeNull();
    setLanguage("en");
    expect(lastChange(team(1), new Date("2026-03-09T18:00:00Z"))).toMatch(/^Last change: Игорь Лебедев, 02\/03 \d\d:\d\d$/);
    setLanguage("ru");
  });
});
