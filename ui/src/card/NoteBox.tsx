// The note box on a card whose call ended: the gist in a textarea, tags from the admin's
// list, «Сохранить заметку» with its saving, saved and failed states. The note goes to the
// relay with the call, so the history and the case show it to everyone who may see the call.
// While the agent writes, the card stays on screen (`onHold`).
import { useEffect, useState } from "preact/hooks";
import { api } from "../ipc";
import { t } from "../i18n";
import { errorText } from "../errors";
import { EMPTY, MAX_TEXT, canSave, failed, savedAs, saving, toggled, typed, unsaved, type NoteState } from "./noteBox";

type Tags = { state: "loading" } | { state: "ready"; list: string[] } | { state: "failed" };

export function NoteBox({ callId, onHold }: { callId: string; onHold: (held: boolean) => void }) {
  const [note, setNote] = useState<NoteState>(EMPTY);
  const [tags, setTags] = useState<Tags>({ state: "loading" });
  const [focused, setFocused] = useState(false);

  useEffect(() => {
    let live = true;
    // Asked for each box: the admin may have changed the list since the last call.
    api.tags().then(
      (list) => live && setTags({ state: "ready", list }),
      () => live && setTags({ state: "failed" }),
    );
    return () => {
      live = false;
    };
  }, []);

  // The card stays while the agent is in the box or has something unsaved in it.
  const hold = note.phase !== "saved" && (focused || unsaved(note) || note.phase === "saving");
  useEffect(() => onHold(hold), [hold]);

  const save = async () => {
    if (!canSave(note)) return;
    setNote(saving);
    try {
      const saved = await api.addNote(callId, { text: note.text.trim(), tags: note.tags });
      setNote((s) => savedAs(s, saved));
    } catch (e) {
      setNote((s) => failed(s, errorText(e)));
    }
  };

  if (note.phase === "saved") {
    return (
      <p class="note-saved small" data-testid="note-saved" role="status">
        ✓ {t("note.saved")}
        {note.saved?.text && <span class="note-text">: {note.saved.text}</span>}
      </p>
    );
  }
  const order = tags.state === "ready" ? tags.list : [];
  return (
    <form
      class="note-box"
      data-testid="note-box"
      data-phase={note.phase}
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
      onFocusIn={() => setFocused(true)}
      onFocusOut={() => setFocused(false)}
    >
      <label class="small muted" for={`note-${callId}`}>
        {t("note.title")}
      </label>
      <textarea
        id={`note-${callId}`}
        data-testid="note-text"
        rows={2}
        maxLength={MAX_TEXT}
        placeholder={t("note.hint")}
        value={note.text}
        disabled={note.phase === "saving"}
        onInput={(e) => setNote((s) => typed(s, e.currentTarget.value))}
      />
      {tags.state === "failed" && <p class="muted small">{t("note.tags_failed")}</p>}
      {order.length > 0 && (
        <div class="tag-picker" role="group" aria-label={t("note.tags")}>
          {order.map((tag) => (
            <button
              key={tag}
              type="button"
              class={note.tags.includes(tag) ? "tag pick picked" : "tag pick"}
              aria-pressed={note.tags.includes(tag)}
              data-testid="note-tag"
              data-tag={tag}
              disabled={note.phase === "saving"}
              onClick={() => setNote((s) => toggled(s, tag, order))}
            >
              {tag}
            </button>
          ))}
        </div>
      )}
      <div class="note-actions">
        <button type="submit" class="primary small" data-testid="note-save" disabled={!canSave(note)} title={canSave(note) ? undefined : t("note.empty")}>
          {note.phase === "saving" ? t("note.saving") : note.phase === "failed" ? t("note.retry") : t("note.save")}
        </button>
        {note.phase === "failed" && (
          <span class="error small" role="alert" data-testid="note-error">
            {t("note.failed", { error: note.error ?? "" })}
          </span>
        )}
      </div>
    </form>
  );
}
