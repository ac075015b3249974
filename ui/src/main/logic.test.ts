import { describe, expect, it } from "vitest";
import { setLanguage } from "../i18n";
import { intentOf, screenOf } from "./App";
import { canSend, requestOf } from "./RequestForm";
import { toggleField } from "./Settings";
import { connectionText, noticeText } from "./StatusLine";

describe("requests from the card window", () => {
  it("reads open, new-contact and attach targets", () => {
    expect(intentOf("contact:12")).toEqual({ kind: "open", id: 12 });
    expect(intentOf("new-contact:uis:1197843161|+79261234567")).toEqual({
      kind: "new",
      callId: "uis:1197843161",
      number: "+79261234567",
    });
    expect(intentOf("attach:+79261234567")).toEqual({ kind: "attach", number: "+79261234567" });
    expect(intentOf("contact:abc")).toBeNull();
    expect(intentOf("attach:")).toBeNull();
    expect(intentOf("something")).toBeNull();
  });

  it("opens the missed calls for the while-you-were-away notification, contacts otherwise", () => {
    expect(screenOf("missed")).toEqual({ tab: "missed", intent: null });
    expect(screenOf("contact:12")).toEqual({ tab: "contacts", intent: { kind: "open", id: 12 } });
    expect(screenOf("missed:1")).toBeNull();
    expect(screenOf("something")).toBeNull();
  });
});

describe("offline requests", () => {
  it("reads the card window's request target", () => {
    expect(requestOf("request:+79261234567|Иван Петров")).toEqual({ phone: "+79261234567", name: "Иван Петров" });
    expect(requestOf("request:+79261234567")).toEqual({ phone: "+79261234567", name: "" });
    expect(requestOf("request:")).toBeNull();
    expect(requestOf("contact:12")).toBeNull();
  });

  it("needs a number, a text and a site or campaign; UIS's «no campaign» needs a site", () => {
    const targets = {
      sites: [{ id: 80913, name: "trubka-demo.ru" }],
      campaigns: [
        { id: -1, name: "Посетители без рекламной кампании", site: null, active: true },
        { id: 401745, name: "Директ", site: "trubka-demo.ru", active: true },
      ],
    };
    const form = { phone: "+79261234567", message: "Перезвонить", site: "trubka-demo.ru", campaign: "" };
    expect(canSend(form, targets)).toBe(true);
    expect(canSend({ ...form, message: " " }, targets)).toBe(false);
    expect(canSend({ ...form, phone: "" }, targets)).toBe(false);
    expect(canSend({ ...form, site: "" }, targets)).toBe(false);
    expect(canSend({ ...form, site: "", campaign: "Директ" }, targets)).toBe(true);
    expect(canSend({ ...form, site: "", campaign: "Посетители без рекламной кампании" }, targets)).toBe(false);
    expect(canSend({ ...form, campaign: "Посетители без рекламной кампании" }, targets)).toBe(true);
  });
});

describe("card fields in settings", () => {
  it("keeps the chosen order and never duplicates", () => {
    expect(toggleField(["name", "company"], "email", true)).toEqual(["name", "company", "email"]);
    expect(toggleField(["name", "company"], "company", true)).toEqual(["name", "company"]);
    expect(toggleField(["name", "company", "email"], "company", false)).toEqual(["name", "email"]);
  });
});

describe("status line", () => {
  it("says exactly what the engine reports", () => {
    setLanguage("ru");
    expect(connectionText(null).tone).toBe("muted");
    expect(connectionText({ connection: { state: "connected", agent: "Анна" }, notices: [], open_followups: 0, missed_calls: 0 }).text).toBe(
      "На связи: Анна",
    );
    const r = connectionText({
      connection: { state: "reconnecting", attempt: 3, retry_at: "2026-11-20T10:15:03Z", error: "connection refused" },
      notices: [],
      open_followups: 0,
      missed_calls: 0,
    });
    expect(r.tone).toBe("warn");
    expect(r.detail).toContain("connection refused");
    expect(r.detail).toContain("3");
    expect(connectionText({ connection: { state: "token_revoked" }, notices: [], open_followups: 0, missed_calls: 0 }).tone).toBe("error");
    setLanguage("en");
    expect(noticeText({ kind: "keyring_fallback", path: "/p/token", detail: "no service" })).toContain("/p/token");
    setLanguage("ru");
  });
});
