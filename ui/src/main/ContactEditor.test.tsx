import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { render } from "preact";
import { act } from "preact/test-utils";
import type { ContactChangeDto, ContactDto } from "../ipc";
import { setLanguage } from "../i18n";

const saveContact = vi.fn();
const contactHistory = vi.fn();
const openCrm = vi.fn();
vi.mock("../ipc", async (original) => ({
  ...(await original<typeof import("../ipc")>()),
  api: {
    saveContact: (...a: unknown[]) => saveContact(...a),
    contactHistory: (id: number) => contactHistory(id),
    openCrm: (url: string) => openCrm(url),
  },
}));

const { ContactEditor } = await import("./ContactEditor");

const CRM = "https://crm.example.ru/clients/4217";
const maria = (version: number, position: string): ContactDto => ({
  id: 5, name: "Мария Соколова", company: "ООО «Вектор»", email: null, position, notes: null,
  numbers: [{ raw: "+7 916 555-12-34", label: null, field: null, e164: "+79165551234" }],
  fields: {},
  team: { id: 42, version, updated_by: "Игорь Лебедев", updated_at: "2026-03-02T11:05:00Z" },
  crm_url: CRM,
});
const history: ContactChangeDto[] = [
  { version: 8, at: "2026-03-02T11:05:00Z", author: "Игорь Лебедев", action: "edited", changed: ["position", "crm_url"] },
  { version: 3, at: "2026-03-01T09:00:00Z", author: "import", action: "imported", changed: ["name", "phones"] },
];

let root: HTMLDivElement;
beforeEach(() => {
  root = document.createElement("div");
  document.body.append(root);
  for (const f of [saveContact, contactHistory, openCrm]) f.mockReset();
  contactHistory.mockResolvedValue(history);
  openCrm.mockResolvedValue(undefined);
});
afterEach(() => {
  render(null, root);
  root.remove();
  setLanguage("ru");
});

const flush = () => act(async () => await new Promise((r) => setTimeout(r, 0)));
const q = (id: string) => root.querySelector<HTMLElement>(`[data-testid="${id}"]`);
const input = (id: string) => q(id) as HTMLInputElement;

function show(contact: ContactDto | null, { signedIn = true, supervisor = false } = {}) {
  act(() =>
    render(
      <ContactEditor
        contact={contact}
        signedIn={signedIn}
        supervisor={supervisor}
        onSaved={() => undefined}
        onDeleted={() => undefined}
        onClose={() => undefined}
      />,
      root,
    ),
  );
}

describe("a team contact in the editor", () => {
  it("says whose it is, who changed it, its history and opens the CRM", async () => {
    show(maria(8, "закупки"));
    await flush();
    expect(q("scope-badge")?.textContent).toBe("Команда");
    expect(q("contact-last-change")?.textContent).toMatch(/^Последнее изменение: Игорь Лебедев, /);
    const entries = [...root.querySelectorAll('[data-testid="history-entry"]')].map((e) => e.textContent);
    expect(entries).toHaveLength(2);
    expect(entries[0]).toContain("Игорь Лебедевизменил(а): должность, ссылка в CRM");
    expect(entries[1]).toContain("импорт из файлаимпортировал(а) из файла");
    expect(contactHistory).toHaveBeenCalledWith(5);
    expect(input("field-crm_url").value).toBe(CRM);
    act(() => q("contact-crm")?.click());
    expect(openCrm).toHaveBeenCalledWith(CRM);
  });

  it("keeps deleting for supervisors: disabled with the reason for an agent", () => {
    show(maria(8, "закупки"));
    const del = q("contact-delete") as HTMLButtonElement;
    expect(del.disabled).toBe(true);
    expect(del.parentElement?.title).toBe("Удалять контакты команды может только супервизор");
    show(maria(8, "закупки"), { supervisor: true });
    expect((q("contact-delete") as HTMLButtonElement).disabled).toBe(false);
  });

  it("shows a colleague's change in an untouched form, and warns over an edited one", async () => {
    show(maria(8, "закупки"));
    show(maria(9, "руководитель закупок"));
    await flush();
    expect(input("field-position").value).toBe("руководитель закупок");
    expect(q("contact-changed-meanwhile")).toBeNull();
    expect(contactHistory).toHaveBeenCalledTimes(2);

    const name = input("field-name");
    act(() => {
      name.value = "Мария С.";
      name.dispatchEvent(new Event("input", { bubbles: true }));
    });
    show(maria(10, "директор"));
    await flush();
    expect(input("field-name").value).toBe("Мария С.");
    expect(input("field-position").value).toBe("руководитель закупок");
    expect(q("contact-changed-meanwhile")?.textContent).toContain("Коллега изменил этот контакт");
  });
});

describe("a new contact", () => {
  it("goes to the team by default when signed in, with a CRM link; private has none", async () => {
    saveContact.mockResolvedValue(maria(1, ""));
    show(null);
    expect(input("where-team").checked).toBe(true);
    expect(q("field-crm_url")).not.toBeNull();
    act(() => q("where-private")?.click());
    expect(q("field-crm_url")).toBeNull();
    const name = input("field-name");
    act(() => {
      name.value = "Валентина";
      name.dispatchEvent(new Event("input", { bubbles: true }));
    });
    await act(async () => q("contact-save")?.click());
    await flush();
    expect(saveContact).toHaveBeenCalledWith(null, expect.objectContaining({ name: "Валентина" }), false, null);
  });

  it("cannot go to the team when not signed in, and says why", () => {
    setLanguage("en");
    show(null, { signedIn: false });
    expect(input("where-team").disabled).toBe(true);
    expect(input("where-private").checked).toBe(true);
    expect(q("contact-where")?.textContent).toContain("Team contacts are available once signed in to a relay");
  });
});
