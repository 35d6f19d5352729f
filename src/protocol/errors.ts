/**
 * Refusing a join or create with the code and words of the contract (codes are in `./codes`,
 * re-exported here for the server's handlers).
 */
import { ServerError } from "@colyseus/core";
import { JoinError, type JoinErrorCode } from "./codes";

export { HttpError, JoinError, MessageError, type HttpErrorAnswer, type JoinErrorCode, type MessageErrorCode } from "./codes";

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
  full: (max: number, who: "participants" | "listeners" = "participants") =>
    new JoinRefused(JoinError.FULL, `room is full (${max} ${who})`),
  nameTaken: (name: string) => new JoinRefused(JoinError.NAME_TAKEN, `name already taken: "${name}"`),
  invalidName: (why: string) => new JoinRefused(JoinError.INVALID_NAME, `invalid name: ${why}`),
  invalidOption: (why: string) => new JoinRefused(JoinError.INVALID_OPTION, `invalid option: ${why}`),
  unauthorized: (why: string) => new JoinRefused(JoinError.UNAUTHORIZED, why),
  jamNotFound: (code: string) => new JoinRefused(JoinError.NOT_FOUND, `jam not found: no jam is saved under ${code}`),
  alreadyOpen: (code: string) => new JoinRefused(JoinError.ALREADY_OPEN, `jam ${code} is already open: join it by its code`),
  codeUnavailable: () => new JoinRefused(JoinError.CODE_UNAVAILABLE, "no free room code could be claimed, try again"),
};
