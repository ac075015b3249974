// The call-card stack: which cards are on screen, in what order, and for how long a card
// that is over stays to show its last state. Pure functions; the card window renders them.
import type { CardDto, CardEvent, CardStateDto } from "../bindings/ipc";

export interface StackEntry {
  card: CardDto;
  /** When the card came on screen (ms). */
  since: number;
  /** When it leaves the screen (ms), once its call is over for this agent. */
  leaveAt: number | null;
  /** The agent is writing a note on it: it stays until they are done. */
  held?: boolean;
}

/** How long a card lingers after its call is over for this agent, by final state. */
export const LINGER_MS: Partial<Record<CardStateDto, number>> = {
  answered_elsewhere: 3000,
  ended: 5000,
  missed: 6000,
};

export function isOver(card: CardDto): boolean {
  return card.withdrawn || card.state in LINGER_MS;
}

function lingerOf(card: CardDto): number {
  return LINGER_MS[card.state] ?? LINGER_MS.answered_elsewhere ?? 3000;
}

/**
 * Applies one update. A card already on screen takes the new data in place (so that
 * several calls never swap places); a new card comes on top only when `pop` allows it
 * and its call is not over yet.
 */
export function applyEvent(stack: StackEntry[], event: CardEvent, now: number): StackEntry[] {
  const { card, pop } = event;
  const index = stack.findIndex((e) => e.card.call.call_id === card.call.call_id);
  if (index >= 0) {
    const prev = stack[index];
    const merged: CardDto = { ...card, followup: card.followup ?? prev.card.followup };
    const leaveAt = isOver(merged) ? (prev.leaveAt ?? now + lingerOf(merged)) : null;
    const next = stack.slice();
    next[index] = { card: merged, since: prev.since, leaveAt, held: prev.held };
    return next;
  }
  if (!pop || isOver(card)) return stack;
  return [{ card, since: now, leaveAt: null }, ...stack];
}

/** Drops the cards whose time is up; a held card stays. */
export function expire(stack: StackEntry[], now: number): StackEntry[] {
  const kept = stack.filter((e) => e.held || e.leaveAt === null || e.leaveAt > now);
  return kept.length === stack.length ? stack : kept;
}

/** Removes a card the agent closed. */
export function dismiss(stack: StackEntry[], callId: string): StackEntry[] {
  return stack.filter((e) => e.card.call.call_id !== callId);
}

/** Holds a card on screen while the agent writes on it, or lets it go: a card whose call is
 * over then lingers as long as it would have at its end. */
export function hold(stack: StackEntry[], callId: string, held: boolean, now: number): StackEntry[] {
  const index = stack.findIndex((e) => e.card.call.call_id === callId);
  if (index < 0 || Boolean(stack[index].held) === held) return stack;
  const entry = stack[index];
  const next = stack.slice();
  next[index] = { ...entry, held, leaveAt: !held && isOver(entry.card) ? now + lingerOf(entry.card) : entry.leaveAt };
  return next;
}

/** When the next card leaves, for the timer; null when none is leaving. */
export function nextExpiry(stack: StackEntry[]): number | null {
  const times = stack
    .filter((e) => !e.held)
    .map((e) => e.leaveAt)
    .filter((t): t is number => t !== null);
  return times.length ? Math.min(...times) : null;
}

/** Whether an update starts a ring on this agent's phone that was not ringing before. */
export function startsRinging(before: StackEntry[], after: StackEntry[]): boolean {
  const wasRinging = new Set(before.filter((e) => e.card.state === "ringing_here").map((e) => e.card.call.call_id));
  return after.some((e) => e.card.state === "ringing_here" && !wasRinging.has(e.card.call.call_id));
}
