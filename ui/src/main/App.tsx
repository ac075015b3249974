// The main window: sign-in until signed in, then contacts, history, the team's cases and
// settings under one header with the status line.
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { api, on, type InviteDto, type SettingsDto, type StatusDto } from "../ipc";
import { setLanguage, t, type Key } from "../i18n";
import { errorText, refusalText } from "../errors";
import { Contacts, type ContactsIntent } from "./Contacts";
import { History } from "./History";
import { InviteDialog } from "./InviteDialog";
import { UpdateBanner, useUpdate } from "./UpdateNotice";
import { Cases } from "./cases/Cases";
import { badgeCount } from "./cases/logic";
import { useCases } from "./cases/useCases";
import { Settings } from "./Settings";
import { SignIn } from "./SignIn";
import { Notices, StatusLine } from "./StatusLine";
import { PresenceControl } from "./PresenceControl";
import { TeamView } from "./TeamView";
import { RequestHost, openRequest, requestOf } from "./RequestForm";
import { Toasts, toast } from "./toasts";
import { useLanguage } from "./useLanguage";

type Tab = "contacts" | "history" | "missed" | "team" | "settings";
const TABS: { id: Tab; key: Key }[] = [
  { id: "contacts", key: "nav.contacts" },
  { id: "history", key: "nav.history" },
  { id: "missed", key: "nav.missed" },
  { id: "settings", key: "nav.settings" },
];

/** The tabs: a supervisor also gets «Команда» (the team's statuses and calls), before the settings. */
export function tabsFor(supervisor: boolean): { id: Tab; key: Key }[] {
  return supervisor ? [...TABS.slice(0, -1), { id: "team", key: "nav.team" }, TABS[TABS.length - 1]] : TABS;
}

/** Reads an `open` request from the card window: `contact:ID`, `new-contact:CALL|NUMBER`, `attach:NUMBER`. */
export function intentOf(target: string): ContactsIntent | null {
  const [kind, rest = ""] = target.split(/:(.*)/s);
  if (kind === "contact" && /^\d+$/.test(rest)) return { kind: "open", id: Number(rest) };
  if (kind === "new-contact") {
    const [callId, number = ""] = rest.split("|");
    return { kind: "new", callId, number };
  }
  if (kind === "attach" && rest) return { kind: "attach", number: rest };
  return null;
}

/** Where an `open` request leads: the cases (`missed`, from the "while you were away"
 * notification), or the contacts screen with an intent; `null` for anything else. */
export function screenOf(target: string): { tab: Tab; intent: ContactsIntent | null } | null {
  if (target === "missed") return { tab: "missed", intent: null };
  const intent = intentOf(target);
  return intent ? { tab: "contacts", intent } : null;
}

export function App() {
  useLanguage();
  const [status, setStatus] = useState<StatusDto | null>(null);
  const [settings, setSettings] = useState<SettingsDto | null>(null);
  const [tab, setTab] = useState<Tab>("contacts");
  const [intent, setIntent] = useState<ContactsIntent | null>(null);
  const [invite, setInvite] = useState<InviteDto | null>(null);
  const [update, setUpdate] = useUpdate();
  const ready = useRef(false);

  const applySettings = useCallback((s: SettingsDto) => {
    setSettings(s);
    setLanguage(s.language);
  }, []);

  useEffect(() => {
    Promise.all([api.status(), api.settings()])
      .then(([st, se]) => {
        setStatus(st);
        applySettings(se);
      })
      .catch((e) => toast(errorText(e), "error"));
    // An invite link that arrived before this window listened (the app was started by it).
    api.invitePending().then(setInvite, () => setInvite(null));
    const unlisten = [
      on("status", setStatus),
      on("invite", setInvite),
      on("prefs-changed", () => api.settings().then(applySettings)),
      on("dial", (e) => {
        if (e.result) toast(t("dial.sent", { number: e.result.number }), "ok");
        else if (e.error) toast(`${t("dial.failed", { number: e.text })}: ${errorText(e.error)}`, "error");
      }),
      on("shortcut-no-number", () => toast(t("dial.no_number"), "error")),
      on("presence-failed", (e) => toast(`${t("presence.failed")}: ${refusalText(e)}`, "error")),
      on("open", (target) => {
        const request = requestOf(target);
        if (request) {
          openRequest(request);
          return;
        }
        const screen = screenOf(target);
        if (screen) {
          setTab(screen.tab);
          if (screen.intent) setIntent(screen.intent);
        }
      }),
    ];
    return () => unlisten.forEach((p) => p.then((f) => f()));
  }, [applySettings]);

  useEffect(() => {
    if (!ready.current && status && settings) {
      ready.current = true;
      requestAnimationFrame(() => api.uiReady());
    }
  }, [status, settings]);

  const tabs = tabsFor(settings?.supervisor ?? false);
  const tabsRef = useRef(tabs);
  tabsRef.current = tabs;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const index = Number(e.key) - 1;
      if (e.altKey && !e.ctrlKey && /^[1-9]$/.test(e.key) && index < tabsRef.current.length) {
        e.preventDefault();
        setTab(tabsRef.current[index].id);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  const signedOut = status?.connection.state === "signed_out" && !settings?.relay_url;
  const needsSignIn = status !== null && settings !== null && (signedOut || status.connection.state === "token_revoked");
  const cases = useCases(settings?.relay_url != null && !needsSignIn, status ? status.connection.state === "connected" : null);
  const badge = badgeCount(cases.list?.cases ?? []);

  return (
    <div class="app">
      <header class="topbar">
        <div class="brand">
          <img src="/icon.png" alt="" width="20" height="20" />
          {t("app.title")}
        </div>
        {!needsSignIn && (
          <nav class="tabs" role="tablist" aria-label={t("app.title")}>
            {tabs.map((x, i) => (
              <button
                key={x.id}
                role="tab"
                id={`tab-${x.id}`}
                data-testid={`tab-${x.id}`}
                aria-selected={tab === x.id}
                class={tab === x.id ? "tab active" : "tab"}
                title={`Alt+${i + 1}`}
                onClick={() => setTab(x.id)}
              >
                {t(x.key)}
                {x.id === "missed" && badge > 0 && (
                  <span class="badge" data-testid="cases-badge">
                    {badge}
                  </span>
                )}
              </button>
            ))}
          </nav>
        )}
        {!needsSignIn && settings?.relay_url && <PresenceControl me={settings.agent} breakShortcut={settings.break_shortcut} />}
        <StatusLine status={status} />
      </header>
      <Notices status={status} />
      <UpdateBanner update={update} onChange={setUpdate} />
      <main class="content">
        {settings === null ? (
          <p class="muted pad">{t("common.loading")}</p>
        ) : needsSignIn ? (
          <SignIn settings={settings} onSignedIn={applySettings} />
        ) : tab === "contacts" ? (
          <Contacts
            intent={intent}
            onIntentDone={() => setIntent(null)}
            signedIn={settings.relay_url !== null}
            supervisor={settings.supervisor}
          />
        ) : tab === "history" ? (
          <History />
        ) : tab === "missed" ? (
          <Cases store={cases} />
        ) : tab === "team" && settings.supervisor ? (
          <TeamView />
        ) : (
          <Settings settings={settings} onChange={applySettings} />
        )}
      </main>
      {!needsSignIn && <RequestHost />}
      {invite && (
        <InviteDialog
          invite={invite}
          onSignedIn={(s) => {
            setInvite(null);
            applySettings(s);
          }}
          onClose={() => {
            setInvite(null);
            api.inviteDismiss().catch(() => undefined);
          }}
        />
      )}
      <Toasts />
    </div>
  );
}
