// The contact form: built-in fields, several phones with labels, extra fields; for a team
// contact also its CRM link, who changed it last and its history; for a new one, whether
// it goes to the team or stays private.
import { useEffect, useRef, useState } from "preact/hooks";
import { api, type ContactDto } from "../ipc";
import { t, type Key } from "../i18n";
import { errorText } from "../errors";
import { canSave, crmUrlOf, draftOf, formOf, type ContactForm } from "../lib/contactForm";
import { deletion, isTeam, lastChange } from "../lib/directory";
import { ContactHistory } from "./ContactHistory";
import { CrmButton, ScopeBadge } from "./TeamBits";
import { DialButton } from "./DialButton";
import { openRequest } from "./RequestForm";
import { toast } from "./toasts";

const BUILTIN: { key: "name" | "company" | "email" | "position"; label: Key }[] = [
  { key: "name", label: "field.name" },
  { key: "company", label: "field.company" },
  { key: "email", label: "field.email" },
  { key: "position", label: "field.position" },
];

interface Props {
  contact: ContactDto | null;
  number?: string;
  onSaved: (c: ContactDto) => void;
  onDeleted: () => void;
  onClose: () => void;
  /** Signed in to a relay: new contacts may (and by default do) go to the team. */
  signedIn: boolean;
  /** The agent may delete team contacts. */
  supervisor: boolean;
}

