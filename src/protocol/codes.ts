/**
 * Every code a client can see, declared once: join refusals, `error` message codes, WebSocket close
 * codes and HTTP error answers. The server, the client library, the tests and the docs use these
 * (test/unit/codes.test.ts fails when one is missing from docs/PROTOCOL.md). Free of dependencies,
 * so the browser client imports it as it is.
 */

/**
 * Codes a refused create/join rejects with (the client's promise rejects with `{ code, message }`).
 * 4212 and 4215 are Colyseus' own (MATCHMAKE_INVALID_ROOM_ID, AUTH_FAILED), used with their meaning.
 */
export const JoinError = {
  /** No live room has that code (join), or no saved jam has it (create with `code`). */
  NOT_FOUND: 4212,
  /** A missing, expired, unsigned, endless or too long-lived token (with JWT_SECRET). */
  UNAUTHORIZED: 4215,
  FULL: 4230,
  NAME_TAKEN: 4231,
  INVALID_NAME: 4232,
  INVALID_OPTION: 4233,
  CODE_UNAVAILABLE: 4234,
  /** Create with `code`: a live room has that jam open already (join it instead). */
  ALREADY_OPEN: 4235,
  /**
   * Colyseus' own (MATCHMAKE_EXPIRED): `reconnect` with a token the room does not know — its grace
   * ended, it was kicked, or the room under that code is a newer one (the jam was opened again).
   */
  RECONNECT_REFUSED: 4214,
} as const;
export type JoinErrorCode = (typeof JoinError)[keyof typeof JoinError];

/** `code` of the server → client `error` message. */
export const MessageError = {
  /** The payload breaks a rule: wrong shape, value out of range, unknown message type. */
  BAD_REQUEST: "BAD_REQUEST",
  /** The sender may not do this: not the host, or the room's transport policy. */
  NOT_ALLOWED: "NOT_ALLOWED",
  /** The target participant or track does not exist. */
  NOT_FOUND: "NOT_FOUND",
  /** Too many messages of this kind; the excess was dropped. */
  RATE_LIMITED: "RATE_LIMITED",
} as const;
export type MessageErrorCode = (typeof MessageError)[keyof typeof MessageError];

/** WebSocket close codes a client's connection can end with, and why. */
export const CloseCode = {
  /** The room closed it: after a deploy's drain, or the client's own leave. */
  CONSENTED: 4000,
  /** The host removed this participant; its reconnection token no longer works. */
  KICKED: 4001,
  /** A frame that is not valid Colyseus/msgpack. */
  MALFORMED_FRAME: 4002,
  /** Removed for flooding far over a rate limit for seconds on end. */
  FLOODING: 4029,
  /** No close frame: the network went away, or the server cut off a connection that did not read what it was sent or never finished joining. */
  ABNORMAL: 1006,
  /** A frame over MAX_PAYLOAD_BYTES. */
  TOO_LARGE: 1009,
  /** The room failed (its state could not be sent) and closed every connection. */
  ROOM_FAILED: 1011,
} as const;
export type CloseCodeValue = (typeof CloseCode)[keyof typeof CloseCode];

/** Every HTTP error answer: its status and the `{"error"}` body. */
export const HttpError = {
  INVALID_ROOM_CODE: { status: 400, error: "Invalid room code" },
  ORIGIN_NOT_ALLOWED: { status: 403, error: "Origin not allowed" },
  ROOM_NOT_FOUND: { status: 404, error: "Room not found" },
  JAM_NOT_FOUND: { status: 404, error: "Jam not found" },
  /** The jam exists, but no recording of it has that id (or the id is not a number). */
  RECORDING_NOT_FOUND: { status: 404, error: "Recording not found" },
  REQUEST_TOO_LARGE: { status: 413, error: "Request too large" },
  TOO_MANY_REQUESTS: { status: 429, error: "Too many requests" },
} as const;
export type HttpErrorAnswer = (typeof HttpError)[keyof typeof HttpError];
