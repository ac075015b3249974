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

/** A refused call-control action or status change: the relay's own words (it says what to do),
 * anything else as `errorText`. */
export function refusalText(e: unknown): string {
  if (isCommandError(e) && e.kind === "relay" && e.message) return e.message;
  return errorText(e);
}
