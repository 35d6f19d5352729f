import { useEffect, useState } from "react";
import type { JamSession, SyncQuality as Quality } from "@jam/client";

/** How the error is shown: tenths under 10 ms, whole ms above (rounded up: never better than it is). */
function formatError(errorMs: number): string {
  return errorMs < 10 ? `${Math.ceil(errorMs * 10) / 10}` : `${Math.ceil(errorMs)}`;
}

/**
 * How well this page's clock agrees with the server's: "in sync ±1.2 ms" (the clock's own error
 * figure, grown with its age, redrawn every second), "syncing…" before the first estimate. Coming
 * back to the page (a background tab's timers were held back) asks the clock for a fresh burst.
 */
export function SyncQuality({ session }: { session: JamSession }) {
  const [quality, setQuality] = useState<Quality | null>(() => session.clock.quality);
  useEffect(() => {
    const read = () => setQuality(session.clock.quality);
    const stop = session.clock.onSync(read);
    const timer = setInterval(read, 1000);
    const onVisible = () => {
      if (document.visibilityState === "visible") session.clock.resync();
    };
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      stop();
      clearInterval(timer);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, [session]);
  if (quality === null) return <span className="badge muted">syncing…</span>;
  const detail = `round trip ${quality.rttMs.toFixed(1)} ms, clock rate ${quality.skewPpm.toFixed(0)} ppm, ${quality.samples} samples`;
  return (
    <span className="badge sync" title={detail}>
      in sync ±{formatError(quality.errorMs)} ms
    </span>
  );
}
