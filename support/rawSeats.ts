/**
 * Matchmaking and WebSockets without colyseus.js: seats reserved over plain HTTP (as a script would)
 * and connections that misbehave on purpose — never acknowledge the join, or never read.
 */
import type { Socket } from "node:net";
import WebSocket from "ws";

/** Protocol.JOIN_ROOM: the server's first frame, and the one-byte answer that finishes a join. */
export const JOIN_ROOM = 10;

export interface Seat {
  sessionId: string;
  room: { roomId: string; processId: string };
}

/** `POST /matchmake/<method>/<target>` with a JSON body; resolves with the HTTP status and parsed answer. */
export async function matchmake(
  httpUrl: string,
  method: string,
  target: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; answer: unknown }> {
  const response = await fetch(`${httpUrl}/matchmake/${method}/${target}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, answer: text === "" ? undefined : (JSON.parse(text) as unknown) };
}

/** A seat in room `code`, reserved over HTTP and not (yet) used; throws when matchmaking refused it. */
export async function reserveSeat(httpUrl: string, code: string, options: Record<string, unknown> = {}): Promise<Seat> {
  const { answer } = await matchmake(httpUrl, "joinById", code, options);
  const seat = answer as Partial<Seat> & { error?: string };
  if (seat.sessionId === undefined || seat.room === undefined) throw new Error(`no seat: ${JSON.stringify(answer)}`);
  return seat as Seat;
}

export interface RawConnection {
  ws: WebSocket;
  /** Resolves with the close code the client saw. */
  closed: Promise<number>;
}

/**
 * Connects to a reserved seat. `acknowledge: false` never answers the join handshake (a half-joined
 * client); otherwise it answers like colyseus.js. Resolves once the server's JOIN_ROOM arrived.
 */
export function connectSeat(
  wsUrl: string,
  seat: Seat,
  { acknowledge, answerPings = true }: { acknowledge: boolean; answerPings?: boolean },
): Promise<RawConnection> {
  const ws = new WebSocket(`${wsUrl}/${seat.room.processId}/${seat.room.roomId}?sessionId=${seat.sessionId}`, { autoPong: answerPings });
  const closed = new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    ws.once("error", reject);
    ws.once("message", (data: Buffer) => {
      if (data[0] !== JOIN_ROOM) return reject(new Error(`first frame was ${data[0]}, not JOIN_ROOM`));
      if (acknowledge) ws.send(Uint8Array.of(JOIN_ROOM));
      resolve({ ws, closed });
    });
  });
}

/**
 * Stops reading the connection's socket (what the server sends piles up in the kernel, then in the
 * server) but keeps sending unsolicited pongs, which the transport takes as signs of life: the
 * server's ping timeout never ends such a connection. Returns a function that stops the pongs.
 */
export function neverRead(ws: WebSocket, pongEveryMs = 500): () => void {
  const socket = (ws as unknown as { _socket?: Socket })._socket;
  if (socket === undefined) throw new Error("the WebSocket has no socket yet");
  socket.pause();
  const timer = setInterval(() => {
    if (ws.readyState === WebSocket.OPEN) ws.pong();
  }, pongEveryMs);
  ws.once("close", () => clearInterval(timer));
  return () => clearInterval(timer);
}
