// The call-card window: a stack of cards, newest on top, each updated in place. The
// window was created hidden at start; Rust shows it on an event, this fits it to the
// stack and hides it when the stack is empty.
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { api, on, type CardEvent, type CardPrefs } from "../ipc";
import { setLanguage } from "../i18n";
import { applyEvent, dismiss, expire, hold, nextExpiry, startsRinging, type StackEntry } from "../lib/cardStack";
import { useLanguage } from "../main/useLanguage";
import { Card } from "./Card";
import { ring } from "./ring";

export function CardApp() {
  useLanguage();
  const [stack, setStack] = useState<StackEntry[]>([]);
  const stackRef = useRef<StackEntry[]>([]);
  const prefs = useRef<CardPrefs>({ language: "ru", sound: true });
  const drawn = useRef<CardEvent[]>([]);
  const lastHeight = useRef(0);

  const commit = (next: StackEntry[]) => {
    stackRef.current = next;
    setStack(next);
  };

  const apply = (event: CardEvent) => {
    const before = stackRef.current;
    const after = applyEvent(before, event, Date.now());
    if (after === before) return;
    if (prefs.current.sound && startsRinging(before, after)) ring();
    drawn.current.push(event);
    commit(after);
  };

  useEffect(() => {
    const loadPrefs = () =>
      api.cardPrefs().then((p) => {
        prefs.current = p;
        setLanguage(p.language);
      });
    void loadPrefs();
    const unlisten = [on("card", apply), on("prefs-changed", () => void loadPrefs())];
    api.liveCards().then((events) => events.forEach(apply));
    return () => unlisten.forEach((p) => p.then((f) => f()));
  }, []);

  useLayoutEffect(() => {
    if (stack.length === 0) {
      lastHeight.current = 0;
      void api.cardHide();
      return;
    }
    const height = Math.ceil(document.getElementById("cards")!.getBoundingClientRect().height);
    if (height !== lastHeight.current) {
      lastHeight.current = height;
      void api.cardFit(height);
    }
    const done = drawn.current.splice(0);
    requestAnimationFrame(() => {
      for (const e of done) void api.cardRendered(e.card.call.call_id, e.card.state, e.card.received_ms);
    });
  }, [stack]);

  useEffect(() => {
    const at = nextExpiry(stack);
    if (at === null) return;
    const timer = setTimeout(() => commit(expire(stackRef.current, Date.now())), Math.max(0, at - Date.now()));
    return () => clearTimeout(timer);
  }, [stack]);

  return (
    <div class="stack" data-testid="card-stack">
      {stack.map((e) => (
        <Card
          key={e.card.call.call_id}
          card={e.card}
          onDismiss={() => commit(dismiss(stackRef.current, e.card.call.call_id))}
          onHold={(held) => commit(hold(stackRef.current, e.card.call.call_id, held, Date.now()))}
        />
      ))}
    </div>
  );
}
