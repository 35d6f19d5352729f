/**
 * A server room's patch ticks (Colyseus' `broadcastPatch`, which the patch scheduler calls), counted,
 * and a wait for the end of the next one. @colyseus/testing's `waitForNextPatch` settles from a
 * timer that reads the current waiter when it fires, so a patch that ran before a wait began could
 * settle it; this one resolves only at a tick that starts after the call.
 */
export interface PatchTicks {
  /** Ticks since the room was watched. */
  count: () => number;
  /** Resolves at the end of the next tick. */
  next: () => Promise<void>;
}

export function watchPatchTicks(room: { broadcastPatch(): boolean }): PatchTicks {
  let count = 0;
  const waiting: (() => void)[] = [];
  const patch = room.broadcastPatch.bind(room);
  room.broadcastPatch = () => {
    count++;
    const sent = patch();
    for (const resolve of waiting.splice(0)) resolve();
    return sent;
  };
  return { count: () => count, next: () => new Promise((resolve) => waiting.push(resolve)) };
}
