/**
 * The entry point: one per server endpoint. `create` opens a jam, `join` enters one by its code
 * (after asking `GET /rooms/:code`, so a missing or full room is refused before any socket opens),
 * `open` joins a code or opens its saved jam again, `roomInfo` only asks; `savedJam`, `versions`
 * and `recordings` ask about a saved jam, `recordingUrl` and `patternUrl` say where its MIDI files are.
 */
import { Client, type Room } from "colyseus.js";
import type { ClockOptions, Timers } from "./clock";
import { ConnectionFailed, InvalidRoomCode, preflightError, toJamError, type JamError } from "./errors";
import { JamSession, type Reopener, type SessionOptions } from "./JamSession";
import { openOrJoin, refuseIfFull, type OpenSteps } from "./reopening";
import type { StatusListener } from "./sessionStatus";
import { JAM_ROOM_NAME, normalizeRoomCode } from "./roomCode";
import type { CreateOptions, JamState, JoinOptions, RecordingInfo, RoomInfo, SavedJamInfo, VersionInfo } from "./types";

/** The part of `fetch` the client uses; inject one for tests or odd environments. */
export type FetchLike = (url: string, init?: { headers?: Record<string, string> }) => Promise<{ status: number; json(): Promise<unknown> }>;

export interface JamClientOptions {
  /** Default: the global `fetch`. */
  fetch?: FetchLike;
  /** Waits before reconnection attempts, ms; the last repeats. Default [1000, 2000, 4000, 8000, 16000]. */
  backoffMs?: readonly number[];
  /** The server's reconnection grace (`RECONNECT_GRACE_S`) in ms. Default 30 000. */
  reconnectGraceMs?: number;
  /** Clock sync options for every session, or false to not sync. */
  clock?: ClockOptions | false;
  /** HTTP headers for matchmaking requests (Node only; browsers send their own). */
  headers?: Record<string, string>;
  /**
   * When a session's room goes away with its process (a deploy, a crash), open its code again — the
   * saved jam — or join whoever reopened it first, as the same musician. Default true.
   */
  reopen?: boolean;
  /** Waits between reopening attempts, ms; the last repeats. Default [500, 1000, 2000, 4000]. */
  reopenBackoffMs?: readonly number[];
  /** How long after losing its room a session keeps trying to reopen it, ms. Default 60 000. */
  reopenForMs?: number;
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
  private readonly reopens: boolean;
  private readonly openSteps: OpenSteps;

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
      ...(options.reopenBackoffMs !== undefined && { reopenBackoffMs: options.reopenBackoffMs }),
      ...(options.reopenForMs !== undefined && { reopenForMs: options.reopenForMs }),
    };
    this.reopens = options.reopen ?? true;
    this.openSteps = { colyseus: this.colyseus, roomInfo: (code) => this.roomInfo(code) };
  }

  /**
   * What `GET /rooms/:code` says about a room. Rejects with InvalidRoomCode (checked before any
   * request), RoomNotFound, ServerUnavailable or ConnectionFailed.
   */
  async roomInfo(code: string): Promise<RoomInfo> {
    return this.lookUp<RoomInfo>(code, (canonical) => `/rooms/${canonical}`);
  }

  /**
   * What `GET /jams/:code` says about a saved jam (its save time, tempo, musicians; whether a room
   * has it open now). Rejects with InvalidRoomCode, RoomNotFound (nothing saved under that code),
   * ServerUnavailable or ConnectionFailed.
   */
  async savedJam(code: string): Promise<SavedJamInfo> {
    return this.lookUp<SavedJamInfo>(code, (canonical) => `/jams/${canonical}`);
  }

  /**
   * `GET /jams/:code/versions`: the saved jam's versions, newest first (number, save time, tempo,
   * how many tracks), for a host to pick one for `session.restoreVersion`. Rejects as `savedJam`.
   */
  async versions(code: string): Promise<VersionInfo[]> {
    return this.lookUp<VersionInfo[]>(code, (canonical) => `/jams/${canonical}/versions`);
  }

  /**
   * `GET /jams/:code/recordings`: the saved jam's recordings, newest first (id, start, length, how
   * many notes, who played). Rejects as `savedJam`.
   */
  async recordings(code: string): Promise<RecordingInfo[]> {
    return this.lookUp<RecordingInfo[]>(code, (canonical) => `/jams/${canonical}/recordings`);
  }

  /** Where recording `id` of the jam downloads as a Standard MIDI File (for a link). Throws InvalidRoomCode. */
  recordingUrl(code: string, id: number): string {
    return `${this.httpBase}/jams/${this.canonicalCode(code)}/recordings/${String(id)}.mid`;
  }

  /** Where the jam's current pattern downloads as a one-loop Standard MIDI File (for a link). Throws InvalidRoomCode. */
  patternUrl(code: string): string {
    return `${this.httpBase}/jams/${this.canonicalCode(code)}/pattern.mid`;
  }

  /**
   * Opens a new jam with this musician as its host; with `remixOf`, a new jam copied from that one
   * (RoomNotFound when no jam has that code). Rejects with a JamError (InvalidName, InvalidOption, …).
   */
  create(options: CreateOptions, hooks: ConnectHooks = {}): Promise<JamSession> {
    return this.connect(hooks, options, () => this.colyseus.create<JamState>(JAM_ROOM_NAME, options));
  }

  /**
   * Opens the jam with `code`: joins its room when one is open (on any process), or opens the saved
   * jam again with this musician as host. Several musicians opening one code at once end up in one
   * room. Rejects with JamNotSaved when neither exists, or as `join` does. A listener only joins:
   * RoomNotFound when no room has the code.
   */
  open(code: string, options: JoinOptions, hooks: ConnectHooks = {}): Promise<JamSession> {
    const canonical = this.canonicalCode(code);
    return this.connect(hooks, options, () => openOrJoin(this.openSteps, canonical, options));
  }

  /**
   * Joins the jam with `code` (any case; spaces and dashes ignored), as a musician or, with
   * `listener: true`, as a listener. A missing room, or one full of musicians for a musician, is
   * refused before any socket opens (RoomNotFound, RoomFull); then the server's refusals come as
   * RoomFull (also: the room's listener limit), NameTaken, InvalidName, InvalidOption, Unauthorized.
   */
  join(code: string, options: JoinOptions, hooks: ConnectHooks = {}): Promise<JamSession> {
    return this.connect(hooks, options, async () => {
      const info = await this.roomInfo(code);
      refuseIfFull(info, options);
      return this.colyseus.joinById<JamState>(info.roomId, options);
    });
  }

  /**
   * How a session opens its code again: its current name and instrument, the same token, and a
   * listener as a listener (which joins only, never opens the saved jam).
   */
  private reopenerFor(options: JoinOptions): Reopener | undefined {
    if (!this.reopens) return undefined;
    return (code, profile) => {
      const name = profile.name ?? options.name;
      const instrument = profile.instrument ?? options.instrument;
      const again: JoinOptions = {
        ...(options.token !== undefined && { token: options.token }),
        ...(name !== undefined && { name }),
        ...(instrument !== undefined && { instrument }),
        ...(options.listener === true && { listener: true }),
      } as JoinOptions;
      return openOrJoin(this.openSteps, code, again);
    };
  }

  private async connect(hooks: ConnectHooks, options: JoinOptions, open: () => Promise<Room<JamState>>): Promise<JamSession> {
    hooks.onStatus?.("connecting", { previous: "disconnected" });
    let room: Room<JamState>;
    try {
      room = await open();
    } catch (cause) {
      const error: JamError = toJamError(cause);
      hooks.onStatus?.("disconnected", { previous: "connecting", reason: "join-failed", error });
      throw error;
    }
    const reopen = this.reopenerFor(options);
    const sessionOptions = reopen === undefined ? this.sessionOptions : { ...this.sessionOptions, reopen };
    const session = new JamSession(this.colyseus, room, sessionOptions, hooks.onStatus);
    try {
      await session.ready();
    } catch (cause) {
      throw toJamError(cause);
    }
    return session;
  }

  /** GET of `pathOf(code)` (the code checked and made canonical first, before any request). */
  private async lookUp<T>(code: string, pathOf: (canonical: string) => string): Promise<T> {
    const canonical = this.canonicalCode(code);
    const path = pathOf(canonical);
    let response: Awaited<ReturnType<FetchLike>>;
    let body: unknown;
    try {
      response = await this.fetch(`${this.httpBase}${path}`, { headers: { Accept: "application/json" } });
      body = await response.json().catch(() => undefined);
    } catch (error) {
      throw new ConnectionFailed(`could not reach the jam server: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (response.status !== 200) throw preflightError(response.status, body, canonical);
    return body as T;
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
