import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { render } from "preact";
import { act } from "preact/test-utils";
import type { UpdateDto } from "../ipc";
import { setLanguage } from "../i18n";

const updateInstall = vi.fn();
const updateCheck = vi.fn();
const updateStatus = vi.fn();
vi.mock("../ipc", async (original) => ({
  ...(await original<typeof import("../ipc")>()),
  api: {
    updateInstall: () => updateInstall(),
    updateCheck: () => updateCheck(),
    updateStatus: () => updateStatus(),
  },
  on: () => Promise.resolve(() => undefined),
}));

const { UpdateBanner, UpdateCheck, bannerShown, failureText, progressText } = await import("./UpdateNotice");

const available: UpdateDto = {
  phase: "available",
  current_version: "0.1.0",
  version: "0.2.0",
  notes: "Карточка звонка показывает город",
  downloaded: 0,
  total: null,
  error: null,
};

let root: HTMLDivElement;
beforeEach(() => {
  root = document.createElement("div");
  document.body.append(root);
  for (const f of [updateInstall, updateCheck, updateStatus]) f.mockReset();
});
afterEach(() => {
  render(null, root);
  root.remove();
  setLanguage("ru");
});

const q = (id: string) => root.querySelector<HTMLElement>(`[data-testid="${id}"]`);
const flush = () => act(async () => await new Promise((r) => setTimeout(r, 0)));

function banner(update: UpdateDto, onChange = vi.fn()) {
  act(() => render(<UpdateBanner update={update} onChange={onChange} />, root));
  return onChange;
}

describe("the update banner", () => {
  it("says a new version is available with the notes and «Установить», in Russian and English", () => {
    banner(available);
    expect(q("update-title")?.textContent).toBe("Доступна новая версия 0.2.0");
    expect(q("update-notes")?.textContent).toBe("Карточка звонка показывает город");
    expect(q("update-install")?.textContent).toBe("Установить");
    expect(q("update-error")).toBeNull();
    act(() => setLanguage("en"));
    banner(available);
    expect(q("update-title")?.textContent).toBe("A new version is available: 0.2.0");
    expect(q("update-install")?.textContent).toBe("Install");
  });

  it("installs on «Установить» and shows what the shell answers", async () => {
    const installed: UpdateDto = { ...available, phase: "installed" };
    updateInstall.mockResolvedValue(installed);
    const onChange = banner(available);
    act(() => q("update-install")?.click());
    await flush();
    expect(updateInstall).toHaveBeenCalledTimes(1);
    expect(onChange).toHaveBeenCalledWith(installed);
    banner(installed);
    expect(q("update-installed")?.textContent).toBe("Установлено. Трубка перезапускается.");
    expect(q("update-install")).toBeNull();
  });

  it("shows the download's progress and hides the button meanwhile", () => {
    const downloading: UpdateDto = { ...available, phase: "downloading", downloaded: 512, total: 2048 };
    banner(downloading);
    expect(q("update-progress")?.textContent).toBe("Загружаем… 25%");
    expect(q("update-install")).toBeNull();
    expect(progressText({ ...downloading, total: null })).toBe("Загружаем…");
    expect(progressText({ ...downloading, phase: "installing" })).toBe("Подпись верна, устанавливаем…");
  });

  it("says that a verified build cannot replace a copy not installed from a package", () => {
    banner({ ...available, phase: "unpackaged", downloaded: 2048, total: 2048 });
    expect(q("update-unpackaged")?.textContent).toContain("Подпись верна, но эта копия Трубки запущена не из пакета");
    expect(q("update-install")).toBeNull();
  });

  it("shows why a build was refused, and lets the agent try again", () => {
    const refused: UpdateDto = {
      ...available,
      phase: "failed",
      error: "The signature was created with a different key than the one provided",
    };
    banner(refused);
    expect(q("update-error")?.textContent).toBe(
      "Не установлено: подпись сборки не подходит к ключу этой Трубки — её подписали другим ключом или изменили после подписи. Сообщите администратору. (The signature was created with a different key than the one provided)",
    );
    expect(failureText({ ...refused, error: "Failed to install .deb package" })).toBe(
      "Не установлено: Failed to install .deb package",
    );
    expect(q("update-error")?.getAttribute("role")).toBe("alert");
    expect(q("update-install")).not.toBeNull();
  });

  it("stays away when there is nothing newer", () => {
    for (const phase of ["idle", "checking", "current", "no_key"] as const) {
      expect(bannerShown({ ...available, phase, version: null })).toBe(false);
    }
    expect(bannerShown({ ...available, phase: "failed", version: null, error: "offline" })).toBe(false);
    banner({ ...available, phase: "current", version: null, notes: null });
    expect(q("update-banner")).toBeNull();
  });
});

describe("the settings' update line", () => {
  it("shows this version and checks on demand", async () => {
    updateStatus.mockResolvedValue({ ...available, phase: "idle", version: null, notes: null });
    updateCheck.mockResolvedValue({ ...available, phase: "current", version: null, notes: null });
    act(() => render(<UpdateCheck />, root));
    await flush();
    expect(q("update-check")?.textContent).toContain("Версия 0.1.0");
    expect(q("update-check-now")?.textContent).toBe("Проверить обновления");
    act(() => q("update-check-now")?.click());
    expect(q("update-said")?.textContent).toContain("Проверяем…");
    await flush();
    expect(updateCheck).toHaveBeenCalledTimes(1);
    expect(q("update-said")?.textContent).toContain("это последняя версия");
  });

  it("says when a check failed, and when the build cannot update", async () => {
    updateStatus.mockResolvedValue({ ...available, phase: "failed", version: null, error: "connection refused" });
    act(() => render(<UpdateCheck />, root));
    await flush();
    expect(q("update-said")?.textContent).toContain("не удалось проверить: connection refused");
    render(null, root);
    updateStatus.mockResolvedValue({ ...available, phase: "no_key", version: null });
    act(() => render(<UpdateCheck />, root));
    await flush();
    expect(q("update-said")?.textContent).toContain("в эту сборку не встроен ключ подписи");
  });
});
