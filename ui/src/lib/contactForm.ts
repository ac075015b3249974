// The contact form's state and its conversion to the draft the shell stores.
import type { ContactDraftDto, ContactDto } from "../bindings/ipc";

export interface PhoneRow {
  raw: string;
  label: string;
}

export interface FieldRow {
  key: string;
  value: string;
}

export interface ContactForm {
  name: string;
  company: string;
  email: string;
  position: string;
  notes: string;
  phones: PhoneRow[];
  fields: FieldRow[];
  /** A team contact's page in the CRM (private contacts have none). */
  crm_url: string;
}

/** The form for `contact`, or an empty one (with `number` prefilled, e.g. from a card). */
export function formOf(contact?: ContactDto | null, number?: string): ContactForm {
  if (!contact) {
    return { name: "", company: "", email: "", position: "", notes: "", phones: [{ raw: number ?? "", label: "" }], fields: [], crm_url: "" };
  }
  const phones = contact.numbers.filter((n) => n.field === null).map((n) => ({ raw: n.raw, label: n.label ?? "" }));
  return {
    name: contact.name,
    company: contact.company ?? "",
    email: contact.email ?? "",
    position: contact.position ?? "",
    notes: contact.notes ?? "",
    phones: phones.length ? phones : [{ raw: "", label: "" }],
    fields: Object.entries(contact.fields).map(([key, value]) => ({ key, value: value ?? "" })),
    crm_url: contact.crm_url ?? "",
  };
}

const opt = (v: string): string | null => (v.trim() ? v.trim() : null);

/** The draft to store: trimmed, empty rows dropped. */
export function draftOf(form: ContactForm): ContactDraftDto {
  const fields: Record<string, string> = {};
  for (const f of form.fields) {
    if (f.key.trim() && f.value.trim()) fields[f.key.trim()] = f.value.trim();
  }
  return {
    name: form.name.trim(),
    company: opt(form.company),
    email: opt(form.email),
    position: opt(form.position),
    notes: opt(form.notes),
    phones: form.phones.filter((p) => p.raw.trim()).map((p) => ({ raw: p.raw.trim(), label: opt(p.label) })),
    fields,
  };
}

/** The CRM link to store: trimmed, `null` when empty. */
export function crmUrlOf(form: ContactForm): string | null {
  return opt(form.crm_url);
}

/** Whether `text` reads as a web link (http or https), which is all the shell opens. */
export function isWebLink(text: string): boolean {
  try {
    const url = new URL(text.trim());
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

/** Whether the form can be saved: a contact needs a name or a number. */
export function canSave(form: ContactForm): boolean {
  const d = draftOf(form);
  const crm = crmUrlOf(form);
  return (d.name !== "" || d.phones.length > 0) && (crm === null || isWebLink(crm));
}
