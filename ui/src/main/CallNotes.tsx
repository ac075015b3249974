// The notes agents wrote on a call (its gist, tags, who and when), under the call in the
// history and in a case's view; read from the relay through one cache per window.
import { useEffect, useState } from "preact/hooks";
import { api, on, type NoteDto } from "../ipc";
import { t } from "../i18n";
import { when } from "../format";
import { NoteCache } from "../lib/notes";

export const notes = new NoteCache((ids) => api.callNotes(ids));

/** The notes of `callIds`, re-read when a case holding any of them changes or a note on one
 * of them is saved in the card window. */
export function useCallNotes(callIds: string[]): Record<string, NoteDto[]> {
  const [known, setKnown] = useState<Record<string, NoteDto[]>>({});
  const key = callIds.join(" ");
  useEffect(() => {
    let live = true;
    const ids = key ? key.split(" ") : [];
    const read = () =>
      notes.load(ids).then(() => {
        if (!live) return;
        const next: Record<string, NoteDto[]> = {};
        for (const id of ids) {
          const n = notes.get(id);
          if (n && n.length > 0) next[id] = n;
        }
        setKnown(next);
      });
    void read();
    const unlisten = [
      on("case-changed", (c) => {
        const touched = c.calls.filter((id) => ids.includes(id));
        if (touched.length === 0) return;
        notes.forget(touched);
        void read();
      }),
      // Saved in the card's note box: shown at once, tags-only notes too (they change no case).
      on("note-added", (n) => {
        notes.add(n);
        if (ids.includes(n.call_id)) void read();
      }),
    ];
    return () => {
      live = false;
      unlisten.forEach((p) => p.then((f) => f()));
    };
  }, [key]);
  return known;
}

export function NoteList({ notes: list }: { notes: NoteDto[] }) {
  return (
    <ul class="notes" data-testid="call-notes">
      {list.map((n) => (
        <li key={n.id} class="note" data-testid="call-note">
          {n.text && <span class="note-text">{n.text}</span>}
          {n.tags.map((tag) => (
            <span key={tag} class="tag">
              {tag}
            </span>
          ))}
          <span class="muted note-by">{t("note.by", { author: n.author, when: when(n.at) })}</span>
        </li>
      ))}
    </ul>
  );
}
