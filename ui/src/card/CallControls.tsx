// The card's call control (issue 11): «Перевести», «Удержание» / «Снять с удержания»,
// «Завершить», and during an attended transfer «Соединить» / «Вернуться». The relay says what
// the call's PBX can do (`call_actions`); the rest is shown disabled with the reason in its
// tooltip, never as a button that fails. A refusal shows in the relay's words.
import { useEffect, useState } from "preact/hooks";
import type { CallActionsDto, CardDto, ControlNoticeDto, ControlRequestDto } from "../ipc";
import { api } from "../ipc";
import { t } from "../i18n";
import { refusalText } from "../errors";
import { buttonOfKey, controlButtons, heldAfter, tooltip, type ControlButton } from "../lib/control";
import { TransferPicker } from "./TransferPicker";

interface Props {
  card: CardDto;
  notices: ControlNoticeDto[];
  /** This card takes the keyboard shortcuts (the top card of a call in progress). */
  primary: boolean;
  /** The call went to a colleague: the card withdraws. */
  onHandedOff: () => void;
}

export function CallControls({ card, notices, primary, onHandedOff }: Props) {
  const callId = card.call.call_id;
  const [actions, setActions] = useState<CallActionsDto | null>(null);
  const [actionsError, setActionsError] = useState("");
  const [heldHere, setHeldHere] = useState(false);
  const [consulting, setConsulting] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const [picking, setPicking] = useState(false);

  useEffect(() => {
    let live = true;
    api.callActions(callId).then(
      (a) => live && setActions(a),
      (e) => live && setActionsError(refusalText(e)),
    );
    return () => {
      live = false;
    };
  }, [callId]);

  // A colleague's hold, resume or cancel shows here too.
  const held = heldAfter(notices, heldHere);
  const buttons = controlButtons({ actions, actionsError, held, consulting, busy });

  const send = async (request: ControlRequestDto): Promise<boolean> => {
    setBusy(true);
    setError("");
    try {
      await api.callControl(callId, request);
      return true;
    } catch (e) {
      setError(refusalText(e));
      return false;
    } finally {
      setBusy(false);
    }
  };

  const press = async (b: ControlButton) => {
    if (!b.enabled) return;
    switch (b.id) {
      case "transfer":
        setPicking(true);
        return;
      case "hold":
        if (await send({ action: "hold" })) setHeldHere(true);
        return;
      case "resume":
        if (await send({ action: "resume" })) setHeldHere(false);
        return;
      case "hangup":
        await send({ action: "hangup" });
        return;
      case "complete":
        if (await send({ action: "transfer_complete" })) {
          setConsulting(null);
          onHandedOff();
        }
        return;
      case "cancel":
        if (await send({ action: "transfer_cancel" })) {
          setConsulting(null);
          setHeldHere(false);
        }
        return;
    }
  };

  const transfer = async (to: string, attended: boolean) => {
    if (!(await send({ action: "transfer", to, attended }))) return;
    setPicking(false);
    if (attended) {
      setConsulting(to);
      setHeldHere(true);
    } else {
      onHandedOff();
    }
  };

  useEffect(() => {
    if (!primary || picking) return;
    const onKey = (e: KeyboardEvent) => {
      const b = buttonOfKey(e, buttons);
      if (!b) return;
      e.preventDefault();
      void press(b);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

  return (
    <div class="call-control" data-testid="call-control" data-held={held ? "1" : "0"} data-consulting={consulting ?? ""}>
      <div class="control-buttons">
        {buttons.map((b) => (
          <button
            key={b.id}
            type="button"
            class={`small control-${b.id}${b.enabled ? "" : " is-disabled"}${b.id === "hangup" ? " danger" : ""}`}
            data-testid={`control-${b.id}`}
            aria-disabled={b.enabled ? undefined : "true"}
            aria-keyshortcuts={b.keys}
            title={tooltip(b)}
            onClick={() => void press(b)}
          >
            {b.label}
          </button>
        ))}
      </div>
      {consulting && (
        <p class="small control-state" data-testid="control-consulting">
          {t("control.consulting", { to: consulting })}
        </p>
      )}
      {!consulting && held && (
        <p class="small control-state" data-testid="control-held">
          {t("control.held")}
        </p>
      )}
      {picking && (
        <TransferPicker actions={actions} busy={busy} onPick={(to, attended) => void transfer(to, attended)} onClose={() => setPicking(false)} />
      )}
      {error && (
        <p class="error small" role="alert" data-testid="control-error">
          {error}
        </p>
      )}
    </div>
  );
}

/** What was done to the call, by whom; for the colleague it is handed to, the notes so far. */
export function ControlNotices({ notices, text }: { notices: ControlNoticeDto[]; text: (n: ControlNoticeDto) => string }) {
  if (!notices.length) return null;
  const notes = notices.flatMap((n) => n.notes);
  return (
    <div class="control-notices" data-testid="control-notices">
      {notices.map((n, i) => (
        <p key={i} class={`small notice-line${n.to_me ? " to-me" : ""}`} data-testid="control-notice" data-action={n.action}>
          {text(n)}
        </p>
      ))}
      {notes.length > 0 && (
        <div class="handover-notes" data-testid="handover-notes">
          <div class="muted small">{t("control.notes")}</div>
          {notes.map((note, i) => (
            <p key={i} class="small">
              <b>{note.author}:</b> {note.text}
              {note.tags.length > 0 && <span class="muted"> · {note.tags.join(", ")}</span>}
            </p>
          ))}
        </div>
      )}
    </div>
  );
}
