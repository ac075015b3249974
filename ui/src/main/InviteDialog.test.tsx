import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { render } from "preact";
import { act } from "preact/test-utils";
import type { InviteDto, SettingsDto } from "../ipc";
import { setLanguage } from "../i18n";

const inviteAccept = vi.fn();
vi.mock("../ipc", async (original) => ({
  ...(await original<typeof import("../ipc")>()),
  api: { inviteAccept: () => inviteAccept() },
}));

const { InviteDialog, inviteErrorText } = await import("./InviteDialog");

const valid: InviteDto = {
  relay: "https://relay.example.com",
  agent: "Анна Смирнова",
  expires_at: "2030-01-15T08:00:00+00:00",
  checking: false,
  error: null,
};

let root: HTMLDivElement;
beforeEach(() => {
  root = document.createElement("div");
  document.body.append(root);
  inviteAccept.mockReset();
});
afterEach(() => {
  render(null, root);
  root.remove();
  setLanguage("ru");
});

function show(invite: InviteDto, onSignedIn = vi.fn(), onClose = vi.fn()) {
  act(() => render(<InviteDialog invite={invite} onSignedIn={onSignedIn} onClose={onClose} />, root));
  const q = (id: string) => root.querySelector<HTMLElement>(`[data-testid="${id}"]`);
  return { q, onSignedIn, onClose };
}

const flush = () => act(async () => await new Promise((r) => setTimeout(r, 0)));

describe("the invite confirmation", () => {
  it("asks whether to sign in as the agent on the relay, in Russian and in English", () => {
    const { q } = show(valid);
    expect(q("invite-question")?.textContent).toBe("Войти в Трубку как «Анна Смирнова»?");
    expect(root.textContent).toContain("Релей: https://relay.example.com");
    expect(q("invite-accept")?.textContent).toBe("Войти");
    expect(q("invite-error")).toBeNull();
    act(() => setLanguage("en"));
    show(valid);
    expect(q("invite-question")?.textContent).toBe("Sign in to Trubka as “Анна Смирнова”?");
    expect(root.textContent).toContain("Relay: https://relay.example.com");
  });

  it("signs in on confirmation and hands the settings over", async () => {
    const settings = { relay_url: valid.relay, agent: "Анна Смирнова" } as SettingsDto;
    inviteAccept.mockResolvedValue(settings);
    const { q, onSignedIn } = show(valid);
    act(() => q("invite-accept")?.click());
    await flush();
    expect(inviteAccept).toHaveBeenCalledTimes(1);
    expect(onSignedIn).toHaveBeenCalledWith(settings);
  });

  it("says what to ask the administrator for when the relay refuses the link", async () => {
    inviteAccept.mockRejectedValue({ kind: "invite_used", message: "эта ссылка-приглашение уже использована" });
    const { q, onSignedIn } = show(valid);
    act(() => q("invite-accept")?.click());
    await flush();
    expect(onSignedIn).not.toHaveBeenCalled();
    expect(q("invite-error")?.textContent).toBe(
      "Эта ссылка-приглашение уже использована. Попросите у администратора новую ссылку",
    );
  });

  it("shows a link refused before any answer, with only a way to close it", () => {
    const { q, onClose } = show({
      ...valid,
      agent: null,
      expires_at: null,
      error: { kind: "invite_revoked", message: "отозвана" },
    });
    expect(q("invite-accept")).toBeNull();
    expect(q("invite-error")?.textContent).toContain("Спросите у администратора действующую ссылку");
    expect(q("invite-cancel")?.textContent).toBe("Закрыть");
    act(() => q("invite-cancel")?.click());
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it("waits for the relay before offering to sign in", () => {
    const { q } = show({ ...valid, agent: null, expires_at: null, checking: true });
    expect(q("invite-accept")).toBeNull();
    expect(root.textContent).toContain("Проверяем ссылку на релее https://relay.example.com");
  });

  it("words every refusal by its kind and anything else as before", () => {
    setLanguage("en");
    expect(inviteErrorText({ kind: "invite_expired", message: "срок истёк" })).toBe(
      "This invite link has expired. Ask your administrator for a new link",
    );
    expect(inviteErrorText({ kind: "network", message: "down" })).toBe("Cannot reach the relay: down");
  });
});
