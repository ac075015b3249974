// The dial button next to every number, with its menu: a plain call, a call through one of
// the UIS scenarios or Sipuni schemes the relay offers this agent (by name), and an offline
// request («заявка») for the number.
import { useCallback, useEffect, useRef, useState, type MutableRef } from "preact/hooks";
import { api, type CallRouteDto } from "../ipc";
import { t } from "../i18n";
import { errorText } from "../errors";
import { openRequest } from "./RequestForm";
import { toast } from "./toasts";

export async function dialNumber(number: string, scenario?: string): Promise<void> {
  try {
    const r = await api.dial(number, scenario ?? null);
    toast(scenario ? t("dial.sent_via", { number: r.number, scenario }) : t("dial.sent", { number: r.number }), "ok");
  } catch (e) {
    toast(`${t("dial.failed", { number })}: ${errorText(e)}`, "error");
  }
}

/** How long the scenario list is reused before the menu asks the relay again. */
const ROUTES_FOR_MS = 60_000;
let routes: { at: number; list: Promise<CallRouteDto[]> } | null = null;

/** The scenarios and schemes, asked once a minute at most; a failure is asked again next time. */
export function loadRoutes(now = Date.now()): Promise<CallRouteDto[]> {
  if (!routes || now - routes.at > ROUTES_FOR_MS) {
    const list = api.scenarios();
    routes = { at: now, list };
    list.catch(() => (routes = null));
  }
  return routes.list;
}

type Routes = { state: "loading" } | { state: "ready"; list: CallRouteDto[] } | { state: "failed"; error: string };

interface MenuProps {
  number: string;
  name?: string;
  /** The button and menu together: a click inside does not close the menu. */
  within: MutableRef<HTMLSpanElement | null>;
  onClose: () => void;
}

function DialMenu({ number, name, within, onClose }: MenuProps) {
  const [list, setList] = useState<Routes>({ state: "loading" });
  useEffect(() => {
    let live = true;
    loadRoutes().then(
      (l) => live && setList({ state: "ready", list: l }),
      (e) => live && setList({ state: "failed", error: errorText(e) }),
    );
    const away = (e: MouseEvent) => {
      if (within.current && !within.current.contains(e.target as Node)) onClose();
    };
    const esc = (e: KeyboardEvent) => e.key === "Escape" && onClose();
    document.addEventListener("mousedown", away);
    document.addEventListener("keydown", esc);
    return () => {
      live = false;
      document.removeEventListener("mousedown", away);
      document.removeEventListener("keydown", esc);
    };
  }, [onClose, within]);
  const pick = (scenario?: string) => {
    onClose();
    void dialNumber(number, scenario);
  };
  // The items that are always there come first: the scenarios arrive a moment later, and
  // anything below them would move under the pointer as they load (a click meant for
  // «Заявка» landing on a scenario places a call).
  return (
    <ul class="dial-menu" role="menu" data-testid="dial-menu">
      <li role="none">
        <button type="button" role="menuitem" onClick={() => pick()}>
          ✆ {t("common.dial")}
        </button>
      </li>
      <li role="none">
        <button
          type="button"
          role="menuitem"
          data-testid="dial-request"
          onClick={() => {
            onClose();
            openRequest({ phone: number, name: name ?? "" });
          }}
        >
          ✎ {t("request.open")}
        </button>
      </li>
      {list.state === "loading" && <li class="menu-sep muted small">{t("common.loading")}</li>}
      {list.state === "failed" && (
        <li class="menu-sep error small" data-testid="dial-menu-error">
          {t("dial.scenarios_failed")}: {list.error}
        </li>
      )}
      {list.state === "ready" && list.list.length > 0 && <li class="menu-head menu-sep muted small">{t("dial.via")}</li>}
      {list.state === "ready" &&
        list.list.map((r) => (
          <li role="none" key={`${r.provider}:${r.id}`}>
            <button
              type="button"
              role="menuitem"
              data-testid="dial-scenario"
              data-scenario={r.name}
              title={t(r.provider === "sipuni" ? "dial.scheme" : "dial.scenario", { id: r.id })}
              onClick={() => pick(r.name)}
            >
              {r.name}
              <span class="muted small"> · {r.provider === "sipuni" ? "Sipuni" : "UIS"}</span>
            </button>
          </li>
        ))}
    </ul>
  );
}

export function DialButton({ number, label, name }: { number: string; label?: string; name?: string }) {
  const [open, setOpen] = useState(false);
  const close = useCallback(() => setOpen(false), []);
  const wrap = useRef<HTMLSpanElement>(null);
  return (
    <span class="dial-wrap" ref={wrap}>
      <button
        type="button"
        class="dial"
        data-testid="dial"
        data-number={number}
        title={t("common.dial_number", { number })}
        aria-label={t("common.dial_number", { number })}
        onClick={(e) => {
          e.stopPropagation();
          void dialNumber(number);
        }}
      >
        <span aria-hidden="true">✆</span>
        {label && <span>{label}</span>}
      </button>
      <button
        type="button"
        class="dial dial-more"
        data-testid="dial-more"
        aria-haspopup="menu"
        aria-expanded={open}
        title={t("dial.more", { number })}
        aria-label={t("dial.more", { number })}
        onClick={(e) => {
          e.stopPropagation();
          setOpen((o) => !o);
        }}
      >
        ▾
      </button>
      {open && <DialMenu number={number} name={name} within={wrap} onClose={close} />}
    </span>
  );
}
