/**
 * What the musicians' sessions asked of the servers while they came back, and what they were
 * answered: each `reconnect`, `create` (opening the jam again) and `joinById` of the colyseus.js
 * client under a JamClient, with its outcome — "ok", or the error code (4212 gone, 4213 a remote
 * room that did not answer, 4214 token refused, 4235 already open…) or "network". Tells which step
 * held each musician back.
 */
import type { JamClient } from "../../client/src";

/** [when it was made (ms since epoch), who ("CODE/name"), call, outcome] */
export type Attempt = [number, string, string, string];

const outcomeOf = (error: unknown): string => {
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === "number" ? String(code) : "network";
};

export class AttemptLog {
  readonly attempts: Attempt[] = [];
  /** reconnection token → who, for the reconnect calls (they carry nothing else). */
  private readonly tokens = new Map<string, string>();

  constructor(client: JamClient) {
    const colyseus = client.colyseus;
    const reconnect = colyseus.reconnect.bind(colyseus);
    const create = colyseus.create.bind(colyseus);
    const joinById = colyseus.joinById.bind(colyseus);
    colyseus.reconnect = ((token: string) => this.record(this.tokens.get(token) ?? "?", "reconnect", reconnect(token))) as typeof reconnect;
    colyseus.create = ((roomName: string, options: { code?: string; name?: string } = {}) =>
      this.record(`${options.code ?? "new"}/${options.name}`, "create", create(roomName, options))) as typeof create;
    colyseus.joinById = ((code: string, options: { name?: string } = {}) =>
      this.record(`${code}/${options.name}`, "joinById", joinById(code, options))) as typeof joinById;
  }

  /** Names the musician a reconnection token belongs to (tokens change with every reconnection). */
  know(token: string, who: string): void {
    this.tokens.set(token, who);
  }

  /** How many of each call ended how, of the calls made from `since` on: { "reconnect 4213": 12, … }. */
  counts(since: number): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const [at, , call, outcome] of this.attempts) {
      if (at < since) continue;
      counts[`${call} ${outcome}`] = (counts[`${call} ${outcome}`] ?? 0) + 1;
    }
    return counts;
  }

  /**
   * When `who` first tried to open its jam again from `since` on: its first `create` with the code,
   * or its first `joinById` when the code's look-up found the jam open already (a musician calls
   * neither while it only reconnects).
   */
  firstReopening(who: string, since: number): number | undefined {
    return this.attempts.find(([at, caller, call]) => at >= since && caller === who && call !== "reconnect")?.[0];
  }

  /** Whether some `call` of `who` made from `since` on was answered `outcome`. */
  answered(who: string, call: string, outcome: string, since: number): boolean {
    return this.attempts.some(([at, caller, made, answer]) => at >= since && caller === who && made === call && answer === outcome);
  }

  private record<T>(who: string, call: string, promise: Promise<T>): Promise<T> {
    const at = Date.now();
    return promise.then(
      (value) => {
        this.attempts.push([at, who, call, "ok"]);
        return value;
      },
      (error: unknown) => {
        this.attempts.push([at, who, call, outcomeOf(error)]);
        throw error;
      },
    );
  }
}
