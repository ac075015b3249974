/** A row of mutually exclusive buttons — a radio group — each with an optional count: the
 * filters of the history, the cases and the contacts. */
export type Segment<T extends string> = { id: T; text: string; count?: number };

export function Segmented<T extends string>(props: {
  label: string;
  segments: readonly Segment<T>[];
  value: T;
  /** The `data-testid` of each segment's button. */
  testid: (id: T) => string;
  /** The group's own `data-testid`, where a test reads it whole. */
  groupTestid?: string;
  onChange: (id: T) => void;
}) {
  return (
    <div class="segmented" role="radiogroup" aria-label={props.label} data-testid={props.groupTestid}>
      {props.segments.map((s) => (
        <button
          key={s.id}
          type="button"
          role="radio"
          aria-checked={props.value === s.id}
          data-testid={props.testid(s.id)}
          class={props.value === s.id ? "seg active" : "seg"}
          onClick={() => props.onChange(s.id)}
        >
          {s.text}
          {s.count !== undefined && (
            <>
              {" "}
              <span class="count">{s.count}</span>
            </>
          )}
        </button>
      ))}
    </div>
  );
}
