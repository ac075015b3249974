// Missed calls to handle: one line per caller with how many times and when they called,
// a call-back button and «Готово».
import { useEffect, useMemo, useState } from "preact/hooks";
import { api, on, type FollowUpDto } from "../ipc";
import { has, t } from "../i18n";
import { errorText } from "../errors";
import { debounce } from "../lib/debounce";
import { when } from "../format";
import { dialNumber } from "./DialButton";
import { toast } from "./toasts";

export function Missed() {
  const [all, setAll] = useState(false);
  const [list, setList] = useState<FollowUpDto[] | null>(null);

  const load = useMemo(
    () => async (showAll: boolean) => {
      try {
        setList(await api.followups(showAll));
      } catch (e) {
        toast(errorText(e), "error");
      }
    },
    [],
  );
  const loadSoon = useMemo(() => debounce(load, 150), [load]);

  useEffect(() => {
    void load(all);
    const unlisten = on("followups-changed", () => loadSoon(all));
    return () => {
      loadSoon.cancel();
      unlisten.then((f) => f());
    };
  }, [all, load, loadSoon]);

  const done = async (f: FollowUpDto) => {
    try {
      await api.closeFollowup(f.caller);
      toast(t("missed.marked_done"), "ok");
      await load(all);
    } catch (e) {
      toast(errorText(e), "error");
    }
  };

  return (
    <section class="missed" aria-label={t("missed.title")}>
      <div class="toolbar">
        <h2 class="grow">{t("missed.title")}</h2>
        <label class="check">
          <input type="checkbox" checked={all} onChange={(e) => setAll(e.currentTarget.checked)} />
          {t("missed.show_closed")}
        </label>
      </div>
      {list === null ? (
        <p class="muted pad">{t("common.loading")}</p>
      ) : list.length === 0 ? (
        <p class="muted pad" data-testid="missed-empty">
          {t("missed.empty")}
        </p>
      ) : (
        <ul class="rows" data-testid="missed-list">
          {list.map((f) => (
            <li key={f.id} class={f.open ? "row" : "row closed"} data-testid="missed-row" data-caller={f.caller}>
              <div class="row-main">
                <div class="row-title">{f.name ?? f.number}</div>
                {f.name && <div class="row-sub mono">{f.number}</div>}
              </div>
              <div class="row-meta">
                <span class="pill pill-missed">{t("missed.count", { count: f.missed_count })}</span>
                <span class="muted">
                  {f.missed_count > 1 && `${t("missed.first", { when: when(f.first_missed_at) })}, `}
                  {t("missed.last", { when: when(f.last_missed_at) })}
                </span>
                {!f.open && f.closed_reason && has(`missed.closed.${f.closed_reason}`) && (
                  <span class="muted">{t(`missed.closed.${f.closed_reason}` as never)}</span>
                )}
              </div>
              {f.open && (
                <div class="row-actions">
                  <button type="button" class="primary" data-testid="call-back" onClick={() => dialNumber(f.caller)}>
                    ✆ {t("missed.call_back")}
                  </button>
                  <button type="button" data-testid="mark-done" onClick={() => done(f)}>
                    ✓ {t("missed.done")}
                  </button>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
