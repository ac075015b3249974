// The team's cases (the «Обращения» tab): filters «Мои», «Без ответственного», «Все
// открытые», «В ожидании» with their counts; a row per case with the caller, how many calls
// were missed, status, responsible and who is calling back; the actions on each; a click
// opens the case beside the list. A list that did not come from the relay just now says it
// may be out of date.
import { useState } from "preact/hooks";
import type { CaseDto } from "../../ipc";
import { t } from "../../i18n";
import { when } from "../../format";
import { CaseActions } from "./CaseActions";
import { CaseView } from "./CaseView";
import { Segmented } from "../Segmented";
import { FILTERS, caller, caseTitle, claimText, counts, filterCases, person, staleNotice, statusText, type CaseFilter } from "./logic";
import type { CaseStore } from "./useCases";

export function Cases({ store }: { store: CaseStore }) {
  const [filter, setFilter] = useState<CaseFilter>("open");
  const [selected, setSelected] = useState<string | null>(null);
  const { list, error, put } = store;
  const all = list?.cases ?? [];
  const shown = filterCases(all, filter);
  const open = selected ? (all.find((c) => c.key === selected) ?? null) : null;
  const stale = staleNotice(list);
  const count = counts(all);

  return (
    <div class={open ? "split cases" : "split single cases"}>
      <section class="list-pane" aria-label={t("nav.missed")}>
        <div class="toolbar">
          <Segmented
            label={t("cases.filters")}
            segments={FILTERS.map((f) => ({ id: f.id, text: t(f.key), count: count[f.id] }))}
            value={filter}
            testid={(id) => `case-filter-${id}`}
            onChange={setFilter}
          />
        </div>
        {stale && (
          <p class="notice stale" role="status" data-testid="cases-stale">
            {stale}
          </p>
        )}
        {error && list === null && <p class="error pad">{t("cases.load_failed", { error })}</p>}
        {list === null ? (
          !error && <p class="muted pad">{t("common.loading")}</p>
        ) : shown.length === 0 ? (
          <p class="muted pad" data-testid="cases-empty">
            {t(`cases.empty.${filter}`)}
          </p>
        ) : (
          <ul class="rows" data-testid="case-list">
            {shown.map((c) => (
              <CaseRow key={c.key} c={c} selected={c.key === selected} onOpen={() => setSelected(c.key)} onChanged={put} />
            ))}
          </ul>
        )}
      </section>
      {open && (
        <section class="detail-pane">
          <CaseView c={open} onChanged={put} onClose={() => setSelected(null)} />
        </section>
      )}
    </div>
  );
}

function CaseRow({ c, selected, onOpen, onChanged }: { c: CaseDto; selected: boolean; onOpen: () => void; onChanged: (c: CaseDto) => void }) {
  const claim = claimText(c);
  return (
    <li class={selected ? "row case-row selected" : "row case-row"} data-testid="case-row" data-key={c.key} data-status={c.status}>
      <button type="button" class="row-main row-open" data-testid="case-open" title={t("cases.open_case")} onClick={onOpen}>
        <div class="row-title">{caller(c)}</div>
        <div class="row-sub">{caseTitle(c)}</div>
        <div class="row-sub">
          {t("cases.responsible", { name: person(c.responsible) })} · {t("cases.updated", { when: when(c.updated_at) })}
        </div>
        {claim && (
          <div class={c.claim?.mine ? "claim mine" : "claim"} data-testid="case-claim-text">
            ☎ {claim}
          </div>
        )}
      </button>
      <div class="row-meta">
        <span class={`pill pill-case-${c.status}`} data-testid="case-status">
          {statusText(c)}
        </span>
        {c.missed > 0 && <span class="pill pill-missed">{t("cases.missed", { count: c.missed })}</span>}
      </div>
      <CaseActions c={c} onChanged={onChanged} />
    </li>
  );
}
