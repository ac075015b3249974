// Dates, durations and outcomes for people to read, in the current language.
import type { CallDto, EmployeeDto } from "./bindings/ipc";
import { has, language, t } from "./i18n";

function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

function locale(): string {
  return language() === "ru" ? "ru-RU" : "en-GB";
}

/** «14:05», «вчера 14:05», «12.11 14:05», «12.11.2025 14:05». */
export function when(iso: string, now: Date = new Date()): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const time = at.toLocaleTimeString(locale(), { hour: "2-digit", minute: "2-digit" });
  if (sameDay(at, now)) return time;
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  if (sameDay(at, yesterday)) return `${t("time.yesterday")} ${time}`;
  const date = at.toLocaleDateString(locale(), {
    day: "2-digit",
    month: "2-digit",
    ...(at.getFullYear() === now.getFullYear() ? {} : { year: "numeric" }),
  });
  return `${date} ${time}`;
}

/** «45 с», «2 мин 11 с»; empty when unknown. */
export function duration(seconds: number | null | undefined): string {
  if (seconds == null || seconds === 0) return "";
  if (seconds < 60) return t("time.sec", { n: seconds });
  return t("time.min", { m: Math.floor(seconds / 60), s: seconds % 60 });
}

/** The result column of a call: outcome, or «Идёт» while it lasts. */
export function outcome(call: Pick<CallDto, "outcome" | "status" | "missed">): string {
  if (call.missed) return t("outcome.missed");
  if (call.status !== "ended") return t("outcome.in_progress");
  const key = `outcome.${call.outcome ?? "answered"}`;
  return has(key) ? t(key) : (call.outcome ?? "");
}

export function direction(dir: string): string {
  const key = `direction.${dir}`;
  return has(key) ? t(key) : dir;
}

/** A field's label: built-in fields are translated, extra fields keep their own name. */
export function fieldLabel(key: string): string {
  const k = `field.${key}`;
  return has(k) ? t(k) : key;
}

/** An employee for people: the name, else «доб. 201» / «ext. 201», else the phone or SIP line
 * UIS named them by, else the PBX's id. */
export function employee(e: EmployeeDto): string {
  if (e.name) return e.name;
  if (e.extension) return t("employee.ext", { ext: e.extension });
  if (e.phone) return e.phone;
  if (e.id) return t("employee.id", { id: e.id });
  return t("employee.unknown");
}
