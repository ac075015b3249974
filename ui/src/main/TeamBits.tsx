// Small pieces the contacts screen and the card share: the «Команда» / «Личный» badge and
// the «Открыть в CRM» button, which hands the link to the system browser.
import { api } from "../ipc";
import { t } from "../i18n";
import { errorText } from "../errors";
import { toast } from "./toasts";

export function ScopeBadge({ team }: { team: boolean }) {
  return (
    <span
      class={team ? "scope scope-team" : "scope scope-private"}
      data-testid="scope-badge"
      data-scope={team ? "team" : "private"}
      title={t(team ? "team.badge_title" : "team.private_title")}
    >
      {t(team ? "team.badge" : "team.private")}
    </span>
  );
}

interface CrmProps {
  url: string;
  testid: string;
  small?: boolean;
  /** Where a failure is said (default: a toast in the main window). */
  onError?: (text: string) => void;
}

export function CrmButton({ url, testid, small = false, onError = (text) => toast(text, "error") }: CrmProps) {
  return (
    <button
      type="button"
      class={small ? "small crm" : "crm"}
      data-testid={testid}
      data-url={url}
      title={t("team.open_crm_title", { url })}
      onClick={(e) => {
        e.stopPropagation();
        api.openCrm(url).catch((err) => onError(errorText(err)));
      }}
    >
      ↗ {t("team.open_crm")}
    </button>
  );
}
