// What an agent does with a case, on its row and in its view: «Перезвонить» (the relay
// claims the case, then dials), «Перезваниваю» / «Не перезваниваю», and «Закрыть» with an
// optional reason.
import { useState } from "preact/hooks";
import { api, type CaseDto } from "../../ipc";
import { t } from "../../i18n";
import { errorText } from "../../errors";
import { toast } from "../toasts";
import { closeReason } from "./logic";

interface Props {
  c: CaseDto;
  /** The case as the relay answered after a claim, release or close. */
  onChanged: (c: CaseDto) => void;
}

export function CaseActions({ c, onChanged }: Props) {
  const [busy, setBusy] = useState(false);
  const [closing, setClosing] = useState(false);
  const [reason, setReason] = useState("");
  if (c.status === "closed") return null;

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    try {
      await work();
    } catch (e) {
      toast(errorText(e), "error");
    } finally {
      setBusy(false);
    }
  };
  const callBack = (phone: string) =>
    run(async () => {
      const r = await api.caseDial(c.key, phone);
      toast(t("dial.sent", { number: r.number }), "ok");
    });
  const claim = () =>
    run(async () => {
      onChanged(await api.caseClaim(c.key));
      toast(t("cases.claimed_toast"), "ok");
    });
  const release = () =>
    run(async () => {
      onChanged(await api.caseRelease(c.key));
      toast(t("cases.released_toast"), "ok");
    });
  const close = () =>
    run(async () => {
      onChanged(await api.caseClose(c.key, closeReason(reason)));
      setClosing(false);
      setReason("");
      toast(t("cases.closed_toast"), "ok");
    });
  // A colleague's live claim: calling back or claiming would be refused with their name.
  const taken = c.claim !== null && !c.claim.mine;

  if (closing) {
    return (
      <form
        class="case-close"
        data-testid="case-close-form"
        onSubmit={(e) => {
          e.preventDefault();
          void close();
        }}
      >
        <input
          type="text"
          maxLength={500}
          data-testid="case-close-reason"
          placeholder={t("cases.close_reason")}
          aria-label={t("cases.close_reason")}
          value={reason}
          onInput={(e) => setReason(e.currentTarget.value)}
        />
        <button type="submit" class="primary small" data-testid="case-close-confirm" disabled={busy}>
          {t("cases.close_confirm")}
        </button>
        <button type="button" class="small" onClick={() => setClosing(false)}>
          {t("common.cancel")}
        </button>
      </form>
    );
  }
  return (
    <div class="row-actions case-actions">
      {c.phone && (
        <button type="button" class="primary small" data-testid="case-dial" disabled={busy || taken} onClick={() => callBack(c.phone!)}>
          ✆ {t("cases.call_back")}
        </button>
      )}
      {c.claim?.mine ? (
        <button type="button" class="small" data-testid="case-release" disabled={busy} onClick={release}>
          {t("cases.release")}
        </button>
      ) : (
        c.phone && (
          <button type="button" class="small" data-testid="case-claim" title={t("cases.claim_title")} disabled={busy || taken} onClick={claim}>
            {t("cases.claim")}
          </button>
        )
      )}
      <button type="button" class="small" data-testid="case-close" disabled={busy} onClick={() => setClosing(true)}>
        ✓ {t("cases.close")}
      </button>
    </div>
  );
}
