// «Команда», the supervisor's tab: every agent with their status and whether they are on a
// call (the relay's presence list, kept current by `presence` events), and the calls in
// progress with «Слушать» / «Подсказывать» / «Вмешаться» (or UIS's «Подключиться»), each
// offered as the call's PBX allows and disabled with the reason otherwise.
import { useEffect, useState } from "preact/hooks";
import type { AgentPresenceDto, CallActionsDto, CardDto } from "../ipc";
import { api, on } from "../ipc";
import { t } from "../i18n";
import { refusalText } from "../errors";
import { employee, when } from "../format";
import { coachButtons, statusText } from "../lib/control";
import { presenceTone } from "./PresenceControl";
import { toast } from "./toasts";

/** The calls a supervisor may join: in conversation now, newest first. */
export function callsInProgress(cards: CardDto[]): CardDto[] {
  return cards
    .filter((c) => c.call.status === "talking")
    .sort((a, b) => b.call.started_at.localeCompare(a.call.started_at));
}

export function TeamView() {
  const [agents, setAgents] = useState<AgentPresenceDto[] | null>(null);
  const [error, setError] = useState("");
  const [calls, setCalls] = useState<CardDto[]>([]);

  const load = () => {
    api.teamPresence().then(
      (team) => {
        setAgents(team.agents);
        setError("");
      },
      (e) => setError(refusalText(e)),
    );
    api.liveCards().then((events) => setCalls(callsInProgress(events.map((e) => e.card))), () => setCalls([]));
  };

  useEffect(() => {
    load();
    const unlisten = [
      on("presence", (p) =>
        setAgents((list) => (list ? (list.some((a) => a.agent === p.agent) ? list.map((a) => (a.agent === p.agent ? p : a)) : [...list, p]) : list)),
      ),
      on("call-updated", () => load()),
    ];
    return () => unlisten.forEach((u) => void u.then((f) => f()));
  }, []);

  return (
    <section class="team pad" data-testid="team-view">
      <div class="toolbar">
        <h2 class="grow">{t("nav.team")}</h2>
        <button type="button" class="small" data-testid="team-refresh" onClick={load}>
          ↻ {t("team.refresh")}
        </button>
      </div>
      {error && (
        <p class="error small" role="alert">
          {error}
        </p>
      )}
      {agents === null ? (
        !error && <p class="muted">{t("common.loading")}</p>
      ) : agents.length === 0 ? (
        <p class="muted">{t("team.empty")}</p>
      ) : (
        <table class="calls team-table" data-testid="team-table">
          <thead>
            <tr>
              <th>{t("team.agent")}</th>
              <th>{t("team.status")}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {agents.map((a) => (
              <tr key={a.agent} data-testid="team-row" data-agent={a.agent} data-status={a.status ?? ""}>
                <td>
                  {a.agent}
                  {a.supervisor && <span class="muted small"> · {t("presence.supervisor")}</span>}
                </td>
                <td class="presence-cell">
                  <span class={`tone-${presenceTone(a)}`}>
                    <span class="dot" aria-hidden="true" />
                    {statusText(a)}
                  </span>
                </td>
                <td class="muted small">{a.on_call ? t("presence.on_call") : ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3 class="team-calls-title">{t("team.calls")}</h3>
      {calls.length === 0 ? (
        <p class="muted small" data-testid="team-no-calls">
          {t("team.no_calls")}
        </p>
      ) : (
        <ul class="team-calls">
          {calls.map((c) => (
            <CallRow key={c.call.call_id} card={c} />
          ))}
        </ul>
      )}
    </section>
  );
}

function CallRow({ card }: { card: CardDto }) {
  const callId = card.call.call_id;
  const [actions, setActions] = useState<CallActionsDto | null>(null);
  const [actionsError, setActionsError] = useState("");
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api.callActions(callId).then(setActions, (e) => setActionsError(refusalText(e)));
  }, [callId]);

  const join = async (mode: "listen" | "whisper" | null) => {
    setBusy(true);
    try {
      await api.callControl(callId, mode ? { action: "coach", mode } : { action: "coach" });
      toast(t("coach.joined"), "ok");
    } catch (e) {
      toast(refusalText(e), "error");
    } finally {
      setBusy(false);
    }
  };

  const who = card.call.answered_by ? t("team.answered_by", { who: employee(card.call.answered_by) }) : "";
  return (
    <li class="team-call" data-testid="team-call" data-call={callId}>
      <div class="grow">
        <div class="row-title">{card.title}</div>
        <div class="row-sub muted small">
          {card.number !== card.title ? `${card.number} · ` : ""}
          {when(card.call.started_at)}
          {who && ` · ${who}`}
        </div>
      </div>
      <div class="coach-buttons">
        {coachButtons(actions, actionsError).map((b) => {
          const enabled = b.enabled && !busy;
          return (
            <button
              key={b.id}
              type="button"
              class={`small${b.id === "join" ? " primary" : ""}${enabled ? "" : " is-disabled"}`}
              data-testid={`coach-${b.id}`}
              aria-disabled={enabled ? undefined : "true"}
              title={b.title}
              onClick={() => enabled && void join(b.mode)}
            >
              {b.label}
            </button>
          );
        })}
      </div>
    </li>
  );
}
