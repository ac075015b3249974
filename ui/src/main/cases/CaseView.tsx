// One case: who and what it is, its status, responsible and claim, the actions, its calls
// (time, direction, outcome, who, recording), the notes written on them, and what happened
// (opened, each call-back, the closure and its reason).
import { useEffect, useState } from "preact/hooks";
import { api, type CallDto, type CaseDto } from "../../ipc";
import { t, type Key } from "../../i18n";
import { errorText } from "../../errors";
import { direction, duration, employee, outcome, when } from "../../format";
import { NoteList, useCallNotes } from "../CallNotes";
import { Recording } from "../Recording";
import { CaseActions } from "./CaseActions";
import { caller, caseTitle, claimText, person, statusText } from "./logic";

const ARROW: Record<string, string> = { in: "↙", out: "↗", internal: "↔" };

function callbackResult(answered: boolean, recorded: boolean): string {
  if (answered && recorded) return t("cases.view.cb.reached");
  return t(answered ? "cases.view.cb.answered" : "cases.view.cb.no_answer");
}

function closureText(c: CaseDto): string {
  const cl = c.closure!;
  const cause = t(`cases.cause.${cl.cause}` as Key, { name: person(cl.by) });
  const text = t("cases.view.closed", { when: when(cl.at), cause });
  return cl.reason ? `${text}; ${t("cases.view.reason", { reason: cl.reason })}` : text;
}

interface Props {
  c: CaseDto;
  onChanged: (c: CaseDto) => void;
  onClose: () => void;
}

export function CaseView({ c, onChanged, onClose }: Props) {
  const [calls, setCalls] = useState<CallDto[] | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const notes = useCallNotes(c.calls);
  const callbacks = new Set(c.callbacks.map((b) => b.call_id));

  useEffect(() => {
    let live = true;
    api.caseCalls(c.calls).then(
      (list) => live && setCalls(list),
      (e) => live && setFailed(errorText(e)),
    );
    return () => {
      live = false;
    };
  }, [c.key, c.version]);

  const noted = c.calls.filter((id) => notes[id]);
  const claim = claimText(c);
  return (
    <section class="case-view" data-testid="case-view" data-key={c.key} aria-label={caseTitle(c)}>
      <header class="editor-head">
        <h2>{caller(c)}</h2>
        <span class={`pill pill-case-${c.status}`} data-testid="case-view-status">
          {statusText(c)}
        </span>
        {c.reached && <span class="pill pill-reached">{t("cases.view.reached")}</span>}
        <button type="button" class="ghost close push-right" aria-label={t("cases.view.back")} title={t("cases.view.back")} onClick={onClose}>
          ✕
        </button>
      </header>
      <p class="muted case-title">{caseTitle(c)}</p>
      <dl class="facts">
        <dt>{t("cases.view.responsible")}</dt>
        <dd data-testid="case-view-responsible">{person(c.responsible)}</dd>
      </dl>
      {claim && (
        <p class={c.claim?.mine ? "claim mine" : "claim"} data-testid="case-view-claim">
          ☎ {claim}
        </p>
      )}
      <CaseActions c={c} onChanged={onChanged} />

      <h3>{t("cases.view.calls")}</h3>
      {failed && <p class="error small">{failed}</p>}
      {calls === null ? (
        !failed && <p class="muted">{t("common.loading")}</p>
      ) : (
        <table class="calls" data-testid="case-calls">
          <tbody>
            {calls.map((call) => (
              <tr key={call.call_id} class={call.missed ? "missed" : ""} data-testid="case-call" data-call={call.call_id}>
                <td class="nowrap">
                  <span class={`dir dir-${call.direction}`} title={direction(call.direction)} aria-label={direction(call.direction)}>
                    {ARROW[call.direction] ?? ""}
                  </span>{" "}
                  {when(call.started_at)}
                </td>
                <td>
                  {outcome(call)}
                  {callbacks.has(call.call_id) && <span class="tag">{t("cases.view.callback_mark")}</span>}
                  {call.answered_by && !call.missed && <div class="row-sub">{t("history.answered_by", { name: employee(call.answered_by) })}</div>}
                  {call.talk ? <div class="row-sub">{duration(call.talk)}</div> : null}
                </td>
                <td>
                  <Recording call={call} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {calls !== null && calls.length < c.calls.length && (
        <p class="muted small">{t("cases.view.not_stored", { count: c.calls.length - calls.length })}</p>
      )}

      <h3>{t("cases.view.notes")}</h3>
      {noted.length > 0 ? (
        noted.map((id) => <NoteList key={id} notes={notes[id]} />)
      ) : c.gists.length > 0 ? (
        <ul class="notes" data-testid="case-gists">
          {c.gists.map((g) => (
            <li key={`${g.call_id}-${g.at}`} class="note">
              <span class="note-text">{g.text}</span>
              <span class="muted note-by">{t("note.by", { author: person(g.by), when: when(g.at) })}</span>
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">{t("cases.view.no_notes")}</p>
      )}

      <h3>{t("cases.view.history")}</h3>
      <ul class="case-history" data-testid="case-history">
        <li>{t("cases.view.opened", { when: when(c.opened_at) })}</li>
        {c.callbacks.map((b) => (
          <li key={b.call_id}>
            {t("cases.view.callback", { when: when(b.at), name: person(b.by), result: callbackResult(b.answered, b.recorded) })}
          </li>
        ))}
        {c.closure && <li data-testid="case-closure">{closureText(c)}</li>}
      </ul>
    </section>
  );
}
