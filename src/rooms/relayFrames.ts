/**
 * A relayed message is framed once for all its recipients. ws frames every `send` on its own (a
 * header buffer, an options object and a two-buffer writev per recipient); a note goes to up to
 * nine sockets, so the server writes the same WebSocket frame — FIN, binary, unmasked, exactly the
 * bytes ws would write for it — to each recipient's socket itself. That is only what ws would do
 * when ws would write at once: the connection open and its sender idle (nothing queued behind a
 * compression or a Blob read). Anything else, or a ws whose internals are not the expected shape,
 * goes through ws as before.
 */
import { ClientState, Protocol, type Client } from "@colyseus/core";
import { Packr } from "@colyseus/msgpackr";
import { encode } from "@colyseus/schema";
import type { Corkable } from "./writeCoalescer";

/** What the relay writes to: a net.Socket's cork and uncork (held to the end of the turn), and write. */
export interface FrameSocket extends Corkable {
  write(chunk: Uint8Array): boolean;
}

/** ws's WebSocket.OPEN and its Sender's idle state (ws/lib/constants.js, ws/lib/sender.js). */
const WS_OPEN = 1;
const SENDER_IDLE = 0;
const FIN_BINARY = 0x82;
/**
 * Read once: @colyseus/core's exports are getters (two deep for these), and the relay asks for
 * them for every recipient of every note.
 */
const JOINED = ClientState.JOINED;
const ROOM_DATA = Protocol.ROOM_DATA;

/** Colyseus' own encoder options (its Protocol.ts), so clients decode exactly the bytes it would send. */
const packr = new Packr({ useRecords: false });
/** Per message type: the ROOM_DATA code and the type as Colyseus encodes it, the start of every such message. */
const messagePrefixes = new Map<string, Buffer>();

function messagePrefix(type: string): Buffer {
  let prefix = messagePrefixes.get(type);
  if (prefix === undefined) {
    const bytes = Buffer.alloc(1 + 5 + Buffer.byteLength(type));
    const it = { offset: 1 };
    bytes[0] = ROOM_DATA;
    encode.string(bytes, type, it);
    prefix = Buffer.from(bytes.subarray(0, it.offset));
    messagePrefixes.set(type, prefix);
  }
  return prefix;
}

const headerLengthOf = (length: number): number => (length < 126 ? 2 : length < 65536 ? 4 : 10);

/** Writes the header of an unmasked, final, binary WebSocket frame (RFC 6455 §5.2) of `length` bytes. */
function writeFrameHeader(frame: Buffer, length: number): void {
  frame[0] = FIN_BINARY;
  if (length < 126) {
    frame[1] = length;
  } else if (length < 65536) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt16BE(0, 2);
    frame.writeUIntBE(length, 4, 6);
  }
}

/**
 * A room message of `type` as the frame a client receives: the bytes Colyseus' `broadcast` would
 * send (`getMessageBytes.raw`) in the frame ws would write for them, encoded straight into the
 * frame (Colyseus' encoder copies its bytes out once more and reads `process.env` every time).
 */
export function roomMessageFrame(type: string, message: object): Buffer {
  const prefix = messagePrefix(type);
  const payload = packr.pack(message);
  const length = prefix.length + payload.length;
  const header = headerLengthOf(length);
  const frame = Buffer.allocUnsafe(header + length);
  writeFrameHeader(frame, length);
  frame.set(prefix, header);
  frame.set(payload, header + prefix.length);
  return frame;
}

/** The message a frame carries, for a recipient it goes to through Colyseus (it frames it again). */
export function messageOf(frame: Buffer): Buffer {
  const marker = frame[1] ?? 0;
  return frame.subarray(marker < 126 ? 2 : marker === 126 ? 4 : 10);
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;

function isFrameSocket(value: unknown): value is FrameSocket {
  return isObject(value) && typeof value.cork === "function" && typeof value.uncork === "function" && typeof value.write === "function";
}

/**
 * The socket a frame for `client` may be written to directly right now, or undefined when it must
 * go through ws (joining clients are queued by Colyseus, closed ones dropped by ws).
 */
export function directSocketOf(client: Client): FrameSocket | undefined {
  if (client.state !== JOINED) return undefined;
  const ws: unknown = client.ref;
  if (!isObject(ws) || ws.readyState !== WS_OPEN) return undefined;
  const sender = ws._sender;
  if (!isObject(sender) || sender._state !== SENDER_IDLE || !Array.isArray(sender._queue) || sender._queue.length !== 0) return undefined;
  const socket = ws._socket;
  return isFrameSocket(socket) ? socket : undefined;
}
