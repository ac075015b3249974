// Keyboard movement in lists: arrows, Page Up/Down, Home/End.

/** The index after pressing `key` at `current` in a list of `length`; null for other keys. */
export function moveIndex(key: string, current: number, length: number, page = 10): number | null {
  if (length === 0) return null;
  const at = current < 0 ? -1 : current;
  let next: number;
  switch (key) {
    case "ArrowDown":
      next = at + 1;
      break;
    case "ArrowUp":
      next = at < 0 ? length - 1 : at - 1;
      break;
    case "PageDown":
      next = at + page;
      break;
    case "PageUp":
      next = at - page;
      break;
    case "Home":
      next = 0;
      break;
    case "End":
      next = length - 1;
      break;
    default:
      return null;
  }
  return Math.max(0, Math.min(length - 1, next));
}
