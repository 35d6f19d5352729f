/**
 * Every way create/join can fail, as classes an app can `instanceof` (or switch on `code`). The
 * numeric codes are the server's (`src/protocol/errors.ts`), restated with its type so they cannot
 * drift; the server module itself imports @colyseus/core and stays out of the browser bundle.
 */
import { JoinError } from "../../src/protocol/codes";

/** Numeric codes a refused create/join rejects with: the server's own values. */

export type JamErrorCode =
  | "ROOM_NOT_FOUND"
  | "ROOM_FULL"
  | "NAME_TAKEN"
  | "INVALID_NAME"
  | "INVALID_OPTION"
  | "INVALID_ROOM_CODE"
  | "NO_FREE_ROOM_CODE"
  /** `create` with the code of a jam that a room has open now: join it instead. */
  | "ALREADY_OPEN"
  | "UNAUTHORIZED"
  | "SERVER_UNAVAILABLE"
  | "CONNECTION_FAILED"
  | "UNKNOWN";

export class JamError extends Error {
  /** What went wrong, for a `switch`. */
  readonly code: JamErrorCode;
  /** The server's numeric code (4212, 4230, …) or HTTP status, when there was one. */
  readonly status: number | undefined;

  constructor(code: JamErrorCode, message: string, status?: number) {
    super(message);
    // Keeps `instanceof` working when an app compiles to ES5.
    Object.setPrototypeOf(this, new.target.prototype);
    this.name = "JamError";
    this.code = code;
    this.status = status;
  }
}

/** No live room has that code (or it ended). */
export class RoomNotFound extends JamError {
  constructor(message: string, status: number = JoinError.NOT_FOUND) {
    super("ROOM_NOT_FOUND", message, status);
    this.name = "RoomNotFound";
  }
}

/** Neither a live room nor a saved jam has the code (`JamClient.open`, or a session reopening its jam). */
export class JamNotSaved extends RoomNotFound {
  constructor(message: string, status: number = JoinError.NOT_FOUND) {
    super(message, status);
    this.name = "JamNotSaved";
  }
}

/** `maxParticipants` musicians are in the room (counting those reconnecting). */
export class RoomFull extends JamError {
  constructor(message: string, status: number = JoinError.FULL) {
    super("ROOM_FULL", message, status);
    this.name = "RoomFull";
  }
}

/** Someone in the room has that name (ignoring case). */
export class NameTaken extends JamError {
  constructor(message: string, status: number = JoinError.NAME_TAKEN) {
    super("NAME_TAKEN", message, status);
    this.name = "NameTaken";
  }
}

/** The name is missing, empty, over 32 characters, ill-formed, invisible, or has control or bidi characters. */
export class InvalidName extends JamError {
  constructor(message: string, status: number = JoinError.INVALID_NAME) {
    super("INVALID_NAME", message, status);
    this.name = "InvalidName";
  }
}

/** Another option (tempo, instrument, maxParticipants, …) is of the wrong type or out of range. */
export class InvalidOption extends JamError {
  constructor(message: string, status: number = JoinError.INVALID_OPTION) {
    super("INVALID_OPTION", message, status);
    this.name = "InvalidOption";
  }
}

/** What was typed cannot be a room code (checked before asking the server). */
export class InvalidRoomCode extends JamError {
  constructor(message: string, status?: number) {
    super("INVALID_ROOM_CODE", message, status);
    this.name = "InvalidRoomCode";
  }
}

/** The server could not claim a free code for a new room (practically never: try again). */
export class NoFreeRoomCode extends JamError {
  constructor(message: string, status: number = JoinError.CODE_UNAVAILABLE) {
    super("NO_FREE_ROOM_CODE", message, status);
    this.name = "NoFreeRoomCode";
  }
}

/** With `JWT_SECRET` on the server: the token is missing, expired, without `exp`, too long-lived or not signed by it. */
export class Unauthorized extends JamError {
  constructor(message: string, status: number = JoinError.UNAUTHORIZED) {
    super("UNAUTHORIZED", message, status);
    this.name = "Unauthorized";
  }
}

/** The server is draining for a deploy (503): try again in a few seconds. */
export class ServerUnavailable extends JamError {
  constructor(message: string, status?: number) {
    super("SERVER_UNAVAILABLE", message, status);
    this.name = "ServerUnavailable";
  }
}

/** The server could not be reached, or the connection failed while joining. */
export class ConnectionFailed extends JamError {
  constructor(message: string, status?: number) {
    super("CONNECTION_FAILED", message, status);
    this.name = "ConnectionFailed";
  }
}

/** A rejection as colyseus.js hands it over: `MatchMakeError`/`ServerError` carry `{ code, message }`. */
function codeAndMessage(error: unknown): { code: number | undefined; message: string } {
  if (typeof error === "object" && error !== null) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    return {
      code: typeof code === "number" ? code : undefined,
      message: typeof message === "string" && message !== "" ? message : String(error),
    };
  }
  return { code: undefined, message: String(error) };
}

/**
 * A create/join rejection from colyseus.js (or anything thrown on the way) → a typed JamError.
 * The message stays the server's own words ("room is full (10 participants)", "name already
 * taken: \"Bob\"", …).
 */
export function toJamError(error: unknown): JamError {
  if (error instanceof JamError) return error;
  const { code, message } = codeAndMessage(error);
  switch (code) {
    case JoinError.NOT_FOUND:
      // Colyseus says `room "X" is locked` when a room reached its client ceiling: that is full.
      return /\blocked\b/.test(message) ? new RoomFull(message, code) : new RoomNotFound(message, code);
    case JoinError.FULL:
      return new RoomFull(message, code);
    case JoinError.NAME_TAKEN:
      return new NameTaken(message, code);
    case JoinError.INVALID_NAME:
      return new InvalidName(message, code);
    case JoinError.INVALID_OPTION:
      return new InvalidOption(message, code);
    case JoinError.ALREADY_OPEN:
      return new JamError("ALREADY_OPEN", message, code);
    case JoinError.CODE_UNAVAILABLE:
      return new NoFreeRoomCode(message, code);
    case JoinError.UNAUTHORIZED:
      return new Unauthorized(message, code);
    case 503:
      return new ServerUnavailable("the jam server is restarting, try again in a few seconds", code);
    case undefined:
      return new ConnectionFailed(`could not reach the jam server: ${message}`);
    default:
      // WebSocket close codes (1000–1015) while joining: the connection broke.
      if (code >= 1000 && code < 2000) return new ConnectionFailed(`connection failed while joining (${code}): ${message}`, code);
      return new JamError("UNKNOWN", message, code);
  }
}

/** The answer of `GET /rooms/:code` when it is not 200 → a typed JamError. */
export function preflightError(status: number, body: unknown, code: string): JamError {
  const said =
    typeof body === "object" && body !== null && typeof (body as { error?: unknown }).error === "string"
      ? (body as { error: string }).error
      : `HTTP ${status}`;
  switch (status) {
    case 404:
      return new RoomNotFound(`room "${code}" not found`, status);
    case 400:
      return new InvalidRoomCode(`"${code}" is not a room code`, status);
    case 503:
      return new ServerUnavailable("the jam server is restarting, try again in a few seconds", status);
    default:
      return new JamError("UNKNOWN", `could not look up room "${code}": ${said}`, status);
  }
}
