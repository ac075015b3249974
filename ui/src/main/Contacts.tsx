// Contacts: search as you type, a dial button next to every number, add/edit, import with
// a report of bad rows, and attaching a caller's number to an existing contact. Team
// contacts (the relay's directory, synced) and private ones are listed together, each
// marked, with a filter; the list is read again when the directory changes.
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api, on, type ContactDto, type ImportReportDto } from "../ipc";
import { t } from "../i18n";
import { errorText } from "../errors";
import { debounce, latest } from "../lib/debounce";
import { moveIndex } from "../lib/listNav";
import { inScope, isTeam, scopeCounts, SCOPES, type Scope } from "../lib/directory";
import { ContactEditor } from "./ContactEditor";
import { DialButton } from "./DialButton";
import { ImportReport } from "./ImportReport";
import { ScopeBadge } from "./TeamBits";
import { Segmented } from "./Segmented";
import { toast } from "./toasts";

export type ContactsIntent =
  | { kind: "open"; id: number }
  | { kind: "new"; callId: string; number: string }
  | { kind: "attach"; number: string };

type Pane =
  | { kind: "none" }
  | { kind: "edit"; contact: ContactDto | null; number?: string }
  | { kind: "report"; report: ImportReportDto }
  | { kind: "attach"; number: string };

interface Props {
  intent: ContactsIntent | null;
  onIntentDone: () => void;
  signedIn: boolean;
  supervisor: boolean;
}

