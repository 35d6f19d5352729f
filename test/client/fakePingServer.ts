/** A server answering pings on fake time, for the client clock's tests. */
import type { PingChannel, Pong } from "../../client/src";
import type { FakeTime } from "./fakeTime";

/** One ping's way there and back, ms; null: lost. */
export type Trip = { out: number; back: number } | null;

export class FakePingServer implements PingChannel {
  /** The `t` of every ping sent, in order. */
  readonly pings: number[] = [];
  /** Whether pings can be sent (false: not connected). */
  connected = true;
  private readonly listeners = new Set<(pong: Pong) => void>();

  /**
   * `serverTime(local)`: the server's clock when the client's reads `local` (an offset, a skew, a
   * jump); `trip(i)`: the i-th ping's way there and back.
   */
  constructor(
    private readonly time: FakeTime,
    private readonly serverTime: (local: number) => number,
    private readonly trip: (i: number) => Trip,
  ) {}

  sendPing(t: number): boolean {
    if (!this.connected) return false;
    const i = this.pings.push(t) - 1;
    const trip = this.trip(i);
    if (trip === null) return true;
    this.time.setTimeout(() => {
      const serverTime = this.serverTime(this.time.now());
      this.time.setTimeout(() => this.deliver({ t, serverTime }), trip.back);
    }, trip.out);
    return true;
  }

  deliver(pong: Pong): void {
    for (const listener of Array.from(this.listeners)) listener(pong);
  }

  onPong(listener: (pong: Pong) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
