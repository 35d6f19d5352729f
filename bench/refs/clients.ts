/**
 * Minimal clients of the reference relays in the shared bench folder (../shared/bench), loaded from
 * that folder's own node_modules so this project does not depend on `ws` or `socket.io-client`.
 * Their wire protocol is the one baseline-ws.js and baseline-socketio.js speak.
 */
import { createRequire } from "node:module";
import { join } from "node:path";

interface WsSocket {
  once(event: "open", listener: () => void): void;
  once(event: "error", listener: (error: Error) => void): void;
  on(event: "message", listener: (data: Buffer) => void): void;
  send(data: string): void;
  close(): void;
}
type WsConstructor = new (url: string, options: { perMessageDeflate: boolean }) => WsSocket;

interface IoSocket {
  once(event: "connect", listener: () => void): void;
  once(event: "connect_error", listener: (error: Error) => void): void;
  emit(event: string, payload: unknown, ack: (reply: unknown) => void): void;
  close(): void;
}
type IoFactory = (url: string, options: { transports: string[]; forceNew: boolean; reconnection: boolean }) => IoSocket;

/** One connection that has joined a room of a reference relay. */
export interface RefConnection {
  close(): void;
}

export type RefJoin = (url: string, roomKey: string) => Promise<RefConnection>;

export function refJoiner(refDir: string, target: "ws" | "socketio"): RefJoin {
  const load = createRequire(join(refDir, "package.json"));
  if (target === "ws") {
    const WebSocket = load("ws") as WsConstructor;
    return async (url, roomKey) => {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      await new Promise<void>((ok, ko) => {
        ws.once("open", ok);
        ws.once("error", ko);
      });
      await new Promise<void>((ok) => {
        ws.on("message", (data) => {
          const message = JSON.parse(data.toString()) as { t?: string };
          if (message.t === "joined") ok();
        });
        ws.send(JSON.stringify({ t: "join", room: roomKey }));
      });
      return { close: () => ws.close() };
    };
  }
  const { io } = load("socket.io-client") as { io: IoFactory };
  return async (url, roomKey) => {
    const socket = io(url, { transports: ["websocket"], forceNew: true, reconnection: false });
    await new Promise<void>((ok, ko) => {
      socket.once("connect", ok);
      socket.once("connect_error", ko);
    });
    await new Promise<void>((ok) => socket.emit("session:join", { roomCode: roomKey }, () => ok()));
    return { close: () => socket.close() };
  };
}
