import { describe, expect, it } from "vitest";
import ru from "./i18n/ru.json";
import en from "./i18n/en.json";
import { setLanguage, t } from "./i18n";
import { duration, employee, outcome, when } from "./format";

describe("translations", () => {
  it("have the same keys in Russian and English, none empty", () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(ru).sort());
    for (const [k, v] of [...Object.entries(ru), ...Object.entries(en)]) expect(v.trim(), k).not.toBe("");
  });

  it("use the same placeholders in both languages", () => {
    const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(ru) as (keyof typeof ru)[]) expect(names(en[key]), key).toEqual(names(ru[key]));
  });

  it("fill placeholders and switch language", () => {
    setLanguage("ru");
    expect(t("notify.missed", { who: "Анна" })).toBe("Пропущенный звонок: Анна");
    setLanguage("en");
    expect(t("notify.missed", { who: "Anna" })).toBe("Missed call: Anna");
    setLanguage("ru");
  });
});

describe("formatting", () => {
  it("employees, named or by extension, in the agent's language", () => {
    const e = (name: string | null, extension: string | null, id: string | null, phone: string | null = null) => ({
      name,
      extension,
      id,
      phone,
    });
    setLanguage("en");
    expect(employee(e("Анна Смирнова", "201", "2339292"))).toBe("Анна Смирнова");
    expect(employee(e(null, "201", null))).toBe("ext. 201");
    expect(employee(e(null, null, "2339292"))).toBe("employee 2339292");
    expect(employee(e(null, null, "2339292", "+79031234567"))).toBe("+79031234567");
    setLanguage("ru");
    expect(employee(e(null, "201", null))).toBe("доб. 201");
    expect(employee(e(null, null, null))).toBe("сотрудник");
  });

  it("durations", () => {
    setLanguage("ru");
    expect(duration(null)).toBe("");
    expect(duration(0)).toBe("");
    expect(duration(45)).toBe("45 с");
    expect(duration(131)).toBe("2 мин 11 с");
  });

  it("dates relative to today", () => {
    const now = new Date(2026, 10, 20, 15, 0);
    expect(when(new Date(2026, 10, 20, 9, 5).toISOString(), now)).toBe("09:05");
    expect(when(new Date(2026, 10, 19, 9, 5).toISOString(), now)).toBe("вчера 09:05");
    expect(when(new Date(2026, 10, 2, 9, 5).toISOString(), now)).toBe("02.11 09:05");
  });

  it("outcomes", () => {
    expect(outcome({ missed: true, status: "ended", outcome: "no_answer" })).toBe("Пропущен");
    expect(outcome({ missed: false, status: "talking", outcome: null })).toBe("Идёт");
    expect(outcome({ missed: false, status: "ended", outcome: "busy" })).toBe("Занято");
  });
});
