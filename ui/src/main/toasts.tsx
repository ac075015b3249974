// Short messages at the bottom of the main window (dial results, saves, errors).
import { useEffect, useState } from "preact/hooks";

export interface Toast {
  id: number;
  text: string;
  tone: "ok" | "error" | "info";
}

let nextId = 1;
const listeners = new Set<(t: Toast) => void>();

/** Shows a message for a few seconds. */
export function toast(text: string, tone: Toast["tone"] = "info"): void {
  const t = { id: nextId++, text, tone };
  listeners.forEach((l) => l(t));
}

export function Toasts() {
  const [items, setItems] = useState<Toast[]>([]);
  useEffect(() => {
    const add = (t: Toast) => {
      setItems((list) => [...list.slice(-3), t]);
      setTimeout(() => setItems((list) => list.filter((x) => x.id !== t.id)), t.tone === "error" ? 8000 : 4000);
    };
    listeners.add(add);
    return () => listeners.delete(add);
  }, []);
  return (
    <div class="toasts" role="status" aria-live="polite">
      {items.map((t) => (
        <div key={t.id} class={`toast toast-${t.tone}`} data-testid="toast">
          {t.text}
        </div>
      ))}
    </div>
  );
}
