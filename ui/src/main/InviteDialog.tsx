// The confirmation an invite link (`trubka://join?…`, opened from the relay's invite page)
// brings up: who it signs in, on which relay, then «Войти»; or why it cannot be used and
// what to ask the administrator for.
import { useState } from "preact/hooks";
import { api, isCommandError, type InviteDto, type SettingsDto } from "../ipc";
import { has, t } from "../i18n";
import { errorText } from "../errors";
import { when } from "../format";

/** A failure in words. An invite refusal is one sentence of its own that says what to ask
 * the administrator for; the relay's Russian detail would only repeat it. */
export function inviteErrorText(e: unknown): string {
  if (isCommandError(e) && e.kind.startsWith("invite_")) {
    const key = `error.${e.kind}`;
    if (has(key)) return t(key);
  }
  return errorText(e);
}

export function InviteDialog({
  invite,
  onSignedIn,
  onClose,
}: {
  invite: InviteDto;
  onSignedIn: (s: SettingsDto) => void;
  onClose: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);
  const error = failure ?? invite.error;
  const ready = !invite.checking && !error && invite.agent !== null;

  const accept = async () => {
    setBusy(true);
    setFailure(null);
    try {
      onSignedIn(await api.inviteAccept());
    } catch (err) {
      setFailure(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="overlay" role="dialog" aria-modal="true" aria-labelledby="invite-title" data-testid="invite-dialog">
      <div class="editor request invite">
        <h2 id="invite-title">{t("invite.title")}</h2>
        {invite.checking && <p class="muted">{t("invite.checking", { relay: invite.relay })}</p>}
        {ready && (
          <>
            <p class="invite-question" data-testid="invite-question">
              {t("invite.question", { agent: invite.agent ?? "" })}
            </p>
            <p class="muted small">{t("invite.relay", { relay: invite.relay })}</p>
            {invite.expires_at && <p class="muted small">{t("invite.expires", { time: when(invite.expires_at) })}</p>}
            <p class="muted small">{t("invite.replaces")}</p>
          </>
        )}
        {error !== null && error !== undefined && (
          <p class="error" role="alert" data-testid="invite-error">
            {inviteErrorText(error)}
          </p>
        )}
        <div class="actions">
          {ready && (
            <button class="primary" type="button" disabled={busy} data-testid="invite-accept" onClick={accept}>
              {busy ? t("invite.busy") : t("invite.accept")}
            </button>
          )}
          <button type="button" disabled={busy} data-testid="invite-cancel" onClick={onClose}>
            {ready || invite.checking ? t("invite.cancel") : t("invite.close")}
          </button>
        </div>
      </div>
    </div>
  );
}
