// Re-renders a component when the interface language changes.
import { useEffect, useState } from "preact/hooks";
import { onLanguage } from "../i18n";

export function useLanguage(): void {
  const [, bump] = useState(0);
  useEffect(() => onLanguage(() => bump((n) => n + 1)), []);
}
