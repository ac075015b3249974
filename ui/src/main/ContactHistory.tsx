// A team contact's «История изменений»: who changed what, when, newest first, as the relay
// keeps it. Read again whenever the contact's version changes.
import { useEffect, useState } from "preact/hooks";
import { api, type ContactChangeDto } from "../ipc";
import { t } from "../i18n";
import { errorText } from "../errors";
import { when } from "../format";
import { authorName, changeText } from "../lib/directory";

export function ContactHistory({ contactId, version }: { contactId: number; version: number }) {
  const [changes, setChanges] = useState<ContactChangeDto[] | null>(null);
  const [error, setError] = useState("");

  useEffect(() => {
    let live = true;
    setError("");
    api.contactHistory(contactId).then(
      (list) => live && setChanges(list),
      (e) => live && setError(errorText(e)),
    );
    return () => {
      live = false;
    };
  }, [contactId, version]);

  return (
    <section class="contact-history" data-testid="contact-history" aria-label={t("team.history")}>
      <h3>{t("team.history")}</h3>
      {error ? (
        <p class="muted small" role="status">
          {t("team.history_failed")}: {error}
        </p>
      ) : changes === null ? (
        <p class="muted small">{t("common.loading")}</p>
      ) : changes.length === 0 ? (
        <p class="muted small">{t("team.history_empty")}</p>
      ) : (
        <ol class="changes">
          {changes.map((c) => (
            <li key={c.version} data-testid="history-entry">
              <span class="muted when">{when(c.at)}</span>
              <strong class="who">{authorName(c.author)}</strong>
              <span class="what">{changeText(c)}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
