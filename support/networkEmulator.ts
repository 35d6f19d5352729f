/**
 * A userspace TCP proxy that makes loopback look like a real link, for tests and benchmarks:
 * a delay with jitter per direction (so a route can be asymmetric), order kept as TCP keeps it
 * (a chunk never overtakes the one before it), and stalls (everything frozen for a while, then
 * delivered). `tc netem` and toxiproxy are not available on these machines; this needs nothing.
 */
import { type AddressInfo, createServer, connect, type Server, type Socket } from "node:net";

export { seededRandom } from "./seededRandom";

/** One direction of a link: each chunk waits `delayMs` ± `jitterMs` (uniform). */
export interface LinkShape {
  delayMs: number;
  jitterMs: number;
}

export interface NetworkEmulatorOptions {
  /** Where the proxy forwards to. */
  target: { host: string; port: number };
  /** Client → server. */
  up: LinkShape;
  /** Server → client. */
  down: LinkShape;
  /** 0 (the default): any free port. */
  port?: number;
  /** [0, 1): a seeded generator makes a run repeatable. */
  random?: () => number;
}

/** Carries one direction of one connection: delayed, in order, held while the link stalls. */
class Direction {
  /** Chunks on their way, oldest first, each with the time it is due. */
  private readonly queue: { chunk: Buffer; due: number }[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private ended = false;

  constructor(
    private readonly to: Socket,
    private readonly shape: () => LinkShape,
    private readonly random: () => number,
    private readonly stalledUntil: () => number,
  ) {}

  carry(chunk: Buffer): void {
    const { delayMs, jitterMs } = this.shape();
    const sampled = performance.now() + delayMs + jitterMs * (2 * this.random() - 1);
    // Never before the chunk ahead of it: TCP delivers in order.
    this.queue.push({ chunk, due: Math.max(sampled, this.queue.at(-1)?.due ?? 0) });
    this.pump();
  }

  /** The sender closed its side: close ours once everything before it is delivered. */
  end(): void {
    this.ended = true;
    this.pump();
  }

  /** Delivers what is due (unless the link stalls), then waits for the next chunk's time. */
  private readonly pump = (): void => {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const now = performance.now();
    const stallEnds = this.stalledUntil();
    if (stallEnds <= now) {
      while (this.queue.length > 0 && (this.queue[0]?.due ?? 0) <= now) {
        const head = this.queue.shift();
        if (head !== undefined && !this.to.destroyed) this.to.write(head.chunk);
      }
    }
    const head = this.queue[0];
    if (head === undefined) {
      if (this.ended) this.to.end();
      return;
    }
    this.timer = setTimeout(this.pump, Math.max(0, Math.max(head.due, stallEnds) - now));
  };

  /** A stall began: whatever waits is held past its end. */
  restall(): void {
    if (this.queue.length > 0) this.pump();
  }

  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

export class NetworkEmulator {
  private readonly sockets = new Set<Socket>();
  private readonly directions = new Set<Direction>();
  private stallEndsAt = 0;
  private up: LinkShape;
  private down: LinkShape;

  private constructor(
    private readonly server: Server,
    options: NetworkEmulatorOptions,
  ) {
    this.up = options.up;
    this.down = options.down;
  }

  static async start(options: NetworkEmulatorOptions): Promise<NetworkEmulator> {
    const random = options.random ?? Math.random;
    const server = createServer();
    const emulator = new NetworkEmulator(server, options);
    server.on("connection", (client) => emulator.accept(client, options.target, random));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, "127.0.0.1", resolve);
    });
    return emulator;
  }

  /** The port clients connect to instead of the target's. */
  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Changes the link's shape from now on (chunks already on their way keep their time). */
  reshape(shape: { up?: LinkShape; down?: LinkShape }): void {
    this.up = shape.up ?? this.up;
    this.down = shape.down ?? this.down;
  }

  /** Freezes both directions for `ms` from now: nothing is delivered until then, then all of it, in order. */
  stall(ms: number): void {
    this.stallEndsAt = Math.max(this.stallEndsAt, performance.now() + ms);
    for (const direction of this.directions) direction.restall();
  }

  /** Stops accepting and cuts every connection it carries. */
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    for (const direction of this.directions) direction.stop();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket, target: { host: string; port: number }, random: () => number): void {
    const server = connect(target.port, target.host);
    for (const socket of [client, server]) {
      socket.setNoDelay(true);
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
      // A reset on one side ends the other: the emulated link carries what TCP would, no more.
      socket.on("error", () => {
        client.destroy();
        server.destroy();
      });
    }
    const stalledUntil = () => this.stallEndsAt;
    const up = new Direction(server, () => this.up, random, stalledUntil);
    const down = new Direction(client, () => this.down, random, stalledUntil);
    this.directions.add(up);
    this.directions.add(down);
    // A direction ends with the socket it writes to.
    server.on("close", () => {
      up.stop();
      this.directions.delete(up);
    });
    client.on("close", () => {
      down.stop();
      this.directions.delete(down);
    });
    client.on("data", (chunk: Buffer) => up.carry(chunk));
    server.on("data", (chunk: Buffer) => down.carry(chunk));
    client.on("end", () => up.end());
    server.on("end", () => down.end());
  }
}
