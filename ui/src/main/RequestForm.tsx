// The offline request form («заявка»): the caller's number and name, what they want, and the
// site or advertising campaign of the UIS account it is filed under. Opened from a number's
// dial menu, a contact, or a call card (through the main window); the relay uploads it to UIS.
import { useCallback, useEffect, useState } from "preact/hooks";
import { api, type RequestTargetsDto } from "../ipc";
import { t } from "../i18n";
import { errorText } from "../errors";
import { toast } from "./toasts";

export interface RequestFor {
  phone: string;
  name: string;
}

const openers = new Set<(r: RequestFor) => void>();

/** Opens the form for a caller. */
export function openRequest(r: RequestFor): void {
  openers.forEach((o) => o(r));
}

/** Reads a `request:NUMBER|NAME` target the card window sends; `null` for anything else. */
export function requestOf(target: string): RequestFor | null {
  const [kind, rest = ""] = target.split(/:(.*)/s);
  if (kind !== "request") return null;
  const [phone = "", name = ""] = rest.split("|");
  return phone.trim() ? { phone: phone.trim(), name: name.trim() } : null;
}

/** Whether the form may be sent: a number, a text, and a site or a campaign (UIS files every
 * request under one; its «no campaign» entry, id -1, needs a site as well). */
export function canSend(f: { phone: string; message: string; site: string; campaign: string }, targets: RequestTargetsDto | null): boolean {
  if (!f.phone.trim() || !f.message.trim() || (!f.site && !f.campaign)) return false;
  const campaign = targets?.campaigns.find((c) => c.name === f.campaign);
  return !(campaign && campaign.id < 0 && !f.site);
}

type Targets = { state: "loading" } | { state: "ready"; targets: RequestTargetsDto } | { state: "failed"; error: string };

function Form({ initial, onClose }: { initial: RequestFor; onClose: () => void }) {
  const [phone, setPhone] = useState(initial.phone);
  const [name, setName] = useState(initial.name);
  const [message, setMessage] = useState("");
  const [site, setSite] = useState("");
  const [campaign, setCampaign] = useState("");
  const [targets, setTargets] = useState<Targets>({ state: "loading" });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");

  useEffect(() => {
    let live = true;
    api.requestTargets().then(
      (t) => {
        if (!live) return;
        setTargets({ state: "ready", targets: t });
        // One site and nothing else to choose from: it is the only answer.
        if (t.sites.length === 1) setSite(t.sites[0].name);
      },
      (e) => live && setTargets({ state: "failed", error: errorText(e) }),
    );
    const esc = (e: KeyboardEvent) => e.key === "Escape" && onClose();
    document.addEventListener("keydown", esc);
    return () => {
      live = false;
      document.removeEventListener("keydown", esc);
    };
  }, [onClose]);

  const ready = targets.state === "ready" ? targets.targets : null;
  const form = { phone, message, site, campaign };
  const send = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      const sent = await api.sendRequest({
        phone,
        message,
        name: name.trim() || null,
        site: site || null,
        campaign: campaign || null,
      });
      toast(t("request.sent", { id: sent.id, phone: sent.phone }), "ok");
      onClose();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="overlay" role="dialog" aria-modal="true" aria-labelledby="request-title" data-testid="request-form">
      <form class="editor request" onSubmit={send}>
        <h2 id="request-title">{t("request.title")}</h2>
        <p class="muted small">{t("request.lead")}</p>
        <div class="grid2">
          <label>
            {t("request.phone")}
            <input class="mono" data-testid="request-phone" value={phone} onInput={(e) => setPhone(e.currentTarget.value)} />
          </label>
          <label>
            {t("request.name")}
            <input data-testid="request-name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
          </label>
        </div>
        <label>
          {t("request.message")}
          <textarea
            rows={4}
            data-testid="request-message"
            placeholder={t("request.message_hint")}
            value={message}
            onInput={(e) => setMessage(e.currentTarget.value)}
          />
        </label>
        {targets.state === "loading" && <p class="muted small">{t("common.loading")}</p>}
        {targets.state === "failed" && (
          <p class="error" role="alert" data-testid="request-targets-error">
            {t("request.targets_failed")}: {targets.error}
          </p>
        )}
        {ready && (
          <div class="grid2">
            <label>
              {t("request.site")}
              <select data-testid="request-site" value={site} onChange={(e) => setSite(e.currentTarget.value)}>
                <option value="">{t("request.none")}</option>
                {ready.sites.map((s) => (
                  <option key={s.id} value={s.name}>
                    {s.name}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {t("request.campaign")}
              <select data-testid="request-campaign" value={campaign} onChange={(e) => setCampaign(e.currentTarget.value)}>
                <option value="">{t("request.none")}</option>
                {ready.campaigns.map((c) => (
                  <option key={c.id} value={c.name} disabled={!c.active}>
                    {c.name}
                    {c.site ? ` (${c.site})` : ""}
                    {c.active ? "" : ` — ${t("request.inactive")}`}
                  </option>
                ))}
              </select>
            </label>
          </div>
        )}
        {ready && <p class="muted small">{t("request.where")}</p>}
        {error && (
          <p class="error" role="alert" data-testid="request-error">
            {error}
          </p>
        )}
        <div class="actions">
          <button class="primary" type="submit" data-testid="request-send" disabled={busy || !canSend(form, ready)}>
            {busy ? t("request.sending") : t("request.send")}
          </button>
          <button type="button" onClick={onClose}>
            {t("common.cancel")}
          </button>
        </div>
      </form>
    </div>
  );
}

/** Where the form appears; mounted once in the main window. */
export function RequestHost() {
  const [current, setCurrent] = useState<{ key: number; r: RequestFor } | null>(null);
  useEffect(() => {
    let n = 0;
    const open = (r: RequestFor) => setCurrent({ key: ++n, r });
    openers.add(open);
    return () => openers.delete(open);
  }, []);
  const close = useCallback(() => setCurrent(null), []);
  return current ? <Form key={current.key} initial={current.r} onClose={close} /> : null;
}
