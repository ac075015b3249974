// Settings: account, the call card (fields, when it pops, sound), language, start with
// the OS. Every change is saved at once.
import { useEffect } from "preact/hooks";
import { api, type Language, type PopupMode, type SettingsDto, type SettingsPatch } from "../ipc";
import { t, type Key } from "../i18n";
import { errorText } from "../errors";
import { fieldLabel } from "../format";
import { toast } from "./toasts";
import { UpdateCheck } from "./UpdateNotice";

const POPUPS: { id: PopupMode; key: Key }[] = [
  { id: "ring", key: "settings.popup.ring" },
  { id: "answer", key: "settings.popup.answer" },
  { id: "off", key: "settings.popup.off" },
];

/** The chosen card fields after ticking or unticking `field`, keeping their order. */
export function toggleField(chosen: string[], field: string, on: boolean): string[] {
  if (on) return chosen.includes(field) ? chosen : [...chosen, field];
  return chosen.filter((f) => f !== field);
}

export function Settings({ settings, onChange }: { settings: SettingsDto; onChange: (s: SettingsDto) => void }) {
  // Fresh on every visit: the choosable card fields follow the contacts' extra fields.
  useEffect(() => {
    api.settings().then(onChange, (e) => toast(errorText(e), "error"));
  }, [onChange]);
  const save = async (patch: SettingsPatch) => {
    try {
      onChange(await api.updateSettings(patch));
      toast(t("settings.saved"), "ok");
    } catch (e) {
      toast(errorText(e), "error");
    }
  };

  const signOut = async () => {
    try {
      await api.signOut();
      onChange(await api.settings());
    } catch (e) {
      toast(errorText(e), "error");
    }
  };

  return (
    <section class="settings" data-testid="settings">
      <fieldset>
        <legend>{t("settings.account")}</legend>
        <dl class="facts">
          <dt>{t("settings.relay")}</dt>
          <dd class="mono">{settings.relay_url ?? "—"}</dd>
          <dt>{t("settings.agent")}</dt>
          <dd>{settings.agent ?? "—"}</dd>
          <dt>{t("settings.token_store")}</dt>
          <dd data-testid="token-store">{t(settings.token_store === "keyring" ? "settings.token_store.keyring" : "settings.token_store.file")}</dd>
          <dt>{t("settings.profile")}</dt>
          <dd class="mono">{settings.profile_dir}</dd>
        </dl>
        <button type="button" class="danger" data-testid="sign-out" onClick={signOut}>
          {t("signin.sign_out")}
        </button>
      </fieldset>

      <fieldset>
        <legend>{t("settings.card")}</legend>
        <div class="field-label">{t("settings.popup")}</div>
        <div class="radios" role="radiogroup" aria-label={t("settings.popup")}>
          {POPUPS.map((p) => (
            <label key={p.id} class="check">
              <input
                type="radio"
                name="popup"
                data-testid={`popup-${p.id}`}
                checked={settings.popup === p.id}
                onChange={() => save({ popup: p.id })}
              />
              {t(p.key)}
            </label>
          ))}
        </div>
        <label class="check">
          <input type="checkbox" data-testid="sound" checked={settings.sound} onChange={(e) => save({ sound: e.currentTarget.checked })} />
          {t("settings.sound")}
        </label>
        <label class="check" title={t("settings.open_contact_on_answer_hint")}>
          <input
            type="checkbox"
            data-testid="open-contact-on-answer"
            checked={settings.open_contact_on_answer}
            onChange={(e) => save({ open_contact_on_answer: e.currentTarget.checked })}
          />
          {t("settings.open_contact_on_answer")}
        </label>
        <div class="field-label">{t("settings.card_fields")}</div>
        <div class="chips">
          {settings.available_fields.map((f) => (
            <label key={f} class="check chip">
              <input
                type="checkbox"
                data-testid={`card-field-${f}`}
                checked={settings.card_fields.includes(f)}
                onChange={(e) => save({ card_fields: toggleField(settings.card_fields, f, e.currentTarget.checked) })}
              />
              {fieldLabel(f)}
            </label>
          ))}
        </div>
      </fieldset>

      <fieldset>
        <legend>{t("settings.general")}</legend>
        <label>
          {t("settings.language")}
          <select
            data-testid="language"
            value={settings.language}
            onChange={(e) => save({ language: e.currentTarget.value as Language })}
          >
            <option value="ru">{t("settings.language.ru")}</option>
            <option value="en">{t("settings.language.en")}</option>
          </select>
        </label>
        <label class="check">
          <input
            type="checkbox"
            data-testid="autostart"
            checked={settings.autostart}
            onChange={(e) => save({ autostart: e.currentTarget.checked })}
          />
          {t("settings.autostart")}
        </label>
        <label class="check" title={t("settings.auto_break_hint")}>
          <input
            type="checkbox"
            data-testid="auto-break"
            checked={settings.auto_break}
            onChange={(e) => save({ auto_break: e.currentTarget.checked })}
          />
          {t("settings.auto_break")}
        </label>
        <div class="field-label">{t("settings.shortcut")}</div>
        <kbd>{settings.shortcut.replace("CommandOrControl", "Ctrl")}</kbd>
        <div class="field-label">{t("presence.hint", { shortcut: settings.break_shortcut.replace("CommandOrControl", "Ctrl") })}</div>
        <UpdateCheck />
      </fieldset>
    </section>
  );
}
