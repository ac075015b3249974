// «Кому перевести»: colleagues by name with who is free, on a call or on a break (the relay's
// presence list, kept current by `presence` events), or any typed number; then «Перевести
// сразу» (blind) or «Сначала поговорить» (attended), each disabled with the reason when the
// PBX cannot do it. Enter: talk first (or at once where only that works); Shift+Enter: at once.
import { useEffect, useRef, useState } from "preact/hooks";
import type { AgentPresenceDto, CallActionsDto } from "../ipc";
import { api, on } from "../ipc";
import { t } from "../i18n";
import { refusalText } from "../errors";
import { pickerEntries, transferKinds } from "../lib/control";

interface Props {
  actions: CallActionsDto | null;
  busy: boolean;
  onPick: (to: string, attended: boolean) => void;
  onClose: () => void;
}

export function TransferPicker({ actions, busy, onPick, onClose }: Props) {
  const [team, setTeam] = useState<AgentPresenceDto[]>([]);
  const [me, setMe] = useState<string | null>(null);
  const [teamError, setTeamError] = useState("");
  const [query, setQuery] = useState("");
  const [selected, setSelected] = useState(0);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    input.current?.focus();
    api.teamPresence().then(
      (list) => {
        setTeam(list.agents);
        setMe(list.me);
      },
      (e) => setTeamError(refusalText(e)),
    );
    const unlisten = on("presence", (p) => setTeam((list) => (list.some((a) => a.agent === p.agent) ? list.map((a) => (a.agent === p.agent ? p : a)) : [...list, p])));
    return () => void unlisten.then((f) => f());
  }, []);

  const entries = pickerEntries(team, query, me);
  const current = entries[Math.min(selected, entries.length - 1)] ?? null;
  const kinds = transferKinds(actions);
  const go = (attended: boolean) => {
    if (!current || busy) return;
    if ((attended ? kinds.attended : kinds.blind) !== "") return;
    onPick(current.to, attended);
  };

  const onKey = (e: KeyboardEvent) => {
    if (e.key === "Escape") {
      e.preventDefault();
      onClose();
    } else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      const step = e.key === "ArrowDown" ? 1 : -1;
      setSelected((i) => Math.max(0, Math.min(entries.length - 1, i + step)));
    } else if (e.key === "Enter") {
      e.preventDefault();
      const attended = !e.shiftKey && kinds.attended === "";
      go(attended || kinds.blind !== "");
    }
  };

  return (
    <div class="transfer-picker" data-testid="transfer-picker" role="dialog" aria-label={t("control.picker_title")}>
      <div class="picker-head">
        <b class="small">{t("control.picker_title")}</b>
        <button type="button" class="ghost small close" title={`${t("control.close_picker")} (Esc)`} onClick={onClose}>
          ✕
        </button>
      </div>
      <input
        ref={input}
        type="text"
        class="picker-search"
        data-testid="transfer-search"
        placeholder={t("control.search")}
        aria-label={t("control.search")}
        value={query}
        onInput={(e) => {
          setQuery((e.target as HTMLInputElement).value);
          setSelected(0);
        }}
        onKeyDown={onKey}
      />
      {teamError && <p class="warn small">{t("control.team_unknown", { error: teamError })}</p>}
      <ul class="picker-list" role="listbox">
        {entries.map((entry, i) => (
          <li
            key={`${entry.tone}:${entry.to}`}
            role="option"
            aria-selected={entry === current}
            class={`picker-entry tone-${entry.tone}${entry === current ? " selected" : ""}`}
            data-testid="transfer-entry"
            data-to={entry.to}
            data-tone={entry.tone}
            onClick={() => setSelected(i)}
            onDblClick={() => go(kinds.attended === "")}
          >
            <span class="dot" aria-hidden="true" />
            <span class="grow">{entry.label}</span>
            <span class="muted small">{entry.detail}</span>
          </li>
        ))}
        {entries.length === 0 && query.trim() !== "" && <li class="muted small">{t("control.nobody")}</li>}
      </ul>
      <div class="picker-actions">
        {(
          [
            [false, "control.blind", kinds.blind, "Shift+Enter", "transfer-blind"],
            [true, "control.attended", kinds.attended, "Enter", "transfer-attended"],
          ] as const
        ).map(([attended, key, why, keys, testid]) => {
          const enabled = why === "" && current !== null && !busy;
          return (
            <button
              key={testid}
              type="button"
              class={`small${attended ? " primary" : ""}${enabled ? "" : " is-disabled"}`}
              data-testid={testid}
              aria-disabled={enabled ? undefined : "true"}
              title={why || `${t(key)} — ${keys}`}
              onClick={() => go(attended)}
            >
              {t(key)}
            </button>
          );
        })}
      </div>
    </div>
  );
}
