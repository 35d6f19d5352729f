/**
 * The entry point: one per server endpoint. `create` opens a jam, `join` enters one by its code
 * (after asking `GET /rooms/:code`, so a missing or full room is refused before any socket opens),
 * `roomInfo` only asks.
 */
import { Client, type Room } from "colyseus.js";
import type { ClockOptions, Timers } from "./clock";
import { ConnectionFailed, InvalidRoomCode, RoomFull, preflightError, toJamError, type JamError } from "./errors";
import { JamSession, type SessionOptions } from "./JamSession";
import type { StatusListener } from "./sessionStatus";
import { JAM_ROOM_NAME, normalizeRoomCode } from "./roomCode";
import type { CreateOptions, JamState, JoinOptions, RoomInfo } from "./types";

/** The part of `fetch` the client uses; inject one for tests or odd environments. */
export type FetchLike = (url: string, init?: { headers?: Record<string, string> }) => Promise<{ status: number; json(): Promise<unknown> }>;

export interface JamClientOptions {
  /** Default: the global `fetch`. */
  fetch?: FetchLike;
  /** Waits before reconnection attempts, ms; the last repeats. Default [2000, 4000, 8000, 16000]. */
  backoffMs?: readonly number[];
  /** The server's reconnection grace (`RECONNECT_GRACE_S`) in ms. Default 30 000. */
  reconnectGraceMs?: number;
  /** Clock sync options for every session, or false to not sync. */
  clock?: ClockOptions | false;
  /** HTTP headers for matchmaking requests (Node only; browsers send their own). */
  headers?: Record<string, string>;
  /** Injectable timers and wall clock (tests). */
  timers?: Timers;
  now?: () => number;
}

/** Per call: a status listener attached before anything happens, so it also sees `connecting`. */
export interface ConnectHooks {
  onStatus?: StatusListener;
}

export class JamClient {
  /** The colyseus.js client underneath (for what this API lacks). */
  readonly colyseus: Client;
  private readonly httpBase: string;
  private readonly fetch: FetchLike;
  private readonly sessionOptions: SessionOptions;

  /** `endpoint`: the server, e.g. "wss://jam.example.com" or "ws://127.0.0.1:2567" (http(s) works too). */
  constructor(endpoint: string, options: JamClientOptions = {}) {
    this.colyseus = new Client(endpoint, options.headers === undefined ? undefined : { headers: options.headers });
    this.httpBase = httpBaseOf(endpoint);
    const globalFetch = (globalThis as { fetch?: FetchLike }).fetch;
    this.fetch =
      options.fetch ??
      ((url, init) => {
        if (globalFetch === undefined) throw new Error("no fetch in this environment: pass options.fetch");
        return globalFetch(url, init);
      });
    this.sessionOptions = {
      ...(options.backoffMs !== undefined && { backoffMs: options.backoffMs }),
      ...(options.reconnectGraceMs !== undefined && { reconnectGraceMs: options.reconnectGraceMs }),
      ...(options.clock !== undefined && { clock: options.clock }),
      ...(options.timers !== undefined && { timers: options.timers }),
      ...(options.now !== undefined && { now: options.now }),
    };
  }

  /**
   * What `GET /rooms/:code` says about a room. Rejects with InvalidRoomCode (checked before any
   * request), RoomNotFound, ServerUnavailable or ConnectionFailed.
   */
  async roomInfo(code: string): Promise<RoomInfo> {
    const canonical = this.canonicalCode(code);
    let response: Awaited<ReturnType<FetchLike>>;
    let body: unknown;
    try {
      response = await this.fetch(`${this.httpBase}/rooms/${canonical}`, { headers: { Accept: "application/json" } });
      body = await response.json().catch(() => undefined);
    } catch (error) {
      throw new ConnectionFailed(`could not reach the jam server: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (response.status !== 200) throw preflightError(response.status, body, canonical);
    return body as RoomInfo;
  }

  /** Opens a new jam with this musician as its host. Rejects with a JamError (InvalidName, InvalidOption, …). */
  create(options: CreateOptions, hooks: ConnectHooks = {}): Promise<JamSession> {
    return this.connect(hooks, () => this.colyseus.create<JamState>(JAM_ROOM_NAME, options));
  }

  /**
   * Joins the jam with `code` (any case; spaces and dashes ignored). A missing or full room is
   * refused before any socket opens (RoomNotFound, RoomFull); then the server's refusals come as
   * RoomFull, NameTaken, InvalidName, InvalidOption, Unauthorized.
   */
  join(code: string, options: JoinOptions, hooks: ConnectHooks = {}): Promise<JamSession> {
    return this.connect(hooks, async () => {
      const info = await this.roomInfo(code);
      if (info.participants >= info.maxParticipants) {
        throw new RoomFull(`room "${info.roomCode}" is full (${info.maxParticipants} participants)`);
      }
      return this.colyseus.joinById<JamState>(info.roomId, options);
    });
  }

  private async connect(hooks: ConnectHooks, open: () => Promise<Room<JamState>>): Promise<JamSession> {
    hooks.onStatus?.("connecting", { previous: "disconnected" });
    let room: Room<JamState>;
    try {
      room = await open();
    } catch (cause) {
      const error: JamError = toJamError(cause);
      hooks.onStatus?.("disconnected", { previous: "connecting", reason: "join-failed", error });
      throw error;
    }
    const session = new JamSession(this.colyseus, room, this.sessionOptions, hooks.onStatus);
    try {
      await session.ready();
    } catch (cause) {
      throw toJamError(cause);
    }
    return session;
  }

  private canonicalCode(code: string): string {
    const canonical = normalizeRoomCode(code);
    if (canonical === null) throw new InvalidRoomCode(`"${code}" is not a room code (6 letters and digits)`);
    return canonical;
  }
}

/** "ws://host:2567/path/" → "http://host:2567/path" (what colyseus.js' HTTP calls use too). */
function httpBaseOf(endpoint: string): string {
  const location = (globalThis as { location?: { href: string } }).location;
  const url = new URL(endpoint, location?.href);
  url.protocol = url.protocol === "wss:" || url.protocol === "https:" ? "https:" : "http:";
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}
