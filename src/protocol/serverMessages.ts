/** Server → client messages of the contract, as clients receive them. */
import type { JsonValue } from "../rules/jsonValue";
import type { MessageErrorCode } from "./codes";

export interface RelayedNote {
  note: number;
  velocity: number;
  on: boolean;
  step?: number;
  at?: number;
  seq?: number;
  senderId: string;
  instrument: string;
}

export interface RelayedEvent {
  eventName: string;
  payload?: JsonValue;
  senderId: string;
}

export interface ChatLine {
  senderId: string;
  name: string;
  text: string;
  /** Server time (ms since epoch) the server accepted the line. */
  at: number;
}

export interface RelayedSignal {
  from: string;
  kind: "offer" | "answer" | "ice";
  data?: JsonValue;
}

export interface Pong {
  t: number;
  serverTime: number;
}

export interface ErrorReply {
  code: MessageErrorCode;
  message: string;
  type?: string;
}

export interface ServerRestart {
  reconnectInMs: number;
}

export interface ServerMessages {
  note: RelayedNote;
  event: RelayedEvent;
  chat: ChatLine;
  signal: RelayedSignal;
  pong: Pong;
  error: ErrorReply;
  "server-restart": ServerRestart;
}

export type ServerMessageType = keyof ServerMessages;

/** Every server → client message type at run time, e.g. so a client listens to each. */
export const SERVER_MESSAGE_TYPES = Object.keys({
  note: true,
  event: true,
  chat: true,
  signal: true,
  pong: true,
  error: true,
  "server-restart": true,
} satisfies Record<ServerMessageType, true>) as ServerMessageType[];
