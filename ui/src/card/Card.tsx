// One call card: who is calling (or «Неизвестный номер» with ways to fix that), the line
// and scenario, the live state, the caller's last calls and open follow-up; whether the
// contact is the team's, a name that came from the CRM, and «Открыть в CRM».
import { useState } from "preact/hooks";
import type { CardDto } from "../ipc";
import { api } from "../ipc";
import { has, t } from "../i18n";
import { duration, fieldLabel, outcome, when } from "../format";
import { CrmButton, ScopeBadge } from "../main/TeamBits";
import { NoteBox } from "./NoteBox";
import type { ControlNoticeDto } from "../ipc";
import { controllable, noticeText } from "../lib/control";
import { CallControls, ControlNotices } from "./CallControls";

function stateLabel(card: CardDto): string {
  const key = `card.state.${card.state}`;
  return has(key) ? t(key) : card.state;
}

interface CardProps {
  card: CardDto;
  onDismiss: () => void;
  /** Keeps the card on screen while the agent writes a note on it (or lets it go). */
  onHold?: (held: boolean) => void;
  /** What was done to the call (hold, transfer…), by this agent or a colleague. */
  notices?: ControlNoticeDto[];
  /** This card takes the call-control shortcuts. */
  primary?: boolean;
  /** The call was handed to a colleague: the card withdraws. */
  onHandedOff?: () => void;
  /** This agent handed the call over: the card says so on its way out. */
  handedOff?: boolean;
}

export function Card({ card, onDismiss, onHold, notices = [], primary = false, onHandedOff, handedOff = false }: CardProps) {
  const call = card.call;
  const known = card.contact_id !== null;
  const hidden = !call.phone && !call.phone_raw.trim();
  const dialable = call.phone ?? (call.phone_raw.trim() || null);
  // The name is the title and the company is right under it: list the other chosen fields.
  const fields = card.fields.filter((f) => f.key !== "name" && f.key !== "company");
  // Earlier missed calls of this caller still waiting for a call back (not this call).
  const earlier = card.followup?.open ? card.followup.calls.filter((id) => id !== call.call_id).length : 0;
  // The CRM named a caller the contacts do not know: its name is the title, marked.
  const fromCrm = !known && card.from_crm;
  const [crmError, setCrmError] = useState("");
  return (
    <article
      class={`card state-${card.state}`}
      data-testid="card"
      data-call={call.call_id}
      data-state={card.state}
      aria-live="assertive"
      aria-label={`${known || fromCrm ? card.title : t("card.unknown")} ${card.number}`}
    >
      <header class="card-head">
        <span class={`pill pill-${card.state}`} data-testid="card-state">
          {stateLabel(card)}
        </span>
        <span class="muted">{call.direction === "out" ? t("card.outgoing") : t("card.incoming")}</span>
        {call.line && <span class="muted mono" data-testid="card-line">{t("card.line", { line: call.line })}</span>}
        <button type="button" class="ghost close" aria-label={t("card.dismiss")} title={t("card.dismiss")} onClick={onDismiss}>
          ✕
        </button>
      </header>
      <div class="who">
        <div class="title" data-testid="card-title">
          {known || fromCrm ? card.title : hidden ? t("card.hidden_number") : card.call.name ?? t("card.unknown")}
          {known && card.team_contact && <ScopeBadge team />}
          {fromCrm && (
            <span class="scope scope-crm" data-testid="card-from-crm" title={t("card.from_crm_title")}>
              {t("card.from_crm")}
            </span>
          )}
        </div>
        {card.company && <div class="company" data-testid="card-company">{card.company}</div>}
        {!hidden && <div class="number mono" data-testid="card-number">{card.number}</div>}
      </div>
      {fields.length > 0 && (
        <dl class="fields">
          {fields.map((f) => (
            <div key={f.key} class="field" data-testid={`card-field-${f.key}`}>
              <dt>{fieldLabel(f.key)}</dt>
              <dd>{f.value}</dd>
            </div>
          ))}
        </dl>
      )}
      {card.several_matches && <p class="warn small">{t("card.several")}</p>}
      {call.scenario && <p class="muted small">{t("card.scenario", { scenario: call.scenario })}</p>}
      {card.followup && earlier > 0 && (
        <p class="followup small" data-testid="card-followup">
          {t("card.followup", { count: earlier, when: when(card.followup.last_missed_at) })}
        </p>
      )}
      {card.recent_calls.length > 0 ? (
        <div class="recent">
          <div class="muted small">{t("card.recent")}</div>
          <ul>
            {card.recent_calls.slice(0, 3).map((r) => (
              <li key={r.call_id} class={r.missed ? "missed" : ""}>
                <span>{when(r.started_at)}</span>
                <span>{outcome(r)}</span>
                <span class="muted">{duration(r.talk)}</span>
              </li>
            ))}
          </ul>
        </div>
      ) : (
        !hidden && <p class="muted small">{t("card.no_recent")}</p>
      )}
      <ControlNotices notices={notices} text={noticeText} />
      {handedOff && (
        <p class="small control-state" data-testid="card-handed-off">
          {t("control.handed_off")}
        </p>
      )}
      {controllable(card) && !handedOff && (
        <CallControls card={card} notices={notices} primary={primary} onHandedOff={onHandedOff ?? (() => undefined)} />
      )}
      <div class="card-actions">
        {!known && !hidden && (
          <>
            <button
              type="button"
              class="primary small"
              data-testid="card-create"
              onClick={() => api.openInMain(`new-contact:${call.call_id}|${call.phone ?? call.phone_raw}`)}
            >
              + {t("card.create_contact")}
            </button>
            <button
              type="button"
              class="small"
              data-testid="card-attach"
              onClick={() => api.openInMain(`attach:${call.phone ?? call.phone_raw}`)}
            >
              {t("card.attach")}
            </button>
          </>
        )}
        {card.crm_url && <CrmButton url={card.crm_url} testid="card-crm" small onError={setCrmError} />}
        {known && (
          <button type="button" class="small" onClick={() => api.openInMain(`contact:${card.contact_id}`)}>
            {t("card.open_contact")}
          </button>
        )}
        {dialable && (
          <button
            type="button"
            class="small"
            data-testid="card-request"
            title={t("request.title")}
            onClick={() => api.openInMain(`request:${dialable}|${known ? card.title : (call.name ?? "")}`)}
          >
            ✎ {t("request.open")}
          </button>
        )}
        {dialable && (card.state === "missed" || card.state === "ended") && (
          <button type="button" class="small" data-testid="card-dial" onClick={() => api.dial(dialable)}>
            ✆ {t("missed.call_back")}
          </button>
        )}
      </div>
      {card.state === "ended" && <NoteBox callId={call.call_id} onHold={onHold ?? (() => undefined)} />}
      {crmError && (
        <p class="error small" role="alert">
          {crmError}
        </p>
      )}
    </article>
  );
}