export function Contacts({ intent, onIntentDone, signedIn, supervisor }: Props) {
  const [query, setQuery] = useState("");
  const [all, setList] = useState<ContactDto[] | null>(null);
  const [scope, setScope] = useState<Scope>("all");
  const list = all && inScope(all, scope);
  const queryRef = useRef("");
  queryRef.current = query;
  const [selected, setSelected] = useState(-1);
  const [pane, setPane] = useState<Pane>({ kind: "none" });
  const searchRef = useRef<HTMLInputElement>(null);
  const fileRef = useRef<HTMLInputElement>(null);
  const fetchList = useMemo(() => latest((q: string) => api.contacts(q)), []);

  const reload = useMemo(
    () => async (q: string) => {
      try {
        const result = await fetchList(q);
        if (result) setList(result);
      } catch (e) {
        toast(errorText(e), "error");
      }
    },
    [fetchList],
  );
  const reloadSoon = useMemo(() => debounce(reload, 150), [reload]);

  useEffect(() => {
    void reload("");
    searchRef.current?.focus();
    return () => reloadSoon.cancel();
  }, [reload, reloadSoon]);

  // A colleague's change (or this agent's, applied from the relay's answer) reached the
  // local copy: the list, and the open contact's badge and history, follow.
  useEffect(() => {
    const unlisten = on("directory-changed", async () => {
      await reload(queryRef.current);
    });
    return () => void unlisten.then((f) => f());
  }, [reload]);

  useEffect(() => {
    if (!all) return;
    setPane((p) => {
      if (p.kind !== "edit" || !p.contact) return p;
      const fresh = all.find((c) => c.id === p.contact!.id);
      return fresh && fresh.team?.version !== p.contact.team?.version ? { ...p, contact: fresh } : p;
    });
  }, [all]);

  useEffect(() => {
    if (!intent) return;
    if (intent.kind === "open") {
      api.contacts("").then((all) => {
        setList(all);
        const c = all.find((x) => x.id === intent.id) ?? null;
        setPane({ kind: "edit", contact: c });
      });
    } else if (intent.kind === "new") {
      setPane({ kind: "edit", contact: null, number: intent.number });
    } else {
      setPane({ kind: "attach", number: intent.number });
      searchRef.current?.focus();
    }
    onIntentDone();
  }, [intent, onIntentDone]);

  const counts = scopeCounts(all ?? []);

  const onSearch = (value: string) => {
    setQuery(value);
    setSelected(-1);
    reloadSoon(value);
  };

  const onKeyDown = (e: KeyboardEvent) => {
    const items = list ?? [];
    const next = moveIndex(e.key, selected, items.length);
    if (next !== null && e.key !== "Home" && e.key !== "End") {
      e.preventDefault();
      setSelected(next);
      document.getElementById(`contact-${items[next].id}`)?.scrollIntoView({ block: "nearest" });
    } else if (e.key === "Enter" && items[selected]) {
      e.preventDefault();
      setPane({ kind: "edit", contact: items[selected] });
    } else if (e.key === "Escape") {
      setPane({ kind: "none" });
    }
  };

  const importFile = async (file: File) => {
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      const report = await api.importContacts(bytes);
      setPane({ kind: "report", report });
      await reload(query);
    } catch (e) {
      toast(errorText(e), "error");
    }
  };

  const attach = async (contact: ContactDto, number: string) => {
    try {
      const updated = await api.attachNumber(contact.id, number);
      toast(t("contacts.saved"), "ok");
      setPane({ kind: "edit", contact: updated });
      await reload(query);
    } catch (e) {
      toast(errorText(e), "error");
    }
  };

  const items = list ?? [];
  return (
    <div class={pane.kind === "none" || pane.kind === "attach" ? "split single" : "split"}>
      <section class="list-pane" aria-label={t("nav.contacts")}>
        <div class="toolbar">
          <input
            ref={searchRef}
            type="search"
            class="grow"
            data-testid="contacts-search"
            placeholder={t("contacts.search")}
            aria-label={t("contacts.search")}
            value={query}
            onInput={(e) => onSearch(e.currentTarget.value)}
            onKeyDown={onKeyDown}
          />
          <button type="button" data-testid="contact-new" onClick={() => setPane({ kind: "edit", contact: null })}>
            + {t("contacts.add")}
          </button>
          <button type="button" data-testid="contacts-import" onClick={() => fileRef.current?.click()}>
            {t("contacts.import")}
          </button>
          <input
            ref={fileRef}
            type="file"
            hidden
            data-testid="contacts-file"
            accept=".csv,.vcf,.vcard,text/csv,text/vcard"
            onChange={(e) => {
              const f = e.currentTarget.files?.[0];
              if (f) void importFile(f);
              e.currentTarget.value = "";
            }}
          />
        </div>
        <div class="toolbar sub">
          <Segmented
            label={t("team.filter")}
            groupTestid="contacts-scope"
            segments={SCOPES.map((s) => ({ id: s, text: t(`team.scope.${s}`), count: counts[s] }))}
            value={scope}
            testid={(s) => `scope-${s}`}
            onChange={(s) => {
              setScope(s);
              setSelected(-1);
            }}
          />
        </div>
        {pane.kind === "attach" && (
          <div class="hint" data-testid="attach-hint">
            {t("card.attach")}: <strong>{pane.number}</strong>
          </div>
        )}
        {list === null ? (
          <p class="muted pad">{t("common.loading")}</p>
        ) : items.length === 0 ? (
          <p class="muted pad" data-testid="contacts-empty">
            {query ? t("contacts.nothing_found", { query }) : all && all.length > 0 ? t("team.scope_empty") : t("contacts.empty")}
          </p>
        ) : (
          <ul class="rows" role="listbox" aria-label={t("nav.contacts")} data-testid="contacts-list">
            {items.map((c, i) => (
              <li
                key={c.id}
                id={`contact-${c.id}`}
                role="option"
                aria-selected={i === selected}
                class={i === selected || (pane.kind === "edit" && pane.contact?.id === c.id) ? "row selected" : "row"}
                data-testid="contact-row"
                onClick={() => {
                  setSelected(i);
                  if (pane.kind !== "attach") setPane({ kind: "edit", contact: c });
                }}
              >
                <div class="row-main">
                  <div class="row-title">
                    {c.name || c.numbers[0]?.raw} <ScopeBadge team={isTeam(c)} />
                  </div>
                  {(c.company || c.position) && <div class="row-sub">{[c.company, c.position].filter(Boolean).join(" · ")}</div>}
                </div>
                <div class="numbers">
                  {c.numbers
                    .filter((n) => n.field === null)
                    .map((n) => (
                      <span class="number" key={n.raw}>
                        <span class="mono">{n.raw}</span>
                        {n.label && <span class="muted"> {n.label}</span>}
                        <DialButton number={n.e164 ?? n.raw} name={c.name} />
                      </span>
                    ))}
                </div>
                {pane.kind === "attach" && (
                  <button type="button" class="primary small" data-testid="attach-to" onClick={() => attach(c, pane.number)}>
                    {t("card.attach")}
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
        {list && list.length > 0 && <div class="footer muted">{t("contacts.count", { count: list.length })}</div>}
      </section>
      <section class="detail-pane" hidden={pane.kind === "none" || pane.kind === "attach"}>
        {pane.kind === "edit" && (
          <ContactEditor
            key={pane.contact?.id ?? `new-${pane.number ?? ""}`}
            contact={pane.contact}
            number={pane.number}
            signedIn={signedIn}
            supervisor={supervisor}
            onSaved={(c) => {
              setPane({ kind: "edit", contact: c });
              void reload(query);
            }}
            onDeleted={() => {
              setPane({ kind: "none" });
              void reload(query);
            }}
            onClose={() => setPane({ kind: "none" })}
          />
        )}
        {pane.kind === "report" && <ImportReport report={pane.report} onClose={() => setPane({ kind: "none" })} />}
      </section>
    </div>
  );
}
