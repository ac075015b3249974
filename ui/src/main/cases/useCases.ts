// The case list the main window holds for as long as it is open: read when the window
// starts and whenever the connection comes or goes (cases changed while it was away; the
// stored copy, stale, while it is away), and kept by the `case-changed` events between.
// App reads it for the tab's badge, the case screen for its rows.
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { api, on, type CaseDto, type CaseListDto } from "../../ipc";
import { errorText } from "../../errors";
import { mergeCase } from "./logic";

export interface CaseStore {
  list: CaseListDto | null;
  /** The last failure to read the list, if the last read failed. */
  error: string | null;
  reload: () => Promise<void>;
  /** A case this window changed (a claim, a close): shown before its event arrives. */
  put: (c: CaseDto) => void;
}

export function useCases(signedIn: boolean, connected: boolean | null): CaseStore {
  const [list, setList] = useState<CaseListDto | null>(null);
  const [error, setError] = useState<string | null>(null);
  const was = useRef<boolean | null>(null);

  const reload = useCallback(async () => {
    try {
      setList(await api.cases());
      setError(null);
    } catch (e) {
      setError(errorText(e));
    }
  }, []);

  const put = useCallback((c: CaseDto) => {
    setList((l) => (l ? { ...l, cases: mergeCase(l.cases, c) } : l));
  }, []);

  useEffect(() => {
    if (!signedIn) return;
    void reload();
    const unlisten = on("case-changed", put);
    return () => {
      unlisten.then((f) => f());
    };
  }, [signedIn, reload, put]);

  // Connected again: what changed meanwhile. Cut off: the list read again is the stored
  // copy, marked as possibly out of date.
  useEffect(() => {
    if (!signedIn || connected === null) return;
    if (was.current !== null && was.current !== connected) void reload();
    was.current = connected;
  }, [signedIn, connected, reload]);

  return { list, error, reload, put };
}
