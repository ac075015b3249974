// The dial button next to every number.
import { api } from "../ipc";
import { t } from "../i18n";
import { errorText } from "../errors";
import { toast } from "./toasts";

export async function dialNumber(number: string): Promise<void> {
  try {
    const r = await api.dial(number);
    toast(t("dial.sent", { number: r.number }), "ok");
  } catch (e) {
    toast(`${t("dial.failed", { number })}: ${errorText(e)}`, "error");
  }
}

export function DialButton({ number, label }: { number: string; label?: string }) {
  return (
    <button
      type="button"
      class="dial"
      data-testid="dial"
      data-number={number}
      title={t("common.dial_number", { number })}
      aria-label={t("common.dial_number", { number })}
      onClick={(e) => {
        e.stopPropagation();
        void dialNumber(number);
      }}
    >
      <span aria-hidden="true">✆</span>
      {label && <span>{label}</span>}
    </button>
  );
}
