// New builds from the relay the app is signed in to: «Доступна новая версия» with the notes
// and «Установить» above the screens, the install's progress and result, and in the settings
// the version with «Проверить обновления». The shell checks at start and hourly, verifies
// the signature and installs (src-tauri/src/updates.rs); this only shows and asks.
import { useEffect, useState } from "preact/hooks";
import { api, on, type UpdateDto } from "../ipc";
import { t } from "../i18n";

/** The shell's update state, as the last check or install left it, kept current. */
export function useUpdate(): [UpdateDto | null, (u: UpdateDto) => void] {
  const [update, setUpdate] = useState<UpdateDto | null>(null);
  useEffect(() => {
    api.updateStatus().then(setUpdate, () => setUpdate(null));
    const unlisten = on("update", setUpdate);
    return () => {
      unlisten.then((f) => f());
    };
  }, []);
  return [update, setUpdate];
}

/** Whether the banner shows: a newer version was found (and is being installed, or failed to). */
export function bannerShown(update: UpdateDto | null): boolean {
  if (!update || update.version === null) return false;
  return ["available", "downloading", "installing", "installed", "unpackaged", "failed"].includes(update.phase);
}

/** Why an install failed: a refused signature in a sentence of its own (the updater's words
 * after it), anything else as the updater says it. */
export function failureText(update: UpdateDto): string {
  const reason = update.error ?? "";
  if (/signature/i.test(reason)) return t("update.bad_signature", { reason });
  return t("update.failed", { reason });
}

/** The download's progress in words: a percentage when the size is known. */
export function progressText(update: UpdateDto): string {
  if (update.phase === "installing") return t("update.installing");
  if (update.total) {
    const percent = Math.min(100, Math.floor((update.downloaded * 100) / update.total));
    return t("update.downloading_percent", { percent: String(percent) });
  }
  return t("update.downloading");
}

export function UpdateBanner({ update, onChange }: { update: UpdateDto | null; onChange: (u: UpdateDto) => void }) {
  if (!update || !bannerShown(update)) return null;
  const busy = update.phase === "downloading" || update.phase === "installing";
  const install = () => {
    api.updateInstall().then(onChange, () => undefined);
  };
  return (
    <section class="notice update" role="status" aria-live="polite" data-testid="update-banner">
      <strong data-testid="update-title">{t("update.available", { version: update.version ?? "" })}</strong>
      {update.notes && (
        <p class="update-notes" data-testid="update-notes">
          {update.notes}
        </p>
      )}
      {busy && <p data-testid="update-progress">{progressText(update)}</p>}
      {update.phase === "installed" && <p data-testid="update-installed">{t("update.installed")}</p>}
      {update.phase === "unpackaged" && <p data-testid="update-unpackaged">{t("update.unpackaged")}</p>}
      {update.phase === "failed" && (
        <p class="error" role="alert" data-testid="update-error">
          {failureText(update)}
        </p>
      )}
      {(update.phase === "available" || update.phase === "failed") && (
        <button class="primary" type="button" data-testid="update-install" onClick={install}>
          {t("update.install")}
        </button>
      )}
    </section>
  );
}

/** The settings' line: this version, what the last check said, and «Проверить обновления». */
export function UpdateCheck() {
  const [update, setUpdate] = useUpdate();
  const [asking, setAsking] = useState(false);
  if (!update) return null;
  const check = () => {
    setAsking(true);
    api
      .updateCheck()
      .then(setUpdate, () => undefined)
      .finally(() => setAsking(false));
  };
  const said =
    update.phase === "checking" || asking
      ? t("update.checking")
      : update.phase === "current"
        ? t("update.current")
        : update.phase === "no_key"
          ? t("update.no_key")
          : update.phase === "failed" && update.version === null
            ? t("update.check_failed", { reason: update.error ?? "" })
            : update.version !== null
              ? t("update.available", { version: update.version })
              : "";
  return (
    <div class="update-check" data-testid="update-check">
      <span>{t("update.this_version", { version: update.current_version })}</span>
      {said && (
        <span class="muted" data-testid="update-said">
          {" "}
          · {said}
        </span>
      )}
      <button type="button" disabled={asking || update.phase === "checking"} data-testid="update-check-now" onClick={check}>
        {t("update.check")}
      </button>
    </div>
  );
}
