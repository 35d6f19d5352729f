/**
 * What README's nginx `upstream` does in front of several processes, for the bench's musicians:
 * each new connection goes to the next process in turn, and to the one after it when that one
 * refuses (a process that was killed and is not back yet). Only matchmaking and HTTP pass through
 * it: a room's WebSocket goes straight to its own process (`PUBLIC_ADDRESS`).
 */
import { connect, createServer, type Server, type Socket } from "node:net";

export class TcpFront {
  private next = 0;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** Listens on 127.0.0.1:`port`, forwarding to `upstreamPorts` on 127.0.0.1. */
  static listen(port: number, upstreamPorts: readonly number[]): Promise<TcpFront> {
    const server = createServer();
    const front = new TcpFront(server, port);
    server.on("connection", (socket) => front.forward(socket, upstreamPorts));
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve(front));
    });
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  close(): void {
    this.server.close();
    for (const socket of this.sockets) socket.destroy();
  }

  private forward(client: Socket, upstreamPorts: readonly number[]): void {
    this.track(client);
    client.pause();
    let upstream: Socket | undefined;
    client.on("error", () => upstream?.destroy());
    client.on("close", () => upstream?.destroy());
    const first = this.next++ % upstreamPorts.length;
    const tryUpstream = (tried: number): void => {
      if (tried === upstreamPorts.length || client.destroyed) {
        client.destroy();
        return;
      }
      const candidate = connect({ host: "127.0.0.1", port: upstreamPorts[(first + tried) % upstreamPorts.length] });
      candidate.once("error", () => tryUpstream(tried + 1));
      candidate.once("connect", () => {
        candidate.removeAllListeners("error");
        upstream = candidate;
        this.track(candidate);
        candidate.on("error", () => client.destroy());
        candidate.on("close", () => client.destroy());
        client.pipe(candidate).pipe(client);
        client.resume();
      });
    };
    tryUpstream(0);
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.once("close", () => this.sockets.delete(socket));
  }
}
