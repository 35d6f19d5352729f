/**
 * With JWT_SECRET set, creating and joining need `options.token`: an HS256 JWT whose `name` claim
 * is the display name. jsonwebtoken checks the signature, the algorithm and `exp`/`nbf`; the
 * lifetime rule (an `exp` is required, and at most JWT_MAX_AGE_S away) is ours.
 */
import jwt from "jsonwebtoken";
import type { Settings } from "../config/settings";
import { refuse } from "../protocol/errors";
import { tokenLifetimeError } from "../rules/tokenLifetime";

/** What checking a token needs from the settings; no `jwtSecret`, no token needed. */
export type JoinTokenSettings = Pick<Settings, "jwtSecret" | "jwtMaxAgeS" | "now">;

export interface TokenPolicy {
  secret: string;
  maxAgeS: number;
  /** Server time in ms since epoch: `exp`, `nbf` and the lifetime are judged against it. */
  nowMs: number;
}

/** The `name` claim of a valid token, not yet checked against the name rules; throws JoinRefused. */
export function nameClaimOf(token: unknown, policy: TokenPolicy): unknown {
  if (typeof token !== "string" || token === "") {
    throw refuse.unauthorized("token required: this server needs options.token, a signed JWT");
  }
  const nowS = Math.floor(policy.nowMs / 1000);
  let claims: string | jwt.JwtPayload;
  try {
    claims = jwt.verify(token, policy.secret, { algorithms: ["HS256"], clockTimestamp: nowS });
  } catch (error) {
    if (error instanceof jwt.TokenExpiredError) throw refuse.unauthorized("token expired: get a new one and try again");
    if (error instanceof jwt.NotBeforeError) throw refuse.unauthorized("token not valid yet");
    const reason = error instanceof Error ? error.message : "unreadable";
    throw refuse.unauthorized(`invalid token: ${reason}`);
  }
  if (typeof claims === "string") throw refuse.unauthorized("invalid token: its payload must be a JSON object");
  const lifetimeError = tokenLifetimeError(claims, policy.maxAgeS, nowS);
  if (lifetimeError !== null) throw refuse.unauthorized(`invalid token: ${lifetimeError}`);
  return claims.name;
}
