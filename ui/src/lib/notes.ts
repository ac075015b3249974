// Notes on calls, kept per window: the relay is asked once per call (several calls in one
// command), calls still going on are not asked (nobody wrote about them yet), and a case that
// changed makes its calls asked again. A call whose notes failed to load is asked next time.
import type { CallNotesDto, NoteDto } from "../bindings/ipc";

export type Fetch = (callIds: string[]) => Promise<CallNotesDto[]>;

export class NoteCache {
  private notes = new Map<string, NoteDto[]>();
  private asking = new Map<string, Promise<void>>();

  constructor(private readonly fetch: Fetch) {}

  /** The notes known for `callId`; `undefined` while not known. */
  get(callId: string): NoteDto[] | undefined {
    return this.notes.get(callId);
  }

  /** Asks the relay about the calls among `callIds` not known yet; resolves when known. */
  async load(callIds: string[]): Promise<void> {
    const missing = [...new Set(callIds)].filter((id) => !this.notes.has(id) && !this.asking.has(id));
    if (missing.length > 0) {
      const asked = this.fetch(missing).then(
        (answers) => {
          for (const a of answers) if (a.error === null) this.notes.set(a.call_id, a.notes);
        },
        () => undefined,
      );
      const done = asked.finally(() => missing.forEach((id) => this.asking.delete(id)));
      missing.forEach((id) => this.asking.set(id, done));
    }
    await Promise.all(callIds.map((id) => this.asking.get(id)).filter(Boolean));
  }

  /** Forgets `callIds` (their case changed: a note may have been added). */
  forget(callIds: string[]): void {
    callIds.forEach((id) => this.notes.delete(id));
  }

  /** A note this window saved, shown at once. */
  add(note: NoteDto): void {
    const held = this.notes.get(note.call_id);
    if (held && !held.some((n) => n.id === note.id)) this.notes.set(note.call_id, [...held, note]);
  }
}
