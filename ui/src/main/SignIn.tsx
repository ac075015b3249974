// The sign-in screen: relay address and agent token.
import { useState } from "preact/hooks";
import { api, type SettingsDto } from "../ipc";
import { t } from "../i18n";
import { errorText } from "../errors";

export function SignIn({ settings, onSignedIn }: { settings: SettingsDto; onSignedIn: (s: SettingsDto) => void }) {
  const [relay, setRelay] = useState(settings.relay_url ?? "");
  const [token, setToken] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      onSignedIn(await api.signIn(relay.trim(), token.trim()));
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="signin" onSubmit={submit} data-testid="signin">
      <h1>{t("signin.title")}</h1>
      <p class="muted">{t("signin.lead")}</p>
      <label>
        {t("signin.relay")}
        <input
          name="relay"
          type="url"
          required
          autoFocus
          placeholder="https://relay.example.ru"
          value={relay}
          onInput={(e) => setRelay(e.currentTarget.value)}
        />
      </label>
      <label>
        {t("signin.token")}
        <input name="token" type="password" required autoComplete="off" value={token} onInput={(e) => setToken(e.currentTarget.value)} />
      </label>
      {error && (
        <p class="error" role="alert" data-testid="signin-error">
          {error}
        </p>
      )}
      <button class="primary" type="submit" disabled={busy} data-testid="signin-submit">
        {busy ? t("signin.busy") : t("signin.submit")}
      </button>
    </form>
  );
}
