/**
 * Every error a client can see, in one place: the `error` message codes of the contract and the
 * codes/words a refused join rejects with. Handlers, tests and the README all use these names.
 */
import { ServerError } from "@colyseus/core";
import { JoinError, type JoinErrorCode } from "./joinErrorCodes";

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

export { JoinError, type JoinErrorCode } from "./joinErrorCodes";

/** Every HTTP error answer: its status and the `{"error"}` body, for routes, the request gate and tests. */
export const HttpError = {
  INVALID_ROOM_CODE: { status: 400, error: "Invalid room code" },
  ORIGIN_NOT_ALLOWED: { status: 403, error: "Origin not allowed" },
  ROOM_NOT_FOUND: { status: 404, error: "Room not found" },
  REQUEST_TOO_LARGE: { status: 413, error: "Request too large" },
  TOO_MANY_REQUESTS: { status: 429, error: "Too many requests" },
} as const;
export type HttpErrorAnswer = (typeof HttpError)[keyof typeof HttpError];

/**
 * A refused join or create; Colyseus forwards `code` and `message` to the client. A ServerError,
 * so Colyseus does not log an expected refusal as a server error.
 */
export class JoinRefused extends ServerError {
  constructor(code: JoinErrorCode, message: string) {
    super(code, message);
    this.name = "JoinRefused";
  }
}

export const refuse = {
  full: (max: number) => new JoinRefused(JoinError.FULL, `room is full (${max} participants)`),
  nameTaken: (name: string) => new JoinRefused(JoinError.NAME_TAKEN, `name already taken: "${name}"`),
  invalidName: (why: string) => new JoinRefused(JoinError.INVALID_NAME, `invalid name: ${why}`),
  invalidOption: (why: string) => new JoinRefused(JoinError.INVALID_OPTION, `invalid option: ${why}`),
  unauthorized: (why: string) => new JoinRefused(JoinError.UNAUTHORIZED, why),
  codeUnavailable: () =>
    new JoinRefused(JoinError.CODE_UNAVAILABLE, "no free room code could be claimed, try again"),
};
