/**
 * One jam session for the whole app: create or join, then re-render on every state patch and
 * status change. Components read `state` (the synced state) and send through `session`.
 */
import { useCallback, useEffect, useReducer, useRef, useState } from "react";
import type { ConnectHooks, ConnectionStatus, JamClient, JamSession, JamState, StatusDetail } from "@jam/client";
import { unlockAudio } from "./audio";
import { rememberPlayed } from "./playedJams";
import { describeError } from "./words";

export interface Profile {
  name: string;
  instrument: string;
}

/** Who joins: a musician, or with `listener` someone who follows the jam without playing. */
export type JoinProfile = Profile & { listener?: boolean };

export interface Jam {
  session: JamSession | undefined;
  /**
   * The newest fully synced state. Not `session.state`: while a reconnection attempt waits for
   * its first full state, `session.state` is the new Room's not yet decoded one (fields missing);
   * `onStateChange` only ever hands over complete states, so this keeps the last one until then.
   */
  state: JamState | undefined;
  status: ConnectionStatus;
  /** Why the status last changed (e.g. `reason` once disconnected). */
  detail: StatusDetail | undefined;
  /** The last create/join failure, in plain words. */
  error: string | undefined;
  busy: boolean;
  /** Resolve with the session, or undefined when refused (see `error`). */
  create(profile: Profile): Promise<JamSession | undefined>;
  join(code: string, profile: JoinProfile): Promise<JamSession | undefined>;
  /** Joins the code's room, or opens its saved jam again when nobody has it open (a listener only joins). */
  open(code: string, profile: JoinProfile): Promise<JamSession | undefined>;
  /** A new jam copied from the jam with `code`; the current one is left once the new one is open. */
  remix(code: string, profile: Profile): Promise<JamSession | undefined>;
  leave(): void;
}

export function useJamSession(client: JamClient): Jam {
  const [session, setSession] = useState<JamSession>();
  const [state, setState] = useState<JamState>();
  const [status, setStatus] = useState<ConnectionStatus>("disconnected");
  const [detail, setDetail] = useState<StatusDetail>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  // The state is patched in place: a new object only after a reconnection.
  const [, redraw] = useReducer((n: number) => n + 1, 0);
  const current = useRef<JamSession>(undefined);

  /**
   * `leaveFirst`: leave the current session before connecting (joining a room as a name it already
   * holds would be refused); otherwise it stays until the new one is open, so a refusal leaves the
   * musician where they were.
   */
  const open = useCallback(async (connect: (hooks: ConnectHooks) => Promise<JamSession>, leaveFirst = true) => {
    unlockAudio(); // still inside the click that asked to create or join
    const previous = current.current;
    if (leaveFirst) {
      void previous?.leave();
      current.current = undefined;
    }
    setBusy(true);
    setError(undefined);
    let opened: JamSession | undefined;
    const onStatus = (next: ConnectionStatus, why: StatusDetail) => {
      // Only the newest session speaks for the app; while connecting, only when no other is current.
      if (opened !== current.current) return;
      setStatus(next);
      setDetail(why);
      // Back in after a deploy or a crash: the jam's save time moved on.
      if (next === "connected" && opened !== undefined) rememberPlayed(opened.code);
    };
    try {
      opened = await connect({ onStatus });
      current.current = opened;
      if (!leaveFirst) void previous?.leave();
      rememberPlayed(opened.code);
      setSession(opened);
      setState(opened.state);
      setStatus(opened.status);
      return opened;
    } catch (failure) {
      setError(describeError(failure));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);

  const create = useCallback((profile: Profile) => open((hooks) => client.create(profile, hooks)), [client, open]);
  const join = useCallback((code: string, profile: JoinProfile) => open((hooks) => client.join(code, profile, hooks)), [client, open]);
  const openSaved = useCallback((code: string, profile: JoinProfile) => open((hooks) => client.open(code, profile, hooks)), [client, open]);
  const remix = useCallback(
    (code: string, profile: Profile) => open((hooks) => client.create({ ...profile, remixOf: code }, hooks), false),
    [client, open],
  );
  const leave = useCallback(() => {
    void current.current?.leave();
    current.current = undefined;
    setSession(undefined);
    setState(undefined);
    setStatus("disconnected");
    setDetail(undefined);
  }, []);

  useEffect(() => {
    if (session === undefined) return;
    const stopWatching = session.onStateChange((next) => {
      setState(next);
      redraw();
    });
    // Closing the tab leaves for good, so the others see it at once (no reconnection grace).
    const onPageHide = () => void session.leave();
    window.addEventListener("pagehide", onPageHide);
    return () => {
      stopWatching();
      window.removeEventListener("pagehide", onPageHide);
    };
  }, [session]);

  return { session, state, status, detail, error, busy, create, join, open: openSaved, remix, leave };
}

/** A ref that always holds the latest render's `value`: for timers and listeners set up once. */
export function useLatest<T>(value: T): { readonly current: T } {
  const ref = useRef(value);
  useEffect(() => {
    ref.current = value;
  });
  return ref;
}
