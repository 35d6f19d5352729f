/**
 * Who started the running recording. The state says only that one runs and since when
 * (`recordingStartedAt`), not who started it; so whoever starts one says so to the others with an
 * `event` (its sender is set by the server, its `startedAt` ties it to that recording). It is the
 * starter's own word: someone who came in after it started (or reloaded the page) did not hear it
 * and sees no name; two people pressing Record at the same moment both say so, and both names are
 * shown.
 */
import { useEffect, useRef, useState } from "react";
import type { JamSession, JamState, JsonValue } from "@jam/client";
import { useLatest } from "./useJamSession";

export const RECORDING_STARTED = "recording:started";

/** How far the server's start may lie from this page's estimate of the server time at the click. */
const CLOCK_SLACK_MS = 1000;
/** A start later than this after our click is someone else's (ours was refused or lost). */
const ANSWERED_WITHIN_MS = 5000;

export interface RecordingStarter {
  /** Who started the running recording, by their own word ("you" for this page); undefined when unknown. */
  startedBy: string | undefined;
  /** Asks the server to start recording; once it has, tells the others who did. */
  start(): void;
}

interface Claims {
  startedAt: number;
  names: string[];
}

function withClaim(claims: Claims | undefined, startedAt: number, name: string): Claims {
  if (claims?.startedAt !== startedAt) return { startedAt, names: [name] };
  return claims.names.includes(name) ? claims : { startedAt, names: [...claims.names, name] };
}

function startedAtOf(payload: JsonValue | undefined): number | undefined {
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) return undefined;
  const { startedAt } = payload;
  return typeof startedAt === "number" ? startedAt : undefined;
}

export function useRecordingStarter(session: JamSession, state: JamState): RecordingStarter {
  const latest = useLatest(state);
  const [claims, setClaims] = useState<Claims>();
  /** The server time at which this page last asked to start, until the state answers. */
  const askedAt = useRef<number>(undefined);

  useEffect(
    () =>
      session.on("event", ({ eventName, payload, senderId }) => {
        const startedAt = startedAtOf(payload);
        const name = latest.current.participants.get(senderId)?.name;
        if (eventName === RECORDING_STARTED && startedAt !== undefined && name !== undefined) {
          setClaims((before) => withClaim(before, startedAt, name));
        }
      }),
    [session, latest],
  );

  const { recording, recordingStartedAt } = state;
  useEffect(() => {
    const asked = askedAt.current;
    if (!recording || asked === undefined) return;
    askedAt.current = undefined;
    if (recordingStartedAt < asked - CLOCK_SLACK_MS || recordingStartedAt > asked + ANSWERED_WITHIN_MS) return;
    session.event(RECORDING_STARTED, { startedAt: recordingStartedAt });
    setClaims((before) => withClaim(before, recordingStartedAt, "you"));
  }, [session, recording, recordingStartedAt]);

  const start = () => {
    if (session.record(true)) askedAt.current = session.serverNow();
  };
  const names = recording && claims?.startedAt === recordingStartedAt ? claims.names : [];
  return { startedBy: names.length > 0 ? names.join(" or ") : undefined, start };
}
