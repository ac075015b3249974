import { describe, expect, it } from "vitest";
import type { ContactDto } from "../bindings/ipc";
import { canSave, crmUrlOf, draftOf, formOf, isWebLink } from "./contactForm";

const contact: ContactDto = {
  id: 7, name: "Иван Петров", company: "ООО Ромашка", email: null, position: null, notes: null,
  numbers: [
    { raw: "8 (926) 123-45-67", label: "моб.", field: null, e164: "+79261234567" },
    { raw: "+7 495 111-22-33", label: null, field: "Доп. телефон", e164: "+74951112233" },
  ],
  fields: { "Доп. телефон": "+7 495 111-22-33", "Договор": "A-17" },
  team: null,
  crm_url: null,
};

describe("contact form", () => {
  it("edits phone entries but not numbers found in extra fields", () => {
    const form = formOf(contact);
    expect(form.phones).toEqual([{ raw: "8 (926) 123-45-67", label: "моб." }]);
    expect(form.fields).toHaveLength(2);
  });

  it("trims and drops empty rows", () => {
    const form = formOf(null, "+79990001122");
    form.name = "  Анна ";
    form.phones.push({ raw: "  ", label: "x" });
    form.fields.push({ key: "  ", value: "v" }, { key: "Город", value: " Тверь " });
    expect(draftOf(form)).toEqual({
      name: "Анна", company: null, email: null, position: null, notes: null,
      phones: [{ raw: "+79990001122", label: null }], fields: { "Город": "Тверь" },
    });
  });

  it("needs a name or a number", () => {
    const empty = formOf(null);
    expect(canSave(empty)).toBe(false);
    empty.phones[0].raw = "89261234567";
    expect(canSave(empty)).toBe(true);
  });

  it("keeps a team contact's CRM link, and only a web link saves", () => {
    const form = formOf({ ...contact, crm_url: "https://crm.example.ru/client/42" });
    expect(crmUrlOf(form)).toBe("https://crm.example.ru/client/42");
    form.crm_url = "   ";
    expect(crmUrlOf(form)).toBeNull();
    expect(canSave(form)).toBe(true);
    form.crm_url = "crm.example.ru/client/42";
    expect(canSave(form)).toBe(false);
    form.crm_url = " http://10.0.0.5:8080/c/1 ";
    expect(canSave(form)).toBe(true);
    expect(isWebLink("javascript:alert(1)")).toBe(false);
    expect(isWebLink("file:///etc/passwd")).toBe(false);
  });
});
