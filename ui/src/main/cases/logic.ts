// The case list's rules, pure: which cases each filter shows, the tab's badge count, a
// changed case merged into the list, and how a case is worded (title, who has it, who is
// responsible). The components only render what these give.
import type { CaseDto, CaseListDto, PersonDto } from "../../bindings/ipc";
import { t, type Key } from "../../i18n";
import { employee, when } from "../../format";

export type CaseFilter = "mine" | "unassigned" | "open" | "waiting";

export const FILTERS: { id: CaseFilter; key: Key }[] = [
  { id: "mine", key: "cases.filter.mine" },
  { id: "unassigned", key: "cases.filter.unassigned" },
  { id: "open", key: "cases.filter.open" },
  { id: "waiting", key: "cases.filter.waiting" },
];

/** The signed-in agent answers for the case or is calling the client back. */
export function isMine(c: CaseDto): boolean {
  return c.responsible_mine || (c.claim?.mine ?? false);
}

/** Whether `filter` lists `c`. «Мои» and «Без ответственного» hold open and waiting cases;
 * «Все открытые» the open ones, «В ожидании» the waiting ones. Closed cases are in none. */
export function matches(c: CaseDto, filter: CaseFilter): boolean {
  if (c.status === "closed") return false;
  switch (filter) {
    case "mine":
      return isMine(c);
    case "unassigned":
      return c.responsible === null;
    case "open":
      return c.status === "open";
    case "waiting":
      return c.status === "waiting";
  }
}

/** The cases `filter` shows, the most recently changed first. */
export function filterCases(cases: CaseDto[], filter: CaseFilter): CaseDto[] {
  return cases.filter((c) => matches(c, filter)).sort((a, b) => b.updated_at.localeCompare(a.updated_at) || a.key.localeCompare(b.key));
}

/** The tab's badge: open cases that are the agent's or nobody's — what is theirs to call back. */
export function badgeCount(cases: CaseDto[]): number {
  return cases.filter((c) => c.status === "open" && (isMine(c) || c.responsible === null)).length;
}

/** How many cases each filter shows, for the counts on the filter buttons. */
export function counts(cases: CaseDto[]): Record<CaseFilter, number> {
  const out = { mine: 0, unassigned: 0, open: 0, waiting: 0 };
  for (const f of FILTERS) out[f.id] = cases.filter((c) => matches(c, f.id)).length;
  return out;
}

/** A case the relay changed, into the list: a newer version replaces the held one, an
 * unknown case is added unless it is closed (no filter shows it: every call nobody worked on
 * is one), an older version changes nothing (the same list is returned). */
export function mergeCase(cases: CaseDto[], changed: CaseDto): CaseDto[] {
  const index = cases.findIndex((c) => c.key === changed.key);
  if (index < 0) return changed.status === "closed" ? cases : [changed, ...cases];
  if (cases[index].version > changed.version) return cases;
  const next = cases.slice();
  next[index] = changed;
  return next;
}

/** The first filter with something in it, «Мои» first: where the list opens. */
export function firstFilter(cases: CaseDto[]): CaseFilter {
  return FILTERS.find((f) => cases.some((c) => matches(c, f.id)))?.id ?? "mine";
}

/** An employee or agent for people: the Trubka agent's name, else as the PBX named them. */
export function person(p: PersonDto | null): string {
  if (!p) return t("cases.nobody");
  if (p.agent) return p.agent;
  return employee({ name: p.name, extension: p.extension, id: p.id, phone: p.phone });
}

/** «Пропущенный звонок с +7 926 …», in the reader's language; the relay sends data only. */
export function caseTitle(c: CaseDto): string {
  const hidden = c.number === null;
  const key = `cases.title.${c.kind}${hidden ? "_hidden" : ""}` as Key;
  return t(key, { number: c.number ?? "" });
}

/** The caller as the row names them: the contact, else the number, else «Скрытый номер». */
export function caller(c: CaseDto): string {
  return c.name ?? c.number ?? t("card.hidden_number");
}

/** «Перезванивает Анна с 14:05» / «Перезваниваю я с 14:05»; empty without a claim. */
export function claimText(c: CaseDto, now: Date = new Date()): string {
  if (!c.claim) return "";
  const since = when(c.claim.at, now);
  return c.claim.mine ? t("cases.claim.mine", { when: since }) : t("cases.claim.other", { name: c.claim.agent, when: since });
}

/** The status for people: «Открыто», «В ожидании», «Закрыто». */
export function statusText(c: CaseDto): string {
  return t(`cases.status.${c.status}` as Key);
}

/** The notice over a list that did not come from the relay just now; null when fresh. */
export function staleNotice(list: CaseListDto | null, now: Date = new Date()): string | null {
  if (!list || list.fresh) return null;
  return list.received_at ? t("cases.stale", { when: when(list.received_at, now) }) : t("cases.stale_never");
}

/** What closing a case takes: the reason, trimmed; blank is none. */
export function closeReason(text: string): string | null {
  const r = text.trim();
  return r ? r : null;
}
