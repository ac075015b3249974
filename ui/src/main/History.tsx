// Call history: all / incoming / outgoing / missed, search by number, last digits or
// name, recordings played in the app, the notes agents wrote on each call (gist, tags, who),
// a dial button on every call.
import { useEffect, useMemo, useState } from "preact/hooks";
import { api, on, type CallDto, type CursorDto, type HistoryFilterDto } from "../ipc";
import { t, type Key } from "../i18n";
import { errorText } from "../errors";
import { debounce, latest } from "../lib/debounce";
import { direction, duration, employee, outcome, when } from "../format";
import { NoteList, useCallNotes } from "./CallNotes";
import { DialButton } from "./DialButton";
import { transferPath } from "../lib/control";
import { Recording } from "./Recording";
import { Segmented } from "./Segmented";
import { toast } from "./toasts";

const FILTERS: { id: HistoryFilterDto; key: Key }[] = [
  { id: "all", key: "history.filter.all" },
  { id: "in", key: "history.filter.in" },
  { id: "out", key: "history.filter.out" },
  { id: "missed", key: "history.filter.missed" },
];

const ARROW: Record<string, string> = { in: "↙", out: "↗", internal: "↔" };

export function History() {
  const [filter, setFilter] = useState<HistoryFilterDto>("all");
  const [search, setSearch] = useState("");
  const [calls, setCalls] = useState<CallDto[] | null>(null);
  const [next, setNext] = useState<CursorDto | null>(null);
  const fetchPage = useMemo(() => latest(api.history), []);
  // Notes are written after a call: only ended calls are asked about.
  const notes = useCallNotes((calls ?? []).filter((c) => c.status === "ended").map((c) => c.call_id));

  const load = useMemo(
    () => async (f: HistoryFilterDto, q: string) => {
      try {
        const page = await fetchPage({ filter: f, search: q || undefined, limit: 50 });
        if (page) {
          setCalls(page.calls);
          setNext(page.next);
        }
      } catch (e) {
        toast(errorText(e), "error");
      }
    },
    [fetchPage],
  );
  const loadSoon = useMemo(() => debounce(load, 200), [load]);

  useEffect(() => {
    void load(filter, search);
    // Live calls change the list: refresh the first page, at most a few times a second.
    const unlisten = on("call-updated", () => loadSoon(filter, search));
    return () => {
      loadSoon.cancel();
      unlisten.then((f) => f());
    };
  }, [filter, search, load, loadSoon]);

  const more = async () => {
    if (!next) return;
    try {
      const page = await api.history({ filter, search: search || undefined, before: next, limit: 50 });
      setCalls((c) => [...(c ?? []), ...page.calls]);
      setNext(page.next);
    } catch (e) {
      toast(errorText(e), "error");
    }
  };

  return (
    <section class="history" aria-label={t("nav.history")}>
      <div class="toolbar">
        <Segmented
          label={t("nav.history")}
          segments={FILTERS.map((f) => ({ id: f.id, text: t(f.key) }))}
          value={filter}
          testid={(id) => `filter-${id}`}
          onChange={setFilter}
        />
        <input
          type="search"
          class="grow"
          data-testid="history-search"
          placeholder={t("history.search")}
          aria-label={t("history.search")}
          value={search}
          onInput={(e) => {
            const v = e.currentTarget.value;
            setSearch(v);
          }}
        />
      </div>
      {calls === null ? (
        <p class="muted pad">{t("common.loading")}</p>
      ) : calls.length === 0 ? (
        <p class="muted pad" data-testid="history-empty">
          {search || filter !== "all" ? t("history.nothing_found") : t("history.empty")}
        </p>
      ) : (
        <table class="calls" data-testid="history-table">
          <thead>
            <tr>
              <th>{t("history.when")}</th>
              <th>{t("history.who")}</th>
              <th>{t("history.line")}</th>
              <th>{t("history.result")}</th>
              <th>{t("history.duration")}</th>
              <th>{t("history.recording")}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {calls.map((c) => (
              <tr key={c.call_id} class={c.missed ? "missed" : ""} data-testid="call-row" data-call={c.call_id}>
                <td class="nowrap">
                  <span class={`dir dir-${c.direction}`} title={direction(c.direction)} aria-label={direction(c.direction)}>
                    {ARROW[c.direction] ?? ""}
                  </span>{" "}
                  {when(c.started_at)}
                </td>
                <td>
                  <div class="row-title">{c.name ?? c.number}</div>
                  {c.name && <div class="row-sub mono">{c.number}</div>}
                  {notes[c.call_id] && <NoteList notes={notes[c.call_id]} />}
                </td>
                <td class="mono muted">{c.line ?? ""}</td>
                <td>
                  {outcome(c)}
                  {c.answered_by && !c.missed && <div class="row-sub">{t("history.answered_by", { name: employee(c.answered_by) })}</div>}
                  {transferPath(c) && (
                    <div class="row-sub" data-testid="call-transferred">
                      {t("history.transferred", { path: transferPath(c) })}
                    </div>
                  )}
                </td>
                <td class="nowrap">{duration(c.talk)}</td>
                <td>
                  <Recording call={c} />
                </td>
                <td>{(c.phone ?? (c.phone_raw || null)) && <DialButton number={c.phone ?? c.phone_raw} name={c.name ?? undefined} />}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {next && (
        <div class="pad">
          <button type="button" onClick={more}>
            {t("common.more")}
          </button>
        </div>
      )}
    </section>
  );
}
