// The note box's states, pure: what is typed and picked, whether it may be saved, and what
// saving did. NoteBox.tsx renders them.
import type { NoteDto } from "../bindings/ipc";

export type Phase = "editing" | "saving" | "saved" | "failed";

export interface NoteState {
  text: string;
  tags: string[];
  phase: Phase;
  /** Why the last save failed. */
  error: string | null;
  /** The note as the relay kept it. */
  saved: NoteDto | null;
}

export const EMPTY: NoteState = { text: "", tags: [], phase: "editing", error: null, saved: null };

/** The relay takes at most this many characters of a note. */
export const MAX_TEXT = 4000;

/** A note needs a gist or a tag, and one save at a time. */
export function canSave(s: NoteState): boolean {
  return (s.phase === "editing" || s.phase === "failed") && (s.text.trim() !== "" || s.tags.length > 0) && s.text.length <= MAX_TEXT;
}

export function typed(s: NoteState, text: string): NoteState {
  return { ...s, text, phase: s.phase === "failed" ? "editing" : s.phase, error: null };
}

/** Picks or unpicks a tag, keeping the admin's order. */
export function toggled(s: NoteState, tag: string, order: string[]): NoteState {
  const picked = s.tags.includes(tag) ? s.tags.filter((x) => x !== tag) : [...s.tags, tag];
  return { ...s, tags: order.filter((x) => picked.includes(x)), phase: s.phase === "failed" ? "editing" : s.phase, error: null };
}

export function saving(s: NoteState): NoteState {
  return { ...s, phase: "saving", error: null };
}

export function savedAs(s: NoteState, note: NoteDto): NoteState {
  return { ...s, phase: "saved", saved: note };
}

export function failed(s: NoteState, error: string): NoteState {
  return { ...s, phase: "failed", error };
}

/** Whether the card must stay on screen for the box: something typed or picked and not saved. */
export function unsaved(s: NoteState): boolean {
  return s.phase !== "saved" && (s.text.trim() !== "" || s.tags.length > 0);
}
