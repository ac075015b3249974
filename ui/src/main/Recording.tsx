// A call's recording, played in the app: «Прослушать» until asked, then the player.
import { useState } from "preact/hooks";
import type { CallDto } from "../ipc";
import { t } from "../i18n";

export function Recording({ call }: { call: Pick<CallDto, "recordings"> }) {
  const [playing, setPlaying] = useState(false);
  if (call.recordings.length === 0) return <span class="muted">{t("history.no_recording")}</span>;
  return playing ? (
    <audio controls autoPlay src={call.recordings[call.recordings.length - 1]} data-testid="recording-audio" />
  ) : (
    <button type="button" class="small" data-testid="play" onClick={() => setPlaying(true)}>
      ▶ {t("history.play")}
    </button>
  );
}
