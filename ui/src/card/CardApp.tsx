// The call-card window: a stack of cards, newest on top, each updated in place. The
// window was created hidden at start; Rust shows it on an event, this fits it to the
// stack and hides it when the stack is empty.
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { api, on, type CardEvent, type CardPrefs, type ControlNoticeDto } from "../ipc";
import { setLanguage } from "../i18n";
import { applyEvent, dismiss, expire, hold, nextExpiry, startsRinging, type StackEntry } from "../lib/cardStack";
import { addNotice, controllable, handsOff, keepHandedOff } from "../lib/control";
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
  // Call control: what was done to each call (kept for cards that come later, e.g. the
  // colleague a call is transferred to hears of it before their phone rings), and the calls
  // this agent handed to a colleague, whose cards withdraw.
  const [notices, setNotices] = useState<Record<string, ControlNoticeDto[]>>({});
  const handedOff = useRef(new Set<string>());

  const commit = (next: StackEntry[]) => {
    const kept = keepHandedOff(next, handedOff.current, Date.now());
    // A handed-off card that left does not come back (the engine says it is a colleague's).
    for (const id of handedOff.current) if (!kept.some((e) => e.card.call.call_id === id)) handedOff.current.delete(id);
    stackRef.current = kept;
    setStack(kept);
  };

  const handOff = (callId: string) => {
    handedOff.current.add(callId);
    commit(stackRef.current);
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
    const unlisten = [
      on("card", apply),
      on("prefs-changed", () => void loadPrefs()),
      on("call-control", (n) => {
        setNotices((all) => addNotice(all, n));
        if (handsOff(n)) handOff(n.call_id);
      }),
    ];
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

  // The picker or a notice changes a card's height without changing the stack: refit then too.
  useEffect(() => {
    const cards = document.getElementById("cards");
    if (!cards || typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(() => {
      const height = Math.ceil(cards.getBoundingClientRect().height);
      if (height > 0 && height !== lastHeight.current) {
        lastHeight.current = height;
        void api.cardFit(height);
      }
    });
    observer.observe(cards);
    return () => observer.disconnect();
  }, []);

  const primary = stack.find((e) => controllable(e.card) && !handedOff.current.has(e.card.call.call_id))?.card.call.call_id ?? null;
  return (
    <div class="stack" data-testid="card-stack">
      {stack.map((e) => (
        <Card
          notices={notices[e.card.call.call_id]}
          primary={e.card.call.call_id === primary}
          onHandedOff={() => handOff(e.card.call.call_id)}
          handedOff={handedOff.current.has(e.card.call.call_id)}
          key={e.card.call.call_id}
          card={e.card}
          onDismiss={() => commit(dismiss(stackRef.current, e.card.call.call_id))}
          onHold={(held) => commit(hold(stackRef.current, e.card.call.call_id, held, Date.now()))}
        />
      ))}
    </div>
  );
}
