/**
 * The crash scenario's figures from what its musicians saw: how long each took to be back in its
 * jam after the kill, which edits the reopened jams kept, and whether each jam played on.
 *
 * An edit is judged against the state its sender received when it was back. Each musician alone
 * edits its own track and every edit of one step carries a note that step never had before, so the
 * state names exactly which edit of the step it holds. An edit is lost when the state holds an
 * earlier edit of its step (or none): lost edits applied more than SAVE_DELAY_MS before the kill
 * break the promise; lost edits of the last window are allowed.
 */
import type { CrashSession, TransportSnapshot } from "./results";
import { round, summarize, type Summary } from "./stats";

export interface CrashEdits {
  /** setSteps sent while connected. */
  sent: number;
  /** … that their sender saw applied before the drop. */
  applied: number;
  /** … of those, applied more than SAVE_DELAY_MS before the kill: each must be in the reopened state. */
  appliedBeforeWindow: number;
  /** Applied before the window and not in the reopened state (target 0). */
  violations: number;
  /** Applied within the last SAVE_DELAY_MS before the kill. */
  appliedInWindow: number;
  /** … of those, not in the reopened state (allowed). */
  lostInWindow: number;
  /** Sent but not seen applied before the drop (in flight at the kill). */
  unconfirmed: number;
  /** … of those, in the reopened state all the same (the server had applied and saved them). */
  unconfirmedKept: number;
}

export interface CrashCaseFigures {
  name: string;
  /** How the servers ran and how clients reached them. */
  setup: string;
  jams: number;
  sessions: number;
  saveDelayMs: number;
  /** Seconds from the SIGKILL until each session was connected in its jam with the state received. */
  recoveryS: Summary;
  back: number;
  /** Sessions back within the deployment's recovery target. */
  backWithinTarget: number;
  /** Sessions with a reconnection refused 4214 (their jam had been opened again under the same code), and the latest of the others. */
  refused: number;
  othersMaxS: number;
  /** Sessions whose status ended `disconnected` (gave up): target 0. */
  gaveUp: number;
  /** Sessions neither back nor given up when the scenario ended. */
  missing: number;
  firstGiveUp?: string;
  /** Seconds from the kill until each session that reopened began to (its reconnection attempts found the room gone). */
  reopeningFromS: Summary;
  /** The musicians' matchmaking calls after the kill, by outcome. */
  calls: Record<string, number>;
  /** Back through a reopened room, and back in a room of another code (target 0). */
  reopened: number;
  wrongJam: number;
  edits: CrashEdits;
  /** Jams whose every musician came back to it playing, with the same playStartedAt and tempo. */
  jamsOnSameTimeline: number;
  /** Seconds from the kill until the killed process's port answered GET /health again (its restart). */
  restartS?: number;
  /** Two processes: seconds until the dead process's room listings left the shared driver. */
  deadListingsGoneS?: number;
  /** Two processes: seconds until the dead process's code claims were gone, the first and the last. */
  deadClaimsGoneS?: { first: number; last: number };
  /** Notes received per second, all musicians, before the kill. */
  notesPerS: number;
}

const sameTransport = (a: TransportSnapshot, b: TransportSnapshot | undefined): boolean =>
  b?.isPlaying === true && a.isPlaying && a.playStartedAt === b.playStartedAt && a.tempo === b.tempo;

/** Which edit of each step the session's reopened state holds: its index in `edits`, -1 for none. */
function heldEdits(session: CrashSession): Map<number, number> {
  const held = new Map<number, number>();
  const cells = session.after?.cells;
  session.edits.forEach(([step, note], index) => {
    const cell = cells?.[step];
    if (cell?.[0] === true && cell[1] === note) held.set(step, index);
  });
  return held;
}

export function judgeEdits(sessions: readonly CrashSession[], killAt: number, saveDelayMs: number): CrashEdits {
  const edits: CrashEdits = {
    sent: 0,
    applied: 0,
    appliedBeforeWindow: 0,
    violations: 0,
    appliedInWindow: 0,
    lostInWindow: 0,
    unconfirmed: 0,
    unconfirmedKept: 0,
  };
  for (const session of sessions) {
    // Only a session that is back has a state to judge by; one that is not is counted elsewhere.
    if (session.after === undefined) continue;
    const held = heldEdits(session);
    session.edits.forEach(([step, , , appliedAt], index) => {
      const kept = index <= (held.get(step) ?? -1);
      edits.sent++;
      if (appliedAt === 0) {
        edits.unconfirmed++;
        if (kept) edits.unconfirmedKept++;
        return;
      }
      edits.applied++;
      if (appliedAt <= killAt - saveDelayMs) {
        edits.appliedBeforeWindow++;
        if (!kept) edits.violations++;
      } else {
        edits.appliedInWindow++;
        if (!kept) edits.lostInWindow++;
      }
    });
  }
  return edits;
}

export interface CrashRun {
  name: string;
  targetS: number;
  setup: string;
  sessions: CrashSession[];
  killAt: number;
  saveDelayMs: number;
  notesReceived: number;
  steadyMs: number;
  calls: Record<string, number>;
}

export function crashFigures(run: CrashRun): CrashCaseFigures {
  const { sessions, killAt } = run;
  const back = sessions.filter((s) => s.backAt !== undefined);
  const recoveryS = (s: CrashSession): number => ((s.backAt ?? killAt) - killAt) / 1000;
  const gaveUp = sessions.filter((s) => s.backAt === undefined && s.gaveUp !== undefined);
  const jams = new Map<number, CrashSession[]>();
  for (const session of sessions) jams.set(session.jam, [...(jams.get(session.jam) ?? []), session]);
  let jamsOnSameTimeline = 0;
  for (const members of jams.values()) if (members.every((m) => sameTransport(m.before, m.after))) jamsOnSameTimeline++;
  return {
    name: run.name,
    setup: run.setup,
    jams: jams.size,
    sessions: sessions.length,
    saveDelayMs: run.saveDelayMs,
    recoveryS: summarize(back.map(recoveryS)),
    reopeningFromS: summarize(sessions.flatMap((s) => (s.reopeningAt === undefined ? [] : [(s.reopeningAt - killAt) / 1000]))),
    calls: run.calls,
    back: back.length,
    backWithinTarget: back.filter((s) => recoveryS(s) <= run.targetS).length,
    refused: sessions.filter((s) => s.reconnectionRefused === true).length,
    othersMaxS: round(Math.max(0, ...back.filter((s) => s.reconnectionRefused !== true).map(recoveryS))),
    gaveUp: gaveUp.length,
    missing: sessions.length - back.length - gaveUp.length,
    ...(gaveUp[0]?.gaveUp !== undefined && { firstGiveUp: gaveUp[0].gaveUp }),
    reopened: back.filter((s) => s.reopened === true).length,
    wrongJam: back.filter((s) => s.after?.code !== s.code).length,
    edits: judgeEdits(sessions, killAt, run.saveDelayMs),
    jamsOnSameTimeline,
    notesPerS: run.steadyMs > 0 ? round(run.notesReceived / (run.steadyMs / 1000), 0) : 0,
  };
}
