// Turns a failed command into words: the translated sentence for its kind, then the
// engine's own detail.
import { isCommandError } from "./ipc";
import { has, t } from "./i18n";

export function errorText(e: unknown): string {
  if (isCommandError(e)) {
    const key = `error.${e.kind}`;
    const head = has(key) ? t(key) : e.kind;
    return e.message && e.message !== head ? `${head}: ${e.message}` : head;
  }
  return e instanceof Error ? e.message : String(e);
}