export function ContactEditor({ contact, number, onSaved, onDeleted, onClose, signedIn, supervisor }: Props) {
  const [form, setForm] = useState<ContactForm>(() => formOf(contact, number));
  // A new contact's place; an existing one stays where it is.
  const [toTeam, setToTeam] = useState(signedIn);
  const team = contact ? isTeam(contact) : toTeam;
  const removal = contact ? deletion(contact, supervisor) : null;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  // A colleague changed this team contact while it is open (the sync brought a new version):
  // an untouched form shows the new fields; an edited one keeps the edit and says so.
  const dirty = useRef(false);
  const shown = useRef(contact?.team?.version);
  const [changedMeanwhile, setChangedMeanwhile] = useState(false);
  useEffect(() => {
    const version = contact?.team?.version;
    if (version === shown.current) return;
    shown.current = version;
    if (dirty.current) setChangedMeanwhile(true);
    else setForm(formOf(contact, number));
  }, [contact, number]);
  const update = (change: (f: ContactForm) => void) => {
    dirty.current = true;
    setForm((f) => {
      const next = structuredClone(f);
      change(next);
      return next;
    });
  };

  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      const saved = await api.saveContact(contact?.id ?? null, draftOf(form), contact ? null : toTeam, team ? crmUrlOf(form) : null);
      toast(t("contacts.saved"), "ok");
      onSaved(saved);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    if (!contact || !window.confirm(t("contacts.delete_confirm", { name: contact.name }))) return;
    try {
      await api.deleteContact(contact.id);
      toast(t("contacts.deleted"), "ok");
      onDeleted();
    } catch (err) {
      setError(errorText(err));
    }
  };

  return (
    <form
      class="editor"
      onSubmit={save}
      data-testid="contact-editor"
      onKeyDown={(e) => {
        if (e.key === "Escape") onClose();
      }}
    >
      <div class="editor-head">
        <h2>{contact ? t("contact.edit") : t("contact.new")}</h2>
        {contact && <ScopeBadge team={isTeam(contact)} />}
        {contact?.crm_url && <CrmButton url={contact.crm_url} testid="contact-crm" />}
      </div>
      {contact?.team && (
        <p class="muted small meta-line" data-testid="contact-last-change">
          {lastChange(contact)}
        </p>
      )}
      {changedMeanwhile && (
        <p class="warn small meta-line" role="status" data-testid="contact-changed-meanwhile">
          {t("team.changed_meanwhile")}
        </p>
      )}
      {!contact && (
        <fieldset class="where" data-testid="contact-where">
          <legend>{t("team.where")}</legend>
          <label class="check" title={signedIn ? undefined : t("team.where.needs_relay")}>
            <input
              type="radio"
              name="where"
              data-testid="where-team"
              checked={toTeam}
              disabled={!signedIn}
              onChange={() => setToTeam(true)}
            />
            {t("team.where.team")}
          </label>
          <label class="check">
            <input type="radio" name="where" data-testid="where-private" checked={!toTeam} onChange={() => setToTeam(false)} />
            {t("team.where.private")}
          </label>
          {!signedIn && <p class="muted small">{t("team.where.needs_relay")}</p>}
        </fieldset>
      )}
      <div class="grid2">
        {BUILTIN.map((f) => (
          <label key={f.key}>
            {t(f.label)}
            <input
              name={f.key}
              data-testid={`field-${f.key}`}
              value={form[f.key]}
              autoFocus={f.key === "name"}
              onInput={(e) => {
                const v = e.currentTarget.value;
                update((x) => (x[f.key] = v));
              }}
            />
          </label>
        ))}
      </div>
      <fieldset>
        <legend>{t("contact.phones")}</legend>
        {form.phones.map((p, i) => (
          <div class="line" key={i}>
            <input
              class="grow mono"
              aria-label={t("contact.phone")}
              placeholder={t("contact.phone")}
              data-testid="field-phone"
              value={p.raw}
              onInput={(e) => {
                const v = e.currentTarget.value;
                update((x) => (x.phones[i].raw = v));
              }}
            />
            <input
              class="narrow"
              aria-label={t("contact.phone_label")}
              placeholder={t("contact.phone_label")}
              value={p.label}
              onInput={(e) => {
                const v = e.currentTarget.value;
                update((x) => (x.phones[i].label = v));
              }}
            />
            {p.raw.trim() && <DialButton number={p.raw.trim()} name={form.name} />}
            <button
              type="button"
              class="ghost"
              aria-label={t("contact.remove_phone")}
              title={t("contact.remove_phone")}
              onClick={() => update((x) => x.phones.splice(i, 1))}
            >
              ✕
            </button>
          </div>
        ))}
        <button type="button" class="ghost" onClick={() => update((x) => x.phones.push({ raw: "", label: "" }))}>
          + {t("contact.add_phone")}
        </button>
      </fieldset>
      <label>
        {t("field.notes")}
        <textarea
          rows={2}
          value={form.notes}
          onInput={(e) => {
            const v = e.currentTarget.value;
            update((x) => (x.notes = v));
          }}
        />
      </label>
      {team && (
        <label>
          {t("team.crm_url")}
          <input
            type="url"
            name="crm_url"
            data-testid="field-crm_url"
            placeholder="https://"
            value={form.crm_url}
            onInput={(e) => {
              const v = e.currentTarget.value;
              update((x) => (x.crm_url = v));
            }}
          />
        </label>
      )}
      <fieldset>
        <legend>{t("contact.extra")}</legend>
        {form.fields.map((f, i) => (
          <div class="line" key={i}>
            <input
              class="narrow"
              aria-label={t("contact.field_name")}
              placeholder={t("contact.field_name")}
              value={f.key}
              onInput={(e) => {
                const v = e.currentTarget.value;
                update((x) => (x.fields[i].key = v));
              }}
            />
            <input
              class="grow"
              aria-label={t("contact.field_value")}
              placeholder={t("contact.field_value")}
              value={f.value}
              onInput={(e) => {
                const v = e.currentTarget.value;
                update((x) => (x.fields[i].value = v));
              }}
            />
            <button type="button" class="ghost" aria-label={t("common.delete")} onClick={() => update((x) => x.fields.splice(i, 1))}>
              ✕
            </button>
          </div>
        ))}
        <button type="button" class="ghost" onClick={() => update((x) => x.fields.push({ key: "", value: "" }))}>
          + {t("contact.add_field")}
        </button>
      </fieldset>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="actions">
        <button class="primary" type="submit" disabled={busy || !canSave(form)} data-testid="contact-save">
          {t("common.save")}
        </button>
        <button type="button" onClick={onClose}>
          {t("common.close")}
        </button>
        {form.phones.some((p) => p.raw.trim()) && (
          <button
            type="button"
            data-testid="contact-request"
            onClick={() => openRequest({ phone: form.phones.find((p) => p.raw.trim())?.raw.trim() ?? "", name: form.name })}
          >
            ✎ {t("request.open")}
          </button>
        )}
        {contact && removal && (
          // Not allowed: the button stays visible but disabled, and says why on hover and
          // to screen readers, so it never fails on a click.
          <span class="push-right" title={removal.why ? t(removal.why) : undefined}>
            <button
              type="button"
              class="danger"
              data-testid="contact-delete"
              disabled={!removal.allowed}
              aria-description={removal.why ? t(removal.why) : undefined}
              onClick={remove}
            >
              {t("common.delete")}
            </button>
          </span>
        )}
      </div>
      {contact?.team && <ContactHistory contactId={contact.id} version={contact.team.version} />}
    </form>
  );
}
