/** Join refusal codes, free of dependencies so the browser client can use the same values. */

/**
 * Codes a refused create/join rejects with (the client's promise rejects with `{ code, message }`).
 * Colyseus itself answers an unknown room id with 4212 and the words `room "X" not found`.
 */
export const JoinError = {
  NOT_FOUND: 4212,
  /** Colyseus' own AUTH_FAILED: a missing, invalid or expired token (when JWT_SECRET is set). */
  UNAUTHORIZED: 4215,
  FULL: 4230,
  NAME_TAKEN: 4231,
  INVALID_NAME: 4232,
  INVALID_OPTION: 4233,
  CODE_UNAVAILABLE: 4234,
} as const;
export type JoinErrorCode = (typeof JoinError)[keyof typeof JoinError];
