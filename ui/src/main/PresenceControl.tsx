// The agent's status next to the status line: what the PBX routes by (на месте, перерыв with
// one of the admin's reasons, не беспокоить; «не на работе» when the PBX says so). The tray's
// menu and the global shortcut set the same status; every change comes back as the `presence`
// event, so all three show the same.
import { useEffect, useRef, useState } from "preact/hooks";
import type { AgentPresenceDto, PresenceStatusDto } from "../ipc";
import { api, on } from "../ipc";
import { t } from "../i18n";
import { refusalText } from "../errors";
import { statusText } from "../lib/control";

/** `CommandOrControl+Alt+B` as people write it. */
export function shortcutLabel(shortcut: string): string {
  return shortcut.replace(/CommandOrControl|CmdOrCtrl/g, "Ctrl");
}

/** The tone of a status: the dot's colour. */
export function presenceTone(p: AgentPresenceDto | null): string {
  if (!p?.status) return "unknown";
  return p.status === "available" ? (p.on_call ? "on_call" : "free") : p.status;
}

interface Option {
  id: string;
  status: PresenceStatusDto;
  reason: string | null;
  label: string;
}

/** The menu: available, a break without a reason, a break per reason, do not disturb. */
export function presenceOptions(reasons: string[]): Option[] {
  return [
    { id: "available", status: "available", reason: null, label: t("presence.available") },
    { id: "break", status: "break", reason: null, label: `${t("presence.break")}: ${t("presence.no_reason").toLowerCase()}` },
    ...reasons.map((r) => ({ id: `reason-${r}`, status: "break" as const, reason: r, label: `${t("presence.break")}: ${r}` })),
    { id: "dnd", status: "dnd", reason: null, label: t("presence.dnd") },
  ];
}

/** Whether `o` is the status `p` has now. */
export function isCurrent(o: Option, p: AgentPresenceDto | null): boolean {
  return p?.status === o.status && (p.reason ?? null) === o.reason;
}

interface Props {
  /** The signed-in agent's name: the `presence` events of colleagues are not ours. */
  me: string | null;
  breakShortcut: string;
}

export function PresenceControl({ me, breakShortcut }: Props) {
  const [mine, setMine] = useState<AgentPresenceDto | null>(null);
  const [reasons, setReasons] = useState<string[]>([]);
  const [open, setOpen] = useState(false);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    api.presenceMine().then((p) => p && setMine(p), () => undefined);
    // A refusal of the tray's or the shortcut's change is a toast of the main window.
    const unlisten = on("presence", (p) => {
      if (me && p.agent.toLowerCase() === me.toLowerCase()) {
        setMine(p);
        setError("");
      }
    });
    return () => void unlisten.then((f) => f());
  }, [me]);

  useEffect(() => {
    if (!open) return;
    api.breakReasons().then(setReasons, () => undefined);
    const outside = (e: MouseEvent) => {
      if (box.current && !box.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", outside);
    return () => document.removeEventListener("mousedown", outside);
  }, [open]);

  const choose = async (o: Option) => {
    setOpen(false);
    setBusy(true);
    setError("");
    try {
      setMine(await api.presenceSet(o.status, o.reason));
    } catch (e) {
      setError(refusalText(e));
    } finally {
      setBusy(false);
    }
  };

  const tone = presenceTone(mine);
  const hint = t("presence.hint", { shortcut: shortcutLabel(breakShortcut) });
  return (
    <div class="presence" ref={box} onKeyDown={(e) => e.key === "Escape" && setOpen(false)}>
      <button
        type="button"
        class={`presence-button tone-${tone}`}
        data-testid="presence-control"
        data-status={mine?.status ?? ""}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-label={`${t("presence.label")}: ${statusText(mine)}`}
        title={error ? `${t("presence.failed")}: ${error}` : hint}
        disabled={busy}
        onClick={() => setOpen(!open)}
      >
        <span class="dot" aria-hidden="true" />
        <span>{statusText(mine)}</span>
        {mine?.on_call && <span class="muted small">· {t("presence.on_call")}</span>}
        <span aria-hidden="true">▾</span>
      </button>
      {open && (
        <ul class="presence-menu" role="menu" data-testid="presence-menu">
          {presenceOptions(reasons).map((o) => (
            <li key={o.id} role="none">
              <button
                type="button"
                role="menuitemradio"
                aria-checked={isCurrent(o, mine)}
                class={`ghost tone-${o.status === "available" ? "free" : o.status}`}
                data-testid={`presence-option-${o.id}`}
                onClick={() => void choose(o)}
              >
                <span class="dot" aria-hidden="true" />
                {o.label}
                {isCurrent(o, mine) && <span aria-hidden="true"> ✓</span>}
              </button>
            </li>
          ))}
          <li role="none" class="muted small presence-hint">
            {hint}
          </li>
        </ul>
      )}
      {error && (
        <span class="error small presence-error" role="alert" data-testid="presence-error">
          {error}
        </span>
      )}
    </div>
  );
}
