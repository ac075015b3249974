// The team directory on the contacts screen: whose a contact is (team or private), the
// filter over it, who changed it and what, and whether this agent may delete it.
import type { ChangeActionDto, ContactChangeDto, ContactDto } from "../bindings/ipc";
import { has, t, type Key } from "../i18n";
import { when } from "../format";

export type Scope = "all" | "team" | "private";
export const SCOPES: Scope[] = ["all", "team", "private"];

export function isTeam(contact: Pick<ContactDto, "team">): boolean {
  return contact.team !== null;
}

/** The contacts of `scope`, in the order given. */
export function inScope<C extends Pick<ContactDto, "team">>(list: C[], scope: Scope): C[] {
  if (scope === "all") return list;
  return list.filter((c) => isTeam(c) === (scope === "team"));
}

/** How many contacts each scope holds (the filter's counters). */
export function scopeCounts(list: Pick<ContactDto, "team">[]): Record<Scope, number> {
  const team = list.filter(isTeam).length;
  return { all: list.length, team, private: list.length - team };
}

/** A change's author for people: agents by name, the admin's import and edits in words. */
export function authorName(author: string | null): string {
  if (author === null || author === "") return t("team.author.unknown");
  const key = `team.author.${author}`;
  return has(key) ? t(key) : author;
}

/** «телефоны, должность»: the fields a change touched, built-in ones translated. */
export function changedFields(changed: string[]): string {
  return changed
    .map((f) => {
      const key = `team.field.${f}`;
      if (has(key)) return t(key);
      const builtin = `field.${f}`;
      return has(builtin) ? t(builtin).toLowerCase() : f;
    })
    .join(", ");
}

const ACTIONS: Record<ChangeActionDto, Key> = {
  created: "team.action.created",
  edited: "team.action.edited",
  number_attached: "team.action.number_attached",
  deleted: "team.action.deleted",
  imported: "team.action.imported",
};

/** Who the relay's UIS address-book sync writes its changes as (`[directory.uis_sync]`). */
const UIS_SYNC_AUTHOR = "UIS";

/** One history line's what: «создал(а) контакт», «изменил(а): телефоны, должность», and for
 * the UIS address book's changes «синхронизация: телефоны, email» (not «из файла»). */
export function changeText(change: Pick<ContactChangeDto, "action" | "changed"> & { author?: string }): string {
  const synced = change.action === "imported" && change.author === UIS_SYNC_AUTHOR;
  const action = t(synced ? "team.action.synced" : ACTIONS[change.action]);
  const fields = changedFields(change.changed);
  return (change.action === "edited" || synced) && fields ? `${action}: ${fields}` : action;
}

/** «Последнее изменение: Игорь Лебедев, 14:05» for a team contact; `null` for a private one. */
export function lastChange(contact: Pick<ContactDto, "team">, now: Date = new Date()): string | null {
  if (!contact.team) return null;
  return t("team.last_change", { who: authorName(contact.team.updated_by), when: when(contact.team.updated_at, now) });
}

/** Whether this agent may delete `contact`, and if not, why (a tooltip, never a failing
 * button): a private contact is this desktop's own; a team contact only a supervisor's. */
export function deletion(contact: Pick<ContactDto, "team">, supervisor: boolean): { allowed: boolean; why: Key | null } {
  if (!isTeam(contact) || supervisor) return { allowed: true, why: null };
  return { allowed: false, why: "team.delete_supervisors" };
}
