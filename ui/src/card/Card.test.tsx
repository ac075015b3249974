import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { render } from "preact";
import { act } from "preact/test-utils";
import type { CardDto } from "../ipc";
import { setLanguage } from "../i18n";

const openCrm = vi.fn();
vi.mock("../ipc", async (original) => ({
  ...(await original<typeof import("../ipc")>()),
  api: { openCrm: (url: string) => openCrm(url), openInMain: () => Promise.resolve() },
}));

const { Card } = await import("./Card");

function card(extra: Partial<CardDto>): CardDto {
  return {
    call: {
      call_id: "c1", provider: "uis", direction: "in", status: "ringing", outcome: null, missed: false,
      phone: "+79039990011", phone_raw: "79039990011", number: "+7 903 999-00-11", name: null, line: null,
      started_at: "2026-11-20T10:00:00Z", answered_at: null, ended_at: null, wait: null, talk: null,
      answered_by: null, answered_legs: [], recordings: [], scenario: null, tags: [],
    },
    state: "ringing_here", withdrawn: false, title: "+7 903 999-00-11", number: "+7 903 999-00-11",
    contact_id: null, company: null, explanation: null, team_contact: false, updated_by: null, updated_at: null,
    from_crm: false, crm_url: null, several_matches: false, fields: [], recent_calls: [], followup: null,
    received_ms: 0, ...extra,
  };
}

let root: HTMLDivElement;
beforeEach(() => {
  root = document.createElement("div");
  document.body.append(root);
  openCrm.mockReset();
});
afterEach(() => {
  render(null, root);
  root.remove();
  setLanguage("ru");
});

const q = (id: string) => root.querySelector<HTMLElement>(`[data-testid="${id}"]`);
const show = (c: CardDto) => act(() => render(<Card card={c} onDismiss={() => undefined} />, root));
const flush = () => act(async () => await new Promise((r) => setTimeout(r, 0)));

describe("a card and the team directory", () => {
  it("marks a team contact and opens its CRM page", () => {
    openCrm.mockResolvedValue(undefined);
    show(card({ title: "Мария Соколова", contact_id: 5, team_contact: true, crm_url: "https://crm.example.ru/c/1" }));
    expect(q("card-title")?.textContent).toBe("Мария СоколоваКоманда");
    expect(q("card-from-crm")).toBeNull();
    act(() => q("card-crm")?.click());
    expect(openCrm).toHaveBeenCalledWith("https://crm.example.ru/c/1");
  });

  it("a private contact has no badge, and no CRM button without a link", () => {
    show(card({ title: "Соседка", contact_id: 6 }));
    expect(q("scope-badge")).toBeNull();
    expect(q("card-crm")).toBeNull();
  });

  it("names a caller the CRM knows, marked, and says when the link does not open", async () => {
    openCrm.mockRejectedValue({ kind: "invalid", message: "ftp://x: a CRM link is http or https, not ftp" });
    setLanguage("en");
    show(card({ title: "Ирина Козлова", from_crm: true, crm_url: "ftp://x" }));
    expect(q("card-title")?.textContent).toBe("Ирина Козловаfrom CRM");
    expect(q("card-create")).not.toBeNull();
    act(() => q("card-crm")?.click());
    await flush();
    expect(root.querySelector("[role=alert]")?.textContent).toBe("The data does not fit: ftp://x: a CRM link is http or https, not ftp");
  });

  it("an unknown caller with no CRM answer stays «Неизвестный номер»", () => {
    show(card({}));
    expect(q("card-title")?.textContent).toBe("Неизвестный номер");
  });
});
