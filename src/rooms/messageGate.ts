/**
 * What stands between a client's message and its handler: the sender's rate budget for that kind
 * of message, what a listener may send, the payload's validator, and the `error` answers (counted,
 * and logged at most once a second per room). A room hands it one handler per message type; a type without one does not
 * compile.
 */
import type { Client } from "@colyseus/core";
import { RATE_CATEGORY_OF, type RateCategory } from "../config/rateLimits";
import type { Settings } from "../config/settings";
import type { Logger } from "../logger";
import { LogSampler } from "../observability/logSampler";
import type { JamMetrics } from "../observability/metrics";
import { MessageError, type MessageErrorCode } from "../protocol/codes";
import { isMessageType, parseMessage, type ClientMessage, type MessageSchemas, type MessageType } from "../protocol/messages";
import { ClientLimiter } from "../rules/clientLimiter";
import type { Refusal } from "../rules/refusal";
import { listenerRefusal } from "../rules/roles";
import { send } from "./outbox";

/**
 * A message's handler, given the room it came to: one table serves every room of a kind (a table of
 * closures made for each room cost every room about 2 KiB).
 */
export type Handler<R, T extends MessageType> = (room: R, client: Client, message: ClientMessage<T>) => void;
export type Handlers<R> = { [T in MessageType]: Handler<R, T> };

/** How the gate hears every message a room receives: the room's `onEveryMessage` (ColyseusRoom.ts). */
export type ListenToAll = (listener: (client: Client, type: string, payload: unknown) => void) => void;

export interface GateContext {
  settings: Pick<Settings, "rateLimits" | "floodPolicy" | "now">;
  metrics: JamMetrics;
  /** The room's logger and participant count, for the sampled "message rejected" lines. */
  log: () => Logger;
  participants: () => number;
  /** Whether the session joined as a listener: it may send only what `listenerRefusal` lets through. */
  isListener: (sessionId: string) => boolean;
  /** A client far over its budget for seconds on end: the room removes it. */
  onFlood: (client: Client, category: RateCategory) => void;
}

export class MessageGate {
  private readonly limiters = new Map<string, ClientLimiter<RateCategory>>();
  private readonly rejectionLog = new LogSampler(1000);

  constructor(private readonly context: GateContext) {}

  /**
   * Puts every message type behind its budget, the listener rule and its validator, and answers a
   * type the contract does not have. A listener is refused before its payload is read: what it sent
   * does not matter, only its type. One listener for every type: a handler Colyseus registers per
   * type, and wraps for a room with `onUncaughtException`, cost each room about 12 KiB.
   */
  register<R>(listen: ListenToAll, schemas: MessageSchemas, handlers: Handlers<R>, room: R): void {
    listen((client, type, payload) => {
      if (isMessageType(type)) this.receive(client, type, payload, schemas, handlers, room);
      else this.rejectUnknown(client, type);
    });
  }

  private receive<R, T extends MessageType>(
    client: Client,
    type: T,
    payload: unknown,
    schemas: MessageSchemas,
    handlers: Handlers<R>,
    room: R,
  ): void {
    if (!this.admit(client, RATE_CATEGORY_OF[type], type)) return;
    if (this.context.isListener(client.sessionId) && this.refused(client, type, listenerRefusal(type))) return;
    const parsed = parseMessage(schemas, type, payload);
    if (!parsed.ok) {
      this.reject(client, MessageError.BAD_REQUEST, type, parsed.reason);
      return;
    }
    const handler: Handler<R, T> = handlers[type];
    handler(room, client, parsed.value);
  }

  /** Budgets start when a participant or listener joins… */
  open(sessionId: string): void {
    this.limiters.set(sessionId, new ClientLimiter(this.context.settings.rateLimits, this.context.settings.floodPolicy));
  }

  /** …and end when it is removed: what its socket still had in flight must not act in the room. */
  close(sessionId: string): void {
    this.limiters.delete(sessionId);
  }

  /** A message type the contract does not have: budgeted too, so a client cannot make the server answer a flood. */
  private rejectUnknown(client: Client, type: string): void {
    if (this.admit(client, "unknown", type)) this.reject(client, MessageError.BAD_REQUEST, type, `unknown message type "${type}"`);
  }

  /** Answers a rule's refusal; true when there was one (so a handler can `if (gate.refused(…)) return`). */
  refused(client: Client, type: MessageType, refusal: Refusal | null): boolean {
    if (refusal === null) return false;
    this.reject(client, refusal.code, type, refusal.reason);
    return true;
  }

  reject(client: Client, code: MessageErrorCode, type: string, message: string): void {
    send(client, "error", { code, message, type });
    this.context.metrics.rejected(code, type);
    const held = this.rejectionLog.take(this.context.settings.now());
    if (held !== null) {
      const line = { sessionId: client.sessionId, code, type, reason: message, heldBack: held, participants: this.context.participants() };
      this.context.log().info(line, "message rejected");
    }
  }

  /** Takes a token from the client's budget; over it, drops (and says so at most once a second). */
  private admit(client: Client, category: RateCategory, type: string): boolean {
    const limiter = this.limiters.get(client.sessionId);
    if (limiter === undefined) return false;
    const admission = limiter.admit(category, this.context.settings.now());
    if (admission === "accept") return true;
    if (admission === "disconnect") {
      this.context.metrics.rejected(MessageError.RATE_LIMITED, type);
      this.context.onFlood(client, category);
      return false;
    }
    if (admission === "drop-and-notify") this.reject(client, MessageError.RATE_LIMITED, type, `too many ${category} messages, slow down`);
    else this.context.metrics.rejected(MessageError.RATE_LIMITED, type);
    return false;
  }
}
