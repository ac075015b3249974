// The status line: the relay connection exactly as the engine reports it, and notices
// about parts that work worse than they should.
import type { Notice, StatusDto } from "../ipc";
import { t } from "../i18n";
import { when } from "../format";

export function connectionText(status: StatusDto | null): { text: string; tone: string; detail: string } {
  const c = status?.connection;
  if (!c) return { text: t("common.loading"), tone: "muted", detail: "" };
  switch (c.state) {
    case "connected":
      return { text: t("status.connected", { agent: c.agent }), tone: "ok", detail: "" };
    case "connecting":
      return { text: t("status.connecting"), tone: "warn", detail: "" };
    case "reconnecting":
      return {
        text: t("status.reconnecting"),
        tone: "warn",
        detail: t("status.reconnecting_detail", { error: c.error, attempt: c.attempt, time: when(c.retry_at) }),
      };
    case "signed_out":
      return { text: t("status.signed_out"), tone: "muted", detail: "" };
    case "token_revoked":
      return { text: t("status.token_revoked"), tone: "error", detail: "" };
    case "rejected":
      return { text: t("status.rejected", { code: c.code, reason: c.reason }), tone: "error", detail: "" };
  }
}

export function noticeText(n: Notice): string {
  switch (n.kind) {
    case "keyring_fallback":
      return t("notice.keyring_fallback", { path: n.path });
    case "notifications_unavailable":
      return t("notice.notifications_unavailable");
    case "shortcut_unavailable":
      return t("notice.shortcut_unavailable", { shortcut: n.shortcut, detail: n.detail });
    case "resynced":
      return t("notice.resynced", { count: n.count });
  }
}

export function StatusLine({ status }: { status: StatusDto | null }) {
  const c = connectionText(status);
  return (
    <div class={`status status-${c.tone}`} data-testid="connection" data-state={status?.connection.state ?? ""} title={c.detail}>
      <span class="dot" aria-hidden="true" />
      <span>{c.text}</span>
      {c.detail && <span class="status-detail">{c.detail}</span>}
    </div>
  );
}

export function Notices({ status }: { status: StatusDto | null }) {
  if (!status?.notices.length) return null;
  return (
    <div class="notices">
      {status.notices.map((n) => (
        <div key={n.kind} class="notice" data-testid={`notice-${n.kind}`} role="note" title={"detail" in n ? n.detail : ""}>
          ⚠ {noticeText(n)}
        </div>
      ))}
    </div>
  );
}
