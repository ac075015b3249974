// Translations: one dictionary per language (shared with the Rust shell, which reads the
// same JSON files for the tray and OS notifications). Russian is the default.
import ru from "./i18n/ru.json";
import en from "./i18n/en.json";
import type { Language } from "./bindings/ipc";

export type Key = keyof typeof ru;
const dictionaries: Record<Language, Record<string, string>> = { ru, en };

let current: Language = "ru";
const listeners = new Set<() => void>();

export function language(): Language {
  return current;
}

export function setLanguage(lang: Language): void {
  if (lang === current) return;
  current = lang;
  document.documentElement.lang = lang;
  listeners.forEach((l) => l());
}

/** Calls `listener` whenever the language changes; returns the unsubscribe function. */
export function onLanguage(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The translation of `key` with `{name}` placeholders filled in. */
export function t(key: Key, args: Record<string, string | number> = {}, lang: Language = current): string {
  const text = dictionaries[lang][key] ?? dictionaries.ru[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in args ? String(args[name]) : whole));
}

/** Whether `key` exists (for keys built from data, e.g. `outcome.${x}`). */
export function has(key: string): key is Key {
  return key in dictionaries.ru;
}

export function dictionary(lang: Language): Record<string, string> {
  return dictionaries[lang];
}
