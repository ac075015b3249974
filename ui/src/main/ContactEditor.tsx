// The contact form: built-in fields, several phones with labels, extra fields.
import { useState } from "preact/hooks";
import { api, type ContactDto } from "../ipc";
import { t, type Key } from "../i18n";
import { errorText } from "../errors";
import { canSave, draftOf, formOf, type ContactForm } from "../lib/contactForm";
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
}

export function ContactEditor({ contact, number, onSaved, onDeleted, onClose }: Props) {
  const [form, setForm] = useState<ContactForm>(() => formOf(contact, number));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const update = (change: (f: ContactForm) => void) =>
    setForm((f) => {
      const next = structuredClone(f);
      change(next);
      return next;
    });

  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      const saved = await api.saveContact(contact?.id ?? null, draftOf(form));
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
      <h2>{contact ? t("contact.edit") : t("contact.new")}</h2>
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
        {contact && (
          <button type="button" class="danger push-right" onClick={remove}>
            {t("common.delete")}
          </button>
        )}
      </div>
    </form>
  );
}
